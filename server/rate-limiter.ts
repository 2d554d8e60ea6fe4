/**
 * Token buckets per key, on an injected clock: `take(key, n)` spends n tokens or says how long
 * until it could. Buckets refill continuously at `perSecond` up to `burst`.
 *
 * At most `maxKeys` buckets are kept, the least recently used dropped first: a bucket dropped
 * starts full again, which after `burst / perSecond` seconds idle it would be anyway, so only a
 * key crowded out while still draining gets some tokens back early.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perSecond: number;
  private readonly burst: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: { perSecond: number; burst: number; now: () => number; maxKeys?: number }) {
    this.perSecond = options.perSecond;
    this.burst = options.burst;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now;
  }

  /** How many keys it holds a bucket for (at most `maxKeys`). */
  get size(): number {
    return this.buckets.size;
  }

  /** Spends `cost` tokens; on refusal returns the whole seconds to wait (≥ 1). */
  take(key: string, cost = 1): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    const tokens = Math.min(
      this.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond,
    );
    const ok = tokens >= cost;
    this.keep(key, { tokens: ok ? tokens - cost : tokens, at: now });
    if (ok) return { ok: true };
    const wait = Math.min(cost, this.burst) - tokens;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / this.perSecond)) };
  }

  /** Stores the bucket as the most recently used, dropping the least recently used past the cap. */
  private keep(key: string, bucket: { tokens: number; at: number }): void {
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    for (const oldest of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(oldest);
    }
  }
}
