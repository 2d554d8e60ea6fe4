import type { Operation, Principal } from '#protocol';
import { type OpsReader, OutboxDb } from './outbox-db.ts';
import { sweep } from './outbox-due.ts';
import {
  DEFAULT_MAX_AGE_MS,
  DEFAULT_OUTBOX_CAP,
  DELIVERED_STATUSES,
  laneOf,
  type OutboxEntry,
  OutboxError,
  QUEUED_STATUSES,
} from './outbox-types.ts';

export interface OutboxStoreOptions {
  /** Database name; tests use their own. */
  readonly name?: string;
  /** Undelivered ops (pending, sending, failed) the queue holds before refusing more. */
  readonly cap?: number;
  /** Pending ops older than this fail as TOO_OLD (keep it under the cloud's 7-day key retention). */
  readonly maxAgeMs?: number;
}

/** How long an op the relay kept (delivered_local) waits in the outbox for the cloud's word. */
export const KEEP_LOCAL_MS = 24 * 60 * 60_000;

/** What `add` did: queued the op, or found it already queued (the page sent it twice). */
export interface Added {
  readonly entry: OutboxEntry;
  readonly created: boolean;
}

/**
 * The outbox's queue operations over its database. The service worker writes through it;
 * pages may read it (`list`, `get`, `counts`) and ask for `retry`/`discard`.
 *
 * @example
 * const outbox = await OutboxStore.open();
 * const { entry } = await outbox.add(op, Date.now());
 * const view = await outbox.list(); // every op with its status, for the local view
 */
export class OutboxStore {
  readonly db: OutboxDb;
  readonly cap: number;
  readonly maxAgeMs: number;

  constructor(db: OutboxDb, options: OutboxStoreOptions = {}) {
    this.db = db;
    this.cap = options.cap ?? DEFAULT_OUTBOX_CAP;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  }

  static async open(options: OutboxStoreOptions = {}): Promise<OutboxStore> {
    return new OutboxStore(await OutboxDb.open(options.name), options);
  }

  /**
   * Queues an op (strictly durable). The same opId with the same payload is found, not added
   * again; with another payload it is refused (OPID_REUSED). Refuses with OUTBOX_FULL when
   * `cap` undelivered ops are queued.
   */
  add(op: Operation, now: number): Promise<Added> {
    return this.db.writeOps(async (ops) => {
      const known = await ops.byOpId(op.opId);
      if (known) {
        if (known.op.payloadHash === op.payloadHash) return { entry: known, created: false };
        throw new OutboxError('OPID_REUSED', `op ${op.opId} is queued with another payload`);
      }
      const queued = await ops.countWithStatus(QUEUED_STATUSES);
      if (queued >= this.cap) {
        throw new OutboxError(
          'OUTBOX_FULL',
          `${queued} operations wait to be sent; connect to sync before adding more`,
        );
      }
      const entry = await ops.insert({
        opId: op.opId,
        op,
        lane: laneOf(op.type, op.payload),
        status: 'pending',
        tries: 0,
        nextAttemptAt: now,
        lastError: null,
        result: null,
        createdAt: now,
        settledAt: null,
      });
      return { entry, created: true };
    });
  }

  /** Every entry, in FIFO (seq) order: the local view shows pending and failed ops from here. */
  list(): Promise<OutboxEntry[]> {
    return this.db.readOps((ops) => ops.all());
  }

  get(opId: string): Promise<OutboxEntry | undefined> {
    return this.db.readOps((ops) => ops.byOpId(opId));
  }

  /**
   * Every entry still in the queue (pending, failed), in seq order, after failing in the same
   * transaction what has become undeliverable (TOO_OLD, DEPENDENCY_FAILED). A replay pass
   * reads this once and plans its batches from it in memory (`pickBatch`), instead of reading
   * the queue again for every batch. Only the replay lock's holder calls it.
   *
   * An entry stored `sending` comes back `pending`: that is what a replayer of an earlier
   * version wrote before each POST (this one never does), and a caller holding the lock knows
   * that replay is dead. Perhaps it was delivered: it goes again under its opId, and the
   * server answers `duplicate` with the first result.
   */
  async queued(now: number): Promise<OutboxEntry[]> {
    // Read-only first: it runs beside the pages' reads of the outbox instead of after them, and
    // almost always finds nothing to fail. Only then is it done again as one write.
    const read = await this.db.readOps(queueOf);
    if (sweep(read, now, this.maxAgeMs).length === 0) return read;
    return this.db.writeOps(async (ops) => {
      const entries = await queueOf(ops);
      const changed = sweep(entries, now, this.maxAgeMs);
      await Promise.all(changed.map((entry) => ops.put(entry)));
      const settled = new Map(changed.map((entry) => [entry.seq, entry]));
      return entries.map((entry) => settled.get(entry.seq) ?? entry);
    });
  }

  /**
   * Stores a replay's answers (what the policy made of them, and what `sweep` failed because
   * of them) as they are, without reading the entries first, durably 'relaxed': committed when
   * the browser has them, flushed to disk by the OS in its own time. Only the holder of the
   * replay lease may call it (see replayer.ts `mayStore`): nothing else changes an entry that
   * is waiting to be sent.
   *
   * Why losing these writes (an OS crash or a power cut before the flush) loses and doubles
   * nothing — the entry is then still `pending` as it was before its send:
   * - a lost `synced` / `delivered_local`: the op is sent again under the same opId, the
   *   server answers `duplicate` with the first result, and the policy settles it the same way;
   * - a lost `failed` for a rejection: sent again, the server answers `duplicate` of the
   *   rejection, and the policy fails it with the same code and message; a lost `failed` for a
   *   whole-batch 4xx meets the same 4xx again; a lost DEPENDENCY_FAILED is swept again from
   *   the failed dependency;
   * - a lost backoff (`pending`, tries + 1): at worst one try more than `maxTries`, and a
   *   retry sooner than the backoff asked.
   * The server applies each opId once whatever the device resends: that is the guarantee, and
   * nothing here depends on a mark having reached the disk. `add` stays strict: an op the
   * page was told is saved must survive a power cut.
   */
  settle(next: readonly OutboxEntry[]): Promise<void> {
    // What an answer changes: all but the op and when it was queued.
    return this.db.appendAnswers(next.map(({ opId, op, lane, createdAt, ...patch }) => patch));
  }

  /**
   * Folds the answers `settle` logged into the entries (outbox-db.ts): what a replay does after
   * a pass, once its last word is said. Reads are right before and after; this only makes the
   * next ones cheaper. Resolves to how many entries it rewrote.
   */
  fold(): Promise<number> {
    return this.db.writeOps((ops) => ops.fold(), 'relaxed');
  }

  /**
   * What is queued now that a pass reading the queue at `seq` (its last entry's) did not plan:
   * entries queued after it, and those of `watched` (the pass's failed ones) put back
   * pending by a retry. Empty means the pass's plan is still the whole queue.
   */
  queuedSince(seq: number, watched: readonly number[]): Promise<OutboxEntry[]> {
    return this.db.readOps(async (ops) => {
      const [later, ...back] = await Promise.all([
        ops.after(seq),
        ...watched.map((s) => ops.bySeq(s)),
      ]);
      // Nothing writes 'sending' any more (see `queued`): what is new to send is pending.
      return [...(later ?? []), ...back].filter((e) => e?.status === 'pending') as OutboxEntry[];
    });
  }

  /**
   * Sends a failed op again (same opId), and with it the ops that failed only because they
   * depend on it. A rejection is final and a TOO_OLD op may already be applied: NOT_RETRYABLE.
   */
  retry(opId: string, now: number): Promise<OutboxEntry> {
    return this.db.writeOps(async (ops) => {
      const entry = failedEntry(await ops.byOpId(opId), opId);
      if (isFinal(entry)) {
        throw new OutboxError(
          'NOT_RETRYABLE',
          `op ${opId} failed for good (${entry.lastError?.code})`,
        );
      }
      const revived = new Set([opId]);
      const reset = (e: OutboxEntry): OutboxEntry => ({
        ...e,
        status: 'pending',
        tries: 0,
        nextAttemptAt: now,
        lastError: null,
        result: null,
        settledAt: null,
      });
      const back = reset(entry);
      await ops.put(back);
      for (const other of await ops.withStatus('failed')) {
        const waitedOnRevived =
          other.lastError?.code === 'DEPENDENCY_FAILED' &&
          other.op.dependsOn.some((dependency) => revived.has(dependency));
        if (!waitedOnRevived) continue;
        revived.add(other.opId);
        await ops.put(reset(other));
      }
      return back;
    });
  }

  /** Removes a failed op for good (the person chose to drop it). */
  discard(opId: string): Promise<OutboxEntry> {
    return this.db.writeOps(async (ops) => {
      const entry = failedEntry(await ops.byOpId(opId), opId);
      await ops.remove(entry.seq);
      return entry;
    });
  }

  /**
   * How many ops wait (pending, or left sending) and when the earliest may go: what a replay
   * reports at its end. The `held` ones (see replayer.ts) are counted apart. With `after` (a
   * pass that sent all it could), only times ahead of it count: an op due then that the pass
   * left waits on another, which is backing off or held, and goes when that one does.
   */
  waiting(
    held: (entry: OutboxEntry) => boolean = () => false,
    after = Number.NEGATIVE_INFINITY,
  ): Promise<{ depth: number; held: number; nextAttemptAt: number | null }> {
    return this.db.readOps(async (ops) => {
      const waiting = (await ops.withStatus('pending')).concat(await ops.withStatus('sending'));
      const free = waiting.filter((entry) => !held(entry));
      const ahead = free.map((e) => e.nextAttemptAt).filter((at) => at > after);
      return {
        depth: free.length,
        held: waiting.length - free.length,
        nextAttemptAt: ahead.length > 0 ? Math.min(...ahead) : null,
      };
    });
  }

  /**
   * Deletes synced entries settled more than `keepMs` ago, and delivered_local ones kept by the
   * relay more than `KEEP_LOCAL_MS` ago. Synced ones stay a while so a screen can show "synced"
   * until the feed brings the change; delivered_local ones until the cloud's word turns them
   * synced or failed (a notice, or a resend's answer), or a day has passed: the relay's own
   * count of what the cloud lacks (its /healthz) is the banner's word after that. Failed ones
   * stay until discarded.
   */
  prune(now: number, keepMs: number): Promise<number> {
    return this.db.writeOps(async (ops) => {
      let removed = 0;
      for (const status of DELIVERED_STATUSES) {
        const keep = status === 'synced' ? keepMs : KEEP_LOCAL_MS;
        for (const entry of await ops.withStatus(status)) {
          if (entry.settledAt !== null && now - entry.settledAt <= keep) continue;
          await ops.remove(entry.seq);
          removed += 1;
        }
      }
      return removed;
    });
  }

  /** Keeps who the pages say uses this install (from their `session` message). */
  async rememberDevice(deviceId: string, principal: Principal | null): Promise<void> {
    await this.db.updateMeta('device', () => ({ key: 'device', deviceId, principal }));
  }

  close(): void {
    this.db.close();
  }
}

/** The entry, if it is failed; otherwise the typed refusal. */
function failedEntry(entry: OutboxEntry | undefined, opId: string): OutboxEntry {
  if (!entry) throw new OutboxError('NOT_FOUND', `op ${opId} is not in the outbox`);
  if (entry.status !== 'failed') {
    throw new OutboxError('NOT_FAILED', `op ${opId} is ${entry.status}, not failed`);
  }
  return entry;
}

/** A failure that retrying cannot undo: a recorded rejection, or an op past the age limit. */
export function isFinal(entry: OutboxEntry): boolean {
  const result = entry.result;
  const rejected =
    result?.status === 'rejected' ||
    (result?.status === 'duplicate' && result.first.status === 'rejected');
  return rejected || entry.lastError?.code === 'TOO_OLD';
}

/**
 * What is still queued (pending, failed), in seq order; `sending` read as `pending`. A delivered
 * entry, like one already pruned, holds nothing up (outbox-due.ts rule 5), and reading every
 * synced op again per batch was most of a drain.
 */
async function queueOf(ops: OpsReader): Promise<OutboxEntry[]> {
  const queued = await Promise.all(QUEUED_STATUSES.map((status) => ops.withStatus(status)));
  return queued
    .flat()
    .map(
      (entry): OutboxEntry => ({
        ...entry,
        status: entry.status === 'failed' ? 'failed' : 'pending',
      }),
    )
    .sort((a, b) => a.seq - b.seq);
}
