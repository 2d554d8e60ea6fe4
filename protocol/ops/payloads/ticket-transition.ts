import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';

export const TicketAction = z.enum(['start', 'ready', 'bump', 'recall']);
export type TicketAction = z.infer<typeof TicketAction>;

export const TicketTransition = z.object({ ticketId: EntityId, action: TicketAction });
export type TicketTransition = z.infer<typeof TicketTransition>;
