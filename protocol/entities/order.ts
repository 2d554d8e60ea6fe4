import * as z from 'zod';
import { EntityId, Timestamp } from '../ids/entity-id.ts';
import { MinorUnits, SignedMinorUnits } from '../money/money.ts';
import { OrderTotals } from '../money/totals.ts';

export const OrderStatus = z.enum(['open', 'sent', 'closed', 'voided']);
export type OrderStatus = z.infer<typeof OrderStatus>;

/** A modifier as it was priced when the line was added (menu changes do not reprice it). */
export const LineModifier = z.object({
  id: EntityId,
  name: z.string().min(1).max(80),
  priceDelta: SignedMinorUnits,
});
export type LineModifier = z.infer<typeof LineModifier>;

export const OrderLine = z.object({
  id: EntityId,
  itemId: EntityId,
  name: z.string().min(1).max(120),
  station: z.string().min(1).max(32),
  quantity: z.number().int().min(1).max(99),
  unitPrice: MinorUnits,
  modifiers: z.array(LineModifier).max(20),
  note: z.string().max(200).optional(),
  /** Server time the line was fired to the kitchen; null while it waits. */
  sentAt: Timestamp.nullable(),
  /** Course number (1 = first); absent means 1. */
  course: z.number().int().min(1).max(9).optional(),
  /** Seat number at the table; absent when the server did not say. */
  seat: z.number().int().min(1).max(50).optional(),
  /** Server time a sent line was voided (`order.voidLine`); it no longer counts in the totals. */
  voidedAt: Timestamp.nullable().optional(),
  voidReason: z.string().max(200).optional(),
});
export type OrderLine = z.infer<typeof OrderLine>;

/** How an order was settled. Card data is never here: only the gateway's reference. */
export const Payment = z.discriminatedUnion('method', [
  z.object({
    method: z.literal('cash'),
    amount: MinorUnits,
    tendered: MinorUnits,
    change: MinorUnits,
  }),
  z.object({
    method: z.literal('card'),
    amount: MinorUnits,
    reference: z.string().min(1).max(100),
  }),
]);
export type Payment = z.infer<typeof Payment>;

export const Order = z.object({
  id: EntityId,
  tableId: EntityId.nullable(),
  status: OrderStatus,
  source: z.enum(['staff', 'guest']),
  openedBy: z.string().min(1).max(80),
  guestCount: z.number().int().min(0).max(100),
  lines: z.array(OrderLine).max(200),
  totals: OrderTotals,
  /** The single settlement `order.close` records; payments taken with `payment.*` are entities. */
  payment: Payment.nullable(),
  /** What `payment.*` payments have paid towards the total so far (absent: none). */
  paid: MinorUnits.optional(),
  /** Tips those payments added on top. */
  tips: MinorUnits.optional(),
  createdAt: Timestamp,
  closedAt: Timestamp.nullable(),
  voidReason: z.string().max(200).nullable(),
  version: z.number().int().min(1),
});
export type Order = z.infer<typeof Order>;
