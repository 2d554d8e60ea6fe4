import type { ResilienceReport } from '#protocol';

type Connectivity = NonNullable<ResilienceReport['connectivity']>;
type Sample = NonNullable<ResilienceReport['samples']>[number];

/** What the relay knows of its queues at one moment. */
export interface ResilienceReading {
  /** Journaled ops the cloud has not yet accepted. */
  readonly journalDepth: number;
  /** The staff devices' outboxes, summed from their latest checkpoints. */
  readonly outboxDepth: number;
  /** Whether the relay is replaying its journal to the cloud. */
  readonly replaying: boolean;
}

export interface ResilienceLimits {
  /** Transitions kept, newest last. */
  readonly transitions: number;
  /** How far back samples reach, in minutes (one sample per minute). */
  readonly minutes: number;
}

export const DEFAULT_RESILIENCE_LIMITS: ResilienceLimits = { transitions: 50, minutes: 360 };

const MINUTE_MS = 60_000;

/**
 * The relay's recent resilience, in memory and bounded: its uplink's connectivity transitions
 * and one sample per minute of its journal, its devices' outboxes and whether it replayed. What
 * a manager's tablet on the LAN reads while the cloud (which keeps the venue's report) is away.
 * Lost on restart, like the checkpoints it sums.
 */
export class ResilienceRecorder {
  private readonly clock: () => Date;
  private readonly limits: ResilienceLimits;
  private readonly history: { state: string; at: string }[] = [];
  /** Oldest first; each `at` is the start of its minute. */
  private readonly minutes: Sample[] = [];

  constructor(clock: () => Date, limits: ResilienceLimits = DEFAULT_RESILIENCE_LIMITS) {
    this.clock = clock;
    this.limits = limits;
  }

  /**
   * The uplink is in `state` since `at` (now when not given): a transition when the state is not
   * the last one recorded. Noting the same state again changes nothing.
   */
  noteConnectivity(state: string, at?: string): void {
    if (this.history.at(-1)?.state === state) return;
    this.history.push({ state, at: at ?? this.clock().toISOString() });
    if (this.history.length > this.limits.transitions)
      this.history.splice(0, this.history.length - this.limits.transitions);
  }

  /**
   * Folds a reading into the current minute's sample: the deepest journal and outboxes seen in
   * the minute, and replaying if it replayed at any reading of it (a chart of peaks, not of
   * whichever reading came last).
   */
  sample(reading: ResilienceReading): void {
    const minute = Math.floor(this.clock().getTime() / MINUTE_MS) * MINUTE_MS;
    const at = new Date(minute).toISOString();
    const last = this.minutes.at(-1);
    if (last?.at === at) {
      this.minutes[this.minutes.length - 1] = {
        at,
        journalDepth: Math.max(last.journalDepth, reading.journalDepth),
        outboxDepth: Math.max(last.outboxDepth, reading.outboxDepth),
        replaying: last.replaying || reading.replaying,
      };
    } else {
      this.minutes.push({ at, ...pickReading(reading) });
    }
    this.prune(minute);
  }

  /** The uplink now, since when and its transitions; undefined before any state was noted. */
  connectivity(): Connectivity | undefined {
    const last = this.history.at(-1);
    if (!last) return undefined;
    return { state: last.state, since: last.at, history: this.history.map((h) => ({ ...h })) };
  }

  /** The samples of the window that ends this minute, oldest first. */
  samples(): Sample[] {
    this.prune(Math.floor(this.clock().getTime() / MINUTE_MS) * MINUTE_MS);
    return this.minutes.map((s) => ({ ...s }));
  }

  /** Drops samples older than the window ending at `minute` (which counts as one of them). */
  private prune(minute: number): void {
    const oldest = minute - (this.limits.minutes - 1) * MINUTE_MS;
    let drop = 0;
    while (drop < this.minutes.length && Date.parse(this.minutes[drop]?.at ?? '') < oldest)
      drop += 1;
    // A clock set back could leave more than the window's worth: keep the newest.
    drop = Math.max(drop, this.minutes.length - this.limits.minutes);
    if (drop > 0) this.minutes.splice(0, drop);
  }
}

function pickReading(reading: ResilienceReading): Omit<Sample, 'at'> {
  return {
    journalDepth: reading.journalDepth,
    outboxDepth: reading.outboxDepth,
    replaying: reading.replaying,
  };
}
