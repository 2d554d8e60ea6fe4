import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';

/** The kitchen has seen a ticket's void or change: the card stops asking. */
export const TicketAcknowledge = z.object({ ticketId: EntityId });
export type TicketAcknowledge = z.infer<typeof TicketAcknowledge>;
