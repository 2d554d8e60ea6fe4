import { describe, expect, it } from 'vitest';
import {
  decide,
  type EntitySet,
  type FeedEntry,
  getEntity,
  listEntities,
  type OpResult,
  type SnapshotRecord,
} from '#protocol';
import {
  ctxFor,
  guest,
  NOW,
  opOf,
  staff,
  TENANT,
  VENUE,
  venueState,
} from '../../tests/protocol/support/venue-fixture.ts';
import { MemoryRelayStore } from '../store/memory-relay-store.ts';
import { type OpNotice, RelayBus } from './feed-bus.ts';
import { VenueEngine } from './venue-engine.ts';

const manager = staff('manager');

function recordsOf(set: EntitySet): SnapshotRecord[] {
  return (Object.keys(set) as (keyof EntitySet)[]).flatMap((kind) =>
    listEntities(set, kind).map((data) => ({ entity: kind, data }) as SnapshotRecord),
  );
}

async function bootstrapped(store = new MemoryRelayStore()) {
  const bus = new RelayBus();
  const published: FeedEntry[][] = [];
  const notices: OpNotice[] = [];
  bus.subscribe(VENUE, { entries: (e) => published.push([...e]), notice: (n) => notices.push(n) });
  const fatal: unknown[] = [];
  const engine = new VenueEngine({
    store,
    bus,
    clock: () => new Date(NOW),
    tenantId: TENANT,
    venueId: VENUE,
    onFatal: (e) => fatal.push(e),
  });
  const records = recordsOf(venueState().entities);
  if (engine.cloudPosition.cursor === null) {
    await engine.applyCloud({
      entries: records.map(
        (r) =>
          ({
            entity: r.entity,
            id: r.data.id,
            op: 'upsert',
            data: r.data,
            version: r.data.version,
          }) as never,
      ),
      cursor: { cursor: 'cloud-cursor-0', seq: 10 },
      reset: true,
    });
  }
  return { engine, store, published, notices, fatal };
}

const orderId = (n: number) => `01JD0000000000000000000${String(n).padStart(3, '0')}`;
const orderPayload = (n: number) => ({
  orderId: orderId(n),
  tableId: 'table-1',
  lines: [{ lineId: 'l', itemId: 'fries', quantity: 1 }],
});
const order = (n: number) => opOf('order.create', orderPayload(n));

/**
 * Order `n` confirmed at seq 11, then an addLines on it forwarded and applied by the cloud at
 * seq 13: the relay's copy is behind on that order until the feed reaches 13.
 */
async function forwardedAhead(engine: VenueEngine, n: number): Promise<void> {
  const decided = decide(venueState(), await order(n), ctxFor(manager));
  if (decided.kind !== 'applied') throw new Error('setup');
  await engine.applyCloud({ entries: decided.changes, cursor: { cursor: 'c-11', seq: 11 } });
  const added = await opOf('order.addLines', {
    orderId: orderId(n),
    lines: [{ lineId: 'l-2', itemId: 'fries', quantity: 1 }],
  });
  const verdict: OpResult = {
    opId: added.opId,
    status: 'applied',
    seq: 13,
    changed: [{ entity: 'order', id: orderId(n), version: 2 }],
    at: NOW,
  };
  await engine.recordForwarded(manager, [{ op: added, verdict }]);
}

describe('venue engine', () => {
  it('bootstraps from a snapshot: devices get the whole venue, the cloud cursor is stored', async () => {
    const { store, published } = await bootstrapped();
    expect(store.load().cloudCursor).toBe('cloud-cursor-0');
    expect(store.snapshot(['table']).records).toHaveLength(4);
    expect(published.flat().length).toBeGreaterThan(10);
  });

  it('group-commits every op of a tick in one transaction, then answers and fans out once', async () => {
    const { engine, store, published } = await bootstrapped();
    const before = store.commits;
    published.length = 0;
    const ops = await Promise.all([1, 2, 3, 4, 5].map(order));
    const answers = await Promise.all(ops.map((op) => engine.submitLocal(op, manager)));
    expect(answers.map((a) => a.kind === 'first' && a.result.status)).toEqual(
      Array(5).fill('accepted_local'),
    );
    expect(store.commits - before).toBe(1);
    expect(published).toHaveLength(1);
    expect(published[0]).toHaveLength(5);
    expect(store.journalDepth().pending).toBe(5);
  });

  it('is idempotent by opId, and refuses a reused opId with another payload', async () => {
    const { engine, store } = await bootstrapped();
    const op = await order(7);
    const first = await engine.submitLocal(op, manager);
    const again = await engine.submitLocal(op, manager);
    expect(again).toEqual({
      kind: 'duplicate',
      result: first.kind === 'first' ? first.result : undefined,
    });
    const other = await opOf(
      'order.create',
      { orderId: '01JD0000000000000000000999', tableId: 'table-2' },
      manager,
      { opId: op.opId },
    );
    expect(await engine.submitLocal(other, manager)).toEqual({ kind: 'key_reused' });
    expect(store.journalDepth().pending).toBe(1);
  });

  it('records a refusal no state can change (access) as final and never replays it', async () => {
    const { engine, store } = await bootstrapped();
    const op = await opOf(
      'menu.item.setAvailability',
      { itemId: 'burger', available: false },
      guest(),
    );
    const answer = await engine.submitLocal(op, guest());
    expect(answer).toMatchObject({
      kind: 'first',
      result: { status: 'rejected', code: 'FORBIDDEN' },
    });
    expect(store.pendingJournal(10)).toEqual([]);
  });

  it('holds for the cloud what only its state rejects: journaled, replayed, answered retryable', async () => {
    const { engine, store, published } = await bootstrapped();
    published.length = 0;
    const op = await opOf('order.sendToKitchen', { orderId: '01JD0000000000000000000404' });
    const answer = await engine.submitLocal(op, manager);
    expect(answer).toMatchObject({
      kind: 'first',
      result: { status: 'retryable', code: 'DEPENDENCY_PENDING' },
    });
    expect(store.pendingJournal(10).map((r) => r.opId)).toEqual([op.opId]);
    expect(published.flat()).toEqual([]);
    // Asked again, the same honest answer until the cloud decides.
    expect(await engine.submitLocal(op, manager)).toMatchObject({
      kind: 'duplicate',
      result: { status: 'retryable' },
    });
  });

  it('holds an op whose dependency it never saw; decides one whose dependency it journaled', async () => {
    const { engine, store } = await bootstrapped();
    const bogus = await opOf('order.create', orderPayload(7), manager, {
      dependsOn: ['01JD0000000000000000000999'],
    });
    expect(await engine.submitLocal(bogus, manager)).toMatchObject({
      result: {
        status: 'retryable',
        message: expect.stringContaining('01JD0000000000000000000999'),
      },
    });
    const first = await order(8);
    await engine.submitLocal(first, manager);
    const send = await opOf('order.sendToKitchen', { orderId: orderId(8) }, manager, {
      dependsOn: [first.opId],
    });
    expect(await engine.submitLocal(send, manager)).toMatchObject({
      result: { status: 'accepted_local' },
    });
    expect(store.pendingJournal(10).map((r) => r.opId)).toEqual([
      bogus.opId,
      first.opId,
      send.opId,
    ]);
  });

  it('answers a resend of a forwarded op with the cloud’s verdict, never deciding it again', async () => {
    const { engine, store } = await bootstrapped();
    const op = await order(9);
    const cloudSaid: OpResult = {
      opId: op.opId,
      status: 'applied',
      seq: 12,
      changed: [{ entity: 'order', id: orderId(9), version: 1 }],
      at: NOW,
    };
    await engine.recordForwarded(manager, [{ op, verdict: cloudSaid }]);
    // The feed brings the order before the device, which lost the answer, sends the op again.
    const decided = decide(venueState(), op, ctxFor(manager));
    if (decided.kind !== 'applied') throw new Error('setup');
    await engine.applyCloud({ entries: decided.changes, cursor: { cursor: 'c-12', seq: 12 } });
    expect(await engine.submitLocal(op, manager)).toEqual({ kind: 'duplicate', result: cloudSaid });
    expect(store.pendingJournal(10)).toEqual([]);
    // An op that depends on it is decided on what the relay holds.
    const send = await opOf('order.sendToKitchen', { orderId: orderId(9) }, manager, {
      dependsOn: [op.opId],
    });
    expect(await engine.submitLocal(send, manager)).toMatchObject({
      result: { status: 'accepted_local' },
    });
  });

  it('holds an op on what a replayed op changed at the cloud until the feed brings it', async () => {
    // An order the cloud has; closed here while offline, then replayed: the cloud applied the
    // close at seq 13, the feed is at 11.
    const { engine } = await bootstrapped();
    const create = await order(12);
    const decided = decide(venueState(), create, ctxFor(manager));
    if (decided.kind !== 'applied') throw new Error('setup');
    await engine.applyCloud({ entries: decided.changes, cursor: { cursor: 'c-11', seq: 11 } });
    const close = await opOf('order.close', {
      orderId: orderId(12),
      payment: { method: 'cash', tendered: 100_000 },
    });
    expect(await engine.submitLocal(close, manager)).toMatchObject({
      result: { status: 'accepted_local' },
    });
    const applied: OpResult = {
      opId: close.opId,
      status: 'applied',
      seq: 13,
      changed: [{ entity: 'order', id: orderId(12), version: 2 }],
      at: NOW,
    };
    await engine.applyCloud({ entries: [], verdicts: new Map([[close.opId, applied]]) });
    // Settled, the close no longer shows through the pending layer: this copy has the order open
    // again until the feed brings seq 13. An op decided on it would be accepted here and
    // rejected by the cloud: it is held.
    const added = await opOf('order.addLines', {
      orderId: orderId(12),
      lines: [{ lineId: 'l-9', itemId: 'fries', quantity: 1 }],
    });
    expect(await engine.submitLocal(added, manager)).toMatchObject({
      result: { status: 'retryable', message: expect.stringContaining('cloud changed') },
    });
  });

  it('after a restart still holds ops on what a forwarded op changed ahead of its copy', async () => {
    // The cloud applied a forwarded addLines at seq 13; the relay crashed before the feed came.
    const store = new MemoryRelayStore();
    const { engine } = await bootstrapped(store);
    await forwardedAhead(engine, 11);
    const restarted = await bootstrapped(store);
    // Decided on the old copy, the send would fire the first line again: it waits for the cloud.
    const send = await opOf('order.sendToKitchen', { orderId: orderId(11) });
    expect(await restarted.engine.submitLocal(send, manager)).toMatchObject({
      result: { status: 'retryable', message: expect.stringContaining('cloud changed') },
    });
    // Once the confirmed layer reaches seq 13, ops on the order are decided here again.
    await restarted.engine.applyCloud({ entries: [], cursor: { cursor: 'c-13', seq: 13 } });
    const later = await opOf('order.addLines', {
      orderId: orderId(11),
      lines: [{ lineId: 'l-3', itemId: 'fries', quantity: 1 }],
    });
    expect(await restarted.engine.submitLocal(later, manager)).toMatchObject({
      result: { status: 'accepted_local' },
    });
  });

  it('holds an op on an entity a forwarded op changed at the cloud until the feed brings it', async () => {
    const { engine } = await bootstrapped();
    await forwardedAhead(engine, 10);
    const send = await opOf('order.sendToKitchen', { orderId: orderId(10) });
    expect(await engine.submitLocal(send, manager)).toMatchObject({
      result: { status: 'retryable', message: expect.stringContaining('cloud changed') },
    });
    // The relay is no longer behind: the held send shows at once, and the next op is decided here.
    await engine.applyCloud({ entries: [], cursor: { cursor: 'c-13', seq: 13 } });
    expect(listEntities(engine.visible, 'ticket').map((t) => t.id)).toContain(`${send.opId}-fry`);
    const later = await opOf('order.addLines', {
      orderId: orderId(10),
      lines: [{ lineId: 'l-3', itemId: 'fries', quantity: 1 }],
    });
    const answer = await engine.submitLocal(later, manager);
    expect(answer, JSON.stringify(answer)).toMatchObject({
      kind: 'first',
      result: { status: 'accepted_local' },
    });
  });

  it('settles a pending op when the cloud’s feed brings its own entries, never re-deciding it on them', async () => {
    const { engine, store, notices } = await bootstrapped();
    const create = await order(11);
    const send = await opOf('order.sendToKitchen', { orderId: orderId(11) });
    await engine.submitLocal(create, manager);
    await engine.submitLocal(send, manager);
    // The cloud applies both, plus a line added from elsewhere, before the verdicts arrive.
    let cloud = venueState();
    const entries: FeedEntry[] = [];
    let seq = 10;
    const extra = await opOf('order.addLines', {
      orderId: orderId(11),
      lines: [{ lineId: 'l-9', itemId: 'burger', quantity: 1 }],
    });
    for (const op of [create, send, extra]) {
      const decided = decide(cloud, op, ctxFor(manager));
      if (decided.kind !== 'applied') throw new Error(`setup: ${op.type}`);
      cloud = decided.state;
      for (const change of decided.changes)
        entries.push({ ...change, seq: ++seq, at: NOW, opId: op.opId } as FeedEntry);
    }
    await engine.applyCloud({ entries, cursor: { cursor: 'c-feed', seq } });
    expect(store.pendingJournal(10)).toEqual([]);
    expect(store.journalEntry(send.opId)).toMatchObject({ status: 'synced' });
    // One ticket for the send: the unsent burger is not fired by a second decision of it.
    const tickets = listEntities(engine.visible, 'ticket').map((t) => t.id);
    expect(tickets).toEqual(listEntities(cloud.entities, 'ticket').map((t) => t.id));
    expect(notices.map((n) => n.result.opId).sort()).toEqual([create.opId, send.opId].sort());
  });

  it('settles ops from the cloud’s verdicts; a rejection corrects screens and notifies the device', async () => {
    const { engine, store, published, notices } = await bootstrapped();
    const applied = await order(1);
    const refused = await order(2);
    await engine.submitLocal(applied, manager);
    await engine.submitLocal(refused, manager);
    const cloudDecision = decide(
      venueState(),
      applied,
      ctxFor(manager, '2026-11-23T21:00:00.000Z'),
    );
    if (cloudDecision.kind !== 'applied') throw new Error('cloud refused');
    const verdicts = new Map<string, OpResult>([
      [
        applied.opId,
        {
          opId: applied.opId,
          status: 'applied',
          seq: 11,
          changed: [],
          at: '2026-11-23T21:00:00.000Z',
        },
      ],
      [
        refused.opId,
        {
          opId: refused.opId,
          status: 'rejected',
          code: 'INVALID_STATE_TRANSITION',
          message: 'table closed',
        },
      ],
    ]);
    published.length = 0;
    await engine.applyCloud({
      entries: cloudDecision.changes,
      cursor: { cursor: 'cloud-cursor-1', seq: 11 },
      verdicts,
    });
    expect(store.pendingJournal(10)).toEqual([]);
    expect(store.journalEntry(refused.opId)).toMatchObject({
      status: 'rejected',
      result: { code: 'INVALID_STATE_TRANSITION' },
    });
    expect(store.journalEntry(applied.opId)?.status).toBe('synced');
    // Applied, in the relay's terms: the LAN seq and versions the device's cache holds.
    const local = store.journalEntry(applied.opId)?.result;
    expect(local).toMatchObject({ status: 'applied', at: '2026-11-23T21:00:00.000Z' });
    expect(local?.status === 'applied' && local.seq).toBeLessThanOrEqual(store.load().feedHead);
    expect(local?.status === 'applied' && local.changed).toEqual([
      { entity: 'order', id: expect.any(String), version: 1 },
    ]);
    expect(notices).toEqual([
      { deviceId: 'tablet-1', result: local },
      {
        deviceId: 'tablet-1',
        result: expect.objectContaining({ opId: refused.opId, status: 'rejected' }),
      },
    ]);
    const ids = published.flat().map((e) => `${e.op}:${e.id}`);
    expect(ids).toContain('tombstone:01JD0000000000000000000002');
    expect(ids).toContain('upsert:01JD0000000000000000000001');
    expect(store.load().cloudCursor).toBe('cloud-cursor-1');
  });

  it('restarts from its store with the same pending ops and visible state, emitting nothing', async () => {
    const store = new MemoryRelayStore();
    const { engine } = await bootstrapped(store);
    await engine.submitLocal(await order(1), manager);
    const head = store.snapshot().seq;
    const restarted = await bootstrapped(store);
    expect(restarted.engine.pendingCount).toBe(1);
    expect(store.snapshot().seq).toBe(head);
    expect(getEntity(restarted.engine.visible, 'order', '01JD0000000000000000000001')?.status).toBe(
      'open',
    );
  });

  it('after a restart still knows every journaled op: a repeat is a duplicate, a changed one key_reused', async () => {
    const store = new MemoryRelayStore();
    const { engine } = await bootstrapped(store);
    const ops = await Promise.all([1, 2, 3].map(order));
    const firsts = await engine.submitLocalBatch(ops, manager);
    const restarted = await bootstrapped(store);
    const again = await restarted.engine.submitLocalBatch(ops, manager);
    expect(again).toEqual(
      firsts.map((a) => ({ kind: 'duplicate', result: a.kind === 'first' ? a.result : undefined })),
    );
    expect(restarted.engine.holds(ops[1]?.opId ?? '')).toBe(true);
    expect(restarted.engine.holds('01JD0000000000000000000404')).toBe(false);
    const other = await opOf(
      'order.create',
      { orderId: '01JD0000000000000000000998', tableId: 'table-2' },
      manager,
      { opId: ops[2]?.opId ?? '' },
    );
    expect(await restarted.engine.submitLocal(other, manager)).toEqual({ kind: 'key_reused' });
    expect(store.journalDepth().pending).toBe(3);
  });

  it('a failed commit rejects its waiters and reports the fatal error; nothing is answered as saved', async () => {
    class BrokenStore extends MemoryRelayStore {
      broken = false;
      override commit(batch: Parameters<MemoryRelayStore['commit']>[0]): void {
        if (this.broken) throw new Error('disk gone');
        super.commit(batch);
      }
    }
    const store = new BrokenStore();
    const { engine, fatal } = await bootstrapped(store);
    store.broken = true;
    await expect(engine.submitLocal(await order(1), manager)).rejects.toThrow('disk gone');
    expect(fatal).toHaveLength(1);
    expect(store.journalDepth().pending).toBe(0);
  });
});
