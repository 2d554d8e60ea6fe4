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

/**
 * A send made with the lines (`order.create`, `order.addLines`): the same as an
 * `order.sendToKitchen` of that order with this course and hold, right after the lines are added.
 */
export const SendWithLines = OrderSendToKitchen.omit({ orderId: true });
export type SendWithLines = z.infer<typeof SendWithLines>;
export type OrderSendToKitchen = z.infer<typeof OrderSendToKitchen>;
