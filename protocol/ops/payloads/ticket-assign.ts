import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';

/** Moves a ticket to another station and/or gives it to a cook (null to unassign). */
export const TicketAssign = z
  .object({
    ticketId: EntityId,
    station: z.string().min(1).max(32).optional(),
    assigneeId: EntityId.nullable().optional(),
  })
  .refine((p) => p.station !== undefined || p.assigneeId !== undefined, {
    message: 'give a station, an assignee, or both',
  });
export type TicketAssign = z.infer<typeof TicketAssign>;
