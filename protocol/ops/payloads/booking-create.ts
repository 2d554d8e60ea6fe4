import * as z from 'zod';
import { EntityId, Timestamp } from '../../ids/entity-id.ts';

/** A booking starts `held` (awaiting its deposit or a confirmation). Needs a connection. */
export const BookingCreate = z.object({
  bookingId: EntityId,
  guestName: z.string().min(1).max(120),
  partySize: z.number().int().min(1).max(50),
  startsAt: Timestamp,
  phone: z.string().max(32).optional(),
  note: z.string().max(500).optional(),
});
export type BookingCreate = z.infer<typeof BookingCreate>;
