import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { EntityId, MinorUnits } from '#protocol';
import {
  CardBrand,
  DeclineCode,
  Last4,
  ProcessorReference,
  RefundFailure,
} from './payment-port.ts';

// What the processor tells the cloud later (`POST /v1/payments/processor-events`): a stored
// payment authorised or declined, a hosted checkout paid, a refund settled. The body is JSON,
// signed with a secret both sides hold: `Hearth-Processor-Signature: <hex HMAC-SHA256(secret,
// raw body)>`. Delivered at least once and in order per payment: read every event idempotently
// by its `id`.

export const PROCESSOR_SIGNATURE_HEADER = 'Hearth-Processor-Signature';

export const PROCESSOR_EVENT_TYPES = [
  'payment.authorised_later',
  'payment.declined_later',
  'checkout.paid',
  'refund.refunded',
  'refund.failed',
] as const;
export type ProcessorEventType = (typeof PROCESSOR_EVENT_TYPES)[number];

export const ProcessorEvent = z.object({
  /** Unique per event: deliveries of the same event carry the same id. */
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 URL-safe characters'),
  type: z.enum(PROCESSOR_EVENT_TYPES),
  tenantId: EntityId,
  venueId: EntityId,
  /** payment.* and refund.* (the refunded payment). */
  paymentId: EntityId.optional(),
  /** checkout.paid. */
  checkoutId: EntityId.optional(),
  /** refund.*. */
  refundId: EntityId.optional(),
  /** The charge's reference (payment.*, checkout.paid) or the refund's (refund.*). */
  reference: ProcessorReference,
  /** payment.declined_later. */
  declineCode: DeclineCode.optional(),
  /** refund.failed: why. */
  reason: RefundFailure.optional(),
  brand: CardBrand.optional(),
  last4: Last4.optional(),
  amount: MinorUnits.optional(),
  tip: MinorUnits.optional(),
  orderId: EntityId.optional(),
});
export type ProcessorEvent = z.infer<typeof ProcessorEvent>;

/** Why an event was not taken: no or malformed signature, a wrong one, or a body that is no event. */
export type EventRejection =
  | { kind: 'missing_signature' }
  | { kind: 'bad_signature' }
  | { kind: 'malformed_body'; detail: string };

export type VerifiedEvent =
  | { ok: true; event: ProcessorEvent }
  | { ok: false; error: EventRejection };

/** The signature header's value for `body`: hex HMAC-SHA256 under `secret`. */
export function signEvent(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

/**
 * Checks `signatureHeader` against the raw body (the bytes as received, before any parsing) in
 * constant time, then parses the event. The signature is checked first: an unsigned body is
 * never parsed.
 */
export function verifyEvent(
  secret: string,
  rawBody: string,
  signatureHeader: string | null | undefined,
): VerifiedEvent {
  const given = signatureHeader?.trim().toLowerCase();
  if (!given) return { ok: false, error: { kind: 'missing_signature' } };
  if (!/^[0-9a-f]{64}$/.test(given)) return { ok: false, error: { kind: 'bad_signature' } };
  const expected = Buffer.from(signEvent(secret, rawBody), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex')))
    return { ok: false, error: { kind: 'bad_signature' } };
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return { ok: false, error: { kind: 'malformed_body', detail: 'the body is not JSON' } };
  }
  const parsed = ProcessorEvent.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      error: { kind: 'malformed_body', detail: z.prettifyError(parsed.error) },
    };
  return { ok: true, event: parsed.data };
}
