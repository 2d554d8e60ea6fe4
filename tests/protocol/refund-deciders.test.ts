import { beforeAll, describe, expect, it } from 'vitest';
import {
  getEntity,
  REFUND_EVENTS,
  REFUND_STATES,
  type RefundEvent,
  type RefundState,
  refundStep,
  type VenueState,
} from '#protocol';
import {
  applyAs,
  at,
  cardPayload,
  decideAs,
  manager,
  NOW,
  owner,
  paymentOf,
  server,
  stateOf,
  ulid,
  venueState,
  withOrder,
  withPolicy,
} from './support/payment-fixture.ts';
import { type Verdict, verdictOf } from './support/run-ops.ts';
import { guest, staff } from './support/venue-fixture.ts';

// Refunds: a manager's request is the approval; cash goes back at once, a card refund waits
// for the cloud to send it to the processor and settle it.

const ORDER = 'order-r';
const CARD = ulid(1);
const CASH = ulid(2);
const R1 = ulid(11);
const R2 = ulid(12);

const refundOf = (state: VenueState, id: string) => getEntity(state.entities, 'refund', id);
const request = (over: Record<string, unknown> = {}) => ({
  refundId: R1,
  paymentId: CARD,
  amount: 500,
  reason: 'cold fries',
  ...over,
});

/** The check paid 12.00 by an approved card with a 2.00 tip and 8.00 in cash with a 1.00 tip. */
async function paid(): Promise<VenueState> {
  let state = await withOrder(venueState(), ORDER, [
    ['burger', 1],
    ['beer', 1],
  ]);
  state = await applyAs(
    state,
    'payment.card',
    cardPayload(CARD, ORDER, 1200, 'approved', 200),
    server,
  );
  return applyAs(
    state,
    'payment.cash',
    { paymentId: CASH, orderId: ORDER, amount: 800, tip: 100, tendered: 1000 },
    server,
  );
}

// Every state × every event of a refund: approved until the processor answers, then final.
const table: Record<RefundState, Record<RefundEvent, Verdict>> = {
  approved: { refunded: { moved: 'refunded' }, failed: { moved: 'failed' } },
  refunded: { refunded: 'unchanged', failed: 'refused' },
  failed: { refunded: 'refused', failed: 'unchanged' },
};
const cells = REFUND_STATES.flatMap((from) => REFUND_EVENTS.map((e) => [from, e] as const));

const states = {} as Record<RefundState, VenueState>;
const settle = (outcome: RefundEvent, refundId = R1) => ({
  refundId,
  outcome,
  ...(outcome === 'refunded' ? { reference: 'rf-1' } : { failure: 'card expired' }),
});

beforeAll(async () => {
  states.approved = await applyAs(await paid(), 'refund.request', request(), manager);
  states.refunded = await applyAs(states.approved, 'refund.settle', settle('refunded'), owner);
  states.failed = await applyAs(states.approved, 'refund.settle', settle('failed'), owner);
});

describe('the refund state machine', () => {
  it('has a row for every state and a cell for every event', () => {
    expect(Object.keys(table).sort()).toEqual([...REFUND_STATES].sort());
    for (const state of REFUND_STATES)
      expect(Object.keys(table[state]).sort()).toEqual([...REFUND_EVENTS].sort());
    expect(cells).toHaveLength(3 * 2);
  });

  it.each(cells)('%s × %s: the pure step follows the table', (from, event) => {
    const expected = table[from][event];
    const result = refundStep(from, event);
    if (expected === 'refused') expect(result).toEqual({ kind: 'refused', from });
    else if (expected === 'unchanged')
      expect(result).toEqual({ kind: 'unchanged', from, to: from });
    else expect(result).toEqual({ kind: 'moved', from, to: expected.moved });
  });

  it.each(cells)('%s × %s: refund.settle follows the table', async (from, event) => {
    const state = states[from];
    expect(refundOf(state, R1)?.status).toBe(from);
    const decision = await decideAs(state, 'refund.settle', settle(event), owner);
    expect(verdictOf(decision, (s) => refundOf(s, R1)?.status, from)).toEqual(table[from][event]);
    if (decision.kind === 'rejected') {
      expect(decision.code).toBe('INVALID_STATE_TRANSITION');
      expect(decision.current).toMatchObject({ id: R1, status: from });
    }
  });
});

describe('refund.request', () => {
  it('cash: refunded at once, the payment’s refunded amount grows', async () => {
    const state = await paid();
    const after = stateOf(
      await decideAs(state, 'refund.request', request({ paymentId: CASH, amount: 300 }), manager),
    );
    expect(refundOf(after, R1)).toMatchObject({
      status: 'refunded',
      method: 'cash',
      amount: 300,
      orderId: ORDER,
      currency: 'EUR',
      requestedBy: 'manager-1',
      requestedAt: NOW,
      settledAt: NOW,
    });
    expect(paymentOf(after, CASH)?.refunded).toBe(300);
  });

  it('card: approved and waiting, then settled by the cloud (refunded, or failed and free again)', async () => {
    const state = await paid();
    const approved = stateOf(await decideAs(state, 'refund.request', request(), owner));
    expect(refundOf(approved, R1)).toMatchObject({
      status: 'approved',
      method: 'card',
      settledAt: null,
      reference: null,
    });
    expect(paymentOf(approved, CARD)?.refunded).toBe(0);
    const later = at(60_000);
    const refunded = stateOf(
      await decideAs(approved, 'refund.settle', settle('refunded'), owner, { now: later }),
    );
    expect(refundOf(refunded, R1)).toMatchObject({
      status: 'refunded',
      reference: 'rf-1',
      failure: null,
      settledAt: later,
    });
    expect(paymentOf(refunded, CARD)?.refunded).toBe(500);
    const failed = stateOf(await decideAs(approved, 'refund.settle', settle('failed'), owner));
    expect(refundOf(failed, R1)).toMatchObject({ status: 'failed', failure: 'card expired' });
    expect(paymentOf(failed, CARD)?.refunded).toBe(0);
    // A failed refund no longer holds its amount: the whole payment may be asked for again.
    expect(
      (await decideAs(failed, 'refund.request', request({ refundId: R2, amount: 1400 }), manager))
        .kind,
    ).toBe('applied');
    expect(await decideAs(state, 'refund.settle', settle('refunded', R2), owner)).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('never more than is left: amount and tip, less what is refunded or waiting', async () => {
    const state = await paid();
    // 12.00 + 2.00 tip on the card.
    expect(
      await decideAs(state, 'refund.request', request({ amount: 1401 }), manager),
    ).toMatchObject({ code: 'REFUND_NOT_ALLOWED' });
    expect((await decideAs(state, 'refund.request', request({ amount: 1400 }), manager)).kind).toBe(
      'applied',
    );
    const waiting = stateOf(
      await decideAs(state, 'refund.request', request({ amount: 1000 }), manager),
    );
    expect(
      await decideAs(waiting, 'refund.request', request({ refundId: R2, amount: 401 }), manager),
    ).toMatchObject({ code: 'REFUND_NOT_ALLOWED' });
    const rest = stateOf(
      await decideAs(waiting, 'refund.request', request({ refundId: R2, amount: 400 }), manager),
    );
    expect(
      await decideAs(rest, 'refund.request', request({ refundId: ulid(13), amount: 1 }), manager),
    ).toMatchObject({ code: 'REFUND_NOT_ALLOWED' });
    // Cash refunded already counts too: 8.00 + 1.00 tip.
    const cashBack = stateOf(
      await decideAs(state, 'refund.request', request({ paymentId: CASH, amount: 900 }), manager),
    );
    expect(
      await decideAs(
        cashBack,
        'refund.request',
        request({ refundId: R2, paymentId: CASH, amount: 1 }),
        manager,
      ),
    ).toMatchObject({ code: 'REFUND_NOT_ALLOWED' });
    expect(await decideAs(rest, 'refund.request', request(), manager)).toMatchObject({
      code: 'ALREADY_EXISTS',
    });
  });

  it('refuses refunds of stored, declined and declined-later payments, and of unknown ones', async () => {
    let state = await withPolicy(
      await withOrder(venueState(), ORDER, [
        ['burger', 1],
        ['beer', 1],
      ]),
    );
    const stored = ulid(3);
    const declined = ulid(4);
    const declinedLater = ulid(5);
    state = await applyAs(state, 'payment.card', cardPayload(declined, ORDER, 500, 'declined'));
    state = await applyAs(state, 'payment.card', cardPayload(stored, ORDER, 500, 'stored'));
    state = await applyAs(state, 'payment.card', cardPayload(declinedLater, ORDER, 500, 'stored'));
    state = await applyAs(
      state,
      'payment.settle',
      { paymentId: declinedLater, outcome: 'declined_later' },
      owner,
    );
    for (const paymentId of [stored, declined, declinedLater])
      expect(
        await decideAs(state, 'refund.request', request({ paymentId, amount: 100 }), manager),
      ).toMatchObject({ code: 'REFUND_NOT_ALLOWED' });
    expect(
      await decideAs(state, 'refund.request', request({ paymentId: ulid(9) }), manager),
    ).toMatchObject({ code: 'NOT_FOUND' });
    // Once the stored one is authorised later it may be refunded.
    const authorised = await applyAs(
      state,
      'payment.settle',
      { paymentId: stored, outcome: 'approved_later' },
      owner,
    );
    expect(
      (await decideAs(authorised, 'refund.request', request({ paymentId: stored }), manager)).kind,
    ).toBe('applied');
  });

  it('only a manager or owner asks; only the cloud (as owner) settles', async () => {
    const state = await paid();
    for (const principal of [server, staff('kitchen'), guest('table-1')])
      expect(await decideAs(state, 'refund.request', request(), principal)).toMatchObject({
        code: 'FORBIDDEN',
      });
    for (const principal of [manager, owner])
      expect((await decideAs(state, 'refund.request', request(), principal)).kind).toBe('applied');
    for (const principal of [server, manager])
      expect(
        await decideAs(states.approved, 'refund.settle', settle('refunded'), principal),
      ).toMatchObject({ code: 'FORBIDDEN' });
  });
});
