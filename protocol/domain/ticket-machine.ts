import type { TicketStatus } from '../entities/ticket.ts';
import type { TicketAction } from '../ops/payloads/ticket-transition.ts';
import { type Step, step, type TransitionTable } from './state-machine.ts';

/*
 *   queued ──start──▶ in_progress ──ready──▶ ready ──bump──▶ bumped
 *     └────────────ready─────────────────────▲  │               │
 *                       ▲                       │               │
 *                       └──────recall───────────┴───────────────┘
 *   A repeated start / ready / bump on a ticket already there is an idempotent success:
 *   two screens bumping the same ticket is normal in a kitchen.
 */
export const TICKET_ACTIONS = [
  'start',
  'ready',
  'bump',
  'recall',
] as const satisfies readonly TicketAction[];

export const ticketTransitions: TransitionTable<TicketStatus, TicketAction> = {
  queued: { start: 'in_progress', ready: 'ready' },
  in_progress: { start: 'in_progress', ready: 'ready' },
  ready: { ready: 'ready', bump: 'bumped', recall: 'in_progress' },
  bumped: { bump: 'bumped', recall: 'in_progress' },
};

export function ticketStep(from: TicketStatus, action: TicketAction): Step<TicketStatus> {
  return step(ticketTransitions, from, action);
}
