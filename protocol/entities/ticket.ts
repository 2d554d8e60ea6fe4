import * as z from 'zod';
import { EntityId, Timestamp } from '../ids/entity-id.ts';

/** `held`: sent with its course held; grey on the display until the course is fired. */
export const TicketStatus = z.enum(['held', 'queued', 'in_progress', 'ready', 'bumped']);
export type TicketStatus = z.infer<typeof TicketStatus>;

export const TicketLine = z.object({
  lineId: EntityId,
  name: z.string().min(1).max(120),
  quantity: z.number().int().min(1).max(99),
  modifiers: z.array(z.string().max(80)).max(20),
  note: z.string().max(200).optional(),
  /** Server time a cook marked this line done (bump per item); null or absent while cooking. */
  readyAt: Timestamp.nullable().optional(),
  /** Server time the line was voided after firing: struck through, and the ticket asks for an ack. */
  voidedAt: Timestamp.nullable().optional(),
});
export type TicketLine = z.infer<typeof TicketLine>;

/** What the kitchen must acknowledge on a ticket: its order was voided, or a line was. */
export const TicketAttention = z.enum(['void', 'change']);
export type TicketAttention = z.infer<typeof TicketAttention>;

/**
 * One station's share of one send (one course) of an order. Its clocks run on the device from
 * `firedAt` and `startedAt`. Fields marked optional were added after the first release: a ticket
 * stored before them reads as course 1, nothing voided, nothing to acknowledge.
 */
export const Ticket = z.object({
  id: EntityId,
  orderId: EntityId,
  /** The order's table, so a guest's feed carries their table's tickets; absent on old tickets. */
  tableId: EntityId.nullable().optional(),
  tableLabel: z.string().max(20).nullable(),
  station: z.string().min(1).max(32),
  status: TicketStatus,
  lines: z.array(TicketLine).min(1).max(200),
  assigneeId: EntityId.nullable(),
  firedAt: Timestamp,
  startedAt: Timestamp.nullable(),
  readyAt: Timestamp.nullable(),
  bumpedAt: Timestamp.nullable(),
  /** Course number (1 = first); absent means 1. */
  course: z.number().int().min(1).max(9).optional(),
  /** Covers on the order when the ticket was made. */
  covers: z.number().int().min(0).max(100).optional(),
  /** Who took the order (the server's name, or "guest"), for the card. */
  server: z.string().max(80).optional(),
  /** Server time the order was voided after firing; the card shows VOID until acknowledged. */
  voidedAt: Timestamp.nullable().optional(),
  /** A void or change the kitchen has not acknowledged yet; null or absent when none. */
  attention: TicketAttention.nullable().optional(),
  version: z.number().int().min(1),
});
export type Ticket = z.infer<typeof Ticket>;
