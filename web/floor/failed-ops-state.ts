import { formatClock } from '../app/resilience-text.ts';
import type { OutboxEntry } from '../device/outbox-types.ts';
import { ageTextOf } from './service-requests-state.ts';

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
