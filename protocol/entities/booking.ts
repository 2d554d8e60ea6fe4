import * as z from 'zod';
import { EntityId, Timestamp } from '../ids/entity-id.ts';

export const BookingStatus = z.enum([
  'held',
  'confirmed',
  'seated',
  'completed',
  'cancelled',
  'no_show',
]);
export type BookingStatus = z.infer<typeof BookingStatus>;

export const Booking = z.object({
  id: EntityId,
  guestName: z.string().min(1).max(120),
  partySize: z.number().int().min(1).max(50),
  /** When the guests are expected: a business time chosen by a person, not a device clock. */
  startsAt: Timestamp,
  phone: z.string().max(32).optional(),
  note: z.string().max(500).optional(),
  status: BookingStatus,
  tableId: EntityId.nullable(),
  version: z.number().int().min(1),
});
export type Booking = z.infer<typeof Booking>;
