import { actorOf } from '#protocol/auth/actor.ts';
import { kindForStatus } from '#protocol/check/problem-body.ts';
import { answerMeansRevoked } from '../device/device-revoked.ts';
import { type Broadcast, CHANNEL } from '../device/messages.ts';
import { confirmed } from '../device/outbox-confirm.ts';
import { pickBatch, sweep } from '../device/outbox-due.ts';
import type { OutboxStore } from '../device/outbox-store.ts';
import { DELIVERED_STATUSES, type OutboxEntry } from '../device/outbox-types.ts';
import { ReplayPolicy, type SendOutcome } from './outbox-policy.ts';
import { ReplayLease, withReplayLock } from './replay-lease.ts';
import { type FetchLike, sendBatch } from './send-batch.ts';

/*
 * Drains the outbox: batches of one device's ops to `POST /v1/venues/:venueId/ops/batch`,
 * answers through the policy into the store, progress on the channel. Usable from the service
 * worker and from a page alike: everything it touches comes in as a dependency.
 *
 *   lock + lease ─▶ read the queue once (an entry left 'sending' by an older replayer: pending)
 *     ┌▶ plan the next batch in memory (pickBatch) ── none ─▶ answers stored; anything queued
 *     │      or retried meanwhile? (a look at those alone) ── no ─▶ last word ─▶ fold ─▶ done
 *     │      ── yes ─▶ read the queue again
 *     │  POST the batch; once it is on the wire, store the last answers (relaxed, one record)
 *     │  policy → the entries in memory
 *     │  lease still ours? (lost → stop) · 401/409/429/5xx/network → stop
 *     └──────────────────────────────────────────────────────────────────────────────┘
 *
 * One read of the queue per pass: the batches are planned from the entries in memory, which
 * the answers update, so the ordering rules (outbox-due.ts) see exactly what they would see in
 * the store. The answers of batch k are written while batch k+1 is on the wire (one write at a
 * time), each batch's as one record of the answers log (outbox-db.ts), which every read
 * applies; the pass says it is over only once every answer is stored, and folds the log into
 * the entries after that. Nothing is written 'sending' before a POST: an entry stays `pending`
 * in the store until its answer is stored, so a replay killed anywhere leaves it pending, it
 * is sent again under its opId, and the server answers `duplicate` with the first result —
 * the same end as a 'sending' mark put back at the next start, without writing every entry
 * twice. Why the answers may be written 'relaxed': see outbox-store.ts `settle`.
 *
 * Progress: `replay-progress` {sent: 0, total: depth} before the first batch of a pass,
 * {sent: settled so far, total} as answers are stored (at most every `progressEveryMs`, with an
 * `outbox-changed`), and a last {sent: n, total: n} (n settled in this pass, maybe 0) when the
 * pass ends however it ends, after everything is stored: sent === total means "over", and
 * n > 0 that something was delivered. A pass with nothing due says nothing.
 *
 * A batch refused as a whole for its content (400, 413, 422) is not blamed on every op in it:
 * the ops stay pending and the next batch is half the size, down to one op, so only the op at
 * fault fails. After a good answer the size doubles back.
 *
 * Ops the venue relay kept (delivered_local) wait for the cloud's word, which the relay sends
 * in a live `notice` (web/hydrator/notice-sink.ts). For a notice missed while the device was
 * away, a pass that drained (the target answered, or was not asked) sends those kept for
 * `CONFIRM_AFTER_MS` once more, one batch: the relay answers a resend with its current result,
 * `duplicate` of accepted_local until the cloud settles the op (then: unchanged, asked again
 * after `CONFIRM_EVERY_MS`), of applied or rejected after (synced, or failed with the reason:
 * outbox-confirm.ts). Any other answer changes nothing but the time of the next question.
 */

/** A kept op is asked about again once this long after the relay kept it… */
export const CONFIRM_AFTER_MS = 30_000;
/** …and then at most this often. */
export const CONFIRM_EVERY_MS = 60_000;

export interface ReplayerDeps {
  readonly store: OutboxStore;
  /** Defaults to the global fetch. */
  readonly fetch?: FetchLike;
  /** The origin ops go to; defaults to this context's own origin. */
  readonly target?: string;
  /** Device clock (ms). */
  readonly now?: () => number;
  /** Defaults to navigator.locks; null to use the lease alone. */
  readonly locks?: LockManager | null;
  /** Defaults to posting on the BroadcastChannel `CHANNEL`. */
  readonly broadcast?: (message: Broadcast) => void;
  readonly policy?: ReplayPolicy;
  /** Where in its jitter range a backoff falls, in [0, 1] (default Math.random). */
  readonly random?: () => number;
  /** Ops per request: 100, the most the server takes (half the requests and writes of 50). */
  readonly batchSize?: number;
  /** How long a lease lasts without renewal; longer than one request can take. */
  readonly leaseMs?: number;
  readonly requestTimeoutMs?: number;
  readonly graceMs?: number;
  /** Delivered entries older than this are pruned after a pass. */
  readonly keepDeliveredMs?: number;
  /**
   * Least time between two progress reports within a pass (the first and the last always go):
   * each one makes the open pages read the outbox again.
   */
  readonly progressEveryMs?: number;
  readonly holderId?: string;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What one replay call did. */
export interface ReplayReport {
  /**
   * drained: nothing more is due now · stopped: the target said wait (see `reason`) ·
   * busy: another replayer is at work · lost_lease: another replayer took over mid-way
   */
  readonly outcome: 'drained' | 'stopped' | 'busy' | 'lost_lease';
  readonly reason: 'sign_in' | 'retry_later' | 'back_off' | null;
  readonly requests: number;
  /** Ops sent (an op sent twice counts twice). */
  readonly sent: number;
  /** Ops that reached synced, delivered_local or failed. */
  readonly settled: number;
  /** Ops still waiting after the call, but the held ones. */
  readonly remaining: number;
  /** Ops made by someone other than who is signed in here: they go once that person is back. */
  readonly held: number;
  /**
   * When a waiting op (not held) may go; null when none will by itself. After a drained pass,
   * only times ahead count (what is left due now waits on an op backing off, or on a person).
   */
  readonly nextAttemptAt: number | null;
}

/** What one batch came to: the entries after the answers (and whether to stop), or split it. */
type Step =
  | { readonly kind: 'split' }
  | {
      readonly kind: 'answered';
      readonly next: readonly OutboxEntry[];
      readonly stop: ReplayReport['reason'];
    };

/** When the oldest pending entry was queued (device ms); +∞ when none is. */
function oldestPending(entries: readonly OutboxEntry[]): number {
  let oldest = Number.POSITIVE_INFINITY;
  for (const entry of entries) {
    if (entry.status === 'pending' && entry.createdAt < oldest) oldest = entry.createdAt;
  }
  return oldest;
}

function channelBroadcast(): (message: Broadcast) => void {
  let channel: BroadcastChannel | null = null;
  return (message) => {
    channel ??= new BroadcastChannel(CHANNEL);
    channel.postMessage(message);
  };
}

/** The outbox's replayer. One instance per context; the lock keeps instances apart. */
export class Replayer {
  private readonly store: OutboxStore;
  private readonly fetch: FetchLike;
  private readonly target: string;
  private readonly now: () => number;
  private readonly locks: LockManager | null;
  private readonly broadcast: (message: Broadcast) => void;
  private readonly policy: ReplayPolicy;
  private readonly random: () => number;
  private readonly batchSize: number;
  private readonly requestTimeoutMs: number;
  private readonly graceMs: number;
  private readonly keepDeliveredMs: number;
  private readonly progressEveryMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly leaseMs: number;
  private readonly lease: ReplayLease;
  /** When this replayer last wrote its lease, and last saw it still held it (device ms). */
  private leaseWrittenAt = Number.NEGATIVE_INFINITY;
  private leaseSeenAt = Number.NEGATIVE_INFINITY;
  /** Set when another replayer stole the Web Lock: the pass in the background stops. */
  private lockLost = false;

  constructor(deps: ReplayerDeps) {
    this.store = deps.store;
    this.fetch = deps.fetch ?? ((request) => fetch(request));
    this.target = deps.target ?? globalThis.location.origin;
    this.now = deps.now ?? Date.now;
    this.locks = deps.locks === undefined ? (globalThis.navigator?.locks ?? null) : deps.locks;
    this.broadcast = deps.broadcast ?? channelBroadcast();
    this.policy = deps.policy ?? new ReplayPolicy();
    this.random = deps.random ?? Math.random;
    this.batchSize = deps.batchSize ?? 100;
    this.requestTimeoutMs = deps.requestTimeoutMs ?? 30_000;
    this.graceMs = deps.graceMs ?? 250;
    this.keepDeliveredMs = deps.keepDeliveredMs ?? 10 * 60_000;
    this.progressEveryMs = deps.progressEveryMs ?? 100;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.leaseMs = deps.leaseMs ?? 2 * this.requestTimeoutMs;
    this.lease = new ReplayLease(deps.store.db, deps.holderId ?? crypto.randomUUID(), this.leaseMs);
  }

  /**
   * Sends what is due, as the only replayer, and reports what happened. Rejects only when
   * something unexpected failed (storage); what was in flight then stays pending.
   */
  async replay(): Promise<ReplayReport> {
    const ran = await withReplayLock(
      {
        db: this.store.db,
        locks: this.locks,
        now: this.now,
        sleep: this.sleep,
        graceMs: this.graceMs,
      },
      () => this.pass(),
    );
    if (ran === 'busy') return this.report('busy', null, 0, 0, 0);
    if (ran === 'stolen') {
      this.lockLost = true;
      return this.report('lost_lease', null, 0, 0, 0);
    }
    return ran;
  }

  private async pass(): Promise<ReplayReport> {
    // The lease, who is signed in and the queue, asked for at once: this context holds the Web
    // Lock, so nothing else replays meanwhile, and the three round trips overlap.
    const readAt = this.now();
    const claimed = this.lease.claim(readAt);
    const start = Promise.all([this.heldOps(), this.store.queued(readAt)]);
    try {
      await claimed;
    } catch (error) {
      await start.catch(() => undefined);
      throw error;
    }
    this.leaseWrittenAt = readAt;
    this.leaseSeenAt = readAt;
    try {
      const [held, entries] = await start;
      return await this.drain(held, entries, readAt);
    } finally {
      await this.lease.release();
    }
  }

  /**
   * True while the replay is still this replayer's; checked before every batch after the first.
   * With Web Locks, another replayer takes over only by stealing the lock, which this one hears
   * at once (`lockLost`): no storage is touched then, except to renew the lease once a quarter
   * of it has gone by (a read before every batch would wait behind the answers' writes).
   * Without Web Locks the lease alone tells, so it is read every time.
   * The lease stays live (at least three quarters of `leaseMs` ahead before each send) for the
   * contexts that judge whether this one is alive.
   */
  private async keepLease(): Promise<boolean> {
    if (this.lockLost) return false;
    const now = this.now();
    const renew = now - this.leaseWrittenAt >= this.leaseMs / 4;
    let held = true;
    if (renew) held = await this.lease.renew(now);
    else if (!this.locks)
      held = (await ReplayLease.read(this.store.db))?.holder === this.lease.holder;
    if (held) this.leaseSeenAt = now;
    if (held && renew) this.leaseWrittenAt = now;
    return held;
  }

  /**
   * True unless the lease may have been taken since it was last seen held. Answers are stored
   * without reading the entries first, which is right only for the lease holder: nothing else
   * changes a pending entry (add, retry and discard touch new or failed ones; prune delivered
   * ones). Another replayer can take over only after this one's lease expired, that is after
   * three quarters of `leaseMs` without a check (a frozen tab): then it is read again first.
   */
  private async mayStore(): Promise<boolean> {
    return this.now() - this.leaseSeenAt < this.leaseMs / 4 || this.keepLease();
  }

  /**
   * `queue` is the queue as read at `readAt`, in seq order: what is waiting or failed
   * (delivered entries hold nothing up, outbox-due.ts rule 5). Answers replace entries in it
   * as they come.
   */
  private async drain(
    held: (entry: OutboxEntry) => boolean,
    queue: readonly OutboxEntry[],
    readAt: number,
  ): Promise<ReplayReport> {
    let entries = queue;
    // The read failed what became undeliverable (an op retried while what it depends on is
    // still failed): say so, or a page that asked for the retry would wait for a word.
    if (entries.some((e) => e.status === 'failed' && e.settledAt === readAt))
      this.broadcast({ type: 'outbox-changed' });
    let lastSeq = entries.at(-1)?.seq ?? 0;
    let oldest = oldestPending(entries);
    const total = entries.filter((e) => e.status === 'pending' && !held(e)).length;
    let requests = 0;
    let sent = 0;
    let settled = 0;
    let stored = 0;
    let limit = this.batchSize;
    let saidAt = Number.NEGATIVE_INFINITY;
    /** A progress word; each one also tells the pages to read the outbox again. */
    const say = (sent: number, of: number) => {
      this.broadcast({ type: 'replay-progress', sent, total: of });
      this.broadcast({ type: 'outbox-changed' });
    };
    // Answers are stored in the background, one write at a time: what comes in while a write
    // is under way goes in the next one (a later answer for an entry replaces an earlier one),
    // so when the store is slower than the target the writes grow instead of queueing up.
    const w: {
      waiting: Map<number, OutboxEntry>;
      settled: number;
      running: Promise<void> | null;
      failed?: { error: unknown };
    } = { waiting: new Map(), settled: 0, running: null };
    const run = async () => {
      try {
        while (w.waiting.size > 0) {
          const next = [...w.waiting.values()];
          const settledHere = w.settled;
          w.waiting = new Map();
          w.settled = 0;
          if (!(await this.mayStore())) {
            // Another replayer took over: it sends these again (duplicates); this pass stops
            // at its next lease check.
            w.waiting.clear();
            return;
          }
          await this.store.settle(next);
          stored += settledHere;
          const now = this.now();
          if (now - saidAt >= this.progressEveryMs) {
            saidAt = now;
            say(stored, Math.max(total, stored));
          }
        }
      } catch (error) {
        w.failed = { error };
      } finally {
        w.running = null;
      }
    };
    const keep = (next: readonly OutboxEntry[], settledHere: number) => {
      for (const entry of next) w.waiting.set(entry.seq, entry);
      w.settled += settledHere;
    };
    /** Starts storing what waits, unless a write is under way (it takes the rest after). */
    const flush = () => {
      if (!w.running && !w.failed && w.waiting.size > 0) w.running = run();
    };
    /** Throws what a write threw, so the pass sends nothing more. */
    const check = () => {
      if (w.failed) throw w.failed.error;
    };
    /** Resolves once every answer is stored. */
    const allStored = async () => {
      flush();
      while (w.running) await w.running;
      check();
    };
    const end = async (outcome: ReplayReport['outcome'], reason: ReplayReport['reason']) => {
      await allStored();
      // The last word of a pass that said anything: sent === total says it is over; n counts
      // the answers stored (all of them, unless the lease was lost meanwhile).
      if (requests > 0) {
        say(stored, stored);
        // The answers are stored (in the answers log) and read right: folding them into the
        // entries only makes later reads cheaper, so it comes after the word.
        await this.store.fold();
      }
      if (outcome === 'drained') {
        await this.confirm(held);
        await this.store.prune(this.now(), this.keepDeliveredMs);
      }
      return this.report(outcome, reason, requests, sent, settled);
    };
    try {
      for (let looked = false; ; ) {
        const batch = pickBatch(entries, this.now(), limit, held);
        if (batch.length === 0) {
          if (looked || requests === 0) break;
          // The plan has run out: with every answer stored, look for ops queued (or retried)
          // while this pass was at work, reading only those; the queue again only if any are.
          await allStored();
          looked = true;
          const failed = entries.filter((e) => e.status === 'failed').map((e) => e.seq);
          if ((await this.store.queuedSince(lastSeq, failed)).length === 0) break;
          entries = await this.store.queued(this.now());
          lastSeq = entries.at(-1)?.seq ?? lastSeq;
          oldest = oldestPending(entries);
          continue;
        }
        looked = false;
        if (requests > 0 && !(await this.keepLease())) return await end('lost_lease', null);
        if (requests === 0) this.broadcast({ type: 'replay-progress', sent: 0, total });
        check();
        const step = await this.deliver(batch, flush);
        requests += 1;
        sent += batch.length;
        if (step.kind === 'split') {
          // Refused for its content: find the op at fault with smaller batches.
          limit = Math.max(1, Math.floor(batch.length / 2));
          continue;
        }
        const now = this.now();
        const answered = new Map(step.next.map((entry) => [entry.seq, entry]));
        entries = entries.map((entry) => answered.get(entry.seq) ?? entry);
        // A failure here fails the ops that depend on it (DEPENDENCY_FAILED), as the store's
        // read would: stored with the answers. Only a new failure, or an op growing too old
        // while the pass runs, can give `sweep` anything to do.
        const swept =
          step.next.some((entry) => entry.status === 'failed') || now - oldest > this.store.maxAgeMs
            ? sweep(entries, now, this.store.maxAgeMs)
            : [];
        const changed = new Map(swept.map((entry) => [entry.seq, entry]));
        entries = entries
          .map((entry) => changed.get(entry.seq) ?? entry)
          .filter((entry) => !DELIVERED_STATUSES.includes(entry.status));
        const settledHere = step.next.filter((entry) => entry.status !== 'pending').length;
        settled += settledHere;
        keep([...step.next, ...swept], settledHere);
        if (step.stop) return await end('stopped', step.stop);
        limit = Math.min(this.batchSize, limit * 2);
      }
      return await end('drained', null);
    } catch (error) {
      // Not the network (that is an outcome): storage or a bug. What was in flight is still
      // pending in the store; let the last write finish, then rethrow, so the caller (the
      // browser's sync) tries again later.
      await allStored().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Sends the ops the relay kept (delivered_local) again, as one batch, to learn the cloud's
   * word on them (see the top of this file); stores what the answers settle, and when each may
   * be asked about next.
   */
  private async confirm(held: (entry: OutboxEntry) => boolean): Promise<void> {
    // The browser knows it has no network: no question now (a pass with no send proved none).
    if (globalThis.navigator?.onLine === false) return;
    const now = this.now();
    const kept = (await this.store.db.readOps((ops) => ops.withStatus('delivered_local'))).filter(
      (e) => e.nextAttemptAt <= now && (e.settledAt ?? 0) <= now - CONFIRM_AFTER_MS && !held(e),
    );
    const [first] = kept;
    if (!first) return;
    const batch = kept
      .filter((e) => e.op.venueId === first.op.venueId && e.op.deviceId === first.op.deviceId)
      .slice(0, this.batchSize);
    const outcomeOf = await sendBatch({
      fetch: this.fetch,
      target: this.target,
      venueId: first.op.venueId,
      deviceId: first.op.deviceId,
      ops: batch.map((entry) => entry.op),
      timeoutMs: this.requestTimeoutMs,
      now,
    });
    this.heard(outcomeOf(first.opId));
    const next = batch.map((entry) => {
      const outcome = outcomeOf(entry.opId);
      return (
        (outcome.kind === 'result' && confirmed(entry, outcome.result, now)) || {
          ...entry,
          nextAttemptAt: now + CONFIRM_EVERY_MS,
        }
      );
    });
    if (!(await this.mayStore())) return;
    await this.store.settle(next);
    await this.store.fold();
    if (next.some((entry) => entry.status !== 'delivered_local'))
      this.broadcast({ type: 'outbox-changed' });
  }

  /** Sends one batch and says what the policy makes of the answers (nothing is stored here). */
  private async deliver(pending: readonly OutboxEntry[], sent: () => void): Promise<Step> {
    const batch = pending.map((entry): OutboxEntry => ({ ...entry, status: 'sending' }));
    const [first] = batch;
    if (!first) return { kind: 'answered', next: [], stop: null };
    const answer = sendBatch({
      fetch: this.fetch,
      target: this.target,
      venueId: first.op.venueId,
      deviceId: first.op.deviceId,
      ops: batch.map((entry) => entry.op),
      timeoutMs: this.requestTimeoutMs,
      now: this.now(),
    });
    // The request is on its way (sendBatch runs up to the fetch at once): the previous batch's
    // answers are written now, not before it (writing first would delay each send).
    sent();
    const outcomeOf = await answer;
    const whole = outcomeOf(first.opId);
    this.heard(whole);
    if (
      batch.length > 1 &&
      whole.kind === 'http' &&
      kindForStatus(whole.status) === 'fix_request'
    ) {
      return { kind: 'split' };
    }
    const now = this.now();
    // One draw per batch: its ops back off together, so they go again as one batch.
    const random = this.random();
    const next = batch.map((entry) => this.policy.next(entry, outcomeOf(entry.opId), now, random));
    const stop = batch.map((entry) => outcomeOf(entry.opId)).find((o) => this.policy.stopsPass(o));
    const verdict = stop ? this.policy.verdict(stop) : null;
    return {
      kind: 'answered',
      next,
      stop:
        verdict === null
          ? null
          : verdict === 'sign_in' || verdict === 'retry_later'
            ? verdict
            : 'back_off',
    };
  }

  /**
   * A batch answered 401 `DEVICE_REVOKED`: a manager revoked this device, and the pages sign
   * their person out. The ops wait (SIGN_IN) for a sign-in on the device once paired again.
   */
  private heard(outcome: SendOutcome): void {
    if (outcome.kind === 'http' && answerMeansRevoked(outcome.status, outcome.code))
      this.broadcast({ type: 'device-revoked' });
  }

  private async report(
    outcome: ReplayReport['outcome'],
    reason: ReplayReport['reason'],
    requests: number,
    sent: number,
    settled: number,
  ): Promise<ReplayReport> {
    // After a drained pass an op due now was left because it waits on another (see waiting);
    // after any other end, it may simply not have had its turn: it says "now".
    const waiting = await this.store.waiting(
      await this.heldOps(),
      outcome === 'drained' ? this.now() : undefined,
    );
    return {
      outcome,
      reason,
      requests,
      sent,
      settled,
      remaining: waiting.depth,
      held: waiting.held,
      nextAttemptAt: waiting.nextAttemptAt,
    };
  }

  /**
   * Which ops wait for their person: those made by someone other than who the pages last said
   * is signed in here. The target refuses an op whose actorId is not its token's (FORBIDDEN, for
   * good), so on a shared tablet the previous waiter's queued ops would be lost to the next
   * one's session; they wait instead, with the ops related to them, until that person signs
   * in on this device again (the `session` message starts a replay). None is held while the
   * pages have said nothing.
   */
  private async heldOps(): Promise<(entry: OutboxEntry) => boolean> {
    const principal = (await this.store.db.readMeta('device'))?.principal;
    const actor = principal ? actorOf(principal) : null;
    return (entry) => actor !== null && entry.op.actorId !== actor;
  }
}
