import { ticketStep } from '../domain/ticket-machine.ts';
import type { Ticket } from '../entities/ticket.ts';
import type { OperationOfType } from '../ops/operation.ts';
import type { VenueState } from '../state/venue-state.ts';
import { type DecideContext, type Decision, isRejection, reject } from './decision.ts';
import { Draft, unchanged } from './draft.ts';
import { settingsOf } from './settings-of.ts';

/** Time stamps that go with arriving in a status; a recall clears what came after cooking. */
function stamped(ticket: Ticket, to: Ticket['status'], now: string): Omit<Ticket, 'version'> {
  switch (to) {
    case 'in_progress':
      return {
        ...ticket,
        status: to,
        startedAt: ticket.startedAt ?? now,
        readyAt: null,
        bumpedAt: null,
      };
    case 'ready':
      return { ...ticket, status: to, readyAt: now };
    case 'bumped':
      return { ...ticket, status: to, bumpedAt: now };
    case 'queued':
      return { ...ticket, status: to };
  }
}

export function decideTicketTransition(
  state: VenueState,
  op: OperationOfType<'ticket.transition'>,
  ctx: DecideContext,
): Decision {
  const draft = new Draft(state);
  const ticket = draft.get('ticket', op.payload.ticketId);
  if (!ticket) return reject('NOT_FOUND', `no ticket ${op.payload.ticketId}`);
  const next = ticketStep(ticket.status, op.payload.action);
  if (next.kind === 'refused') {
    return reject(
      'INVALID_STATE_TRANSITION',
      `cannot ${op.payload.action} a ticket that is ${ticket.status}`,
      ticket,
    );
  }
  if (next.kind === 'unchanged') return unchanged(state);
  draft.put('ticket', stamped(ticket, next.to, ctx.now), ticket.version);
  return draft.commit();
}

export function decideTicketAssign(
  state: VenueState,
  op: OperationOfType<'ticket.assign'>,
  _ctx: DecideContext,
): Decision {
  const draft = new Draft(state);
  const { ticketId, station, assigneeId } = op.payload;
  const ticket = draft.get('ticket', ticketId);
  if (!ticket) return reject('NOT_FOUND', `no ticket ${ticketId}`);
  if (ticket.status === 'bumped')
    return reject('INVALID_STATE_TRANSITION', 'a bumped ticket cannot be reassigned', ticket);
  if (station !== undefined) {
    const settings = settingsOf(state);
    if (isRejection(settings)) return settings;
    if (!settings.stations.some((s) => s.id === station))
      return reject('UNKNOWN_STATION', `no station ${station}`, ticket);
  }
  if (assigneeId !== undefined && assigneeId !== null) {
    const member = draft.get('teamMember', assigneeId);
    if (!member) return reject('NOT_FOUND', `no team member ${assigneeId}`, ticket);
    if (!member.active)
      return reject('INVALID_STATE_TRANSITION', `${member.name} is not active`, ticket);
  }
  const next = {
    ...ticket,
    station: station ?? ticket.station,
    assigneeId: assigneeId === undefined ? ticket.assigneeId : assigneeId,
  };
  if (next.station === ticket.station && next.assigneeId === ticket.assigneeId)
    return unchanged(state);
  draft.put('ticket', next, ticket.version);
  return draft.commit();
}
