import * as z from 'zod';
import { CardBrand, CardEntry, CardLast4, ProcessorReference } from '../../entities/payment.ts';
import { EntityId } from '../../ids/entity-id.ts';
import { Ulid } from '../../ids/ulid.ts';
import { MinorUnits } from '../../money/money.ts';

/**
 * A card payment as the processor answered it. Made only by the cloud's or the relay's payment
 * service after the payment port answered (`SERVER_MADE_OPS`): a device never claims a card
 * was approved. `stored` is the processor's store-and-forward, decided against the venue's
 * offline card limits.
 */
export const PaymentCard = z.object({
  paymentId: Ulid,
  orderId: EntityId,
  amount: MinorUnits.min(1),
  tip: MinorUnits,
  outcome: z.enum(['approved', 'declined', 'stored']),
  reference: ProcessorReference,
  brand: CardBrand.optional(),
  last4: CardLast4.optional(),
  declineCode: z.string().min(1).max(60).optional(),
  entry: z.enum(CardEntry.options),
});
export type PaymentCard = z.infer<typeof PaymentCard>;
