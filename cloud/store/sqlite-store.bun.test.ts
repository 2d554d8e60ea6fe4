import { afterEach, beforeEach, describe, expect, it } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EntityChange } from '#protocol';
import { openSqliteDatabase } from './sqlite-database.ts';
import { MIGRATIONS, migrate, SCHEMA_VERSION, userVersion } from './sqlite-schema.ts';
import { SqliteCloudStore, SqliteStoreError } from './sqlite-store.ts';
import { runCloudStoreContract } from './store-contract.ts';

const AT = '2026-11-23T19:30:00.000Z';
const table = (id: string, version: number): EntityChange => ({
  entity: 'table',
  id,
  op: 'upsert',
  data: { id, label: id, seats: 4, version },
  version,
});

// Every test gets its own directory; removed after the contract's afterEach has closed the store.
const dirs: string[] = [];
const freshPath = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-store-'));
  dirs.push(dir);
  return join(dir, 'cloud.db');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

runCloudStoreContract('sqlite', async () => SqliteCloudStore.open(freshPath()), {
  describe,
  it,
  expect,
  beforeEach,
  afterEach,
});

describe('SqliteCloudStore on disk', () => {
  let path = '';
  beforeEach(() => {
    path = freshPath();
  });

  it('keeps everything across close and reopen', async () => {
    const first = SqliteCloudStore.open(path);
    await first.createTenant({ tenantId: 't1', name: 'Tenant one' });
    await first.createVenue({ tenantId: 't1', venueId: 'v1', name: 'Venue one' });
    const placed = await first.transact('t1', (tx) =>
      tx.append('v1', [table('table-1', 1), table('table-2', 1)], { at: AT }),
    );
    await first.bumpEpoch('v1');
    await first.close();

    const second = SqliteCloudStore.open(path);
    expect(await second.getVenue('v1')).toEqual({
      tenantId: 't1',
      venueId: 'v1',
      name: 'Venue one',
      epoch: 1,
      compactedThrough: 0,
    });
    expect(await second.head('v1')).toBe(2);
    expect(await second.readFeed('v1', 0, { limit: 10 })).toEqual(placed);
    expect((await second.loadSnapshot('v1')).records.map((r) => r.data.id)).toEqual([
      'table-1',
      'table-2',
    ]);
    expect(
      (await second.transact('t1', (tx) => tx.append('v1', [table('table-3', 1)], { at: AT })))[0]
        ?.seq,
    ).toBe(3);
    await second.close();
  });

  it('migrates once: opening again applies nothing and keeps the data', async () => {
    const first = SqliteCloudStore.open(path);
    await first.createTenant({ tenantId: 't1', name: 'Tenant one' });
    await first.close();
    const second = SqliteCloudStore.open(path);
    expect(await second.listVenues('t1')).toEqual([]);
    await second.createVenue({ tenantId: 't1', venueId: 'v1', name: 'Venue one' });
    await second.close();

    const db = openSqliteDatabase(path);
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    expect(migrate(db)).toBe(SCHEMA_VERSION);
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('refuses a file whose schema is newer than this build', () => {
    const db = openSqliteDatabase(path);
    db.run(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => SqliteCloudStore.open(path)).toThrow(/newer than this build/);
  });

  it('runs in WAL mode with synchronous = FULL', async () => {
    const store = SqliteCloudStore.open(path);
    await store.close();
    const db = openSqliteDatabase(path);
    expect(db.query<{ journal_mode: string }, []>('PRAGMA journal_mode').get()?.journal_mode).toBe(
      'wal',
    );
    expect(db.query<{ synchronous: number }, []>('PRAGMA synchronous').get()?.synchronous).toBe(2);
    db.close();
  });

  it('refuses a transaction object used after its transaction ended', async () => {
    const store = SqliteCloudStore.open(path);
    await store.createTenant({ tenantId: 't1', name: 'Tenant one' });
    await store.createVenue({ tenantId: 't1', venueId: 'v1', name: 'Venue one' });
    const leaked = await store.transact('t1', async (tx) => tx);
    const error = await leaked.append('v1', [table('table-1', 1)], { at: AT }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error instanceof SqliteStoreError && error.code).toBe('TX_CLOSED');
    expect(await store.head('v1')).toBe(0);
    await store.close();
  });

  it('refuses a change that would not read back', async () => {
    const store = SqliteCloudStore.open(path);
    await store.createTenant({ tenantId: 't1', name: 'Tenant one' });
    await store.createVenue({ tenantId: 't1', venueId: 'v1', name: 'Venue one' });
    const bad = { ...table('table-1', 1), id: 'not the data id' } as EntityChange;
    const error = await store
      .transact('t1', (tx) => tx.append('v1', [bad], { at: AT }))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error instanceof SqliteStoreError && error.code).toBe('INVALID_CHANGE');
    expect(await store.head('v1')).toBe(0);
    await store.close();
  });

  it('refuses an in-memory path: its two connections must share a file', () => {
    expect(() => SqliteCloudStore.open(':memory:')).toThrow(SqliteStoreError);
  });
});
