import * as z from 'zod';
import { DeviceId } from '../ids/device-id.ts';
import { EntityId, Timestamp } from '../ids/entity-id.ts';
import { Ulid } from '../ids/ulid.ts';
import { CurrencyCode, MinorUnits } from '../money/money.ts';

/** A card's brand as the processor names it ("visa"); never anything that identifies the card. */
export const CardBrand = z.string().regex(/^[a-z][a-z0-9_]{0,23}$/);
/** The last four digits the processor reports, and only those. */
export const CardLast4 = z.string().regex(/^[0-9]{4}$/);

/** The processor's reference for a card payment or refund. */
export const ProcessorReference = z.string().regex(/^[A-Za-z0-9_:.-]{1,100}$/);

/**
 * What a card payment is now. `approved` and `declined` are the processor's answer online;
 * `stored` is taken offline by the processor's store-and-forward and later becomes
 * `approved_later` or `declined_later` (the states of `payment-machine.ts` that are recorded).
 */
export const PaymentStatus = z.enum([
  'approved',
  'declined',
  'stored',
  'approved_later',
  'declined_later',
]);
export type PaymentStatus = z.infer<typeof PaymentStatus>;

/** How the card was presented: on the venue's reader, or on the processor's page (a guest). */
export const CardEntry = z.enum(['reader', 'hosted']);
export type CardEntry = z.infer<typeof CardEntry>;

/**
 * One payment towards a check: cash, or a card payment as the processor answered it. Card data
 * is never here: only the processor's reference, brand and last four.
 */
export const PaymentRecord = z.object({
  /** Made on the device before the first attempt: the attempt's idempotency key. */
  id: Ulid,
  orderId: EntityId,
  tableId: EntityId.nullable(),
  /** The device the payment was taken on. */
  deviceId: DeviceId,
  /** Who took it. */
  takenBy: z.string().min(1).max(80),
  /** A manager or owner who took it offline above the per-transaction limit. */
  approvedBy: z.string().min(1).max(80).nullable(),
  method: z.enum(['cash', 'card']),
  currency: CurrencyCode,
  /** Towards the check, before tip. */
  amount: MinorUnits,
  tip: MinorUnits,
  cash: z.object({ tendered: MinorUnits, change: MinorUnits }).nullable(),
  card: z
    .object({
      reference: ProcessorReference,
      brand: CardBrand.nullable(),
      last4: CardLast4.nullable(),
      entry: CardEntry,
    })
    .nullable(),
  status: PaymentStatus,
  declineCode: z.string().max(60).nullable(),
  /** Taken by the processor's store-and-forward while it could not reach its network. */
  offline: z.boolean(),
  /** The cash drawer a cash payment went into. */
  drawerId: EntityId.nullable(),
  /** Server time of the decision that took it (the relay's, when taken offline). */
  takenAt: Timestamp,
  /** Server time the processor authorised or declined a stored payment. */
  settledAt: Timestamp.nullable(),
  /** Refunded so far. */
  refunded: MinorUnits,
  /** A manager's follow-up: open after a stored payment was declined later. */
  task: z.enum(['open', 'handled']).nullable(),
  handledBy: z.string().min(1).max(80).nullable(),
  note: z.string().max(500).nullable(),
  version: z.number().int().min(1),
});
export type PaymentRecord = z.infer<typeof PaymentRecord>;

/** Payments that pay the check: cash, approved, and stored ones the processor may still decline. */
export function paymentCounts(payment: Pick<PaymentRecord, 'status'>): boolean {
  return (
    payment.status === 'approved' ||
    payment.status === 'approved_later' ||
    payment.status === 'stored'
  );
}

/** Payments the processor has charged (cash counts as charged). */
export function paymentCharged(payment: Pick<PaymentRecord, 'status'>): boolean {
  return payment.status === 'approved' || payment.status === 'approved_later';
}
