import { roleOf } from '../auth/principal.ts';
import { drawerStep } from '../domain/drawer-machine.ts';
import { decideOfflineCard, type OutstandingOfflineCard } from '../domain/offline-card-limits.ts';
import { orderStep } from '../domain/order-machine.ts';
import { paymentStep } from '../domain/payment-machine.ts';
import type { Order } from '../entities/order.ts';
import { type PaymentRecord, paymentCounts } from '../entities/payment.ts';
import type { Settings } from '../entities/settings.ts';
import { roundToIncrement } from '../money/money.ts';
import type { OperationOfType } from '../ops/operation.ts';
import { filterEntities } from '../state/entity-set.ts';
import type { VenueState } from '../state/venue-state.ts';
import {
  type DecideContext,
  type Decision,
  isRejection,
  type Rejection,
  reject,
} from './decision.ts';
import { Draft, unchanged } from './draft.ts';
import { settingsOf } from './settings-of.ts';

type Unversioned<T> = Omit<T, 'version'>;

/** What the payments taken so far leave to pay on the check. */
export function balanceOf(order: Pick<Order, 'totals' | 'paid'>): number {
  return Math.max(0, order.totals.total - (order.paid ?? 0));
}

/** The order a payment is for, if it may take one now (open or sent, the guest's own table). */
function payableOrder(draft: Draft, orderId: string, ctx: DecideContext): Order | Rejection {
  const order = draft.get('order', orderId);
  if (!order) return reject('NOT_FOUND', `no order ${orderId}`);
  if (ctx.principal.kind === 'guest' && order.tableId !== ctx.principal.tableId)
    return reject('FORBIDDEN', 'a guest may only pay the bill of their own table');
  if (orderStep(order.status, 'pay').kind === 'refused')
    return reject('INVALID_STATE_TRANSITION', `cannot pay an order that is ${order.status}`, order);
  if (order.lines.length === 0)
    return reject('EMPTY_ORDER', 'an order with no lines cannot be paid; void it', order);
  return order;
}

function paymentExists(draft: Draft, paymentId: string): Rejection | undefined {
  const existing = draft.get('payment', paymentId);
  return existing
    ? reject('ALREADY_EXISTS', `payment ${paymentId} is already recorded`, existing)
    : undefined;
}

/** The order after a payment of `paid` (towards the check) and `tip`: closed when fully paid. */
function orderPaid(order: Order, paid: number, tip: number, now: string): Unversioned<Order> {
  const { version: _version, ...rest } = order;
  const next = { ...rest, paid: (order.paid ?? 0) + paid, tips: (order.tips ?? 0) + tip };
  return next.paid >= order.totals.total
    ? { ...next, paid: order.totals.total, status: 'closed', closedAt: now }
    : next;
}

function basePayment(
  op: OperationOfType<'payment.cash' | 'payment.card'>,
  order: Order,
  settings: Settings,
  ctx: DecideContext,
): Unversioned<PaymentRecord> {
  return {
    id: op.payload.paymentId,
    orderId: order.id,
    tableId: order.tableId,
    deviceId: op.deviceId,
    takenBy: op.actorId,
    approvedBy: null,
    method: 'cash',
    currency: settings.currency,
    amount: op.payload.amount,
    tip: op.payload.tip,
    cash: null,
    card: null,
    status: 'approved',
    declineCode: null,
    offline: false,
    drawerId: null,
    takenAt: ctx.now,
    settledAt: null,
    refunded: 0,
    task: null,
    handledBy: null,
    note: null,
  };
}

/**
 * Cash towards a check. The last payment may be the balance or the balance cash-rounded (the
 * rounding is written off); a part payment may not exceed the balance. Works offline.
 */
export function decidePaymentCash(
  state: VenueState,
  op: OperationOfType<'payment.cash'>,
  ctx: DecideContext,
): Decision {
  const { paymentId, orderId, amount, tip, tendered, drawerId } = op.payload;
  const draft = new Draft(state);
  const exists = paymentExists(draft, paymentId);
  if (exists) return exists;
  const order = payableOrder(draft, orderId, ctx);
  if (isRejection(order)) return order;
  const settings = settingsOf(state);
  if (isRejection(settings)) return settings;
  const balance = balanceOf(order);
  const rounded = roundToIncrement(balance, settings.cashRoundingIncrement);
  const last = amount === balance || amount === rounded;
  if (!last && amount > balance)
    return reject('OVERPAYMENT', `${amount} is more than the ${balance} left to pay`, order);
  if (tendered < amount + tip)
    return reject(
      'PAYMENT_INSUFFICIENT',
      `cash tendered ${tendered} is less than ${amount + tip}`,
      order,
    );
  if (drawerId !== undefined) {
    const drawer = draft.get('drawer', drawerId);
    if (
      !drawer ||
      drawer.deviceId !== op.deviceId ||
      drawerStep(drawer.status, 'cash_sale').kind === 'refused'
    )
      return reject('DRAWER_NOT_OPEN', `drawer ${drawerId} is not open on this device`, drawer);
  }
  draft.put(
    'payment',
    {
      ...basePayment(op, order, settings, ctx),
      cash: { tendered, change: tendered - amount - tip },
      drawerId: drawerId ?? null,
    },
    0,
  );
  draft.put('order', orderPaid(order, last ? balance : amount, tip, ctx.now), order.version);
  return draft.commit();
}

/** The venue's card payments stored offline and not yet authorised or declined. */
export function outstandingOfflineCards(state: VenueState): OutstandingOfflineCard[] {
  return filterEntities(state.entities, 'payment', (p) => p.status === 'stored').map((p) => ({
    paymentId: p.id,
    deviceId: p.deviceId,
    amount: p.amount,
    tip: p.tip,
    currency: p.currency,
    storedAtMs: Date.parse(p.takenAt),
  }));
}

/**
 * May a card payment be stored offline now? The check the payment service makes before it lets
 * the processor store one, and the decider makes again when the payment is recorded: the same
 * limits, state and clock give the same answer on the relay and at the cloud's replay.
 */
export function offlineCardRefusal(
  state: VenueState,
  attempt: { deviceId: string; amount: number; tip: number; managerApproved: boolean },
  nowMs: number,
): Rejection | undefined {
  const settings = settingsOf(state);
  if (isRejection(settings)) return settings;
  const verdict = decideOfflineCard(
    { ...settings.offlineCard, currency: settings.currency },
    outstandingOfflineCards(state),
    { ...attempt, currency: settings.currency },
    nowMs,
  );
  return verdict.ok ? undefined : reject(verdict.code, verdict.detail);
}

function managerOrOwner(ctx: DecideContext): boolean {
  const role = roleOf(ctx.principal);
  return role === 'manager' || role === 'owner';
}

/**
 * A card payment as the processor answered it (server-made). Declined: recorded for the audit,
 * the check unchanged. Stored: only within the offline card limits. Approved or stored: pays
 * its amount towards the check, closing it when nothing is left.
 */
export function decidePaymentCard(
  state: VenueState,
  op: OperationOfType<'payment.card'>,
  ctx: DecideContext,
): Decision {
  const { paymentId, orderId, amount, tip, outcome, reference, brand, last4, declineCode, entry } =
    op.payload;
  const draft = new Draft(state);
  const exists = paymentExists(draft, paymentId);
  if (exists) return exists;
  const order = payableOrder(draft, orderId, ctx);
  if (isRejection(order)) return order;
  const settings = settingsOf(state);
  if (isRejection(settings)) return settings;
  const balance = balanceOf(order);
  if (amount > balance)
    return reject('OVERPAYMENT', `${amount} is more than the ${balance} left to pay`, order);
  const managerApproved = managerOrOwner(ctx);
  if (outcome === 'stored') {
    const refused = offlineCardRefusal(
      state,
      { deviceId: op.deviceId, amount, tip, managerApproved },
      Date.parse(ctx.now),
    );
    if (refused) return reject(refused.code, refused.message, order);
  }
  draft.put(
    'payment',
    {
      ...basePayment(op, order, settings, ctx),
      method: 'card',
      card: { reference, brand: brand ?? null, last4: last4 ?? null, entry },
      status: outcome,
      declineCode: outcome === 'declined' ? (declineCode ?? 'declined') : null,
      offline: outcome === 'stored',
      approvedBy:
        outcome === 'stored' && managerApproved && amount > settings.offlineCard.perTransaction
          ? op.actorId
          : null,
    },
    0,
  );
  if (outcome !== 'declined')
    draft.put('order', orderPaid(order, amount, tip, ctx.now), order.version);
  return draft.commit();
}

/**
 * The processor authorised or declined a stored payment. Declined later: the payment no longer
 * pays the check, which is opened again as unpaid, and a manager gets the follow-up task.
 */
export function decidePaymentSettle(
  state: VenueState,
  op: OperationOfType<'payment.settle'>,
  ctx: DecideContext,
): Decision {
  const { paymentId, outcome, declineCode } = op.payload;
  const draft = new Draft(state);
  const payment = draft.get('payment', paymentId);
  if (!payment) return reject('NOT_FOUND', `no payment ${paymentId}`);
  const moved = paymentStep(
    payment.status,
    outcome === 'approved_later' ? 'authorise_later' : 'decline_later',
  );
  if (moved.kind === 'refused')
    return reject(
      'INVALID_STATE_TRANSITION',
      `a payment that is ${payment.status} cannot be ${outcome.replace('_', ' ')}`,
      payment,
    );
  if (moved.kind === 'unchanged') return unchanged(state);
  const { version, ...rest } = payment;
  if (outcome === 'approved_later') {
    draft.put('payment', { ...rest, status: 'approved_later', settledAt: ctx.now }, version);
    return draft.commit();
  }
  draft.put(
    'payment',
    {
      ...rest,
      status: 'declined_later',
      declineCode: declineCode ?? 'declined',
      settledAt: ctx.now,
      task: 'open',
    },
    version,
  );
  const order = draft.get('order', payment.orderId);
  if (order) {
    const { version: orderVersion, ...orderRest } = order;
    const reopened = orderStep(order.status, 'reopen');
    draft.put(
      'order',
      {
        ...orderRest,
        paid: Math.max(0, (order.paid ?? 0) - payment.amount),
        tips: Math.max(0, (order.tips ?? 0) - payment.tip),
        ...(reopened.kind === 'moved' ? { status: reopened.to, closedAt: null } : {}),
      },
      orderVersion,
    );
  }
  return draft.commit();
}

/** A manager marks the follow-up of a payment declined later as handled. */
export function decidePaymentResolveTask(
  state: VenueState,
  op: OperationOfType<'payment.resolveTask'>,
  _ctx: DecideContext,
): Decision {
  const draft = new Draft(state);
  const payment = draft.get('payment', op.payload.paymentId);
  if (!payment) return reject('NOT_FOUND', `no payment ${op.payload.paymentId}`);
  if (payment.task === 'handled') return unchanged(state);
  if (payment.task !== 'open')
    return reject('INVALID_STATE_TRANSITION', 'this payment has nothing to follow up', payment);
  const { version, ...rest } = payment;
  draft.put(
    'payment',
    { ...rest, task: 'handled', handledBy: op.actorId, note: op.payload.note },
    version,
  );
  return draft.commit();
}

/** True when some payment that counts is on the order (it may not be voided or closed whole). */
export function hasPayments(state: VenueState, orderId: string): boolean {
  return (
    filterEntities(state.entities, 'payment', (p) => p.orderId === orderId && paymentCounts(p))
      .length > 0
  );
}
