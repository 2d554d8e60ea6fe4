import { expect } from '@esm-bundle/chai';
import { deleteDB } from 'idb';
import type { FeedEntry, FeedPage } from '#protocol';
import {
  bucketOf,
  countEntities,
  type LocalDb,
  openLocalDb,
  readEntity,
  readKind,
  readSync,
} from '../../web/device/local-db.ts';
import type { Broadcast } from '../../web/device/messages.ts';
import { Hydrator } from '../../web/hydrator/hydrator.ts';
import type { HydratorStartOptions } from '../../web/hydrator/hydrator-api.ts';
import { DEFAULT_HYDRATOR_SETTINGS, realClock } from '../../web/hydrator/hydrator-deps.ts';
import { FakeFeedServer, fakeNetwork } from '../../web/hydrator/testing/fake-feed-server.ts';
import { waitFor } from '../support/wait-for.ts';

// The hydrator in the page, against in-memory origins passed as its fetch and WebSocket: the
// whole sync loop over Chromium's real IndexedDB, Web Locks and timers.

const VENUE = 'demo-bistro';
const RELAY = 'https://relay.test';
const CLOUD = 'https://cloud.test';

const table = (id: string, seats = 4) => ({ id, label: id, seats });
const menuItem = (id: string) => ({
  id,
  categoryId: 'mains',
  name: id,
  description: '',
  price: 1000,
  station: 'grill',
  modifierIds: [],
  available: true,
});

/** True once a request for the lock `name` waits behind its holder, as the lock manager says. */
async function queuedBehindHolder(name: string): Promise<boolean> {
  const { held = [], pending = [] } = await navigator.locks.query();
  return held.some((lock) => lock.name === name) && pending.some((lock) => lock.name === name);
}

describe('hydrator: feed → IndexedDB', () => {
  let dbName = '';
  let lockName = '';
  let relay: FakeFeedServer;
  let cloud: FakeFeedServer;
  let messages: Broadcast[];
  let running: Hydrator[];
  let db: LocalDb;
  let maxBatchEntries = DEFAULT_HYDRATOR_SETTINGS.maxBatchEntries;

  function hydrator(): Hydrator {
    const network = fakeNetwork(relay, cloud);
    const made = new Hydrator({
      fetch: network.fetch,
      WebSocket: network.WebSocket,
      // Real time, short waits: backoff is capped at 20 ms here.
      clock: {
        now: () => Date.now(),
        sleep: (ms, signal) => realClock.sleep(Math.min(ms, 20), signal),
      },
      random: () => 0.5,
      locks: navigator.locks,
      channel: { postMessage: (message) => messages.push(message) },
      openDb: () => openLocalDb(dbName),
      defaultOrigin: RELAY,
      settings: {
        ...DEFAULT_HYDRATOR_SETTINGS,
        lockName,
        maxBatchEntries,
        waitSeconds: 0.05,
        socketRetry: { baseMs: 60_000, maxMs: 60_000 },
      },
    });
    running.push(made);
    return made;
  }

  async function started(options: Partial<HydratorStartOptions> = {}): Promise<Hydrator> {
    const h = hydrator();
    await h.start({ venueId: VENUE, scopes: ['venue'], ...options });
    return h;
  }

  // The socket is open (connected_*), not merely being opened.
  const live = (h: Hydrator) =>
    waitFor(
      'live',
      () => h.status().phase === 'live' && h.status().connectivity.startsWith('connected'),
    );
  const requests = (server: FakeFeedServer, path: string) =>
    server.requests.filter((r) => r.path.endsWith(path));

  beforeEach(async () => {
    dbName = `hearth-cache-test-${crypto.randomUUID()}`;
    lockName = `hearth-hydrator-test-${crypto.randomUUID()}`;
    relay = new FakeFeedServer({ origin: RELAY, kind: 'relay', venueId: VENUE, pageSize: 50 });
    cloud = new FakeFeedServer({ origin: CLOUD, kind: 'cloud', venueId: VENUE, pageSize: 50 });
    for (const server of [relay, cloud]) {
      for (const id of ['t-1', 't-2', 't-3']) server.upsert('table', table(id));
      server.upsert('menuItem', menuItem('burger'));
    }
    messages = [];
    running = [];
    maxBatchEntries = DEFAULT_HYDRATOR_SETTINGS.maxBatchEntries;
    db = await openLocalDb(dbName);
  });

  afterEach(async () => {
    await Promise.all(running.map((h) => h.stop()));
    db.close();
    await deleteDB(dbName);
  });

  it('bootstraps: stores the scoped snapshot and its cursor, then goes live', async () => {
    const h = await started();
    await live(h);

    expect((await readKind(db, 'table')).map((t) => t.id)).to.deep.equal(['t-1', 't-2', 't-3']);
    expect(await readKind(db, 'menuItem')).to.deep.equal([]);
    const sync = await readSync(db);
    expect(sync).to.deep.include({ venueId: VENUE, scopes: ['venue'], target: RELAY });
    expect(sync?.cursor).to.equal(relay.cursorAt(relay.head, ['venue']));
    expect(h.status()).to.deep.include({ role: 'leader', bootstraps: 1, target: 'relay' });
    expect(messages).to.deep.include({ type: 'entities-changed', kinds: ['table'] });
    expect(messages.filter((m) => m.type === 'connectivity').at(-1)).to.deep.include({
      state: 'connected_relay',
      target: 'relay',
    });
    expect(requests(relay, '/snapshot')[0]?.query.get('scopes')).to.equal('venue');
  });

  it('learns it is a venue relay once live, when its first /healthz went unanswered', async () => {
    relay.healthFailures = 1;
    const h = await started();
    await live(h);
    await waitFor('the relay known', () => h.status().connectivity === 'connected_relay');
    expect(messages.filter((m) => m.type === 'connectivity').at(-1)).to.deep.include({
      state: 'connected_relay',
      target: 'relay',
    });
    expect(requests(relay, '/healthz').length).to.equal(2);
  });

  it('applies live frames (upserts and tombstones) with their cursor', async () => {
    const h = await started();
    await live(h);
    relay.upsert('table', table('t-4'));
    relay.upsert('table', table('t-2', 6));
    relay.tombstone('table', 't-1');
    relay.upsert('menuItem', menuItem('fries')); // scoped out: no frame; the heartbeat covers it

    await waitFor('t-1 gone', async () => (await readEntity(db, 'table', 't-1')) === undefined);
    relay.heartbeat();
    await waitFor(
      'cursor at head',
      async () => (await readSync(db))?.cursor === relay.cursorAt(relay.head, ['venue']),
    );
    expect((await readKind(db, 'table')).map((t) => [t.id, t.seats])).to.deep.equal([
      ['t-2', 6],
      ['t-3', 4],
      ['t-4', 4],
    ]);
    expect(await readKind(db, 'menuItem')).to.deep.equal([]);
    // Each live write names what it touched, so the screens re-read just those.
    const named = messages.flatMap((m) =>
      m.type === 'entities-changed' && m.ids ? (m.ids.table ?? []) : [],
    );
    expect([...new Set(named)].sort()).to.deep.equal(['t-1', 't-2', 't-4']);
  });

  it('coalesces a burst: 50 updates to one entity are one put, a tombstone one delete', async () => {
    const h = await started();
    await live(h);
    relay.commit(() => {
      for (let seats = 1; seats <= 50; seats++) relay.upsert('table', table('t-1', seats));
      relay.tombstone('table', 't-2');
    });
    await waitFor(
      'burst applied',
      async () => (await readEntity(db, 'table', 't-1'))?.seats === 50,
    );
    expect(h.status().lastBatch).to.deep.equal({
      entries: 51,
      puts: 1,
      deletes: 1,
      records: new Set([bucketOf('t-1'), bucketOf('t-2')]).size,
    });
    expect(await readEntity(db, 'table', 't-1')).to.deep.include({ version: 51 });
    expect(await readEntity(db, 'table', 't-2')).to.equal(undefined);
  });

  it('long-polls /feed when the socket will not open, and says degraded', async () => {
    relay.refuseSockets = true;
    const h = await started();
    await waitFor('polling', () => h.status().phase === 'polling');
    relay.upsert('table', table('t-9'));
    await waitFor('t-9 applied', async () => (await readEntity(db, 'table', 't-9')) !== undefined);
    expect(requests(relay, '/feed').length).to.be.greaterThan(0);
    expect(messages.filter((m) => m.type === 'connectivity').at(-1)).to.deep.include({
      state: 'degraded',
    });
  });

  it('refuses a /feed page with a malformed entry: nothing written, cursor kept, then recovers', async () => {
    relay.refuseSockets = true;
    const h = await started();
    await waitFor('polling', () => h.status().phase === 'polling');
    const before = (await readSync(db))?.cursor;
    // The envelope of a superseded entry is broken (seq 0): the whole page is refused.
    relay.mangleFeedPage = (page) => ({
      ...page,
      entries: page.entries.map((e, i) => (i === 0 ? { ...e, seq: 0 } : e)),
    });
    relay.commit(() => {
      relay.upsert('table', table('t-1', 7));
      relay.upsert('table', table('t-1', 8));
    });
    await waitFor('refused', () => h.status().lastFailure?.code === 'BAD_RESPONSE');
    expect(h.status().lastFailure?.detail).to.match(/entries\[0\]\.seq/);
    expect(await readEntity(db, 'table', 't-1')).to.deep.include({ seats: 4 });
    expect((await readSync(db))?.cursor).to.equal(before);

    relay.mangleFeedPage = undefined;
    await waitFor('applied', async () => (await readEntity(db, 'table', 't-1'))?.seats === 8);
    expect((await readSync(db))?.cursor).to.equal(relay.cursorAt(relay.head, ['venue']));
  });

  it('parses the entity that survives a catch-up: a bad one refuses the step, a superseded one is dropped', async () => {
    relay.refuseSockets = true;
    const h = await started();
    await waitFor('polling', () => h.status().phase === 'polling');
    const before = (await readSync(db))?.cursor;
    const badSeats = (page: FeedPage, id: string, version: number): FeedPage => ({
      ...page,
      entries: page.entries.map((e) =>
        e.op === 'upsert' && e.id === id && e.version === version
          ? ({ ...e, data: { ...e.data, seats: 'many' } } as unknown as FeedEntry)
          : e,
      ),
    });
    // t-2's last version (v2) does not fit the table schema: nothing of the step is written.
    relay.mangleFeedPage = (page) => badSeats(page, 't-2', 2);
    relay.commit(() => {
      relay.upsert('table', table('t-1', 9));
      relay.upsert('table', table('t-2', 5));
    });
    await waitFor('refused', () => h.status().lastFailure?.code === 'BAD_RESPONSE');
    expect(h.status().lastFailure?.detail).to.match(/table t-2 v2: seats/);
    expect(await readEntity(db, 'table', 't-1')).to.deep.include({ seats: 4 });
    expect(await readEntity(db, 'table', 't-2')).to.deep.include({ seats: 4 });
    expect((await readSync(db))?.cursor).to.equal(before);

    // A bad version superseded in the same step (by v3) is never written, so never parsed.
    relay.upsert('table', table('t-2', 6));
    await waitFor('applied', async () => (await readEntity(db, 'table', 't-2'))?.seats === 6);
    expect(await readEntity(db, 'table', 't-1')).to.deep.include({ seats: 9 });
    expect((await readSync(db))?.cursor).to.equal(relay.cursorAt(relay.head, ['venue']));
  });

  it('folds a backlog the socket replays into one transaction, not one per take', async () => {
    const first = await started();
    await live(first);
    await first.stop();
    // 300 entries while away: the socket replays them as 6 frames of 50, at once.
    relay.commit(() => {
      for (let i = 1; i <= 300; i++)
        relay.upsert('table', table(`t-${1 + (i % 3)}`, 1 + (i % 100)));
    });
    maxBatchEntries = 50; // one frame per take
    const before = first.status().batches;
    const second = await started();
    await waitFor(
      'caught up',
      async () => (await readSync(db))?.cursor === relay.cursorAt(relay.head, ['venue']),
    );
    // The first frame is written as it comes; the rest, queued meanwhile, in one go.
    expect(second.status().batches - before).to.be.at.most(3);
    expect(second.status().lastBatch?.entries).to.be.at.least(200);
    expect((await readKind(db, 'table')).map((t) => t.seats)).to.deep.equal([1, 99, 100]);
  });

  it('refuses a live frame with a malformed entry envelope: the socket is closed, nothing written', async () => {
    const h = await started();
    await live(h);
    const before = (await readSync(db))?.cursor;
    relay.mangleLiveFrame = (frame) =>
      frame.type === 'entries'
        ? { ...frame, entries: (frame.entries as FeedEntry[]).map((e) => ({ ...e, at: 'now' })) }
        : frame;
    relay.upsert('table', table('t-1', 9));
    await waitFor('refused', () => h.status().lastFailure?.code === 'BAD_FRAME');
    expect(h.status().lastFailure?.detail).to.match(/entries\[0\]\.at/);
    expect(await readEntity(db, 'table', 't-1')).to.deep.include({ seats: 4 });
    expect((await readSync(db))?.cursor).to.equal(before);

    relay.mangleLiveFrame = undefined;
    await waitFor('applied', async () => (await readEntity(db, 'table', 't-1'))?.seats === 9);
  });

  it('refuses a live take whose surviving entity does not fit its schema: nothing written', async () => {
    const h = await started();
    await live(h);
    const before = (await readSync(db))?.cursor;
    relay.mangleLiveFrame = (frame) =>
      frame.type === 'entries'
        ? {
            ...frame,
            entries: (frame.entries as FeedEntry[]).map((e) =>
              e.op === 'upsert' && e.id === 't-2' ? { ...e, data: { ...e.data, seats: -1 } } : e,
            ),
          }
        : frame;
    relay.commit(() => {
      relay.upsert('table', table('t-1', 9));
      relay.upsert('table', table('t-2', 5));
    });
    await waitFor('refused', () => h.status().lastFailure?.code === 'BAD_RESPONSE');
    expect(h.status().lastFailure?.detail).to.match(/table t-2 v2: seats/);
    expect(await readEntity(db, 'table', 't-1')).to.deep.include({ seats: 4 });
    expect((await readSync(db))?.cursor).to.equal(before);

    relay.mangleLiveFrame = undefined;
    await waitFor('applied', async () => (await readEntity(db, 'table', 't-2'))?.seats === 5);
    expect(await readEntity(db, 'table', 't-1')).to.deep.include({ seats: 9 });
  });

  it('resumes from the stored cursor after a restart, with no new snapshot', async () => {
    const first = await started();
    await live(first);
    await first.stop();
    const stored = (await readSync(db))?.cursor;
    relay.upsert('table', table('t-5'));
    relay.tombstone('table', 't-3');

    const second = await started();
    await waitFor('t-5 applied', async () => (await readEntity(db, 'table', 't-5')) !== undefined);
    expect(await readEntity(db, 'table', 't-3')).to.equal(undefined);
    expect(requests(relay, '/snapshot')).to.have.length(1);
    expect(requests(relay, '/live').at(-1)?.query.get('cursor')).to.equal(stored);
    expect(second.status().bootstraps).to.equal(0);
  });

  it('on 410 re-bootstraps with no empty moment: one swap, stale entities deleted', async () => {
    for (let i = 0; i < 300; i++) relay.upsert('table', table(`x-${i}`));
    const first = await started();
    await live(first);
    await first.stop();
    expect(await countEntities(db)).to.equal(303);

    // A reset: 150 tables gone, one changed; old cursors now answer 410.
    relay.reset((entities) => {
      for (let i = 0; i < 150; i++) entities.delete(`table:x-${i}`);
      entities.set('table:t-1', { entity: 'table', data: { ...table('t-1', 9), version: 7 } });
    });
    relay.snapshotDelayMs = 30;
    const seen = new Set<number>();
    let sampling = true;
    const sampler = (async () => {
      const reader = await openLocalDb(dbName);
      while (sampling) seen.add(await countEntities(reader));
      reader.close();
    })();

    const second = await started();
    await waitFor('re-bootstrapped', () => second.status().bootstraps === 1);
    await live(second);
    sampling = false;
    await sampler;

    expect(second.status().lastFailure).to.deep.include({
      code: 'CURSOR_EXPIRED',
      action: 're_bootstrap',
    });
    expect(seen.has(303)).to.equal(true);
    expect(
      [...seen].every((n) => n === 303 || n === 153),
      `counts seen: ${[...seen]}`,
    ).to.equal(true);
    expect(await countEntities(db)).to.equal(153);
    expect(await readEntity(db, 'table', 'x-0')).to.equal(undefined);
    expect(await readEntity(db, 'table', 't-1')).to.deep.include({ seats: 9, version: 7 });
    expect((await readSync(db))?.cursor).to.equal(relay.cursorAt(relay.head, ['venue']));
  });

  it('on a live 4010 (stream reset) re-bootstraps in place', async () => {
    const h = await started();
    await live(h);
    relay.reset((entities) => entities.delete('table:t-2'));
    await waitFor(
      're-bootstrapped',
      () => h.status().bootstraps === 2 && h.status().phase === 'live',
    );
    expect(await readEntity(db, 'table', 't-2')).to.equal(undefined);
    expect(await countEntities(db)).to.equal(2);
  });

  it('on 4008 (too slow) resumes from its cursor without a snapshot', async () => {
    const h = await started();
    await live(h);
    relay.closeSockets(4008);
    relay.upsert('table', table('t-8'));
    await waitFor('t-8 applied', async () => (await readEntity(db, 'table', 't-8')) !== undefined);
    expect(requests(relay, '/snapshot')).to.have.length(1);
    expect(requests(relay, '/live').length).to.be.greaterThan(1);
    expect(h.status().bootstraps).to.equal(1);
  });

  it('never takes a relay cursor to the cloud: a new target re-bootstraps', async () => {
    const first = await started({ baseUrl: RELAY });
    await live(first);
    await first.stop();
    cloud.upsert('table', table('c-1'));

    const second = await started({ baseUrl: `${CLOUD}/` });
    await live(second);
    const cloudVenueRequests = cloud.requests.filter((r) => r.path.startsWith('/v1/'));
    expect(cloudVenueRequests[0]?.path).to.equal(`/v1/venues/${VENUE}/snapshot`);
    for (const r of cloudVenueRequests) {
      const cursor = r.query.get('cursor');
      if (cursor !== null)
        expect(cloud.check(cursor, ['venue']).ok, 'a cloud cursor').to.equal(true);
    }
    expect(await readSync(db)).to.deep.include({ target: CLOUD });
    expect(await readEntity(db, 'table', 'c-1')).to.not.equal(undefined);
    expect(second.status()).to.deep.include({ target: 'cloud', connectivity: 'connected_cloud' });
  });

  it('re-bootstraps when the scope set changes', async () => {
    const first = await started({ scopes: ['venue'] });
    await live(first);
    await first.stop();
    const second = await started({ scopes: ['menu', 'venue', 'menu'] });
    await live(second);
    expect((await readKind(db, 'menuItem')).map((m) => m.id)).to.deep.equal(['burger']);
    expect(await readSync(db)).to.deep.include({ scopes: ['menu', 'venue'] });
    expect(second.status().bootstraps).to.equal(1);
  });

  it('keeps the cache and says offline while the target is unreachable, then recovers', async () => {
    const first = await started();
    await live(first);
    await first.stop();
    relay.offline = true;
    messages.length = 0;

    const second = await started();
    await waitFor('unreachable', () => second.status().lastFailure?.code === 'NETWORK');
    expect(second.status().connectivity).to.equal('offline');
    const said = messages.filter((m) => m.type === 'connectivity');
    expect(said.at(-1)).to.deep.include({
      state: 'offline',
      lastSyncAt: second.status().lastSyncAt,
    });
    expect(second.status().lastSyncAt).to.be.a('number');
    expect(await countEntities(db)).to.equal(3);

    relay.offline = false;
    relay.upsert('table', table('t-7'));
    await waitFor('t-7 applied', async () => (await readEntity(db, 'table', 't-7')) !== undefined);
    expect(second.status().connectivity).to.equal('connected_relay');
  });

  it('has one leader across tabs: the next waits on the lock and takes over', async () => {
    const leader = await started();
    await live(leader);
    const follower = await started();
    await waitFor('the follower queued for the lock', () => queuedBehindHolder(lockName));
    expect(follower.status().role).to.equal('waiting');
    expect(leader.status().role).to.equal('leader');
    expect(requests(relay, '/live')).to.have.length(1);

    await leader.stop();
    await waitFor('follower leads', () => follower.status().role === 'leader');
    relay.upsert('table', table('t-6'));
    await waitFor('t-6 applied', async () => (await readEntity(db, 'table', 't-6')) !== undefined);
    expect(requests(relay, '/snapshot')).to.have.length(1);
  });
});
