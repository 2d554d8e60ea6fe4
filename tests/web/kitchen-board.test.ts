import { describe, expect, it } from 'vitest';
import type { Ticket } from '#protocol';
import { RECALL_WINDOW_MS, ticketNumber } from '#protocol/domain/kitchen-rules.ts';
import {
  type BoardInput,
  boardOf,
  DEFAULT_TIMERS,
  formatAge,
  type StationChoice,
  toneOf,
} from '../../web/kitchen/board.ts';
import { iso, MIN, SEC, SETTINGS, T0, ticket } from './kds-fixtures.ts';

// The kitchen display's model, pure: which cards a station sees, in which order, with which
// clocks, colours, flags and counts, at a given venue time.

const GRILL: StationChoice = { kind: 'prep', id: 'grill' };
const FRY: StationChoice = { kind: 'prep', id: 'fry' };
const EXPO: StationChoice = { kind: 'expo' };

const board = (
  tickets: readonly Ticket[],
  station: StationChoice,
  now: number,
  settings: BoardInput['settings'] = SETTINGS,
) => boardOf({ tickets, station, settings, now });

const keys = (b: ReturnType<typeof boardOf>) => b.cards.map((c) => c.key);

describe('prep station cards', () => {
  it('shows its own tickets still to cook, in arrival order (fired time, then id)', () => {
    const tickets = [
      ticket({ id: 'c', firedMs: 20 * SEC }),
      ticket({ id: 'b', firedMs: 10 * SEC }),
      ticket({ id: 'a', firedMs: 20 * SEC }),
      ticket({ id: 'fry1', station: 'fry', firedMs: 0 }),
      ticket({ id: 'gone', status: 'bumped', firedMs: 0 }),
      ticket({ id: 'done', status: 'ready', firedMs: 0, readyAt: iso(T0 + MIN) }),
      ticket({ id: 'cooking', status: 'in_progress', firedMs: 30 * SEC }),
    ];
    expect(keys(board(tickets, GRILL, T0 + MIN))).toEqual([
      'ticket:b',
      'ticket:a',
      'ticket:c',
      'ticket:cooking',
    ]);
    expect(keys(board(tickets, FRY, T0 + MIN))).toEqual(['ticket:fry1']);
  });

  it('carries the ticket’s number, table, server, covers and course', () => {
    const [card] = board(
      [ticket({ id: 'x', tableLabel: '12', server: 'Ana', covers: 3, course: 2 })],
      GRILL,
      T0,
    ).cards;
    expect(card).toMatchObject({
      number: ticketNumber('order-x'),
      table: '12',
      server: 'Ana',
      covers: 3,
      course: 2,
      ticketIds: ['x'],
      orderId: 'order-x',
    });
    const [bare] = board([ticket({ id: 'y', tableLabel: null })], GRILL, T0).cards;
    expect(bare).toMatchObject({ table: null, server: null, covers: null, course: 1 });
  });

  it('counts both clocks from the venue time: since fired and since started', () => {
    const tickets = [
      ticket({ id: 'q', firedMs: 0 }),
      ticket({ id: 's', status: 'in_progress', firedMs: 0, startedAt: iso(T0 + 2 * MIN) }),
    ];
    const [queued, started] = board(tickets, GRILL, T0 + 5 * MIN + 7 * SEC).cards;
    expect(queued?.sinceFiredMs).toBe(5 * MIN + 7 * SEC);
    expect(queued?.sinceStartedMs).toBe(null);
    expect(started?.sinceFiredMs).toBe(5 * MIN + 7 * SEC);
    expect(started?.sinceStartedMs).toBe(3 * MIN + 7 * SEC);
    // A device behind the server never shows a negative age.
    expect(board(tickets, GRILL, T0 - 10 * SEC).cards[0]?.sinceFiredMs).toBe(0);
  });

  it('names the other stations cooking for the same order (ALSO AT), not finished or voided ones', () => {
    const tickets = [
      ticket({ id: 'g', orderId: 'o1', station: 'grill' }),
      ticket({ id: 'f', orderId: 'o1', station: 'fry' }),
      ticket({ id: 'c', orderId: 'o1', station: 'cold', status: 'ready', readyAt: iso(T0) }),
      ticket({ id: 'p', orderId: 'o1', station: 'pastry' }),
      ticket({ id: 'v', orderId: 'o1', station: 'bar', voidedAt: iso(T0), attention: 'void' }),
      ticket({ id: 'other', orderId: 'o2', station: 'cold' }),
      ticket({ id: 'alone', orderId: 'o3', station: 'grill' }),
    ];
    const b = board(tickets, GRILL, T0);
    // Names from the settings, an unknown station by its id; sorted.
    expect(b.cards.find((c) => c.key === 'ticket:g')?.alsoAt).toEqual(['Fry', 'pastry']);
    expect(b.cards.find((c) => c.key === 'ticket:alone')?.alsoAt).toEqual([]);
  });

  describe('tone at the exact thresholds (warn 300 s, late 600 s)', () => {
    const tickets = [ticket({ id: 't', firedMs: 0 })];
    const rows: [number, string][] = [
      [0, 'ok'],
      [300 * SEC - 1, 'ok'],
      [300 * SEC, 'warn'],
      [600 * SEC - 1, 'warn'],
      [600 * SEC, 'late'],
      [60 * MIN, 'late'],
    ];
    for (const [age, tone] of rows) {
      it(`${age} ms after firing → ${tone}`, () => {
        expect(board(tickets, GRILL, T0 + age).cards[0]?.tone).toBe(tone);
      });
    }

    it('uses the common defaults when the settings have not arrived', () => {
      const at = (age: number) =>
        boardOf({ tickets, station: GRILL, settings: undefined, now: T0 + age }).cards[0]?.tone;
      expect(at(DEFAULT_TIMERS.warnAfterSec * SEC - 1)).toBe('ok');
      expect(at(DEFAULT_TIMERS.warnAfterSec * SEC)).toBe('warn');
      expect(at(DEFAULT_TIMERS.lateAfterSec * SEC - 1)).toBe('warn');
      expect(at(DEFAULT_TIMERS.lateAfterSec * SEC)).toBe('late');
    });

    it('toneOf is the same rule', () => {
      const timers = { warnAfterSec: 10, lateAfterSec: 20 };
      expect([9_999, 10_000, 19_999, 20_000].map((age) => toneOf(age, timers))).toEqual([
        'ok',
        'warn',
        'warn',
        'late',
      ]);
    });
  });

  it('a held ticket is grey (held), however old', () => {
    const [card] = board(
      [ticket({ id: 'h', status: 'held', course: 2 })],
      GRILL,
      T0 + 60 * MIN,
    ).cards;
    expect(card).toMatchObject({ held: true, tone: 'held', status: 'held', course: 2 });
  });

  it('every standing line done makes the card ready (green), a voided line aside', () => {
    const tickets = [
      ticket({
        id: 'r',
        status: 'in_progress',
        lines: [
          { name: 'Burger', readyAt: iso(T0 + MIN) },
          { name: 'Steak', voidedAt: iso(T0 + MIN), lineId: 'line-x' },
        ],
        attention: 'change',
      }),
      ticket({ id: 'half', lines: [{ name: 'A', readyAt: iso(T0) }, { name: 'B' }] }),
    ];
    const cards = board(tickets, GRILL, T0 + 20 * MIN).cards;
    const r = cards.find((c) => c.key === 'ticket:r');
    const half = cards.find((c) => c.key === 'ticket:half');
    expect(r).toMatchObject({ allReady: true, tone: 'ready' });
    expect(half).toMatchObject({ allReady: false, tone: 'late' });
    expect(half?.sections[0]?.lines.map((l) => l.ready)).toEqual([true, false]);
  });

  it('a ready ticket leaves the prep screen, unless it has a void or change to acknowledge', () => {
    const tickets = [
      ticket({ id: 'r', status: 'ready', readyAt: iso(T0) }),
      ticket({ id: 'rc', status: 'ready', readyAt: iso(T0), attention: 'change' }),
    ];
    const b = board(tickets, GRILL, T0 + MIN);
    expect(keys(b)).toEqual(['ticket:rc']);
    expect(b.cards[0]).toMatchObject({ tone: 'ready', attention: 'change', allReady: true });
  });

  it('a voided order shows VOID until acknowledged, then leaves', () => {
    const voided = ticket({ id: 'v', voidedAt: iso(T0 + MIN), attention: 'void' });
    const [card] = board([voided], GRILL, T0 + 2 * MIN).cards;
    expect(card).toMatchObject({ voided: true, attention: 'void' });
    expect(card?.sections[0]?.lines.every((l) => l.voided)).toBe(true);
    expect(board([{ ...voided, attention: null }], GRILL, T0 + 2 * MIN).cards).toEqual([]);
  });

  it('a voided line is struck (voided) and the card asks for the change to be seen', () => {
    const t = ticket({
      id: 'c',
      attention: 'change',
      lines: [{ name: 'Burger' }, { name: 'Salad', voidedAt: iso(T0 + MIN) }],
    });
    const [card] = board([t], GRILL, T0 + 2 * MIN).cards;
    expect(card?.attention).toBe('change');
    expect(card?.voided).toBe(false);
    expect(card?.sections[0]?.lines.map((l) => [l.name, l.voided])).toEqual([
      ['Burger', false],
      ['Salad', true],
    ]);
  });

  it('marks allergy notes; a later send to the station is the card’s ADD-ON; line keys name every line', () => {
    const first = ticket({
      id: 'n',
      orderId: 'o-n',
      lines: [
        { name: 'Burger', note: 'NUT allergy, no sauce' },
        { name: 'Fries', note: 'extra crispy' },
      ],
    });
    const later = ticket({
      id: 'n2',
      orderId: 'o-n',
      firedMs: 3 * MIN,
      lines: [{ name: 'Shake', modifiers: ['oat milk'] }],
    });
    const other = ticket({ id: 'x', orderId: 'o-x', firedMs: MIN });
    const cards = board([later, other, first], GRILL, T0 + 4 * MIN).cards;
    expect(cards.map((c) => c.key)).toEqual(['ticket:n', 'ticket:x']);
    const [card] = cards;
    const lines = card?.sections.flatMap((s) => s.lines) ?? [];
    expect(lines.map((l) => [l.name, l.allergy, l.addOn])).toEqual([
      ['Burger', true, false],
      ['Fries', false, false],
      ['Shake', false, true],
    ]);
    expect(card?.ticketIds).toEqual(['n', 'n2']);
    expect(lines[2]?.modifiers).toEqual(['oat milk']);
    expect(card?.lineKeys).toEqual(['n/line-1', 'n/line-2', 'n2/line-1']);
  });

  it('keeps a held send of the same course on a card of its own', () => {
    const fired = ticket({ id: 'f', orderId: 'o-h' });
    const held = ticket({ id: 'h', orderId: 'o-h', status: 'held', firedMs: MIN });
    const cards = board([fired, held], GRILL, T0 + 2 * MIN).cards;
    expect(cards.map((c) => [c.key, c.held])).toEqual([
      ['ticket:f', false],
      ['ticket:h', true],
    ]);
  });
});

describe('expo cards', () => {
  const order = (status: Record<string, Ticket['status']>, extra: Partial<Ticket> = {}) =>
    Object.entries(status).map(([station, s], i) =>
      ticket({
        id: `o1-${station}`,
        orderId: 'o1',
        station,
        status: s,
        firedMs: i * SEC,
        readyAt: s === 'ready' ? iso(T0 + MIN) : null,
        ...extra,
      }),
    );

  it('one card per order and course, every station’s share a section, in arrival order', () => {
    const tickets = [
      ticket({ id: 'b-grill', orderId: 'ob', station: 'grill', firedMs: 5 * SEC }),
      ...order({ grill: 'queued', fry: 'in_progress' }),
      ticket({
        id: 'o1-dessert',
        orderId: 'o1',
        station: 'cold',
        course: 2,
        status: 'held',
        firedMs: 2 * SEC,
      }),
    ];
    const b = board(tickets, EXPO, T0 + MIN);
    expect(keys(b)).toEqual(['order:o1#1', 'order:o1#2', 'order:ob#1']);
    const first = b.cards[0];
    expect(first?.ticketIds).toEqual(['o1-grill', 'o1-fry']);
    expect(first?.sections.map((s) => [s.stationName, s.status])).toEqual([
      ['Grill', 'queued'],
      ['Fry', 'in_progress'],
    ]);
    expect(first?.alsoAt).toEqual([]);
    expect(b.cards[1]).toMatchObject({ held: true, tone: 'held', course: 2 });
  });

  it('green (ready) only when every share is ready', () => {
    const some = board(order({ grill: 'ready', fry: 'in_progress' }), EXPO, T0 + MIN).cards[0];
    expect(some).toMatchObject({ allReady: false, tone: 'ok' });
    expect(some?.sections[0]?.lines[0]?.ready).toBe(true);
    const all = board(order({ grill: 'ready', fry: 'ready' }), EXPO, T0 + 20 * MIN).cards[0];
    expect(all).toMatchObject({ allReady: true, tone: 'ready', status: 'ready' });
  });

  it('a share already handed out leaves the card; a fully bumped order has none', () => {
    const tickets = order({ grill: 'bumped', fry: 'ready' });
    expect(board(tickets, EXPO, T0 + MIN).cards[0]?.ticketIds).toEqual(['o1-fry']);
    expect(board(order({ grill: 'bumped', fry: 'bumped' }), EXPO, T0 + MIN).cards).toEqual([]);
  });

  it('its clock runs from the earliest share fired, its tone by the timers', () => {
    const tickets = order({ grill: 'queued', fry: 'queued' });
    const at = (age: number) => board(tickets, EXPO, T0 + age).cards[0];
    expect(at(300 * SEC - 1)?.tone).toBe('ok');
    expect(at(300 * SEC)?.tone).toBe('warn');
    expect(at(600 * SEC)).toMatchObject({ tone: 'late', sinceFiredMs: 600 * SEC });
  });

  it('a voided order shows VOID (voided, attention) on expo until acknowledged', () => {
    const tickets = order({ grill: 'queued', fry: 'ready' }, {
      voidedAt: iso(T0 + MIN),
      attention: 'void',
    } as Partial<Ticket>);
    const [card] = board(tickets, EXPO, T0 + 2 * MIN).cards;
    expect(card).toMatchObject({ voided: true, attention: 'void', held: false, allReady: false });
    const seen = tickets.map((t) => ({ ...t, attention: null }));
    expect(board(seen, EXPO, T0 + 2 * MIN).cards).toEqual([]);
  });

  it('a change on one share flags the whole card CHANGED', () => {
    const tickets = order({ grill: 'queued', fry: 'queued' });
    tickets[1] = { ...(tickets[1] as Ticket), attention: 'change' };
    expect(board(tickets, EXPO, T0).cards[0]?.attention).toBe('change');
  });
});

describe('all day', () => {
  const tickets = [
    ticket({
      id: 'a',
      lines: [
        { name: 'Burger', quantity: 2 },
        { name: 'Fries', quantity: 3 },
      ],
    }),
    ticket({
      id: 'b',
      status: 'in_progress',
      lines: [
        { name: 'Burger', quantity: 1 },
        { name: 'Fries', quantity: 1, readyAt: iso(T0) },
        { name: 'Steak', quantity: 4, voidedAt: iso(T0) },
      ],
    }),
    ticket({
      id: 'ready',
      status: 'ready',
      readyAt: iso(T0),
      lines: [{ name: 'Burger', quantity: 9 }],
    }),
    ticket({ id: 'held', status: 'held', lines: [{ name: 'Burger', quantity: 7 }] }),
    ticket({
      id: 'void',
      voidedAt: iso(T0),
      attention: 'void',
      lines: [{ name: 'Burger', quantity: 5 }],
    }),
    ticket({
      id: 'fry',
      station: 'fry',
      lines: [{ name: 'Fries', quantity: 10 }, { name: 'Aioli' }],
    }),
  ];

  it('a prep station sums its own items still to cook (not voided, ready, held)', () => {
    expect(board(tickets, GRILL, T0).allDay).toEqual([
      { name: 'Burger', quantity: 3 },
      { name: 'Fries', quantity: 3 },
    ]);
  });

  it('expo sums every station’s, most first then by name', () => {
    expect(board(tickets, EXPO, T0).allDay).toEqual([
      { name: 'Fries', quantity: 13 },
      { name: 'Burger', quantity: 3 },
      { name: 'Aioli', quantity: 1 },
    ]);
  });
});

describe('recently bumped', () => {
  it('prep: its tickets marked ready within 15 min, newest first', () => {
    const now = T0 + 30 * MIN;
    const tickets = [
      ticket({ id: 'old', status: 'ready', readyAt: iso(now - RECALL_WINDOW_MS - 1) }),
      ticket({ id: 'edge', status: 'ready', readyAt: iso(now - RECALL_WINDOW_MS) }),
      ticket({
        id: 'new',
        status: 'ready',
        readyAt: iso(now - MIN),
        lines: [{ name: 'Steak', quantity: 2 }],
      }),
      ticket({ id: 'fry', station: 'fry', status: 'ready', readyAt: iso(now - MIN) }),
      ticket({ id: 'void', status: 'ready', readyAt: iso(now - MIN), voidedAt: iso(now) }),
      ticket({ id: 'cooking', status: 'in_progress' }),
    ];
    const recent = board(tickets, GRILL, now).recent;
    expect(recent.map((r) => r.key)).toEqual(['ticket:new', 'ticket:edge']);
    expect(recent[0]).toMatchObject({ ticketIds: ['new'], at: now - MIN, summary: '2 × Steak' });
  });

  it('expo: orders fully handed out, within the window, newest first', () => {
    const now = T0 + 30 * MIN;
    const bumped = (id: string, orderId: string, at: number, station = 'grill') =>
      ticket({ id, orderId, station, status: 'bumped', readyAt: iso(at), bumpedAt: iso(at) });
    const tickets = [
      bumped('a1', 'oa', now - 2 * MIN),
      bumped('a2', 'oa', now - 3 * MIN, 'fry'),
      bumped('b1', 'ob', now - MIN),
      ticket({ id: 'b2', orderId: 'ob', station: 'fry' }), // still on the pass
      bumped('c1', 'oc', now - 16 * MIN),
      bumped('d1', 'od', now - 4 * MIN),
      ticket({ id: 'd2', orderId: 'od', status: 'held', course: 2 }), // a held course waits
    ];
    const recent = board(tickets, EXPO, now).recent;
    expect(recent.map((r) => r.key)).toEqual(['order:oa', 'order:od']);
    expect(recent[0]?.ticketIds).toEqual(['a1', 'a2']);
    expect(recent[0]?.at).toBe(now - 2 * MIN);
  });

  it('keeps the 50 newest', () => {
    const now = T0 + 30 * MIN;
    const tickets = Array.from({ length: 60 }, (_, i) =>
      ticket({ id: `r${i}`, status: 'ready', readyAt: iso(now - 60 * SEC + i * SEC) }),
    );
    const recent = board(tickets, GRILL, now).recent;
    expect(recent).toHaveLength(50);
    expect(recent[0]?.key).toBe('ticket:r59');
    expect(recent[49]?.key).toBe('ticket:r10');
    for (let i = 1; i < recent.length; i++) {
      expect((recent[i - 1]?.at ?? 0) >= (recent[i]?.at ?? 0)).toBe(true);
    }
  });
});

describe('formatAge', () => {
  const rows: [number, string][] = [
    [-5_000, '0:00'],
    [0, '0:00'],
    [999, '0:00'],
    [42_000, '0:42'],
    [59_999, '0:59'],
    [60_000, '1 min'],
    [7 * MIN + 59 * SEC, '7 min'],
    [59 * MIN + 59 * SEC, '59 min'],
    [60 * MIN, '1 h 00'],
    [65 * MIN, '1 h 05'],
    [125 * MIN, '2 h 05'],
  ];
  for (const [ms, text] of rows) {
    it(`${ms} ms → ${text}`, () => expect(formatAge(ms)).toBe(text));
  }
});

describe('boardOf', () => {
  it('is pure: the same input gives the same board', () => {
    const tickets = [ticket({ id: 'a' }), ticket({ id: 'b', station: 'fry', orderId: 'order-a' })];
    const input = { tickets, station: GRILL, settings: SETTINGS, now: T0 + MIN };
    expect(boardOf(input)).toEqual(boardOf(input));
    expect(tickets[0]?.status).toBe('queued');
  });
});
