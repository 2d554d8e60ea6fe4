import * as z from 'zod';
import { EntityId, Timestamp } from '../ids/entity-id.ts';

export const TicketStatus = z.enum(['queued', 'in_progress', 'ready', 'bumped']);
export type TicketStatus = z.infer<typeof TicketStatus>;

export const TicketLine = z.object({
  lineId: EntityId,
  name: z.string().min(1).max(120),
  quantity: z.number().int().min(1).max(99),
  modifiers: z.array(z.string().max(80)).max(20),
  note: z.string().max(200).optional(),
});
export type TicketLine = z.infer<typeof TicketLine>;

/** One station's share of one send of an order. Its timer runs on the device from `firedAt`. */
export const Ticket = z.object({
  id: EntityId,
  orderId: EntityId,
  tableLabel: z.string().max(20).nullable(),
  station: z.string().min(1).max(32),
  status: TicketStatus,
  lines: z.array(TicketLine).min(1).max(200),
  assigneeId: EntityId.nullable(),
  firedAt: Timestamp,
  startedAt: Timestamp.nullable(),
  readyAt: Timestamp.nullable(),
  bumpedAt: Timestamp.nullable(),
  version: z.number().int().min(1),
});
export type Ticket = z.infer<typeof Ticket>;
