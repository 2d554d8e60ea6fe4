import { beforeAll, describe, expect, it } from 'vitest';
import {
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
      return opOf('payment.settle', {
        paymentId: '01JD0000000000000000000P02',
        outcome: 'declined_later',
      });
  }
}

/**
 * Cells where the machine admits the event but the decider's own rule refuses this op: an open
 * order has never been sent, so it has no line to void (the machine admits voidLine from open
 * so the status never decides it; the line's sentAt does).
 */
const deciderRefuses: Partial<Record<`${OrderStatus} × ${OrderEvent}`, string>> = {
  'open × voidLine': 'LINE_NOT_SENT',
  // Reopening is what a stored card payment's later decline does to its check; these states
  // have no such payment (tests/protocol/payment-deciders.test.ts decides it on one that has).
  'closed × reopen': 'NOT_FOUND',
};

const states = {} as Record<OrderStatus, VenueState>;

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
    const state = states[from];
    expect(getEntity(state.entities, 'order', ORDER)?.status).toBe(from);
    const decision = decide(state, await eventOp(event), ctxFor(staff('manager')));
    const refusedBy = deciderRefuses[`${from} × ${event}`];
    if (refusedBy !== undefined) {
      expect(decision).toMatchObject({ kind: 'rejected', code: refusedBy });
      return;
    }
    const verdict = verdictOf(decision, (s) => getEntity(s.entities, 'order', ORDER)?.status, from);
    expect(verdict).toEqual(table[from][event]);
    if (verdict === 'refused' && decision.kind === 'rejected') {
      expect(decision.code).toBe('INVALID_STATE_TRANSITION');
      expect(decision.current).toMatchObject({ id: ORDER, status: from });
    }
  });
});
