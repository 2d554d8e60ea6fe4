import {
  backoffDelay,
  getEntity,
  type OpResult,
  type Principal,
  type TokenSigner,
} from '#protocol';
import type { Logger } from '../../server/logger.ts';
import type { JournalRecord, RelayStore } from '../store/relay-store.ts';
import type { VenueEngine } from '../sync/venue-engine.ts';
import { type CloudReplay, UplinkError } from './cloud-client.ts';
import {
  dishesReadBy,
  NO_RELATED,
  neededBy,
  overlaps,
  type RelatedIds,
  replayLanes,
  touchedBy,
} from './replay-order.ts';
import { type Sleeper, Waker } from './sleep.ts';

export interface ReconcilerDeps {
  readonly store: RelayStore;
  readonly engine: VenueEngine;
  readonly signer: TokenSigner;
  readonly clock: () => Date;
  readonly log: Logger;
  /** The link to replay over now (primary, or the rescue link while it is open). */
  readonly client: () => CloudReplay;
  /** True while the feed is followed, so applied ops can wait for their entries before settling. */
  readonly feedActive: () => boolean;
  /** May this many bytes go over the current link? (The rescue link has a budget.) */
  readonly mayReplay: (bytes: number) => boolean;
  readonly onNetworkError: (detail: string) => void;
  readonly onDrained: () => void;
  readonly maxBatchOps?: number;
  /** Waits (default: the waker's); a simulation passes its own. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Milliseconds now (default Date.now); a simulation passes its own. */
  readonly now?: () => number;
  /** The loop's sleeps, which `setActive` and `stop` cut short (default: a timer, `Waker`). */
  readonly waker?: Sleeper;
  /** Places each backoff within its jitter range, in [0, 1] (default Math.random). */
  readonly random?: () => number;
}

/**
 * The replay's backoff after failed batches: from 500 ms to 15 s. Ops journaled here already
 * show on the venue's screens, so a retry need not come sooner; the probe loop notices an
 * uplink that is down meanwhile.
 */
export const REPLAY_BACKOFF_BASE_MS = 500;
export const REPLAY_BACKOFF_MAX_MS = 15_000;

/** The seq the cloud applied an op at (its first answer's, for a duplicate); else undefined. */
function appliedSeq(verdict: OpResult): number | undefined {
  const final = verdict.status === 'duplicate' ? verdict.first : verdict;
  return final.status === 'applied' ? final.seq : undefined;
}

/** Answers that hold back one device's ops (its own order), never the other devices'. */
const DEVICE_WAITS = new Set(['IN_FLIGHT', 'DEPENDENCY_PENDING', 'NOT_PROCESSED']);

const samePrincipal = (a: Principal, b: Principal): boolean =>
  JSON.stringify(a) === JSON.stringify(b);

/**
 * The next batch-lane request: the first journal record whose device may go (not `waiting`), and
 * that device's later records too — stepping over other records only while the op that would
 * overtake needs nothing a stepped-over op is about (an entity, its opId, a ticket it made), so
 * no op ever overtakes one it could depend on; an op a stepped-over one depends on may go first.
 * A device one of whose records was stepped over waits behind it: per-device order is kept.
 * Without this, a journal two tablets wrote at once would replay one op per request, and one
 * device's op the cloud cannot decide yet would hold back every other device.
 */
export function nextBatch(
  records: readonly JournalRecord[],
  max: number,
  waiting: ReadonlySet<string> = new Set(),
  related: RelatedIds = NO_RELATED,
): JournalRecord[] {
  const batch: JournalRecord[] = [];
  /** What the records stepped over are about: a later op that needs any of it must wait. */
  const skipped = new Set<string>();
  /** The dishes their lines read: a later op that changes one must wait. */
  const skippedReads = new Set<string>();
  const passed = new Set<string>(waiting);
  let first: JournalRecord | undefined;
  const stepOver = (record: JournalRecord) => {
    passed.add(record.deviceId);
    for (const id of touchedBy(record, related)) skipped.add(id);
    for (const id of dishesReadBy(record)) skippedReads.add(id);
  };
  for (const record of records) {
    if (batch.length >= max) break;
    const blocked =
      (skipped.size > 0 && overlaps(neededBy(record, related), skipped)) ||
      (skippedReads.size > 0 && overlaps(touchedBy(record, related), skippedReads));
    if (!first) {
      if (passed.has(record.deviceId) || blocked) {
        stepOver(record);
        continue;
      }
      first = record;
      batch.push(record);
      continue;
    }
    const mine =
      record.deviceId === first.deviceId && samePrincipal(record.principal, first.principal);
    if (!mine) {
      if (record.deviceId === first.deviceId) break;
      stepOver(record);
      continue;
    }
    if (blocked) break;
    batch.push(record);
  }
  return batch;
}

/**
 * The next batch to replay: from the payment lane (see {@link replayLanes}) while one of its ops
 * can go; otherwise (the lane empty, or each of its devices waiting at the cloud) from the whole
 * journal in replay order, where a waiting lane op holds back what needs it.
 */
export function nextReplayBatch(
  records: readonly JournalRecord[],
  max: number,
  waiting: ReadonlySet<string> = new Set(),
  related: RelatedIds = NO_RELATED,
): JournalRecord[] {
  const { lane, rest } = replayLanes(records, related);
  if (lane.length === 0) return nextBatch(rest, max, waiting, related);
  const fromLane = nextBatch(lane, max, waiting, related);
  return fromLane.length > 0 ? fromLane : nextBatch([...lane, ...rest], max, waiting, related);
}

/**
 * Replays the journal to the cloud, payment ops first (each with what it needs), then in journal
 * order, through the batch lane with the original opIds and the time the relay decided each,
 * each batch under a token for the person who made the ops (signed with the relay's enrolled
 * key, which the cloud accepts for this venue). The cloud's verdicts settle the ops; applied
 * ones wait until their feed entries have arrived, so no screen flickers back.
 */
export class Reconciler {
  private active = false;
  private running = false;
  private readonly waker: Sleeper;
  private readonly deps: ReconcilerDeps;
  /** Ops the cloud applied past the feed's position, waiting for the feed to bring their entries. */
  private readonly awaitingFeed = new Map<string, OpResult>();
  /** Failed batches in a row: the backoff's attempt number. */
  private failures = 0;
  /** Devices whose first op the cloud could not decide yet, until when (ms). */
  private readonly waitingUntil = new Map<string, number>();
  /** The loop under way, so `stop` can tell when it has ended. */
  private loopDone: Promise<void> = Promise.resolve();

  constructor(deps: ReconcilerDeps) {
    this.deps = deps;
    this.waker = deps.waker ?? new Waker();
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private sleep(ms: number): Promise<void> {
    // A stopped loop does not sleep: `stop` has woken the sleep under way, and waits for the end.
    if (!this.running) return Promise.resolve();
    return this.deps.sleep ? this.deps.sleep(ms) : this.waker.sleep(ms);
  }

  /** Devices that wait now; those whose wait is over are forgotten. */
  private waitingDevices(): Set<string> {
    const now = this.now();
    for (const [deviceId, until] of this.waitingUntil)
      if (until <= now) this.waitingUntil.delete(deviceId);
    return new Set(this.waitingUntil.keys());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Ends the loop: a sleep at once, a batch under way once answered. Resolves when it has. */
  stop(): Promise<void> {
    this.running = false;
    this.waker.wake();
    return this.loopDone;
  }

  /** Replay on (start_replay) or off (stop_replay). */
  setActive(active: boolean): void {
    this.active = active;
    this.waker.wake();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (!this.active) {
        await this.waker.sleep(1000);
        continue;
      }
      try {
        const more = await this.replayOnce();
        if (!more) {
          await this.settleAwaiting();
          // Ops the cloud cannot decide yet still wait: the journal has not drained.
          if (this.awaitingFeed.size === 0 && this.deps.store.pendingJournal(1).length === 0)
            this.deps.onDrained();
          await this.sleep(500);
        }
        this.failures = 0;
      } catch (error) {
        if (error instanceof UplinkError && error.kind === 'network')
          this.deps.onNetworkError(`replay: ${error.message}`);
        else
          this.deps.log('error', 'replay failed', {
            error: error instanceof Error ? error.message : String(error),
          });
        this.failures++;
        const retryAfterMs = error instanceof UplinkError ? error.retryAfterMs : undefined;
        const random = (this.deps.random ?? Math.random)();
        await this.sleep(
          backoffDelay(
            this.failures,
            REPLAY_BACKOFF_BASE_MS,
            REPLAY_BACKOFF_MAX_MS,
            random,
            retryAfterMs,
          ),
        );
      }
    }
  }

  /** Settles what the feed has caught up with, then sends the next batch; false when none. */
  async replayOnce(): Promise<boolean> {
    await this.settleFed();
    const waiting = this.waitingDevices();
    const max = this.deps.maxBatchOps ?? 50;
    let batch: JournalRecord[] = [];
    const related: RelatedIds = (id) => {
      const ticket = getEntity(this.deps.engine.visible, 'ticket', id);
      return ticket ? [ticket.orderId] : [];
    };
    // A waiting device with a long backlog must not hide the others' records: look further.
    // So must a head of records the cloud has applied, still waiting for the feed.
    for (const limit of [200, 5000]) {
      const records = this.deps.store.pendingJournal(limit);
      const pending = records.filter((r) => !this.awaitingFeed.has(r.opId));
      batch = nextReplayBatch(pending, max, waiting, related);
      if (batch.length > 0 || records.length < limit) break;
      if (waiting.size === 0 && pending.length > 0) break;
    }
    const first = batch[0];
    if (!first) return false;
    const ops = batch.map((r) => r.op);
    // When the relay decided each op: the cloud decides it at that time, not at the replay's.
    const decidedAt = Object.fromEntries(batch.map((r) => [r.opId, r.receivedAt]));
    const bytes = JSON.stringify({ ops, decidedAt }).length;
    if (!this.deps.mayReplay(bytes)) {
      this.deps.log('warn', 'replay held: the link budget is spent', { bytes });
      return false;
    }
    const token = await this.tokenFor(first.principal);
    const response = await this.deps.client().replay(first.deviceId, ops, token, decidedAt);
    const verdicts = new Map<string, OpResult>();
    let retryAfterMs = 0;
    for (const result of response.results) {
      if (result.status === 'retryable') {
        const wait = result.retryAfterMs ?? 1000;
        // Its own order holds this device back; the others go on. Anything else (the cloud
        // overloaded or unavailable) holds back the whole replay.
        if (DEVICE_WAITS.has(result.code)) this.waitingUntil.set(first.deviceId, this.now() + wait);
        else retryAfterMs = wait;
        break;
      }
      verdicts.set(result.opId, result);
    }
    await this.settle(verdicts);
    this.deps.log('info', 'replayed', {
      device: first.deviceId,
      sent: ops.length,
      settled: verdicts.size,
    });
    if (retryAfterMs > 0) await this.sleep(retryAfterMs);
    return true;
  }

  /**
   * Settles what the cloud answered: a rejection, or an op applied at a seq the confirmed layer
   * already holds, at once; an op applied past it waits for its feed entries (the feed names the
   * op and settles it then), so no screen flickers back. The next batch goes meanwhile: the
   * cloud has the op, so nothing sent after it can overtake it there.
   */
  private async settle(verdicts: Map<string, OpResult>): Promise<void> {
    const fed = this.deps.engine.cloudPosition.seq;
    const now = new Map<string, OpResult>();
    for (const [opId, verdict] of verdicts) {
      if ((appliedSeq(verdict) ?? 0) > fed) this.awaitingFeed.set(opId, verdict);
      else now.set(opId, verdict);
    }
    if (now.size > 0) await this.deps.engine.applyCloud({ entries: [], verdicts: now });
  }

  /**
   * Forgets the waiting ops the feed has settled, and settles those it has passed without naming
   * them (an op that changed nothing). Over the rescue link the feed is not followed: they wait.
   */
  private async settleFed(): Promise<void> {
    if (this.awaitingFeed.size === 0 || !this.deps.feedActive()) return;
    await this.settleWaiting(this.deps.engine.cloudPosition.seq);
  }

  /** Nothing more to send: waits (bounded) for the feed to bring the waiting ops, then settles them. */
  private async settleAwaiting(): Promise<void> {
    if (this.awaitingFeed.size === 0 || !this.deps.feedActive()) return;
    let highest = 0;
    for (const verdict of this.awaitingFeed.values())
      highest = Math.max(highest, appliedSeq(verdict) ?? 0);
    await this.waitForFeed(highest);
    // Stopping: they stay pending, and the next start replays them (the cloud says duplicate).
    if (!this.running) return;
    await this.settleWaiting(Number.POSITIVE_INFINITY);
  }

  /** Settles the waiting ops applied at or below `upTo` that the feed has not settled already. */
  private async settleWaiting(upTo: number): Promise<void> {
    const now = new Map<string, OpResult>();
    for (const [opId, verdict] of this.awaitingFeed) {
      if ((appliedSeq(verdict) ?? 0) > upTo) continue;
      this.awaitingFeed.delete(opId);
      if (this.deps.store.journalEntry(opId)?.status === 'pending') now.set(opId, verdict);
    }
    if (now.size > 0) await this.deps.engine.applyCloud({ entries: [], verdicts: now });
  }

  /** Waits (bounded, and no longer than the loop runs) until confirmed holds entries up to `seq`. */
  private async waitForFeed(seq: number): Promise<void> {
    const deadline = this.now() + 10_000;
    while (this.running && this.deps.engine.cloudPosition.seq < seq && this.now() < deadline)
      await this.sleep(20);
  }

  private tokenFor(principal: Principal): Promise<string> {
    const iat = Math.floor(this.deps.clock().getTime() / 1000);
    const exp = iat + 600;
    const { tenantId, venueId } = principal;
    return this.deps.signer.sign(
      principal.kind === 'staff'
        ? {
            kind: 'staff',
            sub: principal.actorId,
            role: principal.role,
            rpl: true,
            tenantId,
            venueId,
            iat,
            exp,
          }
        : {
            kind: 'guest',
            sub: principal.sessionId,
            tableId: principal.tableId,
            rpl: true,
            tenantId,
            venueId,
            iat,
            exp,
          },
    );
  }
}
