import { describe, expect, it } from 'vitest';
import { declineWords, paymentTasksOf, taskCountWords } from '../../web/floor/failed-ops-state.ts';
import { parseRoute, viewsFor } from '../../web/floor/floor-nav.ts';
import {
  checkRefund,
  countdownText,
  durationWords,
  offlineCardsView,
  paymentNames,
  paymentRowsOf,
  policyForm,
  policyFromForm,
  provisionalWords,
  refundableOf,
  reportOf,
  todayOf,
} from '../../web/floor/payments-state.ts';
import {
  CARD_ID,
  CASH_ID,
  card,
  cash,
  DECLINED_ID,
  declinedLater,
  devices,
  drawer,
  HOUR,
  MIN,
  NOW,
  orders,
  paymentOf,
  refund,
  STAFF,
  STORED_ID,
  settings,
  stored,
  tables,
} from './payments-fixtures.ts';

// The Payments view and the inbox's payment tasks, pure: countdowns and alerts on a fixed
// clock, today's payments and what is left to refund, the refund form, the owner's limits form,
// the report over the local view.

const money = (minor: number) => `€${(minor / 100).toFixed(2)}`;
const names = paymentNames(tables, STAFF, devices);
const ZONE = 'Europe/Paris';
const payments = [stored, cash, declinedLater, card];
const view = (nowMs: number, list = payments, policy = settings().offlineCard) =>
  offlineCardsView({
    policy,
    currency: 'EUR',
    payments: list,
    names,
    money,
    timezone: ZONE,
    nowMs,
  });

describe('offline card payments', () => {
  it('each stored payment counts down to its 72 h deadline; new ones stop 24 h after the first', () => {
    const v = view(NOW);
    expect(v.rows).toHaveLength(1);
    expect(v.rows[0]).toMatchObject({
      paymentId: STORED_ID,
      where: 'Table 5',
      device: 'Bar tablet',
      who: 'Sam',
      amountText: '€40.00 + €5.00 tip',
      cardText: 'Visa ·· 4242',
      takenText: '22:30',
      deadlineText: 'Tue 22:30',
      countdown: '71:30:00',
      countdownSpoken: '71 h 30 min left',
      expired: false,
    });
    expect(v.noNewText).toBe(
      'New offline card payments stop in 23 h 30 min (at Sun 22:30), until the stored ones are authorised.',
    );
    expect(v.banner).toBe(null);
    expect(v.venue).toMatchObject({ heldText: '€45.00', limitText: '€5000.00', over: false });
    expect(v.devices.map((d) => [d.label, d.heldText, d.limitText])).toEqual([
      ['Bar tablet', '€45.00', '€2500.00'],
    ]);
    // A second later the countdown has moved by a second.
    expect(view(NOW + 1_000).rows[0]?.countdown).toBe('71:29:59');
  });

  it('the banner: nothing before 4 h, an alert at 4 h, urgent at 12 h, expired past 72 h', () => {
    const age = (ms: number) => NOW - 30 * MIN + ms;
    expect(view(age(4 * HOUR - 1)).banner).toBe(null);
    expect(view(age(4 * HOUR)).banner).toEqual({
      level: 'alert',
      text: 'A card payment taken offline has waited over 4 h for the processor. Check the internet connection. Deadline Tue 22:30.',
    });
    expect(view(age(12 * HOUR - 1)).banner?.level).toBe('alert');
    expect(view(age(12 * HOUR)).banner?.level).toBe('urgent');
    expect(view(age(12 * HOUR)).banner?.text).toContain('Get the internet connection back');
    expect(view(age(72 * HOUR)).banner?.level).toBe('urgent');
    const expired = view(age(72 * HOUR + 1));
    expect(expired.banner).toEqual({
      level: 'expired',
      text: '1 offline card payment is past the 72 h deadline: the processor may no longer take it. Follow up with the guest.',
    });
    expect(expired.rows[0]).toMatchObject({ expired: true, countdown: 'expired' });
    expect(expired.expiredCount).toBe(1);
    expect(view(age(25 * HOUR)).noNewText).toMatch(/^New offline card payments stopped at 22:30/);
  });

  it('totals per device and for the venue against the limits; over is flagged', () => {
    const second = paymentOf('01JF0000000000000000000009', 'order-7', 'table-7', 9_000, {
      status: 'stored',
      deviceId: 'till-2',
      takenAt: new Date(NOW - 10 * MIN).toISOString(),
    });
    const v = view(NOW, [stored, second], { ...settings().offlineCard, perDevice: 5_000 });
    expect(v.devices.map((d) => [d.label, d.heldText, d.over])).toEqual([
      ['Terrace tablet', '€90.00', true],
      ['Bar tablet', '€45.00', false],
    ]);
    expect(v.venue.heldText).toBe('€135.00');
  });

  it('durations and countdowns in words', () => {
    expect(countdownText(72 * HOUR)).toBe('72:00:00');
    expect(countdownText(59_999)).toBe('0:00:59');
    expect(durationWords(45 * MIN)).toBe('45 min');
    expect(durationWords(3 * HOUR + 20 * MIN)).toBe('3 h 20 min');
    expect(durationWords(50 * HOUR)).toBe('50 h');
    expect(durationWords(150 * HOUR)).toBe('6 d 6 h');
  });
});

describe('today’s payments and refunds', () => {
  const rows = paymentRowsOf({
    payments,
    refunds: [refund],
    names,
    money,
    timezone: ZONE,
    nowMs: NOW,
  });

  it('newest first, each in words, with what is left to refund', () => {
    expect(rows.map((r) => r.id)).toEqual([CASH_ID, STORED_ID, CARD_ID, DECLINED_ID]);
    expect(rows[0]).toMatchObject({
      methodText: 'Cash',
      amountText: '€20.00',
      tipText: '—',
      where: 'Table 5',
      who: 'Sam',
      whenText: '22:40',
      statusText: 'Paid in cash',
      refundable: 2_000,
    });
    expect(rows[1]).toMatchObject({
      statusText: 'Stored offline, not authorised yet',
      refundable: 0,
    });
    // 30.00 + 2.00 tip, 10.00 waiting to be refunded.
    expect(rows[2]).toMatchObject({ refundable: 2_200, refundableText: '€22.00' });
    expect(rows[2]?.refunds).toEqual([
      {
        id: refund.id,
        amountText: '€10.00',
        reason: 'Cold soup',
        who: 'Mia',
        whenText: '20:00',
        status: 'approved',
        statusText: 'Approved: the cloud sends it to the card processor',
      },
    ]);
    expect(rows[3]).toMatchObject({
      statusText: 'Declined after the outage: the card has insufficient funds',
      refundable: 0,
      cardText: 'Mastercard ·· 5454',
    });
  });

  it('a payment taken before 04:00 is last night’s; today starts at 04:00 in the venue’s zone', () => {
    // 03:59 and 04:01 in Paris on Sunday.
    expect(todayOf(Date.parse('2026-12-06T02:59:00.000Z'), ZONE)).toBe('2026-12-05');
    expect(todayOf(Date.parse('2026-12-06T03:01:00.000Z'), ZONE)).toBe('2026-12-06');
  });

  it('what is left to refund: never a declined or stored payment, less refunds done and waiting', () => {
    expect(refundableOf({ ...card, refunded: 500 }, [refund])).toBe(1_700);
    expect(refundableOf(declinedLater, [])).toBe(0);
    expect(refundableOf(stored, [])).toBe(0);
  });

  it('the refund form: an amount up to what is left, and a reason', () => {
    expect(checkRefund('', 'x', 2_200, 100, money)).toMatchObject({ ok: false, field: 'amount' });
    expect(checkRefund('12,5', '', 2_200, 100, money)).toMatchObject({
      ok: false,
      field: 'reason',
    });
    expect(checkRefund('22.01', 'Cold', 2_200, 100, money)).toEqual({
      ok: false,
      field: 'amount',
      message: 'At most €22.00 is left to refund on this payment.',
    });
    expect(checkRefund('0', 'Cold', 2_200, 100, money)).toMatchObject({ ok: false });
    expect(checkRefund('22', '  Cold soup ', 2_200, 100, money)).toEqual({
      ok: true,
      amount: 2_200,
      reason: 'Cold soup',
    });
  });
});

describe('the report and the limits form', () => {
  it('the day report over the local view, provisional while changes wait', () => {
    const r = reportOf({
      orders,
      payments,
      refunds: [refund],
      drawers: [drawer],
      date: '2026-12-05',
      timezone: ZONE,
    });
    expect(r.sales).toMatchObject({ cash: 2_000, card: 3_000, cardStored: 4_000, total: 9_000 });
    expect(r.declinedLater.amount).toBe(2_500);
    expect(r.drawers).toHaveLength(1);
    expect(provisionalWords(0)).toBe(null);
    expect(provisionalWords(3)).toBe('Provisional: 3 changes not in the cloud yet.');
  });

  it('the owner’s form reads the policy back, and refuses what the server would', () => {
    const policy = settings().offlineCard;
    const form = policyForm(policy, 100);
    expect(form).toMatchObject({
      perTransaction: '200.00',
      alertAfterHours: '4, 12',
      absoluteHours: '72',
    });
    expect(policyFromForm(form, 100)).toEqual({ ok: true, policy });
    expect(
      policyFromForm(
        {
          ...form,
          withManagerApproval: '150',
          alertAfterHours: '12, 4',
          noNewAfterHours: '80',
          perVenue: 'lots',
        },
        100,
      ),
    ).toEqual({
      ok: false,
      errors: {
        withManagerApproval: 'At least the per-payment limit.',
        alertAfterHours: 'List the alert times from the earliest.',
        noNewAfterHours: 'No later than the deadline.',
        perVenue: 'Enter an amount, such as 200.00.',
      },
    });
  });
});

describe('payment tasks in the inbox', () => {
  it('open tasks only, with the check, the amount, who, when, the decline in words', () => {
    const handled = {
      ...declinedLater,
      id: '01JF0000000000000000000008',
      task: 'handled' as const,
    };
    const rows = paymentTasksOf(
      [declinedLater, handled, cash],
      orders,
      names,
      (m) => money(m),
      NOW,
      (ms) => new Date(ms).toISOString().slice(11, 16),
    );
    expect(rows).toEqual([
      {
        paymentId: DECLINED_ID,
        orderId: 'order-7',
        tableId: 'table-7',
        where: 'Table 7',
        amountText: '€25.00 + €3.00 tip',
        dueText: '€25.00 due on the check',
        who: 'Sam',
        whenText: '17:00 (5 h ago)',
        cardText: 'Mastercard ·· 5454',
        decline: 'the card has insufficient funds',
      },
    ]);
    expect(taskCountWords(1)).toBe('1 payment to follow up');
    expect(declineWords('weird_code')).toBe('the card was declined (weird code)');
  });
});

describe('the Payments view in the floor’s tabs', () => {
  it('managers and owners have it; servers do not', () => {
    expect(viewsFor('manager')).toContain('payments');
    expect(viewsFor('owner')).toContain('payments');
    expect(viewsFor('server')).not.toContain('payments');
    expect(parseRoute('#payments')).toEqual({ view: 'payments' });
  });
});
