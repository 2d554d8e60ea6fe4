// The hydrator half of `npm run bench:pwa`, in a dedicated worker as the app runs it
// (web/hydrator/hydrator-worker.ts). Bundled by tests/bench/pwa-bench.ts with esbuild; plain
// JavaScript because tsconfig.json checks tests/ with Node's libs only.
//
// The real `Hydrator` is run against an in-memory origin whose answers (the snapshot, the feed
// pages of 1,000) are serialized BEFORE the clock starts: what is timed is the hydrator's own
// path — fetch → `response.json()` → checks (`Snapshot` zod; feed pages: the envelope check,
// then the entity schema once per surviving entity) → coalesce → one IndexedDB transaction per
// catch-up step of bucket records — not the fake server. Beside it, in the same worker: raw
// IndexedDB puts of the same bucket records the hydrator writes (the ceiling), raw puts of one
// record per entity (the old layout, for reference), and the parse steps alone.

import { FeedPage, newUlid, Snapshot } from '#protocol';
import { Coalescer } from '../../../web/device/local-coalesce.ts';
import { bucketsAfter, openLocalDb } from '../../../web/device/local-db.ts';
import { checkFeedPage } from '../../../web/hydrator/feed-check.ts';
import { Hydrator } from '../../../web/hydrator/hydrator.ts';
import { DEFAULT_HYDRATOR_SETTINGS, realClock } from '../../../web/hydrator/hydrator-deps.ts';

const ORIGIN = 'https://bench.invalid';
const VENUE = 'demo-bistro';
const CACHE_DB = 'hearth-bench-cache';
const CEILING_DB = 'hearth-bench-ceiling';
const AT = '2026-01-01T00:00:00.000Z';

/** A small deterministic PRNG (mulberry32), so every run writes the same feed. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const entityId = (i) => `bench-order-${String(i).padStart(6, '0')}`;

/** An order like the cloud's (the template is one the real cloud made), as entity `i`. */
function orderOf(template, i, version) {
  return {
    ...template,
    id: entityId(i),
    tableId: `table-${1 + (i % 12)}`,
    guestCount: 1 + (version % 6),
    version,
  };
}

function deleteDb(name) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
    // A connection still closing (its last transaction finishing) delays the delete: wait.
    request.onblocked = () => {};
  });
}

function txDone(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

/**
 * An origin that answers the snapshot and feed routes from prepared text. Sockets never open
 * (as when a proxy refuses upgrades), so the hydrator long-polls `/feed`, a page at a time.
 * `caughtUp` resolves, with the time, when the hydrator asks past the last page: everything
 * before it is committed (a page's transaction ends before the next request).
 */
function fakeOrigin({ snapshot, pages }) {
  let caughtUp;
  const done = new Promise((resolve) => {
    caughtUp = resolve;
  });
  // Encoded before the clock starts, as a network hands bytes over: the hydrator's
  // `response.json()` decodes and parses them (timed); making them is the server's work (not).
  const encoder = new TextEncoder();
  const snapshotBytes = snapshot ? encoder.encode(snapshot.text) : undefined;
  const byCursor = new Map(pages.map((page) => [page.after, encoder.encode(page.text)]));
  const last = pages.length > 0 ? pages[pages.length - 1].cursor : snapshot?.cursor;
  let socketAt = null;
  const fetch = async (input, init) => {
    const url = new URL(input);
    const ok = (bytes) =>
      new Response(bytes, { status: 200, headers: { 'content-type': 'application/json' } });
    if (url.pathname.endsWith('/snapshot')) return ok(snapshotBytes);
    if (url.pathname.endsWith('/feed')) {
      const cursor = url.searchParams.get('cursor');
      const text = byCursor.get(cursor);
      if (text !== undefined) return ok(text);
      if (cursor === last) caughtUp(performance.now());
      // Nothing new: hold the long-poll until the hydrator stops.
      return new Promise((_, reject) => {
        init?.signal?.addEventListener('abort', () =>
          reject(new DOMException('aborted', 'AbortError')),
        );
      });
    }
    return new Response('{}', { status: 404 });
  };
  class RefusedSocket extends EventTarget {
    constructor() {
      super();
      socketAt ??= performance.now();
      setTimeout(() => {
        this.dispatchEvent(new Event('error'));
        this.dispatchEvent(new CloseEvent('close', { code: 1006, reason: '' }));
      }, 0);
    }
    close() {}
  }
  return { fetch, WebSocket: RefusedSocket, caughtUp: done, socketAt: () => socketAt };
}

function hydratorWith(origin) {
  return new Hydrator({
    fetch: origin.fetch,
    WebSocket: origin.WebSocket,
    clock: realClock,
    random: Math.random,
    locks: navigator.locks,
    channel: { postMessage() {} },
    openDb: () => openLocalDb(CACHE_DB),
    defaultOrigin: ORIGIN,
    settings: { ...DEFAULT_HYDRATOR_SETTINGS, lockName: 'hearth-bench-hydrator' },
  });
}

const START = { venueId: VENUE, scopes: [], baseUrl: ORIGIN, target: 'cloud' };

function snapshotOf(template, count, cursor) {
  const records = [];
  for (let i = 0; i < count; i++) records.push({ entity: 'order', data: orderOf(template, i, 1) });
  const body = { venueId: VENUE, cursor, seq: 0, at: AT, records };
  return { cursor, count, text: JSON.stringify(body) };
}

/**
 * Raw IndexedDB: each batch of `records` put into a fresh store in one relaxed transaction.
 * `keyPath`: the cache's (['kind', 'bucket']) or the old one-record-per-entity layout's.
 */
async function rawPuts(recordBatches, keyPath) {
  await deleteDb(CEILING_DB);
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open(CEILING_DB, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore('entities', { keyPath });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    let puts = 0;
    const started = performance.now();
    for (const records of recordBatches) {
      const tx = db.transaction('entities', 'readwrite', { durability: 'relaxed' });
      const store = tx.objectStore('entities');
      for (const record of records) store.put(record);
      puts += records.length;
      await txDone(tx);
    }
    return { ms: performance.now() - started, puts };
  } finally {
    db.close();
    await deleteDb(CEILING_DB);
  }
}

function time(work) {
  const started = performance.now();
  const value = work();
  return { ms: performance.now() - started, value };
}

/** (c) A fresh cache bootstrapped from a snapshot of `count` entities, `runs` times. */
async function bootstrap({ template, count, runs }) {
  const snapshot = snapshotOf(template, count, 'snapshot-0');
  const times = [];
  for (let run = 0; run < runs; run++) {
    await deleteDb(CACHE_DB);
    const origin = fakeOrigin({ snapshot, pages: [] });
    const hydrator = hydratorWith(origin);
    const started = performance.now();
    await hydrator.start(START);
    // After the snapshot's transaction the hydrator opens the live socket: that is "done".
    while (origin.socketAt() === null) await new Promise((resolve) => setTimeout(resolve, 1));
    times.push(origin.socketAt() - started);
    const status = hydrator.status();
    await hydrator.stop();
    if (status.bootstraps !== 1 || status.lastBatch?.puts !== count) {
      throw new Error(`bootstrap wrote ${JSON.stringify(status.lastBatch)}`);
    }
  }
  await deleteDb(CACHE_DB);
  // The same bucket records the hydrator wrote, raw, in one transaction; the old layout's one
  // record per entity, also in one transaction (as the hydrator wrote them before); the parse
  // steps alone.
  const parsed = time(() => JSON.parse(snapshot.text));
  const validated = time(() => Snapshot.safeParse(parsed.value));
  if (!validated.value.success) throw new Error('snapshot does not parse');
  const changes = validated.value.data.records.map((r) => ({
    op: 'put',
    kind: r.entity,
    id: r.data.id,
    version: r.data.version,
    data: r.data,
    opId: undefined,
  }));
  const buckets = time(() => bucketsAfter(changes, () => undefined));
  const ceiling = await rawPuts([buckets.value], ['kind', 'bucket']);
  const records = changes.map(({ kind, id, version, data }) => ({ kind, id, version, data }));
  const batches = [records];
  const perEntity = await rawPuts(batches, ['kind', 'id']);
  return {
    times,
    ceilingMs: ceiling.ms,
    puts: ceiling.puts,
    entityMs: perEntity.ms,
    entityPuts: perEntity.puts,
    entityTx: batches.length,
    jsonMs: parsed.ms,
    zodMs: validated.ms,
    bucketMs: buckets.ms,
    bytes: snapshot.text.length,
  };
}

/** (b) A cache of `entities` entities catching up `entries` feed entries, pages of `pageSize`. */
async function catchUp({ template, entities, entries, pageSize, seed, runs = 1 }) {
  const snapshot = snapshotOf(template, entities, 'feed-0');
  const random = prng(seed);
  const versions = new Array(entities).fill(1);
  const pages = [];
  for (let seq = 1, n = 0; n < entries; n += pageSize) {
    const list = [];
    for (let k = 0; k < pageSize && n + k < entries; k++, seq++) {
      const i = Math.floor(random() * entities);
      versions[i] += 1;
      const data = orderOf(template, i, versions[i]);
      list.push({
        seq,
        entity: 'order',
        id: data.id,
        op: 'upsert',
        version: data.version,
        at: AT,
        opId: newUlid(),
        data,
      });
    }
    const after = `feed-${pages.length}`;
    const cursor = `feed-${pages.length + 1}`;
    const hasMore = n + pageSize < entries;
    pages.push({ after, cursor, text: JSON.stringify({ entries: list, cursor, hasMore }) });
  }

  const times = [];
  let status;
  for (let run = 0; run < runs; run++) {
    // Setup (not timed): the cache holds the snapshot and its cursor.
    await deleteDb(CACHE_DB);
    {
      const origin = fakeOrigin({ snapshot, pages: [] });
      const hydrator = hydratorWith(origin);
      await hydrator.start(START);
      while (origin.socketAt() === null) await new Promise((resolve) => setTimeout(resolve, 5));
      await hydrator.stop();
    }

    const origin = fakeOrigin({ snapshot, pages });
    const hydrator = hydratorWith(origin);
    const started = performance.now();
    await hydrator.start(START);
    const ended = await Promise.race([
      origin.caughtUp,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('catch-up took over 60 s')), 60_000),
      ),
    ]);
    status = hydrator.status();
    await hydrator.stop();
    await deleteDb(CACHE_DB);
    if (status.bootstraps !== 0) throw new Error('the catch-up bootstrapped instead');
    if (status.lastBatch?.puts !== entities) {
      throw new Error(`the catch-up wrote ${JSON.stringify(status.lastBatch)}`);
    }
    times.push(ended - started);
  }

  // The hydrator's steps alone: JSON.parse, the envelope check, the fold of all pages (one
  // catch-up step: CATCH_UP_PAGES ≥ 100), the entity schema on the survivors; zod's FeedPage
  // over every entry for reference (what the hydrator ran before).
  const parsed = time(() => pages.map((page) => JSON.parse(page.text)));
  const checked = time(() => parsed.value.map((page) => checkFeedPage(page)));
  if (checked.value.some((result) => !result.ok)) throw new Error('a page does not check');
  const folder = new Coalescer();
  const coalesced = time(() => {
    for (const result of checked.value) folder.add(result.page.entries);
  });
  const survivors = time(() => folder.batch());
  const zod = time(() => parsed.value.map((page) => FeedPage.safeParse(page)));
  if (zod.value.some((result) => !result.success)) throw new Error('a page does not parse');
  // What the hydrator wrote (bucket records, one transaction), raw; and the same survivors one
  // record per entity in one transaction (what the hydrator wrote before bucket records).
  const buckets = bucketsAfter(survivors.value.changes, () => undefined);
  const ceiling = await rawPuts([buckets], ['kind', 'bucket']);
  const perEntity = await rawPuts(
    [
      survivors.value.changes.map((change) => ({
        kind: change.kind,
        id: change.id,
        version: change.version,
        data: change.data,
      })),
    ],
    ['kind', 'id'],
  );
  return {
    times,
    pages: pages.length,
    records: status.lastBatch?.records ?? null,
    ceilingMs: ceiling.ms,
    puts: ceiling.puts,
    entityMs: perEntity.ms,
    entityPuts: perEntity.puts,
    jsonMs: parsed.ms,
    checkMs: checked.ms,
    coalesceMs: coalesced.ms,
    schemaMs: survivors.ms,
    survivors: survivors.value.changes.length,
    zodMs: zod.ms,
    bytes: pages.reduce((sum, page) => sum + page.text.length, 0),
  };
}

const handlers = { bootstrap, catchUp };

self.onmessage = async (event) => {
  const { id, kind, args } = event.data;
  try {
    self.postMessage({ id, ok: true, result: await handlers[kind](args) });
  } catch (error) {
    self.postMessage({ id, ok: false, error: error?.stack ?? String(error) });
  }
};
