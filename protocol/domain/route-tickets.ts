import type { Order, OrderLine } from '../entities/order.ts';
import type { Ticket } from '../entities/ticket.ts';

/**
 * The ticket id for one station's share of one send: derived from the op, so the relay
 * deciding offline and the cloud deciding on replay make the same ids.
 */
export function ticketIdFor(opId: string, station: string): string {
  return `${opId}-${station}`;
}

/** The op that created a ticket (the `order.sendToKitchen` whose opId its id starts with). */
export function ticketSourceOpId(ticketId: string): string | undefined {
  const dash = ticketId.indexOf('-');
  return dash > 0 ? ticketId.slice(0, dash) : undefined;
}

/**
 * Splits an order's unsent lines into one ticket per station, in the order stations first
 * appear on the order. Pure: the caller stamps the lines as sent.
 */
export function routeTickets(
  order: Order,
  unsent: readonly OrderLine[],
  opId: string,
  tableLabel: string | null,
  now: string,
): Omit<Ticket, 'version'>[] {
  const byStation = new Map<string, OrderLine[]>();
  for (const line of unsent) {
    const group = byStation.get(line.station) ?? [];
    group.push(line);
    byStation.set(line.station, group);
  }
  return [...byStation].map(([station, lines]) => ({
    id: ticketIdFor(opId, station),
    orderId: order.id,
    tableLabel,
    station,
    status: 'queued',
    lines: lines.map((line) => ({
      lineId: line.id,
      name: line.name,
      quantity: line.quantity,
      modifiers: line.modifiers.map((m) => m.name),
      ...(line.note === undefined ? {} : { note: line.note }),
    })),
    assigneeId: null,
    firedAt: now,
    startedAt: null,
    readyAt: null,
    bumpedAt: null,
  }));
}
