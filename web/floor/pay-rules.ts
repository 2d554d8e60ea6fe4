import type { Order, PaymentRecord } from '#protocol';
import { paymentCounts } from '#protocol/entities/payment.ts';
import { newUlid } from '#protocol/ids/ulid.ts';
import { divideRounded, roundToIncrement } from '#protocol/money/money.ts';
import { cardWords, declineWords } from '../app/card-words.ts';

export { cardWords, declineWords };

// Paying a check, pure: what is left to pay, the amount and tip a server picks, the words for a
// payment's state and for the card route's answers. It needs the protocol at run time (zod
// comes with it), so the pay panel loads it after its first paint, as the pad loads its rules.

/** A payment's id, made once per attempt on the device: the processor's idempotency key. */
export const newPaymentId = (): string => newUlid();

/** What the payments so far leave to pay: the order's total less what counts as paid. */
export function balanceOf(order: Pick<Order, 'totals' | 'paid'>): number {
  return Math.max(0, order.totals.total - (order.paid ?? 0));
}

/**
 * The balance less card payments the card route answered approved or stored that the local
 * view does not hold yet (the feed brings them a moment later): never charge them twice.
 */
export function balanceLeft(
  order: Pick<Order, 'totals' | 'paid'>,
  known: readonly Pick<PaymentRecord, 'id'>[],
  answered: readonly { readonly paymentId: string; readonly amount: number }[],
): number {
  const ids = new Set(known.map((p) => p.id));
  const inFlight = answered
    .filter((a) => !ids.has(a.paymentId))
    .reduce((sum, a) => sum + a.amount, 0);
  return Math.max(0, balanceOf(order) - inFlight);
}

/** The balance as cash settles it: rounded to the venue's cash increment (the protocol's rule). */
export const cashBalance = (balance: number, increment: number): number =>
  roundToIncrement(balance, Math.max(1, increment));

export const TIP_PERCENTS = [10, 15, 20] as const;
/** `reader`: a card's guest chooses the tip on the reader (the answer says which); cards only. */
export type TipChoice = 'none' | (typeof TIP_PERCENTS)[number] | 'custom' | 'reader';

/** A tip of `percent` % of the amount, in minor units, rounded half up. */
export const tipFor = (amount: number, percent: number): number =>
  divideRounded(amount * percent, 100);

/**
 * The tip a choice gives: none, a percentage of the amount, or the custom amount typed. A tip
 * on the reader is 0 here: the guest chooses it there, and the card route's answer says it.
 */
export function tipOf(amount: number, choice: TipChoice, custom: number | undefined): number {
  if (choice === 'none' || choice === 'reader') return 0;
  if (choice === 'custom') return custom ?? 0;
  return tipFor(amount, choice);
}

/** How much of the check this payment pays. */
export type AmountChoice =
  | { readonly kind: 'balance' }
  | { readonly kind: 'share'; readonly index: number }
  | { readonly kind: 'typed' };

export type AmountCheck =
  | { readonly ok: true; readonly amount: number; readonly last: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * The amount a choice pays, checked as the deciders will check it: the balance (cash-rounded
 * for cash), a share or a typed amount no larger than the balance, never nothing.
 */
export function amountOf(input: {
  readonly choice: AmountChoice;
  readonly method: 'cash' | 'card';
  readonly balance: number;
  readonly cashIncrement: number;
  readonly shares: readonly { readonly amount: number }[];
  readonly typed: number | undefined;
  readonly typedText: string;
}): AmountCheck {
  const { balance, method } = input;
  if (balance <= 0) return { ok: false, reason: 'Nothing is left to pay' };
  const whole = method === 'cash' ? cashBalance(balance, input.cashIncrement) : balance;
  let amount: number;
  if (input.choice.kind === 'balance') amount = whole;
  else if (input.choice.kind === 'share') {
    const share = input.shares[input.choice.index];
    if (!share) return { ok: false, reason: 'Pick a share' };
    amount = share.amount;
  } else {
    if (input.typedText.trim() === '') return { ok: false, reason: 'Type the amount to pay' };
    if (input.typed === undefined)
      return { ok: false, reason: `“${input.typedText}” is not an amount` };
    amount = input.typed;
  }
  if (amount <= 0) return { ok: false, reason: 'The amount must be more than nothing' };
  // The cash-rounded balance settles the check even when rounding took it above the balance.
  if (amount === whole || amount === balance) return { ok: true, amount, last: true };
  if (amount > balance) return { ok: false, reason: 'That is more than is left to pay' };
  return { ok: true, amount, last: false };
}

/** A share is offered when it fits in what is left. */
export const shareFits = (share: { readonly amount: number }, balance: number): boolean =>
  share.amount > 0 && share.amount <= balance;

/** Why the card route refused before charging anything, in words. */
const REFUSALS: Readonly<Record<string, string>> = {
  OFFLINE_CARD_DISABLED:
    'This venue does not take cards while the internet is down — take cash, or wait for the internet',
  OFFLINE_CARD_OVER_TRANSACTION_LIMIT:
    'Over the limit for a card taken offline — a manager’s PIN allows more',
  OFFLINE_CARD_OVER_MANAGER_LIMIT:
    'Over the most a card may be taken offline, even by a manager — take cash or part of it by card',
  OFFLINE_CARD_DEVICE_TOTAL:
    'This tablet holds as much in offline card payments as it may — take cash until they are authorised',
  OFFLINE_CARD_VENUE_TOTAL:
    'The venue holds as much in offline card payments as it may — take cash until they are authorised',
  OFFLINE_CARD_WINDOW_CLOSED:
    'An offline card payment has waited too long — no new ones until it is authorised; take cash',
  CURRENCY_MISMATCH: 'This payment is not in the venue’s currency',
  OVERPAYMENT: 'That is more than is left to pay',
  INVALID_STATE_TRANSITION: 'This check cannot take a payment now',
  EMPTY_ORDER: 'An order with nothing on it cannot be paid',
  FORBIDDEN: 'Your role may not take card payments',
  NOT_FOUND: 'The venue server does not know this order yet — wait for it to sync',
  PROCESSOR_NOT_CONFIGURED: 'Card payments are not set up on the venue server',
};

export function refusalWords(code: string, detail?: string): string {
  const words = REFUSALS[code];
  if (words) return words;
  return detail ? `Refused: ${detail}` : `Refused (${code.replace(/_/g, ' ').toLowerCase()})`;
}

/** A payment's state in words, as the paid rows show it. */
export function statusWords(p: Pick<PaymentRecord, 'method' | 'status' | 'declineCode'>): string {
  switch (p.status) {
    case 'approved':
      return p.method === 'cash' ? 'Paid' : 'Approved';
    case 'stored':
      return 'Stored offline — not authorised yet';
    case 'approved_later':
      return 'Authorised later';
    case 'declined':
      return `Declined: ${declineWords(p.declineCode)}`;
    case 'declined_later':
      return `Declined later: ${declineWords(p.declineCode)} — no longer pays the check`;
  }
}

/** The check as the panel heads it: still open, paid and closed, or reopened by a decline. */
export type CheckState = 'open' | 'paid' | 'reopened';

export function checkStateOf(
  order: Pick<Order, 'status' | 'totals' | 'paid'>,
  payments: readonly Pick<PaymentRecord, 'status'>[],
): CheckState {
  if (order.status === 'closed') return 'paid';
  if (payments.some((p) => p.status === 'declined_later')) return 'reopened';
  return 'open';
}

/** The payments on a check, oldest first. */
export const paymentsFor = <T extends { readonly entity: PaymentRecord }>(
  orderId: string,
  all: readonly T[],
): T[] =>
  all
    .filter((p) => p.entity.orderId === orderId)
    .sort(
      (a, b) =>
        a.entity.takenAt.localeCompare(b.entity.takenAt) || a.entity.id.localeCompare(b.entity.id),
    );

/** What the payments that count have paid (a stored card counts until it is declined). */
export const paidBy = (payments: readonly Pick<PaymentRecord, 'status' | 'amount'>[]): number =>
  payments.filter(paymentCounts).reduce((sum, p) => sum + p.amount, 0);

// —— The card route's answer ——

/** What the card route said, as the panel acts on it. */
export type CardAnswer =
  | {
      readonly kind: 'approved' | 'stored';
      readonly brand: string | null;
      readonly last4: string | null;
      /** The tip charged, as the venue server recorded it (the guest's, for a tip on the reader). */
      readonly tip?: number | null;
    }
  | { readonly kind: 'declined'; readonly code: string; readonly message: string | null }
  /** Unknown: ask again with the same paymentId, never charge anew. */
  | { readonly kind: 'timed_out' }
  /** Refused before anything was charged (the offline limits, the check's state, a role). */
  | { readonly kind: 'refused'; readonly code: string; readonly detail: string | null }
  /** No answer, or one that does not say what happened: ask again with the same paymentId. */
  | {
      readonly kind: 'unknown';
      readonly reason: 'network' | 'server' | 'sign_in' | 'busy';
      readonly detail: string | null;
    };

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
const text = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : null;
const minor = (value: unknown): number | null =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;

/**
 * Reads `POST …/payments/card`'s answer: 200 with the outcome (and the payment's summary),
 * 202 timed_out, a problem+json refusal (422 offline limits, kind stop; other 4xx), or none.
 * Anything that does not say the card was or was not charged is `unknown`: asked again by id.
 */
export function readCardAnswer(status: number | 'no-answer', body: unknown): CardAnswer {
  if (status === 'no-answer') return { kind: 'unknown', reason: 'network', detail: null };
  const said = record(body);
  const payment = record(said.payment);
  if (status >= 200 && status < 300) {
    const outcome = said.outcome;
    if (outcome === 'approved' || outcome === 'stored')
      return {
        kind: outcome,
        brand: text(payment.brand),
        last4: text(payment.last4),
        tip: minor(payment.tip),
      };
    if (outcome === 'declined')
      return {
        kind: 'declined',
        code: text(payment.declineCode) ?? text(said.declineCode) ?? 'declined',
        message: text(said.message),
      };
    if (outcome === 'timed_out') return { kind: 'timed_out' };
    return { kind: 'unknown', reason: 'server', detail: 'the venue server’s answer made no sense' };
  }
  const code = text(said.code) ?? `HTTP_${status}`;
  const detail = text(said.detail) ?? text(said.title);
  const kind = text(said.kind);
  if (status === 401 || kind === 'sign_in') return { kind: 'unknown', reason: 'sign_in', detail };
  // The same paymentId still being decided (another tap, a slow reader): ask again.
  if (status === 409 || kind === 'retry_later' || kind === 'retry_same')
    return { kind: 'unknown', reason: 'busy', detail };
  // The service worker's "target unreachable", a gateway, an overloaded server: not decided.
  if (status >= 500 && kind !== 'needs_setup' && kind !== 'needs_internet')
    return {
      kind: 'unknown',
      reason: status === 503 && kind === 'back_off' ? 'network' : 'server',
      detail,
    };
  if (kind === 'needs_setup') return { kind: 'refused', code: 'PROCESSOR_NOT_CONFIGURED', detail };
  return { kind: 'refused', code, detail };
}

/** Words for an answer that did not settle the attempt. */
export function unknownWords(reason: 'network' | 'server' | 'sign_in' | 'busy'): string {
  switch (reason) {
    case 'network':
      return 'Could not reach the venue server — the card may or may not have been charged. Check again to ask about this same payment';
    case 'server':
      return 'The venue server did not say how the payment went — Check again to ask about this same payment';
    case 'sign_in':
      return 'Your session ended — sign in again, then Check again to ask about this same payment';
    case 'busy':
      return 'The reader is still working on this payment — Check again in a moment';
  }
}
