import type { TicketStatus } from '../entities/ticket.ts';
import type { TicketAction } from '../ops/payloads/ticket-transition.ts';
import { type Step, step, type TransitionTable } from './state-machine.ts';

/*
 *   held ─ ─ ─(order.fireCourse)─ ─ ─▶ queued       (held refuses every action below)
 *   queued ──start──▶ in_progress ──ready──▶ ready ──bump──▶ bumped
 *     └────────────ready─────────────────────▲  │               │
 *                       ▲                       │               │
 *                       └──────recall───────────┴───────────────┘
 *   A repeated start / ready / bump on a ticket already there is an idempotent success:
 *   two screens bumping the same ticket is normal in a kitchen. `ticket.markLine` (a line done
 *   or not) and `ticket.recall` (bumped → ready, within RECALL_WINDOW_MS) are ops of their own
 *   (ticket-deciders.ts); this table's `recall` is `ticket.transition`'s, back to cooking.
 */
export const TICKET_ACTIONS = [
  'start',
  'ready',
  'bump',
  'recall',
] as const satisfies readonly TicketAction[];

export const ticketTransitions: TransitionTable<TicketStatus, TicketAction> = {
  // A held course waits for `order.fireCourse`; nothing on the pass moves it.
  held: {},
  queued: { start: 'in_progress', ready: 'ready' },
  in_progress: { start: 'in_progress', ready: 'ready' },
  ready: { ready: 'ready', bump: 'bumped', recall: 'in_progress' },
  bumped: { bump: 'bumped', recall: 'in_progress' },
};

export function ticketStep(from: TicketStatus, action: TicketAction): Step<TicketStatus> {
  return step(ticketTransitions, from, action);
}
