/**
 * Token buckets per key, on an injected clock: `take(key, n)` spends n tokens or says how long
 * until it could. Buckets refill continuously at `perSecond` up to `burst`.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perSecond: number;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(options: { perSecond: number; burst: number; now: () => number }) {
    this.perSecond = options.perSecond;
    this.burst = options.burst;
    this.now = options.now;
  }

  /** Spends `cost` tokens; on refusal returns the whole seconds to wait (≥ 1). */
  take(key: string, cost = 1): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    const tokens = Math.min(
      this.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond,
    );
    if (tokens >= cost) {
      this.buckets.set(key, { tokens: tokens - cost, at: now });
      return { ok: true };
    }
    this.buckets.set(key, { tokens, at: now });
    const wait = Math.min(cost, this.burst) - tokens;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / this.perSecond)) };
  }
}
