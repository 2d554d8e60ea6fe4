import { Ticket, type TicketLine } from '#protocol';
import type { ResilienceView } from '../../web/app/resilience-state.ts';

// Tickets, settings and resilience views for the kitchen display's tests (Node and Chromium).
// Every ticket is checked against the wire schema, so a fixture cannot drift from the contract.

/** Venue time the fixtures count from. */
export const T0 = Date.parse('2026-11-23T19:00:00.000Z');
export const SEC = 1_000;
export const MIN = 60_000;

export const iso = (ms: number): string => new Date(ms).toISOString();

export const SETTINGS = {
  kitchenTimers: { warnAfterSec: 300, lateAfterSec: 600 },
  stations: [
    { id: 'grill', name: 'Grill' },
    { id: 'fry', name: 'Fry' },
    { id: 'cold', name: 'Cold' },
  ],
};

export type LineInput = Partial<Omit<TicketLine, 'name'>> & { readonly name: string };

export function line(input: LineInput, index = 0): TicketLine {
  return {
    lineId: `line-${index + 1}`,
    quantity: 1,
    modifiers: [],
    ...input,
  };
}

export type TicketInput = Partial<Omit<Ticket, 'lines' | 'firedAt'>> & {
  readonly id: string;
  /** ms after T0 it was fired (default 0). */
  readonly firedMs?: number;
  readonly lines?: readonly LineInput[];
};

/** A ticket (checked by the wire schema); ids and times are the only things a test must say. */
export function ticket(input: TicketInput): Ticket {
  const { firedMs = 0, lines = [{ name: 'Burger' }], ...rest } = input;
  return Ticket.parse({
    orderId: `order-${input.id}`,
    tableLabel: '4',
    station: 'grill',
    status: 'queued',
    assigneeId: null,
    startedAt: null,
    readyAt: null,
    bumpedAt: null,
    version: 1,
    ...rest,
    firedAt: iso(T0 + firedMs),
    lines: lines.map((l, i) => line(l, i)),
  });
}

/** `count` open grill tickets, one a second, each with two lines. */
export function manyTickets(count: number, station = 'grill'): Ticket[] {
  return Array.from({ length: count }, (_, i) =>
    ticket({
      id: `t${String(i).padStart(4, '0')}`,
      station,
      firedMs: i * SEC,
      lines: [{ name: 'Burger', quantity: 1 + (i % 3) }, { name: 'Fries' }],
    }),
  );
}

export const BASE_VIEW: ResilienceView = {
  mode: 'connected',
  target: 'relay',
  replay: null,
  lastSyncAt: null,
  sinceSyncMs: null,
  outboxDepth: 0,
  oldestPendingAt: null,
  oldestPendingMs: null,
  failedOps: 0,
  relay: null,
};

/** A resilience view: connected to the relay unless told otherwise. */
export const view = (over: Partial<ResilienceView> = {}): ResilienceView => ({
  ...BASE_VIEW,
  ...over,
});
