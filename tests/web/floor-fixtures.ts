import {
  Order,
  ServiceRequest,
  type ServiceRequestKind,
  Table,
  TeamSection,
  Ticket,
  type TicketStatus,
} from '#protocol';

// Tables, orders, tickets, requests and sections for the floor plan's tests (Node and
// Chromium). Each is checked by the wire schema, so a fixture cannot drift from the contract.

/** Time the fixtures count from. */
export const T0 = Date.parse('2026-11-23T19:00:00.000Z');
export const MIN = 60_000;
export const iso = (ms: number): string => new Date(ms).toISOString();

export const table = (label: string, seats = 4): Table =>
  Table.parse({
    id: `table-${label.toLowerCase().replace(/\s+/g, '-')}`,
    label,
    seats,
    version: 1,
  });

export interface LineSpec {
  readonly sent?: boolean;
  readonly voided?: boolean;
}

export interface OrderSpec {
  readonly id: string;
  readonly tableId: string;
  readonly status?: Order['status'];
  readonly source?: Order['source'];
  readonly guestCount?: number;
  /** ms after T0 it was opened. */
  readonly at?: number;
  readonly lines?: readonly LineSpec[];
}

export function order(spec: OrderSpec): Order {
  const lines = (spec.lines ?? []).map((l, i) => ({
    id: `${spec.id}-l${i + 1}`,
    itemId: 'burger',
    name: 'Burger',
    station: 'grill',
    quantity: 1,
    unitPrice: 1200,
    modifiers: [],
    sentAt: l.sent ? iso(T0 + (spec.at ?? 0) + MIN) : null,
    ...(l.voided ? { voidedAt: iso(T0 + (spec.at ?? 0) + 2 * MIN) } : {}),
  }));
  return Order.parse({
    id: spec.id,
    tableId: spec.tableId,
    status: spec.status ?? (lines.some((l) => l.sentAt) ? 'sent' : 'open'),
    source: spec.source ?? 'staff',
    openedBy: 'member-ana',
    guestCount: spec.guestCount ?? 2,
    lines,
    totals: {
      currency: 'GBP',
      subtotal: 0,
      tax: 0,
      total: 0,
      cashTotal: 0,
      cashRounding: 0,
    },
    payment: null,
    createdAt: iso(T0 + (spec.at ?? 0)),
    closedAt: null,
    voidReason: null,
    version: 1,
  });
}

export function ticket(
  id: string,
  orderId: string,
  status: TicketStatus,
  extra: Partial<Ticket> = {},
): Ticket {
  return Ticket.parse({
    id,
    orderId,
    tableLabel: null,
    station: 'grill',
    status,
    lines: [{ lineId: `${orderId}-l1`, name: 'Burger', quantity: 1, modifiers: [] }],
    assigneeId: null,
    firedAt: iso(T0 + MIN),
    startedAt: null,
    readyAt: null,
    bumpedAt: status === 'bumped' ? iso(T0 + 10 * MIN) : null,
    version: 1,
    ...extra,
  });
}

export function request(
  id: string,
  tableId: string,
  kind: ServiceRequestKind,
  status: ServiceRequest['status'] = 'open',
  at = 0,
): ServiceRequest {
  return ServiceRequest.parse({
    id,
    tableId,
    kind,
    status,
    createdAt: iso(T0 + at),
    acknowledgedBy: status === 'open' ? null : 'member-ana',
    version: 1,
  });
}

export const section = (id: string, name: string, tableIds: readonly string[]): TeamSection =>
  TeamSection.parse({ id, name, tableIds, version: 1 });
