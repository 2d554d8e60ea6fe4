import type { ReplayReport } from './replayer.ts';

/** Why a replay was asked for (for logs; every reason is handled alike). */
export type ReplayReason =
  | 'start'
  | 'activate'
  | 'sync'
  | 'message'
  | 'online'
  | 'queued'
  | 'timer';

export interface TriggerDeps {
  readonly replay: () => Promise<ReplayReport>;
  readonly now: () => number;
  readonly setTimer: (run: () => void, ms: number) => void;
  /** The longest a wake-up timer may be set for (the worker may be stopped before anyway). */
  readonly maxTimerMs: number;
}

/**
 * Coalesces replay triggers inside one context: while a pass runs, further triggers make one
 * more pass after it, not one each. After a pass that left ops waiting, sets a wake-up timer
 * for the earliest of them (best effort: a stopped worker's timers die with it; Background
 * Sync and the pages' timer cover that).
 */
export class ReplayTrigger {
  private readonly deps: TriggerDeps;
  private running: Promise<ReplayReport> | null = null;
  private again = false;
  private timerAt: number | null = null;

  constructor(deps: TriggerDeps) {
    this.deps = deps;
  }

  /** Starts a pass, or books one after the pass under way; resolves with the last report. */
  request(_reason: ReplayReason): Promise<ReplayReport> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async loop(): Promise<ReplayReport> {
    let report: ReplayReport;
    do {
      this.again = false;
      report = await this.deps.replay();
    } while (this.again);
    this.wakeFor(report);
    return report;
  }

  private wakeFor(report: ReplayReport): void {
    if (report.nextAttemptAt === null || report.reason === 'sign_in') return;
    const at = report.nextAttemptAt;
    if (this.timerAt !== null && this.timerAt <= at) return;
    this.timerAt = at;
    // At least a second: an op due now that was not sent (another replayer holds the lock) must
    // not spin this context.
    const delay = Math.min(this.deps.maxTimerMs, Math.max(1_000, at - this.deps.now()));
    this.deps.setTimer(() => {
      this.timerAt = null;
      void this.request('timer');
    }, delay);
  }
}
