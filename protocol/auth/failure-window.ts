/**
 * Failures per key in a sliding window: how the sign-in routes (cloud and relay) count wrong
 * PINs. In memory per process: behind several cloud instances each counts its own, which still
 * bounds guessing to `max × instances` per window. Time comes in as ms from the caller's clock.
 */
export class FailureWindow {
  private readonly failures = new Map<string, number[]>();
  private readonly max: number;
  private readonly windowMs: number;

  private readonly maxKeys: number;

  /** `maxKeys` (default 10,000): how many keys it remembers before forgetting the stalest. */
  constructor(limits: {
    readonly max: number;
    readonly windowSeconds: number;
    readonly maxKeys?: number;
  }) {
    this.max = limits.max;
    this.windowMs = limits.windowSeconds * 1000;
    this.maxKeys = limits.maxKeys ?? 10_000;
  }

  /** Seconds until another attempt is allowed, or undefined when one is allowed now. */
  retryAfter(key: string, nowMs: number): number | undefined {
    const recent = this.recent(key, nowMs);
    if (recent.length < this.max) return undefined;
    const oldest = recent[recent.length - this.max] ?? nowMs;
    return Math.max(1, Math.ceil((oldest + this.windowMs - nowMs) / 1000));
  }

  fail(key: string, nowMs: number): void {
    const recent = this.recent(key, nowMs);
    recent.push(nowMs);
    // Deleted first so the map stays in order of last failure, stalest first.
    this.failures.delete(key);
    this.failures.set(key, recent.slice(-this.max));
    if (this.failures.size > this.maxKeys) this.sweep(nowMs);
  }

  private recent(key: string, nowMs: number): number[] {
    return (this.failures.get(key) ?? []).filter((at) => at > nowMs - this.windowMs);
  }

  // Keys are caller-chosen (venue ids, addresses): forget those whose failures all aged out,
  // then, while still past half the cap, the stalest (they get their budget back early). Down
  // to half, so a flood of new keys sweeps once per maxKeys / 2 of them, not on every one.
  private sweep(nowMs: number): void {
    for (const [key, times] of this.failures) {
      if (times.every((at) => at <= nowMs - this.windowMs)) this.failures.delete(key);
    }
    for (const key of this.failures.keys()) {
      if (this.failures.size <= this.maxKeys / 2) break;
      this.failures.delete(key);
    }
  }
}
