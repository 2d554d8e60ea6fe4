import {
  type DependencyStatus,
  type EntityChange,
  emptyEntitySet,
  type FeedEntry,
  type Operation,
  type OpResult,
  type Principal,
  type Projectable,
  projectRecords,
  type SnapshotRecord,
} from '#protocol';
import type { JournalRecord, RelayCommit, RelayStore } from '../store/relay-store.ts';
import type { RelayBus } from './feed-bus.ts';
import { OpIdFilter } from './op-id-filter.ts';
import {
  acceptLocal,
  applyCloud,
  createVenueModel,
  type PendingOp,
  type VenueModel,
} from './venue-model.ts';

type Waiter = { resolve: () => void; reject: (error: unknown) => void };

interface Staged {
  journalInserts: JournalRecord[];
  journalUpdates: Pick<JournalRecord, 'opId' | 'status' | 'result'>[];
  confirmed: Projectable[];
  resetConfirmed: boolean;
  feed: FeedEntry[];
  cloudCursor?: { cursor: string; seq: number };
  epoch?: number;
  notices: { deviceId: string; result: OpResult }[];
  waiters: Waiter[];
}

const emptyStage = (): Staged => ({
  journalInserts: [],
  journalUpdates: [],
  confirmed: [],
  resetConfirmed: false,
  feed: [],
  notices: [],
  waiters: [],
});

/** A local answer: the op's result, and whether it was answered before. */
export type LocalAnswer =
  | { readonly kind: 'first'; readonly result: OpResult }
  | { readonly kind: 'duplicate'; readonly result: OpResult }
  | { readonly kind: 'key_reused' };

export interface EngineDeps {
  readonly store: RelayStore;
  readonly bus: RelayBus;
  readonly clock: () => Date;
  readonly tenantId: string;
  readonly venueId: string;
  /** Called when a commit fails: memory is then ahead of disk, so the process must restart. */
  readonly onFatal: (error: unknown) => void;
  /** Schedules the end-of-tick flush (setImmediate in production). */
  readonly schedule?: (flush: () => void) => void;
}

/**
 * The relay's single writer. Every change — an op decided locally, cloud entries, settled ops —
 * updates the in-memory model at once and is staged; at the end of the tick one transaction
 * commits everything staged (group commit), then waiters are answered and entries fan out in
 * one publish. Nothing is acknowledged or shown before it is durable.
 */
export class VenueEngine {
  private model: VenueModel;
  private stage: Staged = emptyStage();
  private scheduled = false;
  private feedHead: number;
  private nextJseq: number;
  private cloudSeq: number;
  private cloudCursor: string | null;
  private lanEpoch: number;
  private readonly deps: EngineDeps;
  /** Ops staged in this tick, so a repeat within the tick is a duplicate too. */
  private readonly stagedOps = new Map<string, JournalRecord>();
  /** Every opId journaled: a new op needs no journal read to be known as new. */
  private readonly opIds = new OpIdFilter();
  /**
   * Entities a forwarded op changed at the cloud, by the cloud seq that changed them, while the
   * confirmed layer is still behind that seq: ops on them are held for the cloud. Rebuilt at
   * start from the journal (a crash between the cloud's answer and its feed entries must not
   * let the relay decide a second send on the old copy: the cloud would route it differently).
   */
  private readonly changedAhead = new Map<string, number>();

  constructor(deps: EngineDeps) {
    this.deps = deps;
    const state = deps.store.load();
    deps.store.forEachOpId((opId) => this.opIds.add(opId));
    this.feedHead = state.feedHead;
    this.nextJseq = state.nextJseq;
    this.cloudSeq = state.cloudSeq;
    this.cloudCursor = state.cloudCursor;
    this.lanEpoch = state.epoch;
    for (const record of deps.store.appliedAfter(state.cloudSeq)) {
      if (record.result.status !== 'applied') continue;
      for (const ref of record.result.changed)
        this.changedAhead.set(`${ref.entity}:${ref.id}`, record.result.seq);
    }
    if (state.feedHead === 0 && state.epoch === 0) {
      // A new LAN stream gets a random epoch: if the data dir is wiped but the identity (and so
      // the cursor key) kept, cursors devices still hold answer 410 instead of matching by chance.
      this.lanEpoch = 1 + Math.floor(Math.random() * 2 ** 30);
      this.stage.epoch = this.lanEpoch;
    }
    const restored = createVenueModel({
      tenantId: deps.tenantId,
      venueId: deps.venueId,
      confirmed: projectRecords(emptyEntitySet(), state.confirmed),
      pending: state.pending.map(toPending),
      ...(state.visible.length > 0
        ? { visible: projectRecords(emptyEntitySet(), state.visible) }
        : {}),
    });
    this.model = restored.model;
    if (restored.changes.length > 0) this.emit(restored.changes, undefined);
    // Whatever the restore staged (repairs, a new epoch) is committed at the end of this tick;
    // a failure there goes to onFatal like any other commit.
    if (this.stage.feed.length > 0 || this.stage.epoch !== undefined)
      this.settled().catch(() => {});
  }

  /** The cloud cursor the confirmed layer holds at (null before the first bootstrap). */
  get cloudPosition(): { readonly cursor: string | null; readonly seq: number } {
    return { cursor: this.cloudCursor, seq: this.cloudSeq };
  }

  /** The venue this relay serves, and its tenant. */
  get venue(): { readonly tenantId: string; readonly venueId: string } {
    return { tenantId: this.deps.tenantId, venueId: this.deps.venueId };
  }

  /** The LAN stream's epoch (cursors carry it). */
  get epoch(): number {
    return this.lanEpoch;
  }

  get pendingCount(): number {
    return this.model.pending.length;
  }

  /** The current visible layer (for the LAN sign-in of guests: tables). */
  get visible() {
    return this.model.visible;
  }

  /**
   * Decides an op locally (the uplink is down, or ops are still waiting to be replayed): journal,
   * decide on what devices see, fan out. Answers once it is durable. Idempotent by opId.
   */
  async submitLocal(op: Operation, principal: Principal): Promise<LocalAnswer> {
    const answer = this.stageLocal(op, principal);
    if (answer.kind !== 'key_reused') await this.settled();
    return answer;
  }

  /**
   * A device's batch, decided in order within one tick and answered after its one commit: the
   * same answers as {@link submitLocal} op by op (each op sees the ones before it, staged, for
   * duplicates and dependencies), one fsync and one fan-out frame instead of one per op.
   */
  async submitLocalBatch(ops: readonly Operation[], principal: Principal): Promise<LocalAnswer[]> {
    const answers: LocalAnswer[] = [];
    let failure: { error: unknown } | undefined;
    for (const op of ops) {
      try {
        answers.push(this.stageLocal(op, principal));
      } catch (error) {
        failure = { error };
        break;
      }
    }
    // Whatever was staged before a failure is still committed (as op-by-op submission would).
    if (answers.some((a) => a.kind !== 'key_reused')) await this.settled();
    if (failure) throw failure.error;
    return answers;
  }

  /** Journals and decides one op into this tick's stage; the caller awaits `settled()`. */
  private stageLocal(op: Operation, principal: Principal): LocalAnswer {
    const known = this.journaled(op.opId);
    if (known) {
      if (known.op.payloadHash !== op.payloadHash) return { kind: 'key_reused' };
      return { kind: 'duplicate', result: known.result };
    }
    const receivedAt = this.deps.clock().toISOString();
    // The engine never reads a replaced model again: it hands it over (no O(pending) copy).
    const outcome = acceptLocal(
      this.model,
      { op, principal, receivedAt },
      {
        handOver: true,
        dependency: (opId) => this.dependencyStatus(opId),
        behind: (entity, id) => this.isBehind(entity, id),
      },
    );
    let record: JournalRecord;
    if (outcome.kind === 'rejected') {
      record = this.journal(op, principal, receivedAt, 'rejected', {
        opId: op.opId,
        status: 'rejected',
        ...outcome.rejection,
      });
    } else if (outcome.kind === 'held') {
      this.model = outcome.model;
      record = this.journal(op, principal, receivedAt, 'pending', {
        opId: op.opId,
        status: 'retryable',
        code: 'DEPENDENCY_PENDING',
        message: outcome.message,
        retryAfterMs: HELD_RETRY_AFTER_MS,
      });
    } else {
      this.model = outcome.model;
      const placed = this.emit(outcome.changes, op.opId);
      record = this.journal(op, principal, receivedAt, 'pending', {
        opId: op.opId,
        status: 'accepted_local',
        seq: placed.at(-1)?.seq ?? this.feedHead,
        changed: outcome.changes.map((c) => ({ entity: c.entity, id: c.id, version: c.version })),
        at: receivedAt,
      });
    }
    return { kind: 'first', result: record.result };
  }

  /**
   * Takes in the cloud's feed entries (and the cursor they bring the relay to), and the cloud's
   * verdicts on replayed ops. Corrections for rejected ops reach every device; the device that
   * made a rejected op is sent a notice.
   */
  async applyCloud(update: {
    readonly entries: readonly Projectable[];
    readonly cursor?: { readonly cursor: string; readonly seq: number };
    readonly verdicts?: ReadonlyMap<string, OpResult>;
    /** The entries are a whole snapshot: replace the confirmed layer. */
    readonly reset?: boolean;
  }): Promise<void> {
    const verdicts = new Map(update.verdicts ?? []);
    // The cloud's feed naming a pending op is its verdict: applied. Settled now, the op is not
    // re-decided on top of its own effects (a second ticket for one send).
    if (!update.reset) {
      for (const [opId, verdict] of this.appliedByFeed(update.entries))
        if (!verdicts.has(opId)) verdicts.set(opId, verdict);
    }
    if (update.reset) {
      const confirmed = projectRecords(
        emptyEntitySet(),
        update.entries
          .filter((e): e is Projectable & { op: 'upsert' } => e.op === 'upsert')
          .map(toRecord),
      );
      const rebuilt = createVenueModel({ ...this.model, confirmed, visible: this.model.visible });
      this.model = rebuilt.model;
      this.emit(rebuilt.changes, undefined);
      this.stage.resetConfirmed = true;
      this.stage.confirmed.push(...update.entries);
    } else {
      const result = applyCloud(this.model, {
        entries: update.entries,
        settled: new Set(verdicts.keys()),
      });
      this.model = result.model;
      this.emit(result.changes, undefined);
      this.stage.confirmed.push(...update.entries);
    }
    const confirmedSeq = update.cursor?.seq ?? this.cloudSeq;
    for (const [opId, verdict] of verdicts) {
      // A replayed op the cloud applied past the feed's position: until the feed brings it, this
      // copy is behind on what it changed (settled, the op no longer shows through `pending`).
      const final = verdict.status === 'duplicate' ? verdict.first : verdict;
      if (final.status === 'applied' && final.seq > confirmedSeq)
        for (const ref of final.changed)
          this.changedAhead.set(`${ref.entity}:${ref.id}`, final.seq);
      const record = this.journaled(opId);
      if (record?.status !== 'pending') continue;
      const settled = settledResult(record.result, verdict);
      if (!settled) continue;
      const status = settled.status === 'rejected' ? 'rejected' : 'synced';
      this.stage.journalUpdates.push({ opId, status, result: settled });
      this.stage.notices.push({ deviceId: record.deviceId, result: settled });
    }
    if (update.cursor) {
      this.stage.cloudCursor = { ...update.cursor };
      this.cloudCursor = update.cursor.cursor;
      this.cloudSeq = update.cursor.seq;
      for (const [key, seq] of this.changedAhead)
        if (seq <= this.cloudSeq) this.changedAhead.delete(key);
    }
    await this.settled();
  }

  /** Applied verdicts for pending ops whose own entries are among these cloud feed entries. */
  private appliedByFeed(entries: readonly Projectable[]): Map<string, OpResult> {
    const found = new Map<string, OpResult & { status: 'applied' }>();
    for (const entry of entries as readonly (Projectable & Partial<FeedEntry>)[]) {
      const { opId } = entry;
      if (opId === undefined) continue;
      const known = found.get(opId);
      if (known) {
        found.set(opId, {
          ...known,
          seq: Math.max(known.seq, entry.seq ?? 0),
          changed: [
            ...known.changed,
            { entity: entry.entity, id: entry.id, version: entry.version },
          ],
        });
        continue;
      }
      if (this.journaled(opId)?.status !== 'pending') continue;
      found.set(opId, {
        opId,
        status: 'applied',
        seq: entry.seq ?? 0,
        changed: [{ entity: entry.entity, id: entry.id, version: entry.version }],
        at: entry.at ?? this.deps.clock().toISOString(),
      });
    }
    return found;
  }

  /** Whether the relay has journaled this op (committed, or staged in this tick). */
  holds(opId: string): boolean {
    return this.journaled(opId) !== undefined;
  }

  /**
   * Keeps the cloud's verdict on an op the relay forwarded (write-through), so a resend — after
   * the device lost the answer, the uplink dropped or the relay restarted — is answered with it
   * instead of being decided again on a copy that may already hold the op's effect. Only final
   * verdicts are kept; an op already journaled keeps its record.
   */
  async recordForwarded(
    principal: Principal,
    forwarded: readonly { readonly op: Operation; readonly verdict: OpResult }[],
  ): Promise<void> {
    const receivedAt = this.deps.clock().toISOString();
    let staged = false;
    for (const { op, verdict } of forwarded) {
      const final = verdict.status === 'duplicate' ? verdict.first : verdict;
      if (final.status !== 'applied' && final.status !== 'rejected') continue;
      if (this.journaled(op.opId)) continue;
      if (final.status === 'applied' && final.seq > this.cloudSeq) {
        for (const ref of final.changed)
          this.changedAhead.set(`${ref.entity}:${ref.id}`, final.seq);
      }
      const status = final.status === 'applied' ? 'synced' : 'rejected';
      this.journal(op, principal, receivedAt, status, final);
      staged = true;
    }
    // One commit for a whole forwarded batch.
    if (staged) await this.settled();
  }

  /** Whether a forwarded op changed this entity at the cloud after the confirmed layer's seq. */
  private isBehind(entity: string, id: string): boolean {
    if (this.changedAhead.size === 0) return false;
    const key = `${entity}:${id}`;
    const seq = this.changedAhead.get(key);
    if (seq === undefined) return false;
    if (seq > this.cloudSeq) return true;
    this.changedAhead.delete(key);
    return false;
  }

  /** What the relay knows of an op another op depends on. */
  private dependencyStatus(opId: string): DependencyStatus {
    const record = this.journaled(opId);
    if (!record) return 'unknown';
    if (record.status === 'pending') return 'waiting';
    return record.status === 'synced' ? 'applied' : 'rejected';
  }

  /** The journal's record of an op: staged in this tick, or committed. */
  private journaled(opId: string): JournalRecord | undefined {
    const staged = this.stagedOps.get(opId);
    if (staged) return staged;
    return this.opIds.mightHold(opId) ? this.deps.store.journalEntry(opId) : undefined;
  }

  /** Answers once everything staged so far is durable. */
  private settled(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stage.waiters.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        (this.deps.schedule ?? ((flush) => setImmediate(flush)))(() => this.flush());
      }
    });
  }

  private flush(): void {
    const stage = this.stage;
    this.stage = emptyStage();
    this.scheduled = false;
    const batch: RelayCommit = {
      journalInserts: stage.journalInserts,
      journalUpdates: stage.journalUpdates,
      confirmed: stage.confirmed,
      resetConfirmed: stage.resetConfirmed,
      feed: stage.feed,
      ...(stage.cloudCursor ? { cloudCursor: stage.cloudCursor } : {}),
      ...(stage.epoch === undefined ? {} : { epoch: stage.epoch }),
    };
    try {
      this.deps.store.commit(batch);
    } catch (error) {
      for (const waiter of stage.waiters) waiter.reject(error);
      this.deps.onFatal(error);
      return;
    }
    this.stagedOps.clear();
    for (const waiter of stage.waiters) waiter.resolve();
    this.deps.bus.publish(this.deps.venueId, stage.feed);
    for (const notice of stage.notices) this.deps.bus.notify(this.deps.venueId, notice);
  }

  /** Gives changes their LAN seqs and stages them. */
  private emit(changes: readonly EntityChange[], opId: string | undefined): FeedEntry[] {
    const at = this.deps.clock().toISOString();
    const placed = changes.map(
      (change) =>
        ({
          ...change,
          seq: ++this.feedHead,
          at,
          ...(opId === undefined ? {} : { opId }),
        }) as FeedEntry,
    );
    this.stage.feed.push(...placed);
    return placed;
  }

  private journal(
    op: Operation,
    principal: Principal,
    receivedAt: string,
    status: JournalRecord['status'],
    result: OpResult,
  ): JournalRecord {
    const record: JournalRecord = {
      jseq: this.nextJseq++,
      opId: op.opId,
      deviceId: op.deviceId,
      op,
      principal,
      receivedAt,
      status,
      result,
    };
    this.stage.journalInserts.push(record);
    this.stagedOps.set(op.opId, record);
    this.opIds.add(op.opId);
    return record;
  }
}

/** How long a device waits before asking again about an op the relay holds for the cloud. */
export const HELD_RETRY_AFTER_MS = 5000;

/**
 * The result a settled op is answered with from now on: the cloud's rejection, or `applied` in
 * the relay's own terms for an op it had accepted locally (the LAN seq and relay versions the
 * device's cache holds, not the cloud's). Undefined for a verdict that settles nothing.
 */
function settledResult(local: OpResult, verdict: OpResult): OpResult | undefined {
  const final = verdict.status === 'duplicate' ? verdict.first : verdict;
  if (final.status === 'rejected') return final;
  if (final.status !== 'applied') return undefined;
  if (local.status !== 'accepted_local') return final;
  return {
    opId: local.opId,
    status: 'applied',
    seq: local.seq,
    changed: local.changed,
    at: final.at,
  };
}

function toPending(record: JournalRecord): PendingOp {
  return { op: record.op, principal: record.principal, receivedAt: record.receivedAt };
}

function toRecord(change: Projectable & { op: 'upsert' }): SnapshotRecord {
  return { entity: change.entity, data: change.data } as SnapshotRecord;
}
