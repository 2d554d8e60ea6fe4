import { Database } from 'bun:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'bun:test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeedEntry } from '#protocol';
import { MIGRATIONS, migrate, SCHEMA_VERSION, userVersion } from './relay-schema.ts';
import type { JournalRecord, RelayCommit } from './relay-store.ts';
import { runRelayStoreContract } from './relay-store-contract.ts';
import { SqliteRelayStore, SqliteRelayStoreError } from './sqlite-relay-store.ts';

const AT = '2026-11-23T19:30:00.000Z';
const opId = (n: number): string => `01JD${String(n).padStart(22, '0')}`;

const journal = (n: number): JournalRecord => ({
  jseq: n,
  opId: opId(n),
  deviceId: 'device-1',
  op: {
    opId: opId(n),
    deviceId: 'device-1',
    tenantId: 'demo-tenant',
    venueId: 'demo-bistro',
    actorId: 'member-1',
    payloadHash: 'b'.repeat(64),
    dependsOn: [],
    occurredAt: AT,
    type: 'serviceRequest.create',
    payload: { requestId: `request-${n}`, tableId: 'table-1', kind: 'water' },
  },
  principal: {
    kind: 'staff',
    tenantId: 'demo-tenant',
    venueId: 'demo-bistro',
    actorId: 'member-1',
    role: 'server',
  },
  receivedAt: AT,
  status: 'pending',
  result: { opId: opId(n), status: 'accepted_local', seq: n, changed: [], at: AT },
});

const tableEntry = (seq: number, id = `table-${seq}`): FeedEntry => ({
  seq,
  entity: 'table',
  id,
  op: 'upsert',
  data: { id, label: id.slice(0, 20), seats: 4, version: 1 },
  version: 1,
  at: AT,
  opId: opId(seq),
});

/** n ops, each one journal insert and one feed entry, from op `first` on. */
const ops = (first: number, n: number): RelayCommit => {
  const numbers = Array.from({ length: n }, (_, i) => first + i);
  return { journalInserts: numbers.map(journal), feed: numbers.map((i) => tableEntry(i)) };
};

/**
 * Commits recorded in the WAL file since it was last reset: frames of the current salt whose
 * header carries a database size, which only a transaction's last frame does.
 * https://www.sqlite.org/fileformat2.html#walformat
 */
function walCommits(dbPath: string): number {
  const walPath = `${dbPath}-wal`;
  if (!existsSync(walPath)) return 0;
  const wal = readFileSync(walPath);
  if (wal.length < 32) return 0;
  const pageSize = wal.readUInt32BE(8);
  const salt = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt[0] || wal.readUInt32BE(at + 12) !== salt[1]) break;
    if (wal.readUInt32BE(at + 4) !== 0) commits++;
  }
  return commits;
}

/** Empties the WAL into the database file, so the next commits are counted from zero. */
function resetWal(dbPath: string): void {
  const db = new Database(dbPath);
  db.run('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close(true);
}

// Every test gets its own directory; removed after the contract's afterEach has closed the store.
const dirs: string[] = [];
const freshPath = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-relay-store-'));
  dirs.push(dir);
  return join(dir, 'relay.db');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

runRelayStoreContract('sqlite', () => SqliteRelayStore.open(freshPath()), {
  describe,
  it,
  expect,
  beforeEach,
  afterEach,
});

describe('SqliteRelayStore on disk', () => {
  let path = '';
  let store: SqliteRelayStore | undefined;
  beforeEach(() => {
    path = freshPath();
  });
  afterEach(() => {
    store?.close();
    store = undefined;
  });

  it('keeps everything across close and reopen', () => {
    const first = SqliteRelayStore.open(path);
    first.commit({
      ...ops(1, 3),
      confirmed: [tableEntry(1)],
      cloudCursor: { cursor: 'cursor-12', seq: 12 },
      epoch: 2,
    });
    first.commit({
      journalUpdates: [{ opId: opId(2), status: 'synced', result: journal(2).result }],
    });
    first.replaceStaff([{ memberId: 'm-1', name: 'Ana', role: 'manager', pinDigest: 'digest-1' }]);
    const state = first.load();
    const feed = first.readFeed(0, { limit: 10 });
    first.close();

    store = SqliteRelayStore.open(path);
    expect(store.load()).toEqual(state);
    expect(state.pending.map((r) => r.jseq)).toEqual([1, 3]);
    expect(state.nextJseq).toBe(4);
    expect(store.readFeed(0, { limit: 10 })).toEqual(feed);
    expect(store.journalEntry(opId(2))?.status).toBe('synced');
    expect(store.findStaff('digest-1')?.name).toBe('Ana');
    expect(store.hasStaffList()).toBe(true);
    store.commit(ops(4, 1));
    expect(store.snapshot().seq).toBe(4);
  });

  it('keeps an empty staff list known across reopen, and reads a list stored before the marker', () => {
    const first = SqliteRelayStore.open(path);
    expect(first.hasStaffList()).toBe(false);
    first.replaceStaff([]);
    first.close();
    store = SqliteRelayStore.open(path);
    expect(store.hasStaffList()).toBe(true);
    store.replaceStaff([{ memberId: 'm-1', name: 'Ana', role: 'server', pinDigest: 'digest-1' }]);
    store.close();

    // A file written before the marker existed: staff rows, no meta row.
    const db = new Database(path, { strict: true });
    db.run("DELETE FROM meta WHERE key = 'staff_list'");
    db.close();
    store = SqliteRelayStore.open(path);
    expect(store.hasStaffList()).toBe(true);
  });

  it('migrates once, and refuses a file newer than this build', () => {
    SqliteRelayStore.open(path).close();
    const db = new Database(path);
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    expect(migrate(db)).toBe(SCHEMA_VERSION);
    db.run(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    db.close(true);
    let error: unknown;
    try {
      SqliteRelayStore.open(path);
    } catch (e) {
      error = e;
    }
    expect(error instanceof SqliteRelayStoreError && error.code).toBe('SCHEMA_TOO_NEW');
  });

  it('migrates a version 1 file: its layers become rowid tables and keep their rows', () => {
    const db = new Database(path, { create: true, strict: true });
    for (const statement of MIGRATIONS[0]?.statements ?? []) db.run(statement);
    db.run('PRAGMA user_version = 1');
    const row = (n: number) => ({
      kind: 'table',
      id: `table-${n}`,
      version: 1,
      data: JSON.stringify({ id: `table-${n}`, label: String(n), seats: 4, version: 1 }),
    });
    for (const table of ['confirmed', 'visible']) {
      const insert = db.prepare(
        `INSERT INTO ${table} (kind, id, version, data) VALUES ($kind, $id, $version, $data)`,
      );
      for (const n of [2, 1]) insert.run(row(n));
    }
    db.close(true);

    store = SqliteRelayStore.open(path);
    const state = store.load();
    const ids = (records: readonly { data: { id: string } }[]) => records.map((r) => r.data.id);
    expect(ids(state.confirmed)).toEqual(['table-1', 'table-2']);
    expect(ids(state.visible)).toEqual(['table-1', 'table-2']);
    // The upsert's conflict target is still the (kind, id) key: a newer table-1 replaces its row.
    const newer = { id: 'table-1', label: 'one', seats: 4, version: 2 };
    const entry: FeedEntry = {
      seq: 1,
      entity: 'table',
      id: 'table-1',
      op: 'upsert',
      data: newer,
      version: 2,
      at: AT,
    };
    store.commit({ feed: [entry] });
    expect(store.load().visible.map((r) => r.data)).toEqual([newer, JSON.parse(row(2).data)]);
    store.close();
    store = undefined;
    const check = new Database(path);
    const layers = check
      .query<{ name: string; sql: string }, []>(
        "SELECT name, sql FROM sqlite_schema WHERE name IN ('confirmed', 'visible') ORDER BY name",
      )
      .all();
    check.close(true);
    expect(layers.map((l) => l.name)).toEqual(['confirmed', 'visible']);
    for (const layer of layers) expect(layer.sql).not.toContain('WITHOUT ROWID');
  });

  it('runs in WAL mode with synchronous = FULL', () => {
    store = SqliteRelayStore.open(path);
    expect(store.settings()).toEqual({
      journalMode: 'wal',
      synchronous: 2,
      foreignKeys: true,
      busyTimeoutMs: 5000,
    });
  });

  it('commits 1,000 ops in one call as one transaction', () => {
    store = SqliteRelayStore.open(path);
    resetWal(path);
    store.commit(ops(1, 3));
    store.commit(ops(4, 3));
    expect(walCommits(path)).toBe(2);

    resetWal(path);
    store.commit(ops(7, 1_000));
    expect(walCommits(path)).toBe(1);
    const state = store.load();
    expect(state.pending).toHaveLength(1_006);
    expect(state.feedHead).toBe(1_006);
    expect(state.visible).toHaveLength(1_006);
  });

  it('lands none of 1,000 ops when the last one repeats an opId', () => {
    store = SqliteRelayStore.open(path);
    store.commit(ops(1, 1));
    const before = store.load();
    resetWal(path);
    const batch = ops(2, 1_000);
    const repeat: JournalRecord = { ...journal(1), jseq: 1_002 };
    let error: unknown;
    try {
      store.commit({ ...batch, journalInserts: [...(batch.journalInserts ?? []), repeat] });
    } catch (e) {
      error = e;
    }
    expect(error instanceof SqliteRelayStoreError && error.code).toBe('DUPLICATE_OP');
    expect(walCommits(path)).toBe(0);
    expect(store.load()).toEqual(before);
    expect(store.readFeed(0, { limit: 2_000 })).toHaveLength(1);
  });

  it('refuses a record that would not read back, and lands nothing of its commit', () => {
    store = SqliteRelayStore.open(path);
    const bad = { ...tableEntry(2), id: 'not-the-data-id' } as FeedEntry;
    let error: unknown;
    try {
      store.commit({ ...ops(1, 1), feed: [tableEntry(1), bad] });
    } catch (e) {
      error = e;
    }
    expect(error instanceof SqliteRelayStoreError && error.code).toBe('INVALID_RECORD');
    expect(store.load().feedHead).toBe(0);
    expect(store.journalEntry(opId(1))).toBeUndefined();
  });

  it('refuses to load a row that does not match its schema', () => {
    store = SqliteRelayStore.open(path);
    store.commit(ops(1, 1));
    const db = new Database(path);
    db.run(`UPDATE visible SET data = '{"id":"table-1","seats":-1}'`);
    db.close(true);
    let error: unknown;
    try {
      store.load();
    } catch (e) {
      error = e;
    }
    expect(error instanceof SqliteRelayStoreError && error.code).toBe('CORRUPT_ROW');
  });
});
