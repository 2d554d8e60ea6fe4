import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import type {
  CardChargeRequest,
  CheckoutRequest,
  CheckoutStatus,
  ProcessorChargeAnswer,
  ProcessorRefundAnswer,
  RefundRequest,
} from './payment-port.ts';
import { DeclineCode } from './payment-port.ts';
import type { ProcessorEvent } from './processor-events.ts';

// A simulated card processor's decisions and records, with no I/O: what the test processor's
// HTTP process (`test-processor/`) serves and what the in-memory port (`memory-processor.ts`)
// answers, so the two behave alike. Tests script it (declines, a network outage, timeouts, a
// later decline of a stored payment); it picks a well-known test card itself and only ever
// tells anyone the brand and the last four digits.

/**
 * Well-known test card numbers, as a reader would read them. They stay in this file: answers,
 * records, events, state and logs carry the brand and the last four only.
 */
const TEST_CARDS: readonly { readonly number: string; readonly brand: string }[] = [
  { number: '4242424242424242', brand: 'visa' },
  { number: '5555555555554444', brand: 'mastercard' },
  { number: '378282246310005', brand: 'amex' },
  { number: '6011111111111117', brand: 'discover' },
  { number: '3566002020360505', brand: 'jcb' },
];

/** What a test may script (all optional: a field left out keeps its value). */
export const ScriptUpdate = z
  .object({
    /** The processor's own link to the card networks: down, a charge is stored or declined. */
    networkDown: z.boolean(),
    /** How long the reader takes to read a card before the answer (ms). */
    latencyMs: z.number().int().min(0).max(60_000),
    /** Decline codes for the next online charges, one per charge, in order. */
    declineNext: z.array(DeclineCode).max(100),
    /** The next N charges are recorded but answered too late (after `timeoutDelayMs`). */
    timeoutNext: z.number().int().min(0).max(100),
    /** How late a timed-out charge answers (ms): longer than the client waits. */
    timeoutDelayMs: z.number().int().min(0).max(100_000),
    /** PaymentIds of stored payments to decline (do_not_honor) when forwarded, not authorise. */
    declineLater: z.array(z.string().min(1).max(80)).max(100),
    /** The next N refunds fail (`refund_declined`). */
    refundFailNext: z.number().int().min(0).max(100),
    /** Forward stored payments this long after the network comes back (null: only when asked). */
    forwardAfterMs: z.number().int().min(0).max(600_000).nullable(),
    /**
     * The tip guests choose on the reader for the next charges that ask for one: minor units,
     * or `{ percent }` of the amount (rounded down); always capped at the charge's maxTip.
     */
    readerTip: z.union([
      z.number().int().min(0).max(10_000_000),
      z.object({ percent: z.number().min(0).max(100) }).strict(),
    ]),
  })
  .partial()
  .strict();
export type ScriptUpdate = z.infer<typeof ScriptUpdate>;
export type ProcessorScript = Required<ScriptUpdate>;

export const DEFAULT_SCRIPT: ProcessorScript = {
  networkDown: false,
  latencyMs: 0,
  declineNext: [],
  timeoutNext: 0,
  timeoutDelayMs: 30_000,
  declineLater: [],
  refundFailNext: 0,
  forwardAfterMs: null,
  readerTip: 0,
};

const DECLINE_MESSAGES: Readonly<Record<string, string>> = {
  insufficient_funds: 'The card has insufficient funds.',
  do_not_honor: 'The card issuer declined the payment.',
  expired_card: 'The card has expired.',
  card_not_supported: 'The card is not supported.',
  offline_not_allowed: 'The processor is offline and may not store this payment.',
};
const declineMessage = (code: string) =>
  DECLINE_MESSAGES[code] ?? `The payment was declined (${code}).`;

export type ChargeStatus = 'approved' | 'declined' | 'stored' | 'approved_later' | 'declined_later';

/** A payment the processor took (a reader's charge, or a hosted checkout's). */
export interface ChargeRecord {
  readonly reference: string;
  readonly entry: 'reader' | 'hosted';
  readonly paymentId: string | undefined;
  readonly checkoutId: string | undefined;
  readonly tenantId: string;
  readonly venueId: string;
  readonly orderId: string;
  readonly reader: string | undefined;
  readonly amount: number;
  /** The tip charged: the request's, or the one the guest chose on the reader. */
  readonly tip: number;
  /** The reader's cap when the guest chose the tip there (compared on a repeat), else undefined. */
  readonly maxTip: number | undefined;
  readonly currency: string;
  readonly allowStore: boolean;
  readonly brand: string;
  readonly last4: string;
  /** The first answer, returned to every repeat. */
  readonly answer: ProcessorChargeAnswer;
  status: ChargeStatus;
  declineCode: string | undefined;
  /** Refunded so far, in minor units. */
  refunded: number;
  readonly takenAt: string;
  settledAt: string | undefined;
}

export interface RefundRecord {
  readonly refundId: string;
  readonly paymentId: string;
  readonly chargeReference: string;
  readonly amount: number;
  readonly currency: string;
  readonly answer: ProcessorRefundAnswer;
  readonly at: string;
}

export interface CheckoutRecord {
  readonly checkoutId: string;
  readonly tenantId: string;
  readonly venueId: string;
  readonly orderId: string;
  readonly amount: number;
  readonly tip: number;
  readonly currency: string;
  readonly returnUrl: string;
  readonly url: string;
  status: 'open' | 'paid' | 'cancelled';
  /** The payment's reference, once paid. */
  reference: string | undefined;
  readonly createdAt: string;
}

/** A repeat of an idempotency key with another request (409): a caller's bug. */
export interface Conflict {
  readonly kind: 'conflict';
  readonly detail: string;
}

export type ChargeResult =
  | { kind: 'answer'; answer: ProcessorChargeAnswer; late: boolean; repeat: boolean }
  | Conflict;

export type PayResult = 'paid' | 'already_paid' | 'cancelled' | 'network_down' | 'unknown';

export interface ProcessorCoreOptions {
  /**
   * Called with every event, in the order they happen, with the reference of the charge it is
   * about (a refund's event too): events of one payment keep their order by it.
   */
  emit(event: ProcessorEvent, chargeReference: string): void;
  clock?: () => Date;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/** The simulated processor: decisions and records, synchronous and without I/O. */
export class ProcessorCore {
  private script: ProcessorScript = { ...DEFAULT_SCRIPT, declineNext: [], declineLater: [] };
  private readonly charges = new Map<string, ChargeRecord>();
  private readonly byReference = new Map<string, ChargeRecord>();
  private readonly refunds = new Map<string, RefundRecord>();
  private readonly checkouts = new Map<string, CheckoutRecord>();
  private cardsRead = 0;
  private readonly emit: (event: ProcessorEvent, chargeReference: string) => void;
  private readonly clock: () => Date;

  constructor(options: ProcessorCoreOptions) {
    this.emit = options.emit;
    this.clock = options.clock ?? (() => new Date());
  }

  /** The script now (a copy). */
  scripted(): ProcessorScript {
    return {
      ...this.script,
      declineNext: [...this.script.declineNext],
      declineLater: [...this.script.declineLater],
    };
  }

  /** Changes the script; says whether this brought the network back (down → up). */
  setScript(update: ScriptUpdate): { networkRestored: boolean } {
    const wasDown = this.script.networkDown;
    this.script = { ...this.script, ...update };
    return { networkRestored: wasDown && !this.script.networkDown };
  }

  /**
   * A reader's charge. The decision is made and recorded at once (so a lookup finds it while
   * the answer is still on its way); `late` says a scripted timeout holds the answer back.
   */
  charge(req: CardChargeRequest): ChargeResult {
    const existing = this.charges.get(req.paymentId);
    if (existing) {
      // A charge with a tip on the reader matches by whether it asked, not by the guest's tip.
      const sameTip =
        existing.maxTip === undefined
          ? req.tipOnReader === undefined && existing.tip === req.tip
          : req.tipOnReader !== undefined;
      const same =
        existing.amount === req.amount &&
        sameTip &&
        existing.currency === req.currency &&
        existing.orderId === req.orderId &&
        existing.venueId === req.venueId &&
        existing.tenantId === req.tenantId;
      if (!same)
        return {
          kind: 'conflict',
          detail: 'this Idempotency-Key was first used for another charge (amount, tip or order)',
        };
      return { kind: 'answer', answer: existing.answer, late: false, repeat: true };
    }
    const late = this.script.timeoutNext > 0;
    if (late) this.script.timeoutNext -= 1;
    const card = this.readCard();
    const reference = id('ch');
    const maxTip = req.tipOnReader?.maxTip;
    const tip = maxTip === undefined ? req.tip : this.readerTip(req.amount, maxTip);
    // Only a charge that asked the guest carries their tip back.
    const chosen = maxTip === undefined ? {} : { tip };
    let answer: ProcessorChargeAnswer;
    if (this.script.networkDown) {
      answer = req.allowStore
        ? { outcome: 'stored', reference, brand: card.brand, last4: card.last4, ...chosen }
        : {
            outcome: 'declined',
            reference,
            declineCode: 'offline_not_allowed',
            message: declineMessage('offline_not_allowed'),
          };
    } else {
      const code = this.script.declineNext.shift();
      answer =
        code === undefined
          ? { outcome: 'approved', reference, brand: card.brand, last4: card.last4, ...chosen }
          : { outcome: 'declined', reference, declineCode: code, message: declineMessage(code) };
    }
    const record: ChargeRecord = {
      reference,
      entry: 'reader',
      paymentId: req.paymentId,
      checkoutId: undefined,
      tenantId: req.tenantId,
      venueId: req.venueId,
      orderId: req.orderId,
      reader: req.reader,
      amount: req.amount,
      tip,
      maxTip,
      currency: req.currency,
      allowStore: req.allowStore,
      brand: card.brand,
      last4: card.last4,
      answer,
      status: answer.outcome,
      declineCode: answer.outcome === 'declined' ? answer.declineCode : undefined,
      refunded: 0,
      takenAt: this.now(),
      settledAt: answer.outcome === 'stored' ? undefined : this.now(),
    };
    this.charges.set(req.paymentId, record);
    this.byReference.set(reference, record);
    return { kind: 'answer', answer, late, repeat: false };
  }

  /** A charge's first answer by paymentId, or undefined when there was none. */
  lookup(paymentId: string): ProcessorChargeAnswer | undefined {
    return this.charges.get(paymentId)?.answer;
  }

  /**
   * Authorises every stored payment, except those scripted to decline later; emits
   * `payment.authorised_later` / `payment.declined_later` for each, in the order taken.
   */
  forward(): { paymentId: string; outcome: 'approved_later' | 'declined_later' }[] {
    const done: { paymentId: string; outcome: 'approved_later' | 'declined_later' }[] = [];
    for (const record of this.charges.values()) {
      if (record.status !== 'stored' || record.paymentId === undefined) continue;
      const decline = this.script.declineLater.includes(record.paymentId);
      record.status = decline ? 'declined_later' : 'approved_later';
      record.declineCode = decline ? 'do_not_honor' : undefined;
      record.settledAt = this.now();
      this.emit(
        {
          id: id('evt'),
          type: decline ? 'payment.declined_later' : 'payment.authorised_later',
          tenantId: record.tenantId,
          venueId: record.venueId,
          paymentId: record.paymentId,
          orderId: record.orderId,
          reference: record.reference,
          brand: record.brand,
          last4: record.last4,
          amount: record.amount,
          tip: record.tip,
          ...(decline ? { declineCode: 'do_not_honor' } : {}),
        },
        record.reference,
      );
      done.push({ paymentId: record.paymentId, outcome: record.status });
    }
    return done;
  }

  /** A refund, idempotent per refundId; emits `refund.refunded` / `refund.failed` the first time. */
  refund(req: RefundRequest): { kind: 'answer'; answer: ProcessorRefundAnswer } | Conflict {
    const existing = this.refunds.get(req.refundId);
    if (existing) {
      const same =
        existing.paymentId === req.paymentId &&
        existing.chargeReference === req.reference &&
        existing.amount === req.amount &&
        existing.currency === req.currency;
      if (!same)
        return {
          kind: 'conflict',
          detail: 'this Idempotency-Key was first used for another refund (payment or amount)',
        };
      return { kind: 'answer', answer: existing.answer };
    }
    const charge = this.byReference.get(req.reference);
    const failure = this.refundFailure(req, charge);
    const reference = id('re');
    const answer: ProcessorRefundAnswer =
      failure === undefined
        ? { outcome: 'refunded', reference }
        : { outcome: 'failed', reason: failure };
    if (charge && answer.outcome === 'refunded') charge.refunded += req.amount;
    this.refunds.set(req.refundId, {
      refundId: req.refundId,
      paymentId: req.paymentId,
      chargeReference: req.reference,
      amount: req.amount,
      currency: req.currency,
      answer,
      at: this.now(),
    });
    // An event needs the tenant and venue: a refund of a charge we never took has none.
    if (charge)
      this.emit(
        {
          id: id('evt'),
          type: answer.outcome === 'refunded' ? 'refund.refunded' : 'refund.failed',
          tenantId: charge.tenantId,
          venueId: charge.venueId,
          paymentId: req.paymentId,
          refundId: req.refundId,
          orderId: charge.orderId,
          reference,
          amount: req.amount,
          ...(answer.outcome === 'failed' ? { reason: answer.reason } : {}),
        },
        charge.reference,
      );
    return { kind: 'answer', answer };
  }

  private refundFailure(req: RefundRequest, charge: ChargeRecord | undefined): string | undefined {
    if (!charge || (charge.paymentId !== undefined && charge.paymentId !== req.paymentId))
      return 'unknown_payment';
    if (charge.status === 'stored') return 'not_settled';
    if (charge.status === 'declined' || charge.status === 'declined_later') return 'not_charged';
    if (charge.currency !== req.currency) return 'currency_mismatch';
    if (charge.refunded + req.amount > charge.amount + charge.tip) return 'exceeds_payment';
    if (this.script.refundFailNext > 0) {
      this.script.refundFailNext -= 1;
      return 'refund_declined';
    }
    return undefined;
  }

  /** A hosted checkout, idempotent per checkoutId; `pageUrl` gives its page's address. */
  createCheckout(
    req: CheckoutRequest,
    pageUrl: (checkoutId: string) => string,
  ): { kind: 'created'; checkout: CheckoutRecord } | Conflict {
    const existing = this.checkouts.get(req.checkoutId);
    if (existing) {
      const same =
        existing.amount === req.amount &&
        existing.tip === req.tip &&
        existing.currency === req.currency &&
        existing.orderId === req.orderId &&
        existing.returnUrl === req.returnUrl;
      if (!same)
        return { kind: 'conflict', detail: 'this checkoutId was first used for another checkout' };
      return { kind: 'created', checkout: existing };
    }
    const checkout: CheckoutRecord = {
      ...req,
      url: pageUrl(req.checkoutId),
      status: 'open',
      reference: undefined,
      createdAt: this.now(),
    };
    this.checkouts.set(req.checkoutId, checkout);
    return { kind: 'created', checkout };
  }

  checkoutRecord(checkoutId: string): CheckoutRecord | undefined {
    return this.checkouts.get(checkoutId);
  }

  checkoutStatus(checkoutId: string): CheckoutStatus | undefined {
    const checkout = this.checkouts.get(checkoutId);
    if (!checkout) return undefined;
    const payment = checkout.reference ? this.byReference.get(checkout.reference) : undefined;
    return {
      status: checkout.status,
      ...(payment
        ? {
            payment: {
              reference: payment.reference,
              brand: payment.brand,
              last4: payment.last4,
              amount: payment.amount,
              tip: payment.tip,
            },
          }
        : {}),
    };
  }

  /** The guest pays on the hosted page: recorded, and `checkout.paid` emitted (once). */
  payCheckout(checkoutId: string): PayResult {
    const checkout = this.checkouts.get(checkoutId);
    if (!checkout) return 'unknown';
    if (checkout.status === 'paid') return 'already_paid';
    if (checkout.status === 'cancelled') return 'cancelled';
    if (this.script.networkDown) return 'network_down';
    const card = this.readCard();
    const reference = id('ch');
    const record: ChargeRecord = {
      reference,
      entry: 'hosted',
      paymentId: undefined,
      checkoutId,
      tenantId: checkout.tenantId,
      venueId: checkout.venueId,
      orderId: checkout.orderId,
      reader: undefined,
      amount: checkout.amount,
      tip: checkout.tip,
      maxTip: undefined,
      currency: checkout.currency,
      allowStore: false,
      brand: card.brand,
      last4: card.last4,
      answer: { outcome: 'approved', reference, brand: card.brand, last4: card.last4 },
      status: 'approved',
      declineCode: undefined,
      refunded: 0,
      takenAt: this.now(),
      settledAt: this.now(),
    };
    this.byReference.set(reference, record);
    checkout.status = 'paid';
    checkout.reference = reference;
    this.emit(
      {
        id: id('evt'),
        type: 'checkout.paid',
        tenantId: checkout.tenantId,
        venueId: checkout.venueId,
        checkoutId,
        orderId: checkout.orderId,
        reference,
        brand: card.brand,
        last4: card.last4,
        amount: checkout.amount,
        tip: checkout.tip,
      },
      reference,
    );
    return 'paid';
  }

  /** The guest cancels on the hosted page; a paid checkout stays paid. */
  cancelCheckout(checkoutId: string): CheckoutRecord | undefined {
    const checkout = this.checkouts.get(checkoutId);
    if (checkout?.status === 'open') checkout.status = 'cancelled';
    return checkout;
  }

  /** Everything recorded, for inspection: brand and last four only, never a card number. */
  snapshot() {
    return {
      script: this.scripted(),
      charges: [...this.byReference.values()].map((c) => ({
        reference: c.reference,
        entry: c.entry,
        paymentId: c.paymentId ?? null,
        checkoutId: c.checkoutId ?? null,
        tenantId: c.tenantId,
        venueId: c.venueId,
        orderId: c.orderId,
        reader: c.reader ?? null,
        amount: c.amount,
        tip: c.tip,
        maxTip: c.maxTip ?? null,
        currency: c.currency,
        allowStore: c.allowStore,
        brand: c.brand,
        last4: c.last4,
        status: c.status,
        declineCode: c.declineCode ?? null,
        refunded: c.refunded,
        takenAt: c.takenAt,
        settledAt: c.settledAt ?? null,
      })),
      refunds: [...this.refunds.values()].map((r) => ({ ...r, answer: { ...r.answer } })),
      checkouts: [...this.checkouts.values()].map((c) => ({
        ...c,
        reference: c.reference ?? null,
      })),
    };
  }

  /** Forgets every record and puts the script back to its defaults. */
  reset(): void {
    this.script = { ...DEFAULT_SCRIPT, declineNext: [], declineLater: [] };
    this.charges.clear();
    this.byReference.clear();
    this.refunds.clear();
    this.checkouts.clear();
    this.cardsRead = 0;
  }

  /** The tip the scripted guest chooses on the reader: never above `maxTip`. */
  private readerTip(amount: number, maxTip: number): number {
    const scripted = this.script.readerTip;
    const wanted =
      typeof scripted === 'number' ? scripted : Math.floor((amount * scripted.percent) / 100);
    return Math.max(0, Math.min(wanted, maxTip));
  }

  /** The reader takes the next test card; only its brand and last four leave this method. */
  private readCard(): { brand: string; last4: string } {
    const card = TEST_CARDS[this.cardsRead++ % TEST_CARDS.length] as (typeof TEST_CARDS)[number];
    return { brand: card.brand, last4: card.number.slice(-4) };
  }

  private now(): string {
    return this.clock().toISOString();
  }
}

/** The test card numbers, for tests that search the processor's output for any of them. */
export const TEST_CARD_NUMBERS_FOR_TESTS: readonly string[] = TEST_CARDS.map((c) => c.number);
