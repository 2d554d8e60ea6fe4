import { describe, expect, it } from 'vitest';
import { DEFAULT_OFFLINE_CARD_LIMITS, Settings } from '#protocol';
import {
  decideAs,
  manager,
  owner,
  server,
  settingsIn,
  stateOf,
  venueState,
} from './support/payment-fixture.ts';
import { guest, staff } from './support/venue-fixture.ts';

// The venue's offline card policy: set by the owner alone, checked against its own rules, and
// read from settings written before it had per-device and per-venue totals.

const policy = (over: Record<string, unknown> = {}) => ({
  policy: { ...DEFAULT_OFFLINE_CARD_LIMITS, enabled: true, ...over },
});

describe('settings.offlineCard.set', () => {
  it('the owner sets the policy; the settings’ version moves on', async () => {
    const state = venueState();
    const before = settingsIn(state);
    const after = stateOf(
      await decideAs(state, 'settings.offlineCard.set', policy({ perTransaction: 15_000 }), owner),
    );
    expect(settingsIn(after)).toEqual({
      ...before,
      offlineCard: { ...DEFAULT_OFFLINE_CARD_LIMITS, enabled: true, perTransaction: 15_000 },
      version: (before?.version ?? 0) + 1,
    });
  });

  it('nobody but the owner may', async () => {
    for (const principal of [manager, server, staff('kitchen'), guest('table-1')])
      expect(
        await decideAs(venueState(), 'settings.offlineCard.set', policy(), principal),
      ).toMatchObject({ kind: 'rejected', code: 'FORBIDDEN' });
  });

  it('refuses a policy that breaks its own rules (VALIDATION, the field named)', async () => {
    const state = venueState();
    const cases: [Record<string, unknown>, string][] = [
      [{ perTransaction: 30_000, withManagerApproval: 29_999 }, 'policy.withManagerApproval'],
      [{ noNewAfterMs: 73 * 3_600_000 }, 'policy.noNewAfterMs'],
      [{ alertAfterMs: [12 * 3_600_000, 4 * 3_600_000] }, 'policy.alertAfterMs'],
    ];
    for (const [over, field] of cases) {
      const decision = await decideAs(state, 'settings.offlineCard.set', policy(over), owner);
      expect(decision).toMatchObject({ kind: 'rejected', code: 'VALIDATION' });
      if (decision.kind === 'rejected') expect(decision.message).toContain(field);
    }
    // Equal limits are allowed: a manager may then allow nothing more.
    expect(
      (
        await decideAs(
          state,
          'settings.offlineCard.set',
          policy({ perTransaction: 30_000, withManagerApproval: 30_000 }),
          owner,
        )
      ).kind,
    ).toBe('applied');
  });
});

describe('settings written before the offline card policy', () => {
  const current = () => {
    const settings = settingsIn(venueState());
    if (!settings) throw new Error('the fixture has no settings');
    return settings;
  };

  it('{enabled, perTransactionLimit, perDayLimit, requireManagerApproval} read as the policy they meant', () => {
    const parsed = Settings.parse({
      ...current(),
      offlineCard: {
        enabled: true,
        perTransactionLimit: 15_000,
        perDayLimit: 100_000,
        requireManagerApproval: true,
      },
    });
    expect(parsed.offlineCard).toEqual({
      ...DEFAULT_OFFLINE_CARD_LIMITS,
      enabled: true,
      perTransaction: 15_000,
    });
  });

  it('keeps the manager limit at least the old per-transaction limit, and stays off unless it was on', () => {
    const parsed = Settings.parse({
      ...current(),
      offlineCard: {
        perTransactionLimit: 80_000,
        perDayLimit: 100_000,
        requireManagerApproval: false,
      },
    });
    expect(parsed.offlineCard).toMatchObject({
      enabled: false,
      perTransaction: 80_000,
      withManagerApproval: 80_000,
    });
    expect(
      Settings.parse({ ...current(), offlineCard: { enabled: true, perTransactionLimit: 'x' } })
        .offlineCard,
    ).toMatchObject({ enabled: true, perTransaction: DEFAULT_OFFLINE_CARD_LIMITS.perTransaction });
  });

  it('parses the new shape as it is and refuses one that is neither', () => {
    const policyNow = { ...DEFAULT_OFFLINE_CARD_LIMITS, enabled: true, perVenue: 400_000 };
    expect(Settings.parse({ ...current(), offlineCard: policyNow }).offlineCard).toEqual(policyNow);
    expect(Settings.safeParse({ ...current(), offlineCard: { enabled: true } }).success).toBe(
      false,
    );
  });
});
