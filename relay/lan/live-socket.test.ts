import { describe, expect, it, vi } from 'vitest';
import { FeedPage, LIVE_CLOSE, LiveFrame, type Principal, Problem, Snapshot } from '#protocol';
import type {
  LiveOptions,
  LiveServerSocket,
  LiveSocketData,
} from '../../server/live/live-connection.ts';
import {
  guest,
  NOW,
  opOf,
  staff,
  TENANT,
  VENUE,
} from '../../tests/protocol/support/venue-fixture.ts';
import { MemoryRelayStore } from '../store/memory-relay-store.ts';
import { RelayBus } from '../sync/feed-bus.ts';
import {
  bootstrappedEngine,
  lanDevices,
  offlineGate,
  pairDevice,
  testRelayKeys,
} from '../testing/lan-fixture.ts';
import { DeviceCheckpoints } from './feed-routes.ts';
import { createLanApp } from './lan-app.ts';
import { RelayLanAuthenticator } from './lan-authenticator.ts';
import { createLanCursors } from './lan-cursors.ts';
import { createLanLiveRoute } from './live-socket.ts';
import { RelayMetrics } from './relay-metrics.ts';

const BASE = `/v1/venues/${VENUE}`;

/** Stands in for Bun's server: records the upgrade instead of doing it. */
class FakeServer {
  data: LiveSocketData | undefined;
  headers: Record<string, string> | undefined;
  upgrade(
    _request: Request,
    options: { data: LiveSocketData; headers?: Record<string, string> },
  ): boolean {
    this.data = options.data;
    this.headers = options.headers;
    return true;
  }
}

/** Stands in for Bun's ServerWebSocket. */
class FakeSocket implements LiveServerSocket {
  readonly frames: LiveFrame[] = [];
  closed: { code: number | undefined; reason: string | undefined } | undefined;
  buffered = 0;
  failSends = false;
  readonly data: LiveSocketData;
  constructor(data: LiveSocketData) {
    this.data = data;
  }
  send(text: string): number {
    if (this.failSends) throw new Error('socket exploded');
    this.frames.push(LiveFrame.parse(JSON.parse(text)));
    return text.length;
  }
  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
  }
  getBufferedAmount(): number {
    return this.buffered;
  }
  of<T extends LiveFrame['type']>(type: T): Extract<LiveFrame, { type: T }>[] {
    return this.frames.filter((f): f is Extract<LiveFrame, { type: T }> => f.type === type);
  }
}

let orderNo = 0;
const newOrder = (deviceId?: string) => {
  orderNo += 1;
  return opOf(
    'order.create',
    {
      orderId: `01JD00000000000000000${String(orderNo).padStart(5, '0')}`,
      tableId: 'table-1',
      lines: [{ lineId: 'l-1', itemId: 'burger', quantity: 1 }],
    },
    undefined,
    deviceId === undefined ? {} : { deviceId },
  );
};

async function setup(options: Partial<LiveOptions> = {}) {
  const { identity, signer } = await testRelayKeys;
  const store = new MemoryRelayStore();
  const errors: string[] = [];
  const bus = new RelayBus((error) => errors.push(String(error)));
  const clock = () => new Date(NOW);
  const engine = await bootstrappedEngine(store, bus, clock);
  const devices = lanDevices(engine, bus, clock);
  const authenticator = new RelayLanAuthenticator(identity, clock, devices);
  const cursors = await createLanCursors(identity, () => store.load().epoch);
  const metrics = new RelayMetrics();
  const logLines: { level: string; msg: string; error: unknown }[] = [];
  const log = (level: string, msg: string, fields: Readonly<Record<string, unknown>> = {}) =>
    logLines.push({ level, msg, error: fields.error });
  /** The fan-out lags the live route reported. */
  const lags: number[] = [];
  const live = createLanLiveRoute(
    {
      store,
      bus,
      authenticator,
      cursors,
      log,
      devices,
      metrics: { observeFanoutLag: (ms) => lags.push(ms) },
    },
    { heartbeatMs: 60_000, ...options },
  );
  const app = createLanApp({
    identity,
    signer,
    store,
    engine,
    bus,
    gate: offlineGate,
    clock,
    authenticator,
    devices,
    cursors,
    checkpoints: new DeviceCheckpoints(),
    maxBatchOps: 100,
    maxWaitSeconds: 30,
    version: 'test',
    log,
    metrics,
    status: () => ({ connectivity: 'offline_local' }),
    live,
  });
  const iat = Math.floor(Date.parse(NOW) / 1000);
  const tokenOf = (principal: Principal): Promise<string> => {
    const scope = {
      tenantId: principal.tenantId,
      venueId: principal.venueId,
      iat,
      exp: iat + 3600,
    };
    return signer.sign(
      principal.kind === 'staff'
        ? { kind: 'staff', sub: principal.actorId, role: principal.role, ...scope }
        : { kind: 'guest', sub: principal.sessionId, tableId: principal.tableId, ...scope },
    );
  };
  const kitchen = await tokenOf(staff('kitchen'));
  const guestToken = await tokenOf(guest('table-1'));
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const snapshotFor = async (token: string, scopes: string) => {
    const res = await app.request(`${BASE}/snapshot?scopes=${scopes}`, { headers: bearer(token) });
    return Snapshot.parse(await res.json());
  };
  const snap = await snapshotFor(kitchen, 'order');
  /** Asks for the live route, as a browser does: the token in a subprotocol. */
  const connect = async (
    query: Record<string, string>,
    token = kitchen,
    server = new FakeServer(),
  ) => {
    const response = await app.request(
      `${BASE}/live?${new URLSearchParams(query)}`,
      {
        headers: { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': `hearth.v1, bearer.${token}` },
      },
      server,
    );
    return { response, server };
  };
  const open = async (
    query: Record<string, string> = { cursor: snap.cursor, scopes: 'order' },
    token = kitchen,
  ) => {
    const { response, server } = await connect(query, token);
    expect(response.status, await response.clone().text()).toBe(200);
    if (!server.data) throw new Error('not upgraded');
    const ws = new FakeSocket(server.data);
    live.websocket.open(ws);
    await vi.waitFor(() => expect(ws.of('heartbeat')).not.toHaveLength(0));
    return ws;
  };
  const submit = async (...ops: Awaited<ReturnType<typeof newOrder>>[]) =>
    Promise.all(ops.map((op) => engine.submitLocal(op, staff('manager'))));
  return {
    app,
    store,
    bus,
    devices,
    engine,
    live,
    lags,
    snap,
    kitchen,
    guestToken,
    logLines,
    errors,
    connect,
    open,
    submit,
    snapshotFor,
  };
}

describe('GET …/live before the upgrade', () => {
  it('answers problems, not sockets', async () => {
    const s = await setup();
    const plain = await s.app.request(`${BASE}/live?cursor=${s.snap.cursor}`, {
      headers: { Authorization: `Bearer ${s.kitchen}` },
    });
    expect(plain.status).toBe(426);
    const cases: [Record<string, string>, number, string][] = [
      [{ scopes: 'order' }, 400, 'CURSOR_REQUIRED'],
      [{ cursor: 'forged.cursor', scopes: 'order' }, 400, 'CURSOR_INVALID'],
      [{ cursor: s.snap.cursor, scopes: 'menu' }, 409, 'CURSOR_SCOPE_MISMATCH'],
      [{ cursor: s.snap.cursor, scopes: 'orders' }, 400, 'SCOPE_UNKNOWN'],
      [{ cursor: s.snap.cursor, scopes: 'order', deviceId: 'x'.repeat(65) }, 400, 'VALIDATION'],
    ];
    for (const [query, status, code] of cases) {
      const { response, server } = await s.connect(query);
      expect(response.status, code).toBe(status);
      expect(Problem.parse(await response.json()).code).toBe(code);
      expect(server.data).toBeUndefined();
    }
    const guestAsks = await s.connect({ cursor: s.snap.cursor, scopes: 'team' }, s.guestToken);
    expect(guestAsks.response.status).toBe(403);
    const nobody = await s.app.request(`${BASE}/live?cursor=${s.snap.cursor}`, {
      headers: { Upgrade: 'websocket' },
    });
    expect(nobody.status).toBe(401);
    const other = await s.app.request('/v1/venues/harbour-bar/live', {
      headers: { Upgrade: 'websocket', Authorization: `Bearer ${s.kitchen}` },
    });
    expect(other.status).toBe(403);
    s.store.commit({ epoch: 1 });
    const reset = await s.connect({ cursor: s.snap.cursor, scopes: 'order' });
    expect(reset.response.status).toBe(410);
  });

  it('echoes hearth.v1, never the bearer; says so when the runtime cannot upgrade', async () => {
    const s = await setup();
    const { server } = await s.connect({ cursor: s.snap.cursor, scopes: 'order' });
    expect(server.headers).toEqual({ 'Sec-WebSocket-Protocol': 'hearth.v1' });
    const res = await s.app.request(`${BASE}/live?cursor=${s.snap.cursor}&scopes=order`, {
      headers: { Upgrade: 'websocket', Authorization: `Bearer ${s.kitchen}` },
    });
    expect(res.status).toBe(501);
    expect(Problem.parse(await res.json()).kind).toBe('back_off');
  });
});

describe('the LAN live socket', () => {
  it('sends the backlog, then one frame per group commit, with no gap and no duplicate', async () => {
    const s = await setup({ pageSize: 2 });
    const backlog = await s.submit(await newOrder(), await newOrder(), await newOrder());
    expect(backlog).toHaveLength(3);
    const ws = await s.open();
    const backlogSeqs = ws.of('entries').flatMap((f) => f.entries.map((e) => e.seq));
    expect(backlogSeqs).toHaveLength(3);
    expect(ws.frames[0]?.type).toBe('entries');

    // Five ops in one tick: one commit, one publish, one frame; then one more op, whose frame
    // comes after everything the five made.
    const framesBefore = ws.of('entries').length;
    await s.submit(...(await Promise.all([1, 2, 3, 4, 5].map(() => newOrder()))));
    const sentinel = await newOrder();
    await s.submit(sentinel);
    await vi.waitFor(() =>
      expect(ws.of('entries').at(-1)?.entries.at(-1)?.opId).toBe(sentinel.opId),
    );
    const live = ws.of('entries').slice(framesBefore);
    expect(live.map((f) => f.entries.length)).toEqual([5, 1]);

    const all = ws.of('entries').flatMap((f) => f.entries.map((e) => e.seq));
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual([...all].sort((a, b) => a - b));
    const last = ws.of('entries').at(-1);
    const rest = await s.app.request(`${BASE}/feed?cursor=${last?.cursor}&scopes=order`, {
      headers: { Authorization: `Bearer ${s.kitchen}` },
    });
    expect(FeedPage.parse(await rest.json()).entries).toEqual([]);
    // The two live frames were timed; the backlog was not.
    expect(s.lags).toHaveLength(2);

    expect(s.live.connectedCount()).toBe(1);
    expect(s.bus.subscriberCount()).toBe(1);
    s.live.websocket.close(ws);
    expect(s.bus.subscriberCount()).toBe(0);
    expect(s.live.connectedCount()).toBe(0);
  });

  it('sends heartbeats with the head and a cursor; the first is the snapshot’s', async () => {
    const s = await setup({ heartbeatMs: 20 });
    const ws = await s.open();
    await vi.waitFor(() => expect(ws.of('heartbeat').length).toBeGreaterThanOrEqual(3));
    expect(ws.frames[0]).toEqual({ type: 'heartbeat', head: s.snap.seq, cursor: s.snap.cursor });
    s.live.websocket.close(ws);
  });

  it('closes a slow device with 4008 and its resume cursor while a fast one keeps receiving', async () => {
    const s = await setup({ maxBufferedBytes: 1000 });
    const fast = await s.open();
    const slow = await s.open();
    slow.buffered = 5000;
    await s.submit(await newOrder());
    await vi.waitFor(() => {
      expect(slow.closed).toBeDefined();
      expect(fast.of('entries')).toHaveLength(1);
    });
    expect(slow.closed?.code).toBe(LIVE_CLOSE.slowConsumer);
    const error = slow.frames.at(-1);
    expect(error).toMatchObject({ type: 'error', problem: { kind: 'retry_later', status: 503 } });
    // The frame that overflowed was still queued: the device resumes after it.
    const resume = error?.type === 'error' ? String(error.problem.cursor) : '';
    expect(resume).toBe(slow.of('entries').at(-1)?.cursor);
    expect(s.bus.subscriberCount()).toBe(1);

    await s.submit(await newOrder());
    await vi.waitFor(() => expect(fast.of('entries')).toHaveLength(2));
    expect(fast.closed).toBeUndefined();
    const missed = await s.app.request(`${BASE}/feed?cursor=${resume}&scopes=order`, {
      headers: { Authorization: `Bearer ${s.kitchen}` },
    });
    expect(FeedPage.parse(await missed.json()).entries).toEqual(fast.of('entries')[1]?.entries);
  });

  it('sends a rejected op’s notice only to staff sockets of the device that made it', async () => {
    const s = await setup();
    const guestSnap = await s.snapshotFor(s.guestToken, 'menu');
    const mine = await s.open({ cursor: s.snap.cursor, scopes: 'order', deviceId: 'tablet-9' });
    const other = await s.open({ cursor: s.snap.cursor, scopes: 'order', deviceId: 'tablet-2' });
    const anonymous = await s.open({ cursor: s.snap.cursor, scopes: 'order' });
    const guestSocket = await s.open(
      { cursor: guestSnap.cursor, scopes: 'menu', deviceId: 'tablet-9' },
      s.guestToken,
    );
    const op = await newOrder('tablet-9');
    await s.submit(op);
    await s.engine.applyCloud({
      entries: [],
      verdicts: new Map([
        [op.opId, { opId: op.opId, status: 'rejected', code: 'FORBIDDEN', message: 'no' }],
      ]),
    });
    // Notices are filtered when the bus hands them out: the others never queue one.
    await vi.waitFor(() => expect(mine.of('notice')).toHaveLength(1));
    expect(mine.of('notice')[0]?.result).toMatchObject({ opId: op.opId, status: 'rejected' });
    for (const ws of [other, anonymous, guestSocket]) expect(ws.of('notice')).toEqual([]);
  });

  it('closes the sockets of a revoked device (4401 DEVICE_REVOKED) at the revoke’s commit or its feed entry', async () => {
    const s = await setup();
    const { signer } = await testRelayKeys;
    const iat = Math.floor(Date.parse(NOW) / 1000);
    const onDevice = (did: string) =>
      signer.sign({
        kind: 'staff',
        sub: 'kitchen-1',
        role: 'kitchen',
        tenantId: TENANT,
        venueId: VENUE,
        iat,
        exp: iat + 3600,
        did,
      });
    await pairDevice(s.engine, 'pass-1', 'kitchen');
    await pairDevice(s.engine, 'pass-2', 'kitchen');
    const query = { cursor: s.snap.cursor, scopes: 'order' };
    const first = await s.open(query, await onDevice('pass-1'));
    const second = await s.open(query, await onDevice('pass-2'));
    const noDevice = await s.open(query);

    // Decided here (the uplink down): closed when the revoke commits.
    const revoke = await opOf('device.revoke', { deviceId: 'pass-1' }, staff('manager'));
    await s.engine.submitLocal(revoke, staff('manager'));
    await vi.waitFor(() => expect(first.closed).toBeDefined());
    expect(first.closed).toEqual({ code: LIVE_CLOSE.deviceRevoked, reason: 'DEVICE_REVOKED' });
    expect(first.frames.at(-1)).toMatchObject({
      type: 'error',
      problem: { status: 401, code: 'DEVICE_REVOKED' },
    });
    expect(second.closed).toBeUndefined();

    // Revoked at the cloud: closed when its feed entry arrives.
    const pass2 = s.devices.get('pass-2');
    if (!pass2) throw new Error('pass-2 not paired');
    await s.engine.applyCloud({
      entries: [
        {
          entity: 'device',
          id: 'pass-2',
          op: 'upsert',
          data: { ...pass2, revoked: true, revokedBy: 'owner-1', revokedAt: NOW, version: 2 },
          version: 2,
        },
      ],
    });
    await vi.waitFor(() => expect(second.closed?.code).toBe(LIVE_CLOSE.deviceRevoked));
    expect(noDevice.closed).toBeUndefined();
    expect(s.live.connectedCount()).toBe(1);
  });

  it('closes with 4010 when the relay’s stream is reset under it', async () => {
    const s = await setup({ heartbeatMs: 20 });
    const ws = await s.open();
    s.store.commit({ epoch: 1 });
    await vi.waitFor(() => expect(ws.closed).toBeDefined());
    expect(ws.closed?.code).toBe(LIVE_CLOSE.reBootstrap);
    expect(ws.frames.at(-1)).toMatchObject({
      type: 'error',
      problem: { status: 410, kind: 're_bootstrap' },
    });
  });
});
