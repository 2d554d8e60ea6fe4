import { describe, expect, it, vi } from 'vitest';
import {
  type EntityChange,
  type EntityKind,
  type FeedEntry,
  LIVE_CLOSE,
  LiveFrame,
  Problem,
  Snapshot,
} from '#protocol';
import type {
  LiveOptions,
  LiveServerSocket,
  LiveSocketData,
} from '../../server/live/live-connection.ts';
import { DEMO } from '../seed/demo-seed.ts';
import { MemoryCloudStore } from '../store/memory-store.ts';
import { makeTestApp, TEST_NOW, type TestApp } from '../testing/test-app.ts';
import { createLiveRoute } from './live-socket.ts';

const V = DEMO.venueId;
const BASE = `/v1/venues/${V}`;

/** Stands in for Bun's server: records the upgrade instead of doing it. */
class FakeServer {
  data: LiveSocketData | undefined;
  upgrade(_request: Request, options: { data: LiveSocketData }): boolean {
    this.data = options.data;
    return true;
  }
}

/** Stands in for Bun's ServerWebSocket. */
class FakeSocket implements LiveServerSocket {
  readonly frames: LiveFrame[] = [];
  closed: { code: number | undefined; reason: string | undefined } | undefined;
  buffered = 0;
  readonly data: LiveSocketData;
  constructor(data: LiveSocketData) {
    this.data = data;
  }
  send(text: string): number {
    this.frames.push(LiveFrame.parse(JSON.parse(text)));
    return text.length;
  }
  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
  }
  getBufferedAmount(): number {
    return this.buffered;
  }
  entrySeqs(): number[] {
    return this.frames.flatMap((f) => (f.type === 'entries' ? f.entries.map((e) => e.seq) : []));
  }
}

/** A memory store whose feed reads can be made to fail. */
class FlakyStore extends MemoryCloudStore {
  failReads = false;
  override readFeed(
    venueId: string,
    afterSeq: number,
    options: { limit: number; kinds?: readonly EntityKind[]; throughSeq?: number },
  ): Promise<FeedEntry[]> {
    if (this.failReads) return Promise.reject(new Error('disk on fire'));
    return super.readFeed(venueId, afterSeq, options);
  }
}

const tombstone = (entity: EntityKind, n: number): EntityChange => ({
  entity,
  id: `${entity}-${n}`,
  op: 'tombstone',
  version: 1,
});

async function commit(t: TestApp, changes: readonly EntityChange[]): Promise<FeedEntry[]> {
  const entries = await t.store.transact(DEMO.tenantId, (tx) =>
    tx.append(V, changes, { at: TEST_NOW }),
  );
  t.deps.bus.publish(V, entries);
  return entries;
}

async function setup(options: Partial<LiveOptions> = {}, store = new FlakyStore()) {
  const t = await makeTestApp({ store });
  const live = createLiveRoute(t.deps, { heartbeatMs: 60_000, ...options });
  live.route(t.app);
  const res = await t.app.request(`${BASE}/snapshot?scopes=ticket`, { headers: t.as.kitchen });
  const snap = Snapshot.parse(await res.json());
  const connect = async (query: Record<string, string>, headers = t.as.kitchen) => {
    const server = new FakeServer();
    const response = await t.app.request(
      `${BASE}/live?${new URLSearchParams(query)}`,
      { headers: { ...headers, Upgrade: 'websocket' } },
      server,
    );
    return { response, server };
  };
  const open = async (
    query: Record<string, string> = { cursor: snap.cursor, scopes: 'ticket' },
  ) => {
    const { response, server } = await connect(query);
    expect(response.status).toBe(200);
    if (!server.data) throw new Error('not upgraded');
    const ws = new FakeSocket(server.data);
    live.websocket.open(ws);
    return ws;
  };
  return { t, live, snap, store, connect, open };
}

describe('GET …/live before the upgrade', () => {
  it('answers problems, not sockets', async () => {
    const { t, snap, connect } = await setup();
    const plain = await t.app.request(`${BASE}/live?cursor=${snap.cursor}`, {
      headers: t.as.kitchen,
    });
    expect(plain.status).toBe(426);
    const cases: [Record<string, string>, number, string][] = [
      [{ scopes: 'ticket' }, 400, 'CURSOR_REQUIRED'],
      [{ cursor: 'forged.cursor', scopes: 'ticket' }, 400, 'CURSOR_INVALID'],
      [{ cursor: snap.cursor, scopes: 'menu' }, 409, 'CURSOR_SCOPE_MISMATCH'],
      [{ cursor: snap.cursor, scopes: 'tickets' }, 400, 'SCOPE_UNKNOWN'],
    ];
    for (const [query, status, code] of cases) {
      const { response, server } = await connect(query);
      expect(response.status).toBe(status);
      expect(Problem.parse(await response.json()).code).toBe(code);
      expect(server.data).toBeUndefined();
    }
    const guest = await connect({ cursor: snap.cursor, scopes: 'booking' }, t.as.guest);
    expect(guest.response.status).toBe(403);
    const other = await t.app.request('/v1/venues/harbour-bar/live', {
      headers: { ...t.as.kitchen, Upgrade: 'websocket' },
    });
    expect(other.status).toBe(403);
    await t.store.bumpEpoch(V);
    expect((await connect({ cursor: snap.cursor, scopes: 'ticket' })).response.status).toBe(410);
  });

  it('says so when the runtime cannot upgrade', async () => {
    const { t, snap } = await setup();
    const res = await t.app.request(`${BASE}/live?cursor=${snap.cursor}&scopes=ticket`, {
      headers: { ...t.as.kitchen, Upgrade: 'websocket' },
    });
    expect(res.status).toBe(501);
    expect(Problem.parse(await res.json()).kind).toBe('back_off');
  });
});

describe('the live socket', () => {
  it('sends the backlog, then live commits, with no gap and no duplicate', async () => {
    const { t, live: liveRoute, snap, open } = await setup({ pageSize: 2 });
    const backlog = [
      ...(await commit(t, [tombstone('ticket', 1), tombstone('order', 1), tombstone('ticket', 2)])),
      ...(await commit(t, [tombstone('ticket', 3)])),
    ];
    const ws = await open();
    // A commit racing the backlog read.
    const racing = await commit(t, [tombstone('ticket', 4)]);
    await vi.waitFor(() => expect(ws.frames.some((f) => f.type === 'heartbeat')).toBe(true));
    const tickets = [...backlog, ...racing].filter((e) => e.entity === 'ticket');
    expect(ws.entrySeqs()).toEqual(tickets.map((e) => e.seq));
    const caughtUp = ws.frames.find((f) => f.type === 'heartbeat');
    expect(caughtUp).toMatchObject({ head: await t.store.head(V) });

    const live = await commit(t, [tombstone('ticket', 5), tombstone('ticket', 6)]);
    await vi.waitFor(() => expect(ws.entrySeqs()).toHaveLength(tickets.length + 2));
    const last = ws.frames.at(-1);
    expect(last).toMatchObject({ type: 'entries', entries: live });
    // Its cursor resumes the HTTP feed with nothing missing.
    if (last?.type !== 'entries') throw new Error('expected an entries frame');
    const rest = await t.app.request(`${BASE}/feed?cursor=${last.cursor}&scopes=ticket`, {
      headers: t.as.kitchen,
    });
    expect(await rest.json()).toMatchObject({ entries: [] });
    expect(snap.seq).toBeLessThan(live[0]?.seq ?? 0);

    expect(t.deps.bus.subscriberCount(V)).toBe(1);
    liveRoute.websocket.close(ws);
    expect(t.deps.bus.subscriberCount(V)).toBe(0);
  });

  it('reports each pushed frame’s fan-out lag to the metrics', async () => {
    const { t, open } = await setup();
    const ws = await open();
    await vi.waitFor(() => expect(ws.frames.some((f) => f.type === 'heartbeat')).toBe(true));
    await commit(t, [tombstone('ticket', 1)]);
    await vi.waitFor(() => expect(ws.entrySeqs()).toHaveLength(1));
    const text = await t.deps.metrics.render();
    expect(text).toMatch(/^hearth_live_fanout_lag_seconds_count 1$/m);
  });

  it('sends heartbeats with the head and a cursor; the first is the snapshot’s', async () => {
    const { live, snap, open } = await setup({ heartbeatMs: 20 });
    const ws = await open();
    await vi.waitFor(() =>
      expect(ws.frames.filter((f) => f.type === 'heartbeat').length).toBeGreaterThanOrEqual(3),
    );
    expect(ws.frames[0]).toEqual({ type: 'heartbeat', head: snap.seq, cursor: snap.cursor });
    live.websocket.close(ws);
  });

  it('closes with 4010 when the stream is reset under it', async () => {
    const { t, open } = await setup({ heartbeatMs: 20 });
    const ws = await open();
    await vi.waitFor(() => expect(ws.frames).not.toHaveLength(0));
    await t.store.bumpEpoch(V);
    await vi.waitFor(() => expect(ws.closed).toBeDefined());
    expect(ws.closed?.code).toBe(LIVE_CLOSE.reBootstrap);
    expect(ws.frames.at(-1)).toMatchObject({
      type: 'error',
      problem: { status: 410, kind: 're_bootstrap' },
    });
  });

  it('turns a failing read into a 1011 close, logged with the venue', async () => {
    const { t, store, open } = await setup();
    const ws = await open();
    await vi.waitFor(() => expect(ws.frames).not.toHaveLength(0));
    store.failReads = true;
    // A commit no publish announces (another instance) forces a read on the next head.
    await t.store.transact(DEMO.tenantId, (tx) =>
      tx.append(V, [tombstone('ticket', 1)], { at: TEST_NOW }),
    );
    await commit(t, [tombstone('ticket', 2)]);
    await vi.waitFor(() => expect(ws.closed).toBeDefined());
    expect(ws.closed?.code).toBe(LIVE_CLOSE.internal);
    expect(ws.frames.at(-1)).toMatchObject({ type: 'error', problem: { kind: 'back_off' } });
    expect(
      t.logLines.some(
        (l) =>
          l.level === 'error' &&
          l.fields.venueId === V &&
          String(l.fields.error).includes('disk on fire'),
      ),
    ).toBe(true);
  });
});
