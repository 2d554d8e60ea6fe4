import { expect } from '@esm-bundle/chai';
import { deleteDB } from 'idb';
import type { Operation } from '#protocol';
import { OutboxStore } from '../../web/device/outbox-store.ts';
import { type OutboxEntry, outboxCounts } from '../../web/device/outbox-types.ts';
import { callWaiter, due, entryFor, freshStore, rejectionOf, T0 } from './outbox-fixtures.ts';

// The outbox's answers log (outbox-db.ts): a replay's answers stored as one record per batch,
// read over the entries by every read until they are folded in. Checked against what is
// really in IndexedDB, through a raw connection of its own.

function raw(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(name);
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
}

/** Every record of one store, as stored (no answers applied). */
async function stored(name: string, store: 'ops' | 'answers'): Promise<Record<string, unknown>[]> {
  const db = await raw(name);
  try {
    return await new Promise((resolve, reject) => {
      const request = db.transaction(store).objectStore(store).getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

async function putRaw(name: string, store: 'answers', value: unknown): Promise<void> {
  const db = await raw(name);
  try {
    const tx = db.transaction(store, 'readwrite');
    tx.objectStore(store).put(value);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

const synced = (entry: OutboxEntry): OutboxEntry => ({
  ...entry,
  status: 'synced',
  result: {
    opId: entry.opId,
    status: 'applied',
    seq: 7,
    changed: [],
    at: '2026-11-22T18:00:00.010Z',
  },
  settledAt: T0 + 10,
});

const failed = (entry: OutboxEntry, code = 'FORBIDDEN'): OutboxEntry => ({
  ...entry,
  status: 'failed',
  lastError: { code, message: 'not for this device' },
  settledAt: T0 + 10,
});

describe('outbox answers log', () => {
  let store: OutboxStore;
  let name: string;
  let dispose: () => Promise<void>;
  let entries: OutboxEntry[];
  let ops: Operation[];

  beforeEach(async () => {
    ({ store, name, dispose } = await freshStore({ cap: 4 }));
    ops = [await callWaiter('table-1'), await callWaiter('table-2'), await callWaiter('table-3')];
    entries = [];
    for (const op of ops) entries.push((await store.add(op, T0)).entry);
  });

  afterEach(async () => {
    await dispose();
  });

  const [a, b, c] = [0, 1, 2];
  const at = (i: number) => entries[i] as OutboxEntry;

  it('stores a batch of answers as one record, and every read sees them over the entries', async () => {
    await store.settle([synced(at(a)), failed(at(b))]);

    // As stored: one record in the log, the entries untouched.
    expect(await stored(name, 'answers')).to.have.length(1);
    expect((await stored(name, 'ops')).map((e) => e.status)).to.deep.equal([
      'pending',
      'pending',
      'pending',
    ]);
    // As read, by every kind of read, on this connection and on a new one.
    const reopened = await OutboxStore.open({ name });
    try {
      for (const s of [store, reopened]) {
        expect((await s.list()).map((e) => e.status)).to.deep.equal([
          'synced',
          'failed',
          'pending',
        ]);
        expect(await s.get(ops[a]?.opId ?? '')).to.deep.equal(synced(at(a)));
        expect(await s.waiting()).to.deep.equal({ depth: 1, held: 0, nextAttemptAt: T0 });
        expect((await s.queued(T0)).map((e) => e.opId)).to.deep.equal([ops[b]?.opId, ops[c]?.opId]);
        expect((await due(s, T0, 10)).map((e) => e.opId)).to.deep.equal([ops[c]?.opId]);
        expect(outboxCounts(await s.list(), T0)).to.include({ synced: 1, failedOps: 1, depth: 1 });
      }
    } finally {
      reopened.close();
    }
  });

  it('reads a later answer for an entry over an earlier one', async () => {
    await store.settle([{ ...at(a), tries: 1, nextAttemptAt: T0 + 5_000 }]);
    expect((await store.get(ops[a]?.opId ?? ''))?.tries).to.equal(1);
    await store.settle([synced({ ...at(a), tries: 1 })]);
    expect(await store.get(ops[a]?.opId ?? '')).to.deep.equal(synced({ ...at(a), tries: 1 }));
  });

  it('folds the log into the entries: the same reads, the log empty', async () => {
    await store.settle([synced(at(a))]);
    await store.settle([failed(at(b))]);
    const before = await store.list();

    expect(await store.fold()).to.equal(2);

    expect(await stored(name, 'answers')).to.deep.equal([]);
    expect((await stored(name, 'ops')).map((e) => e.status)).to.deep.equal([
      'synced',
      'failed',
      'pending',
    ]);
    expect(await store.list()).to.deep.equal(before);
    expect(await store.fold()).to.equal(0);
  });

  it('folds the log before a write to an entry, so no entry is written under a newer answer', async () => {
    await store.settle([synced(at(a)), failed(at(b))]);

    const back = await store.retry(ops[b]?.opId ?? '', T0 + 20);

    expect(back).to.include({ status: 'pending', tries: 0, nextAttemptAt: T0 + 20 });
    expect(await stored(name, 'answers')).to.deep.equal([]);
    expect((await stored(name, 'ops')).map((e) => e.status)).to.deep.equal([
      'synced',
      'pending',
      'pending',
    ]);
  });

  it('adds an op without folding, and counts the queue against its cap through the log', async () => {
    await store.settle([synced(at(a))]);
    // cap 4: three queued minus one synced leaves room for two.
    await store.add(await callWaiter('table-4'), T0);
    await store.add(await callWaiter('table-5'), T0);
    const full = await rejectionOf(store.add(await callWaiter('table-6'), T0));
    expect(full).to.have.property('code', 'OUTBOX_FULL');
    expect(await stored(name, 'answers')).to.have.length(1);
    expect((await store.list()).map((e) => e.status)).to.deep.equal([
      'synced',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
  });

  it('ignores an answer for an entry no longer there: it is not brought back', async () => {
    await store.settle([failed(at(b))]);
    await store.discard(ops[b]?.opId ?? '');
    // A stale answer for the discarded entry (a replayer that lost its lease).
    await store.settle([synced(at(b))]);

    expect((await store.list()).map((e) => e.opId)).to.deep.equal([ops[a]?.opId, ops[c]?.opId]);
    expect(await store.get(ops[b]?.opId ?? '')).to.equal(undefined);
    expect(await store.fold()).to.equal(0);
    expect(await stored(name, 'ops')).to.have.length(2);
  });

  it('skips an unreadable answers record and drops it at the fold: its ops go again', async () => {
    await putRaw(name, 'answers', { id: 99, patches: [{ seq: at(a).seq, status: 'lost' }] });

    expect((await store.list()).map((e) => e.status)).to.deep.equal([
      'pending',
      'pending',
      'pending',
    ]);
    expect(await store.fold()).to.equal(0);
    expect(await stored(name, 'answers')).to.deep.equal([]);
    expect((await due(store, T0, 10)).map((e) => e.opId)).to.deep.equal(ops.map((o) => o.opId));
  });

  it('tells what was queued after a seq, and which watched failed ops a retry put back', async () => {
    expect(await store.queuedSince(at(c).seq, [])).to.deep.equal([]);
    const late = (await store.add(await callWaiter('table-4'), T0)).entry;
    await store.settle([failed(at(a))]);
    expect((await store.queuedSince(at(c).seq, [at(a).seq])).map((e) => e.opId)).to.deep.equal([
      late.opId,
    ]);

    await store.retry(ops[a]?.opId ?? '', T0);

    expect((await store.queuedSince(at(c).seq, [at(a).seq])).map((e) => e.opId)).to.deep.equal([
      late.opId,
      ops[a]?.opId,
    ]);
  });
});

describe('outbox database upgrade', () => {
  const name = `hearth-outbox-test-upgrade-${crypto.randomUUID()}`;

  afterEach(async () => {
    await deleteDB(name);
  });

  it('opens a version 1 database (no answers log) with its entries, and logs answers in it', async () => {
    // Version 1 as it was: ops (seq auto-increment; opId, status and lane indexes) and meta.
    const v1 = await new Promise<IDBDatabase>((resolve, reject) => {
      const opening = indexedDB.open(name, 1);
      opening.onupgradeneeded = () => {
        const ops = opening.result.createObjectStore('ops', {
          keyPath: 'seq',
          autoIncrement: true,
        });
        ops.createIndex('opId', 'opId', { unique: true });
        ops.createIndex('status', 'status');
        ops.createIndex('lane', 'lane');
        opening.result.createObjectStore('meta', { keyPath: 'key' });
      };
      opening.onsuccess = () => resolve(opening.result);
      opening.onerror = () => reject(opening.error);
    });
    const op = await callWaiter('table-1');
    const { seq, ...entry } = entryFor(op, { status: 'sending' });
    const tx = v1.transaction('ops', 'readwrite');
    tx.objectStore('ops').add(entry);
    await new Promise<void>((resolve) => {
      tx.oncomplete = () => resolve();
    });
    v1.close();

    const store = await OutboxStore.open({ name });
    try {
      const [kept] = await store.list();
      expect(kept).to.deep.equal({ ...entry, seq });
      // Left 'sending' by a replayer of version 1: it goes again.
      expect((await due(store, T0, 10)).map((e) => e.opId)).to.deep.equal([op.opId]);
      await store.settle([synced(kept as OutboxEntry)]);
      expect((await store.list()).map((e) => e.status)).to.deep.equal(['synced']);
    } finally {
      store.close();
    }
  });
});
