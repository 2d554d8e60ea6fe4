import { describe, expect, it, vi } from 'vitest';
import {
  encodeBase64Url,
  type FeedEntry,
  FeedPage,
  type Operation,
  type Principal,
  Problem,
  Snapshot,
} from '#protocol';
import { guest, NOW, opOf, staff, VENUE } from '../../tests/protocol/support/venue-fixture.ts';
import { MemoryRelayStore } from '../store/memory-relay-store.ts';
import { RelayBus } from '../sync/feed-bus.ts';
import {
  bootstrappedEngine,
  lanDevices,
  offlineGate,
  testRelayKeys,
} from '../testing/lan-fixture.ts';
import { DeviceCheckpoints } from './feed-routes.ts';
import { createLanApp } from './lan-app.ts';
import { RelayLanAuthenticator } from './lan-authenticator.ts';
import { createLanCursors } from './lan-cursors.ts';
import { RelayMetrics } from './relay-metrics.ts';

const BASE = `/v1/venues/${VENUE}`;

async function makeRelay() {
  const { identity, signer } = await testRelayKeys;
  const store = new MemoryRelayStore();
  const bus = new RelayBus();
  const clock = () => new Date(NOW);
  const engine = await bootstrappedEngine(store, bus, clock);
  const checkpoints = new DeviceCheckpoints();
  const devices = lanDevices(engine, bus, clock);
  const cursors = await createLanCursors(identity, () => store.load().epoch);
  const app = createLanApp({
    identity,
    signer,
    store,
    engine,
    bus,
    gate: offlineGate,
    clock,
    authenticator: new RelayLanAuthenticator(identity, clock, devices),
    devices,
    cursors,
    checkpoints,
    maxBatchOps: 100,
    maxWaitSeconds: 30,
    version: 'test',
    log: () => {},
    metrics: new RelayMetrics(),
    status: () => ({ connectivity: 'offline_local' }),
  });
  const iat = Math.floor(Date.parse(NOW) / 1000);
  const as = async (principal: Principal): Promise<Record<string, string>> => {
    const scope = {
      tenantId: principal.tenantId,
      venueId: principal.venueId,
      iat,
      exp: iat + 3600,
    };
    const token = await signer.sign(
      principal.kind === 'staff'
        ? { kind: 'staff', sub: principal.actorId, role: principal.role, ...scope }
        : { kind: 'guest', sub: principal.sessionId, tableId: principal.tableId, ...scope },
    );
    return { Authorization: `Bearer ${token}` };
  };
  const headers = {
    manager: await as(staff('manager')),
    kitchen: await as(staff('kitchen')),
    guest: await as(guest('table-1')),
  };
  /** Decides ops as the engine does for the LAN, and returns the feed entries they made. */
  const submit = async (...ops: Operation[]): Promise<FeedEntry[]> => {
    const before = store.snapshot([]).seq;
    for (const op of ops) await engine.submitLocal(op, staff('manager'));
    return store.readFeed(before, { limit: 1000 });
  };
  return { app, store, bus, engine, cursors, checkpoints, headers, submit, identity };
}

type Relay = Awaited<ReturnType<typeof makeRelay>>;

let orderNo = 0;
const newOrder = (tableId = 'table-1') => {
  orderNo += 1;
  const orderId = `01JD00000000000000000${String(orderNo).padStart(5, '0')}`;
  return {
    orderId,
    create: opOf('order.create', {
      orderId,
      tableId,
      lines: [{ lineId: 'l-1', itemId: 'burger', quantity: 1 }],
    }),
    send: () => opOf('order.sendToKitchen', { orderId }),
  };
};

async function snapshot(r: Relay, headers: Record<string, string>, scopes?: string) {
  const res = await r.app.request(
    `${BASE}/snapshot${scopes === undefined ? '' : `?scopes=${scopes}`}`,
    {
      headers,
    },
  );
  expect(res.status, await res.clone().text()).toBe(200);
  return Snapshot.parse(await res.json());
}

const feedRequest = (r: Relay, headers: Record<string, string>, query: Record<string, string>) =>
  r.app.request(`${BASE}/feed?${new URLSearchParams(query)}`, { headers });

async function feed(r: Relay, headers: Record<string, string>, query: Record<string, string>) {
  const res = await feedRequest(r, headers, query);
  expect(res.status, await res.clone().text()).toBe(200);
  return FeedPage.parse(await res.json());
}

async function problemOf(res: Response): Promise<Problem> {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return Problem.parse(await res.json());
}

describe('GET …/snapshot on the LAN', () => {
  it('gives the visible venue and a cursor at the LAN head', async () => {
    const r = await makeRelay();
    const snap = await snapshot(r, r.headers.manager);
    const count = (kind: string) => snap.records.filter((x) => x.entity === kind).length;
    expect(snap.venueId).toBe(VENUE);
    expect(count('table')).toBe(4);
    expect(count('menuItem')).toBe(5);
    expect(snap.seq).toBe(r.store.snapshot([]).seq);
    expect(snap.at).toBe(NOW);
  });

  it("gives a guest the menu, the venue and only their own table's business", async () => {
    const r = await makeRelay();
    const own = newOrder();
    const other = newOrder('table-2');
    await r.submit(await own.create, await own.send(), await other.create, await other.send());
    const snap = await snapshot(r, r.headers.guest);
    expect(new Set(snap.records.map((x) => x.entity))).toEqual(
      new Set([
        'venue',
        'table',
        'settings',
        'menuCategory',
        'menuModifier',
        'menuItem',
        'order',
        'ticket',
      ]),
    );
    const rows = snap.records.filter((x) => x.entity === 'order' || x.entity === 'ticket');
    expect(rows.map((x) => (x.entity === 'order' ? x.data.id : x.data.orderId))).toEqual([
      own.orderId,
      own.orderId,
    ]);
    const more = await r.app.request(`${BASE}/snapshot?scopes=menu,booking`, {
      headers: r.headers.guest,
    });
    expect(more.status).toBe(403);
    expect(await problemOf(more)).toMatchObject({ code: 'SCOPE_FORBIDDEN', kind: 'stop' });
    // Another table's new order is covered by the cursor but never shown; the guest's own is.
    const later = newOrder('table-2');
    await r.submit(await later.create);
    const none = await feed(r, r.headers.guest, { cursor: snap.cursor });
    expect(none.entries).toEqual([]);
    const mine = newOrder();
    await r.submit(await mine.create);
    const page = await feed(r, r.headers.guest, { cursor: none.cursor });
    expect(page.entries.map((e) => [e.entity, e.id])).toEqual([['order', mine.orderId]]);
  });

  it('gives only the asked scopes; refuses unknown scopes, other venues and strangers', async () => {
    const r = await makeRelay();
    const order = newOrder();
    await r.submit(await order.create, await order.send());
    const snap = await snapshot(r, r.headers.kitchen, 'ticket');
    expect(new Set(snap.records.map((x) => x.entity))).toEqual(new Set(['ticket']));
    const unknown = await r.app.request(`${BASE}/snapshot?scopes=menu,pizza`, {
      headers: r.headers.manager,
    });
    expect(unknown.status).toBe(400);
    expect(await problemOf(unknown)).toMatchObject({
      code: 'SCOPE_UNKNOWN',
      unknownScopes: ['pizza'],
    });
    const other = await r.app.request('/v1/venues/harbour-bar/snapshot', {
      headers: r.headers.manager,
    });
    expect(other.status).toBe(403);
    expect((await r.app.request(`${BASE}/snapshot`)).status).toBe(401);
  });
});

describe('GET …/feed on the LAN', () => {
  it('is empty from a snapshot cursor, then gives exactly what was decided', async () => {
    const r = await makeRelay();
    const snap = await snapshot(r, r.headers.manager);
    expect(await feed(r, r.headers.manager, { cursor: snap.cursor })).toEqual({
      entries: [],
      cursor: snap.cursor,
      hasMore: false,
    });
    const order = newOrder();
    const decided = await r.submit(await order.create, await order.send());
    expect(decided.length).toBeGreaterThan(2);
    const page = await feed(r, r.headers.manager, { cursor: snap.cursor });
    expect(page.entries).toEqual(decided);
    expect((await feed(r, r.headers.manager, { cursor: page.cursor })).entries).toEqual([]);
  });

  it('resumes from every cursor with the rest: no gap, no duplicate', async () => {
    const r = await makeRelay();
    const snap = await snapshot(r, r.headers.manager);
    const decided: FeedEntry[] = [];
    for (let n = 0; n < 3; n++) {
      const order = newOrder();
      decided.push(...(await r.submit(await order.create, await order.send())));
    }
    const cursors = [snap.cursor];
    for (let i = 0; i < decided.length; i++) {
      const page = await feed(r, r.headers.manager, { cursor: cursors[i] ?? '', limit: '1' });
      expect(page.entries).toEqual([decided[i]]);
      expect(page.hasMore).toBe(i < decided.length - 1);
      cursors.push(page.cursor);
    }
    for (const [i, cursor] of cursors.entries()) {
      expect((await feed(r, r.headers.manager, { cursor })).entries).toEqual(decided.slice(i));
    }
  });

  it('filters by scope, covers what it skipped, and refuses the cursor with other scopes (409)', async () => {
    const r = await makeRelay();
    const snap = await snapshot(r, r.headers.kitchen, 'ticket');
    const order = newOrder();
    const decided = await r.submit(await order.create, await order.send());
    const page = await feed(r, r.headers.kitchen, { cursor: snap.cursor, scopes: 'ticket' });
    expect(page.entries).toEqual(decided.filter((e) => e.entity === 'ticket'));
    expect(page.entries.length).toBeGreaterThan(0);
    // Orders only: the ticket cursor moves past them with nothing to show.
    const quiet = await feed(r, r.headers.kitchen, { cursor: page.cursor, scopes: 'ticket' });
    await r.submit(await newOrder().create);
    const after = await feed(r, r.headers.kitchen, { cursor: quiet.cursor, scopes: 'ticket' });
    expect(after.entries).toEqual([]);
    expect(after.cursor).not.toBe(quiet.cursor);

    const mismatch = await feedRequest(r, r.headers.kitchen, {
      cursor: page.cursor,
      scopes: 'menu',
    });
    expect(mismatch.status).toBe(409);
    expect(await problemOf(mismatch)).toMatchObject({
      code: 'CURSOR_SCOPE_MISMATCH',
      kind: 're_bootstrap',
    });
  });

  it('refuses forged, malformed and cloud cursors with 400 and tells the device to re-bootstrap', async () => {
    const r = await makeRelay();
    const snap = await snapshot(r, r.headers.manager);
    const [body = '', mac = ''] = snap.cursor.split('.');
    const flipped = `${body}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    // The cloud signs the same venue's stream with its own key.
    const cloud = await createLanCursors(
      { venueId: VENUE, cursorSecret: encodeBase64Url(new Uint8Array(32).fill(9)) },
      () => 0,
    );
    const cloudCursor = await cloud.issue(snap.seq, ['booking', 'menu', 'order'], 0);
    const otherVenue = await createLanCursors(
      { venueId: 'harbour-bar', cursorSecret: r.identity.cursorSecret },
      () => 0,
    );
    const foreign = await otherVenue.issue(1, ['menu'], 0);
    for (const cursor of [flipped, 'garbage', `${body}.`, cloudCursor, foreign]) {
      const res = await feedRequest(r, r.headers.manager, { cursor });
      expect(res.status).toBe(400);
      expect(await problemOf(res)).toMatchObject({ code: 'CURSOR_INVALID', kind: 're_bootstrap' });
    }
  });

  it('answers 410 once the LAN stream is reset (new epoch)', async () => {
    const r = await makeRelay();
    const snap = await snapshot(r, r.headers.manager);
    r.store.commit({ epoch: 1 });
    const reset = await feedRequest(r, r.headers.manager, { cursor: snap.cursor });
    expect(reset.status).toBe(410);
    expect(await problemOf(reset)).toMatchObject({ code: 'CURSOR_EXPIRED', kind: 're_bootstrap' });
    const fresh = await snapshot(r, r.headers.manager);
    expect((await feed(r, r.headers.manager, { cursor: fresh.cursor })).entries).toEqual([]);
  });

  it('refuses a cursor ahead of the stream (400 CURSOR_AHEAD)', async () => {
    const r = await makeRelay();
    const ahead = await r.cursors.issue(
      r.store.snapshot([]).seq + 5,
      ['menu'],
      r.store.load().epoch,
    );
    const res = await feedRequest(r, r.headers.manager, { cursor: ahead, scopes: 'menu' });
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ code: 'CURSOR_AHEAD', kind: 're_bootstrap' });
  });

  it('refuses a guest the booking and team scopes', async () => {
    const r = await makeRelay();
    const snap = await snapshot(r, r.headers.guest);
    for (const scopes of ['booking', 'team']) {
      const res = await feedRequest(r, r.headers.guest, { cursor: snap.cursor, scopes });
      expect(res.status).toBe(403);
      expect(await problemOf(res)).toMatchObject({ code: 'SCOPE_FORBIDDEN', kind: 'stop' });
    }
  });

  it.each([
    ['limit', '0'],
    ['limit', '1001'],
    ['limit', 'ten'],
    ['wait', '-1'],
    ['wait', '31'],
    ['scopes', 'tickets'],
    ['cursor', ''],
  ])('answers a bad %s (%s) with 400 fix_request', async (name, value) => {
    const r = await makeRelay();
    const snap = await snapshot(r, r.headers.manager);
    const res = await feedRequest(r, r.headers.manager, { cursor: snap.cursor, [name]: value });
    expect(res.status).toBe(400);
    expect((await problemOf(res)).kind).toBe('fix_request');
  });
});

describe('GET …/feed long-poll on the LAN', () => {
  // The longest wait a long-poll may ask for (this relay's limit): far past vitest's 5 s per
  // test, so a long-poll that answers within the test answered because of an entry (or at once),
  // not at its deadline.
  const LONGEST_WAIT = '30';

  it('wakes as soon as an op is submitted through POST …/ops', async () => {
    const r = await makeRelay();
    const snap = await snapshot(r, r.headers.kitchen, 'order');
    const pending = feed(r, r.headers.kitchen, {
      cursor: snap.cursor,
      scopes: 'order',
      wait: LONGEST_WAIT,
    });
    await vi.waitFor(() => expect(r.bus.subscriberCount()).toBe(1));
    const op = await newOrder().create;
    const posted = await r.app.request(`${BASE}/ops`, {
      method: 'POST',
      headers: {
        ...r.headers.manager,
        'Content-Type': 'application/json',
        'Idempotency-Key': op.opId,
      },
      body: JSON.stringify(op),
    });
    expect(posted.status).toBe(202);
    const page = await pending;
    expect(page.entries.map((e) => [e.entity, e.opId])).toEqual([['order', op.opId]]);
    expect(r.bus.subscriberCount()).toBe(0);
  });

  it('times out with an empty page, not woken by other scopes, its cursor past them', async () => {
    // A fake clock: the wait ends when the test moves the clock to its deadline, and not before.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const r = await makeRelay();
      const snap = await snapshot(r, r.headers.kitchen, 'ticket');
      const startedAt = Date.now();
      let answeredAt: number | null = null;
      const pending = feed(r, r.headers.kitchen, {
        cursor: snap.cursor,
        scopes: 'ticket',
        wait: LONGEST_WAIT,
      }).finally(() => {
        answeredAt = Date.now();
      });
      // Listening, with its deadline's timer set (vi.waitFor moves a fake clock 50 ms a try).
      await vi.waitFor(() => {
        expect(r.bus.subscriberCount()).toBe(1);
        expect(vi.getTimerCount()).toBe(1);
      });
      await r.submit(await newOrder().create);
      // The order's entries were published (before the submit returned) to the long-poll's
      // subscription, and it is still waiting: only its deadline's timer is left to answer it.
      expect(answeredAt).toBe(null);
      expect(vi.getTimerCount()).toBe(1);
      await vi.runAllTimersAsync();
      const page = await pending;
      expect(page.entries).toEqual([]);
      expect(page.cursor).not.toBe(snap.cursor);
      expect(answeredAt).toBeGreaterThanOrEqual(startedAt + 30_000);
      expect(r.bus.subscriberCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers at once when entries are already waiting', async () => {
    const r = await makeRelay();
    const snap = await snapshot(r, r.headers.manager);
    await r.submit(await newOrder().create);
    // Nothing is submitted during the wait: only an answer without waiting comes in time.
    const page = await feed(r, r.headers.manager, { cursor: snap.cursor, wait: LONGEST_WAIT });
    expect(page.entries).toHaveLength(1);
  });
});

describe('PUT …/checkpoints/:deviceId on the LAN', () => {
  const put = (r: Relay, headers: Record<string, string>, body: unknown, device = 'kds-1') =>
    r.app.request(`${BASE}/checkpoints/${device}`, {
      method: 'PUT',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('keeps the latest report of a staff device', async () => {
    const r = await makeRelay();
    const snap = await snapshot(r, r.headers.kitchen, 'ticket');
    const first = await put(r, r.headers.kitchen, { cursor: snap.cursor, outboxDepth: 3 });
    expect(first.status).toBe(204);
    await r.submit(await newOrder().create);
    const page = await feed(r, r.headers.kitchen, { cursor: snap.cursor, scopes: 'ticket' });
    const second = await put(r, r.headers.kitchen, {
      cursor: page.cursor,
      outboxDepth: 0,
      failedOps: 1,
      oldestPendingAt: null,
    });
    expect(second.status).toBe(204);
    expect(r.checkpoints.get('kds-1')).toEqual({
      seq: r.store.snapshot([]).seq,
      outboxDepth: 0,
      oldestPendingAt: null,
      failedOps: 1,
      updatedAt: NOW,
    });
    expect(r.checkpoints.size).toBe(1);
  });

  it('refuses guests, foreign cursors and bad bodies, and keeps nothing', async () => {
    const r = await makeRelay();
    const snap = await snapshot(r, r.headers.guest);
    expect((await put(r, r.headers.guest, { cursor: snap.cursor })).status).toBe(403);
    const cloud = await createLanCursors(
      { venueId: VENUE, cursorSecret: encodeBase64Url(new Uint8Array(32).fill(9)) },
      () => 0,
    );
    const foreign = await put(r, r.headers.kitchen, { cursor: await cloud.issue(1, ['menu'], 0) });
    expect(foreign.status).toBe(400);
    expect(await problemOf(foreign)).toMatchObject({ code: 'CURSOR_INVALID', kind: 'fix_request' });
    expect((await put(r, r.headers.kitchen, 'not json')).status).toBe(400);
    expect((await put(r, r.headers.kitchen, { cursor: snap.cursor, outboxDepth: -1 })).status).toBe(
      400,
    );
    expect((await put(r, r.headers.kitchen, { cursor: snap.cursor }, 'x'.repeat(65))).status).toBe(
      400,
    );
    expect(r.checkpoints.size).toBe(0);
  });

  it('forgets the stalest device past its capacity', () => {
    const registry = new DeviceCheckpoints(2);
    const at = (seq: number) => ({
      seq,
      outboxDepth: 0,
      oldestPendingAt: null,
      failedOps: 0,
      updatedAt: NOW,
    });
    registry.put('a', at(1));
    registry.put('b', at(2));
    registry.put('a', at(3));
    registry.put('c', at(4));
    expect(registry.list().map((d) => d.deviceId)).toEqual(['a', 'c']);
  });
});
