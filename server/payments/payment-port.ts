import * as z from 'zod';
import { CurrencyCode, EntityId, MinorUnits } from '#protocol';

// The payment port: what Hearth asks of a card processor, and what it answers. Card reading and
// authorisation happen in the processor; Hearth keeps only its reference, the brand and the last
// four digits. Never a card number, track data, CVV or PIN: none of these shapes has room for one.
// The answers are zod schemas because they cross a process boundary (the processor's HTTP API).

/** The processor's own reference for a charge or a refund (URL-safe, opaque). */
export const ProcessorReference = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 URL-safe characters');

/** A card brand as the processor names it (`visa`, `mastercard`, `amex`, …). */
export const CardBrand = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,23}$/, 'must be a lower-case brand name such as visa');

/** The card's last four digits: exactly four, never more of the number. */
export const Last4 = z.string().regex(/^\d{4}$/, 'must be four digits');

/** Why the processor refused: a code such as `insufficient_funds` or `offline_not_allowed`. */
export const DeclineCode = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a lower-case code such as do_not_honor');

/** The reader (card terminal) at the venue that takes the card, by the processor's id. */
export const ReaderId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1–64 URL-safe characters');

/** A processor's sentence for the staff: shown, never parsed. */
const Message = z.string().max(200);

/**
 * The guest chooses the tip on the reader (as Square, Stripe and Toast readers prompt), up to
 * `maxTip` in minor units: the reader never offers more. The request's own `tip` is then 0.
 */
export const TipOnReader = z.object({ maxTip: MinorUnits });
export type TipOnReader = z.infer<typeof TipOnReader>;

export const CardChargeRequest = z
  .object({
    /** The attempt's id, made on the device: the Idempotency-Key of the charge. */
    paymentId: EntityId,
    tenantId: EntityId,
    venueId: EntityId,
    orderId: EntityId,
    reader: ReaderId,
    /** Before tip, in minor units; a charge is for something. */
    amount: MinorUnits.min(1),
    tip: MinorUnits,
    currency: CurrencyCode,
    /** Whether the processor may store the payment and forward it later when it is offline. */
    allowStore: z.boolean(),
    /** Set: the reader asks the guest for a tip; the approved or stored answer carries it. */
    tipOnReader: TipOnReader.optional(),
  })
  .refine((r) => r.tipOnReader === undefined || r.tip === 0, {
    message: 'tip must be 0 when the guest chooses it on the reader',
    path: ['tip'],
  });
export type CardChargeRequest = z.infer<typeof CardChargeRequest>;

/** The tip the guest chose on the reader (0..maxTip): only on a charge with `tipOnReader`. */
const ReaderTip = MinorUnits.optional();

export const ApprovedAnswer = z.object({
  outcome: z.literal('approved'),
  reference: ProcessorReference,
  brand: CardBrand,
  last4: Last4,
  tip: ReaderTip,
});
export const DeclinedAnswer = z.object({
  outcome: z.literal('declined'),
  reference: ProcessorReference,
  declineCode: DeclineCode,
  message: Message,
});
/** Taken by the processor's store-and-forward: authorised or declined later, by an event. */
export const StoredAnswer = z.object({
  outcome: z.literal('stored'),
  reference: ProcessorReference,
  brand: CardBrand,
  last4: Last4,
  tip: ReaderTip,
});
/** No answer in time: the card may have been charged. Ask again by paymentId; never charge twice. */
export const TimedOutAnswer = z.object({ outcome: z.literal('timed_out') });
/** `lookup` only: the processor has no charge with that paymentId. */
export const UnknownAnswer = z.object({ outcome: z.literal('unknown') });

/** What the processor itself answers a charge with (timed_out is the client's, never the processor's). */
export const ProcessorChargeAnswer = z.discriminatedUnion('outcome', [
  ApprovedAnswer,
  DeclinedAnswer,
  StoredAnswer,
]);
export type ProcessorChargeAnswer = z.infer<typeof ProcessorChargeAnswer>;

export const CardChargeAnswer = z.discriminatedUnion('outcome', [
  ApprovedAnswer,
  DeclinedAnswer,
  StoredAnswer,
  TimedOutAnswer,
]);
export type CardChargeAnswer = z.infer<typeof CardChargeAnswer>;

/**
 * Why an answer to a charge with `tipOnReader` cannot be taken (an approved or stored one
 * without the guest's tip, or with one above maxTip), or undefined when it can: the limits were
 * reserved for amount + maxTip, so a larger tip is never recorded.
 */
export function readerTipProblem(
  tipOnReader: TipOnReader | undefined,
  answer: { outcome: string; tip?: number | undefined },
): string | undefined {
  if (tipOnReader === undefined) return undefined;
  if (answer.outcome !== 'approved' && answer.outcome !== 'stored') return undefined;
  if (answer.tip === undefined) return 'the answer has no tip although the reader asked for one';
  if (answer.tip > tipOnReader.maxTip)
    return `the tip ${answer.tip} is above the reader's maximum ${tipOnReader.maxTip}`;
  return undefined;
}

export const LookupAnswer = z.discriminatedUnion('outcome', [
  ApprovedAnswer,
  DeclinedAnswer,
  StoredAnswer,
  TimedOutAnswer,
  UnknownAnswer,
]);
export type LookupAnswer = z.infer<typeof LookupAnswer>;

export const RefundRequest = z.object({
  /** The refund's id: the Idempotency-Key of the refund. */
  refundId: EntityId,
  paymentId: EntityId,
  /** The charge's processor reference. */
  reference: ProcessorReference,
  /** In minor units, tip included when it is refunded too. */
  amount: MinorUnits.min(1),
  currency: CurrencyCode,
});
export type RefundRequest = z.infer<typeof RefundRequest>;

/** Why a refund failed: `refund_declined`, `unknown_payment`, `not_settled`, `exceeds_payment`, … */
export const RefundFailure = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a lower-case code such as refund_declined');

export const ProcessorRefundAnswer = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('refunded'), reference: ProcessorReference }),
  z.object({ outcome: z.literal('failed'), reason: RefundFailure }),
]);
export type ProcessorRefundAnswer = z.infer<typeof ProcessorRefundAnswer>;

export const RefundAnswer = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('refunded'), reference: ProcessorReference }),
  z.object({ outcome: z.literal('failed'), reason: RefundFailure }),
  TimedOutAnswer,
]);
export type RefundAnswer = z.infer<typeof RefundAnswer>;

export const CheckoutRequest = z.object({
  checkoutId: EntityId,
  tenantId: EntityId,
  venueId: EntityId,
  orderId: EntityId,
  amount: MinorUnits.min(1),
  tip: MinorUnits,
  currency: CurrencyCode,
  /** Where the hosted page sends the guest back, with `?checkout=<checkoutId>`. */
  returnUrl: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL'),
});
export type CheckoutRequest = z.infer<typeof CheckoutRequest>;

export const CheckoutCreated = z.object({
  checkoutId: EntityId,
  /** The processor's hosted payment page for the guest. */
  url: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL'),
});
export type CheckoutCreated = z.infer<typeof CheckoutCreated>;

export const CheckoutStatus = z.object({
  status: z.enum(['open', 'paid', 'cancelled']),
  /** Once paid. */
  payment: z
    .object({
      reference: ProcessorReference,
      brand: CardBrand,
      last4: Last4,
      amount: MinorUnits,
      tip: MinorUnits,
    })
    .optional(),
});
export type CheckoutStatus = z.infer<typeof CheckoutStatus>;

/**
 * A card processor as Hearth uses it. The cloud and the relay hold one (the HTTP client of
 * `processor-client.ts`; `memory-processor.ts` in unit tests).
 *
 * @example
 * const answer = await port.charge({ paymentId, tenantId, venueId, orderId, reader: 'reader-1',
 *   amount: 2450, tip: 300, currency: 'EUR', allowStore: false });
 * // or let the guest choose on the reader: { …, tip: 0, tipOnReader: { maxTip: 735 } } → answer.tip
 * if (answer.outcome === 'timed_out') // ask again: await port.lookup(paymentId), never a new charge
 */
export interface PaymentPort {
  /**
   * Idempotent per paymentId: a repeat returns the first answer, never a second charge. With
   * `tipOnReader`, an approved or stored answer carries the guest's `tip`, never above maxTip.
   */
  charge(req: CardChargeRequest): Promise<CardChargeAnswer>;
  /** The charge's answer by paymentId, `unknown` when the processor never saw it. */
  lookup(paymentId: string): Promise<LookupAnswer>;
  /** Idempotent per refundId. */
  refund(req: RefundRequest): Promise<RefundAnswer>;
  createCheckout(req: CheckoutRequest): Promise<CheckoutCreated>;
  checkout(checkoutId: string): Promise<CheckoutStatus>;
}

/**
 * The port could not give an answer: `unavailable` (no processor reached where a guess would be
 * wrong: lookup, checkouts), `rejected` (the processor refused the request: a caller's bug such
 * as a reused Idempotency-Key with another amount, 409), `bad_answer` (it answered something
 * that is not one of the answers above: never read as a guess).
 */
export class PaymentPortError extends Error {
  override readonly name = 'PaymentPortError';
  readonly code: 'unavailable' | 'rejected' | 'bad_answer';
  readonly status: number | undefined;
  constructor(code: PaymentPortError['code'], message: string, status?: number) {
    super(message);
    this.code = code;
    this.status = status;
  }
}
