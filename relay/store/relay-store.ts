import type {
  EntityKind,
  FeedEntry,
  Operation,
  OpResult,
  Principal,
  Projectable,
  SnapshotRecord,
  StaffRole,
} from '#protocol';

/** One op a device sent the relay while it decided locally, and what became of it. */
export interface JournalRecord {
  /** Journal order: the order ops are replayed to the cloud in. */
  readonly jseq: number;
  readonly opId: string;
  readonly deviceId: string;
  readonly op: Operation;
  /** Who made it: the relay replays it to the cloud with a token for this principal. */
  readonly principal: Principal;
  /** Relay time it was accepted. */
  readonly receivedAt: string;
  /**
   * pending: accepted locally, not yet settled by the cloud; synced: the cloud applied it;
   * rejected: the cloud (or the relay, deciding offline) refused it — final.
   */
  readonly status: 'pending' | 'synced' | 'rejected';
  /** What the device is answered with for this opId (accepted_local until settled). */
  readonly result: OpResult;
}

export interface StaffRecord {
  readonly memberId: string;
  readonly name: string;
  readonly role: StaffRole;
  readonly pinDigest: string;
}

/** Everything the relay needs to resume after a restart. */
export interface RelayState {
  /** The cloud's truth as last pulled. */
  readonly confirmed: readonly SnapshotRecord[];
  /** What devices were last shown (relay versions). */
  readonly visible: readonly SnapshotRecord[];
  /** Journal records still pending, in journal order. */
  readonly pending: readonly JournalRecord[];
  /** The LAN feed's last seq. */
  readonly feedHead: number;
  /** The LAN stream's epoch: bumped when the relay re-bootstraps, so device cursors answer 410. */
  readonly epoch: number;
  /** The cloud cursor the confirmed layer holds at, and its seq. */
  readonly cloudCursor: string | null;
  readonly cloudSeq: number;
  readonly nextJseq: number;
}

/** One group commit: all of it lands in one transaction, or none of it does. */
export interface RelayCommit {
  readonly journalInserts?: readonly JournalRecord[];
  readonly journalUpdates?: readonly Pick<JournalRecord, 'opId' | 'status' | 'result'>[];
  /** Cloud feed entries (or snapshot records as upserts) to project into the confirmed layer. */
  readonly confirmed?: readonly Projectable[];
  /** Replace the confirmed layer wholesale (a bootstrap from a snapshot) before `confirmed`. */
  readonly resetConfirmed?: boolean;
  /** LAN feed entries, already given seqs; also projected into the visible layer. */
  readonly feed?: readonly FeedEntry[];
  readonly cloudCursor?: { readonly cursor: string; readonly seq: number };
  readonly epoch?: number;
}

/**
 * The relay's storage port. Synchronous on purpose: bun:sqlite is, and the relay's single
 * writer batches every op of a tick into one `commit` (group commit).
 */
export interface RelayStore {
  load(): RelayState;
  commit(batch: RelayCommit): void;
  /** LAN feed entries after `afterSeq` (and at most `throughSeq`), of the given kinds. */
  readFeed(
    afterSeq: number,
    options: {
      readonly limit: number;
      readonly kinds?: readonly EntityKind[];
      readonly throughSeq?: number;
    },
  ): FeedEntry[];
  /** The visible layer (what devices see) of the given kinds, with the LAN feed head. */
  snapshot(kinds?: readonly EntityKind[]): {
    readonly seq: number;
    readonly records: SnapshotRecord[];
  };
  journalEntry(opId: string): JournalRecord | undefined;
  /**
   * Visits every opId the journal holds, in no particular order, without holding them all in
   * memory (the engine builds its filter of journaled ops from this at start).
   */
  forEachOpId(visit: (opId: string) => void): void;
  /**
   * Journal records the cloud applied at a seq above `seq` (the confirmed layer's), in journal
   * order: at start, the entities they changed are known to be ahead of the relay's copy.
   */
  appliedAfter(seq: number): JournalRecord[];
  /** Journal records that still await the cloud, oldest first, at most `limit`. */
  pendingJournal(limit: number): JournalRecord[];
  /** Counts for metrics: pending ops, and when the oldest of them was accepted. */
  journalDepth(): { readonly pending: number; readonly oldestReceivedAt: string | null };
  /** Replaces the staff list (as the cloud last sent it), kept across restarts. */
  replaceStaff(staff: readonly StaffRecord[]): void;
  /**
   * Whether a staff list was ever stored (an empty one too): without one the relay cannot
   * tell a wrong PIN from a list it has not received yet.
   */
  hasStaffList(): boolean;
  findStaff(pinDigest: string): StaffRecord | undefined;
  close(): void;
}
