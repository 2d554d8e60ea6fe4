import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';
import { LineInput } from './line-input.ts';
import { SendWithLines } from './order-send-to-kitchen.ts';

export const OrderAddLines = z.object({
  orderId: EntityId,
  lines: z.array(LineInput).min(1).max(100),
  /** Sends to the kitchen in the same op, as `order.sendToKitchen` would after the lines (staff only). */
  send: SendWithLines.optional(),
});
export type OrderAddLines = z.infer<typeof OrderAddLines>;
