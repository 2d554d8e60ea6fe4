import { FailureWindow } from '#protocol';
import type { Logger } from './logger.ts';
import { problemResponse } from './problem-response.ts';

export interface Window {
  readonly max: number;
  readonly windowSeconds: number;
}

/**
 * Wrong-PIN budgets (decision 032). `perAddress` blocks: a caller's address that used its budget
 * waits. `venueAlarm` never blocks anyone: past it the venue's wrong PINs are logged as a
 * warning, once a window, so someone looks — a venue-wide lock would let any one guest on the
 * Wi-Fi sign every waiter out mid-service.
 */
export interface PinLimits {
  readonly perAddress: Window;
  readonly venueAlarm: Window;
}

export const DEFAULT_PIN_LIMITS: PinLimits = {
  perAddress: { max: 10, windowSeconds: 60 },
  venueAlarm: { max: 100, windowSeconds: 60 },
};

/** What a guard counts in: the metric name is `hearth_pin_failures_total`. */
export interface PinCounter {
  increment(name: string, help: string, labels?: Readonly<Record<string, string>>): void;
}

const METRIC = 'hearth_pin_failures_total';
const METRIC_HELP = 'Wrong PINs at staff sign-in, and sign-ins refused for too many of them.';

/**
 * Counts wrong PINs per caller address, each key in its own sliding window, and answers 429
 * `back_off` with Retry-After once an address used its budget. The venue's total is an alarm
 * only (see `PinLimits`). In memory, per process, on the caller's clock (ms).
 */
export class PinGuard {
  private readonly perAddress: FailureWindow;
  private readonly venue: FailureWindow;
  private readonly alarmWindowMs: number;
  private readonly warnedAt = new Map<string, number>();
  private readonly limits: PinLimits;
  private readonly report: { readonly log?: Logger; readonly metrics?: PinCounter };

  constructor(
    limits: PinLimits,
    report: { readonly log?: Logger; readonly metrics?: PinCounter } = {},
  ) {
    this.limits = limits;
    this.report = report;
    this.perAddress = new FailureWindow(limits.perAddress);
    this.venue = new FailureWindow(limits.venueAlarm);
    this.alarmWindowMs = limits.venueAlarm.windowSeconds * 1000;
  }

  /** The 429 for an address past its budget, or undefined when it may try now. */
  refusal(address: string, nowMs: number): Response | undefined {
    const wait = this.perAddress.retryAfter(address, nowMs);
    if (wait === undefined) return undefined;
    this.report.metrics?.increment(METRIC, METRIC_HELP, { result: 'refused' });
    return problemResponse(429, 'PIN_ATTEMPTS_EXCEEDED', 'Too many wrong PINs', {
      kind: 'back_off',
      retryAfter: wait,
      detail: `too many wrong PINs from this device; wait ${wait} s and try again`,
    });
  }

  /** One wrong PIN from `address` at `venueId`. */
  failed(address: string, venueId: string, nowMs: number): void {
    this.perAddress.fail(address, nowMs);
    this.venue.fail(venueId, nowMs);
    this.report.metrics?.increment(METRIC, METRIC_HELP, { result: 'wrong_pin' });
    if (this.venue.retryAfter(venueId, nowMs) === undefined) return;
    const warned = this.warnedAt.get(venueId);
    if (warned !== undefined && warned > nowMs - this.alarmWindowMs) return;
    if (this.warnedAt.size > 10_000) this.warnedAt.clear();
    this.warnedAt.set(venueId, nowMs);
    this.report.log?.('warn', 'many wrong PINs at a venue: someone may be guessing', {
      venueId,
      atLeast: this.limits.venueAlarm.max,
      windowSeconds: this.limits.venueAlarm.windowSeconds,
      lastAddress: address,
    });
  }
}
