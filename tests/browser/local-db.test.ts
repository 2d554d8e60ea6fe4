import { expect } from '@esm-bundle/chai';
import { deleteDB, openDB } from 'idb';
import type { FeedEntry, SnapshotRecord } from '#protocol';
import { coalesce } from '../../web/device/local-coalesce.ts';
import {
  applyChanges,
  BUCKETS,
  bucketOf,
  countEntities,
  ensureDeviceId,
  type LocalDb,
  LocalDbError,
  openLocalDb,
  readEntity,
  readKind,
  readSession,
  readSync,
  replaceAll,
  type SyncMeta,
  writeSession,
} from '../../web/device/local-db.ts';

// The cache's transactional promises, against Chromium's real IndexedDB: data and cursor move
// together, a page coalesces to one write per entity, a snapshot swap has no empty moment.

const at = new Date(0).toISOString();

function table(id: string, version: number, seats = 4): SnapshotRecord {
  return { entity: 'table', data: { id, label: id, seats, version } };
}

function upsert(seq: number, id: string, version: number, seats = 4): FeedEntry {
  return {
    seq,
    entity: 'table',
    id,
    op: 'upsert',
    data: { id, label: id, seats, version },
    version,
    at,
  };
}

function sync(cursor: string): SyncMeta {
  return {
    key: 'sync',
    venueId: 'demo-bistro',
    cursor,
    scopes: ['venue'],
    target: 'https://relay.test',
    snapshotSeq: 0,
    lastSyncAt: 1,
  };
}

/** The bucket records a set of ids lives in. */
const bucketsOf = (ids: readonly string[]): number => new Set(ids.map(bucketOf)).size;

const tables = (n: number, version = 1): SnapshotRecord[] =>
  Array.from({ length: n }, (_, i) => table(`t-${String(i).padStart(4, '0')}`, version));

describe('local-db (hearth-cache)', () => {
  let name = '';
  let db: LocalDb;

  beforeEach(async () => {
    name = `hearth-cache-test-${crypto.randomUUID()}`;
    db = await openLocalDb(name);
  });

  afterEach(async () => {
    db.close();
    await deleteDB(name);
  });

  it('stores a snapshot with its cursor, and reads kinds and single entities back', async () => {
    const stats = await replaceAll(db, tables(3), sync('c-1'));
    expect(stats).to.deep.equal({
      kinds: ['table'],
      puts: 3,
      deletes: 0,
      records: bucketsOf(['t-0000', 't-0001', 't-0002']),
    });
    expect((await readKind(db, 'table')).map((t) => t.id)).to.deep.equal([
      't-0000',
      't-0001',
      't-0002',
    ]);
    expect(await readEntity(db, 'table', 't-0001')).to.deep.include({ id: 't-0001', version: 1 });
    expect(await readEntity(db, 'table', 'nope')).to.equal(undefined);
    expect(await readKind(db, 'order')).to.deep.equal([]);
    expect((await readSync(db))?.cursor).to.equal('c-1');
  });

  it('coalesces N updates to one entity into one put, and a tombstone into one delete', async () => {
    await replaceAll(db, tables(2), sync('c-1'));
    const entries: FeedEntry[] = [];
    for (let v = 2; v <= 51; v++) entries.push(upsert(v, 't-0000', v, v));
    entries.push({ seq: 52, entity: 'table', id: 't-0001', op: 'tombstone', version: 2, at });
    const batch = coalesce(entries);
    expect(batch.changes).to.have.length(2);

    const stats = await applyChanges(db, batch.changes, sync('c-2'), { expectCursor: 'c-1' });
    expect(stats).to.deep.equal({
      kinds: ['table'],
      ids: { table: ['t-0000', 't-0001'] },
      puts: 1,
      deletes: 1,
      records: bucketsOf(['t-0000', 't-0001']),
    });
    expect(await readEntity(db, 'table', 't-0000')).to.deep.include({ version: 51, seats: 51 });
    expect(await readEntity(db, 'table', 't-0001')).to.equal(undefined);
    expect((await readSync(db))?.cursor).to.equal('c-2');
  });

  it('keeps project’s version rules inside a batch (a stale repeat never wins)', () => {
    const batch = coalesce([upsert(5, 'a', 3), upsert(6, 'a', 2), upsert(7, 'a', 3)]);
    expect(batch.changes).to.have.length(1);
    expect(batch.changes[0]).to.deep.include({ op: 'put', version: 3 });
  });

  it('leaves data AND cursor as they were when the tab dies mid-apply', async () => {
    await replaceAll(db, tables(5), sync('c-1'));
    const changes = coalesce(tables(5, 2).map((r, i) => upsert(10 + i, r.data.id, 2, 9))).changes;
    let failure: unknown;
    try {
      await applyChanges(db, changes, sync('c-2'), {
        onWrite: (written) => {
          // Some buckets' writes issued, the cursor's not yet: the tab dies.
          if (written >= 3) throw new Error('tab closed');
        },
      });
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(Error).with.property('message', 'tab closed');
    const after = await readKind(db, 'table');
    expect(after.map((t) => t.version)).to.deep.equal([1, 1, 1, 1, 1]);
    expect((await readSync(db))?.cursor).to.equal('c-1');
  });

  it('refuses a batch read after a cursor that is no longer the stored one', async () => {
    await replaceAll(db, tables(1), sync('c-1'));
    const changes = coalesce([upsert(2, 't-0000', 2)]).changes;
    let failure: unknown;
    try {
      await applyChanges(db, changes, sync('c-3'), { expectCursor: 'c-2' });
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(LocalDbError).with.property('code', 'CURSOR_MOVED');
    expect(await readEntity(db, 'table', 't-0000')).to.deep.include({ version: 1 });
    expect((await readSync(db))?.cursor).to.equal('c-1');
  });

  it('swaps a snapshot in one transaction: readers see the old cache or the new, never empty', async () => {
    await replaceAll(db, tables(400), sync('c-1'));
    // The new snapshot: 150 kept, 100 changed, 150 gone, 50 new.
    const next = [
      ...tables(250).map((r, i) => (i < 150 ? r : table(r.data.id, 2, 8))),
      ...Array.from({ length: 50 }, (_, i) => table(`n-${i}`, 1)),
    ];
    const reader = await openLocalDb(name);
    const seen = new Set<number>();
    let swapping = true;
    const sampling = (async () => {
      while (swapping) seen.add(await countEntities(reader));
    })();
    const stats = await replaceAll(db, next, sync('c-9'));
    swapping = false;
    await sampling;
    reader.close();

    expect(stats).to.deep.include({ kinds: ['table'], puts: 150, deletes: 150 });
    expect(stats.records).to.be.within(1, BUCKETS);
    expect(await countEntities(db)).to.equal(300);
    expect(seen.has(400)).to.equal(true);
    expect(
      [...seen].every((n) => n === 400 || n === 300),
      `counts seen: ${[...seen]}`,
    ).to.equal(true);
    expect((await readSync(db))?.cursor).to.equal('c-9');
  });

  it('keeps a kind in bucket records: a snapshot is a few puts, a change rewrites its bucket', async () => {
    const snapshot = tables(1000);
    const first = await replaceAll(db, snapshot, sync('c-1'));
    expect(first).to.deep.include({ puts: 1000, deletes: 0 });
    expect(first.records).to.equal(bucketsOf(snapshot.map((r) => r.data.id)));
    expect(first.records).to.be.at.most(BUCKETS);
    // Read back across buckets in id order, one at a time, and counted.
    const ids = (await readKind(db, 'table')).map((t) => t.id);
    expect(ids).to.deep.equal(snapshot.map((r) => r.data.id));
    expect(await readEntity(db, 'table', 't-0999')).to.deep.include({ id: 't-0999' });
    expect(await countEntities(db, 'table')).to.equal(1000);
    expect(await countEntities(db, 'order')).to.equal(0);

    // The same snapshot again: nothing to write.
    const again = await replaceAll(db, snapshot, sync('c-2'));
    expect(again).to.deep.equal({ kinds: [], puts: 0, deletes: 0, records: 0 });

    // One entity changed: its bucket alone is rewritten; its neighbours are kept.
    const changes = coalesce([upsert(3, 't-0500', 2, 9)]).changes;
    const one = await applyChanges(db, changes, sync('c-3'), { expectCursor: 'c-2' });
    expect(one).to.deep.equal({
      kinds: ['table'],
      ids: { table: ['t-0500'] },
      puts: 1,
      deletes: 0,
      records: 1,
    });
    expect(await readEntity(db, 'table', 't-0500')).to.deep.include({ seats: 9, version: 2 });
    expect(await countEntities(db)).to.equal(1000);

    // The last entity of a bucket deleted: the bucket record goes with it.
    const alone = snapshot
      .map((r) => r.data.id)
      .filter((id) => bucketOf(id) === bucketOf('t-0001'));
    const gone = await applyChanges(
      db,
      coalesce(
        alone.map((id, i) => ({
          seq: 10 + i,
          entity: 'table' as const,
          id,
          op: 'tombstone' as const,
          version: 5,
          at,
        })),
      ).changes,
      sync('c-4'),
    );
    expect(gone).to.deep.include({ deletes: alone.length, records: 1 });
    expect(await db.get('buckets', ['table', bucketOf('t-0001')])).to.equal(undefined);
    expect(await countEntities(db)).to.equal(1000 - alone.length);
  });

  it('drops a version-1 cache (one record per entity) with its cursor, keeping device and session', async () => {
    const old = `hearth-cache-v1-${crypto.randomUUID()}`;
    const principal = {
      kind: 'staff' as const,
      tenantId: 'demo',
      venueId: 'demo-bistro',
      actorId: 'server-1',
      role: 'server' as const,
    };
    const v1 = await openDB(old, 1, {
      upgrade(made) {
        const entities = made.createObjectStore('entities', { keyPath: ['kind', 'id'] });
        entities.createIndex('byKind', 'kind');
        made.createObjectStore('meta', { keyPath: 'key' });
      },
    });
    await v1.put('entities', { kind: 'table', id: 't-1', version: 1, data: table('t-1', 1).data });
    await v1.put('meta', sync('c-old'));
    await v1.put('meta', { key: 'device', deviceId: '01JDQ3X4Y5Z6A7B8C9D0E1F2G3' });
    await v1.put('meta', { key: 'session', principal });
    v1.close();

    const upgraded = await openLocalDb(old);
    try {
      expect([...upgraded.objectStoreNames].sort()).to.deep.equal(['buckets', 'meta']);
      expect(await readSync(upgraded)).to.equal(undefined);
      expect(await countEntities(upgraded)).to.equal(0);
      expect(await ensureDeviceId(upgraded)).to.equal('01JDQ3X4Y5Z6A7B8C9D0E1F2G3');
      expect(await readSession(upgraded)).to.deep.equal(principal);
    } finally {
      upgraded.close();
      await deleteDB(old);
    }
  });

  it('makes the deviceId once per install and keeps the session principal (no token)', async () => {
    const first = await ensureDeviceId(db);
    expect(first).to.match(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    const again = await openLocalDb(name);
    expect(await ensureDeviceId(again)).to.equal(first);
    again.close();

    expect(await readSession(db)).to.equal(undefined);
    const principal = {
      kind: 'staff' as const,
      tenantId: 'demo',
      venueId: 'demo-bistro',
      actorId: 'server-1',
      role: 'server' as const,
    };
    await writeSession(db, principal);
    expect(await readSession(db)).to.deep.equal(principal);
    await writeSession(db, null);
    expect(await readSession(db)).to.equal(undefined);
  });
});
