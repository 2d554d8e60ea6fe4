import * as z from 'zod';
import { EntityId, Timestamp } from '../ids/entity-id.ts';
import { Ulid } from '../ids/ulid.ts';
import { CurrencyCode, MinorUnits } from '../money/money.ts';
import { ProcessorReference } from './payment.ts';

/** approved (by the manager who asked) → refunded or failed, by the cloud, online only. */
export const RefundStatus = z.enum(['approved', 'refunded', 'failed']);
export type RefundStatus = z.infer<typeof RefundStatus>;

/**
 * Money given back on a payment. Never sent offline: a manager's request waits (in the outbox,
 * the relay's journal) until the cloud has it and sends it to the processor.
 */
export const Refund = z.object({
  id: Ulid,
  paymentId: Ulid,
  orderId: EntityId,
  method: z.enum(['cash', 'card']),
  currency: CurrencyCode,
  amount: MinorUnits,
  reason: z.string().min(1).max(200),
  /** The manager or owner whose request is the approval. */
  requestedBy: z.string().min(1).max(80),
  requestedAt: Timestamp,
  status: RefundStatus,
  reference: ProcessorReference.nullable(),
  failure: z.string().max(200).nullable(),
  settledAt: Timestamp.nullable(),
  version: z.number().int().min(1),
});
export type Refund = z.infer<typeof Refund>;
