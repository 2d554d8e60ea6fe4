import { describe, expect, it } from 'vitest';
import {
  assignPayload,
  cooksFor,
  firedText,
  orderIdsOf,
  type ProgressMember,
  type ProgressTicket,
  progressOf,
} from '../../web/floor/kitchen-progress-state.ts';

// The kitchen's progress as the floor reads it, pure: which tickets, in what order, in words.

const T0 = Date.parse('2026-11-23T20:00:00.000Z');
const MIN = 60_000;
const at = (ms: number) => new Date(ms).toISOString();

const ticket = (over: Partial<ProgressTicket> = {}): ProgressTicket => ({
  id: 'k1',
  orderId: 'o1',
  tableId: 't4',
  tableLabel: '4',
  station: 'grill',
  status: 'queued',
  assigneeId: null,
  firedAt: at(T0),
  readyAt: null,
  bumpedAt: null,
  lines: [
    { lineId: 'a', readyAt: null },
    { lineId: 'b', readyAt: at(T0 + MIN) },
    { lineId: 'c', readyAt: null, voidedAt: at(T0) },
  ],
  ...over,
});

const members: ProgressMember[] = [
  { id: 'm-zoe', name: 'Zoe', role: 'kitchen', active: true },
  { id: 'm-ana', name: 'Ana', role: 'kitchen', active: true },
  { id: 'm-old', name: 'Olli', role: 'kitchen', active: false },
  { id: 'm-sam', name: 'Sam', role: 'server', active: true },
];
const stations = [
  { id: 'grill', name: 'Grill' },
  { id: 'cold', name: 'Cold starters' },
];

describe('progressOf', () => {
  it('one order: each ticket with station name, status, minutes since fired, lines done, cook', () => {
    const [order, ...rest] = progressOf({
      tickets: [
        ticket({ id: 'k2', station: 'cold', status: 'ready', firedAt: at(T0 - MIN) }),
        ticket({ status: 'in_progress', assigneeId: 'm-ana' }),
        ticket({ id: 'k3', status: 'held', course: 2 }),
        ticket({ id: 'other', orderId: 'o2' }),
      ],
      scope: { orderId: 'o1' },
      stations,
      members,
      now: T0 + 8 * MIN,
    });
    expect(rest).toEqual([]);
    expect(order?.tableLabel).toBe('4');
    expect(order?.tickets.map((t) => t.id)).toEqual(['k2', 'k1', 'k3']);
    expect(order?.tickets[0]).toMatchObject({
      station: 'Cold starters',
      statusText: 'Ready to serve',
      firedText: '9 min since fired',
      linesText: '2 of 2 done',
    });
    expect(order?.tickets[1]).toMatchObject({
      station: 'Grill',
      statusText: 'Cooking',
      firedText: '8 min since fired',
      linesDone: 1,
      linesTotal: 2,
      assigneeName: 'Ana',
    });
    expect(order?.tickets[2]).toMatchObject({
      course: 2,
      statusText: 'Held — course not fired yet',
      firedText: null,
      assigneeName: 'Nobody',
    });
  });

  it('a section: every open order at its tables, first fired first', () => {
    const scope = {
      section: { id: 's1', name: 'Terrace', tableIds: ['t4', 't5'] },
      orders: [
        { id: 'o1', tableId: 't4', status: 'sent' as const },
        { id: 'o2', tableId: 't5', status: 'open' as const },
        { id: 'o3', tableId: 't5', status: 'closed' as const },
        { id: 'o4', tableId: 't9', status: 'sent' as const },
      ],
    };
    expect([...orderIdsOf(scope)]).toEqual(['o1', 'o2']);
    const progress = progressOf({
      tickets: [
        ticket(),
        ticket({ id: 'k5', orderId: 'o2', tableLabel: '5', firedAt: at(T0 - MIN) }),
        ticket({ id: 'k9', orderId: 'o4' }),
        ticket({ id: 'k3', orderId: 'o3' }),
      ],
      scope,
      stations,
      members,
      now: T0,
    });
    expect(progress.map((o) => [o.orderId, o.tableLabel])).toEqual([
      ['o2', '5'],
      ['o1', '4'],
    ]);
  });
});

describe('cooksFor', () => {
  it('offers active kitchen staff by name, and keeps a current assignee who is no longer one', () => {
    expect(cooksFor(members, null)).toEqual([
      { id: 'm-ana', name: 'Ana' },
      { id: 'm-zoe', name: 'Zoe' },
    ]);
    expect(cooksFor(members, 'm-old')[0]).toEqual({
      id: 'm-old',
      name: 'Olli (not on the kitchen team)',
    });
    expect(cooksFor(members, 'm-ana')).toHaveLength(2);
  });

  it('ticket.assign payload', () => {
    expect(assignPayload('k1', null)).toEqual({ ticketId: 'k1', assigneeId: null });
  });
});

describe('the time since a ticket was fired, in words', () => {
  it('reads "fired just now" in its first minute, then "N min since fired"', () => {
    expect(firedText('just now')).toBe('fired just now');
    expect(firedText('8 min')).toBe('8 min since fired');
  });
});
