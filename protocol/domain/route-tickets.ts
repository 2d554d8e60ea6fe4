import type { Order, OrderLine } from '../entities/order.ts';
import type { Ticket, TicketLine } from '../entities/ticket.ts';
import { courseOf } from './kitchen-rules.ts';

/**
 * The ticket id for one station's share of one send (one course of it): derived from the op, so
 * the relay deciding offline and the cloud deciding on replay make the same ids. Course 1 keeps
 * the id it had before courses existed.
 */
export function ticketIdFor(opId: string, station: string, course = 1): string {
  return course === 1 ? `${opId}-${station}` : `${opId}-${station}-c${course}`;
}

/** The op that created a ticket (the send, or lines with `send`, whose opId its id starts with). */
export function ticketSourceOpId(ticketId: string): string | undefined {
  const dash = ticketId.indexOf('-');
  return dash > 0 ? ticketId.slice(0, dash) : undefined;
}

/** What a ticket shows of an order line (not done, not voided). */
export function ticketLineOf(line: OrderLine): TicketLine {
  return {
    lineId: line.id,
    name: line.name,
    quantity: line.quantity,
    modifiers: line.modifiers.map((m) => m.name),
    ...(line.note === undefined ? {} : { note: line.note }),
    readyAt: null,
  };
}

/** What a new ticket carries besides its lines; `server` is omitted when unknown. */
export interface RouteOptions {
  /** Make the tickets `held` (the course waits for `order.fireCourse`). */
  readonly hold?: boolean;
  /** Who took the order, for the card. */
  readonly server?: string | undefined;
}

/**
 * Splits an order's unsent lines into one ticket per (station, course), in the order each first
 * appears on the order. Pure: the caller stamps the lines as sent and merges add-ons.
 */
export function routeTickets(
  order: Order,
  unsent: readonly OrderLine[],
  opId: string,
  tableLabel: string | null,
  now: string,
  options: RouteOptions = {},
): Omit<Ticket, 'version'>[] {
  const groups = new Map<string, { station: string; course: number; lines: OrderLine[] }>();
  for (const line of unsent) {
    const course = courseOf(line);
    const key = `${course}\u0000${line.station}`;
    const group = groups.get(key) ?? { station: line.station, course, lines: [] };
    group.lines.push(line);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ station, course, lines }) => ({
    id: ticketIdFor(opId, station, course),
    orderId: order.id,
    tableId: order.tableId,
    tableLabel,
    station,
    status: options.hold ? 'held' : 'queued',
    lines: lines.map(ticketLineOf),
    assigneeId: null,
    firedAt: now,
    startedAt: null,
    readyAt: null,
    bumpedAt: null,
    course,
    covers: order.guestCount,
    ...(options.server === undefined ? {} : { server: options.server }),
    voidedAt: null,
    attention: null,
  }));
}
