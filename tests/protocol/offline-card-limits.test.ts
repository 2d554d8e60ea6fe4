import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OFFLINE_CARD_LIMITS,
  decideOfflineCard,
  defaultOfflineCardLimits,
  expiredOfflinePayments,
  type OfflineCardAttempt,
  OfflineCardLimits,
  type OutstandingOfflineCard,
  offlineCardAlerts,
} from '#protocol';

// Card payments taken offline by the processor's store-and-forward: every limit at, one below
// and one above its bound, on a fake clock (milliseconds passed in).

const HOUR = 60 * 60_000;
const T0 = Date.UTC(2026, 11, 5, 19, 0);
const limits: OfflineCardLimits = { ...defaultOfflineCardLimits('EUR'), enabled: true };

const attempt = (over: Partial<OfflineCardAttempt> = {}): OfflineCardAttempt => ({
  deviceId: 'till-1',
  amount: 5_000,
  tip: 0,
  currency: 'EUR',
  managerApproved: false,
  ...over,
});
let paymentNo = 0;
const stored = (over: Partial<OutstandingOfflineCard> = {}): OutstandingOfflineCard => ({
  paymentId: `pay-${++paymentNo}`,
  deviceId: 'till-1',
  amount: 10_000,
  tip: 0,
  currency: 'EUR',
  storedAtMs: T0,
  ...over,
});
const decide = (
  a: Partial<OfflineCardAttempt>,
  outstanding: OutstandingOfflineCard[] = [],
  now = T0,
) => decideOfflineCard(limits, outstanding, attempt(a), now);

describe('offline card limits: the settings', () => {
  it('defaults: off; 200.00 per payment, 500.00 with a manager, 2,500.00 a device, 5,000.00 a venue', () => {
    expect(DEFAULT_OFFLINE_CARD_LIMITS).toEqual({
      enabled: false,
      perTransaction: 20_000,
      withManagerApproval: 50_000,
      perDevice: 250_000,
      perVenue: 500_000,
      alertAfterMs: [4 * HOUR, 12 * HOUR],
      noNewAfterMs: 24 * HOUR,
      absoluteMs: 72 * HOUR,
    });
    expect(OfflineCardLimits.parse(defaultOfflineCardLimits('EUR'))).toMatchObject({
      currency: 'EUR',
      enabled: false,
    });
  });

  it('refuses limits that contradict themselves', () => {
    const bad = [
      { ...limits, withManagerApproval: limits.perTransaction - 1 },
      { ...limits, noNewAfterMs: limits.absoluteMs + 1 },
      { ...limits, alertAfterMs: [12 * HOUR, 4 * HOUR] },
      { ...limits, perTransaction: 199.5 },
      { ...limits, currency: 'euro' },
    ];
    for (const value of bad) expect(OfflineCardLimits.safeParse(value).success).toBe(false);
    expect(OfflineCardLimits.safeParse({ ...limits, withManagerApproval: 20_000 }).success).toBe(
      true,
    );
  });

  it('a venue that has not turned them on takes no card offline', () => {
    expect(decideOfflineCard(defaultOfflineCardLimits('EUR'), [], attempt(), T0)).toMatchObject({
      ok: false,
      code: 'OFFLINE_CARD_DISABLED',
    });
  });

  it('one currency per venue: an attempt, or a payment outstanding, in another is refused', () => {
    expect(decide({ currency: 'GBP' })).toMatchObject({ ok: false, code: 'CURRENCY_MISMATCH' });
    expect(decide({}, [stored({ currency: 'GBP' })])).toMatchObject({
      ok: false,
      code: 'CURRENCY_MISMATCH',
    });
    expect(decide({ currency: 'EUR' })).toEqual({ ok: true });
  });
});

describe('offline card limits: one payment', () => {
  it('per transaction, before tip: 199.99 and 200.00 pass, 200.01 needs a manager', () => {
    expect(decide({ amount: 19_999 })).toEqual({ ok: true });
    expect(decide({ amount: 20_000 })).toEqual({ ok: true });
    expect(decide({ amount: 20_000, tip: 4_000 })).toEqual({ ok: true });
    const over = decide({ amount: 20_001 });
    expect(over).toMatchObject({ ok: false, code: 'OFFLINE_CARD_OVER_TRANSACTION_LIMIT' });
    if (over.ok) return;
    expect(over.detail).toContain('EUR 200.00');
    expect(over.detail).toContain("a manager's PIN allows up to EUR 500.00");
  });

  it('with a manager: 200.01 to 500.00 pass; 500.01 is refused with or without one', () => {
    for (const amount of [20_001, 49_999, 50_000])
      expect(decide({ amount, managerApproved: true })).toEqual({ ok: true });
    expect(decide({ amount: 50_000, tip: 10_000, managerApproved: true })).toEqual({ ok: true });
    for (const managerApproved of [true, false]) {
      const over = decide({ amount: 50_001, managerApproved });
      expect(over).toMatchObject({ ok: false, code: 'OFFLINE_CARD_OVER_MANAGER_LIMIT' });
      if (!over.ok) expect(over.detail).not.toContain("manager's PIN");
    }
  });

  it("writes amounts in the currency's own digits", () => {
    const yen = { ...defaultOfflineCardLimits('JPY'), enabled: true };
    const over = decideOfflineCard(yen, [], attempt({ currency: 'JPY', amount: 20_001 }), T0);
    expect(over).toMatchObject({ ok: false, detail: expect.stringContaining('JPY 50000') });
  });

  it('refuses an amount that is not a number rather than letting it through', () => {
    expect(decide({ amount: Number.NaN })).toMatchObject({ ok: false });
    expect(decide({ tip: Number.NaN })).toMatchObject({ ok: false });
  });
});

describe('offline card limits: totals outstanding, tips included', () => {
  // 2,400.00 on till-1 (tips included), 1,000.00 on till-2.
  const onTill1 = () => [
    stored({ amount: 20_000, tip: 0 }),
    ...Array.from({ length: 11 }, () => stored({ amount: 19_000, tip: 1_000 })),
  ];
  const onTill2 = () => [stored({ deviceId: 'till-2', amount: 10_000, tip: 0 })];

  it('per device: up to 2,500.00 exactly passes, one unit over is refused', () => {
    const outstanding = [...onTill1(), ...onTill2()];
    expect(decide({ amount: 9_000, tip: 999 }, outstanding)).toEqual({ ok: true });
    expect(decide({ amount: 9_000, tip: 1_000 }, outstanding)).toEqual({ ok: true });
    const over = decide({ amount: 9_000, tip: 1_001 }, outstanding);
    expect(over).toMatchObject({ ok: false, code: 'OFFLINE_CARD_DEVICE_TOTAL' });
    if (!over.ok) expect(over.detail).toContain('EUR 2400.00');
    // Another device's payments are not this device's.
    expect(decide({ deviceId: 'till-2', amount: 20_000 }, outstanding)).toEqual({ ok: true });
  });

  it('per venue: up to 5,000.00 across devices passes, one unit over is refused', () => {
    // 2,400.00 + 2,400.00 on two tills; a third till may add 200.00.
    const outstanding = [...onTill1(), ...onTill1().map((p) => ({ ...p, deviceId: 'till-2' }))];
    const till3 = (amount: number, tip: number) =>
      decide({ deviceId: 'till-3', amount, tip }, outstanding);
    expect(till3(19_999, 0)).toEqual({ ok: true });
    expect(till3(19_000, 1_000)).toEqual({ ok: true });
    expect(till3(19_000, 1_001)).toMatchObject({ ok: false, code: 'OFFLINE_CARD_VENUE_TOTAL' });
  });

  it('never lets a device or the venue hold more than its bound, whatever order attempts come in', () => {
    const attemptArb = fc.record({
      deviceId: fc.constantFrom('till-1', 'till-2', 'till-3', 'bar'),
      amount: fc.integer({ min: 0, max: 60_000 }),
      tip: fc.integer({ min: 0, max: 15_000 }),
      currency: fc.constant('EUR'),
      managerApproved: fc.boolean(),
      afterMs: fc.integer({ min: 0, max: HOUR }),
    });
    const batch = fc
      .array(attemptArb, { maxLength: 80 })
      .chain((a) =>
        fc.tuple(
          fc.constant(a),
          fc.shuffledSubarray(a, { minLength: a.length, maxLength: a.length }),
        ),
      );
    const bounds = fc.record({
      perDevice: fc.integer({ min: 0, max: 300_000 }),
      perVenue: fc.integer({ min: 0, max: 600_000 }),
    });
    fc.assert(
      fc.property(batch, bounds, ([given, shuffled], b) => {
        const rules = { ...limits, ...b };
        for (const order of [given, shuffled, [...given].reverse()]) {
          const taken: OutstandingOfflineCard[] = [];
          let now = T0;
          for (const { afterMs, ...a } of order) {
            now += afterMs;
            if (decideOfflineCard(rules, taken, a, now).ok)
              taken.push(stored({ ...a, storedAtMs: now }));
          }
          const sum = (ps: OutstandingOfflineCard[]) =>
            ps.reduce((s, p) => s + p.amount + p.tip, 0);
          expect(sum(taken)).toBeLessThanOrEqual(rules.perVenue);
          for (const device of new Set(taken.map((p) => p.deviceId)))
            expect(sum(taken.filter((p) => p.deviceId === device))).toBeLessThanOrEqual(
              rules.perDevice,
            );
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('offline card limits: time', () => {
  const outstanding = () => [stored({ storedAtMs: T0 }), stored({ storedAtMs: T0 + 20 * HOUR })];

  it('no new offline payment more than 24 h after the first one still outstanding', () => {
    expect(decide({}, outstanding(), T0 + 24 * HOUR - 1)).toEqual({ ok: true });
    expect(decide({}, outstanding(), T0 + 24 * HOUR)).toEqual({ ok: true });
    expect(decide({}, outstanding(), T0 + 24 * HOUR + 1)).toMatchObject({
      ok: false,
      code: 'OFFLINE_CARD_WINDOW_CLOSED',
    });
    // Once the first one is authorised the window runs from the next.
    expect(decide({}, outstanding().slice(1), T0 + 24 * HOUR + 1)).toEqual({ ok: true });
    // With none outstanding there is no window.
    expect(decide({}, [], T0 + 1_000 * HOUR)).toEqual({ ok: true });
  });

  it('alerts are due at 4 h and at 12 h exactly, from the oldest outstanding payment', () => {
    const due = (now: number) => offlineCardAlerts(limits, outstanding(), now).due;
    expect(due(T0 + 4 * HOUR - 1)).toEqual([]);
    expect(due(T0 + 4 * HOUR)).toEqual([4 * HOUR]);
    expect(due(T0 + 12 * HOUR - 1)).toEqual([4 * HOUR]);
    expect(due(T0 + 12 * HOUR)).toEqual([4 * HOUR, 12 * HOUR]);
    expect(offlineCardAlerts(limits, [], T0 + 100 * HOUR)).toEqual({
      due: [],
      noNewAfterAtMs: null,
      payments: [],
    });
  });

  it('counts each payment down to its 72 h deadline, oldest first', () => {
    const [first, second] = outstanding();
    if (!first || !second) throw new Error('fixture');
    const alerts = offlineCardAlerts(limits, [second, first], T0 + 30 * HOUR);
    expect(alerts.noNewAfterAtMs).toBe(T0 + 24 * HOUR);
    expect(alerts.payments).toEqual([
      {
        paymentId: first.paymentId,
        deviceId: 'till-1',
        storedAtMs: T0,
        deadlineMs: T0 + 72 * HOUR,
        leftMs: 42 * HOUR,
        expired: false,
      },
      {
        paymentId: second.paymentId,
        deviceId: 'till-1',
        storedAtMs: T0 + 20 * HOUR,
        deadlineMs: T0 + 92 * HOUR,
        leftMs: 62 * HOUR,
        expired: false,
      },
    ]);
  });

  it('a payment is expired past 72 h: not 1 ms before, not at it, 1 ms after', () => {
    const [first, second] = outstanding();
    if (!first || !second) throw new Error('fixture');
    const expired = (now: number) =>
      expiredOfflinePayments(limits, [first, second], now).map((p) => p.paymentId);
    expect(expired(T0 + 72 * HOUR - 1)).toEqual([]);
    expect(expired(T0 + 72 * HOUR)).toEqual([]);
    expect(expired(T0 + 72 * HOUR + 1)).toEqual([first.paymentId]);
    expect(expired(T0 + 92 * HOUR + 1)).toEqual([first.paymentId, second.paymentId]);
    const at = offlineCardAlerts(limits, [first], T0 + 72 * HOUR).payments[0];
    expect(at).toMatchObject({ leftMs: 0, expired: false });
    const after = offlineCardAlerts(limits, [first], T0 + 72 * HOUR + 1).payments[0];
    expect(after).toMatchObject({ leftMs: 0, expired: true });
  });
});
