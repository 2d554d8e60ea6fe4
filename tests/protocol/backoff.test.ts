import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '#protocol';

// The one backoff every retry loop uses: exponential, capped, equal jitter, Retry-After a floor.

const attempt = fc.integer({ min: 1, max: 2_000 });
const baseMs = fc.integer({ min: 1, max: 60_000 });
const maxMs = fc.integer({ min: 1, max: 3_600_000 });
const random = fc.double({ min: 0, max: 1, noNaN: true });
const retryAfterMs = fc.option(fc.integer({ min: 0, max: 7_200_000 }), { nil: undefined });

/** The longest wait before retry `n`: what the function gives at the top of its jitter. */
const ceiling = (n: number, base: number, max: number) => backoffDelay(n, base, max, 1);

describe('backoffDelay', () => {
  it('doubles from the base to the cap, the wait in the ceiling’s upper half', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7].map((n) => ceiling(n, 500, 15_000));
    expect(ceilings).toEqual([500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000]);
    expect([1, 2, 3].map((n) => backoffDelay(n, 500, 15_000, 0))).toEqual([250, 500, 1_000]);
    expect(backoffDelay(3, 500, 15_000, 0.5)).toBe(1_500);
    // However many failures, the cap: never Infinity or NaN.
    expect(backoffDelay(100_000, 500, 15_000, 1)).toBe(15_000);
  });

  it('stays within [the floor, the cap]: half the ceiling or Retry-After, up to the cap or Retry-After', () => {
    fc.assert(
      fc.property(attempt, baseMs, maxMs, random, retryAfterMs, (n, base, max, r, after) => {
        const delay = backoffDelay(n, base, max, r, after);
        const top = Math.min(max, base * 2 ** (n - 1));
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(Math.max(after ?? 0, Math.floor(top / 2)));
        expect(delay).toBeLessThanOrEqual(Math.max(after ?? 0, max));
      }),
    );
  });

  it('never lowers its ceiling from one attempt to the next, and doubles it until the cap', () => {
    fc.assert(
      fc.property(attempt, baseMs, maxMs, random, (n, base, max, r) => {
        expect(ceiling(n + 1, base, max)).toBeGreaterThanOrEqual(ceiling(n, base, max));
        expect(ceiling(n + 1, base, max)).toBe(Math.min(max, 2 * ceiling(n, base, max)));
        // For one draw, a later attempt never waits less either.
        expect(backoffDelay(n + 1, base, max, r)).toBeGreaterThanOrEqual(
          backoffDelay(n, base, max, r),
        );
      }),
    );
  });

  it('spans its whole jitter range: half the ceiling at 0, the ceiling at 1, in order between', () => {
    fc.assert(
      fc.property(attempt, baseMs, maxMs, random, random, (n, base, max, r1, r2) => {
        const top = ceiling(n, base, max);
        expect(backoffDelay(n, base, max, 0)).toBe(Math.round(top / 2));
        expect(backoffDelay(n, base, max, 1)).toBe(top);
        const [low, high] = r1 <= r2 ? [r1, r2] : [r2, r1];
        expect(backoffDelay(n, base, max, low)).toBeLessThanOrEqual(
          backoffDelay(n, base, max, high),
        );
      }),
    );
    // Draws spread over the range reach both its halves: the jitter is not stuck at one end.
    const draws = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
    const waits = new Set(draws.map((r) => backoffDelay(4, 1_000, 60_000, r)));
    expect(waits.size).toBe(draws.length);
    expect(Math.min(...waits)).toBe(4_000);
    expect(Math.max(...waits)).toBe(8_000);
  });

  it('takes a server’s Retry-After as a floor, even past the cap, and nothing else from it', () => {
    fc.assert(
      fc.property(attempt, baseMs, maxMs, random, retryAfterMs, (n, base, max, r, after) => {
        const delay = backoffDelay(n, base, max, r, after);
        expect(delay).toBeGreaterThanOrEqual(after ?? 0);
        expect(delay).toBe(Math.max(after ?? 0, backoffDelay(n, base, max, r)));
        expect(backoffDelay(n, base, max, r, null)).toBe(backoffDelay(n, base, max, r));
      }),
    );
    expect(backoffDelay(1, 500, 15_000, 1, 60_000)).toBe(60_000);
    expect(backoffDelay(6, 500, 15_000, 1, 2_000)).toBe(15_000);
  });
});
