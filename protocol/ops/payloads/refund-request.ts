import * as z from 'zod';
import { Ulid } from '../../ids/ulid.ts';
import { MinorUnits } from '../../money/money.ts';

/** A manager refunds (part of) a payment; the request is the approval, sent when online. */
export const RefundRequest = z.object({
  refundId: Ulid,
  paymentId: Ulid,
  amount: MinorUnits.min(1),
  reason: z.string().min(1).max(200),
});
export type RefundRequest = z.infer<typeof RefundRequest>;
