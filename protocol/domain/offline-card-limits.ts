import * as z from 'zod';
import { CurrencyCode, MinorUnits } from '../money/money.ts';

/*
 * How far a venue may take card payments offline. The processor's store-and-forward takes the
 * card while the internet is down and authorises it later, so every stored payment is a risk
 * the venue carries until then: these limits bound it. The relay and the cloud decide with the
 * same pure function, on the server's clock passed in.
 */

const HOUR_MS = 60 * 60_000;
const DurationMs = z
  .number()
  .int()
  .min(1)
  .max(30 * 24 * HOUR_MS);

/** The limits' fields without their cross-field rules (a payload's shape; see `policyRules`). */
export const OfflineCardPolicyFields = z.object({
  enabled: z.boolean(),
  /** The largest payment, before tip, anyone may take offline. */
  perTransaction: MinorUnits,
  /** The largest payment, before tip, a manager's PIN may allow offline. */
  withManagerApproval: MinorUnits,
  /** What one device may hold outstanding, tips included. */
  perDevice: MinorUnits,
  /** What the venue may hold outstanding across its devices, tips included. */
  perVenue: MinorUnits,
  /** Ages of the oldest outstanding payment at which staff are alerted, ascending. */
  alertAfterMs: z.array(DurationMs).max(5),
  /** No new offline payment once the first outstanding one is older than this. */
  noNewAfterMs: DurationMs,
  /** A stored payment older than this is expired: the processor may no longer take it. */
  absoluteMs: DurationMs,
});
export type OfflineCardPolicyFields = z.infer<typeof OfflineCardPolicyFields>;

function policyRules(l: OfflineCardPolicyFields, ctx: z.RefinementCtx): void {
  if (l.withManagerApproval < l.perTransaction)
    ctx.addIssue({
      code: 'custom',
      message: 'withManagerApproval must be at least perTransaction',
      path: ['withManagerApproval'],
    });
  if (l.noNewAfterMs > l.absoluteMs)
    ctx.addIssue({
      code: 'custom',
      message: 'noNewAfterMs must not exceed absoluteMs',
      path: ['noNewAfterMs'],
    });
  if (!l.alertAfterMs.every((a, i) => i === 0 || a > (l.alertAfterMs[i - 1] ?? 0)))
    ctx.addIssue({
      code: 'custom',
      message: 'alertAfterMs must be ascending',
      path: ['alertAfterMs'],
    });
}

/** A venue's offline card policy, as its settings keep it (the currency is the venue's). */
export const OfflineCardPolicy = OfflineCardPolicyFields.superRefine(policyRules);
export type OfflineCardPolicy = z.infer<typeof OfflineCardPolicy>;

export const OfflineCardLimits = OfflineCardPolicyFields.extend({
  /** The venue's one currency; an attempt or outstanding payment in another is refused. */
  currency: CurrencyCode,
}).superRefine(policyRules);
export type OfflineCardLimits = z.infer<typeof OfflineCardLimits>;

/** The limits a venue gets in its own currency: off until it turns them on. */
export const DEFAULT_OFFLINE_CARD_LIMITS: OfflineCardPolicy = {
  enabled: false,
  perTransaction: 20_000,
  withManagerApproval: 50_000,
  perDevice: 250_000,
  perVenue: 500_000,
  alertAfterMs: [4 * HOUR_MS, 12 * HOUR_MS],
  noNewAfterMs: 24 * HOUR_MS,
  absoluteMs: 72 * HOUR_MS,
};

export function defaultOfflineCardLimits(currency: CurrencyCode): OfflineCardLimits {
  return { currency, ...DEFAULT_OFFLINE_CARD_LIMITS };
}

/** A payment stored offline and not yet authorised or declined by the processor. */
export const OutstandingOfflineCard = z.object({
  paymentId: z.string().min(1).max(100),
  deviceId: z.string().min(1).max(100),
  amount: MinorUnits,
  tip: MinorUnits,
  currency: CurrencyCode,
  storedAtMs: z.number().int().min(0),
});
export type OutstandingOfflineCard = z.infer<typeof OutstandingOfflineCard>;

/** A card payment a device asks to take offline. */
export const OfflineCardAttempt = z.object({
  deviceId: z.string().min(1).max(100),
  amount: MinorUnits,
  tip: MinorUnits,
  currency: CurrencyCode,
  /** A manager entered their PIN for this payment. */
  managerApproved: z.boolean(),
});
export type OfflineCardAttempt = z.infer<typeof OfflineCardAttempt>;

export const OFFLINE_CARD_REFUSALS = [
  /** The venue has not turned offline card payments on: take cash or wait for the internet. */
  'OFFLINE_CARD_DISABLED',
  /** The attempt, or a payment still outstanding, is not in the venue's currency. */
  'CURRENCY_MISMATCH',
  /** The first outstanding payment is older than `noNewAfterMs`: no new ones until it settles. */
  'OFFLINE_CARD_WINDOW_CLOSED',
  /** Over `withManagerApproval` before tip: nobody may take it offline. */
  'OFFLINE_CARD_OVER_MANAGER_LIMIT',
  /** Over `perTransaction` before tip without a manager's PIN, which would allow it. */
  'OFFLINE_CARD_OVER_TRANSACTION_LIMIT',
  /** The device's outstanding total, tips included, would pass `perDevice`. */
  'OFFLINE_CARD_DEVICE_TOTAL',
  /** The venue's outstanding total, tips included, would pass `perVenue`. */
  'OFFLINE_CARD_VENUE_TOTAL',
] as const;
export type OfflineCardRefusalCode = (typeof OFFLINE_CARD_REFUSALS)[number];

export type OfflineCardDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: OfflineCardRefusalCode; readonly detail: string };

const refuse = (code: OfflineCardRefusalCode, detail: string): OfflineCardDecision => ({
  ok: false,
  code,
  detail,
});

/**
 * May this card payment be taken offline? `outstanding` is every stored payment of the venue
 * (all devices). The transaction limits apply to the amount before tip; the totals include
 * tips. Bounds are inclusive: a payment that reaches a limit exactly is allowed, as is a new
 * one exactly `noNewAfterMs` after the first outstanding one. Comparisons are written so a
 * non-number refuses.
 */
export function decideOfflineCard(
  limits: OfflineCardLimits,
  outstanding: readonly OutstandingOfflineCard[],
  attempt: OfflineCardAttempt,
  nowMs: number,
): OfflineCardDecision {
  const money = (minor: number) => moneyText(minor, limits.currency);
  if (!limits.enabled)
    return refuse('OFFLINE_CARD_DISABLED', 'this venue does not take card payments offline');
  if (attempt.currency !== limits.currency)
    return refuse(
      'CURRENCY_MISMATCH',
      `the venue takes ${limits.currency}; this payment is in ${attempt.currency}`,
    );
  const foreign = outstanding.find((p) => p.currency !== limits.currency);
  if (foreign)
    return refuse(
      'CURRENCY_MISMATCH',
      `an offline payment in ${foreign.currency} is still outstanding; the venue takes ${limits.currency}`,
    );

  const first = oldestStoredAt(outstanding);
  if (first !== null && !(nowMs - first <= limits.noNewAfterMs))
    return refuse(
      'OFFLINE_CARD_WINDOW_CLOSED',
      `no new offline card payments ${hours(limits.noNewAfterMs)} after the first one still ` +
        'outstanding; take cash until the stored ones are authorised',
    );

  if (!(attempt.amount <= limits.withManagerApproval))
    return refuse(
      'OFFLINE_CARD_OVER_MANAGER_LIMIT',
      `offline card payments go up to ${money(limits.withManagerApproval)} before tip, ` +
        'even with a manager',
    );
  if (!(attempt.amount <= limits.perTransaction) && !attempt.managerApproved)
    return refuse(
      'OFFLINE_CARD_OVER_TRANSACTION_LIMIT',
      `offline card payments go up to ${money(limits.perTransaction)} before tip; ` +
        `a manager's PIN allows up to ${money(limits.withManagerApproval)}`,
    );

  const charge = attempt.amount + attempt.tip;
  const onDevice = totalOf(outstanding.filter((p) => p.deviceId === attempt.deviceId));
  if (!(onDevice + charge <= limits.perDevice))
    return refuse(
      'OFFLINE_CARD_DEVICE_TOTAL',
      `this device holds ${money(onDevice)} of offline card payments; it may hold up to ` +
        `${money(limits.perDevice)}, tips included`,
    );
  const inVenue = totalOf(outstanding);
  if (!(inVenue + charge <= limits.perVenue))
    return refuse(
      'OFFLINE_CARD_VENUE_TOTAL',
      `the venue holds ${money(inVenue)} of offline card payments; it may hold up to ` +
        `${money(limits.perVenue)}, tips included`,
    );
  return { ok: true };
}

/** One stored payment's countdown to its absolute deadline. */
export interface OfflineCardCountdown {
  readonly paymentId: string;
  readonly deviceId: string;
  readonly storedAtMs: number;
  /** `storedAtMs + absoluteMs`. */
  readonly deadlineMs: number;
  /** Until the deadline, never below 0. */
  readonly leftMs: number;
  /** Past its deadline (see {@link expiredOfflinePayments}). */
  readonly expired: boolean;
}

export interface OfflineCardAlerts {
  /** The `alertAfterMs` thresholds the oldest outstanding payment has reached, ascending. */
  readonly due: readonly number[];
  /** When new offline payments stop (first outstanding + `noNewAfterMs`); null with none. */
  readonly noNewAfterAtMs: number | null;
  /** Every outstanding payment, oldest first. */
  readonly payments: readonly OfflineCardCountdown[];
}

/** What staff should be told about the venue's stored payments now, for alerts and countdowns. */
export function offlineCardAlerts(
  limits: OfflineCardLimits,
  outstanding: readonly OutstandingOfflineCard[],
  nowMs: number,
): OfflineCardAlerts {
  const first = oldestStoredAt(outstanding);
  const payments = [...outstanding]
    .sort((a, b) => a.storedAtMs - b.storedAtMs)
    .map((p) => {
      const deadlineMs = p.storedAtMs + limits.absoluteMs;
      return {
        paymentId: p.paymentId,
        deviceId: p.deviceId,
        storedAtMs: p.storedAtMs,
        deadlineMs,
        leftMs: Math.max(0, deadlineMs - nowMs),
        expired: nowMs > deadlineMs,
      };
    });
  return {
    due: first === null ? [] : limits.alertAfterMs.filter((after) => nowMs - first >= after),
    noNewAfterAtMs: first === null ? null : first + limits.noNewAfterMs,
    payments,
  };
}

/**
 * Stored payments past their absolute deadline (`storedAtMs + absoluteMs`; at it exactly they
 * are not yet): the processor may no longer authorise them and a manager must follow them up.
 */
export function expiredOfflinePayments(
  limits: OfflineCardLimits,
  outstanding: readonly OutstandingOfflineCard[],
  nowMs: number,
): OutstandingOfflineCard[] {
  return outstanding.filter((p) => nowMs - p.storedAtMs > limits.absoluteMs);
}

function oldestStoredAt(outstanding: readonly OutstandingOfflineCard[]): number | null {
  let first: number | null = null;
  for (const p of outstanding) if (first === null || p.storedAtMs < first) first = p.storedAtMs;
  return first;
}

function totalOf(payments: readonly OutstandingOfflineCard[]): number {
  return payments.reduce((sum, p) => sum + p.amount + p.tip, 0);
}

function hours(ms: number): string {
  return ms % HOUR_MS === 0 ? `${ms / HOUR_MS} h` : `${Math.round(ms / 60_000)} min`;
}

/** "EUR 500.00": minor units in the currency's own digits (as Intl knows them), integers only. */
function moneyText(minor: number, currency: string): string {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  const scale = 10 ** digits;
  const whole = Math.floor(minor / scale);
  const part = String(minor - whole * scale).padStart(digits, '0');
  return `${currency} ${digits === 0 ? whole : `${whole}.${part}`}`;
}
