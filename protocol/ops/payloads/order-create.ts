import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';
import { LineInput } from './line-input.ts';

/** Opens an order, at a table or without one (counter), optionally with its first lines. */
export const OrderCreate = z.object({
  orderId: EntityId,
  tableId: EntityId.nullable(),
  guestCount: z.number().int().min(0).max(100).default(0),
  lines: z.array(LineInput).max(100).default([]),
});
export type OrderCreate = z.infer<typeof OrderCreate>;
