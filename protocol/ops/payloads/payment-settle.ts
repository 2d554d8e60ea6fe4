import * as z from 'zod';
import { Ulid } from '../../ids/ulid.ts';

/** The processor authorised or declined a stored payment (server-made, from its event). */
export const PaymentSettle = z.object({
  paymentId: Ulid,
  outcome: z.enum(['approved_later', 'declined_later']),
  declineCode: z.string().min(1).max(60).optional(),
});
export type PaymentSettle = z.infer<typeof PaymentSettle>;
