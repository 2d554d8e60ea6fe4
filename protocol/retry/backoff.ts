/**
 * How long to wait before trying again after a failure: one rule for every retry loop (the
 * service worker's outbox, the hydrator, the relay's uplink). Pure: the caller draws the random
 * number, so tests can pin it.
 */

/** A retry schedule: where the wait starts and where it stops growing. */
export interface BackoffSettings {
  /** The longest wait before the first retry (ms). */
  readonly baseMs: number;
  /** The longest wait before any retry (ms): the ceiling stops doubling here. */
  readonly maxMs: number;
}

/**
 * The longest wait before retry `attempt` (1 after the first failure, 2 after the second…):
 * `baseMs` doubled for each failure after the first, never above `maxMs`; 0 before any failure.
 */
export function backoffCeiling(attempt: number, settings: BackoffSettings): number {
  if (attempt < 1) return 0;
  // The exponent is bounded so a huge attempt count gives the cap, never NaN (0 · ∞).
  return Math.min(settings.maxMs, settings.baseMs * 2 ** Math.min(attempt - 1, 1000));
}

/**
 * The wait before retry `attempt`, with "equal jitter": half the ceiling fixed, half scaled by
 * `random` (in [0, 1]), so devices that failed together do not all come back at once. A
 * server's Retry-After (`retryAfterMs`) is a floor, and may be longer than the cap.
 */
export function backoffDelay(
  attempt: number,
  settings: BackoffSettings,
  random: number,
  retryAfterMs?: number | null,
): number {
  const half = backoffCeiling(attempt, settings) / 2;
  return Math.max(retryAfterMs ?? 0, Math.round(half + half * random));
}
