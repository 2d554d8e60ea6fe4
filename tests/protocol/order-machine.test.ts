import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_OFFLINE_CARD_LIMITS,
  decide,
  getEntity,
  ORDER_EVENTS,
  type OrderEvent,
  type OrderStatus,
  orderStep,
  type VenueState,
} from '#protocol';
import { applyAll, type Verdict, verdictOf } from './support/run-ops.ts';
import { ctxFor, opOf, staff, venueState } from './support/venue-fixture.ts';

const ORDER = '01JD0000000000000000000001';
/** A card payment stored offline on the order, the one `reopen` (its later decline) settles. */
const STORED = '01JD0000000000000000000P02';

// Every state × every event. Status moves only as this table allows; voided is final, and a
// closed order only reopens (a stored card payment declined later).
const table: Record<OrderStatus, Record<OrderEvent, Verdict>> = {
  open: {
    addLines: 'unchanged',
    removeLine: 'unchanged',
    voidLine: 'unchanged',
    sendToKitchen: { moved: 'sent' },
    close: { moved: 'closed' },
    void: { moved: 'voided' },
    pay: 'unchanged',
    reopen: 'refused',
  },
  sent: {
    addLines: 'unchanged',
    removeLine: 'unchanged',
    voidLine: 'unchanged',
    sendToKitchen: 'unchanged',
    close: { moved: 'closed' },
    void: { moved: 'voided' },
    pay: 'unchanged',
    reopen: 'refused',
  },
  closed: {
    addLines: 'refused',
    removeLine: 'refused',
    voidLine: 'refused',
    sendToKitchen: 'refused',
    close: 'refused',
    void: 'refused',
    pay: 'refused',
    reopen: { moved: 'sent' },
  },
  voided: {
    addLines: 'refused',
    removeLine: 'refused',
    voidLine: 'refused',
    sendToKitchen: 'refused',
    close: 'refused',
    void: 'refused',
    pay: 'refused',
    reopen: 'refused',
  },
};

function eventOp(event: OrderEvent) {
  switch (event) {
    case 'addLines':
      return opOf('order.addLines', {
        orderId: ORDER,
        lines: [{ lineId: 'line-new', itemId: 'fries', quantity: 1 }],
      });
    case 'removeLine':
      return opOf('order.removeLine', { orderId: ORDER, lineId: 'line-beer' });
    case 'voidLine':
      return opOf('order.voidLine', { orderId: ORDER, lineId: 'line-burger', reason: 'sent back' });
    case 'sendToKitchen':
      return opOf('order.sendToKitchen', { orderId: ORDER });
    case 'close':
      return opOf('order.close', {
        orderId: ORDER,
        payment: { method: 'cash', tendered: 100_000 },
      });
    case 'void':
      return opOf('order.void', { orderId: ORDER, reason: 'walked out' });
    case 'pay':
      return opOf('payment.cash', {
        paymentId: '01JD0000000000000000000P01',
        orderId: ORDER,
        amount: 100,
        tip: 0,
        tendered: 100,
      });
    case 'reopen':
      // Server-made: the cloud's payment service records the processor's event (as the owner).
      return opOf(
        'payment.settle',
        { paymentId: STORED, outcome: 'declined_later', declineCode: 'do_not_honor' },
        staff('owner'),
      );
  }
}

const principalOf = (event: OrderEvent) => staff(event === 'reopen' ? 'owner' : 'manager');

/** `state` with offline card payments turned on and `amount` of the order paid by a stored card. */
async function withStoredCard(state: VenueState, amount: number): Promise<VenueState> {
  const enable = await opOf(
    'settings.offlineCard.set',
    { policy: { ...DEFAULT_OFFLINE_CARD_LIMITS, enabled: true } },
    staff('owner'),
  );
  const card = await opOf('payment.card', {
    paymentId: STORED,
    orderId: ORDER,
    amount,
    tip: 0,
    outcome: 'stored',
    reference: 'ref-stored',
    entry: 'reader',
  });
  return applyAll(applyAll(state, [enable], staff('owner')), [card]);
}

/**
 * Cells where the machine admits the event but the decider's own rule refuses this op: an open
 * order has never been sent, so it has no line to void (the machine admits voidLine from open
 * so the status never decides it; the line's sentAt does).
 */
const deciderRefuses: Partial<Record<`${OrderStatus} × ${OrderEvent}`, string>> = {
  'open × voidLine': 'LINE_NOT_SENT',
  // A voided order never holds a stored payment (a check with payments is not voided), so there
  // is none whose later decline could reopen it.
  'voided × reopen': 'NOT_FOUND',
};

/**
 * Cells where the decider applies the op although the machine refuses the event: a stored part
 * payment on a check still open or sent is declined later; its amount no longer counts, and the
 * check stays as it is (only a closed one is reopened).
 */
const deciderKeeps: Partial<Record<`${OrderStatus} × ${OrderEvent}`, Verdict>> = {
  'open × reopen': 'unchanged',
  'sent × reopen': 'unchanged',
};

const states = {} as Record<OrderStatus, VenueState>;
/**
 * The states `reopen` is decided in: open and sent with 5.00 paid by a stored card, closed by a
 * stored card for the whole total (25.50); voided as it is.
 */
const reopenStates = {} as Record<OrderStatus, VenueState>;

beforeAll(async () => {
  const create = await opOf('order.create', {
    orderId: ORDER,
    tableId: 'table-1',
    lines: [{ lineId: 'line-burger', itemId: 'burger', quantity: 1 }],
  });
  const addBeer = await opOf('order.addLines', {
    orderId: ORDER,
    lines: [{ lineId: 'line-beer', itemId: 'beer', quantity: 2 }],
  });
  const send = await opOf('order.sendToKitchen', { orderId: ORDER });
  states.open = applyAll(venueState(), [create, addBeer]);
  // Sent, with one line (the beer) added after the send and still waiting.
  states.sent = applyAll(venueState(), [create, send, addBeer]);
  states.closed = applyAll(states.open, [await eventOp('close')]);
  states.voided = applyAll(states.open, [await eventOp('void')]);
  reopenStates.open = await withStoredCard(states.open, 500);
  reopenStates.sent = await withStoredCard(states.sent, 500);
  reopenStates.closed = await withStoredCard(states.open, 2550);
  reopenStates.voided = states.voided;
});

describe('order state machine', () => {
  const cells = (Object.keys(table) as OrderStatus[]).flatMap((from) =>
    ORDER_EVENTS.map((event) => [from, event] as const),
  );

  it('covers every state × event', () => {
    expect(cells).toHaveLength(4 * ORDER_EVENTS.length);
  });

  it.each(cells)('%s × %s: the pure step follows the table', (from, event) => {
    const expected = table[from][event];
    const result = orderStep(from, event);
    if (expected === 'refused') expect(result.kind).toBe('refused');
    else expect(result).toMatchObject({ to: expected === 'unchanged' ? from : expected.moved });
  });

  it.each(cells)('%s × %s: the decider follows the table', async (from, event) => {
    const state = event === 'reopen' ? reopenStates[from] : states[from];
    expect(getEntity(state.entities, 'order', ORDER)?.status).toBe(from);
    const decision = decide(state, await eventOp(event), ctxFor(principalOf(event)));
    const refusedBy = deciderRefuses[`${from} × ${event}`];
    if (refusedBy !== undefined) {
      expect(decision).toMatchObject({ kind: 'rejected', code: refusedBy });
      return;
    }
    const verdict = verdictOf(decision, (s) => getEntity(s.entities, 'order', ORDER)?.status, from);
    expect(verdict).toEqual(deciderKeeps[`${from} × ${event}`] ?? table[from][event]);
    if (event === 'reopen' && decision.kind === 'applied') {
      // The stored payment no longer pays the check: nothing is paid, and it is not closed.
      expect(getEntity(decision.state.entities, 'order', ORDER)).toMatchObject({
        paid: 0,
        closedAt: null,
      });
      expect(getEntity(decision.state.entities, 'payment', STORED)).toMatchObject({
        status: 'declined_later',
        task: 'open',
      });
    }
    if (verdict === 'refused' && decision.kind === 'rejected') {
      expect(decision.code).toBe('INVALID_STATE_TRANSITION');
      expect(decision.current).toMatchObject({ id: ORDER, status: from });
    }
  });
});
