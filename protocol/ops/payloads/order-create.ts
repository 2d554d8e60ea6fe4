import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';
import { LineInput } from './line-input.ts';
import { SendWithLines } from './order-send-to-kitchen.ts';

/**
 * Opens an order, at a table or without one (counter), optionally with its first lines and, with
 * `send`, sending them to the kitchen at once.
 */
export const OrderCreate = z.object({
  orderId: EntityId,
  tableId: EntityId.nullable(),
  guestCount: z.number().int().min(0).max(100).default(0),
  lines: z.array(LineInput).max(100).default([]),
  /** Sends the lines to the kitchen in the same op (staff only). */
  send: SendWithLines.optional(),
});
export type OrderCreate = z.infer<typeof OrderCreate>;
