import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';

/** Fires a held course: its held tickets go to the kitchen's queue, their clocks start now. */
export const OrderFireCourse = z.object({
  orderId: EntityId,
  course: z.number().int().min(1).max(9),
});
export type OrderFireCourse = z.infer<typeof OrderFireCourse>;
