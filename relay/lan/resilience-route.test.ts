import { describe, expect, it } from 'vitest';
import { type Principal, Problem, type RelayConnectivity, ResilienceReport } from '#protocol';
import { NOW, opOf, staff, VENUE } from '../../tests/protocol/support/venue-fixture.ts';
import { MemoryRelayStore } from '../store/memory-relay-store.ts';
import { RelayBus } from '../sync/feed-bus.ts';
import {
  bootstrappedEngine,
  lanDevices,
  offlineGate,
  testRelayKeys,
} from '../testing/lan-fixture.ts';
import { DeviceCheckpoints, lanHead } from './feed-routes.ts';
import { createLanApp } from './lan-app.ts';
import { RelayLanAuthenticator } from './lan-authenticator.ts';
import { createLanCursors } from './lan-cursors.ts';
import { RelayMetrics } from './relay-metrics.ts';
import { ResilienceRecorder } from './resilience-recorder.ts';
import { resilienceReading } from './resilience-route.ts';

const PATH = `/v1/venues/${VENUE}/resilience`;
const minutesAfter = (minutes: number) =>
  new Date(Date.parse(NOW) + minutes * 60_000).toISOString();

/** The LAN app offline with a recorder, on a clock and an uplink state the test sets. */
async function makeRelay() {
  const { identity, signer } = await testRelayKeys;
  const store = new MemoryRelayStore();
  const bus = new RelayBus();
  let now = Date.parse(NOW);
  const clock = () => new Date(now);
  const engine = await bootstrappedEngine(store, bus, clock);
  const checkpoints = new DeviceCheckpoints();
  const devices = lanDevices(engine, bus, clock);
  const resilience = new ResilienceRecorder(clock);
  let uplink: { connectivity: RelayConnectivity; since: string } = {
    connectivity: 'offline_local',
    since: NOW,
  };
  const status = () => uplink;
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
    cursors: await createLanCursors(identity, () => store.load().epoch),
    checkpoints,
    maxBatchOps: 100,
    maxWaitSeconds: 30,
    version: 'test',
    log: () => {},
    metrics: new RelayMetrics(),
    status,
    resilience,
  });
  const iat = Math.floor(Date.parse(NOW) / 1000);
  const as = async (principal: Principal): Promise<Record<string, string>> => {
    if (principal.kind !== 'staff') throw new Error('staff only here');
    const token = await signer.sign({
      kind: 'staff',
      sub: principal.actorId,
      role: principal.role,
      tenantId: principal.tenantId,
      venueId: principal.venueId,
      iat,
      exp: iat + 24 * 3600,
    });
    return { Authorization: `Bearer ${token}` };
  };
  return {
    app,
    store,
    engine,
    checkpoints,
    resilience,
    identity,
    as,
    /** Moves the clock to NOW plus `minutes`. */
    at: (minutes: number) => {
      now = Date.parse(NOW) + minutes * 60_000;
    },
    setUplink: (connectivity: RelayConnectivity, since: string) => {
      uplink = { connectivity, since };
    },
    sample: () => resilience.sample(resilienceReading({ store, checkpoints, status })),
  };
}

async function problemOf(res: Response): Promise<Problem> {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return Problem.parse(await res.json());
}

describe('GET …/resilience on the LAN', () => {
  it("answers a manager the relay's own report: node, devices, connectivity and samples", async () => {
    const r = await makeRelay();
    const manager = staff('manager');
    // Two orders decided while the uplink is down: journaled, not yet in the cloud.
    for (const orderId of ['01JD0000000000000000000R01', '01JD0000000000000000000R02']) {
      const op = await opOf('order.create', { orderId, tableId: 'table-1', lines: [] }, manager);
      await r.engine.submitLocal(op, manager);
    }
    const head = lanHead(r.store);
    expect(head).toBeGreaterThan(0);
    r.checkpoints.put('tablet-1', {
      seq: head - 1,
      outboxDepth: 2,
      oldestPendingAt: NOW,
      failedOps: 0,
      updatedAt: NOW,
    });
    r.checkpoints.put('tablet-2', {
      seq: head,
      outboxDepth: 3,
      oldestPendingAt: NOW,
      failedOps: 1,
      updatedAt: NOW,
    });
    r.resilience.noteConnectivity('offline_local', NOW);
    r.sample();
    r.at(1);
    r.setUplink('reconciling', minutesAfter(1));
    r.resilience.noteConnectivity('reconciling', minutesAfter(1));
    r.sample();

    const res = await r.app.request(PATH, { headers: await r.as(manager) });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const report = ResilienceReport.parse(await res.json());
    const nodeId = r.identity.nodeId;
    expect(report).toMatchObject({
      venueId: VENUE,
      journalHead: head,
      at: minutesAfter(1),
      nodes: [
        {
          nodeId,
          status: 'active',
          ackedSeq: r.engine.cloudPosition.seq,
          lag: 2,
          heartbeat: null,
        },
      ],
      connectivity: {
        state: 'reconciling',
        since: minutesAfter(1),
        history: [
          { state: 'offline_local', at: NOW },
          { state: 'reconciling', at: minutesAfter(1) },
        ],
      },
      samples: [
        { at: NOW, journalDepth: 2, outboxDepth: 5, replaying: false },
        { at: minutesAfter(1), journalDepth: 2, outboxDepth: 5, replaying: true },
      ],
    });
    expect(report.devices).toEqual([
      {
        deviceId: 'tablet-1',
        seq: head - 1,
        lag: 1,
        outboxDepth: 2,
        oldestPendingAt: NOW,
        failedOps: 0,
        updatedAt: NOW,
        via: nodeId,
      },
      {
        deviceId: 'tablet-2',
        seq: head,
        lag: 0,
        outboxDepth: 3,
        oldestPendingAt: NOW,
        failedOps: 1,
        updatedAt: NOW,
        via: nodeId,
      },
    ]);
    // An owner reads it too.
    const asOwner = await r.app.request(PATH, { headers: await r.as(staff('owner')) });
    expect(asOwner.status).toBe(200);
  });

  it('shows the state the uplink is in now, even one the recorder was not told of', async () => {
    const r = await makeRelay();
    r.resilience.noteConnectivity('offline_local', NOW);
    r.setUplink('online', minutesAfter(2));
    r.at(3);
    const res = await r.app.request(PATH, { headers: await r.as(staff('manager')) });
    const report = ResilienceReport.parse(await res.json());
    expect(report.connectivity).toEqual({
      state: 'online',
      since: minutesAfter(2),
      history: [
        { state: 'offline_local', at: NOW },
        { state: 'online', at: minutesAfter(2) },
      ],
    });
    expect(report.samples).toEqual([]);
  });

  it('refuses a server and the kitchen (403), with problem+json', async () => {
    const r = await makeRelay();
    for (const role of ['server', 'kitchen'] as const) {
      const res = await r.app.request(PATH, { headers: await r.as(staff(role)) });
      expect(res.status).toBe(403);
      expect(await problemOf(res)).toMatchObject({ code: 'FORBIDDEN' });
    }
  });

  it("refuses another venue's path, and a token for another venue", async () => {
    const r = await makeRelay();
    const manager = staff('manager');
    const path = await r.app.request('/v1/venues/other-venue/resilience', {
      headers: await r.as(manager),
    });
    expect(path.status).toBe(403);
    const problem = await problemOf(path);
    expect(problem).toMatchObject({ code: 'FORBIDDEN' });
    expect(JSON.stringify(problem)).not.toContain(VENUE);
    const token = await r.app.request('/v1/venues/other-venue/resilience', {
      headers: await r.as({ ...manager, venueId: 'other-venue' }),
    });
    expect(token.status).toBe(403);
    expect(await problemOf(token)).toMatchObject({ code: 'FOREIGN_VENUE' });
  });

  it('asks for sign-in without a token (401)', async () => {
    const r = await makeRelay();
    const res = await r.app.request(PATH);
    expect(res.status).toBe(401);
    expect(await problemOf(res)).toMatchObject({ code: 'AUTH_REQUIRED' });
  });
});
