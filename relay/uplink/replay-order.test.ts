import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Operation } from '#protocol';
import { NOW, staff, TENANT, VENUE } from '../../tests/protocol/support/venue-fixture.ts';
import type { JournalRecord } from '../store/relay-store.ts';
import { nextReplayBatch } from './reconciler.ts';
import { isPaymentOp, type RelatedIds, replayLanes, replayOrder } from './replay-order.ts';

// The replay order is pure: journal records in, the same records out, payment ops (with what
// they need) first. Records are built by hand: the order reads only their type, the ids their
// payload names and dependsOn.

let n = 0;
/** A pending journal record of `type` on `deviceId`; its opId sorts in journal order. */
function rec(
  deviceId: string,
  type: string,
  payload: Record<string, unknown>,
  dependsOn: readonly string[] = [],
): JournalRecord {
  n++;
  const opId = `01JD${String(n).padStart(22, '0')}`;
  const op = {
    opId,
    type,
    payload,
    deviceId,
    tenantId: TENANT,
    venueId: VENUE,
    actorId: 'server-1',
    occurredAt: NOW,
    dependsOn: [...dependsOn],
    payloadHash: 'x',
  } as unknown as Operation;
  return {
    jseq: n,
    opId,
    deviceId,
    op,
    principal: staff('server'),
    receivedAt: NOW,
    status: 'pending',
    result: { opId, status: 'accepted_local', seq: n, changed: [], at: NOW },
  };
}

const create = (device: string, orderId: string, dependsOn: readonly string[] = []) =>
  rec(device, 'order.create', { orderId, tableId: 'table-1' }, dependsOn);
const addLines = (device: string, orderId: string) =>
  rec(device, 'order.addLines', { orderId, lines: [] });
const send = (device: string, orderId: string) => rec(device, 'order.sendToKitchen', { orderId });
const cash = (device: string, orderId: string, dependsOn: readonly string[] = []) =>
  rec(
    device,
    'payment.cash',
    { paymentId: `pay-${n}`, orderId, amount: 1000, tip: 0, tendered: 1000 },
    dependsOn,
  );
const ids = (records: readonly JournalRecord[]) => records.map((r) => r.opId);

describe('replayOrder', () => {
  it('moves a payment ahead of its device’s unrelated ops', () => {
    const c1 = create('tab-a', 'o-1');
    const c2 = create('tab-a', 'o-2');
    const pay = cash('tab-a', 'o-3');
    expect(ids(replayOrder([c1, c2, pay]))).toEqual(ids([pay, c1, c2]));
  });

  it('takes the earlier ops on the payment’s order with it, in their order; later ones stay', () => {
    const c1 = create('tab-a', 'o-1');
    const other = create('tab-a', 'o-2');
    const lines = addLines('tab-b', 'o-1');
    const fire = send('tab-a', 'o-1');
    const pay = cash('tab-a', 'o-1');
    const after = addLines('tab-a', 'o-1');
    expect(ids(replayOrder([c1, other, lines, fire, pay, after]))).toEqual(
      ids([c1, lines, fire, pay, other, after]),
    );
  });

  it('takes the ops it depends on with it, transitively, from any device', () => {
    const x = create('tab-b', 'o-9');
    const unrelated = create('tab-a', 'o-7');
    const y = create('tab-c', 'o-8', [x.opId]);
    const pay = cash('tab-a', 'o-5', [y.opId]);
    expect(ids(replayOrder([x, unrelated, y, pay]))).toEqual(ids([x, y, pay, unrelated]));
    // Through its order too: an earlier op on the order depends on another order's create.
    const z = create('tab-b', 'o-20');
    const noise = create('tab-b', 'o-21');
    const onOrder = create('tab-a', 'o-22', [z.opId]);
    const pay2 = cash('tab-c', 'o-22');
    expect(ids(replayOrder([z, noise, onOrder, pay2]))).toEqual(ids([z, onOrder, pay2, noise]));
  });

  it('moves two devices’ payments first, each with what it needs, in journal order', () => {
    const ca = create('tab-a', 'o-a');
    const cb = create('tab-b', 'o-b');
    const ua = create('tab-a', 'o-ua');
    const payB = cash('tab-b', 'o-b');
    const payA = cash('tab-a', 'o-a');
    const ub = create('tab-b', 'o-ub');
    expect(ids(replayOrder([ca, cb, ua, payB, payA, ub]))).toEqual(
      ids([ca, cb, payB, payA, ua, ub]),
    );
  });

  it('refunds are in the lane, drawers only as what a payment needs', () => {
    const drawer = rec('tab-a', 'drawer.open', { drawerId: 'd-1', float: 10_000 });
    const lonelyDrawer = rec('tab-b', 'drawer.open', { drawerId: 'd-2', float: 0 });
    const noise = create('tab-a', 'o-1');
    const pay = rec('tab-a', 'payment.cash', {
      paymentId: 'p-1',
      orderId: 'o-0',
      drawerId: 'd-1',
      amount: 500,
      tip: 0,
      tendered: 500,
    });
    const refund = rec('tab-c', 'refund.request', {
      refundId: 'r-1',
      paymentId: 'p-0',
      amount: 100,
      reason: 'cold',
    });
    expect(ids(replayOrder([drawer, lonelyDrawer, noise, pay, refund]))).toEqual(
      ids([drawer, pay, refund, lonelyDrawer, noise]),
    );
    expect(isPaymentOp(drawer)).toBe(false);
    expect([isPaymentOp(pay), isPaymentOp(refund)]).toEqual([true, true]);
  });

  it('takes a dish back on with the order lines a payment needs', () => {
    // Fries were sold out, the manager put them back on, a server added fries and the check
    // was paid, all offline: the lines must not reach the cloud before the fries are back on.
    const create = rec('tab-a', 'order.create', { orderId: 'o-1', tableId: 'table-1' });
    const backOn = rec('till-5', 'menu.item.setAvailability', { itemId: 'fries', available: true });
    const other = rec('till-5', 'menu.item.setAvailability', { itemId: 'soup', available: false });
    const fries = rec('tab-a', 'order.addLines', {
      orderId: 'o-1',
      lines: [{ lineId: 'l-1', itemId: 'fries', quantity: 1 }],
    });
    const pay = cash('tab-b', 'o-1');
    expect(ids(replayOrder([create, backOn, other, fries, pay]))).toEqual(
      ids([create, backOn, fries, pay, other]),
    );
  });

  it('leaves another check with the same dish, and a kitchen display’s ops on it, in order', () => {
    // Two checks ordered fries; the second was paid. The first check's lines need fries on as
    // much as the paid one's do, but neither changes fries: the first check, and the fry
    // station's bump on its ticket, stay behind the station's earlier bump.
    const fries = (orderId: string, lineId: string) =>
      rec('tab-a', 'order.addLines', {
        orderId,
        lines: [{ lineId, itemId: 'fries', quantity: 1 }],
      });
    const earlier = rec('kds-fry', 'ticket.transition', { ticketId: 't-0', action: 'start' });
    const unpaid = fries('o-1', 'l-1');
    const bump = rec('kds-fry', 'ticket.transition', { ticketId: 't-1', action: 'start' });
    const moreFries = fries('o-1', 'l-2');
    const paid = fries('o-2', 'l-3');
    const pay = cash('tab-b', 'o-2');
    const related: RelatedIds = (id) => (id === 't-0' ? ['o-0'] : id === 't-1' ? ['o-1'] : []);
    expect(ids(replayOrder([earlier, unpaid, bump, moreFries, paid, pay], related))).toEqual(
      ids([paid, pay, earlier, unpaid, bump, moreFries]),
    );
  });

  it('takes the close of a device’s last drawer with a payment into its next one', () => {
    // The night's drawer closed offline, the morning's opened and paid into: the cloud refuses
    // a second open drawer on one device, so the close must go first.
    const evening = rec('till-1', 'drawer.open', { drawerId: 'd-night', float: 20_000 });
    const close = rec('till-1', 'drawer.close', { drawerId: 'd-night', counted: 20_000 });
    const noise = create('tab-a', 'o-1');
    const morning = rec('till-1', 'drawer.open', { drawerId: 'd-morning', float: 20_000 });
    const pay = rec('till-1', 'payment.cash', {
      paymentId: 'p-1',
      orderId: 'o-0',
      drawerId: 'd-morning',
      amount: 500,
      tip: 0,
      tendered: 500,
    });
    const otherTill = rec('till-2', 'drawer.close', { drawerId: 'd-other', counted: 0 });
    expect(ids(replayOrder([evening, close, noise, otherTill, morning, pay]))).toEqual(
      ids([evening, close, morning, pay, noise, otherTill]),
    );
  });

  it('takes a ticket op on the payment’s order with it when the relay knows the ticket’s order', () => {
    const bump = rec('kds-1', 'ticket.transition', { ticketId: 't-1', action: 'ready' });
    const noise = create('tab-a', 'o-2');
    const pay = cash('tab-a', 'o-1');
    const related: RelatedIds = (id) => (id === 't-1' ? ['o-1'] : []);
    expect(ids(replayOrder([bump, noise, pay], related))).toEqual(ids([bump, pay, noise]));
    expect(ids(replayOrder([bump, noise, pay]))).toEqual(ids([pay, bump, noise]));
  });

  it('leaves a journal without payments as it is', () => {
    const records = [create('tab-a', 'o-1'), create('tab-b', 'o-2'), send('tab-a', 'o-1')];
    expect(ids(replayOrder(records))).toEqual(ids(records));
    expect(replayLanes(records).lane).toEqual([]);
  });
});

describe('nextReplayBatch', () => {
  it('sends the payment lane first, one device at a time, before anything else', () => {
    const ua = create('tab-a', 'o-ua');
    const cb = create('tab-b', 'o-b');
    const payB = cash('tab-b', 'o-b');
    const ub = create('tab-b', 'o-ub');
    // tab-b's payment and its order go first; tab-b's unrelated op does not ride along.
    expect(ids(nextReplayBatch([ua, cb, payB, ub], 50))).toEqual(ids([cb, payB]));
  });

  it('while the lane’s device waits, others go on, but not what needs a waiting lane op', () => {
    const pay = cash('tab-a', 'o-1');
    const onOrder = send('tab-b', 'o-1');
    const free = create('tab-c', 'o-2');
    const waiting = new Set(['tab-a']);
    expect(ids(nextReplayBatch([pay, onOrder, free], 50, waiting))).toEqual(ids([free]));
  });
});

/** The property test's journal: random devices, types, orders, drawers and dependencies. */
const journal = fc
  .array(
    fc.record({
      device: fc.constantFrom('tab-a', 'tab-b', 'kds-1'),
      type: fc.constantFrom(
        'order.create',
        'order.addLines',
        'order.sendToKitchen',
        'menu.item.setAvailability',
        'drawer.open',
        'payment.cash',
        'payment.card',
        'refund.request',
      ),
      order: fc.constantFrom('o-1', 'o-2', 'o-3', 'o-4', 'o-5'),
      drawer: fc.option(fc.constantFrom('d-1', 'd-2'), { nil: undefined }),
      item: fc.constantFrom('fries', 'burger'),
      // For an order.create or addLines: whether it orders the dish.
      orders: fc.boolean(),
      // Indices into the earlier records (taken modulo); -1 an op not in the journal.
      deps: fc.array(fc.integer({ min: -1, max: 40 }), { maxLength: 2 }),
    }),
    { maxLength: 30 },
  )
  .map((specs) => {
    const records: JournalRecord[] = [];
    const subjects = new Map<string, Set<string>>();
    const reads = new Map<string, Set<string>>();
    for (const spec of specs) {
      const lines =
        spec.orders && (spec.type === 'order.create' || spec.type === 'order.addLines')
          ? { lines: [{ lineId: `l-${n}`, itemId: spec.item, quantity: 1 }] }
          : {};
      const payload: Record<string, unknown> =
        spec.type === 'menu.item.setAvailability'
          ? { itemId: spec.item, available: false }
          : spec.type === 'drawer.open'
            ? { drawerId: spec.drawer ?? 'd-1', float: 0 }
            : spec.type === 'refund.request'
              ? { refundId: `r-${n}`, paymentId: `p-${spec.order}`, amount: 1, reason: 'x' }
              : spec.type.startsWith('payment.')
                ? {
                    paymentId: `p-${spec.order}`,
                    orderId: spec.order,
                    ...(spec.drawer ? { drawerId: spec.drawer } : {}),
                  }
                : { orderId: spec.order, ...lines };
      const dependsOn = spec.deps.map((d) =>
        d < 0 || records.length === 0
          ? '01JD0000000000000000SYNCED'
          : (records[d % records.length] as JournalRecord).opId,
      );
      const record = rec(spec.device, spec.type, payload, [...new Set(dependsOn)]);
      // The oracle's own reading of what the op is about: its opId, the ids it names and, for
      // a drawer op, the device's one drawer at a time.
      subjects.set(
        record.opId,
        new Set([
          record.opId,
          ...Object.entries(payload)
            .filter(([k, v]) => k.endsWith('Id') && typeof v === 'string')
            .map(([, v]) => v as string),
          ...(spec.type.startsWith('drawer.') ? [`drawer slot of ${spec.device}`] : []),
        ]),
      );
      // And the dish its lines order, which it reads (needs on) but does not change.
      reads.set(record.opId, new Set('lines' in lines ? [spec.item] : []));
      records.push(record);
    }
    return { records, subjects, reads };
  });

describe('replayOrder, properties', () => {
  it('a permutation with payments first, each after what it needs, and nothing else moved', () => {
    fc.assert(
      fc.property(journal, ({ records, subjects, reads }) => {
        const out = replayOrder(records);
        const at = new Map(out.map((r, i) => [r.opId, i]));
        const journalAt = new Map(records.map((r, i) => [r.opId, i]));
        // A permutation: nothing lost, nothing twice.
        expect(out).toHaveLength(records.length);
        expect(new Set(ids(out))).toEqual(new Set(ids(records)));

        /**
         * Whether `later` may need `earlier` (journal order): it depends on it, they share an id,
         * or one reads a dish the other changes (two that only read it are independent).
         */
        const needs = (later: JournalRecord, earlier: JournalRecord) => {
          if (later.op.dependsOn.includes(earlier.opId)) return true;
          const about = (r: JournalRecord) => subjects.get(r.opId) as Set<string>;
          const read = (r: JournalRecord) => reads.get(r.opId) as Set<string>;
          const meets = (a: Set<string>, b: Set<string>) => [...a].some((id) => b.has(id));
          return (
            meets(about(earlier), about(later)) ||
            meets(about(earlier), read(later)) ||
            meets(read(earlier), about(later))
          );
        };
        // The oracle: each payment's prerequisites, by a fixed point from scratch.
        const lane = new Set<string>();
        const paying = (r: JournalRecord) => /^(payment|refund)\./.test(r.op.type);
        for (const payment of records.filter(paying)) {
          const closure = new Set([payment.opId]);
          let grew = true;
          while (grew) {
            grew = false;
            for (const x of records) {
              if (!closure.has(x.opId)) continue;
              for (const w of records.slice(0, journalAt.get(x.opId))) {
                if (closure.has(w.opId) || !needs(x, w)) continue;
                closure.add(w.opId);
                grew = true;
              }
            }
          }
          for (const id of closure) lane.add(id);
        }
        for (const [i, x] of records.entries()) {
          for (const w of records.slice(0, i)) {
            const before = (at.get(w.opId) as number) < (at.get(x.opId) as number);
            // Ops on one order (or sharing any id), and an op and what it depends on, keep order.
            if (needs(x, w)) expect(before).toBe(true);
            // A device's ops keep their order unless a lane op overtakes an op not in the lane.
            if (w.deviceId === x.deviceId && !before) {
              expect(lane.has(x.opId)).toBe(true);
              expect(lane.has(w.opId)).toBe(false);
            }
            // Two ops on the same side of the lane keep their journal order.
            if (lane.has(w.opId) === lane.has(x.opId)) expect(before).toBe(true);
          }
        }
        // Every lane op precedes every op not among any payment's prerequisites.
        const firstRest = out.findIndex((r) => !lane.has(r.opId));
        const lastLane = out.findLastIndex((r) => lane.has(r.opId));
        if (firstRest >= 0) expect(lastLane).toBeLessThan(firstRest);
        expect(new Set(ids(replayLanes(records).lane))).toEqual(lane);
      }),
      { numRuns: 500 },
    );
  });
});
