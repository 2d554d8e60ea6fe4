import { describe, expect, it } from 'vitest';
import { type DependencyStatus, judgeLocally, type Operation } from '#protocol';
import { SAMPLE_ORDER } from './support/sample-ops.ts';
import { ctxFor, guest, opOf, staff, venueState } from './support/venue-fixture.ts';

const DEP = '01JD0000000000000000000900';
const OTHER_DEP = '01JD0000000000000000000901';

const createOrder = (extra: { dependsOn?: string[] } = {}, principal = staff('server')) =>
  opOf(
    'order.create',
    {
      orderId: SAMPLE_ORDER,
      tableId: 'table-1',
      lines: [{ lineId: 'l-1', itemId: 'burger', quantity: 1 }],
    },
    principal,
    extra,
  );

const addLines = (extra: { dependsOn?: string[] } = {}) =>
  opOf(
    'order.addLines',
    { orderId: SAMPLE_ORDER, lines: [{ lineId: 'l-2', itemId: 'beer', quantity: 1 }] },
    staff('server'),
    extra,
  );

const judge = (op: Operation, statuses: Record<string, DependencyStatus> = {}) =>
  judgeLocally(venueState(), op, ctxFor(staff('server')), (id) => statuses[id] ?? 'unknown');

describe('judgeLocally: when a node deciding for the cloud may make a verdict final', () => {
  it('accepts what its state applies, with the changes and the state after', async () => {
    const verdict = judge(await createOrder());
    expect(verdict.kind).toBe('accept');
    if (verdict.kind !== 'accept') return;
    expect(verdict.changes.map((c) => `${c.entity}:${c.id}`)).toEqual([`order:${SAMPLE_ORDER}`]);
  });

  it('rejects for good what access refuses: another token, actor or role', async () => {
    const asGuest = await createOrder({}, guest());
    const verdict = judgeLocally(
      venueState(),
      await opOf('menu.item.setAvailability', { itemId: 'burger', available: false }, guest()),
      ctxFor(guest()),
      () => 'applied',
    );
    expect(verdict).toMatchObject({ kind: 'reject', code: 'FORBIDDEN' });
    // The op says it was made by the guest, the token is a server's: refused wherever decided.
    expect(judge(asGuest)).toMatchObject({ kind: 'reject', code: 'FORBIDDEN' });
  });

  it('rejects for good an op whose dependency was rejected for good', async () => {
    const verdict = judge(await createOrder({ dependsOn: [DEP] }), { [DEP]: 'rejected' });
    expect(verdict).toMatchObject({ kind: 'reject', code: 'DEPENDENCY_REJECTED' });
  });

  it('holds an op whose dependency it has not seen, even one its state would apply', async () => {
    const verdict = judge(await createOrder({ dependsOn: [DEP] }));
    expect(verdict).toMatchObject({ kind: 'hold', basis: 'unknown_dependency' });
    if (verdict.kind === 'hold') expect(verdict.message).toContain(DEP);
  });

  it('a rejected dependency wins over an unseen one, whatever their order', async () => {
    const op = await createOrder({ dependsOn: [OTHER_DEP, DEP] });
    expect(judge(op, { [DEP]: 'rejected' })).toMatchObject({
      kind: 'reject',
      code: 'DEPENDENCY_REJECTED',
    });
  });

  it('decides on its state when every dependency is waiting or applied', async () => {
    for (const status of ['waiting', 'applied'] as const) {
      const verdict = judge(await createOrder({ dependsOn: [DEP] }), { [DEP]: status });
      expect(verdict.kind).toBe('accept');
    }
  });

  it('holds what its state alone rejects: the cloud may have the order it has not seen', async () => {
    const verdict = judge(await addLines({ dependsOn: [DEP] }), { [DEP]: 'applied' });
    expect(verdict).toMatchObject({ kind: 'hold', basis: 'NOT_FOUND' });
  });

  it('holds a create its state already holds: the cloud may have applied this very op', async () => {
    const op = await createOrder();
    const first = judge(op);
    if (first.kind !== 'accept') throw new Error('setup: the create should apply');
    const again = judgeLocally(first.state, op, ctxFor(staff('server')), () => 'unknown');
    expect(again).toMatchObject({ kind: 'hold', basis: 'ALREADY_EXISTS' });
  });

  it('holds what its state applies when it changes an entity the cloud is known to be ahead on', async () => {
    const op = await createOrder();
    const behind = (entity: string, id: string) => entity === 'order' && id === SAMPLE_ORDER;
    const verdict = judgeLocally(
      venueState(),
      op,
      ctxFor(staff('server')),
      () => 'applied',
      behind,
    );
    expect(verdict).toMatchObject({ kind: 'hold', basis: 'stale_copy' });
    const other = judgeLocally(
      venueState(),
      op,
      ctxFor(staff('server')),
      () => 'applied',
      () => false,
    );
    expect(other.kind).toBe('accept');
  });
});
