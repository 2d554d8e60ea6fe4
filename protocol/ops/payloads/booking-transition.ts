import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';

export const BookingAction = z.enum(['confirm', 'seat', 'complete', 'cancel', 'no_show']);
export type BookingAction = z.infer<typeof BookingAction>;

export const BookingTransition = z.object({
  bookingId: EntityId,
  action: BookingAction,
  /** The table, when seating. */
  tableId: EntityId.optional(),
});
export type BookingTransition = z.infer<typeof BookingTransition>;
