import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';
import { MinorUnits } from '../../money/money.ts';

/**
 * Settles an order. Cash works offline; card carries the gateway's reference and the
 * amount charged, never card data.
 */
export const PaymentInput = z.discriminatedUnion('method', [
  z.object({ method: z.literal('cash'), tendered: MinorUnits }),
  z.object({
    method: z.literal('card'),
    amount: MinorUnits,
    reference: z.string().min(1).max(100),
  }),
]);
export type PaymentInput = z.infer<typeof PaymentInput>;

export const OrderClose = z.object({ orderId: EntityId, payment: PaymentInput });
export type OrderClose = z.infer<typeof OrderClose>;
