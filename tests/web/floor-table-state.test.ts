import { describe, expect, it } from 'vitest';
import {
  type FloorEntities,
  formatSeated,
  groupsOf,
  type KitchenProgress,
  STATE_PRECEDENCE,
  stateOf,
  type TableState,
  type TableView,
  tableViewsOf,
} from '../../web/floor/table-state.ts';
import { MIN, order, request, section, T0, table, ticket } from './floor-fixtures.ts';

// The floor plan's table states: the rule over every combination of facts as a table of cases,
// then each fact as the entities give it, then groups, covers and seated time.

type Row = [
  seated: 0 | 1,
  progress: KitchenProgress,
  bill: 0 | 1,
  call: 0 | 1,
  guest: 0 | 1,
  expected: TableState,
];

// Every combination (2 × 3 × 2 × 2 × 2 = 48). Precedence: attention > bill > food out >
// ordered > seated > free; progress means nothing without an open order.
// biome-ignore format: a table of cases reads best one row a line
const CASES: Row[] = [
  [0, 'none',    0, 0, 0, 'free'],
  [0, 'none',    0, 0, 1, 'attention'],
  [0, 'none',    0, 1, 0, 'attention'],
  [0, 'none',    0, 1, 1, 'attention'],
  [0, 'none',    1, 0, 0, 'bill'],
  [0, 'none',    1, 0, 1, 'attention'],
  [0, 'none',    1, 1, 0, 'attention'],
  [0, 'none',    1, 1, 1, 'attention'],
  [0, 'working', 0, 0, 0, 'free'],
  [0, 'working', 0, 0, 1, 'attention'],
  [0, 'working', 0, 1, 0, 'attention'],
  [0, 'working', 0, 1, 1, 'attention'],
  [0, 'working', 1, 0, 0, 'bill'],
  [0, 'working', 1, 0, 1, 'attention'],
  [0, 'working', 1, 1, 0, 'attention'],
  [0, 'working', 1, 1, 1, 'attention'],
  [0, 'out',     0, 0, 0, 'free'],
  [0, 'out',     0, 0, 1, 'attention'],
  [0, 'out',     0, 1, 0, 'attention'],
  [0, 'out',     0, 1, 1, 'attention'],
  [0, 'out',     1, 0, 0, 'bill'],
  [0, 'out',     1, 0, 1, 'attention'],
  [0, 'out',     1, 1, 0, 'attention'],
  [0, 'out',     1, 1, 1, 'attention'],
  [1, 'none',    0, 0, 0, 'seated'],
  [1, 'none',    0, 0, 1, 'attention'],
  [1, 'none',    0, 1, 0, 'attention'],
  [1, 'none',    0, 1, 1, 'attention'],
  [1, 'none',    1, 0, 0, 'bill'],
  [1, 'none',    1, 0, 1, 'attention'],
  [1, 'none',    1, 1, 0, 'attention'],
  [1, 'none',    1, 1, 1, 'attention'],
  [1, 'working', 0, 0, 0, 'ordered'],
  [1, 'working', 0, 0, 1, 'attention'],
  [1, 'working', 0, 1, 0, 'attention'],
  [1, 'working', 0, 1, 1, 'attention'],
  [1, 'working', 1, 0, 0, 'bill'],
  [1, 'working', 1, 0, 1, 'attention'],
  [1, 'working', 1, 1, 0, 'attention'],
  [1, 'working', 1, 1, 1, 'attention'],
  [1, 'out',     0, 0, 0, 'food_out'],
  [1, 'out',     0, 0, 1, 'attention'],
  [1, 'out',     0, 1, 0, 'attention'],
  [1, 'out',     0, 1, 1, 'attention'],
  [1, 'out',     1, 0, 0, 'bill'],
  [1, 'out',     1, 0, 1, 'attention'],
  [1, 'out',     1, 1, 0, 'attention'],
  [1, 'out',     1, 1, 1, 'attention'],
];

describe('stateOf: the rule, every combination', () => {
  it('the table covers all 48 combinations once', () => {
    const keys = new Set(CASES.map((row) => row.slice(0, 5).join()));
    expect(keys.size).toBe(48);
  });

  it.each(CASES)(
    'seated %i, progress %s, bill %i, call %i, guest %i → %s',
    (s, p, b, c, g, want) => {
      expect(
        stateOf({
          seated: s === 1,
          progress: p,
          billAsked: b === 1,
          callWaiter: c === 1,
          guestOrderWaiting: g === 1,
        }),
      ).toBe(want);
    },
  );

  it('the precedence the comment states', () => {
    expect(STATE_PRECEDENCE).toEqual([
      'attention',
      'bill',
      'food_out',
      'ordered',
      'seated',
      'free',
    ]);
  });
});

const T5 = table('5');
function only(entities: Partial<FloorEntities>, now = T0): TableView {
  const [view] = tableViewsOf(
    { tables: [T5], orders: [], tickets: [], requests: [], approval: false, ...entities },
    now,
  );
  if (!view) throw new Error('no view for the table');
  return view;
}

describe('tableViewsOf: the facts from the entities', () => {
  it('no order: free, no time, no covers', () => {
    expect(only({})).toMatchObject({ state: 'free', since: null, minutes: null, covers: 0 });
  });

  it('closed and voided orders leave the table free', () => {
    const orders = [
      order({ id: 'o1', tableId: T5.id, status: 'closed', lines: [{ sent: true }] }),
      order({ id: 'o2', tableId: T5.id, status: 'voided' }),
    ];
    expect(only({ orders }).state).toBe('free');
  });

  it('another table’s order does not count', () => {
    expect(only({ orders: [order({ id: 'o1', tableId: 'table-9' })] }).state).toBe('free');
  });

  it('an open order with no lines, or none sent: seated', () => {
    expect(only({ orders: [order({ id: 'o1', tableId: T5.id })] }).state).toBe('seated');
    const composing = order({ id: 'o1', tableId: T5.id, lines: [{}, {}] });
    expect(only({ orders: [composing] }).state).toBe('seated');
  });

  it('a sent line whose ticket is not bumped: ordered, whatever the ticket’s stage', () => {
    const orders = [order({ id: 'o1', tableId: T5.id, lines: [{ sent: true }] })];
    for (const status of ['held', 'queued', 'in_progress', 'ready'] as const)
      expect(only({ orders, tickets: [ticket('t1', 'o1', status)] }).state).toBe('ordered');
  });

  it('a sent line whose ticket has not reached the device yet: ordered', () => {
    const orders = [order({ id: 'o1', tableId: T5.id, lines: [{ sent: true }] })];
    expect(only({ orders }).state).toBe('ordered');
  });

  it('every ticket bumped: food out; one not bumped: ordered', () => {
    const orders = [order({ id: 'o1', tableId: T5.id, lines: [{ sent: true }, { sent: true }] })];
    const bumped = [ticket('t1', 'o1', 'bumped'), ticket('t2', 'o1', 'bumped')];
    expect(only({ orders, tickets: bumped }).state).toBe('food_out');
    const oneLeft = [ticket('t1', 'o1', 'bumped'), ticket('t2', 'o1', 'ready')];
    expect(only({ orders, tickets: oneLeft }).state).toBe('ordered');
  });

  it('food out stays while a server composes the next round (unsent lines)', () => {
    const orders = [order({ id: 'o1', tableId: T5.id, lines: [{ sent: true }, {}] })];
    expect(only({ orders, tickets: [ticket('t1', 'o1', 'bumped')] }).state).toBe('food_out');
  });

  it('a voided line counts neither as sent nor as waiting', () => {
    const orders = [
      order({ id: 'o1', tableId: T5.id, status: 'sent', lines: [{ sent: true, voided: true }] }),
    ];
    expect(only({ orders }).state).toBe('seated');
  });

  it('two open orders: the kitchen still working on one keeps the table ordered', () => {
    const orders = [
      order({ id: 'o1', tableId: T5.id, lines: [{ sent: true }] }),
      order({ id: 'o2', tableId: T5.id, at: 5 * MIN, lines: [{ sent: true }] }),
    ];
    const tickets = [ticket('t1', 'o1', 'bumped'), ticket('t2', 'o2', 'queued')];
    expect(only({ orders, tickets }).state).toBe('ordered');
  });

  it('an open bill request: bill asked; acknowledged, done or cancelled ones do not count', () => {
    const orders = [order({ id: 'o1', tableId: T5.id, lines: [{ sent: true }] })];
    const tickets = [ticket('t1', 'o1', 'bumped')];
    expect(only({ orders, tickets, requests: [request('r1', T5.id, 'bill')] })).toMatchObject({
      state: 'bill',
      waitingRequest: true,
      requestKinds: ['bill'],
    });
    for (const status of ['acknowledged', 'done', 'cancelled'] as const) {
      const requests = [request('r1', T5.id, 'bill', status)];
      expect(only({ orders, tickets, requests })).toMatchObject({
        state: 'food_out',
        waitingRequest: false,
      });
    }
  });

  it('an open call: needs attention, over a bill request', () => {
    const requests = [
      request('r1', T5.id, 'bill'),
      request('r2', T5.id, 'call_waiter', 'open', MIN),
    ];
    expect(only({ orders: [order({ id: 'o1', tableId: T5.id })], requests })).toMatchObject({
      state: 'attention',
      requestKinds: ['bill', 'call_waiter'],
    });
  });

  it('water or another request: flagged, but the state stays', () => {
    const requests = [request('r1', T5.id, 'water'), request('r2', T5.id, 'water', 'open', MIN)];
    expect(only({ orders: [order({ id: 'o1', tableId: T5.id })], requests })).toMatchObject({
      state: 'seated',
      waitingRequest: true,
      requestKinds: ['water'],
    });
  });

  it('a guest order with unsent lines while the venue approves guest orders: needs attention', () => {
    const orders = [order({ id: 'o1', tableId: T5.id, source: 'guest', lines: [{}] })];
    expect(only({ orders, approval: true })).toMatchObject({
      state: 'attention',
      guestOrderWaiting: true,
    });
    // Without approval its lines go straight to the kitchen; unsent ones are not waiting on staff.
    expect(only({ orders, approval: false })).toMatchObject({
      state: 'seated',
      guestOrderWaiting: false,
    });
  });

  it('a guest order all sent, or a staff order unsent, is not waiting for approval', () => {
    const sent = [order({ id: 'o1', tableId: T5.id, source: 'guest', lines: [{ sent: true }] })];
    expect(only({ orders: sent, approval: true }).guestOrderWaiting).toBe(false);
    const staff = [order({ id: 'o1', tableId: T5.id, source: 'staff', lines: [{}] })];
    expect(only({ orders: staff, approval: true }).guestOrderWaiting).toBe(false);
  });

  it('seated since the oldest open order, covers summed, minutes from the device’s time', () => {
    const orders = [
      order({ id: 'o2', tableId: T5.id, at: 10 * MIN, guestCount: 2 }),
      order({ id: 'o1', tableId: T5.id, at: 0, guestCount: 3 }),
      order({ id: 'o0', tableId: T5.id, at: -60 * MIN, status: 'closed', guestCount: 9 }),
    ];
    const view = only({ orders }, T0 + 42 * MIN + 59_999);
    expect(view).toMatchObject({ since: T0, minutes: 42, covers: 5 });
  });

  it('a device clock behind the server’s reads 0 minutes, never less', () => {
    expect(only({ orders: [order({ id: 'o1', tableId: T5.id })] }, T0 - 5 * MIN).minutes).toBe(0);
  });

  it('tables come back in label order, numbers as numbers', () => {
    const tables = ['10', '2', 'Bar 10', '1', 'Bar 2'].map((l) => table(l));
    const views = tableViewsOf(
      { tables, orders: [], tickets: [], requests: [], approval: false },
      T0,
    );
    expect(views.map((v) => v.table.label)).toEqual(['1', '2', '10', 'Bar 2', 'Bar 10']);
  });
});

describe('groupsOf: sections', () => {
  const tables = ['1', '2', '3', '10', '11'].map((l) => table(l));
  const views = tableViewsOf(
    { tables, orders: [], tickets: [], requests: [], approval: false },
    T0,
  );
  const sections = [
    section('s-terrace', 'Terrace', ['table-11', 'table-10', 'table-gone']),
    section('s-inside', 'Inside', ['table-2', 'table-1', 'table-10']),
  ];
  const shape = (groups: ReturnType<typeof groupsOf>) =>
    groups.map((g) => [g.name, g.tables.map((v) => v.table.label)]);

  it('sections by name, tables by label, a table once, the rest under Other', () => {
    expect(shape(groupsOf(views, sections))).toEqual([
      ['Inside', ['1', '2', '10']],
      ['Terrace', ['11']],
      ['Other', ['3']],
    ]);
  });

  it('one section: all of its tables', () => {
    expect(shape(groupsOf(views, sections, 's-terrace'))).toEqual([['Terrace', ['10', '11']]]);
    expect(groupsOf(views, sections, 's-unknown')).toEqual([]);
  });

  it('no sections: one group of every table', () => {
    expect(shape(groupsOf(views, []))).toEqual([['Tables', ['1', '2', '3', '10', '11']]]);
  });
});

describe('formatSeated', () => {
  it.each([
    [0, '0 min'],
    [42, '42 min'],
    [59, '59 min'],
    [60, '1 h 00 min'],
    [125, '2 h 05 min'],
  ])('%i → %s', (minutes, words) => {
    expect(formatSeated(minutes)).toBe(words);
  });
});
