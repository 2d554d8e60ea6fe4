import type { Order, PaymentRecord } from '#protocol';
import { cardWords, declineWords } from '../app/card-words.ts';
import { formatClock } from '../app/resilience-text.ts';
import type { OutboxEntry } from '../device/outbox-types.ts';
import { ageTextOf } from './service-requests-state.ts';

export { declineWords };

/*
 * The device's failed ops as a manager fixes them, pure: what each op was in words, when and by
 * whom, why it failed in plain words with what to do, and whether Retry can help (a rejection
 * is final, and an op past the outbox's age limit may already be applied: discard only).
 */

/** Display names by id: staff by actor id; tables ("Table 5"), orders ("Table 5") and dishes by theirs. */
export type Names = ReadonlyMap<string, string>;

/** The failed entry's rejection, whether given at once or as a repeated answer. */
function rejectionOf(entry: Pick<OutboxEntry, 'result'>) {
  const result = entry.result;
  if (result?.status === 'rejected') return result;
  if (result?.status === 'duplicate' && result.first.status === 'rejected') return result.first;
  return null;
}

/** Whether Retry can help: the same rule the outbox applies before it retries (`isFinal`). */
export function retryable(entry: Pick<OutboxEntry, 'result' | 'lastError'>): boolean {
  return rejectionOf(entry) === null && entry.lastError?.code !== 'TOO_OLD';
}

/** The code that says why: the rejection's, else the outbox's own (`RETRIES_EXHAUSTED`, `HTTP_403`…). */
export function failureCodeOf(entry: Pick<OutboxEntry, 'result' | 'lastError'>): string {
  return rejectionOf(entry)?.code ?? entry.lastError?.code ?? 'UNKNOWN';
}

/** The server's or outbox's own message, for the detail line. */
export function failureMessageOf(entry: Pick<OutboxEntry, 'result' | 'lastError'>): string {
  return rejectionOf(entry)?.message || entry.lastError?.message || '';
}

export interface Advice {
  /** What happened, in plain words. */
  readonly reason: string;
  /** What to do about it. */
  readonly action: string;
}

const CHANGED_FIRST: Advice = {
  reason: 'Someone changed this first',
  action: 'Check the order and make the change again.',
};
const UNREACHABLE: Advice = {
  reason: 'The server could not be reached or did not answer',
  action: 'Retry when the connection is back.',
};
const NOT_ALLOWED: Advice = {
  reason: 'The person who made it is not allowed to do this',
  action: 'Ask a manager to do it, then discard this one.',
};
const GONE: Advice = {
  reason: 'What it changed is no longer there (removed, closed or never synced)',
  action: 'Check the table; discard this if nothing is missing.',
};

const ADVICE: Readonly<Record<string, Advice>> = {
  ITEM_UNAVAILABLE: {
    reason: 'The dish was marked sold out after it was ordered',
    action: 'Tell the guest and offer something else.',
  },
  UNKNOWN_ITEM: {
    reason: 'The dish is no longer on the menu',
    action: 'Tell the guest and offer something else.',
  },
  MODIFIER_NOT_ALLOWED: {
    reason: 'A choice on the dish is no longer offered',
    action: 'Ask the guest to choose again and add the dish again.',
  },
  MODIFIER_GROUP_RULE: {
    reason: 'The dish’s choices no longer fit the menu’s rules',
    action: 'Add the dish again with its choices.',
  },
  INVALID_STATE_TRANSITION: CHANGED_FIRST,
  ALREADY_EXISTS: CHANGED_FIRST,
  LINE_ALREADY_SENT: {
    reason: 'The dish had already gone to the kitchen',
    action: 'Void it instead if it must come off.',
  },
  VERSION_CONFLICT: CHANGED_FIRST,
  CONFLICT: CHANGED_FIRST,
  DEPENDENCY_REJECTED: {
    reason: 'It depended on an earlier change that failed',
    action: 'Fix that one first, then make this change again.',
  },
  DEPENDENCY_FAILED: {
    reason: 'It depended on an earlier change that failed',
    action: 'Fix that one first, then retry this one.',
  },
  DEPENDENCY_UNKNOWN: {
    reason: 'It depended on a change the cloud never received',
    action: 'Check the order and make the change again.',
  },
  TOO_OLD: {
    reason: 'It waited on this device too long (over 6 days) to be sent safely',
    action: 'Check whether it happened; make it again if not.',
  },
  SIGN_IN: {
    reason: 'It needs someone signed in to send it',
    action: 'Sign in again, then retry.',
  },
  FORBIDDEN: NOT_ALLOWED,
  HTTP_403: NOT_ALLOWED,
  WRONG_VENUE: {
    reason: 'It was made for another venue',
    action: 'Discard it.',
  },
  NOT_FOUND: GONE,
  HTTP_404: GONE,
  NOTHING_TO_SEND: {
    reason: 'There was nothing new to send to the kitchen',
    action: 'Check the kitchen screen; nothing else to do.',
  },
  NOTHING_TO_FIRE: {
    reason: 'That course had nothing to fire',
    action: 'Check the order’s courses.',
  },
  LINE_NOT_SENT: {
    reason: 'The dish had not gone to the kitchen, so it cannot be voided',
    action: 'Remove it from the order instead.',
  },
  RECALL_WINDOW_PASSED: {
    reason: 'It was too long after the bump to recall it',
    action: 'Ask the kitchen to make it again as a new dish.',
  },
  EMPTY_ORDER: { reason: 'The order had no dishes', action: 'Add the dishes first.' },
  PAYMENT_INSUFFICIENT: {
    reason: 'The payment was less than the bill',
    action: 'Check the amount and take the payment again.',
  },
  PAYMENT_MISMATCH: {
    reason: 'The payment did not match the bill (the bill changed)',
    action: 'Check the bill and take the payment again.',
  },
  AMOUNT_TOO_LARGE: {
    reason: 'The amount was too large',
    action: 'Check the amount and enter it again.',
  },
  UNKNOWN_STATION: {
    reason: 'That kitchen station no longer exists',
    action: 'Pick another station.',
  },
  SETTINGS_MISSING: {
    reason: 'The venue’s settings are not set up for this',
    action: 'Ask a manager to finish the venue’s settings.',
  },
  PAIRING_USED: {
    reason: 'That pairing code had already paired a device',
    action: 'Discard it and pair the device with a new code.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    reason: 'This device sent two different changes under one id (a fault)',
    action: 'Discard it, make the change again and tell a manager.',
  },
  VALIDATION: {
    reason: 'The server could not accept what was sent',
    action: 'Discard it and make the change again; tell a manager if it keeps happening.',
  },
  OVERPAYMENT: {
    reason: 'The payment was more than was left to pay on the check',
    action: 'Check what is left to pay and take that.',
  },
  ORDER_HAS_PAYMENTS: {
    reason: 'Payments were already taken on this check',
    action: 'Take the rest as a payment, or refund the payments first.',
  },
  REFUND_NOT_ALLOWED: {
    reason: 'That refund was more than is left on the payment, or the payment was not charged',
    action: 'Check the payment’s refunds and refund what is left.',
  },
  DRAWER_ALREADY_OPEN: {
    reason: 'A cash drawer is already open on this device',
    action: 'Use the open drawer, or close it first.',
  },
  DRAWER_NOT_OPEN: {
    reason: 'The cash drawer was not open on this device',
    action: 'Open the drawer, then take the cash again.',
  },
  DRAWER_REASON_REQUIRED: {
    reason: 'The count did not match and no reason was given',
    action: 'Count again and say why it differs.',
  },
  OFFLINE_CARD_DISABLED: {
    reason: 'The venue does not take card payments offline',
    action: 'Take cash, or wait for the internet.',
  },
  CURRENCY_MISMATCH: {
    reason: 'The payment was not in the venue’s currency',
    action: 'Take it again in the venue’s currency.',
  },
  OFFLINE_CARD_WINDOW_CLOSED: {
    reason: 'Card payments taken offline waited too long: no new ones until they are authorised',
    action: 'Take cash until the internet is back.',
  },
  OFFLINE_CARD_OVER_MANAGER_LIMIT: {
    reason: 'The payment was over what may be taken offline, even with a manager',
    action: 'Take cash, or split the bill.',
  },
  OFFLINE_CARD_OVER_TRANSACTION_LIMIT: {
    reason: 'The payment was over the offline limit without a manager’s PIN',
    action: 'Ask a manager to take it, or take cash.',
  },
  OFFLINE_CARD_DEVICE_TOTAL: {
    reason: 'This device holds as much in offline card payments as it may',
    action: 'Take cash, or use another device.',
  },
  OFFLINE_CARD_VENUE_TOTAL: {
    reason: 'The venue holds as much in offline card payments as it may',
    action: 'Take cash until the internet is back.',
  },
  RETRIES_EXHAUSTED: {
    reason: 'It could not reach the server after 10 tries',
    action: 'Check the connection, then retry.',
  },
  NETWORK: UNREACHABLE,
  BAD_RESPONSE: UNREACHABLE,
};

/** The reason and what to do for a failure's code; `final` picks the advice when it is unknown. */
export function adviceFor(code: string, final: boolean): Advice {
  const known = ADVICE[code];
  if (known) return known;
  if (/^HTTP_5\d\d$/.test(code) || code === 'HTTP_429') return UNREACHABLE;
  if (/^HTTP_4\d\d$/.test(code)) return ADVICE.VALIDATION as Advice;
  return final
    ? {
        reason: 'It was not accepted',
        action: 'Discard it and make the change again if still needed.',
      }
    : {
        reason: 'It was not accepted',
        action: 'Retry; if it fails again, discard it and make it again.',
      };
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** The thing an op is about, by name when known: "Table 5", "the order". */
const nameOr = (names: Names, id: string | null | undefined, fallback: string): string =>
  (id ? names.get(id) : undefined) ?? fallback;

/** A send made with the lines, in words: ", send to the kitchen", or nothing without one. */
function sendWords(send: { course?: number; hold?: boolean } | undefined): string {
  if (!send) return '';
  if (send.hold) return ', send to the kitchen, held';
  return send.course ? `, send course ${send.course} to the kitchen` : ', send to the kitchen';
}

/** What the op was, in words: "Table 5: add 2 lines", "Mark Chips sold out". */
export function describeOp(op: OutboxEntry['op'], names: Names = new Map()): string {
  const order = (id: string) => nameOr(names, id, 'Order');
  const ticket = (id: string) => nameOr(names, id, 'Kitchen ticket');
  switch (op.type) {
    case 'order.create': {
      const where = nameOr(names, op.payload.tableId, op.payload.tableId ? 'A table' : 'No table');
      const lines = op.payload.lines.length;
      return lines > 0
        ? `${where}: open an order with ${plural(lines, 'line', 'lines')}${sendWords(op.payload.send)}`
        : `${where}: open an order`;
    }
    case 'order.addLines':
      return `${order(op.payload.orderId)}: add ${plural(op.payload.lines.length, 'line', 'lines')}${sendWords(op.payload.send)}`;
    case 'order.removeLine':
      return `${order(op.payload.orderId)}: remove ${nameOr(names, op.payload.lineId, 'a line')}`;
    case 'order.sendToKitchen':
      return op.payload.hold
        ? `${order(op.payload.orderId)}: send to the kitchen, held`
        : op.payload.course
          ? `${order(op.payload.orderId)}: send course ${op.payload.course} to the kitchen`
          : `${order(op.payload.orderId)}: send to the kitchen`;
    case 'order.close':
      return `${order(op.payload.orderId)}: take payment (${op.payload.payment.method}) and close`;
    case 'order.void':
      return `${order(op.payload.orderId)}: void the order`;
    case 'order.voidLine':
      return `${order(op.payload.orderId)}: void ${nameOr(names, op.payload.lineId, 'a line')}`;
    case 'order.fireCourse':
      return `${order(op.payload.orderId)}: fire course ${op.payload.course}`;
    case 'ticket.transition':
      return `${ticket(op.payload.ticketId)}: ${op.payload.action}`;
    case 'ticket.assign':
      return `${ticket(op.payload.ticketId)}: assign`;
    case 'ticket.markLine':
      return `${ticket(op.payload.ticketId)}: mark a dish ${op.payload.ready ? 'ready' : 'not ready'}`;
    case 'ticket.recall':
      return `${ticket(op.payload.ticketId)}: recall`;
    case 'ticket.acknowledge':
      return `${ticket(op.payload.ticketId)}: acknowledge the change`;
    case 'serviceRequest.create':
      return `${nameOr(names, op.payload.tableId, 'A table')}: call staff`;
    case 'serviceRequest.transition':
      return `Table call: ${op.payload.action === 'acknowledge' ? 'on the way' : op.payload.action === 'complete' ? 'done' : 'cancel'}`;
    case 'booking.create':
      return `Book a table for ${op.payload.guestName} (${op.payload.partySize})`;
    case 'booking.transition':
      return `Booking: ${op.payload.action.replace('_', '-')}`;
    case 'team.section.create':
      return `Create the section ${op.payload.name}`;
    case 'team.member.upsert':
      return `Save team member ${op.payload.name}`;
    case 'menu.item.setAvailability': {
      const dish = nameOr(names, op.payload.itemId, 'a dish');
      return op.payload.available ? `Put ${dish} back on` : `Mark ${dish} sold out`;
    }
    case 'device.pair':
      return `Pair the device ${op.payload.name}`;
    case 'device.revoke':
      return `Revoke the device ${nameOr(names, op.payload.deviceId, 'a device')}`;
    case 'payment.cash':
      return `${order(op.payload.orderId)}: take cash`;
    case 'payment.card':
      return `${order(op.payload.orderId)}: card payment`;
    case 'payment.settle':
      return 'Card payment: the processor’s later answer';
    case 'payment.resolveTask':
      return 'Declined card payment: mark followed up';
    case 'refund.request':
      return 'Refund a payment';
    case 'refund.settle':
      return 'Refund: the processor’s answer';
    case 'drawer.open':
      return 'Open the cash drawer';
    case 'drawer.payout':
      return `Pay out of the drawer: ${op.payload.reason}`;
    case 'drawer.close':
      return 'Close the cash drawer';
    case 'settings.offlineCard.set':
      return 'Change the offline card limits';
  }
}

export interface FailedRow {
  readonly opId: string;
  readonly what: string;
  /** "19:40 (12 min ago)". */
  readonly whenText: string;
  readonly who: string;
  readonly code: string;
  readonly reason: string;
  readonly action: string;
  /** The server's own words, when they add something. */
  readonly detail: string;
  readonly retryable: boolean;
}

/** The device's failed ops, oldest first (the order they were made, which fixes often need). */
export function failedRowsOf(
  entries: readonly OutboxEntry[],
  names: Names = new Map(),
  now: number = Date.now(),
  clock: (ms: number) => string = (ms) => formatClock(ms, now),
): FailedRow[] {
  return entries
    .filter((e) => e.status === 'failed')
    .sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq)
    .map((e) => {
      const code = failureCodeOf(e);
      const canRetry = retryable(e);
      const { reason, action } = adviceFor(code, !canRetry);
      const age = ageTextOf(now - e.createdAt);
      return {
        opId: e.opId,
        what: describeOp(e.op, names),
        whenText: `${clock(e.createdAt)} (${age === 'just now' ? age : `${age} ago`})`,
        who: names.get(e.op.actorId) ?? 'someone on this device',
        code,
        reason,
        action,
        detail: failureMessageOf(e),
        retryable: canRetry,
      };
    });
}

/** The heading's count: "2 changes to fix" / "Nothing to fix". */
export const countWords = (n: number): string =>
  n === 0 ? 'Nothing to fix' : `${plural(n, 'change', 'changes')} to fix`;

// Payment tasks: a card payment stored offline that the processor declined later is a
// manager's to follow up. The check is open again; the task stays until someone marks it handled.

/** What a manager does about a payment declined later. */
export const DECLINED_LATER_ACTION =
  'The guest’s card was declined after the outage: contact the guest or record the loss; ' +
  'the check is open again with the balance due.';

/** The slice of a payment a task is made from. */
export type TaskPayment = Pick<
  PaymentRecord,
  | 'id'
  | 'orderId'
  | 'tableId'
  | 'takenBy'
  | 'amount'
  | 'tip'
  | 'currency'
  | 'takenAt'
  | 'settledAt'
  | 'declineCode'
  | 'status'
  | 'task'
  | 'card'
>;

export interface PaymentTaskRow {
  readonly paymentId: string;
  readonly orderId: string;
  readonly tableId: string | null;
  /** "Table 5", or "A check with no table". */
  readonly where: string;
  /** "€25.00 + €3.00 tip". */
  readonly amountText: string;
  /** The check's balance due now, in words: "€25.00 due"; empty when the check is not known. */
  readonly dueText: string;
  readonly who: string;
  /** When it was taken: "23:50 (14 h ago)". */
  readonly whenText: string;
  /** "Visa ·· 4242", or empty. */
  readonly cardText: string;
  readonly decline: string;
}

/** "Visa ·· 4242" from what the processor told; empty when it told nothing. */
export function cardText(card: PaymentRecord['card']): string {
  return card ? cardWords(card.brand, card.last4) : '';
}

/**
 * The open payment tasks, oldest first. `money` formats minor units in a currency;
 * `orders` give each check's balance due now (its total less what still pays it).
 */
export function paymentTasksOf(
  payments: readonly TaskPayment[],
  orders: readonly Pick<Order, 'id' | 'totals' | 'paid'>[],
  names: Names,
  money: (minor: number, currency: string) => string,
  now: number = Date.now(),
  clock: (ms: number) => string = (ms) => formatClock(ms, now),
): PaymentTaskRow[] {
  const byId = new Map(orders.map((o) => [o.id, o]));
  return payments
    .filter((p) => p.task === 'open')
    .sort((a, b) => a.takenAt.localeCompare(b.takenAt) || a.id.localeCompare(b.id))
    .map((p) => {
      const taken = Date.parse(p.takenAt);
      const age = ageTextOf(now - taken);
      const order = byId.get(p.orderId);
      const m = (minor: number) => money(minor, p.currency);
      return {
        paymentId: p.id,
        orderId: p.orderId,
        tableId: p.tableId,
        where:
          nameOr(names, p.tableId, '') || nameOr(names, p.orderId, '') || 'A check with no table',
        amountText: p.tip > 0 ? `${m(p.amount)} + ${m(p.tip)} tip` : m(p.amount),
        dueText: order
          ? `${m(Math.max(0, order.totals.total - (order.paid ?? 0)))} due on the check`
          : '',
        who: names.get(p.takenBy) ?? 'someone',
        whenText: `${clock(taken)} (${age === 'just now' ? age : `${age} ago`})`,
        cardText: cardText(p.card),
        decline: declineWords(p.declineCode),
      };
    });
}

/** The section's count: "1 payment to follow up". */
export const taskCountWords = (n: number): string =>
  n === 0 ? 'No payments to follow up' : `${plural(n, 'payment', 'payments')} to follow up`;
