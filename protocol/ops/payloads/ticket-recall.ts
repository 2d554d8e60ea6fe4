import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';

/**
 * Brings a bumped ticket back to the pass as ready, within `RECALL_WINDOW_MS` of its bump (the
 * display's undo and recall). `ticket.transition` `recall` keeps its older meaning (back to
 * cooking) for the clients that send it.
 */
export const TicketRecall = z.object({ ticketId: EntityId });
export type TicketRecall = z.infer<typeof TicketRecall>;
