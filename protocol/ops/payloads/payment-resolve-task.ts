import * as z from 'zod';
import { Ulid } from '../../ids/ulid.ts';

/** A manager marks the follow-up of a payment declined later as handled, saying how. */
export const PaymentResolveTask = z.object({
  paymentId: Ulid,
  note: z.string().min(1).max(500),
});
export type PaymentResolveTask = z.infer<typeof PaymentResolveTask>;
