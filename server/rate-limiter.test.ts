import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.ts';

describe('RateLimiter', () => {
  it('spends a burst, refuses with the seconds to wait, and refills with time', () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 2, burst: 4, now: () => now });
    expect(limiter.take('a', 4)).toEqual({ ok: true });
    expect(limiter.take('a', 3)).toEqual({ ok: false, retryAfterSeconds: 2 });
    now += 1500;
    expect(limiter.take('a', 3)).toEqual({ ok: true });
  });

  it('allows up to the burst one at a time, refuses the one above it, and one more a tick later', () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 10, burst: 50, now: () => now });
    for (let i = 0; i < 49; i++) expect(limiter.take('tablet').ok).toBe(true);
    // The 50th is the bound itself: allowed. The 51st is above it.
    expect(limiter.take('tablet')).toEqual({ ok: true });
    expect(limiter.take('tablet')).toEqual({ ok: false, retryAfterSeconds: 1 });
    now += 99;
    expect(limiter.take('tablet').ok).toBe(false);
    now += 1;
    expect(limiter.take('tablet')).toEqual({ ok: true });
    expect(limiter.take('tablet').ok).toBe(false);
  });

  it('keeps at most maxKeys buckets, dropping the least recently used', () => {
    const now = 0;
    const limiter = new RateLimiter({ perSecond: 1, burst: 1, now: () => now, maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) expect(limiter.take(key)).toEqual({ ok: true });
    // 'a' used again: 'b' is now the least recently used.
    expect(limiter.take('a').ok).toBe(false);
    for (let i = 0; i < 1000; i++) limiter.take(`flood-${i}`);
    expect(limiter.size).toBe(3);
    // The flood crowded everyone out: a dropped key starts full, as it would after a second idle.
    expect(limiter.take('c')).toEqual({ ok: true });
    const kept = new RateLimiter({ perSecond: 1, burst: 1, now: () => now, maxKeys: 2 });
    kept.take('x');
    kept.take('y');
    kept.take('x'); // refused, and now the most recent
    kept.take('z'); // drops 'y', not 'x'
    expect(kept.take('x').ok).toBe(false);
    expect(kept.take('y')).toEqual({ ok: true });
  });
});
