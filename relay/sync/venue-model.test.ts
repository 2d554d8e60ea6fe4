import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AnyEntity,
  canonicalJson,
  decide,
  type EntityChange,
  type EntitySet,
  getEntity,
  type Operation,
  project,
  ticketIdFor,
} from '#protocol';
import { expectEqual } from '../../tests/protocol/support/expect-equal.ts';
import { materialize, step } from '../../tests/protocol/support/op-arbitrary.ts';
import {
  ctxFor,
  NOW,
  opOf,
  staff,
  TENANT,
  VENUE,
  venueState,
} from '../../tests/protocol/support/venue-fixture.ts';
import {
  acceptLocal,
  applyCloud,
  createVenueModel,
  type PendingOp,
  rebase,
  sameData,
  type VenueModel,
} from './venue-model.ts';

const manager = staff('manager');
const kitchen = staff('kitchen');
const fresh = (): VenueModel =>
  createVenueModel({ tenantId: TENANT, venueId: VENUE, confirmed: venueState().entities }).model;
const pendingOf = (op: Operation, principal = manager, receivedAt = NOW): PendingOp => ({
  op,
  principal,
  receivedAt,
});

function accept(model: VenueModel, p: PendingOp) {
  const outcome = acceptLocal(model, p);
  if (outcome.kind === 'rejected') throw new Error(`local rejection: ${outcome.rejection.code}`);
  if (outcome.kind === 'held') throw new Error(`held: ${outcome.message}`);
  return outcome;
}

/** What the cloud does with the op: decide on its own state, at its own time. */
function cloudDecides(
  confirmed: EntitySet,
  p: PendingOp,
  now = '2026-11-23T20:00:00.000Z',
): { entities: EntitySet; changes: readonly EntityChange[] } {
  const decision = decide(
    { tenantId: TENANT, venueId: VENUE, entities: confirmed },
    p.op,
    ctxFor(p.principal, now),
  );
  if (decision.kind !== 'applied') return { entities: confirmed, changes: [] };
  return { entities: decision.state.entities, changes: decision.changes };
}

/** Devices' copy: everything the relay ever emitted, projected in order. */
const device = (emitted: readonly EntityChange[]) => project(venueState().entities, emitted);

const ORDER = '01JD00000000000000000000Z1';
const create = () =>
  opOf('order.create', {
    orderId: ORDER,
    tableId: 'table-1',
    lines: [{ lineId: 'l1', itemId: 'burger', quantity: 1 }],
  });

describe('venue model', () => {
  it('accepts an op offline: it joins pending and its changes go to devices', async () => {
    const outcome = accept(fresh(), pendingOf(await create()));
    expect(outcome.model.pending).toHaveLength(1);
    expect(outcome.changes.map((c) => `${c.entity}:${c.id}:${c.version}`)).toEqual([
      `order:${ORDER}:1`,
    ]);
    expect(getEntity(outcome.model.visible, 'order', ORDER)?.status).toBe('open');
  });

  it('when the cloud applies it, the cloud’s entity replaces the provisional one (server time wins)', async () => {
    const p = pendingOf(await create());
    const offline = accept(fresh(), p);
    const cloud = cloudDecides(offline.model.confirmed, p);
    const settled = applyCloud(offline.model, {
      entries: cloud.changes,
      settled: new Set([p.op.opId]),
    });
    expect(settled.model.pending).toHaveLength(0);
    expect(settled.changes).toHaveLength(1);
    expect(settled.changes[0]).toMatchObject({
      entity: 'order',
      version: 2,
      data: { createdAt: '2026-11-23T20:00:00.000Z', version: 2 },
    });
    // Nothing to say when confirmed and visible already agree.
    expect(applyCloud(settled.model, { entries: [] }).changes).toEqual([]);
  });

  it('when the cloud rejects it, every screen is corrected back to the cloud’s state', async () => {
    const p = pendingOf(await create());
    const offline = accept(fresh(), p);
    const rejected = applyCloud(offline.model, { settled: new Set([p.op.opId]) });
    expect(rejected.changes).toEqual([{ entity: 'order', id: ORDER, op: 'tombstone', version: 2 }]);
    expect(
      getEntity(device([...offline.changes, ...rejected.changes]), 'order', ORDER),
    ).toBeUndefined();
  });

  it('a cloud change underneath a pending op: the op no longer applies and devices see the cloud', async () => {
    const send = await opOf('order.sendToKitchen', { orderId: ORDER }, manager, {
      opId: '01JD00000000000000000000Z2',
    });
    const base = [pendingOf(await create()), pendingOf(send)];
    let confirmed = venueState().entities;
    for (const p of base) confirmed = cloudDecides(confirmed, p).entities;
    const online = createVenueModel({ tenantId: TENANT, venueId: VENUE, confirmed }).model;
    const ticketId = ticketIdFor(send.opId, 'grill');
    // Offline, the kitchen starts the ticket; meanwhile in the cloud it was bumped straight from the pass.
    const start = pendingOf(
      await opOf('ticket.transition', { ticketId, action: 'start' }, kitchen),
      kitchen,
    );
    const offline = accept(online, start);
    expect(getEntity(offline.model.visible, 'ticket', ticketId)?.status).toBe('in_progress');
    let cloudSide = confirmed;
    for (const action of ['ready', 'bump'] as const) {
      cloudSide = cloudDecides(
        cloudSide,
        pendingOf(await opOf('ticket.transition', { ticketId, action }, kitchen), kitchen),
      ).entities;
    }
    const bumped = getEntity(cloudSide, 'ticket', ticketId);
    if (!bumped) throw new Error('no ticket');
    const entry: EntityChange = {
      entity: 'ticket',
      id: ticketId,
      op: 'upsert',
      data: bumped,
      version: bumped.version,
    };
    const after = applyCloud(offline.model, { entries: [entry] });
    expect(getEntity(after.model.visible, 'ticket', ticketId)?.status).toBe('bumped');
    expect(after.model.pending).toHaveLength(1);
    expect(after.changes[0]).toMatchObject({ entity: 'ticket', data: { status: 'bumped' } });
  });

  it('restores from stored layers without emitting anything, and repairs a stale visible layer', async () => {
    const p = pendingOf(await create());
    const offline = accept(fresh(), p);
    const restored = createVenueModel({
      tenantId: TENANT,
      venueId: VENUE,
      confirmed: offline.model.confirmed,
      pending: [p],
      visible: offline.model.visible,
    });
    expect(restored.changes).toEqual([]);
    expect(restored.model.visible).toEqual(offline.model.visible);
    const stale = createVenueModel({
      tenantId: TENANT,
      venueId: VENUE,
      confirmed: offline.model.confirmed,
      pending: [p],
      visible: venueState().entities,
    });
    expect(stale.changes.map((c) => c.id)).toEqual([ORDER]);
  });
});

describe('venue model: the last rebase', () => {
  it('is reused while the cloud brings nothing new, and redone after a local op or an entry', async () => {
    const p = pendingOf(await create());
    const offline = accept(fresh(), p);
    const first = applyCloud(offline.model, {});
    const settledElsewhere = new Set(['01JD00000000000000000000ZZ']);
    const again = applyCloud(first.model, { entries: [], settled: settledElsewhere });
    expect(again.changes).toEqual([]);
    expect(again.model.pending).toBe(first.model.pending);
    expect(again.model.rebased?.result).toBe(first.model.rebased?.result);
    // A local op handed over extends the same pending list: the rebase must be redone.
    const send = pendingOf(
      await opOf('order.sendToKitchen', { orderId: ORDER }, manager, {
        opId: '01JD00000000000000000000Z2',
      }),
    );
    const sent = acceptLocal(again.model, send, { handOver: true });
    if (sent.kind !== 'accepted') throw new Error(sent.kind);
    expect(sent.model.pending).toBe(first.model.pending);
    const after = applyCloud(sent.model, {});
    expect(after.model.rebased?.result).not.toBe(first.model.rebased?.result);
    expect(after.model.rebased?.result.touched.size).toBe(sent.model.touched.size);
    expect(after.changes).toEqual([]);
    // A cloud entry changes the confirmed layer: redone.
    const cloud = cloudDecides(after.model.confirmed, p);
    const settled = applyCloud(after.model, {
      entries: cloud.changes,
      settled: new Set([p.op.opId]),
    });
    expect(settled.model.rebased?.result).not.toBe(after.model.rebased?.result);
    expect(getEntity(settled.model.visible, 'order', ORDER)?.status).toBe('sent');
  });
});

describe('venue model (property)', () => {
  it('devices always converge on confirmed + pending, whatever the cloud settles and in what order', async () => {
    const sequence = fc.array(
      fc.record({
        step,
        cloudFirst: fc.boolean(),
        settleNow: fc.boolean(),
        reject: fc.boolean(),
        handOver: fc.boolean(),
        again: fc.boolean(),
      }),
      { minLength: 1, maxLength: 20 },
    );
    await fc.assert(
      fc.asyncProperty(sequence, async (plan) => {
        let model = fresh();
        let cloud = venueState().entities;
        const emitted: EntityChange[] = [];
        const unsettled: PendingOp[] = [];
        const settledIds: string[] = [];
        for (const { step: s, settleNow, reject, handOver, again } of plan) {
          const { op, principal } = await materialize(s, {
            tenantId: TENANT,
            venueId: VENUE,
            entities: model.visible,
          });
          const outcome = acceptLocal(model, pendingOf(op, principal), { handOver });
          if (outcome.kind === 'rejected') continue;
          model = outcome.model;
          if (outcome.kind === 'accepted') emitted.push(...outcome.changes);
          unsettled.push(pendingOf(op, principal));
          if (settleNow) {
            const next = unsettled.shift();
            if (!next) continue;
            const decided = reject ? { entities: cloud, changes: [] } : cloudDecides(cloud, next);
            cloud = decided.entities;
            const result = applyCloud(model, {
              entries: decided.changes,
              settled: new Set([next.op.opId]),
            });
            model = result.model;
            emitted.push(...result.changes);
            settledIds.push(next.op.opId);
            if (again) {
              // The cloud repeats a verdict: nothing new for the model (its last rebase holds).
              const repeated = applyCloud(model, { settled: new Set(settledIds.slice(-1)) });
              model = repeated.model;
              emitted.push(...repeated.changes);
            }
          }
        }
        const expected = rebase(TENANT, VENUE, cloud, model.pending).entities;
        const strip = (set: EntitySet) =>
          JSON.parse(JSON.stringify(set, (k, v) => (k === 'version' ? 0 : v))) as unknown;
        expectEqual(strip(model.visible), strip(expected));
        // Devices that applied every emitted change hold exactly the visible layer.
        expectEqual(device(emitted), model.visible);
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe('sameData', () => {
  const canonicalSame = (a: AnyEntity, b: AnyEntity) =>
    canonicalJson({ ...a, version: 0 } as never) === canonicalJson({ ...b, version: 0 } as never);
  // Small alphabets, so that equal values and near misses both come up often.
  const leaf = fc.oneof(
    fc.constantFrom(null, true, false, 0, -0, 1, 2.5, '', 'a', 'b', undefined),
    fc.integer({ min: -2, max: 2 }),
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('id', 'x', 'y', 'version'), tie('value'), { maxKeys: 3 }),
    ),
  }));
  const entity = fc.record(
    {
      id: fc.constantFrom('e1', 'e2'),
      version: fc.integer({ min: 1, max: 3 }),
      x: value,
      y: value,
    },
    { requiredKeys: ['id', 'version'] },
  ) as unknown as fc.Arbitrary<AnyEntity>;

  it('agrees with canonical JSON, version aside', () => {
    fc.assert(
      fc.property(entity, entity, (a, b) => {
        let expected: boolean;
        try {
          expected = canonicalSame(a, b);
        } catch {
          // Not JSON (an undefined array item): no entity holds one.
          return;
        }
        expect(sameData(a, b)).toBe(expected);
        // A copy with another version, sharing every part, is the same data.
        expect(sameData(a, { ...a, version: a.version + 1 } as AnyEntity)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('tells a missing member from one set, and an array from an object', () => {
    const base = { id: 'e1', version: 1 } as unknown as AnyEntity;
    const withNote = (note: unknown) => ({ ...base, note }) as unknown as AnyEntity;
    expect(sameData(base, withNote(undefined))).toBe(true);
    expect(sameData(base, withNote(null))).toBe(false);
    expect(sameData(withNote([]), withNote({}))).toBe(false);
    expect(sameData(withNote([1, 2]), withNote([1, 2]))).toBe(true);
    expect(sameData(withNote({ a: 1, b: undefined }), withNote({ a: 1 }))).toBe(true);
    expect(sameData(withNote(0), withNote(-0))).toBe(true);
    expect(sameData(withNote('1'), withNote(1))).toBe(false);
  });
});
