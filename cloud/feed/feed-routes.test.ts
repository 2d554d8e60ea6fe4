import { describe, expect, it, vi } from 'vitest';
import {
  createCursorCodec,
  type EntityChange,
  type FeedEntry,
  FeedPage,
  Problem,
  Snapshot,
} from '#protocol';
import { demoItems } from '../seed/demo-menu.ts';
import { DEMO } from '../seed/demo-seed.ts';
import { makeTestApp, TEST_NOW, type TestApp } from '../testing/test-app.ts';
import { createCursorService } from './cursor-service.ts';

const V = DEMO.venueId;
const BASE = `/v1/venues/${V}`;

const ticket = (n: number, tableId?: string): EntityChange => ({
  entity: 'ticket',
  id: `ticket-${n}`,
  op: 'upsert',
  version: 1,
  data: {
    id: `ticket-${n}`,
    orderId: `order-${n}`,
    ...(tableId === undefined ? {} : { tableId }),
    tableLabel: '1',
    station: 'grill',
    status: 'queued',
    lines: [{ lineId: `line-${n}`, name: 'Bistro burger', quantity: 1, modifiers: [] }],
    assigneeId: null,
    firedAt: TEST_NOW,
    startedAt: null,
    readyAt: null,
    bumpedAt: null,
    version: 1,
  },
});

const request = (n: number, tableId: string): EntityChange => ({
  entity: 'serviceRequest',
  id: `request-${n}`,
  op: 'upsert',
  version: 1,
  data: {
    id: `request-${n}`,
    tableId,
    kind: 'call_waiter',
    status: 'open',
    createdAt: TEST_NOW,
    acknowledgedBy: null,
    version: 1,
  },
});

const orderGone = (n: number): EntityChange => ({
  entity: 'order',
  id: `order-${n}`,
  op: 'tombstone',
  version: 1,
});

/** Commits changes as the write path does: one transaction, then a publish. */
async function commit(t: TestApp, changes: readonly EntityChange[]): Promise<FeedEntry[]> {
  const entries = await t.store.transact(DEMO.tenantId, (tx) =>
    tx.append(V, changes, { at: TEST_NOW }),
  );
  t.deps.bus.publish(V, entries);
  return entries;
}

async function snapshot(
  t: TestApp,
  headers: Record<string, string>,
  scopes?: string,
): Promise<Snapshot> {
  const res = await t.app.request(
    `${BASE}/snapshot${scopes === undefined ? '' : `?scopes=${scopes}`}`,
    { headers },
  );
  expect(res.status).toBe(200);
  return Snapshot.parse(await res.json());
}

async function feedRequest(
  t: TestApp,
  headers: Record<string, string>,
  query: Record<string, string>,
): Promise<Response> {
  return t.app.request(`${BASE}/feed?${new URLSearchParams(query)}`, { headers });
}

async function feed(
  t: TestApp,
  headers: Record<string, string>,
  query: Record<string, string>,
): Promise<FeedPage> {
  const res = await feedRequest(t, headers, query);
  expect(res.status, await res.clone().text()).toBe(200);
  return FeedPage.parse(await res.json());
}

async function problemOf(res: Response): Promise<Problem> {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return Problem.parse(await res.json());
}

const seqs = (entries: readonly FeedEntry[]): number[] => entries.map((e) => e.seq);

describe('GET …/snapshot', () => {
  it('gives the demo venue with its tables, menu and settings, and a cursor at its seq', async () => {
    const t = await makeTestApp();
    const snap = await snapshot(t, t.as.manager);
    const count = (kind: string) => snap.records.filter((r) => r.entity === kind).length;
    expect(snap.venueId).toBe(V);
    expect(count('table')).toBe(12);
    expect(count('menuItem')).toBe(demoItems.length);
    expect(count('menuItem')).toBeGreaterThanOrEqual(25);
    expect(count('venue')).toBe(1);
    expect(count('settings')).toBe(1);
    expect(snap.seq).toBe(await t.store.head(V));
    expect(snap.at).toBe(TEST_NOW);
    expect(snap.cursor.length).toBeGreaterThan(0);
  });

  it("gives a guest the menu, the venue and only their own table's rows", async () => {
    const t = await makeTestApp();
    // The guest sits at table-1; a ticket without a table (made before tickets named theirs) and
    // another table's are not theirs.
    await commit(t, [ticket(1), ticket(2, 'table-2'), ticket(3, 'table-1')]);
    const snap = await snapshot(t, t.as.guest);
    expect(new Set(snap.records.map((r) => r.entity))).toEqual(
      new Set(['venue', 'table', 'settings', 'menuCategory', 'menuModifier', 'menuItem']),
    );
    const res = await t.app.request(`${BASE}/snapshot?scopes=menu,booking`, {
      headers: t.as.guest,
    });
    expect(res.status).toBe(403);
    expect(await problemOf(res)).toMatchObject({ code: 'SCOPE_FORBIDDEN', kind: 'stop' });
    // In the feed: their table's ticket and request; the other table's rows move the cursor only.
    await commit(t, [ticket(4, 'table-2'), request(1, 'table-2')]);
    const none = await feed(t, t.as.guest, { cursor: snap.cursor });
    expect(none.entries).toEqual([]);
    await commit(t, [ticket(5, 'table-1'), request(2, 'table-1'), orderGone(5)]);
    const page = await feed(t, t.as.guest, { cursor: none.cursor });
    expect(page.entries.map((e) => e.id)).toEqual(['ticket-5', 'request-2']);
  });

  it('gives only the asked scopes', async () => {
    const t = await makeTestApp();
    await commit(t, [ticket(1), orderGone(9)]);
    const snap = await snapshot(t, t.as.kitchen, 'ticket');
    expect(snap.records.map((r) => r.entity)).toEqual(['ticket']);
  });

  it('refuses another venue and a caller without credentials', async () => {
    const t = await makeTestApp();
    const other = await t.app.request('/v1/venues/harbour-bar/snapshot', { headers: t.as.manager });
    expect(other.status).toBe(403);
    expect((await problemOf(other)).kind).toBe('stop');
    expect((await t.app.request(`${BASE}/snapshot`)).status).toBe(401);
  });

  it('names unknown scopes', async () => {
    const t = await makeTestApp();
    const res = await t.app.request(`${BASE}/snapshot?scopes=menu,pizza,drinks`, {
      headers: t.as.manager,
    });
    expect(res.status).toBe(400);
    const body = await problemOf(res);
    expect(body).toMatchObject({
      code: 'SCOPE_UNKNOWN',
      kind: 'fix_request',
      unknownScopes: ['pizza', 'drinks'],
    });
    expect(body.detail).toContain('pizza, drinks');
  });
});

describe('GET …/feed', () => {
  it('is empty from a snapshot cursor, then gives exactly what was committed', async () => {
    const t = await makeTestApp();
    const snap = await snapshot(t, t.as.manager);
    const empty = await feed(t, t.as.manager, { cursor: snap.cursor });
    expect(empty).toEqual({ entries: [], cursor: snap.cursor, hasMore: false });

    const committed = [
      ...(await commit(t, [ticket(1), orderGone(1)])),
      ...(await commit(t, [ticket(2)])),
    ];
    const page = await feed(t, t.as.manager, { cursor: snap.cursor });
    expect(page.entries).toEqual(committed);
    expect(page.hasMore).toBe(false);
    expect((await feed(t, t.as.manager, { cursor: page.cursor })).entries).toEqual([]);
  });

  it('resumes from every cursor with the rest: no gap, no duplicate', async () => {
    const t = await makeTestApp();
    const snap = await snapshot(t, t.as.server);
    const committed: FeedEntry[] = [];
    for (let n = 1; n <= 3; n++) committed.push(...(await commit(t, [ticket(n), orderGone(n)])));
    const cursors = [snap.cursor];
    for (let i = 0; i < committed.length; i++) {
      const page = await feed(t, t.as.server, { cursor: cursors[i] ?? '', limit: '1' });
      expect(page.entries).toEqual([committed[i]]);
      expect(page.hasMore).toBe(i < committed.length - 1);
      cursors.push(page.cursor);
    }
    for (const [i, cursor] of cursors.entries()) {
      const rest = await feed(t, t.as.server, { cursor });
      expect(rest.entries).toEqual(committed.slice(i));
    }
  });

  it('pages by limit with hasMore', async () => {
    const t = await makeTestApp();
    const snap = await snapshot(t, t.as.manager);
    const committed = await commit(
      t,
      [1, 2, 3, 4, 5].map((n) => ticket(n)),
    );
    const pages: FeedPage[] = [];
    let cursor = snap.cursor;
    for (let i = 0; i < 3; i++) {
      const page = await feed(t, t.as.manager, { cursor, limit: '2' });
      pages.push(page);
      cursor = page.cursor;
    }
    expect(pages.map((p) => seqs(p.entries))).toEqual([
      seqs(committed.slice(0, 2)),
      seqs(committed.slice(2, 4)),
      seqs(committed.slice(4)),
    ]);
    expect(pages.map((p) => p.hasMore)).toEqual([true, true, false]);
  });

  it('filters by scope, covers what it skipped, and refuses the cursor with other scopes', async () => {
    const t = await makeTestApp();
    const snap = await snapshot(t, t.as.kitchen, 'ticket');
    const committed = [
      ...(await commit(t, [ticket(1), orderGone(1)])),
      ...(await commit(t, [orderGone(2)])),
    ];
    const page = await feed(t, t.as.kitchen, { cursor: snap.cursor, scopes: 'ticket' });
    expect(page.entries).toEqual(committed.filter((e) => e.entity === 'ticket'));

    // The cursor covers the skipped orders: a full read from it finds nothing at all.
    await commit(t, [ticket(3)]);
    const next = await feed(t, t.as.kitchen, { cursor: page.cursor, scopes: 'ticket' });
    expect(next.entries.map((e) => e.id)).toEqual(['ticket-3']);

    const mismatch = await feedRequest(t, t.as.kitchen, { cursor: page.cursor, scopes: 'menu' });
    expect(mismatch.status).toBe(409);
    expect(await problemOf(mismatch)).toMatchObject({
      code: 'CURSOR_SCOPE_MISMATCH',
      kind: 're_bootstrap',
    });
  });

  it('rejects forged and malformed cursors with 400', async () => {
    const t = await makeTestApp();
    const snap = await snapshot(t, t.as.manager);
    const [body = '', mac = ''] = snap.cursor.split('.');
    const flipped = `${body}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    const foreignCodec = createCursorService(await createCursorCodec(new Uint8Array(32).fill(9)));
    const venue = await t.store.getVenue(V);
    if (!venue) throw new Error('demo venue missing');
    const foreign = await foreignCodec.issue(venue, snap.seq, ['menu']);
    for (const cursor of [flipped, 'garbage', `${body}.`, foreign]) {
      const res = await feedRequest(t, t.as.manager, { cursor });
      expect(res.status).toBe(400);
      expect(await problemOf(res)).toMatchObject({ code: 'CURSOR_INVALID', kind: 'fix_request' });
    }
  });

  it('answers 410 once the stream is compacted past the cursor or reset', async () => {
    const t = await makeTestApp();
    const snap = await snapshot(t, t.as.manager);
    await commit(t, [ticket(1), ticket(2)]);
    const first = await feed(t, t.as.manager, { cursor: snap.cursor, limit: '1' });
    await t.store.compactFeed(V, snap.seq + 1);
    const compacted = await feedRequest(t, t.as.manager, { cursor: snap.cursor });
    expect(compacted.status).toBe(410);
    expect(await problemOf(compacted)).toMatchObject({
      code: 'CURSOR_EXPIRED',
      kind: 're_bootstrap',
    });
    // A cursor exactly at the compaction mark still reads on.
    expect(
      (await feed(t, t.as.manager, { cursor: first.cursor })).entries.map((e) => e.id),
    ).toEqual(['ticket-2']);

    await t.store.bumpEpoch(V);
    const reset = await feedRequest(t, t.as.manager, { cursor: first.cursor });
    expect(reset.status).toBe(410);
    expect((await problemOf(reset)).kind).toBe('re_bootstrap');
    const fresh = await snapshot(t, t.as.manager);
    expect((await feed(t, t.as.manager, { cursor: fresh.cursor })).entries).toEqual([]);
  });

  it('rejects a cursor of another venue with 400', async () => {
    const t = await makeTestApp();
    await t.store.createVenue({
      tenantId: DEMO.tenantId,
      venueId: 'harbour-bar',
      name: 'Harbour Bar',
    });
    const theirs = t.bearer({
      kind: 'staff',
      tenantId: DEMO.tenantId,
      venueId: 'harbour-bar',
      actorId: 'hb-manager',
      role: 'manager',
    });
    const res = await t.app.request('/v1/venues/harbour-bar/snapshot', { headers: theirs });
    const other = Snapshot.parse(await res.json());
    const used = await feedRequest(t, t.as.manager, { cursor: other.cursor });
    expect(used.status).toBe(400);
    expect(await problemOf(used)).toMatchObject({
      code: 'CURSOR_INVALID',
      detail: 'the cursor is for another venue',
    });
  });

  it('rejects a cursor ahead of the stream', async () => {
    const t = await makeTestApp();
    const venue = await t.store.getVenue(V);
    if (!venue) throw new Error('demo venue missing');
    const ahead = await t.deps.cursors.issue(venue, (await t.store.head(V)) + 5, ['menu']);
    const res = await feedRequest(t, t.as.manager, { cursor: ahead, scopes: 'menu' });
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ code: 'CURSOR_AHEAD', kind: 're_bootstrap' });
  });

  it('refuses a guest the booking and team scopes, and another venue in the path', async () => {
    const t = await makeTestApp();
    const snap = await snapshot(t, t.as.guest);
    for (const scopes of ['booking', 'team']) {
      const forbidden = await feedRequest(t, t.as.guest, { cursor: snap.cursor, scopes });
      expect(forbidden.status).toBe(403);
      expect(await problemOf(forbidden)).toMatchObject({ code: 'SCOPE_FORBIDDEN', kind: 'stop' });
    }
    const elsewhere = await t.app.request(`/v1/venues/harbour-bar/feed?cursor=${snap.cursor}`, {
      headers: t.as.manager,
    });
    expect(elsewhere.status).toBe(403);
  });

  it.each([
    ['limit', '0'],
    ['limit', '1001'],
    ['limit', 'ten'],
    ['limit', '2.5'],
    ['wait', '-1'],
    ['wait', '31'],
    ['wait', 'soon'],
    ['scopes', 'tickets'],
    ['cursor', ''],
  ])('answers a bad %s (%s) with 400 fix_request', async (name, value) => {
    const t = await makeTestApp();
    const snap = await snapshot(t, t.as.manager);
    const res = await feedRequest(t, t.as.manager, { cursor: snap.cursor, [name]: value });
    expect(res.status).toBe(400);
    expect((await problemOf(res)).kind).toBe('fix_request');
  });
});

describe('GET …/feed long-poll', () => {
  // The longest wait a long-poll may ask for (the test app's limit): far past vitest's 5 s per
  // test, so a long-poll that answers within the test answered because of an entry (or at once),
  // not at its deadline.
  const LONGEST_WAIT = '30';

  it('answers as soon as an entry is published during the wait', async () => {
    const t = await makeTestApp();
    const snap = await snapshot(t, t.as.kitchen, 'ticket');
    const pending = feed(t, t.as.kitchen, {
      cursor: snap.cursor,
      scopes: 'ticket',
      wait: LONGEST_WAIT,
    });
    await vi.waitFor(() => expect(t.deps.bus.subscriberCount(V)).toBe(1));
    const committed = await commit(t, [ticket(1)]);
    const page = await pending;
    expect(page.entries).toEqual(committed);
    expect(t.deps.bus.subscriberCount(V)).toBe(0);
  });

  it('times out with an empty page and the same cursor', async () => {
    // A fake clock: the wait ends when the test moves the clock to its deadline, and not before.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const t = await makeTestApp();
      const snap = await snapshot(t, t.as.kitchen, 'ticket');
      const startedAt = Date.now();
      let answeredAt: number | null = null;
      const pending = feed(t, t.as.kitchen, {
        cursor: snap.cursor,
        scopes: 'ticket',
        wait: LONGEST_WAIT,
      }).finally(() => {
        answeredAt = Date.now();
      });
      // Listening, with its deadline's timer set (vi.waitFor moves a fake clock 50 ms a try).
      await vi.waitFor(() => {
        expect(t.deps.bus.subscriberCount(V)).toBe(1);
        expect(vi.getTimerCount()).toBe(1);
      });
      expect(answeredAt).toBe(null);
      await vi.runAllTimersAsync();
      const page = await pending;
      expect(page).toEqual({ entries: [], cursor: snap.cursor, hasMore: false });
      expect(answeredAt).toBeGreaterThanOrEqual(startedAt + 30_000);
      expect(t.deps.bus.subscriberCount(V)).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('is not woken by entries outside its scopes, but its cursor moves past them', async () => {
    const t = await makeTestApp();
    const snap = await snapshot(t, t.as.kitchen, 'ticket');
    const pending = feed(t, t.as.kitchen, { cursor: snap.cursor, scopes: 'ticket', wait: '0.3' });
    await vi.waitFor(() => expect(t.deps.bus.subscriberCount(V)).toBe(1));
    await commit(t, [orderGone(1)]);
    const page = await pending;
    expect(page.entries).toEqual([]);
    expect(page.cursor).not.toBe(snap.cursor);
    await commit(t, [ticket(2)]);
    expect(
      (await feed(t, t.as.kitchen, { cursor: page.cursor, scopes: 'ticket' })).entries.map(
        (e) => e.id,
      ),
    ).toEqual(['ticket-2']);
  });

  it('is still waiting after entries outside its scopes: the next entry in them is its answer', async () => {
    const t = await makeTestApp();
    const snap = await snapshot(t, t.as.kitchen, 'ticket');
    const pending = feed(t, t.as.kitchen, {
      cursor: snap.cursor,
      scopes: 'ticket',
      wait: LONGEST_WAIT,
    });
    await vi.waitFor(() => expect(t.deps.bus.subscriberCount(V)).toBe(1));
    await commit(t, [orderGone(1)]);
    const committed = await commit(t, [ticket(2)]);
    expect((await pending).entries).toEqual(committed);
  });

  it('answers at once when entries are already waiting', async () => {
    const t = await makeTestApp();
    const snap = await snapshot(t, t.as.manager);
    await commit(t, [ticket(1)]);
    // Nothing is published during the wait: only an answer without waiting comes in time.
    const page = await feed(t, t.as.manager, { cursor: snap.cursor, wait: LONGEST_WAIT });
    expect(page.entries.map((e) => e.id)).toEqual(['ticket-1']);
  });
});

describe('PUT …/checkpoints/:deviceId', () => {
  const put = (t: TestApp, headers: Record<string, string>, body: unknown, device = 'kds-1') =>
    t.app.request(`${BASE}/checkpoints/${device}`, {
      method: 'PUT',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('stores the device progress with the server time', async () => {
    const t = await makeTestApp();
    const snap = await snapshot(t, t.as.kitchen, 'ticket');
    const res = await put(t, t.as.kitchen, { cursor: snap.cursor, outboxDepth: 3, failedOps: 1 });
    expect(res.status).toBe(204);
    expect(await t.store.listCheckpoints(V)).toEqual([
      {
        venueId: V,
        deviceId: 'kds-1',
        cursor: snap.cursor,
        seq: snap.seq,
        outboxDepth: 3,
        oldestPendingAt: null,
        failedOps: 1,
        updatedAt: TEST_NOW,
      },
    ]);
  });

  it('rejects a cursor that is not ours, and a bad body, with 400', async () => {
    const t = await makeTestApp();
    const snap = await snapshot(t, t.as.manager);
    // One MAC character changed away from the end (the last one carries only some bits).
    const at = snap.cursor.length - 10;
    const cursor = `${snap.cursor.slice(0, at)}${snap.cursor[at] === 'A' ? 'B' : 'A'}${snap.cursor.slice(at + 1)}`;
    const forged = await put(t, t.as.manager, { cursor });
    expect(forged.status).toBe(400);
    expect(await problemOf(forged)).toMatchObject({ code: 'CURSOR_INVALID', kind: 'fix_request' });
    const invalid = await put(t, t.as.manager, { cursor: snap.cursor, outboxDepth: -1 });
    expect(invalid.status).toBe(400);
    expect((await problemOf(invalid)).issues?.[0]?.path).toBe('outboxDepth');
    expect((await put(t, t.as.manager, '{not json')).status).toBe(400);
    expect((await put(t, t.as.manager, { cursor: snap.cursor }, 'x'.repeat(65))).status).toBe(400);
    expect(await t.store.listCheckpoints(V)).toEqual([]);
  });
});
