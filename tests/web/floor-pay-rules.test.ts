import { describe, expect, it } from 'vitest';
import {
  amountEntry,
  cashSalesOf,
  closeCheck,
  differenceWords,
  expectationOf,
  lastClosedOf,
  payoutCheck,
} from '../../web/floor/drawer-rules.ts';
import { openDrawerOf } from '../../web/floor/pay-context.ts';
import {
  amountOf,
  balanceLeft,
  cardWords,
  cashBalance,
  checkStateOf,
  declineWords,
  paidBy,
  readCardAnswer,
  refusalWords,
  statusWords,
  tipFor,
  tipOf,
} from '../../web/floor/pay-rules.ts';
import { cardPayment, check, DEVICE, drawer, payment, synced } from './pay-fixtures.ts';

// Paying a check and the cash drawer, pure: the balance, amounts and tips, the card route's
// answers in words, and the drawer's expected cash, payout and close checks.

const euro = (minor: number) => `€${(minor / 100).toFixed(2)}`;

describe('pay rules', () => {
  it('leaves the total less what was paid, less cards answered but not in the view yet', () => {
    expect(balanceLeft(check(1000), [], [])).toBe(2000);
    const answered = [{ paymentId: 'p-new', amount: 500 }];
    expect(balanceLeft(check(1000), [], answered)).toBe(1500);
    // Once the local view holds it, order.paid already counts it: not taken off twice.
    expect(balanceLeft(check(1500), [{ id: 'p-new' }], answered)).toBe(1500);
    expect(balanceLeft(check(3000), [], answered)).toBe(0);
  });

  it('works out tips as a percentage of the amount, rounded half up, or as typed', () => {
    expect(tipFor(2000, 10)).toBe(200);
    expect(tipFor(1234, 15)).toBe(185); // 185.1
    expect(tipFor(1230, 15)).toBe(185); // 184.5 → up
    expect(tipFor(999, 20)).toBe(200); // 199.8
    expect(tipOf(2000, 'none', 300)).toBe(0);
    expect(tipOf(2000, 20, undefined)).toBe(400);
    expect(tipOf(2000, 'custom', 350)).toBe(350);
    expect(tipOf(2000, 'custom', undefined)).toBe(0);
    // The guest chooses it on the reader: nothing here, whatever was typed before.
    expect(tipOf(2000, 'reader', 350)).toBe(0);
  });

  it('pays the balance (cash-rounded for cash), a share or a typed part, never more', () => {
    const base = {
      balance: 2342,
      cashIncrement: 5,
      shares: [{ amount: 1171 }, { amount: 1171 }],
      typed: undefined,
      typedText: '',
    };
    expect(cashBalance(2342, 5)).toBe(2340);
    expect(amountOf({ ...base, method: 'cash', choice: { kind: 'balance' } })).toEqual({
      ok: true,
      amount: 2340,
      last: true,
    });
    expect(amountOf({ ...base, method: 'card', choice: { kind: 'balance' } })).toEqual({
      ok: true,
      amount: 2342,
      last: true,
    });
    expect(amountOf({ ...base, method: 'card', choice: { kind: 'share', index: 1 } })).toEqual({
      ok: true,
      amount: 1171,
      last: false,
    });
    expect(
      amountOf({
        ...base,
        method: 'cash',
        choice: { kind: 'typed' },
        typed: 2500,
        typedText: '25',
      }),
    ).toEqual({ ok: false, reason: 'That is more than is left to pay' });
    expect(
      amountOf({ ...base, method: 'cash', choice: { kind: 'typed' }, typed: 500, typedText: '5' }),
    ).toEqual({ ok: true, amount: 500, last: false });
    expect(
      amountOf({ ...base, method: 'cash', choice: { kind: 'typed' }, typedText: 'x' }),
    ).toEqual({ ok: false, reason: '“x” is not an amount' });
    expect(amountOf({ ...base, balance: 0, method: 'cash', choice: { kind: 'balance' } })).toEqual({
      ok: false,
      reason: 'Nothing is left to pay',
    });
  });

  it('says each payment’s state, card and decline in words', () => {
    expect(statusWords(payment())).toBe('Paid');
    expect(statusWords(cardPayment({ status: 'stored', offline: true }))).toBe(
      'Stored offline — not authorised yet',
    );
    expect(
      statusWords(cardPayment({ status: 'declined', declineCode: 'insufficient_funds' })),
    ).toBe('Declined: the card has insufficient funds');
    expect(declineWords('some_new_code')).toBe('the card was declined (some new code)');
    expect(cardWords('visa', '4242')).toBe('Visa ·· 4242');
    expect(cardWords(null, null)).toBe('Card');
    // One set of words on every screen: brands as their owners write them.
    expect(cardWords('jcb', '0505')).toBe('JCB ·· 0505');
    expect(cardWords('amex', '0005')).toBe('American Express ·· 0005');
    expect(cardWords('new_brand', '1111')).toBe('New brand ·· 1111');
    expect(refusalWords('OFFLINE_CARD_OVER_TRANSACTION_LIMIT')).toContain('a manager’s PIN');
  });

  it('counts stored and approved payments as paid, not declined ones', () => {
    const payments = [
      payment({ amount: 1000 }),
      cardPayment({ amount: 500, status: 'stored' }),
      cardPayment({ amount: 700, status: 'declined', declineCode: 'do_not_honor' }),
      cardPayment({ amount: 300, status: 'declined_later', declineCode: 'do_not_honor' }),
    ];
    expect(paidBy(payments)).toBe(1500);
  });

  it('calls a check paid when closed, reopened when a stored card was declined later', () => {
    expect(
      checkStateOf(check(3000, { status: 'closed', closedAt: '2026-11-23T20:00:00.000Z' }), []),
    ).toBe('paid');
    expect(checkStateOf(check(0), [cardPayment({ status: 'declined_later' })])).toBe('reopened');
    expect(checkStateOf(check(1000), [payment()])).toBe('open');
  });

  it('reads the card route’s answers; anything that does not settle is asked again by id', () => {
    expect(
      readCardAnswer(200, {
        outcome: 'approved',
        payment: { brand: 'visa', last4: '4242', declineCode: null },
      }),
    ).toEqual({ kind: 'approved', brand: 'visa', last4: '4242', tip: null });
    // The tip the venue server recorded (the guest's, when chosen on the reader).
    expect(
      readCardAnswer(200, {
        outcome: 'stored',
        payment: { brand: 'visa', last4: '4242', tip: 375, declineCode: null },
      }),
    ).toEqual({ kind: 'stored', brand: 'visa', last4: '4242', tip: 375 });
    expect(
      readCardAnswer(200, { outcome: 'approved', payment: { brand: 'visa', tip: -5 } }),
    ).toMatchObject({ tip: null });
    expect(
      readCardAnswer(200, { outcome: 'declined', payment: { declineCode: 'expired_card' } }),
    ).toEqual({ kind: 'declined', code: 'expired_card', message: null });
    expect(readCardAnswer(202, { outcome: 'timed_out', kind: 'retry_same' })).toEqual({
      kind: 'timed_out',
    });
    expect(
      readCardAnswer(422, {
        code: 'OFFLINE_CARD_OVER_TRANSACTION_LIMIT',
        kind: 'stop',
        detail: 'up to €200.00',
      }),
    ).toEqual({
      kind: 'refused',
      code: 'OFFLINE_CARD_OVER_TRANSACTION_LIMIT',
      detail: 'up to €200.00',
    });
    expect(readCardAnswer('no-answer', undefined)).toMatchObject({
      kind: 'unknown',
      reason: 'network',
    });
    expect(readCardAnswer(503, { code: 'TARGET_UNREACHABLE', kind: 'back_off' })).toMatchObject({
      kind: 'unknown',
      reason: 'network',
    });
    expect(readCardAnswer(502, { code: 'PROCESSOR_ERROR', kind: 'back_off' })).toMatchObject({
      kind: 'unknown',
      reason: 'server',
    });
    expect(readCardAnswer(409, { code: 'IN_FLIGHT', kind: 'retry_later' })).toMatchObject({
      kind: 'unknown',
      reason: 'busy',
    });
    expect(readCardAnswer(401, { code: 'UNAUTHENTICATED', kind: 'sign_in' })).toMatchObject({
      kind: 'unknown',
      reason: 'sign_in',
    });
    expect(readCardAnswer(503, { code: 'NO_PROCESSOR', kind: 'needs_setup' })).toMatchObject({
      kind: 'refused',
      code: 'PROCESSOR_NOT_CONFIGURED',
    });
  });
});

describe('drawer rules', () => {
  it('expects float + cash taken (tips included) − payouts, from this drawer’s cash only', () => {
    const d = drawer({
      payouts: [
        {
          id: 'po-1',
          amount: 1500,
          reason: 'Bread',
          by: 'member-sam',
          at: '2026-11-23T19:10:00.000Z',
        },
      ],
    });
    const payments = [
      payment({
        amount: 2000,
        tip: 300,
        drawerId: 'drawer-1',
        cash: { tendered: 3000, change: 700 },
      }),
      payment({ amount: 900, drawerId: 'drawer-other' }),
      cardPayment({ amount: 5000 }),
    ];
    expect(expectationOf(d, payments, [])).toMatchObject({
      float: 10000,
      cashSales: 2300,
      payouts: 1500,
      expected: 10800,
    });
    expect(cashSalesOf('drawer-1', payments.map(synced)).map((p) => p.entity.amount)).toEqual([
      2000,
    ]);
  });

  it('finds this device’s open drawer and its last closed one', () => {
    const drawers = [
      drawer({
        id: 'd-old',
        status: 'closed',
        closedAt: '2026-11-22T23:00:00.000Z',
        counted: 1,
        expected: 1,
        difference: 0,
        closedBy: 'member-sam',
      }),
      drawer({
        id: 'd-new',
        status: 'closed',
        closedAt: '2026-11-23T23:00:00.000Z',
        counted: 1,
        expected: 1,
        difference: 0,
        closedBy: 'member-sam',
      }),
      drawer({ id: 'd-other', deviceId: 'device-other' }),
    ].map(synced);
    expect(openDrawerOf(drawers, DEVICE)).toBeUndefined();
    expect(openDrawerOf(drawers, 'device-other')?.entity.id).toBe('d-other');
    expect(lastClosedOf(drawers, DEVICE)?.entity.id).toBe('d-new');
  });

  it('checks a float, a payout (amount and why) and a close (a reason when it differs)', () => {
    expect(amountEntry('100', 100, 'float', true)).toEqual({ ok: true, amount: 10000 });
    expect(amountEntry('0', 100, 'float', true)).toEqual({ ok: true, amount: 0 });
    expect(amountEntry('', 100, 'float', true)).toEqual({ ok: false, problem: 'Type the float' });
    expect(payoutCheck('15', '  ', 100)).toEqual({
      ok: false,
      problem: 'Say what the cash was paid out for',
    });
    expect(payoutCheck('15', ' Bread ', 100)).toEqual({ ok: true, amount: 1500, reason: 'Bread' });
    expect(closeCheck('108', '', 10800, 100)).toEqual({
      ok: true,
      counted: 10800,
      difference: 0,
      reason: undefined,
    });
    expect(closeCheck('106.50', '', 10800, 100)).toEqual({
      ok: false,
      difference: -150,
      problem: 'The drawer is short: say why before closing',
    });
    expect(closeCheck('106.50', 'Wrong change', 10800, 100)).toEqual({
      ok: true,
      counted: 10650,
      difference: -150,
      reason: 'Wrong change',
    });
    expect(differenceWords(-150, euro)).toBe('Short by €1.50');
    expect(differenceWords(200, euro)).toBe('Over by €2.00');
    expect(differenceWords(0, euro)).toBe('Matches what is expected');
  });
});
