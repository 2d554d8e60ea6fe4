import type { Order, TeamMember, TeamSection, Ticket } from '#protocol';
import { ageTextOf } from './service-requests-state.ts';

/*
 * What the floor sees of the kitchen's work, pure: for one order, or every open order of a
 * section, each ticket's station, status in words, minutes since fired, lines done and cook.
 */

export type ProgressTicket = Pick<
  Ticket,
  | 'id'
  | 'orderId'
  | 'tableId'
  | 'tableLabel'
  | 'station'
  | 'status'
  | 'assigneeId'
  | 'firedAt'
  | 'readyAt'
  | 'bumpedAt'
  | 'course'
> & {
  readonly lines: readonly Pick<Ticket['lines'][number], 'lineId' | 'readyAt' | 'voidedAt'>[];
};
export type ProgressOrder = Pick<Order, 'id' | 'tableId' | 'status'>;
export type ProgressMember = Pick<TeamMember, 'id' | 'name' | 'role' | 'active'>;
export type ProgressSection = Pick<TeamSection, 'id' | 'name' | 'tableIds'>;
/** A station's id and name (a protocol settings `Station` fits). */
export interface StationName {
  readonly id: string;
  readonly name: string;
}

/** Which orders to show: one by id, or every open order at a section's tables. */
export type ProgressScope =
  | { readonly orderId: string }
  | { readonly section: ProgressSection; readonly orders: readonly ProgressOrder[] };

export const STATUS_WORDS: Readonly<Record<ProgressTicket['status'], string>> = {
  held: 'Held — course not fired yet',
  queued: 'Waiting to start',
  in_progress: 'Cooking',
  ready: 'Ready to serve',
  bumped: 'Handed out',
};

export interface TicketRow {
  readonly id: string;
  readonly station: string;
  readonly course: number;
  readonly status: ProgressTicket['status'];
  readonly statusText: string;
  /** "8 min since fired"; null while held (its clock has not started). */
  readonly firedText: string | null;
  readonly linesDone: number;
  readonly linesTotal: number;
  /** "2 of 3 done". */
  readonly linesText: string;
  readonly assigneeId: string | null;
  /** The cook's name, "Nobody" when unassigned, the id when the member is unknown. */
  readonly assigneeName: string;
}

export interface OrderProgress {
  readonly orderId: string;
  readonly tableLabel: string;
  readonly tickets: readonly TicketRow[];
}

const ms = (at: string | null | undefined): number => (at ? Date.parse(at) || 0 : 0);

/** The orders in scope, by id. */
export function orderIdsOf(scope: ProgressScope): Set<string> {
  if ('orderId' in scope) return new Set([scope.orderId]);
  const tables = new Set(scope.section.tableIds);
  return new Set(
    scope.orders
      .filter(
        (o) => (o.status === 'open' || o.status === 'sent') && o.tableId && tables.has(o.tableId),
      )
      .map((o) => o.id),
  );
}

function rowOf(
  ticket: ProgressTicket,
  stations: readonly StationName[],
  members: readonly ProgressMember[],
  now: number,
): TicketRow {
  const lines = ticket.lines.filter((l) => !l.voidedAt);
  const finished = ticket.status === 'ready' || ticket.status === 'bumped';
  const linesDone = finished ? lines.length : lines.filter((l) => !!l.readyAt).length;
  const assignee = ticket.assigneeId
    ? (members.find((m) => m.id === ticket.assigneeId)?.name ?? ticket.assigneeId)
    : 'Nobody';
  return {
    id: ticket.id,
    station: stations.find((s) => s.id === ticket.station)?.name ?? ticket.station,
    course: ticket.course ?? 1,
    status: ticket.status,
    statusText: STATUS_WORDS[ticket.status],
    firedText: ticket.status === 'held' ? null : firedText(ageTextOf(now - ms(ticket.firedAt))),
    linesDone,
    linesTotal: lines.length,
    linesText: `${linesDone} of ${lines.length} done`,
    assigneeId: ticket.assigneeId,
    assigneeName: assignee,
  };
}

/** Each order in scope with its tickets, course then fired time; orders by first fired. */
export function progressOf(input: {
  readonly tickets: readonly ProgressTicket[];
  readonly scope: ProgressScope;
  readonly stations: readonly StationName[];
  readonly members: readonly ProgressMember[];
  readonly now: number;
}): OrderProgress[] {
  const ids = orderIdsOf(input.scope);
  const byOrder = new Map<string, ProgressTicket[]>();
  for (const ticket of input.tickets) {
    if (!ids.has(ticket.orderId)) continue;
    byOrder.set(ticket.orderId, [...(byOrder.get(ticket.orderId) ?? []), ticket]);
  }
  return [...byOrder.entries()]
    .map(([orderId, tickets]) => {
      const sorted = [...tickets].sort(
        (a, b) =>
          (a.course ?? 1) - (b.course ?? 1) ||
          ms(a.firedAt) - ms(b.firedAt) ||
          a.station.localeCompare(b.station) ||
          a.id.localeCompare(b.id),
      );
      return {
        orderId,
        first: Math.min(...sorted.map((t) => ms(t.firedAt))),
        tableLabel: sorted.find((t) => t.tableLabel)?.tableLabel ?? 'no table',
        tickets: sorted.map((t) => rowOf(t, input.stations, input.members, input.now)),
      };
    })
    .sort((a, b) => a.first - b.first || a.orderId.localeCompare(b.orderId))
    .map(({ first: _first, ...rest }) => rest);
}

export interface CookOption {
  readonly id: string;
  readonly name: string;
}

/**
 * Who a ticket may go to: the venue's active kitchen staff by name; the current assignee is
 * kept (marked) even when no longer one, so the select shows what is true.
 */
export function cooksFor(
  members: readonly ProgressMember[],
  assigneeId: string | null,
): CookOption[] {
  const cooks = members
    .filter((m) => m.active && m.role === 'kitchen')
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((m) => ({ id: m.id, name: m.name }));
  if (assigneeId && !cooks.some((c) => c.id === assigneeId)) {
    const name = members.find((m) => m.id === assigneeId)?.name ?? assigneeId;
    return [{ id: assigneeId, name: `${name} (not on the kitchen team)` }, ...cooks];
  }
  return cooks;
}

/** The `ticket.assign` payload; null unassigns. */
export const assignPayload = (ticketId: string, assigneeId: string | null) => ({
  ticketId,
  assigneeId,
});

/** "8 min since fired", or "fired just now" (never "just now since fired"). */
export function firedText(age: string): string {
  return age === 'just now' ? 'fired just now' : `${age} since fired`;
}
