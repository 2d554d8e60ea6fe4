/**
 * Failures per key in a sliding window: how the sign-in routes (cloud and relay) count wrong
 * PINs. In memory per process: behind several cloud instances each counts its own, which still
 * bounds guessing to `max × instances` per window. Time comes in as ms from the caller's clock.
 */
export class FailureWindow {
  private readonly failures = new Map<string, number[]>();
  private readonly max: number;
  private readonly windowMs: number;

  constructor(limits: { readonly max: number; readonly windowSeconds: number }) {
    this.max = limits.max;
    this.windowMs = limits.windowSeconds * 1000;
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
    this.failures.set(key, recent.slice(-this.max));
    if (this.failures.size > 10_000) this.sweep(nowMs);
  }

  private recent(key: string, nowMs: number): number[] {
    return (this.failures.get(key) ?? []).filter((at) => at > nowMs - this.windowMs);
  }

  // Keys are caller-chosen (venue ids, addresses): forget those whose failures all aged out.
  private sweep(nowMs: number): void {
    for (const [key, times] of this.failures) {
      if (times.every((at) => at <= nowMs - this.windowMs)) this.failures.delete(key);
    }
  }
}
