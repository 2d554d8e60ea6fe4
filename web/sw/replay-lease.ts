import type { LeaseRecord, OutboxDb } from '../device/outbox-db.ts';

/*
 * One replayer at a time, across tabs and the service worker.
 *
 *   Web Lock 'hearth-outbox-replay' (ifAvailable) ──granted──▶ claim the lease ─▶ replay
 *        │ held elsewhere
 *        ▼
 *   lease live? ──yes──▶ busy (the holder is working)
 *        │ no (expired, or missing twice, `graceMs` apart)
 *        ▼
 *   request the lock with steal: true ─▶ claim the lease ─▶ replay
 *
 * The Web Lock is released when its holder's context dies, but not when a tab is frozen: a
 * frozen tab keeps it and stops renewing its lease, which is how it is told from a live one.
 * A stolen-from holder that wakes up finds another name on the lease at its next renewal and
 * stops (its in-flight batch is harmless: opIds are idempotency keys).
 */

export const REPLAY_LOCK = 'hearth-outbox-replay';

/**
 * The lease record in the outbox's meta store, for one holder. Its writes are 'relaxed': the
 * lease only tells other contexts whether the Web Lock's holder is alive, so one lost in a crash
 * at worst makes a replayer wait for it to expire (it keeps nothing apart by itself when locks
 * exist), and a strict write cost the first send of every pass an fsync.
 */
export class ReplayLease {
  readonly holder: string;
  private readonly db: OutboxDb;
  private readonly ttlMs: number;

  constructor(db: OutboxDb, holder: string, ttlMs: number) {
    this.db = db;
    this.holder = holder;
    this.ttlMs = ttlMs;
  }

  /** Takes the lease whoever held it: only for the holder of the Web Lock. */
  async claim(now: number): Promise<void> {
    await this.db.updateMeta('lease', () => this.record(now + this.ttlMs), 'relaxed');
  }

  /** Extends the lease; false when another holder has taken it (stop working). */
  async renew(now: number): Promise<boolean> {
    const after = await this.db.updateMeta(
      'lease',
      (current) => (current?.holder === this.holder ? this.record(now + this.ttlMs) : undefined),
      'relaxed',
    );
    return after?.holder === this.holder;
  }

  /** Ends the lease if it is still ours, so the next replayer need not wait for it to expire. */
  async release(): Promise<void> {
    await this.db.updateMeta(
      'lease',
      (current) => (current?.holder === this.holder ? this.record(0) : undefined),
      'relaxed',
    );
  }

  /** The current lease, whoever holds it. */
  static read(db: OutboxDb): Promise<LeaseRecord | undefined> {
    return db.readMeta('lease');
  }

  private record(expiresAt: number): LeaseRecord {
    return { key: 'lease', holder: this.holder, expiresAt };
  }
}

export interface LockDeps {
  readonly db: OutboxDb;
  /** navigator.locks where it exists; null to rely on the lease alone. */
  readonly locks: LockManager | null;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** How long to wait before judging a lock holder that has not written its lease yet. */
  readonly graceMs: number;
}

/** Why `withReplayLock` did not run (or finish) the work. */
export type NotRun = 'busy' | 'stolen';

function isLive(lease: LeaseRecord | undefined, now: number): boolean {
  return lease !== undefined && lease.expiresAt > now;
}

/** True when the lock's holder shows no sign of life: no live lease, twice, `graceMs` apart. */
async function holderLooksDead(deps: LockDeps): Promise<boolean> {
  const first = await ReplayLease.read(deps.db);
  if (isLive(first, deps.now())) return false;
  // A holder that has just been granted the lock writes its lease within milliseconds.
  await deps.sleep(deps.graceMs);
  return !isLive(await ReplayLease.read(deps.db), deps.now());
}

/**
 * Runs `work` as the only replayer, or reports why not: 'busy' (another live replayer) or
 * 'stolen' (this one froze and another took over; `work` stops at its next lease renewal).
 */
export async function withReplayLock<T>(
  deps: LockDeps,
  work: () => Promise<T>,
): Promise<T | NotRun> {
  const { locks } = deps;
  if (!locks) {
    // No Web Locks (an old browser): the lease alone keeps replayers apart, less tightly.
    return isLive(await ReplayLease.read(deps.db), deps.now()) ? 'busy' : work();
  }
  // The work's own failure travels as a value, so a rejected lock request can only mean one
  // thing: the lock was stolen from us (AbortError).
  type Ran =
    | { readonly ok: true; readonly value: T }
    | { readonly ok: false; readonly error: unknown };
  const run = (): Promise<Ran> =>
    work().then(
      (value) => ({ ok: true, value }),
      (error: unknown) => ({ ok: false, error }),
    );
  let ran: Ran | null;
  try {
    ran = await locks.request(REPLAY_LOCK, { ifAvailable: true }, (lock) => (lock ? run() : null));
    if (ran === null) {
      if (!(await holderLooksDead(deps))) return 'busy';
      ran = await locks.request(REPLAY_LOCK, { steal: true }, run);
    }
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') return 'stolen';
    throw error;
  }
  if (!ran.ok) throw ran.error;
  return ran.value;
}
