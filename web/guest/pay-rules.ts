import type { Order } from '#protocol';
import { brandName } from '../app/card-words.ts';

export { brandName };

/*
 * Paying the table's bill from the phone, pure: what is owed, the bill's lines, the tip in
 * integer minor units, and the cloud's answers to the hosted checkout as the sheet acts on them.
 * Card data never comes near this page: the card is typed on the processor's own page, and what
 * comes back is a reference, a brand and the last four digits.
 *
 *   Pay <amount> ─POST …/payments/checkout {checkoutId, orderId, tip, returnUrl}─▶ 201 {url}
 *     └─▶ the processor's page ─▶ back here with ?checkout=<id>
 *         ─GET …/payments/checkout/<id> (a few times, backing off)─▶ paid → the receipt
 *                                                                   cancelled → Pay again
 *   offline, or no answer ─▶ "ask your server" (nothing is queued: a payment is never in the outbox)
 */

/** What is still owed on an order, in minor units (protocol's `balanceOf`, without zod). */
export const balanceOf = (order: Pick<Order, 'totals' | 'paid'>): number =>
  Math.max(0, order.totals.total - (order.paid ?? 0));

/** The table's orders a guest can pay now: lines on them and something owed, oldest first. */
export const payableOrders = (orders: readonly Order[]): Order[] =>
  orders.filter(
    (o) => (o.status === 'open' || o.status === 'sent') && o.lines.length > 0 && balanceOf(o) > 0,
  );

export interface BillLine {
  readonly id: string;
  readonly name: string;
  readonly quantity: number;
  readonly modifiers: readonly { readonly name: string; readonly priceDelta: number }[];
  readonly note: string | undefined;
  /** (unit price + modifiers) × quantity; shown struck through when voided. */
  readonly amount: number;
  /** Removed by staff: on the bill for the record, not counted. */
  readonly voided: boolean;
}

export interface Bill {
  readonly orderId: string;
  readonly currency: string;
  readonly lines: readonly BillLine[];
  readonly subtotal: number;
  readonly tax: number;
  /** The tax is inside the prices (EU style) rather than added on top. */
  readonly taxIncluded: boolean;
  readonly total: number;
  /** Paid already, by anyone at the table or by staff. */
  readonly paid: number;
  /** What is left to pay before any tip. */
  readonly balance: number;
}

/** The bill as the guest reads it; the totals are the order's own (the protocol computed them). */
export function billOf(order: Order): Bill {
  const { totals } = order;
  return {
    orderId: order.id,
    currency: totals.currency,
    lines: order.lines.map((line) => {
      const unit = line.unitPrice + line.modifiers.reduce((sum, m) => sum + m.priceDelta, 0);
      return {
        id: line.id,
        name: line.name,
        quantity: line.quantity,
        modifiers: line.modifiers.map((m) => ({ name: m.name, priceDelta: m.priceDelta })),
        note: line.note || undefined,
        amount: unit * line.quantity,
        voided: Boolean(line.voidedAt),
      };
    }),
    subtotal: totals.subtotal,
    tax: totals.tax,
    // Inclusive tax leaves the total at the subtotal; added tax raises it.
    taxIncluded: totals.total === totals.subtotal,
    total: totals.total,
    paid: order.paid ?? 0,
    balance: balanceOf(order),
  };
}

export const TIP_PERCENTS = [10, 15, 20] as const;
export type TipPercent = (typeof TIP_PERCENTS)[number];

export type TipChoice =
  | { readonly kind: 'none' }
  | { readonly kind: 'percent'; readonly percent: TipPercent }
  /** Typed by the guest in the currency's major units ("2.50"). */
  | { readonly kind: 'custom'; readonly text: string };

export const NO_TIP: TipChoice = { kind: 'none' };

/** `percent` % of `minor`, rounded half up, in integers. */
export const percentOf = (minor: number, percent: number): number =>
  Math.floor((minor * percent + 50) / 100);

export type TipResult =
  | { readonly ok: true; readonly tip: number }
  | { readonly ok: false; readonly tip: 0; readonly error: string };

/**
 * An amount typed in major units ("2.50", "2,5", "3") as minor units, read from the text, never
 * through a float: `digits` is the currency's decimals (2 for EUR, 0 for JPY, 3 for KWD).
 */
export function minorOfText(text: string, digits: number): number | undefined {
  const match = /^(\d{1,7})(?:[.,](\d*))?$/.exec(text.trim());
  if (!match) return undefined;
  const [, whole = '', fraction = ''] = match;
  if (fraction.length > digits) return undefined;
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

/** The tip a choice makes on `base` (what is owed), in minor units, or why it cannot be read. */
export function tipOf(choice: TipChoice, base: number, digits: number): TipResult {
  switch (choice.kind) {
    case 'none':
      return { ok: true, tip: 0 };
    case 'percent':
      return { ok: true, tip: percentOf(base, choice.percent) };
    case 'custom': {
      if (choice.text.trim() === '') return { ok: true, tip: 0 };
      const tip = minorOfText(choice.text, digits);
      if (tip === undefined) {
        const example = digits > 0 ? `2.${'5'.padEnd(digits, '0')}` : '200';
        return { ok: false, tip: 0, error: `Type the tip as an amount, like ${example}` };
      }
      // A typo (an extra zero) should not double the bill.
      if (tip > base)
        return { ok: false, tip: 0, error: 'That tip is more than the bill — check the amount' };
      return { ok: true, tip };
    }
  }
}

/** The whole charge: what is owed plus the tip. */
export const amountToPay = (balance: number, tip: number): number => balance + tip;

// ── The cloud's answers ─────────────────────────────────────────────────────────────────

export const OFFLINE_WORDS =
  'Paying from your phone needs the internet — ask your server to take payment at the table';
export const UNAVAILABLE_WORDS = 'Paying by phone is not available here';
export const CANCELLED_WORDS = 'Payment cancelled — nothing was charged';

/** The answer to `POST …/payments/checkout`, as the sheet acts on it. */
export type CheckoutAnswer =
  /** Off to the processor's page. */
  | { readonly kind: 'go'; readonly url: string }
  /** No connection (the phone, the venue relay's uplink or the worker said so). */
  | { readonly kind: 'offline' }
  /** The venue takes no payments by phone. */
  | { readonly kind: 'unavailable' }
  /** Not started; `retry`: undecided, so the same checkoutId goes again. */
  | { readonly kind: 'failed'; readonly message: string; readonly retry: boolean };

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value ? value : undefined;

/** Only the processor's web page: never a `javascript:` or other scheme from an answer. */
const isWebUrl = (value: unknown): value is string =>
  typeof value === 'string' && /^https?:\/\//i.test(value);

/**
 * Reads the answer to `POST /v1/venues/:venueId/payments/checkout`: 201 {checkoutId, url};
 * 503 problem kind `needs_setup` (no processor) or `needs_internet` (a venue relay cut off from
 * the cloud); the service worker's 503 OFFLINE when the origin cannot be reached; back_off and
 * retry_later problems (502 from the processor, 409 in flight) keep the attempt; other problems
 * (422 refused by the order's rules, 409 the processor refused) end it, with their words.
 */
export function checkoutAnswerOf(status: number | 'no-answer', body: unknown): CheckoutAnswer {
  if (status === 'no-answer') return { kind: 'offline' };
  const said = record(body);
  if (status >= 200 && status < 300) {
    if (isWebUrl(said.url)) return { kind: 'go', url: said.url };
    return {
      kind: 'failed',
      retry: true,
      message: 'The payment page could not be opened. Try again, or ask your server.',
    };
  }
  if (said.kind === 'needs_setup') return { kind: 'unavailable' };
  if (said.kind === 'needs_internet' || said.code === 'OFFLINE') return { kind: 'offline' };
  const why = text(said.detail) ?? text(said.title);
  // The problem's kind says whether the same request may go again; without one, the status.
  const retry =
    typeof said.kind === 'string'
      ? said.kind === 'back_off' || said.kind === 'retry_later'
      : status === 409 || status === 429 || status >= 500;
  if (retry) {
    return {
      kind: 'failed',
      retry: true,
      message: `The payment could not be started just now${why ? ` (${why})` : ''}. Try again in a moment.`,
    };
  }
  return {
    kind: 'failed',
    retry: false,
    message: `The payment could not be started${why ? `: ${why}` : ''}. Ask your server to take payment at the table.`,
  };
}

export interface Receipt {
  /** The bill's share paid, before the tip. */
  readonly amount: number;
  readonly tip: number;
  readonly currency: string;
  readonly brand: string;
  readonly last4: string;
  readonly reference: string;
  /** ISO time, the cloud's. */
  readonly paidAt: string;
}

/** The answer to `GET …/payments/checkout/:id`. */
export type CheckoutState =
  | { readonly kind: 'open' }
  | { readonly kind: 'paid'; readonly receipt: Receipt }
  | { readonly kind: 'cancelled' }
  /** Asking again may help (no answer, 5xx, a paid answer without its receipt yet). */
  | { readonly kind: 'unknown'; readonly offline: boolean }
  /** Asking again will not help (404: no such checkout for this guest). */
  | { readonly kind: 'gone'; readonly message: string };

const isMinor = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function receiptOf(value: unknown): Receipt | undefined {
  const r = record(value);
  const ok =
    isMinor(r.amount) &&
    isMinor(r.tip) &&
    typeof r.currency === 'string' &&
    /^[A-Z]{3}$/.test(r.currency) &&
    typeof r.brand === 'string' &&
    typeof r.last4 === 'string' &&
    /^\d{4}$/.test(r.last4) &&
    typeof r.reference === 'string' &&
    typeof r.paidAt === 'string' &&
    !Number.isNaN(Date.parse(r.paidAt));
  return ok ? (r as unknown as Receipt) : undefined;
}

export function checkoutStateOf(status: number | 'no-answer', body: unknown): CheckoutState {
  if (status === 'no-answer') return { kind: 'unknown', offline: true };
  const said = record(body);
  if (status >= 200 && status < 300) {
    if (said.status === 'open') return { kind: 'open' };
    if (said.status === 'cancelled') return { kind: 'cancelled' };
    if (said.status === 'paid') {
      const receipt = receiptOf(said.receipt);
      if (receipt) return { kind: 'paid', receipt };
    }
    return { kind: 'unknown', offline: false };
  }
  if (said.kind === 'needs_internet' || said.code === 'OFFLINE')
    return { kind: 'unknown', offline: true };
  if (status === 404 || status === 403 || status === 401) {
    return {
      kind: 'gone',
      message:
        'We can’t find this payment for your table. If your card was charged, show your server the card provider’s confirmation.',
    };
  }
  return { kind: 'unknown', offline: false };
}

/** Waits between asks for the checkout's state: backing off, about 15 s in all. */
export const POLL_DELAYS_MS: readonly number[] = [0, 1000, 2000, 4000, 8000];

/** The checkout id the processor's page sent the guest back with (`?checkout=`). */
export function checkoutOfUrl(href: string): string | null {
  try {
    return new URL(href).searchParams.get('checkout')?.trim() || null;
  } catch {
    return null;
  }
}

/** The page's URL without `?checkout=` (the address bar after the answer; the next returnUrl). */
export function withoutCheckout(href: string): string {
  const url = new URL(href);
  url.searchParams.delete('checkout');
  return url.toString();
}

export interface ReceiptView {
  readonly amount: string;
  readonly tip: string;
  readonly total: string;
  /** "Visa ·· 4242" */
  readonly card: string;
  readonly reference: string;
  /** When it was paid, in the venue's locale and time zone. */
  readonly time: string;
}

/** The receipt in words: `price` formats minor units in the receipt's currency. */
export function receiptViewOf(
  receipt: Receipt,
  price: (minor: number) => string,
  locale: string,
  timeZone: string,
): ReceiptView {
  let time: string;
  try {
    time = new Intl.DateTimeFormat(locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone,
    }).format(Date.parse(receipt.paidAt));
  } catch {
    time = new Date(receipt.paidAt).toISOString();
  }
  return {
    amount: price(receipt.amount),
    tip: price(receipt.tip),
    total: price(receipt.amount + receipt.tip),
    card: `${brandName(receipt.brand)} ·· ${receipt.last4}`,
    reference: receipt.reference,
    time,
  };
}
