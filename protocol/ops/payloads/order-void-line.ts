import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';

/**
 * Voids a line already with the kitchen (an unsent line is removed with `order.removeLine`):
 * it leaves the totals, and its ticket line is struck through until the kitchen acknowledges.
 */
export const OrderVoidLine = z.object({
  orderId: EntityId,
  lineId: EntityId,
  reason: z.string().min(1).max(200),
});
export type OrderVoidLine = z.infer<typeof OrderVoidLine>;
