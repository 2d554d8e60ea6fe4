/**
 * How long to wait before trying again after a failure: one rule for every retry loop (the
 * service worker's outbox, the hydrator, the relay's uplink). Pure: the caller draws the random
 * number, so tests can pin it. Plain numbers rather than a settings object: the service worker
 * bundles this, and every byte of it counts against the worker's budget.
 */

/**
 * The wait before retry `attempt` (1 after the first failure, 2 after the second…). Its ceiling
 * is `baseMs` (> 0) doubled for each failure after the first, never above `maxMs`; the wait is
 * the ceiling's upper half, placed by `random` in [0, 1] ("equal jitter"), so devices that
 * failed together do not all come back at once. A server's Retry-After (`retryAfterMs`) is a
 * floor, and may be longer than `maxMs`.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: number,
  retryAfterMs?: number | null,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.max(retryAfterMs ?? 0, Math.round((ceiling * (1 + random)) / 2));
}
