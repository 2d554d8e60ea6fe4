import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OFFLINE_CARD_LIMITS,
  decide,
  expiredOfflinePayments,
  outstandingOfflineCards,
  type VenueState,
} from '#protocol';
import {
  applyAs,
  at,
  cardPayload,
  DEVICE,
  decideAs,
  HOUR,
  manager,
  NOW,
  orderOf,
  owner,
  paymentOf,
  server,
  settingsIn,
  stateOf,
  ulid,
  venueState,
  withOrder,
  withPolicy,
  withPrice,
} from './support/payment-fixture.ts';
import { ctxFor, guest, opOf, staff } from './support/venue-fixture.ts';

// Payments towards a check through the deciders: cash, card as the processor answered it, card
// stored offline within the venue's limits, a stored card settled later, and the follow-up.

const ORDER = 'order-a';
/** Burger 14.50 + beer 5.50. */
const TOTAL = 2000;
const P1 = ulid(1);
const P2 = ulid(2);
const P3 = ulid(3);

const withCheck = () =>
  withOrder(venueState(), ORDER, [
    ['burger', 1],
    ['beer', 1],
  ]);
const cash = (over: Record<string, unknown> = {}) => ({
  paymentId: P1,
  orderId: ORDER,
  amount: TOTAL,
  tip: 0,
  tendered: TOTAL,
  ...over,
});

describe('payment.cash', () => {
  it('the exact balance closes the check; the payment records tendered and change', async () => {
    const state = await withCheck();
    const after = stateOf(await decideAs(state, 'payment.cash', cash(), server));
    expect(orderOf(after, ORDER)).toMatchObject({
      status: 'closed',
      paid: TOTAL,
      tips: 0,
      closedAt: NOW,
      payment: null,
    });
    expect(paymentOf(after, P1)).toMatchObject({
      method: 'cash',
      amount: TOTAL,
      tip: 0,
      cash: { tendered: TOTAL, change: 0 },
      card: null,
      status: 'approved',
      takenBy: 'server-1',
      deviceId: DEVICE,
      currency: 'EUR',
      takenAt: NOW,
      drawerId: null,
      version: 1,
    });
  });

  it('the balance rounded to the cash increment closes the check, the rounding written off', async () => {
    // 4.52 rounds down to 4.50, 4.53 up to 4.55 (increment 5).
    for (const [price, rounded] of [
      [452, 450],
      [453, 455],
    ] as const) {
      const state = await withOrder(withPrice(venueState(), 'fries', price), ORDER, [['fries', 1]]);
      const after = stateOf(
        await decideAs(state, 'payment.cash', cash({ amount: rounded, tendered: 500 }), server),
      );
      expect(orderOf(after, ORDER)).toMatchObject({ status: 'closed', paid: price });
      expect(paymentOf(after, P1)).toMatchObject({
        amount: rounded,
        cash: { tendered: 500, change: 500 - rounded },
      });
      // Neither the balance nor its rounding, and more than is left: refused.
      const odd = await decideAs(state, 'payment.cash', cash({ amount: 454, tendered: 500 }));
      expect(odd).toMatchObject({ kind: 'rejected', code: 'OVERPAYMENT' });
    }
  });

  it('a part payment leaves the check open with the balance less', async () => {
    const state = await withCheck();
    const part = stateOf(
      await decideAs(state, 'payment.cash', cash({ amount: 800, tendered: 1000 }), server),
    );
    expect(orderOf(part, ORDER)).toMatchObject({ status: 'open', paid: 800, closedAt: null });
    const rest = stateOf(
      await decideAs(part, 'payment.cash', cash({ paymentId: P2, amount: 1200, tendered: 1200 })),
    );
    expect(orderOf(rest, ORDER)).toMatchObject({ status: 'closed', paid: TOTAL });
  });

  it('refuses more than the balance, too little cash, a repeat id and the kitchen', async () => {
    const state = await withCheck();
    expect(
      await decideAs(state, 'payment.cash', cash({ amount: TOTAL + 1, tendered: 5000 })),
    ).toMatchObject({ kind: 'rejected', code: 'OVERPAYMENT' });
    // Tendered must cover amount and tip.
    expect(
      await decideAs(state, 'payment.cash', cash({ tip: 100, tendered: TOTAL + 99 })),
    ).toMatchObject({ kind: 'rejected', code: 'PAYMENT_INSUFFICIENT' });
    expect(
      (await decideAs(state, 'payment.cash', cash({ tip: 100, tendered: TOTAL + 100 }))).kind,
    ).toBe('applied');
    const paid = stateOf(
      await decideAs(state, 'payment.cash', cash({ amount: 500, tendered: 500 })),
    );
    expect(
      await decideAs(paid, 'payment.cash', cash({ amount: 500, tendered: 500 })),
    ).toMatchObject({ kind: 'rejected', code: 'ALREADY_EXISTS', current: { id: P1 } });
    expect(await decideAs(state, 'payment.cash', cash(), staff('kitchen'))).toMatchObject({
      kind: 'rejected',
      code: 'FORBIDDEN',
    });
  });

  it('a tip is recorded on the payment and the check, the change is what is left', async () => {
    const state = await withCheck();
    const after = stateOf(
      await decideAs(state, 'payment.cash', cash({ tip: 300, tendered: 5000 }), server),
    );
    expect(paymentOf(after, P1)).toMatchObject({
      amount: TOTAL,
      tip: 300,
      cash: { tendered: 5000, change: 2700 },
    });
    expect(orderOf(after, ORDER)).toMatchObject({ paid: TOTAL, tips: 300, status: 'closed' });
  });

  it('goes into a drawer only when it is open and this device’s', async () => {
    const state = await withCheck();
    const drawerId = 'drawer-1';
    expect(await decideAs(state, 'payment.cash', cash({ drawerId }), server)).toMatchObject({
      code: 'DRAWER_NOT_OPEN',
    });
    const elsewhere = await applyAs(state, 'drawer.open', { drawerId, float: 0 }, server, {
      deviceId: 'tablet-2',
    });
    expect(await decideAs(elsewhere, 'payment.cash', cash({ drawerId }), server)).toMatchObject({
      code: 'DRAWER_NOT_OPEN',
    });
    const open = await applyAs(state, 'drawer.open', { drawerId, float: 0 }, server);
    const closed = await applyAs(open, 'drawer.close', { drawerId, counted: 0 }, server);
    expect(await decideAs(closed, 'payment.cash', cash({ drawerId }), server)).toMatchObject({
      code: 'DRAWER_NOT_OPEN',
    });
    const into = stateOf(await decideAs(open, 'payment.cash', cash({ drawerId }), server));
    expect(paymentOf(into, P1)?.drawerId).toBe(drawerId);
  });
});

describe('payment.card', () => {
  it('approved: pays the check, keeping only reference, brand and last four', async () => {
    const state = await withCheck();
    const after = stateOf(
      await decideAs(state, 'payment.card', cardPayload(P1, ORDER, TOTAL, 'approved', 250), server),
    );
    expect(paymentOf(after, P1)).toMatchObject({
      method: 'card',
      status: 'approved',
      offline: false,
      amount: TOTAL,
      tip: 250,
      cash: null,
      card: { reference: `ref-${P1}`, brand: 'visa', last4: '4242', entry: 'reader' },
      declineCode: null,
      approvedBy: null,
    });
    expect(orderOf(after, ORDER)).toMatchObject({ status: 'closed', paid: TOTAL, tips: 250 });
  });

  it('declined: recorded for the audit, the check unchanged', async () => {
    const state = await withCheck();
    const decision = await decideAs(
      state,
      'payment.card',
      cardPayload(P1, ORDER, TOTAL, 'declined'),
      server,
    );
    const after = stateOf(decision);
    expect(paymentOf(after, P1)).toMatchObject({ status: 'declined', declineCode: 'do_not_honor' });
    expect(orderOf(after, ORDER)).toEqual(orderOf(state, ORDER));
    if (decision.kind === 'applied')
      expect(decision.changes.map((c) => c.entity)).toEqual(['payment']);
  });

  it('stored: pays the check within the offline limits, marked offline', async () => {
    const state = await withPolicy(await withCheck());
    const after = stateOf(
      await decideAs(state, 'payment.card', cardPayload(P1, ORDER, TOTAL, 'stored'), server),
    );
    expect(paymentOf(after, P1)).toMatchObject({ status: 'stored', offline: true, task: null });
    expect(orderOf(after, ORDER)).toMatchObject({ status: 'closed', paid: TOTAL });
    expect(outstandingOfflineCards(after).map((p) => p.paymentId)).toEqual([P1]);
  });

  it('refuses more than the balance, and a guest paying another table’s check', async () => {
    const state = await withCheck();
    expect(
      await decideAs(state, 'payment.card', cardPayload(P1, ORDER, TOTAL + 1, 'approved')),
    ).toMatchObject({ code: 'OVERPAYMENT' });
    const atTwo = guest('table-2', 'guest-2');
    expect(
      await decideAs(state, 'payment.card', cardPayload(P1, ORDER, TOTAL, 'approved'), atTwo),
    ).toMatchObject({ code: 'FORBIDDEN' });
    const own = guest('table-1', 'guest-1');
    const hosted = { ...cardPayload(P1, ORDER, TOTAL, 'approved'), entry: 'hosted' };
    expect(
      paymentOf(stateOf(await decideAs(state, 'payment.card', hosted, own)), P1),
    ).toMatchObject({ takenBy: 'guest-1', card: { entry: 'hosted' } });
  });
});

describe('split payments', () => {
  it('part cash, part card, several cards: the check closes exactly when paid reaches the total', async () => {
    let state = await withPolicy(await withCheck());
    const steps: [string, unknown, number][] = [
      ['payment.cash', cash({ paymentId: P1, amount: 700, tendered: 1000 }), 700],
      ['payment.card', cardPayload(P2, ORDER, 600, 'declined'), 700],
      ['payment.card', cardPayload(ulid(4), ORDER, 600, 'approved', 100), 1300],
      ['payment.card', cardPayload(P3, ORDER, 700, 'stored'), TOTAL],
    ];
    for (const [i, [type, payload, paid]] of steps.entries()) {
      state = stateOf(await decideAs(state, type as 'payment.cash', payload, server));
      const order = orderOf(state, ORDER);
      expect(order?.paid).toBe(paid);
      expect(order?.status).toBe(i === steps.length - 1 ? 'closed' : 'open');
    }
    expect(orderOf(state, ORDER)?.tips).toBe(100);
    // Nothing is left to pay.
    expect(
      await decideAs(state, 'payment.cash', cash({ paymentId: ulid(9), amount: 5, tendered: 5 })),
    ).toMatchObject({ code: 'INVALID_STATE_TRANSITION' });
  });
});

/** A venue with four orders of 4 × 99 burgers (5,742.00 each) at tables 1–4, offline cards on. */
async function bigVenue(patch = {}): Promise<VenueState> {
  let state = await withPolicy(venueState(), patch);
  for (const n of [1, 2, 3, 4])
    state = await withOrder(
      state,
      `big-${n}`,
      [
        ['burger', 99],
        ['burger', 99],
        ['burger', 99],
        ['burger', 99],
      ],
      `table-${n}`,
    );
  return state;
}
let nextId = 100;
const stored = (amount: number, tip = 0, order = 'big-1') =>
  cardPayload(ulid(nextId++), order, amount, 'stored', tip);

describe('offline card limits through the decider', () => {
  it('are off by default: a stored payment is refused, an approved one is not', async () => {
    const state = await withCheck();
    expect(settingsIn(state)?.offlineCard.enabled).toBe(false);
    expect(
      await decideAs(state, 'payment.card', cardPayload(P1, ORDER, 100, 'stored'), server),
    ).toMatchObject({ kind: 'rejected', code: 'OFFLINE_CARD_DISABLED' });
    expect(
      (await decideAs(state, 'payment.card', cardPayload(P1, ORDER, 100, 'approved'), server)).kind,
    ).toBe('applied');
  });

  it('perTransaction 200.00 before tip: at and below allowed, above refused without a manager', async () => {
    const state = await bigVenue();
    for (const amount of [19_999, 20_000])
      expect((await decideAs(state, 'payment.card', stored(amount, 5_000), server)).kind).toBe(
        'applied',
      );
    expect(await decideAs(state, 'payment.card', stored(20_001), server)).toMatchObject({
      code: 'OFFLINE_CARD_OVER_TRANSACTION_LIMIT',
    });
  });

  it('withManagerApproval 500.00: only a manager or owner principal, at and below; above refused for all', async () => {
    const state = await bigVenue();
    for (const principal of [manager, owner]) {
      for (const amount of [20_001, 49_999, 50_000]) {
        const payload = stored(amount);
        const after = stateOf(await decideAs(state, 'payment.card', payload, principal));
        expect(paymentOf(after, payload.paymentId as string)).toMatchObject({
          status: 'stored',
          approvedBy: principal.kind === 'staff' ? principal.actorId : null,
        });
      }
      expect(await decideAs(state, 'payment.card', stored(50_001), principal)).toMatchObject({
        code: 'OFFLINE_CARD_OVER_MANAGER_LIMIT',
      });
    }
    expect(await decideAs(state, 'payment.card', stored(50_000), server)).toMatchObject({
      code: 'OFFLINE_CARD_OVER_TRANSACTION_LIMIT',
    });
    // Within the per-transaction limit nobody needs to approve it.
    const plain = stored(20_000);
    expect(
      paymentOf(
        stateOf(await decideAs(state, 'payment.card', plain, manager)),
        plain.paymentId as string,
      )?.approvedBy,
    ).toBeNull();
  });

  it('perDevice 2,500.00 outstanding, tips included: at and below allowed, above refused', async () => {
    let state = await bigVenue();
    // 240,000 outstanding on this device: five of 450.00 + 30.00 tip.
    for (let i = 0; i < 5; i++)
      state = stateOf(await decideAs(state, 'payment.card', stored(45_000, 3_000), manager));
    expect((await decideAs(state, 'payment.card', stored(9_000, 1_000), server)).kind).toBe(
      'applied',
    );
    expect((await decideAs(state, 'payment.card', stored(9_000, 999), server)).kind).toBe(
      'applied',
    );
    expect(await decideAs(state, 'payment.card', stored(9_000, 1_001), server)).toMatchObject({
      code: 'OFFLINE_CARD_DEVICE_TOTAL',
    });
    // Another device still may.
    expect(
      (
        await decideAs(state, 'payment.card', stored(9_000, 1_001), server, {
          deviceId: 'tablet-2',
        })
      ).kind,
    ).toBe('applied');
  });

  it('perVenue 5,000.00 outstanding across devices, tips included: at and below allowed, above refused', async () => {
    let state = await bigVenue();
    // 250,000 on tablet-1 and 240,000 on tablet-2: 490,000.
    for (const [deviceId, n, order] of [
      ['tablet-1', 5, 'big-1'],
      ['tablet-2', 4, 'big-2'],
    ] as const)
      for (let i = 0; i < n; i++)
        state = stateOf(
          await decideAs(
            state,
            'payment.card',
            stored(50_000, deviceId === 'tablet-1' ? 0 : 10_000, order),
            manager,
            {
              deviceId,
            },
          ),
        );
    expect(outstandingOfflineCards(state).reduce((s, p) => s + p.amount + p.tip, 0)).toBe(490_000);
    const third = { deviceId: 'tablet-3' };
    expect(
      (await decideAs(state, 'payment.card', stored(9_000, 1_000, 'big-3'), server, third)).kind,
    ).toBe('applied');
    expect(
      (await decideAs(state, 'payment.card', stored(9_000, 999, 'big-3'), server, third)).kind,
    ).toBe('applied');
    expect(
      await decideAs(state, 'payment.card', stored(9_000, 1_001, 'big-3'), server, third),
    ).toMatchObject({ code: 'OFFLINE_CARD_VENUE_TOTAL' });
  });

  it('no new one 24 h after the first outstanding (at 24 h exactly still allowed); again once it settles', async () => {
    const first = stored(1_000);
    const state = stateOf(await decideAs(await bigVenue(), 'payment.card', first, server));
    for (const [ms, kind] of [
      [24 * HOUR - 1, 'applied'],
      [24 * HOUR, 'applied'],
      [24 * HOUR + 1, 'rejected'],
    ] as const) {
      const decision = await decideAs(state, 'payment.card', stored(1_000), server, {
        now: at(ms),
      });
      expect(decision.kind, `${ms}`).toBe(kind);
      if (decision.kind === 'rejected') expect(decision.code).toBe('OFFLINE_CARD_WINDOW_CLOSED');
    }
    const settled = await applyAs(
      state,
      'payment.settle',
      { paymentId: first.paymentId, outcome: 'approved_later' },
      owner,
      { now: at(25 * HOUR) },
    );
    expect(
      (await decideAs(settled, 'payment.card', stored(1_000), server, { now: at(25 * HOUR) })).kind,
    ).toBe('applied');
  });

  it('72 h absolute: expired only after 72 h, still refusing new ones, and settled whenever the processor answers', async () => {
    const first = stored(1_000);
    const state = stateOf(await decideAs(await bigVenue(), 'payment.card', first, server));
    const limits = { ...DEFAULT_OFFLINE_CARD_LIMITS, enabled: true, currency: 'EUR' };
    const expired = (ms: number) =>
      expiredOfflinePayments(limits, outstandingOfflineCards(state), Date.parse(at(ms))).map(
        (p) => p.paymentId,
      );
    expect(expired(72 * HOUR - 1)).toEqual([]);
    expect(expired(72 * HOUR)).toEqual([]);
    expect(expired(72 * HOUR + 1)).toEqual([first.paymentId]);
    expect(
      await decideAs(state, 'payment.card', stored(1_000), server, { now: at(72 * HOUR + 1) }),
    ).toMatchObject({ code: 'OFFLINE_CARD_WINDOW_CLOSED' });
    const late = stateOf(
      await decideAs(
        state,
        'payment.settle',
        { paymentId: first.paymentId, outcome: 'declined_later' },
        owner,
        { now: at(72 * HOUR + 1) },
      ),
    );
    expect(paymentOf(late, first.paymentId as string)).toMatchObject({
      status: 'declined_later',
      settledAt: at(72 * HOUR + 1),
    });
  });

  it('per-device and per-venue totals hold under any interleaving of 3–4 devices (property)', async () => {
    const base = await bigVenue();
    const devices = ['tablet-1', 'tablet-2', 'tablet-3', 'tablet-4'];
    const refusals = new Set<string>();
    // Mostly large payments a manager allows, so the totals are reached within a sequence.
    const attempt = fc.record({
      device: fc.nat(3),
      amount: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 30_000, max: 50_000 }) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 60_000 }) },
      ),
      tip: fc.constantFrom(0, 0, 1_000, 25_000),
      role: fc.constantFrom('server', 'manager', 'manager', 'manager', 'owner', 'guest'),
      // Now and then the processor settles an outstanding one instead.
      settle: fc.oneof(
        { weight: 8, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.constantFrom('approved_later', 'declined_later') },
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 3, max: 4 }),
        fc.array(attempt, { minLength: 1, maxLength: 40, size: 'max' }),
        async (deviceCount, attempts) => {
          let state = base;
          let minute = 0;
          let n = 0;
          for (const a of attempts) {
            minute += 1;
            const now = at(minute * 60_000);
            const outstanding = outstandingOfflineCards(state);
            if (a.settle !== null && outstanding.length > 0) {
              const target = outstanding[a.device % outstanding.length];
              const settle = await decideAs(
                state,
                'payment.settle',
                { paymentId: target?.paymentId, outcome: a.settle },
                owner,
                { now },
              );
              state = stateOf(settle);
              continue;
            }
            const deviceId = devices[a.device % deviceCount] ?? DEVICE;
            const principal =
              a.role === 'guest' ? guest(`table-${(a.device % 4) + 1}`) : staff(a.role);
            const decision = await decideAs(
              state,
              'payment.card',
              cardPayload(
                ulid(10_000 + n++),
                `big-${(a.device % 4) + 1}`,
                a.amount,
                'stored',
                a.tip,
              ),
              principal,
              { deviceId, now },
            );
            if (decision.kind === 'applied') state = decision.state;
            else refusals.add(decision.code);
            const after = outstandingOfflineCards(state);
            const total = (ps: typeof after) => ps.reduce((s, p) => s + p.amount + p.tip, 0);
            expect(total(after)).toBeLessThanOrEqual(DEFAULT_OFFLINE_CARD_LIMITS.perVenue);
            for (const d of devices)
              expect(total(after.filter((p) => p.deviceId === d))).toBeLessThanOrEqual(
                DEFAULT_OFFLINE_CARD_LIMITS.perDevice,
              );
          }
        },
      ),
      { numRuns: 60 },
    );
    // The sequences reached both totals, not just the per-payment limits.
    expect(refusals).toContain('OFFLINE_CARD_DEVICE_TOTAL');
    expect(refusals).toContain('OFFLINE_CARD_VENUE_TOTAL');
  });
});

describe('payment.settle', () => {
  /** The check closed by a stored card of the whole total with a 3.00 tip. */
  async function storedClose(): Promise<VenueState> {
    const state = await withPolicy(await withCheck());
    return stateOf(
      await decideAs(state, 'payment.card', cardPayload(P1, ORDER, TOTAL, 'stored', 300), server),
    );
  }
  const settle = (outcome: string, paymentId = P1) => ({
    paymentId,
    outcome,
    ...(outcome === 'declined_later' ? { declineCode: 'insufficient_funds' } : {}),
  });

  it('approved later: the payment is charged, the check stays closed; a repeat changes nothing', async () => {
    const state = await storedClose();
    const later = at(2 * HOUR);
    const decision = await decideAs(state, 'payment.settle', settle('approved_later'), owner, {
      now: later,
    });
    const after = stateOf(decision);
    expect(paymentOf(after, P1)).toMatchObject({ status: 'approved_later', settledAt: later });
    expect(orderOf(after, ORDER)).toEqual(orderOf(state, ORDER));
    expect(outstandingOfflineCards(after)).toEqual([]);
    expect(await decideAs(after, 'payment.settle', settle('approved_later'), owner)).toMatchObject({
      kind: 'applied',
      changes: [],
    });
    expect(await decideAs(after, 'payment.settle', settle('declined_later'), owner)).toMatchObject({
      code: 'INVALID_STATE_TRANSITION',
    });
  });

  it('declined later: the check reopens as unpaid (paid and tips less, sent, closedAt null) with a task', async () => {
    const state = await storedClose();
    expect(orderOf(state, ORDER)).toMatchObject({ status: 'closed', paid: TOTAL, tips: 300 });
    const later = at(3 * HOUR);
    const after = stateOf(
      await decideAs(state, 'payment.settle', settle('declined_later'), owner, { now: later }),
    );
    expect(orderOf(after, ORDER)).toMatchObject({
      status: 'sent',
      paid: 0,
      tips: 0,
      closedAt: null,
    });
    expect(paymentOf(after, P1)).toMatchObject({
      status: 'declined_later',
      declineCode: 'insufficient_funds',
      settledAt: later,
      task: 'open',
      handledBy: null,
    });
    const again = await decideAs(after, 'payment.settle', settle('declined_later'), owner);
    expect(again).toMatchObject({ kind: 'applied', changes: [] });
    // The check can be paid again.
    expect(
      orderOf(
        stateOf(await decideAs(after, 'payment.cash', cash({ paymentId: P2 }), server)),
        ORDER,
      ),
    ).toMatchObject({ status: 'closed', paid: TOTAL });
  });

  it('refuses a payment that was not stored, one not known, and anyone but the service (owner)', async () => {
    const state = await withCheck();
    const paid = stateOf(
      await decideAs(state, 'payment.card', cardPayload(P1, ORDER, 500, 'approved'), server),
    );
    const withCash = stateOf(
      await decideAs(paid, 'payment.cash', cash({ paymentId: P2, amount: 500, tendered: 500 })),
    );
    for (const id of [P1, P2])
      expect(
        await decideAs(withCash, 'payment.settle', settle('declined_later', id), owner),
      ).toMatchObject({ code: 'INVALID_STATE_TRANSITION' });
    expect(
      await decideAs(withCash, 'payment.settle', settle('approved_later', P3), owner),
    ).toMatchObject({ code: 'NOT_FOUND' });
    const storedState = await storedClose();
    for (const principal of [server, manager])
      expect(
        await decideAs(storedState, 'payment.settle', settle('approved_later'), principal),
      ).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('payment.resolveTask: a manager handles the follow-up once; nothing to follow up is refused', async () => {
    const declined = stateOf(
      await decideAs(await storedClose(), 'payment.settle', settle('declined_later'), owner),
    );
    const note = { paymentId: P1, note: 'guest paid by bank transfer' };
    expect(await decideAs(declined, 'payment.resolveTask', note, server)).toMatchObject({
      code: 'FORBIDDEN',
    });
    const handled = stateOf(await decideAs(declined, 'payment.resolveTask', note, manager));
    expect(paymentOf(handled, P1)).toMatchObject({
      task: 'handled',
      handledBy: 'manager-1',
      note: note.note,
    });
    expect(await decideAs(handled, 'payment.resolveTask', note, owner)).toMatchObject({
      kind: 'applied',
      changes: [],
    });
    expect(await decideAs(await storedClose(), 'payment.resolveTask', note, manager)).toMatchObject(
      { code: 'INVALID_STATE_TRANSITION' },
    );
    expect(
      await decideAs(declined, 'payment.resolveTask', { ...note, paymentId: P3 }, manager),
    ).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('an order with payments', () => {
  it('is neither voided nor closed whole (ORDER_HAS_PAYMENTS)', async () => {
    const state = await withCheck();
    const part = stateOf(
      await decideAs(state, 'payment.cash', cash({ amount: 500, tendered: 500 }), server),
    );
    expect(
      await decideAs(part, 'order.void', { orderId: ORDER, reason: 'left' }, manager),
    ).toMatchObject({ code: 'ORDER_HAS_PAYMENTS' });
    expect(
      await decideAs(
        part,
        'order.close',
        { orderId: ORDER, payment: { method: 'cash', tendered: 5000 } },
        manager,
      ),
    ).toMatchObject({ code: 'ORDER_HAS_PAYMENTS' });
    // Without payments both are allowed.
    expect((await decideAs(state, 'order.void', { orderId: ORDER, reason: 'left' })).kind).toBe(
      'applied',
    );
  });

  it('a line removed or voided may not leave it worth less than paid; down to exactly paid closes it', async () => {
    const state = await withCheck();
    const pay = async (from: VenueState, amount: number) =>
      stateOf(await decideAs(from, 'payment.cash', cash({ amount, tendered: amount }), server));
    const removeBeer = { orderId: ORDER, lineId: `${ORDER}-1` };
    // 15.00 paid of 20.00; without the 5.50 beer it would be worth 14.50.
    expect(
      await decideAs(await pay(state, 1500), 'order.removeLine', removeBeer, server),
    ).toMatchObject({ code: 'ORDER_HAS_PAYMENTS' });
    const exact = stateOf(
      await decideAs(await pay(state, 1450), 'order.removeLine', removeBeer, server),
    );
    expect(orderOf(exact, ORDER)).toMatchObject({ status: 'closed', paid: 1450, closedAt: NOW });
    // The same for a line already with the kitchen, voided.
    const sent = stateOf(await decideAs(state, 'order.sendToKitchen', { orderId: ORDER }, server));
    const voidBeer = { orderId: ORDER, lineId: `${ORDER}-1`, reason: 'spilt' };
    expect(
      await decideAs(await pay(sent, 1500), 'order.voidLine', voidBeer, manager),
    ).toMatchObject({ code: 'ORDER_HAS_PAYMENTS' });
    const voided = stateOf(
      await decideAs(await pay(sent, 1450), 'order.voidLine', voidBeer, manager),
    );
    expect(orderOf(voided, ORDER)).toMatchObject({ status: 'closed', paid: 1450 });
    // With nothing paid a removal leaves the check open.
    expect(
      orderOf(stateOf(await decideAs(state, 'order.removeLine', removeBeer, server)), ORDER),
    ).toMatchObject({ status: 'open' });
  });

  it('decide() refuses a forged actor on a card op as on any other', async () => {
    const state = await withCheck();
    const op = await opOf('payment.card', cardPayload(P1, ORDER, TOTAL, 'approved'), server);
    expect(decide(state, { ...op, actorId: 'someone' }, ctxFor(server))).toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});
