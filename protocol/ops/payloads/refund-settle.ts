import * as z from 'zod';
import { ProcessorReference } from '../../entities/payment.ts';
import { Ulid } from '../../ids/ulid.ts';

/** What the processor did with a refund (server-made, by the cloud that sent it). */
export const RefundSettle = z.object({
  refundId: Ulid,
  outcome: z.enum(['refunded', 'failed']),
  reference: ProcessorReference.optional(),
  failure: z.string().min(1).max(200).optional(),
});
export type RefundSettle = z.infer<typeof RefundSettle>;
