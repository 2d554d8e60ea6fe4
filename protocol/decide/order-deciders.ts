import { mayPerform } from '../auth/permissions.ts';
import { roleOf } from '../auth/principal.ts';
import { allLinesReady, courseOf } from '../domain/kitchen-rules.ts';
import { type OrderEvent, orderStep } from '../domain/order-machine.ts';
import { hasDuplicateLineIds, priceLines, totalsFor } from '../domain/price-lines.ts';
import type { Order, Payment } from '../entities/order.ts';
import type { Ticket } from '../entities/ticket.ts';
import type { EntityChange } from '../feed/feed-entry.ts';
import type { OperationOfType } from '../ops/operation.ts';
import type { PaymentInput } from '../ops/payloads/order-close.ts';
import { filterEntities, getEntity } from '../state/entity-set.ts';
import type { VenueState } from '../state/venue-state.ts';
import {
  type DecideContext,
  type Decision,
  isRejection,
  type Rejection,
  reject,
} from './decision.ts';
import { Draft, unchanged } from './draft.ts';
import {
  addGuestLines,
  guestNoteRefused,
  openOrderAt,
  sendLines,
  withLines,
  withoutVersion,
} from './order-lines.ts';
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

/** Every ticket of an order, in id order. */
function ticketsOf(state: VenueState, orderId: string): Ticket[] {
  return filterEntities(state.entities, 'ticket', (t) => t.orderId === orderId);
}

/** Refuses `send` with the lines to a role that may not send to the kitchen (a guest). */
function sendRefused(
  op: OperationOfType<'order.create' | 'order.addLines'>,
  ctx: DecideContext,
): Rejection | undefined {
  if (op.payload.send === undefined) return undefined;
  const role = roleOf(ctx.principal);
  if (mayPerform(role, 'order.sendToKitchen')) return undefined;
  return reject('FORBIDDEN', `${role} may not send to the kitchen`);
}

/**
 * The lines op's `send`, decided as an `order.sendToKitchen` (same opId, so the same ticket ids)
 * on the state the lines made. One decision: the send's rejection refuses the lines too, and an
 * entity both parts wrote is one change, at its first place with its last value.
 */
function thenSend(
  state: VenueState,
  lines: Decision,
  op: OperationOfType<'order.create' | 'order.addLines'>,
  ctx: DecideContext,
): Decision {
  const { send, orderId } = op.payload;
  if (send === undefined || lines.kind === 'rejected') return lines;
  const sendOp: OperationOfType<'order.sendToKitchen'> = {
    ...op,
    type: 'order.sendToKitchen',
    payload: { orderId, ...send },
  };
  const sent = decideOrderSendToKitchen(lines.state, sendOp, ctx);
  if (sent.kind === 'rejected') {
    // The order the send saw holds lines that were never added: show it as it stands.
    if (sent.current?.id !== orderId) return sent;
    return reject(sent.code, sent.message, getEntity(state.entities, 'order', orderId));
  }
  const latest = new Map<string, EntityChange>();
  for (const change of [...lines.changes, ...sent.changes])
    latest.set(`${change.entity}/${change.id}`, change);
  // Written again on the state before: one op moves each entity it changes one version on.
  const draft = new Draft(state);
  for (const change of latest.values()) {
    const before = getEntity(state.entities, change.entity, change.id)?.version ?? 0;
    if (change.op === 'tombstone') draft.remove(change.entity, change.id, before);
    else {
      const { version: _version, ...data } = change.data;
      draft.put(change.entity, data, before);
    }
  }
  return draft.commit();
}

/**
 * Opens an order. A guest's order joins their table's open tab when there is one (several phones
 * at a table share it; the op's `orderId` is then unused), and its lines go to the kitchen at once
 * unless the venue's guest ordering asks for staff approval.
 */
export function decideOrderCreate(
  state: VenueState,
  op: OperationOfType<'order.create'>,
  ctx: DecideContext,
): Decision {
  return sendRefused(op, ctx) ?? thenSend(state, createWithLines(state, op, ctx), op, ctx);
}

function createWithLines(
  state: VenueState,
  op: OperationOfType<'order.create'>,
  ctx: DecideContext,
): Decision {
  const { orderId, tableId, guestCount, lines: inputs } = op.payload;
  const draft = new Draft(state);
  const existing = draft.get('order', orderId);
  if (existing) return reject('ALREADY_EXISTS', `order ${orderId} already exists`, existing);
  const guest = ctx.principal.kind === 'guest';
  if (guest && tableId !== ctx.principal.tableId) {
    return reject('FORBIDDEN', 'a guest may only order for their own table');
  }
  if (tableId !== null && !draft.get('table', tableId))
    return reject('NOT_FOUND', `no table ${tableId}`);
  const settings = settingsOf(state);
  if (isRejection(settings)) return settings;
  const refused = guestNoteRefused(inputs, settings, ctx);
  if (refused) return refused;
  const lines = priceLines(state.entities, inputs);
  if (isRejection(lines)) return lines;
  if (hasDuplicateLineIds(lines)) return reject('VALIDATION', 'line ids must be unique');
  const tab = guest && tableId !== null ? openOrderAt(state, tableId) : undefined;
  const noTotals = totalsFor([], settings);
  if (isRejection(noTotals)) return noTotals;
  const base: Order =
    tab ??
    ({
      id: orderId,
      tableId,
      status: 'open',
      source: guest ? 'guest' : 'staff',
      openedBy: op.actorId,
      guestCount,
      lines: [],
      totals: noTotals,
      payment: null,
      createdAt: ctx.now,
      closedAt: null,
      voidReason: null,
      version: 0,
    } satisfies Order);
  if (guest) {
    const next = addGuestLines(draft, base, lines, settings, op, ctx);
    if (isRejection(next)) return next;
    draft.put('order', withoutVersion(next), tab?.version ?? 0);
    return draft.commit();
  }
  const totals = totalsFor(lines, settings);
  if (isRejection(totals)) return totals;
  draft.put('order', withoutVersion({ ...base, lines, totals }), 0);
  return draft.commit();
}

/** Adds lines to an order and, with `send`, sends to the kitchen in the same decision. */
export function decideOrderAddLines(
  state: VenueState,
  op: OperationOfType<'order.addLines'>,
  ctx: DecideContext,
): Decision {
  return sendRefused(op, ctx) ?? thenSend(state, addLines(state, op, ctx), op, ctx);
}

function addLines(
  state: VenueState,
  op: OperationOfType<'order.addLines'>,
  ctx: DecideContext,
): Decision {
  const draft = new Draft(state);
  const order = orderFor(draft, op.payload.orderId, 'addLines', ctx);
  if (isRejection(order)) return order;
  const settings = settingsOf(state);
  if (isRejection(settings)) return settings;
  const refused = guestNoteRefused(op.payload.lines, settings, ctx);
  if (refused) return refused;
  const added = priceLines(state.entities, op.payload.lines);
  if (isRejection(added)) return added;
  if (ctx.principal.kind === 'guest') {
    const next = addGuestLines(draft, order, added, settings, op, ctx);
    if (isRejection(next)) return next;
    draft.put('order', withoutVersion(next), order.version);
    return draft.commit();
  }
  const grown = withLines(order, added, settings);
  if (isRejection(grown)) return grown;
  draft.put('order', withoutVersion(grown), order.version);
  return draft.commit();
}

/**
 * A line change that would leave the check worth less than its payments have paid: refused,
 * or the check could never be paid or closed (a refund comes first). Reaching exactly what is
 * paid is allowed, and closes the check ({@link closedIfPaid}).
 */
function belowPaid(order: Order, total: number): Rejection | undefined {
  const paid = order.paid ?? 0;
  if (paid <= total) return undefined;
  return reject(
    'ORDER_HAS_PAYMENTS',
    `payments of ${paid} are on this check; it would be worth ${total}: refund first`,
    order,
  );
}

/** A part-paid check whose total came down to what is paid is settled: closed now. */
function closedIfPaid(
  order: Order,
  total: number,
  ctx: DecideContext,
): Pick<Order, 'status' | 'closedAt'> | undefined {
  const paid = order.paid ?? 0;
  return paid > 0 && paid === total ? { status: 'closed', closedAt: ctx.now } : undefined;
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
  const paidFor = belowPaid(order, totals.total);
  if (paidFor) return paidFor;
  draft.put(
    'order',
    { ...order, lines, totals, ...closedIfPaid(order, totals.total, ctx) },
    order.version,
  );
  return draft.commit();
}

export function decideOrderSendToKitchen(
  state: VenueState,
  op: OperationOfType<'order.sendToKitchen'>,
  ctx: DecideContext,
): Decision {
  const { course, hold } = op.payload;
  const draft = new Draft(state);
  const order = orderFor(draft, op.payload.orderId, 'sendToKitchen', ctx);
  if (isRejection(order)) return order;
  const unsent = order.lines.filter(
    (l) => l.sentAt === null && (course === undefined || courseOf(l) === course),
  );
  if (unsent.length === 0)
    return reject(
      'NOTHING_TO_SEND',
      course === undefined
        ? 'every line is already with the kitchen'
        : `course ${course} has no line waiting to be sent`,
      order,
    );
  const sent = sendLines(draft, order, unsent, op, ctx, hold === true);
  if (isRejection(sent)) return sent;
  draft.put('order', withoutVersion(sent), order.version);
  return draft.commit();
}

/** Fires a held course: its held tickets join the queue, their clocks starting now. */
export function decideOrderFireCourse(
  state: VenueState,
  op: OperationOfType<'order.fireCourse'>,
  ctx: DecideContext,
): Decision {
  const { orderId, course } = op.payload;
  const draft = new Draft(state);
  const order = draft.get('order', orderId);
  if (!order) return reject('NOT_FOUND', `no order ${orderId}`);
  if (order.status === 'closed' || order.status === 'voided')
    return reject(
      'INVALID_STATE_TRANSITION',
      `cannot fire a course of an order that is ${order.status}`,
      order,
    );
  const tickets = ticketsOf(state, orderId).filter((t) => courseOf(t) === course);
  if (tickets.length === 0)
    return reject('NOTHING_TO_FIRE', `course ${course} has not been sent to the kitchen`, order);
  // A course already fired stays as it is: a second fire is harmless.
  const held = tickets.filter((t) => t.status === 'held');
  if (held.length === 0) return unchanged(state);
  for (const ticket of held)
    draft.put('ticket', { ...ticket, status: 'queued', firedAt: ctx.now }, ticket.version);
  return draft.commit();
}

/**
 * Voids a line already with the kitchen: it stays on the order for the record and leaves the
 * totals; on every ticket still on the pass it is struck through and the ticket asks for an ack.
 */
export function decideOrderVoidLine(
  state: VenueState,
  op: OperationOfType<'order.voidLine'>,
  ctx: DecideContext,
): Decision {
  const { orderId, lineId, reason } = op.payload;
  const draft = new Draft(state);
  const order = orderFor(draft, orderId, 'voidLine', ctx);
  if (isRejection(order)) return order;
  const line = order.lines.find((l) => l.id === lineId);
  if (!line) return reject('NOT_FOUND', `no line ${lineId} on the order`, order);
  if (line.sentAt === null)
    return reject(
      'LINE_NOT_SENT',
      `${line.name} is not with the kitchen yet: remove it instead`,
      order,
    );
  if (line.voidedAt) return unchanged(state);
  const settings = settingsOf(state);
  if (isRejection(settings)) return settings;
  const lines = order.lines.map((l) =>
    l.id === lineId ? { ...l, voidedAt: ctx.now, voidReason: reason } : l,
  );
  const totals = totalsFor(lines, settings);
  if (isRejection(totals)) return totals;
  const paidFor = belowPaid(order, totals.total);
  if (paidFor) return paidFor;
  draft.put(
    'order',
    { ...order, lines, totals, ...closedIfPaid(order, totals.total, ctx) },
    order.version,
  );
  for (const ticket of ticketsOf(state, orderId)) {
    if (ticket.status === 'bumped' || !ticket.lines.some((l) => l.lineId === lineId)) continue;
    let next: Omit<Ticket, 'version'> = {
      ...ticket,
      lines: ticket.lines.map((l) =>
        l.lineId === lineId && !l.voidedAt ? { ...l, voidedAt: ctx.now } : l,
      ),
      attention: ticket.attention === 'void' ? 'void' : 'change',
    };
    // The line voided may have been the ticket's last: the ticket is void (VOID until the
    // kitchen acknowledges it, then off the pass), as when the whole order is. Or it was the
    // last one still cooking: the ticket is ready.
    if (next.lines.every((l) => l.voidedAt))
      next = { ...next, voidedAt: next.voidedAt ?? ctx.now, attention: 'void' };
    else if ((next.status === 'queued' || next.status === 'in_progress') && allLinesReady(next))
      next = { ...next, status: 'ready', startedAt: next.startedAt ?? ctx.now, readyAt: ctx.now };
    draft.put('ticket', next, ticket.version);
  }
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
  // A card is recorded from the processor's answer by a payment service (`payment.card`, made
  // only by a server): a device closing an order "by card" would skip the processor and the
  // offline card limits.
  return reject(
    'FORBIDDEN',
    'card payments are taken through the card reader (the payment service), not by closing the order',
    order,
  );
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
  if ((order.paid ?? 0) > 0)
    return reject(
      'ORDER_HAS_PAYMENTS',
      'part of this check is paid: take the rest as a payment, not a close',
      order,
    );
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
  if ((order.paid ?? 0) > 0)
    return reject(
      'ORDER_HAS_PAYMENTS',
      'payments were taken on this check: refund them first',
      order,
    );
  const tickets = ticketsOf(state, order.id);
  // Food the kitchen may have started is a manager's call; an unsent order is the server's.
  const sent = tickets.length > 0 || order.lines.some((l) => l.sentAt !== null);
  if (sent && roleOf(ctx.principal) === 'server')
    return reject('FORBIDDEN', 'a manager voids an order already sent to the kitchen', order);
  // Tickets still on the pass are marked, not removed: the card shows VOID until the kitchen
  // acknowledges it. Bumped ones stay as kitchen history.
  for (const ticket of tickets) {
    if (ticket.status !== 'bumped')
      draft.put('ticket', { ...ticket, voidedAt: ctx.now, attention: 'void' }, ticket.version);
  }
  draft.put(
    'order',
    { ...order, status: 'voided', voidReason: op.payload.reason, closedAt: ctx.now },
    order.version,
  );
  return draft.commit();
}
