import { describe, expect, it } from 'vitest';
import { moneyFormat } from '../../web/guest/money-format.ts';
import {
  amountToPay,
  balanceOf,
  billOf,
  checkoutAnswerOf,
  checkoutOfUrl,
  checkoutStateOf,
  minorOfText,
  OFFLINE_WORDS,
  payableOrders,
  percentOf,
  receiptViewOf,
  tipOf,
  withoutCheckout,
} from '../../web/guest/pay-rules.ts';
import { order } from './guest-fixtures.ts';

// Paying the bill from the phone, pure: what is owed, the bill's lines, the tip in integer
// minor units, and the cloud's checkout answers as the pay sheet acts on them.

const dinner = () =>
  order('order-1', [
    { id: 'l1', itemId: 'burger', name: 'Bistro burger', sent: true, quantity: 2 },
    { id: 'l2', itemId: 'chips', name: 'Chips', sent: true, voided: true },
    { id: 'l3', itemId: 'soup', name: 'Soup of the day', sent: true },
  ]);

describe('what is owed', () => {
  it('is the total less what was paid, never below zero', () => {
    const o = dinner();
    expect(o.totals.total).toBe(3000);
    expect(balanceOf(o)).toBe(3000);
    expect(balanceOf({ ...o, paid: 1200 })).toBe(1800);
    expect(balanceOf({ ...o, paid: 3000 })).toBe(0);
    expect(balanceOf({ ...o, paid: 3500 })).toBe(0);
  });

  it('only orders with lines and a balance can be paid', () => {
    const owed = dinner();
    const paidOff = {
      ...order('order-2', [{ id: 'x', itemId: 'soup', name: 'Soup', sent: true }]),
      paid: 1000,
    };
    const empty = order('order-3', []);
    expect(payableOrders([paidOff, owed, empty]).map((o) => o.id)).toEqual(['order-1']);
  });
});

describe('the bill', () => {
  it('lists every line with its quantity and amount; a voided line is kept, marked, not counted', () => {
    const o = dinner();
    const withModifiers = {
      ...o,
      lines: o.lines.map((l) =>
        l.id === 'l1'
          ? {
              ...l,
              note: 'no pickles',
              modifiers: [
                { id: 'extra-cheese', name: 'Extra cheese', priceDelta: 150 },
                { id: 'no-onions', name: 'No onions', priceDelta: 0 },
              ],
            }
          : l,
      ),
      totals: { ...o.totals, subtotal: 3300, tax: 300, total: 3300, cashTotal: 3300 },
      paid: 500,
    };
    const bill = billOf(withModifiers);
    expect(bill.lines).toEqual([
      {
        id: 'l1',
        name: 'Bistro burger',
        quantity: 2,
        modifiers: [
          { name: 'Extra cheese', priceDelta: 150 },
          { name: 'No onions', priceDelta: 0 },
        ],
        note: 'no pickles',
        amount: 2300,
        voided: false,
      },
      {
        id: 'l2',
        name: 'Chips',
        quantity: 1,
        modifiers: [],
        note: undefined,
        amount: 1000,
        voided: true,
      },
      {
        id: 'l3',
        name: 'Soup of the day',
        quantity: 1,
        modifiers: [],
        note: undefined,
        amount: 1000,
        voided: false,
      },
    ]);
    // The totals are the order's own: the voided line is not in them.
    expect(bill).toMatchObject({
      subtotal: 3300,
      tax: 300,
      taxIncluded: true,
      total: 3300,
      paid: 500,
      balance: 2800,
      currency: 'EUR',
    });
  });

  it('says whether the tax is inside the prices or added on top', () => {
    const o = dinner();
    const added = { ...o, totals: { ...o.totals, tax: 240, total: 3240, cashTotal: 3240 } };
    expect(billOf(added)).toMatchObject({ taxIncluded: false, total: 3240, balance: 3240 });
  });
});

describe('the tip, in minor units', () => {
  it('a percentage of what is owed, rounded half up', () => {
    expect(percentOf(2450, 10)).toBe(245);
    expect(percentOf(2450, 15)).toBe(368); // 367.5
    expect(percentOf(2450, 20)).toBe(490);
    expect(percentOf(1, 15)).toBe(0);
    expect(percentOf(3, 15)).toBe(0); // 0.45
    expect(percentOf(4, 15)).toBe(1); // 0.6
    expect(tipOf({ kind: 'percent', percent: 15 }, 2450, 2)).toEqual({ ok: true, tip: 368 });
    expect(tipOf({ kind: 'none' }, 2450, 2)).toEqual({ ok: true, tip: 0 });
  });

  it('a typed amount is read from its text, in the currency’s decimals, never through a float', () => {
    expect(minorOfText('2.50', 2)).toBe(250);
    expect(minorOfText('2,5', 2)).toBe(250);
    expect(minorOfText(' 3 ', 2)).toBe(300);
    expect(minorOfText('0.29', 2)).toBe(29); // 0.29 * 100 is 28.999… as a float
    expect(minorOfText('1.1', 2)).toBe(110);
    expect(minorOfText('4.', 2)).toBe(400);
    expect(minorOfText('500', 0)).toBe(500);
    expect(minorOfText('1.5', 0)).toBeUndefined();
    expect(minorOfText('1.005', 2)).toBeUndefined();
    expect(minorOfText('1.250', 3)).toBe(1250);
    for (const bad of ['', '-1', 'abc', '1e3', '1.2.3', '€2'])
      expect(minorOfText(bad, 2), bad).toBeUndefined();
  });

  it('a custom tip: empty is none, unreadable or more than the bill is refused in words', () => {
    expect(tipOf({ kind: 'custom', text: '' }, 2450, 2)).toEqual({ ok: true, tip: 0 });
    expect(tipOf({ kind: 'custom', text: '3.20' }, 2450, 2)).toEqual({ ok: true, tip: 320 });
    expect(tipOf({ kind: 'custom', text: 'lots' }, 2450, 2)).toEqual({
      ok: false,
      tip: 0,
      error: 'Type the tip as an amount, like 2.50',
    });
    expect(tipOf({ kind: 'custom', text: 'x' }, 2450, 0)).toMatchObject({
      error: 'Type the tip as an amount, like 200',
    });
    expect(tipOf({ kind: 'custom', text: '245' }, 2450, 2)).toMatchObject({
      ok: false,
      error: 'That tip is more than the bill — check the amount',
    });
    expect(tipOf({ kind: 'custom', text: '24.50' }, 2450, 2)).toEqual({ ok: true, tip: 2450 });
  });

  it('the charge is what is owed plus the tip', () => {
    expect(amountToPay(2450, 368)).toBe(2818);
  });
});

const problem = (status: number, kind: string, code: string, detail?: string) => ({
  type: `https://hearth.dev/problems/${code.toLowerCase()}`,
  title: code,
  status,
  kind,
  code,
  ...(detail ? { detail } : {}),
});

describe('the checkout’s answer', () => {
  it('201: off to the processor’s web page, and only a web page', () => {
    expect(checkoutAnswerOf(201, { checkoutId: 'c1', url: 'https://pay.example/c/c1' })).toEqual({
      kind: 'go',
      url: 'https://pay.example/c/c1',
    });
    expect(checkoutAnswerOf(201, { checkoutId: 'c1', url: 'javascript:alert(1)' })).toMatchObject({
      kind: 'failed',
      retry: true,
    });
    expect(checkoutAnswerOf(201, undefined)).toMatchObject({ kind: 'failed' });
  });

  it('no answer, the relay without its uplink and the worker’s OFFLINE all say: ask your server', () => {
    expect(checkoutAnswerOf('no-answer', undefined)).toEqual({ kind: 'offline' });
    expect(checkoutAnswerOf(503, problem(503, 'needs_internet', 'NEEDS_INTERNET'))).toEqual({
      kind: 'offline',
    });
    expect(checkoutAnswerOf(503, problem(503, 'back_off', 'OFFLINE'))).toEqual({ kind: 'offline' });
    expect(OFFLINE_WORDS).toBe(
      'Paying from your phone needs the internet — ask your server to take payment at the table',
    );
  });

  it('503 needs_setup: paying by phone is not available here', () => {
    expect(checkoutAnswerOf(503, problem(503, 'needs_setup', 'PAYMENTS_NOT_CONFIGURED'))).toEqual({
      kind: 'unavailable',
    });
  });

  it('undecided answers keep the attempt; refusals end it, with the server’s words', () => {
    expect(
      checkoutAnswerOf(
        502,
        problem(502, 'back_off', 'PROCESSOR_UNREACHABLE', 'the processor did not answer'),
      ),
    ).toEqual({
      kind: 'failed',
      retry: true,
      message:
        'The payment could not be started just now (the processor did not answer). Try again in a moment.',
    });
    expect(checkoutAnswerOf(409, problem(409, 'fix_request', 'PROCESSOR_REFUSED'))).toMatchObject({
      retry: false,
    });
    expect(checkoutAnswerOf(503, { title: 'Service Unavailable' })).toMatchObject({ retry: true });
    expect(checkoutAnswerOf(409, problem(409, 'retry_later', 'IN_FLIGHT'))).toMatchObject({
      retry: true,
    });
    expect(
      checkoutAnswerOf(422, problem(422, 'stop', 'NOTHING_TO_PAY', 'the order is paid')),
    ).toEqual({
      kind: 'failed',
      retry: false,
      message:
        'The payment could not be started: the order is paid. Ask your server to take payment at the table.',
    });
  });
});

const RECEIPT = {
  amount: 2450,
  tip: 368,
  currency: 'EUR',
  brand: 'visa',
  last4: '4242',
  reference: 'ch_123',
  paidAt: '2026-11-23T20:41:00.000Z',
};

describe('the checkout’s state', () => {
  it('open, cancelled, and paid with its receipt', () => {
    expect(checkoutStateOf(200, { status: 'open' })).toEqual({ kind: 'open' });
    expect(checkoutStateOf(200, { status: 'cancelled' })).toEqual({ kind: 'cancelled' });
    expect(checkoutStateOf(200, { status: 'paid', receipt: RECEIPT })).toEqual({
      kind: 'paid',
      receipt: RECEIPT,
    });
  });

  it('a paid answer without a whole receipt is asked again; so are no answer and 5xx', () => {
    expect(checkoutStateOf(200, { status: 'paid' })).toEqual({ kind: 'unknown', offline: false });
    expect(checkoutStateOf(200, { status: 'paid', receipt: { ...RECEIPT, last4: '42' } })).toEqual({
      kind: 'unknown',
      offline: false,
    });
    expect(checkoutStateOf('no-answer', undefined)).toEqual({ kind: 'unknown', offline: true });
    expect(checkoutStateOf(503, problem(503, 'back_off', 'OFFLINE'))).toEqual({
      kind: 'unknown',
      offline: true,
    });
    expect(checkoutStateOf(500, {})).toEqual({ kind: 'unknown', offline: false });
  });

  it('404: no such checkout for this guest, nothing to ask again', () => {
    expect(checkoutStateOf(404, problem(404, 'stop', 'NOT_FOUND'))).toMatchObject({ kind: 'gone' });
  });
});

describe('the address', () => {
  it('reads ?checkout= and takes it off, keeping venue and table', () => {
    const back = 'https://guest.example/guest/?venue=demo-bistro&table=5&checkout=01JCHECKOUT';
    expect(checkoutOfUrl(back)).toBe('01JCHECKOUT');
    expect(withoutCheckout(back)).toBe('https://guest.example/guest/?venue=demo-bistro&table=5');
    expect(checkoutOfUrl('https://guest.example/guest/?table=5')).toBeNull();
    expect(checkoutOfUrl('not a url')).toBeNull();
  });
});

describe('the receipt in words', () => {
  it('amount, tip, total, card, reference and the time in the venue’s locale and zone', () => {
    const view = receiptViewOf(RECEIPT, moneyFormat('en-GB', 'EUR').price, 'en-GB', 'Europe/Paris');
    expect(view).toEqual({
      amount: '€24.50',
      tip: '€3.68',
      total: '€28.18',
      card: 'Visa ·· 4242',
      reference: 'ch_123',
      time: '23 Nov 2026, 21:41',
    });
    const de = receiptViewOf(RECEIPT, moneyFormat('de-DE', 'EUR').price, 'de-DE', 'Europe/Berlin');
    expect(de.total).toBe('28,18\u00a0€');
    expect(de.time).toBe('23.11.2026, 21:41');
  });
});
