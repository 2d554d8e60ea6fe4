import { kindForStatus } from '#protocol';
import { type Broadcast, CHANNEL } from '../shared/messages.ts';
import type { OutboxStore } from '../shared/outbox-store.ts';
import type { OutboxEntry } from '../shared/outbox-types.ts';
import { ReplayPolicy } from './outbox-policy.ts';
import { ReplayLease, withReplayLock } from './replay-lease.ts';
import { type FetchLike, sendBatch } from './send-batch.ts';

/*
 * Drains the outbox: batches of one device's ops to `POST /v1/venues/:venueId/ops/batch`,
 * answers through the policy into the store, progress on the channel. Usable from the service
 * worker and from a page alike: everything it touches comes in as a dependency.
 *
 *   lock + lease ─▶ put back what a dead replay left 'sending' ─▶ ┌ renew lease (lost → stop)
 *                                                                 │ due(now, limit) (none → done)
 *                                                                 │ mark sending, POST the batch
 *                                                                 │ policy → markResult, progress
 *                                                                 └ stop on 401/409/429/5xx/network
 *
 * Progress: `replay-progress` {sent: 0, total: depth} before the first batch of a pass,
 * {sent: settled so far, total} after each, and a last {sent: n, total: n} (n settled in this
 * pass, maybe 0) when the pass ends however it ends: sent === total means "over", and n > 0
 * that something was delivered. A pass with nothing due says nothing.
 *
 * A batch refused as a whole for its content (400, 413, 422) is not blamed on every op in it:
 * the ops go back and the next batch is half the size, down to one op, so only the op at fault
 * fails. After a good answer the size doubles back. A replay killed anywhere loses nothing and
 * doubles nothing: entries are written 'sending' before the POST and put back at the next
 * start, and the server answers a resent opId with `duplicate`.
 */

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
  /** Ops per request (the server takes up to 100). */
  readonly batchSize?: number;
  /** How long a lease lasts without renewal; longer than one request can take. */
  readonly leaseMs?: number;
  readonly requestTimeoutMs?: number;
  readonly graceMs?: number;
  /** Delivered entries older than this are pruned after a pass. */
  readonly keepDeliveredMs?: number;
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
  /** Ops still waiting (pending or sending) after the call. */
  readonly remaining: number;
  /** When the earliest waiting op may go again; null when none waits. */
  readonly nextAttemptAt: number | null;
}

/** What one batch came to: answers stored (and whether to stop), or split it smaller. */
type Step =
  | { readonly kind: 'split' }
  | { readonly kind: 'settled'; readonly settled: number; readonly stop: ReplayReport['reason'] };

const SETTLED: ReadonlySet<OutboxEntry['status']> = new Set([
  'synced',
  'delivered_local',
  'failed',
]);

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
  private readonly batchSize: number;
  private readonly requestTimeoutMs: number;
  private readonly graceMs: number;
  private readonly keepDeliveredMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly lease: ReplayLease;

  constructor(deps: ReplayerDeps) {
    this.store = deps.store;
    this.fetch = deps.fetch ?? ((request) => fetch(request));
    this.target = deps.target ?? globalThis.location.origin;
    this.now = deps.now ?? Date.now;
    this.locks = deps.locks === undefined ? (globalThis.navigator?.locks ?? null) : deps.locks;
    this.broadcast = deps.broadcast ?? channelBroadcast();
    this.policy = deps.policy ?? new ReplayPolicy();
    this.batchSize = deps.batchSize ?? 50;
    this.requestTimeoutMs = deps.requestTimeoutMs ?? 30_000;
    this.graceMs = deps.graceMs ?? 250;
    this.keepDeliveredMs = deps.keepDeliveredMs ?? 10 * 60_000;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.lease = new ReplayLease(
      deps.store.db,
      deps.holderId ?? crypto.randomUUID(),
      deps.leaseMs ?? 2 * this.requestTimeoutMs,
    );
  }

  /**
   * Sends what is due, as the only replayer, and reports what happened. Rejects only when
   * something unexpected failed (storage); the batch in flight is then put back first.
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
    if (ran === 'stolen') return this.report('lost_lease', null, 0, 0, 0);
    return ran;
  }

  private async pass(): Promise<ReplayReport> {
    await this.lease.claim(this.now());
    try {
      return await this.drain();
    } finally {
      await this.lease.release();
    }
  }

  private async drain(): Promise<ReplayReport> {
    await this.store.recoverSending();
    const total = (await this.store.counts(this.now())).depth;
    let requests = 0;
    let sent = 0;
    let settled = 0;
    let limit = this.batchSize;
    const end = (outcome: ReplayReport['outcome'], reason: ReplayReport['reason']) => {
      // The last word of a pass that said anything: sent === total says it is over.
      if (requests > 0) this.broadcast({ type: 'replay-progress', sent: settled, total: settled });
      return this.report(outcome, reason, requests, sent, settled);
    };
    for (;;) {
      if (!(await this.lease.renew(this.now()))) return end('lost_lease', null);
      const due = await this.store.due(this.now(), limit);
      if (due.length === 0) break;
      const batch = await this.store.markSending(due.map((entry) => entry.seq));
      if (batch.length === 0) break;
      if (requests === 0) this.broadcast({ type: 'replay-progress', sent: 0, total });
      let step: Step;
      try {
        step = await this.deliver(batch);
      } catch (error) {
        // Not the network (that is an outcome): storage or a bug. Put the batch back where it
        // was and rethrow, so the caller (the browser's sync) tries again later.
        await this.store.putBack(batch.map((entry) => entry.seq));
        throw error;
      }
      requests += 1;
      sent += batch.length;
      if (step.kind === 'split') {
        // Refused for its content: find the op at fault with smaller batches.
        limit = Math.max(1, Math.floor(batch.length / 2));
        continue;
      }
      settled += step.settled;
      this.broadcast({ type: 'replay-progress', sent: settled, total: Math.max(total, settled) });
      this.broadcast({ type: 'outbox-changed' });
      if (step.stop) return end('stopped', step.stop);
      limit = Math.min(this.batchSize, limit * 2);
    }
    await this.store.prune(this.now(), this.keepDeliveredMs);
    return end('drained', null);
  }

  /** Sends one batch and stores what the policy makes of the answers. */
  private async deliver(batch: readonly OutboxEntry[]): Promise<Step> {
    const [first] = batch;
    if (!first) return { kind: 'settled', settled: 0, stop: null };
    const outcomeOf = await sendBatch({
      fetch: this.fetch,
      target: this.target,
      venueId: first.op.venueId,
      deviceId: first.op.deviceId,
      ops: batch.map((entry) => entry.op),
      timeoutMs: this.requestTimeoutMs,
      now: this.now(),
    });
    const whole = outcomeOf(first.opId);
    if (
      batch.length > 1 &&
      whole.kind === 'http' &&
      kindForStatus(whole.status) === 'fix_request'
    ) {
      await this.store.putBack(batch.map((entry) => entry.seq));
      return { kind: 'split' };
    }
    const now = this.now();
    const next = batch.map((entry) => this.policy.next(entry, outcomeOf(entry.opId), now));
    await this.store.markResult(next);
    const stop = batch.map((entry) => outcomeOf(entry.opId)).find((o) => this.policy.stopsPass(o));
    const verdict = stop ? this.policy.verdict(stop) : null;
    return {
      kind: 'settled',
      settled: next.filter((entry) => SETTLED.has(entry.status)).length,
      stop:
        verdict === null
          ? null
          : verdict === 'sign_in' || verdict === 'retry_later'
            ? verdict
            : 'back_off',
    };
  }

  private async report(
    outcome: ReplayReport['outcome'],
    reason: ReplayReport['reason'],
    requests: number,
    sent: number,
    settled: number,
  ): Promise<ReplayReport> {
    const counts = await this.store.counts(this.now());
    return {
      outcome,
      reason,
      requests,
      sent,
      settled,
      remaining: counts.depth,
      nextAttemptAt: await this.store.nextAttemptAt(),
    };
  }
}
