import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';

/**
 * Bump per item: marks one line of a ticket done (`ready: true`) or not done. When every line
 * still standing is done the ticket is ready; un-marking a line of a ready ticket reopens it.
 */
export const TicketMarkLine = z.object({
  ticketId: EntityId,
  lineId: EntityId,
  ready: z.boolean(),
});
export type TicketMarkLine = z.infer<typeof TicketMarkLine>;
