import { type OrderEvent, orderStep } from '../domain/order-machine.ts';
import { hasDuplicateLineIds, priceLines, totalsFor } from '../domain/price-lines.ts';
import { routeTickets } from '../domain/route-tickets.ts';
import type { Order, Payment } from '../entities/order.ts';
import type { OperationOfType } from '../ops/operation.ts';
import type { PaymentInput } from '../ops/payloads/order-close.ts';
import { listEntities } from '../state/entity-set.ts';
import type { VenueState } from '../state/venue-state.ts';
import {
  type DecideContext,
  type Decision,
  isRejection,
  type Rejection,
  reject,
} from './decision.ts';
import { Draft } from './draft.ts';
import { settingsOf } from './settings-of.ts';

/** The order and the machine's verdict on `event`, or why not. */
function orderFor(
  draft: Draft,
  orderId: string,
  event: OrderEvent,
  ctx: DecideContext,
): Order | Rejection {
  const order = draft.get('order', orderId);
  if (!order) return reject('NOT_FOUND', `no order ${orderId}`);
  if (ctx.principal.kind === 'guest' && order.tableId !== ctx.principal.tableId) {
    return reject('FORBIDDEN', 'a guest may only change the order of their own table');
  }
  if (orderStep(order.status, event).kind === 'refused') {
    return reject(
      'INVALID_STATE_TRANSITION',
      `cannot ${event} an order that is ${order.status}`,
      order,
    );
  }
  return order;
}

export function decideOrderCreate(
  state: VenueState,
  op: OperationOfType<'order.create'>,
  ctx: DecideContext,
): Decision {
  const { orderId, tableId, guestCount, lines: inputs } = op.payload;
  const draft = new Draft(state);
  const existing = draft.get('order', orderId);
  if (existing) return reject('ALREADY_EXISTS', `order ${orderId} already exists`, existing);
  if (ctx.principal.kind === 'guest' && tableId !== ctx.principal.tableId) {
    return reject('FORBIDDEN', 'a guest may only order for their own table');
  }
  if (tableId !== null && !draft.get('table', tableId))
    return reject('NOT_FOUND', `no table ${tableId}`);
  const settings = settingsOf(state);
  if (isRejection(settings)) return settings;
  const lines = priceLines(state.entities, inputs);
  if (isRejection(lines)) return lines;
  if (hasDuplicateLineIds(lines)) return reject('VALIDATION', 'line ids must be unique');
  const totals = totalsFor(lines, settings);
  if (isRejection(totals)) return totals;
  draft.put(
    'order',
    {
      id: orderId,
      tableId,
      status: 'open',
      source: ctx.principal.kind === 'guest' ? 'guest' : 'staff',
      openedBy: op.actorId,
      guestCount,
      lines,
      totals,
      payment: null,
      createdAt: ctx.now,
      closedAt: null,
      voidReason: null,
    },
    0,
  );
  return draft.commit();
}

export function decideOrderAddLines(
  state: VenueState,
  op: OperationOfType<'order.addLines'>,
  ctx: DecideContext,
): Decision {
  const draft = new Draft(state);
  const order = orderFor(draft, op.payload.orderId, 'addLines', ctx);
  if (isRejection(order)) return order;
  const settings = settingsOf(state);
  if (isRejection(settings)) return settings;
  const added = priceLines(state.entities, op.payload.lines);
  if (isRejection(added)) return added;
  const lines = [...order.lines, ...added];
  if (hasDuplicateLineIds(lines))
    return reject('ALREADY_EXISTS', 'a line with that id is already on the order', order);
  if (lines.length > 200) return reject('VALIDATION', 'an order holds at most 200 lines', order);
  const totals = totalsFor(lines, settings);
  if (isRejection(totals)) return totals;
  draft.put('order', { ...order, lines, totals }, order.version);
  return draft.commit();
}

export function decideOrderRemoveLine(
  state: VenueState,
  op: OperationOfType<'order.removeLine'>,
  ctx: DecideContext,
): Decision {
  const draft = new Draft(state);
  const order = orderFor(draft, op.payload.orderId, 'removeLine', ctx);
  if (isRejection(order)) return order;
  const line = order.lines.find((l) => l.id === op.payload.lineId);
  if (!line) return reject('NOT_FOUND', `no line ${op.payload.lineId} on the order`, order);
  if (line.sentAt !== null)
    return reject('LINE_ALREADY_SENT', `${line.name} is already with the kitchen`, order);
  const settings = settingsOf(state);
  if (isRejection(settings)) return settings;
  const lines = order.lines.filter((l) => l.id !== line.id);
  const totals = totalsFor(lines, settings);
  if (isRejection(totals)) return totals;
  draft.put('order', { ...order, lines, totals }, order.version);
  return draft.commit();
}

export function decideOrderSendToKitchen(
  state: VenueState,
  op: OperationOfType<'order.sendToKitchen'>,
  ctx: DecideContext,
): Decision {
  const draft = new Draft(state);
  const order = orderFor(draft, op.payload.orderId, 'sendToKitchen', ctx);
  if (isRejection(order)) return order;
  const unsent = order.lines.filter((l) => l.sentAt === null);
  if (unsent.length === 0)
    return reject('NOTHING_TO_SEND', 'every line is already with the kitchen', order);
  const table = order.tableId === null ? undefined : draft.get('table', order.tableId);
  for (const ticket of routeTickets(order, unsent, op.opId, table?.label ?? null, ctx.now)) {
    const existing = draft.get('ticket', ticket.id);
    if (existing) return reject('ALREADY_EXISTS', `ticket ${ticket.id} already exists`, existing);
    draft.put('ticket', ticket, 0);
  }
  const lines = order.lines.map((l) => (l.sentAt === null ? { ...l, sentAt: ctx.now } : l));
  draft.put('order', { ...order, status: 'sent', lines }, order.version);
  return draft.commit();
}

function settle(order: Order, input: PaymentInput): Payment | Rejection {
  if (input.method === 'cash') {
    const due = order.totals.cashTotal;
    if (input.tendered < due)
      return reject(
        'PAYMENT_INSUFFICIENT',
        `cash tendered ${input.tendered} is less than ${due}`,
        order,
      );
    return { method: 'cash', amount: due, tendered: input.tendered, change: input.tendered - due };
  }
  if (input.amount !== order.totals.total) {
    return reject(
      'PAYMENT_MISMATCH',
      `card amount ${input.amount} is not the total ${order.totals.total}`,
      order,
    );
  }
  return { method: 'card', amount: input.amount, reference: input.reference };
}

export function decideOrderClose(
  state: VenueState,
  op: OperationOfType<'order.close'>,
  ctx: DecideContext,
): Decision {
  const draft = new Draft(state);
  const order = orderFor(draft, op.payload.orderId, 'close', ctx);
  if (isRejection(order)) return order;
  if (order.lines.length === 0)
    return reject('EMPTY_ORDER', 'an order with no lines cannot be closed; void it', order);
  const payment = settle(order, op.payload.payment);
  if (isRejection(payment)) return payment;
  draft.put('order', { ...order, status: 'closed', payment, closedAt: ctx.now }, order.version);
  return draft.commit();
}

export function decideOrderVoid(
  state: VenueState,
  op: OperationOfType<'order.void'>,
  ctx: DecideContext,
): Decision {
  const draft = new Draft(state);
  const order = orderFor(draft, op.payload.orderId, 'void', ctx);
  if (isRejection(order)) return order;
  // Tickets still on the pass are withdrawn; bumped ones stay as kitchen history.
  for (const ticket of listEntities(state.entities, 'ticket')) {
    if (ticket.orderId === order.id && ticket.status !== 'bumped')
      draft.remove('ticket', ticket.id, ticket.version);
  }
  draft.put(
    'order',
    { ...order, status: 'voided', voidReason: op.payload.reason, closedAt: ctx.now },
    order.version,
  );
  return draft.commit();
}
