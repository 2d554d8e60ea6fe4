import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';

/**
 * Fires unsent lines: one ticket per station and course, routed by the menu. With `course`, only
 * that course's lines (a line without a course is course 1); with `hold`, the tickets are made
 * held (grey on the display) until `order.fireCourse`. Without either it fires every unsent line,
 * as it always has.
 */
export const OrderSendToKitchen = z.object({
  orderId: EntityId,
  course: z.number().int().min(1).max(9).optional(),
  hold: z.boolean().optional(),
});
export type OrderSendToKitchen = z.infer<typeof OrderSendToKitchen>;
