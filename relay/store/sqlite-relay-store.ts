import { Database, SQLiteError, type Statement } from 'bun:sqlite';
import {
  ENTITY_KINDS,
  type EntityKind,
  FeedEntry,
  Operation,
  OpResult,
  Principal,
  SnapshotRecord,
  StaffRole,
} from '#protocol';
import { migrate, SCHEMA_VERSION } from './relay-schema.ts';
import type {
  JournalRecord,
  RelayCommit,
  RelayState,
  RelayStore,
  StaffRecord,
} from './relay-store.ts';
import {
  FEED_COLUMNS,
  JOURNAL_STATUSES,
  META,
  planCommit,
  SqliteRelayStoreError,
  stepError,
  WRITE_SQL,
  type WriteParams,
  type WriteStatement,
  type WriteStep,
} from './sqlite-write-plan.ts';

export { SqliteRelayStoreError, type SqliteRelayStoreErrorCode } from './sqlite-write-plan.ts';

// Type aliases, not interfaces: bun:sqlite's bindings want index-signature-compatible records.
type JournalRow = {
  jseq: number;
  op_id: string;
  device_id: string;
  op: string;
  principal: string;
  received_at: string;
  status: string;
  result: string;
};
type FeedRow = {
  seq: number;
  entity: string;
  id: string;
  op: string;
  version: number;
  data: string | null;
  at: string;
  op_id: string | null;
};
type StaffRow = { member_id: string; name: string; role: string; pin_digest: string };
type FeedQuery = { afterSeq: number; throughSeq: number; limit: number };
type Parsed<T> = { success: true; data: T } | { success: false; error: { message: string } };

/** The reads of one projected layer: `confirmed` or `visible` (writes are in WRITE_SQL). */
function layerStatements(db: Database, table: 'confirmed' | 'visible') {
  return {
    ofKind: db.prepare<{ data: string }, { kind: string }>(
      `SELECT data FROM ${table} WHERE kind = $kind ORDER BY id`,
    ),
  };
}

/** The commit's statements on this connection, by name (see `planCommit`). */
function writeStatements(db: Database): Record<WriteStatement, Statement<never, [WriteParams]>> {
  const entries = Object.entries(WRITE_SQL).map(([name, sql]) => [name, db.prepare(sql)]);
  return Object.fromEntries(entries) as Record<WriteStatement, Statement<never, [WriteParams]>>;
}

function statements(db: Database) {
  return {
    journalEntry: db.prepare<JournalRow, { opId: string }>(
      'SELECT * FROM journal WHERE op_id = $opId',
    ),
    opIds: db.prepare<{ op_id: string }, []>('SELECT op_id FROM journal'),
    appliedAfter: db.prepare<JournalRow, { seq: number }>(
      `SELECT * FROM journal WHERE status = 'synced'
       AND json_extract(result, '$.status') = 'applied' AND json_extract(result, '$.seq') > $seq
       ORDER BY jseq`,
    ),
    pending: db.prepare<JournalRow, { limit: number }>(
      "SELECT * FROM journal WHERE status = 'pending' ORDER BY jseq LIMIT $limit",
    ),
    depth: db.prepare<{ pending: number; oldest: string | null }, []>(
      `SELECT count(*) AS pending,
       (SELECT received_at FROM journal WHERE status = 'pending' ORDER BY jseq LIMIT 1) AS oldest
       FROM journal WHERE status = 'pending'`,
    ),
    lastJseq: db.prepare<{ jseq: number | null }, []>('SELECT max(jseq) AS jseq FROM journal'),
    feedHead: db.prepare<{ seq: number | null }, []>('SELECT max(seq) AS seq FROM feed'),
    feed: db.prepare<FeedRow, FeedQuery>(
      `SELECT ${FEED_COLUMNS} FROM feed WHERE seq > $afterSeq AND seq <= $throughSeq
       ORDER BY seq LIMIT $limit`,
    ),
    feedOfKinds: db.prepare<FeedRow, FeedQuery & { kinds: string }>(
      `SELECT ${FEED_COLUMNS} FROM feed WHERE seq > $afterSeq AND seq <= $throughSeq
       AND entity IN (SELECT value FROM json_each($kinds)) ORDER BY seq LIMIT $limit`,
    ),
    meta: db.prepare<{ key: string; value: string | number }, []>('SELECT key, value FROM meta'),
    clearStaff: db.prepare<never, []>('DELETE FROM staff'),
    insertStaff: db.prepare<never, StaffRow>(
      'INSERT INTO staff (member_id, name, role, pin_digest) VALUES ($member_id, $name, $role, $pin_digest)',
    ),
    staff: db.prepare<StaffRow, { pinDigest: string }>(
      'SELECT * FROM staff WHERE pin_digest = $pinDigest',
    ),
    markStaffList: db.prepare<never, { key: string }>(
      'INSERT INTO meta (key, value) VALUES ($key, 1) ON CONFLICT (key) DO NOTHING',
    ),
    // A file from before the marker holds a list if it holds any staff row.
    hasStaffList: db.prepare<{ known: number }, { key: string }>(
      `SELECT EXISTS (SELECT 1 FROM meta WHERE key = $key)
       OR EXISTS (SELECT 1 FROM staff) AS known`,
    ),
    confirmed: layerStatements(db, 'confirmed'),
    visible: layerStatements(db, 'visible'),
  };
}

type Statements = ReturnType<typeof statements>;
type Layer = Statements['confirmed'];

/** A value read back that does not match its schema: the file is damaged or foreign. */
function corrupt(what: string, detail: string): SqliteRelayStoreError {
  return new SqliteRelayStoreError(
    'CORRUPT_ROW',
    `stored ${what} does not match its schema: ${detail}`,
  );
}

function readJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw corrupt(what, String(error));
  }
}

function read<T>(parsed: Parsed<T>, what: string): T {
  if (!parsed.success) throw corrupt(what, parsed.error.message);
  return parsed.data;
}

function acceptRole(member: StaffRecord): StaffRole {
  const parsed = StaffRole.safeParse(member.role);
  if (!parsed.success) {
    throw new SqliteRelayStoreError(
      'INVALID_RECORD',
      `role of staff ${member.memberId}: ${parsed.error.message}`,
    );
  }
  return parsed.data;
}

function toJournal(row: JournalRow): JournalRecord {
  const what = `journal record ${row.op_id}`;
  const status = JOURNAL_STATUSES.find((s) => s === row.status);
  if (status === undefined) throw corrupt(what, `status ${row.status}`);
  return {
    jseq: row.jseq,
    opId: row.op_id,
    deviceId: row.device_id,
    op: read(Operation.safeParse(readJson(row.op, what)), `op of ${what}`),
    principal: read(Principal.safeParse(readJson(row.principal, what)), `principal of ${what}`),
    receivedAt: row.received_at,
    status,
    result: read(OpResult.safeParse(readJson(row.result, what)), `result of ${what}`),
  };
}

function toFeedEntry(row: FeedRow): FeedEntry {
  const what = `feed entry ${row.seq}`;
  return read(
    FeedEntry.safeParse({
      seq: row.seq,
      entity: row.entity,
      id: row.id,
      op: row.op,
      version: row.version,
      at: row.at,
      ...(row.op_id === null ? {} : { opId: row.op_id }),
      ...(row.data === null ? {} : { data: readJson(row.data, what) }),
    }),
    what,
  );
}

function toStaff(row: StaffRow): StaffRecord {
  return {
    memberId: row.member_id,
    name: row.name,
    role: read(StaffRole.safeParse(row.role), `role of staff ${row.member_id}`),
    pinDigest: row.pin_digest,
  };
}

/** A LIMIT for SQLite: -1 is "no limit"; a negative count reads nothing. */
function sqlLimit(limit: number): number {
  return Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : -1;
}

/**
 * The relay's storage port on one bun:sqlite connection (WAL, synchronous = FULL). Each
 * `commit` is one `BEGIN IMMEDIATE` transaction: one fsync for every op of a tick. Everything
 * read back is parsed with the protocol's schemas. On the way in, what came from the cloud
 * (confirmed entries, verdicts) is validated; the engine's own typed journal records and feed
 * entries get cheap invariant checks only (see `insertJournal`, and the README's Decisions).
 *
 * @example
 * const store = SqliteRelayStore.open(join(dataDir, 'relay.db'));
 * const state = store.load();
 * store.commit({ journalInserts, feed });
 * store.close();
 */
export class SqliteRelayStore implements RelayStore {
  private readonly db: Database;
  private readonly s: Statements;
  private readonly commitTx: (steps: readonly WriteStep[]) => void;
  private readonly staffTx: (staff: readonly StaffRecord[]) => void;

  private constructor(db: Database) {
    this.db = db;
    this.s = statements(db);
    const write = writeStatements(db);
    this.commitTx = db.transaction((steps: readonly WriteStep[]) => {
      for (const step of steps) {
        try {
          write[step[0]].run(step[1]);
        } catch (error) {
          throw (error instanceof SQLiteError && stepError(step, error.code)) || error;
        }
      }
    }).immediate;
    this.staffTx = db.transaction((staff: readonly StaffRecord[]) => {
      this.s.markStaffList.run({ key: META.staffList });
      this.s.clearStaff.run();
      for (const member of staff) {
        this.s.insertStaff.run({
          member_id: member.memberId,
          name: member.name,
          role: acceptRole(member),
          pin_digest: member.pinDigest,
        });
      }
    }).immediate;
  }

  /**
   * Opens (creating and migrating if needed) the store in the file at `path`. Throws
   * `SCHEMA_TOO_NEW` for a file written by a newer build.
   */
  static open(path: string): SqliteRelayStore {
    const db = new Database(path, { create: true, strict: true });
    try {
      db.run('PRAGMA journal_mode = WAL');
      // bun:sqlite already defaults to FULL in WAL; set it so it never drifts: an op the relay
      // answered accepted_local must survive a power cut.
      db.run('PRAGMA synchronous = FULL');
      db.run('PRAGMA busy_timeout = 5000');
      db.run('PRAGMA foreign_keys = ON');
      const from = migrate(db);
      if (from > SCHEMA_VERSION) {
        throw new SqliteRelayStoreError(
          'SCHEMA_TOO_NEW',
          `relay database schema ${from} is newer than this build (${SCHEMA_VERSION})`,
        );
      }
      return new SqliteRelayStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  load(): RelayState {
    // One read transaction: every part of the state is of the same commit.
    return this.db.transaction((): RelayState => {
      const meta = this.meta();
      return {
        confirmed: this.records(this.s.confirmed, ENTITY_KINDS),
        visible: this.records(this.s.visible, ENTITY_KINDS),
        pending: this.s.pending.all({ limit: -1 }).map(toJournal),
        feedHead: this.feedHead(),
        epoch: meta.epoch,
        cloudCursor: meta.cloudCursor,
        cloudSeq: meta.cloudSeq,
        nextJseq: (this.s.lastJseq.get()?.jseq ?? 0) + 1,
      };
    })();
  }

  commit(batch: RelayCommit): void {
    this.commitTx(planCommit(batch));
  }

  readFeed(
    afterSeq: number,
    options: { limit: number; kinds?: readonly EntityKind[]; throughSeq?: number },
  ): FeedEntry[] {
    const query = {
      afterSeq,
      throughSeq: options.throughSeq ?? Number.MAX_SAFE_INTEGER,
      limit: sqlLimit(options.limit),
    };
    const rows = options.kinds
      ? this.s.feedOfKinds.all({ ...query, kinds: JSON.stringify(options.kinds) })
      : this.s.feed.all(query);
    return rows.map(toFeedEntry);
  }

  snapshot(kinds?: readonly EntityKind[]): { seq: number; records: SnapshotRecord[] } {
    // One read transaction: the head and the records are of the same commit.
    return this.db.transaction(() => ({
      seq: this.feedHead(),
      records: this.records(this.s.visible, kinds ?? ENTITY_KINDS),
    }))();
  }

  journalEntry(opId: string): JournalRecord | undefined {
    const row = this.s.journalEntry.get({ opId });
    return row ? toJournal(row) : undefined;
  }

  forEachOpId(visit: (opId: string) => void): void {
    // One statement, stepped row by row: one read transaction, never the whole list in memory.
    for (const row of this.s.opIds.iterate()) visit(row.op_id);
  }

  appliedAfter(seq: number): JournalRecord[] {
    return this.s.appliedAfter.all({ seq }).map(toJournal);
  }

  pendingJournal(limit: number): JournalRecord[] {
    return this.s.pending.all({ limit: sqlLimit(limit) }).map(toJournal);
  }

  journalDepth(): { pending: number; oldestReceivedAt: string | null } {
    const row = this.s.depth.get();
    return { pending: row?.pending ?? 0, oldestReceivedAt: row?.oldest ?? null };
  }

  replaceStaff(staff: readonly StaffRecord[]): void {
    this.staffTx(staff);
  }

  hasStaffList(): boolean {
    return this.s.hasStaffList.get({ key: META.staffList })?.known === 1;
  }

  findStaff(pinDigest: string): StaffRecord | undefined {
    const row = this.s.staff.get({ pinDigest });
    return row ? toStaff(row) : undefined;
  }

  /**
   * The connection's durability settings, for the relay's health report: a relay that lost
   * WAL or FULL would still work, and answer accepted_local for ops a power cut can undo.
   */
  settings(): {
    journalMode: string;
    synchronous: number;
    foreignKeys: boolean;
    busyTimeoutMs: number;
  } {
    const pragma = (name: string) => this.db.query(`PRAGMA ${name}`).values()[0]?.[0];
    return {
      journalMode: String(pragma('journal_mode')),
      synchronous: Number(pragma('synchronous')),
      foreignKeys: Number(pragma('foreign_keys')) === 1,
      busyTimeoutMs: Number(pragma('busy_timeout')),
    };
  }

  /** Finalizes every statement and closes the connection. Safe to call twice. */
  close(): void {
    this.db.close(true);
  }

  private feedHead(): number {
    return this.s.feedHead.get()?.seq ?? 0;
  }

  private records(layer: Layer, kinds: readonly EntityKind[]): SnapshotRecord[] {
    return kinds.flatMap((kind) =>
      layer.ofKind
        .all({ kind })
        .map((row) =>
          read(SnapshotRecord.safeParse({ entity: kind, data: readJson(row.data, kind) }), kind),
        ),
    );
  }

  private meta(): { cloudCursor: string | null; cloudSeq: number; epoch: number } {
    let cloudCursor: string | null = null;
    let cloudSeq = 0;
    let epoch = 0;
    for (const { key, value } of this.s.meta.all()) {
      if (key === META.cursor) {
        if (typeof value !== 'string') throw corrupt(key, typeof value);
        cloudCursor = value;
      } else if (key === META.seq || key === META.epoch) {
        if (!Number.isSafeInteger(value)) throw corrupt(key, String(value));
        if (key === META.seq) cloudSeq = Number(value);
        else epoch = Number(value);
      }
    }
    return { cloudCursor, cloudSeq, epoch };
  }
}
