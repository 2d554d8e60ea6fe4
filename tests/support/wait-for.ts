/**
 * Polls `check` until it gives a value (anything but `false`, `null` or `undefined`) and returns
 * that value. A `check` that throws counts as not yet; past `timeoutMs` the wait fails naming
 * `what`, with the last error `check` threw. The bound ends a run that would otherwise hang: it
 * is no latency claim, so keep it generous.
 *
 * For the browser tests (web-test-runner) and the end-to-end process helpers, which Bun's
 * benchmarks import too: nothing here is specific to one runtime. Node vitest files use
 * `vi.waitFor` instead.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  { timeoutMs = 8_000, intervalMs = 20 }: WaitOptions = {},
): Promise<Found<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown;
    try {
      const value = await check();
      if (value !== false && value !== null && value !== undefined) return value as Found<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? lastError.message : lastError;
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${cause === undefined ? '' : `: ${String(cause)}`}`,
        { cause: lastError },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface WaitOptions {
  /**
   * How long to keep trying. Default 8 s: under the browser tests' 10 s per test, so the failure
   * names what was awaited rather than only the test.
   */
  readonly timeoutMs?: number;
  /** The pause between two tries (default 20 ms). */
  readonly intervalMs?: number;
}

/** What `waitFor` resolves with: the check's value, once it is one. */
export type Found<T> = Exclude<T, false | null | undefined>;
