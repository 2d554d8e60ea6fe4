import { allLinesReady, RECALL_WINDOW_MS } from '../domain/kitchen-rules.ts';
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
    case 'held':
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

/**
 * Bump per item. Done: the line's readyAt is stamped, and when every standing line is done the
 * ticket is ready. Not done: the stamp is cleared, and a ready ticket goes back to cooking.
 */
export function decideTicketMarkLine(
  state: VenueState,
  op: OperationOfType<'ticket.markLine'>,
  ctx: DecideContext,
): Decision {
  const { ticketId, lineId, ready } = op.payload;
  const draft = new Draft(state);
  const ticket = draft.get('ticket', ticketId);
  if (!ticket) return reject('NOT_FOUND', `no ticket ${ticketId}`);
  const line = ticket.lines.find((l) => l.lineId === lineId);
  if (!line) return reject('NOT_FOUND', `no line ${lineId} on the ticket`, ticket);
  if (ticket.status === 'held')
    return reject('INVALID_STATE_TRANSITION', 'the course is held: fire it first', ticket);
  if (line.voidedAt) return reject('INVALID_STATE_TRANSITION', `${line.name} was voided`, ticket);
  const isReady = Boolean(line.readyAt);
  if (isReady === ready) return unchanged(state);
  if (ticket.status === 'bumped')
    return reject('INVALID_STATE_TRANSITION', 'the ticket is bumped: recall it first', ticket);
  const lines = ticket.lines.map((l) =>
    l.lineId === lineId ? { ...l, readyAt: ready ? ctx.now : null } : l,
  );
  let next: Omit<Ticket, 'version'> = { ...ticket, lines };
  if (ready && (next.status === 'queued' || next.status === 'in_progress') && allLinesReady(next))
    next = { ...next, status: 'ready', startedAt: next.startedAt ?? ctx.now, readyAt: ctx.now };
  else if (!ready && next.status === 'ready')
    next = { ...next, status: 'in_progress', readyAt: null };
  draft.put('ticket', next, ticket.version);
  return draft.commit();
}

/**
 * Brings a bumped ticket back to the pass as ready, within RECALL_WINDOW_MS of its bump, measured
 * with the decider's clock (a replay re-decides the bump and the recall close together). A ticket
 * still on the pass is left as it is: a repeated undo is harmless.
 */
export function decideTicketRecall(
  state: VenueState,
  op: OperationOfType<'ticket.recall'>,
  ctx: DecideContext,
): Decision {
  const draft = new Draft(state);
  const ticket = draft.get('ticket', op.payload.ticketId);
  if (!ticket) return reject('NOT_FOUND', `no ticket ${op.payload.ticketId}`);
  if (ticket.status === 'held')
    return reject('INVALID_STATE_TRANSITION', 'a held ticket has not been fired', ticket);
  if (ticket.status !== 'bumped') return unchanged(state);
  const bumpedAt = ticket.bumpedAt === null ? Number.NaN : Date.parse(ticket.bumpedAt);
  if (!(Date.parse(ctx.now) - bumpedAt <= RECALL_WINDOW_MS))
    return reject(
      'RECALL_WINDOW_PASSED',
      `a ticket can be recalled up to ${RECALL_WINDOW_MS / 60_000} minutes after its bump`,
      ticket,
    );
  draft.put('ticket', { ...ticket, status: 'ready', bumpedAt: null }, ticket.version);
  return draft.commit();
}

/** The kitchen has seen a ticket's void or change. */
export function decideTicketAcknowledge(
  state: VenueState,
  op: OperationOfType<'ticket.acknowledge'>,
  _ctx: DecideContext,
): Decision {
  const draft = new Draft(state);
  const ticket = draft.get('ticket', op.payload.ticketId);
  if (!ticket) return reject('NOT_FOUND', `no ticket ${op.payload.ticketId}`);
  if (!ticket.attention) return unchanged(state);
  draft.put('ticket', { ...ticket, attention: null }, ticket.version);
  return draft.commit();
}
