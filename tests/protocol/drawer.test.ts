import { beforeAll, describe, expect, it } from 'vitest';
import {
  DRAWER_EVENTS,
  DRAWER_STATES,
  type DrawerEvent,
  type DrawerState,
  drawerExpected,
  drawerStep,
  getEntity,
  listEntities,
  type VenueState,
} from '#protocol';
import {
  applyAs,
  cardPayload,
  DEVICE,
  decideAs,
  manager,
  NOW,
  owner,
  server,
  stateOf,
  ulid,
  venueState,
  withOrder,
} from './support/payment-fixture.ts';
import { type Verdict, verdictOf } from './support/run-ops.ts';
import { staff } from './support/venue-fixture.ts';

// A device's cash drawer for a shift: opened with a float, cash in and payouts out during it,
// closed with the count against what it should hold.

const DRAWER = 'drawer-1';
const ORDER = 'order-d';
const drawerOf = (state: VenueState, id = DRAWER) => getEntity(state.entities, 'drawer', id);

// Every state × every event. A closed drawer is final: the next shift opens a new one.
const table: Record<DrawerState, Record<DrawerEvent, Verdict>> = {
  open: { payout: 'unchanged', cash_sale: 'unchanged', close: { moved: 'closed' } },
  closed: { payout: 'refused', cash_sale: 'refused', close: 'refused' },
};
const cells = DRAWER_STATES.flatMap((from) => DRAWER_EVENTS.map((e) => [from, e] as const));

const states = {} as Record<DrawerState, VenueState>;

/** The op each event stands for, on DRAWER from this device. */
function eventOf(event: DrawerEvent): [Parameters<typeof decideAs>[1], unknown] {
  switch (event) {
    case 'payout':
      return [
        'drawer.payout',
        { drawerId: DRAWER, payoutId: 'po-9', amount: 300, reason: 'window cleaner' },
      ];
    case 'cash_sale':
      return [
        'payment.cash',
        {
          paymentId: ulid(9),
          orderId: ORDER,
          amount: 500,
          tip: 0,
          tendered: 500,
          drawerId: DRAWER,
        },
      ];
    case 'close':
      return ['drawer.close', { drawerId: DRAWER, counted: 10_000, reason: 'count' }];
  }
}

beforeAll(async () => {
  const withCheck = await withOrder(venueState(), ORDER, [
    ['burger', 1],
    ['beer', 1],
  ]);
  states.open = await applyAs(
    withCheck,
    'drawer.open',
    { drawerId: DRAWER, float: 10_000 },
    server,
  );
  states.closed = await applyAs(
    states.open,
    'drawer.close',
    { drawerId: DRAWER, counted: 10_000 },
    server,
  );
});

describe('the drawer state machine', () => {
  it('has a row for every state and a cell for every event', () => {
    expect(Object.keys(table).sort()).toEqual([...DRAWER_STATES].sort());
    for (const state of DRAWER_STATES)
      expect(Object.keys(table[state]).sort()).toEqual([...DRAWER_EVENTS].sort());
    expect(cells).toHaveLength(2 * 3);
  });

  it.each(cells)('%s × %s: the pure step follows the table', (from, event) => {
    const expected = table[from][event];
    const result = drawerStep(from, event);
    if (expected === 'refused') expect(result).toEqual({ kind: 'refused', from });
    else if (expected === 'unchanged')
      expect(result).toEqual({ kind: 'unchanged', from, to: from });
    else expect(result).toEqual({ kind: 'moved', from, to: expected.moved });
  });

  it.each(cells)('%s × %s: the decider follows the table', async (from, event) => {
    const state = states[from];
    expect(drawerOf(state)?.status).toBe(from);
    const [type, payload] = eventOf(event);
    const decision = await decideAs(state, type, payload, server);
    if (table[from][event] === 'refused') {
      // A drawer that is not open is refused as such, whatever the op.
      expect(decision).toMatchObject({
        kind: 'rejected',
        code: 'DRAWER_NOT_OPEN',
        current: { id: DRAWER, status: from },
      });
      return;
    }
    expect(decision.kind === 'applied' && decision.changes.length > 0).toBe(true);
    expect(verdictOf(decision, (s) => drawerOf(s)?.status, from)).toEqual(table[from][event]);
  });
});

describe('drawer ops', () => {
  it('opens one drawer per device; another device opens its own; a closed one makes room', async () => {
    const open = states.open;
    expect(drawerOf(open)).toMatchObject({
      deviceId: DEVICE,
      status: 'open',
      float: 10_000,
      currency: 'EUR',
      openedBy: 'server-1',
      openedAt: NOW,
      payouts: [],
      counted: null,
      expected: null,
    });
    expect(
      await decideAs(open, 'drawer.open', { drawerId: 'drawer-2', float: 0 }, server),
    ).toMatchObject({ code: 'DRAWER_ALREADY_OPEN', current: { id: DRAWER } });
    expect(
      await decideAs(open, 'drawer.open', { drawerId: DRAWER, float: 0 }, server, {
        deviceId: 'tablet-2',
      }),
    ).toMatchObject({ code: 'ALREADY_EXISTS' });
    const two = stateOf(
      await decideAs(open, 'drawer.open', { drawerId: 'drawer-2', float: 0 }, server, {
        deviceId: 'tablet-2',
      }),
    );
    expect(listEntities(two.entities, 'drawer').filter((d) => d.status === 'open')).toHaveLength(2);
    expect(
      (await decideAs(states.closed, 'drawer.open', { drawerId: 'drawer-2', float: 0 }, server))
        .kind,
    ).toBe('applied');
    expect(
      await decideAs(venueState(), 'drawer.open', { drawerId: DRAWER, float: 0 }, staff('kitchen')),
    ).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('records a payout once: the same payout again changes nothing', async () => {
    const payout = { drawerId: DRAWER, payoutId: 'po-1', amount: 700, reason: 'supplier' };
    const after = stateOf(await decideAs(states.open, 'drawer.payout', payout, server));
    expect(drawerOf(after)?.payouts).toEqual([
      { id: 'po-1', amount: 700, reason: 'supplier', by: 'server-1', at: NOW },
    ]);
    expect(await decideAs(after, 'drawer.payout', payout, server)).toMatchObject({
      kind: 'applied',
      changes: [],
    });
    expect(
      await decideAs(states.open, 'drawer.payout', { ...payout, drawerId: 'nope' }),
    ).toMatchObject({ code: 'NOT_FOUND' });
  });

  /**
   * Float 100.00; cash 20.00 + 3.00 tip into the drawer (50.00 tendered, 27.00 change out);
   * 5.00 paid out; 4.00 of the cash refunded; a card payment and cash into another drawer that
   * do not count. Expected 100.00 + 23.00 − 5.00 − 4.00 = 114.00.
   */
  async function shift(): Promise<VenueState> {
    let state = await withOrder(states.open, 'order-e', [['burger', 2]]);
    state = await applyAs(
      state,
      'payment.cash',
      {
        paymentId: ulid(1),
        orderId: ORDER,
        amount: 2000,
        tip: 300,
        tendered: 5000,
        drawerId: DRAWER,
      },
      server,
    );
    state = await applyAs(state, 'payment.card', cardPayload(ulid(2), 'order-e', 1000, 'approved'));
    state = await applyAs(state, 'drawer.open', { drawerId: 'drawer-x', float: 0 }, server, {
      deviceId: 'tablet-2',
    });
    state = await applyAs(
      state,
      'payment.cash',
      {
        paymentId: ulid(3),
        orderId: 'order-e',
        amount: 1900,
        tip: 0,
        tendered: 1900,
        drawerId: 'drawer-x',
      },
      server,
      { deviceId: 'tablet-2' },
    );
    state = await applyAs(
      state,
      'drawer.payout',
      { drawerId: DRAWER, payoutId: 'po-1', amount: 500, reason: 'ice' },
      server,
    );
    return applyAs(
      state,
      'refund.request',
      { refundId: ulid(4), paymentId: ulid(1), amount: 400, reason: 'overcharged' },
      manager,
    );
  }

  it('closes with expected = float + cash (amount + tip) − payouts − cash refunds', async () => {
    const state = await shift();
    const drawer = drawerOf(state);
    if (!drawer) throw new Error('no drawer');
    expect(
      drawerExpected(
        drawer,
        listEntities(state.entities, 'payment'),
        listEntities(state.entities, 'refund'),
      ),
    ).toEqual({ float: 10_000, cashSales: 2300, payouts: 500, refunds: 400, expected: 11_400 });
    const after = stateOf(
      await decideAs(state, 'drawer.close', { drawerId: DRAWER, counted: 11_400 }, server),
    );
    expect(drawerOf(after)).toMatchObject({
      status: 'closed',
      counted: 11_400,
      expected: 11_400,
      difference: 0,
      reason: null,
      closedBy: 'server-1',
      closedAt: NOW,
    });
  });

  it('a count that differs needs a reason, and the difference is recorded', async () => {
    const state = await shift();
    expect(
      await decideAs(state, 'drawer.close', { drawerId: DRAWER, counted: 11_300 }, server),
    ).toMatchObject({ code: 'DRAWER_REASON_REQUIRED' });
    expect(
      await decideAs(state, 'drawer.close', { drawerId: DRAWER, counted: 11_401 }, server),
    ).toMatchObject({ code: 'DRAWER_REASON_REQUIRED' });
    const short = stateOf(
      await decideAs(
        state,
        'drawer.close',
        { drawerId: DRAWER, counted: 11_300, reason: 'gave too much change' },
        server,
      ),
    );
    expect(drawerOf(short)).toMatchObject({
      expected: 11_400,
      counted: 11_300,
      difference: -100,
      reason: 'gave too much change',
    });
  });

  it('another device may not pay out of or close it; a manager or owner may close it from anywhere', async () => {
    const state = await shift();
    const elsewhere = { deviceId: 'tablet-2' };
    const close = { drawerId: DRAWER, counted: 11_400 };
    expect(
      await decideAs(
        state,
        'drawer.payout',
        { drawerId: DRAWER, payoutId: 'po-2', amount: 100, reason: 'x' },
        manager,
        elsewhere,
      ),
    ).toMatchObject({ code: 'DRAWER_NOT_OPEN' });
    expect(await decideAs(state, 'drawer.close', close, server, elsewhere)).toMatchObject({
      code: 'DRAWER_NOT_OPEN',
    });
    for (const principal of [manager, owner]) {
      const after = stateOf(await decideAs(state, 'drawer.close', close, principal, elsewhere));
      expect(drawerOf(after)).toMatchObject({
        status: 'closed',
        closedBy: principal.kind === 'staff' ? principal.actorId : '',
        deviceId: DEVICE,
      });
    }
  });
});
