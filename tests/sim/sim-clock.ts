import type { Rng } from './prng.ts';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The simulated time every part reads (engine, cloud, reconciler), and the timers a component
 * may sleep on: they fire when the simulation moves the clock past them, never in real time.
 */
export class SimClock {
  private ms: number;
  private timers: { at: number; fire: () => void }[] = [];

  constructor(iso: string) {
    this.ms = Date.parse(iso);
  }

  readonly now = (): Date => new Date(this.ms);
  readonly nowMs = (): number => this.ms;

  advance(ms: number): void {
    this.ms += ms;
    const due = this.timers.filter((t) => t.at <= this.ms);
    this.timers = this.timers.filter((t) => t.at > this.ms);
    for (const timer of due) timer.fire();
  }

  readonly sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.timers.push({ at: this.ms + Math.max(0, ms), fire: resolve });
    });

  get pendingTimers(): number {
    return this.timers.length;
  }
}

/** Deterministic ULIDs: the sim clock's millisecond and 80 bits from the seeded PRNG. */
export function ulidFactory(clock: SimClock, rng: Rng): () => string {
  const seen = new Set<string>();
  return () => {
    for (;;) {
      let time = clock.nowMs();
      let head = '';
      for (let i = 0; i < 10; i++) {
        head = CROCKFORD.charAt(time % 32) + head;
        time = Math.floor(time / 32);
      }
      let tail = '';
      for (let i = 0; i < 16; i++) tail += CROCKFORD.charAt(rng.int(32));
      const id = head + tail;
      if (!seen.has(id)) {
        seen.add(id);
        return id;
      }
    }
  };
}
