import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';
import { Ulid } from '../../ids/ulid.ts';
import { MinorUnits } from '../../money/money.ts';

/**
 * Cash towards a check, taken on the device; works offline. `amount` is what it pays of the
 * check (the whole balance, cash-rounded, or a part of it), `tip` what the guest left on top;
 * the change is `tendered − amount − tip`.
 */
export const PaymentCash = z.object({
  paymentId: Ulid,
  orderId: EntityId,
  amount: MinorUnits.min(1),
  tip: MinorUnits,
  tendered: MinorUnits,
  /** The device's open drawer the cash goes into, when the venue uses drawers. */
  drawerId: EntityId.optional(),
});
export type PaymentCash = z.infer<typeof PaymentCash>;
