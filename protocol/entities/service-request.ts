import * as z from 'zod';
import { EntityId, Timestamp } from '../ids/entity-id.ts';

export const ServiceRequestKind = z.enum(['call_waiter', 'bill', 'water', 'other']);
export type ServiceRequestKind = z.infer<typeof ServiceRequestKind>;

export const ServiceRequestStatus = z.enum(['open', 'acknowledged', 'done', 'cancelled']);
export type ServiceRequestStatus = z.infer<typeof ServiceRequestStatus>;

/** A guest calling staff from the table: "call a waiter", "the bill, please". */
export const ServiceRequest = z.object({
  id: EntityId,
  tableId: EntityId,
  kind: ServiceRequestKind,
  note: z.string().max(200).optional(),
  status: ServiceRequestStatus,
  createdAt: Timestamp,
  acknowledgedBy: z.string().max(80).nullable(),
  version: z.number().int().min(1),
});
export type ServiceRequest = z.infer<typeof ServiceRequest>;
