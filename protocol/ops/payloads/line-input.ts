import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';

/** A line as a device asks for it; prices come from the menu, never from the device. */
export const LineInput = z.object({
  /** Made on the device (a ULID), so a line can be removed before it syncs. */
  lineId: EntityId,
  itemId: EntityId,
  quantity: z.number().int().min(1).max(99),
  modifierIds: z.array(EntityId).max(20).default([]),
  note: z.string().max(200).optional(),
  /** Course number (1 = first, the default); a course can be sent or held on its own. */
  course: z.number().int().min(1).max(9).optional(),
  /** Seat number at the table (1 = first), for the kitchen's handout and a split by seat. */
  seat: z.number().int().min(1).max(50).optional(),
});
export type LineInput = z.infer<typeof LineInput>;
