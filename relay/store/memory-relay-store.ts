import {
  ENTITY_KINDS,
  type EntityKind,
  type EntitySet,
  emptyEntitySet,
  type FeedEntry,
  listEntities,
  project,
  projectRecords,
  type SnapshotRecord,
} from '#protocol';
import type {
  JournalRecord,
  RelayCommit,
  RelayState,
  RelayStore,
  StaffRecord,
} from './relay-store.ts';

function recordsOf(set: EntitySet, kinds: readonly EntityKind[] = ENTITY_KINDS): SnapshotRecord[] {
  return kinds.flatMap((kind) =>
    listEntities(set, kind).map((data) => ({ entity: kind, data }) as SnapshotRecord),
  );
}

/** The relay store in memory: for tests of the engine and the LAN app under Node. */
export class MemoryRelayStore implements RelayStore {
  private confirmed: EntitySet = emptyEntitySet();
  private visible: EntitySet = emptyEntitySet();
  private feed: FeedEntry[] = [];
  private readonly journal = new Map<string, JournalRecord>();
  /** Undefined until a list is stored: an empty list is a list. */
  private staff: StaffRecord[] | undefined;
  private cloudCursor: string | null = null;
  private cloudSeq = 0;
  private epoch = 0;
  /** How many commits have landed: lets tests assert group commit. */
  commits = 0;

  load(): RelayState {
    const journal = [...this.journal.values()].sort((a, b) => a.jseq - b.jseq);
    return {
      confirmed: recordsOf(this.confirmed),
      visible: recordsOf(this.visible),
      pending: journal.filter((r) => r.status === 'pending'),
      feedHead: this.feed.at(-1)?.seq ?? 0,
      epoch: this.epoch,
      cloudCursor: this.cloudCursor,
      cloudSeq: this.cloudSeq,
      nextJseq: (journal.at(-1)?.jseq ?? 0) + 1,
    };
  }

  commit(batch: RelayCommit): void {
    const inBatch = new Set<string>();
    for (const record of batch.journalInserts ?? []) {
      if (this.journal.has(record.opId) || inBatch.has(record.opId))
        throw new Error(`journal already holds ${record.opId}`);
      inBatch.add(record.opId);
    }
    for (const record of batch.journalInserts ?? []) this.journal.set(record.opId, record);
    for (const update of batch.journalUpdates ?? []) {
      const record = this.journal.get(update.opId);
      if (record)
        this.journal.set(update.opId, { ...record, status: update.status, result: update.result });
    }
    if (batch.resetConfirmed) this.confirmed = emptyEntitySet();
    if (batch.confirmed) this.confirmed = project(this.confirmed, batch.confirmed);
    if (batch.feed && batch.feed.length > 0) {
      this.feed.push(...batch.feed);
      this.visible = project(this.visible, batch.feed);
    }
    if (batch.cloudCursor) {
      this.cloudCursor = batch.cloudCursor.cursor;
      this.cloudSeq = batch.cloudCursor.seq;
    }
    if (batch.epoch !== undefined) this.epoch = batch.epoch;
    this.commits++;
  }

  readFeed(
    afterSeq: number,
    options: { limit: number; kinds?: readonly EntityKind[]; throughSeq?: number },
  ): FeedEntry[] {
    const through = options.throughSeq ?? Number.POSITIVE_INFINITY;
    return this.feed
      .filter(
        (e) =>
          e.seq > afterSeq &&
          e.seq <= through &&
          (!options.kinds || options.kinds.includes(e.entity)),
      )
      .slice(0, options.limit);
  }

  snapshot(kinds?: readonly EntityKind[]): { seq: number; records: SnapshotRecord[] } {
    return { seq: this.feed.at(-1)?.seq ?? 0, records: recordsOf(this.visible, kinds) };
  }

  journalEntry(opId: string): JournalRecord | undefined {
    return this.journal.get(opId);
  }

  forEachOpId(visit: (opId: string) => void): void {
    for (const opId of this.journal.keys()) visit(opId);
  }

  appliedAfter(seq: number): JournalRecord[] {
    return [...this.journal.values()]
      .filter((r) => r.status === 'synced' && r.result.status === 'applied' && r.result.seq > seq)
      .sort((a, b) => a.jseq - b.jseq);
  }

  pendingJournal(limit: number): JournalRecord[] {
    return [...this.journal.values()]
      .filter((r) => r.status === 'pending')
      .sort((a, b) => a.jseq - b.jseq)
      .slice(0, limit);
  }

  journalDepth(): { pending: number; oldestReceivedAt: string | null } {
    const pending = this.pendingJournal(Number.MAX_SAFE_INTEGER);
    return { pending: pending.length, oldestReceivedAt: pending[0]?.receivedAt ?? null };
  }

  replaceStaff(staff: readonly StaffRecord[]): void {
    this.staff = [...staff];
  }

  hasStaffList(): boolean {
    return this.staff !== undefined;
  }

  findStaff(pinDigest: string): StaffRecord | undefined {
    return this.staff?.find((s) => s.pinDigest === pinDigest);
  }

  close(): void {}
}

/** Loads a set from snapshot records (for tests). */
export function entitySetOf(records: readonly SnapshotRecord[]): EntitySet {
  return projectRecords(emptyEntitySet(), records);
}
