import { describe, expect, it } from 'vitest';
import {
  businessDateOf,
  businessDayBounds,
  type Drawer,
  dayReport,
  type Order,
  type PaymentRecord,
  type Refund,
} from '#protocol';

// The end-of-day report on hand-made entities: the business day in the venue's zone (04:00
// start, clock changes), payments by the time they were taken, split checks, cash rounding,
// refunds, voids, later declines and drawer counts.

const PARIS = 'Europe/Paris';
const DAY = '2026-12-05';
let n = 0;
const ulid = () => `01JF${String(++n).padStart(22, '0')}`;

const totals = (total: number, cashRounding = 0): Order['totals'] => ({
  currency: 'EUR',
  subtotal: total,
  tax: 0,
  total,
  cashTotal: total + cashRounding,
  cashRounding,
});

const line = (id: string, unitPrice: number, quantity = 1, voidedAt: string | null = null) =>
  ({
    id,
    itemId: `item-${id}`,
    name: id,
    station: 'grill',
    quantity,
    unitPrice,
    modifiers: [],
    sentAt: '2026-12-05T19:00:00.000Z',
    voidedAt,
  }) as Order['lines'][number];

function order(id: string, total: number, patch: Partial<Order> = {}): Order {
  return {
    id,
    tableId: `t-${id}`,
    status: 'closed',
    source: 'staff',
    openedBy: 'sam',
    guestCount: 2,
    lines: [line(`${id}-l1`, total)],
    totals: totals(total),
    payment: null,
    paid: total,
    tips: 0,
    createdAt: '2026-12-05T18:00:00.000Z',
    closedAt: '2026-12-05T21:00:00.000Z',
    voidReason: null,
    version: 3,
    ...patch,
  };
}

function payment(orderId: string, amount: number, patch: Partial<PaymentRecord> = {}) {
  const method = patch.method ?? 'card';
  return {
    id: ulid(),
    orderId,
    tableId: `t-${orderId}`,
    deviceId: 'till-1',
    takenBy: 'sam',
    approvedBy: null,
    method,
    currency: 'EUR',
    amount,
    tip: 0,
    cash: method === 'cash' ? { tendered: amount, change: 0 } : null,
    card:
      method === 'card'
        ? { reference: `ref-${n}`, brand: 'visa', last4: '4242', entry: 'reader' }
        : null,
    status: 'approved',
    declineCode: null,
    offline: false,
    drawerId: null,
    takenAt: '2026-12-05T20:30:00.000Z',
    settledAt: null,
    refunded: 0,
    task: null,
    handledBy: null,
    note: null,
    version: 1,
    ...patch,
  } as PaymentRecord;
}

function refund(p: PaymentRecord, amount: number, patch: Partial<Refund> = {}): Refund {
  return {
    id: ulid(),
    paymentId: p.id,
    orderId: p.orderId,
    method: p.method,
    currency: 'EUR',
    amount,
    reason: 'cold soup',
    requestedBy: 'mia',
    requestedAt: '2026-12-05T21:30:00.000Z',
    status: 'refunded',
    reference: null,
    failure: null,
    settledAt: null,
    version: 1,
    ...patch,
  };
}

function drawer(id: string, patch: Partial<Drawer> = {}): Drawer {
  return {
    id,
    deviceId: 'till-1',
    status: 'closed',
    currency: 'EUR',
    float: 10_000,
    openedBy: 'mia',
    openedAt: '2026-12-05T16:00:00.000Z',
    payouts: [],
    closedBy: 'mia',
    closedAt: '2026-12-05T23:40:00.000Z',
    counted: 14_800,
    expected: 15_000,
    difference: -200,
    reason: 'change given twice',
    version: 4,
    ...patch,
  };
}

const empty = { orders: [], payments: [], refunds: [], drawers: [] };
const report = (input: Partial<Parameters<typeof dayReport>[0]>, date = DAY, timezone = PARIS) =>
  dayReport({ ...empty, ...input }, { date, timezone, cashRoundingIncrement: 5 });

describe('the business day', () => {
  it('an outage that crossed midnight: 23:50 and 00:20 are one night, 04:10 is the next day', () => {
    // Paris is UTC+1 in December.
    expect(businessDateOf('2026-12-05T22:50:00.000Z', PARIS)).toBe('2026-12-05'); // 23:50
    expect(businessDateOf('2026-12-05T23:20:00.000Z', PARIS)).toBe('2026-12-05'); // 00:20
    expect(businessDateOf('2026-12-06T02:59:00.000Z', PARIS)).toBe('2026-12-05'); // 03:59
    expect(businessDateOf('2026-12-06T03:00:00.000Z', PARIS)).toBe('2026-12-06'); // 04:00
    expect(businessDateOf('2026-12-06T03:10:00.000Z', PARIS)).toBe('2026-12-06'); // 04:10
    // Midnight as the start: the calendar day.
    expect(businessDateOf('2026-12-05T23:20:00.000Z', PARIS, 0)).toBe('2026-12-06');

    // Taken offline at the relay at 23:50 and 00:20, replayed and authorised the next morning:
    // they count on the night they were taken, whatever time the cloud heard of them.
    const late = order('late', 7_000, { closedAt: '2026-12-05T23:20:00.000Z' });
    const payments = [
      payment('late', 3_000, {
        status: 'approved_later',
        offline: true,
        takenAt: '2026-12-05T22:50:00.000Z',
        settledAt: '2026-12-06T09:15:00.000Z',
      }),
      payment('late', 4_000, {
        status: 'stored',
        offline: true,
        takenAt: '2026-12-05T23:20:00.000Z',
      }),
      payment('breakfast', 1_000, { takenAt: '2026-12-06T03:10:00.000Z' }),
    ];
    const breakfast = order('breakfast', 1_000, { closedAt: '2026-12-06T03:10:00.000Z' });
    const night = report({ orders: [late, breakfast], payments });
    expect(night.sales).toEqual({
      cash: 0,
      card: 0,
      cardStored: 4_000,
      approvedLater: 3_000,
      total: 7_000,
    });
    expect(night.checks).toEqual({ closed: 1, total: 7_000 });
    expect(night.balanced).toBe(true);
    expect(night.startsAt).toBe('2026-12-05T03:00:00.000Z');
    expect(night.endsAt).toBe('2026-12-06T03:00:00.000Z');
    const next = report({ orders: [late, breakfast], payments }, '2026-12-06');
    expect(next.sales.card).toBe(1_000);
    expect(next.sales.total).toBe(1_000);
    expect(next.checks).toEqual({ closed: 1, total: 1_000 });
  });

  it('a spring-forward night is 23 hours long and is cut at 04:00 summer time', () => {
    const LONDON = 'Europe/London';
    // 29 March 2026: 01:00 GMT becomes 02:00 BST.
    expect(businessDayBounds('2026-03-28', LONDON)).toEqual({
      startsAt: '2026-03-28T04:00:00.000Z',
      endsAt: '2026-03-29T03:00:00.000Z',
    });
    expect(businessDateOf('2026-03-29T02:30:00.000Z', LONDON)).toBe('2026-03-28'); // 03:30 BST
    expect(businessDateOf('2026-03-29T03:10:00.000Z', LONDON)).toBe('2026-03-29'); // 04:10 BST
    const payments = [
      payment('a', 1_000, { takenAt: '2026-03-29T02:30:00.000Z' }),
      payment('b', 2_000, { takenAt: '2026-03-29T03:10:00.000Z' }),
    ];
    expect(report({ payments }, '2026-03-28', LONDON).sales.total).toBe(1_000);
    expect(report({ payments }, '2026-03-29', LONDON).sales.total).toBe(2_000);
  });

  it('a fall-back night is 25 hours long: 03:30 GMT after the change is still the night before', () => {
    const LONDON = 'Europe/London';
    // 25 October 2026: 02:00 BST becomes 01:00 GMT.
    expect(businessDayBounds('2026-10-24', LONDON)).toEqual({
      startsAt: '2026-10-24T03:00:00.000Z',
      endsAt: '2026-10-25T04:00:00.000Z',
    });
    expect(businessDateOf('2026-10-25T03:30:00.000Z', LONDON)).toBe('2026-10-24');
    expect(businessDateOf('2026-10-25T04:00:00.000Z', LONDON)).toBe('2026-10-25');
    // New York, the other side of the ocean and a different Sunday (8 March 2026).
    expect(businessDayBounds('2026-03-07', 'America/New_York')).toEqual({
      startsAt: '2026-03-07T09:00:00.000Z',
      endsAt: '2026-03-08T08:00:00.000Z',
    });
  });

  it('refuses what is not a day or a zone', () => {
    expect(() => report({}, '2026-02-30')).toThrow(RangeError);
    expect(() => report({}, '5/12/2026')).toThrow(RangeError);
    expect(() => report({}, DAY, 'Mars/Olympus')).toThrow(RangeError);
    expect(() =>
      dayReport(empty, { date: DAY, timezone: PARIS, dayStartsAtMinutes: 24 * 60 }),
    ).toThrow(RangeError);
  });
});

describe('the day report', () => {
  // One evening: a check split between card and cash with tips, a cash check rounded to 5,
  // a stored payment declined later (its check open again), refunds, voids, a drawer.
  const split = order('split', 6_000, { tips: 700 });
  const rounded = order('rounded', 1_003, { totals: totals(1_003, 2) });
  const reopened = order('reopened', 2_500, {
    status: 'sent',
    closedAt: null,
    paid: 0,
  });
  const voided = order('voided', 2_500, {
    status: 'voided',
    paid: 0,
    voidReason: 'walked out before the food',
  });
  const lineVoid = order('linevoid', 900, {
    lines: [line('soup', 900), line('chips', 450, 2, '2026-12-05T20:10:00.000Z')],
  });
  const legacy = order('legacy', 1_998, {
    totals: totals(1_998, 2),
    payment: { method: 'cash', amount: 2_000, tendered: 2_000, change: 0 },
    paid: undefined,
  });
  const card = payment('split', 4_000, { tip: 500 });
  const cash = payment('split', 2_000, { method: 'cash', tip: 200 });
  const cashRounded = payment('rounded', 1_005, { method: 'cash' });
  const soup = payment('linevoid', 900);
  const declinedLater = payment('reopened', 2_500, {
    status: 'declined_later',
    offline: true,
    tip: 300,
    declineCode: 'insufficient_funds',
    takenAt: '2026-12-05T22:55:00.000Z',
    settledAt: '2026-12-06T10:00:00.000Z',
    task: 'open',
  });
  const declinedOnline = payment('reopened', 2_500, { status: 'declined', declineCode: '05' });
  const input = {
    orders: [split, rounded, reopened, voided, lineVoid, legacy],
    payments: [card, cash, cashRounded, soup, declinedLater, declinedOnline],
    refunds: [
      refund(cash, 500),
      refund(card, 1_000, { status: 'approved' }),
      refund(card, 200, { status: 'failed', failure: 'card expired' }),
      refund(soup, 900, { requestedAt: '2026-12-06T12:00:00.000Z' }),
    ],
    drawers: [
      drawer('d1'),
      drawer('d2', { status: 'open', closedAt: null, counted: null, expected: null }),
      drawer('d3', { closedAt: '2026-12-04T23:00:00.000Z' }),
    ],
  };

  it('sales and tips by method; a split check counts each part; declines are not sales', () => {
    const r = report(input);
    expect(r.currency).toBe('EUR');
    expect(r.sales).toEqual({
      cash: 2_000 + 1_005 + 2_000,
      card: 4_000 + 900,
      cardStored: 0,
      approvedLater: 0,
      total: 9_905,
    });
    expect(r.tips).toEqual({ cash: 200, card: 500, cardStored: 0, approvedLater: 0, total: 700 });
    expect(r.paymentCount).toBe(5);
    expect(r.declinedLater).toEqual({
      count: 1,
      amount: 2_500,
      tip: 300,
      payments: [
        {
          paymentId: declinedLater.id,
          orderId: 'reopened',
          tableId: 't-reopened',
          amount: 2_500,
          tip: 300,
          declineCode: 'insufficient_funds',
        },
      ],
    });
  });

  it('checks closed and their totals balance with the payments less the cash rounding', () => {
    const r = report(input);
    expect(r.checks).toEqual({ closed: 4, total: 6_000 + 1_003 + 900 + 1_998 });
    // +2 on the rounded check (1,005 for 1,003), +2 on the legacy cash close (2,000 for 1,998).
    expect(r.cashRounding).toBe(4);
    expect(r.balance).toEqual({
      payments: 9_905,
      cashRounding: 4,
      checks: 9_901,
      difference: 0,
      paidTowardsOtherChecks: 0,
      paidOnOtherDays: 0,
    });
    expect(r.balanced).toBe(true);
  });

  it('is not balanced when a payment pays a check still open, and says how much', () => {
    const open = order('open', 3_000, { status: 'sent', closedAt: null, paid: 1_000 });
    const part = payment('open', 1_000);
    const r = report({
      ...input,
      orders: [...input.orders, open],
      payments: [...input.payments, part],
    });
    expect(r.balanced).toBe(false);
    expect(r.balance.difference).toBe(1_000);
    expect(r.balance.paidTowardsOtherChecks).toBe(1_000);
  });

  it('a rounding bigger than half the increment is not written off', () => {
    const off = order('off', 1_000);
    const short = payment('off', 990, { method: 'cash' });
    const r = report({ orders: [off], payments: [short] });
    expect(r.cashRounding).toBe(0);
    expect(r.balance.difference).toBe(-10);
    expect(r.balanced).toBe(false);
  });

  it('refunds asked for this day: given back by method, waiting and failed apart', () => {
    expect(report(input).refunds).toEqual({
      cash: 500,
      card: 0,
      refunded: 500,
      waiting: 1_000,
      failed: 200,
      count: 3,
    });
  });

  it('voids: orders voided this day with their value, and voided lines at menu price', () => {
    expect(report(input).voids).toEqual({
      orders: 1,
      ordersValue: 2_500,
      lines: 1,
      linesValue: 900,
    });
  });

  it('drawers closed this day with expected, counted, difference and the reason', () => {
    const r = report(input);
    expect(r.drawers).toEqual([
      {
        drawerId: 'd1',
        deviceId: 'till-1',
        closedAt: '2026-12-05T23:40:00.000Z',
        closedBy: 'mia',
        expected: 15_000,
        counted: 14_800,
        difference: -200,
        reason: 'change given twice',
      },
    ]);
    expect(r.drawerDifference).toBe(-200);
  });

  it('a day with nothing in it is empty and balanced', () => {
    const r = report(input, '2026-11-01');
    expect(r.currency).toBe(null);
    expect(r.sales.total).toBe(0);
    expect(r.checks).toEqual({ closed: 0, total: 0 });
    expect(r.drawers).toEqual([]);
    expect(r.balanced).toBe(true);
  });
});
