import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type Operation, Problem, TokenResponse } from '#protocol';
import { NOW, opOf, staff, VENUE } from '../../tests/protocol/support/venue-fixture.ts';
import { MemoryRelayStore } from '../store/memory-relay-store.ts';
import { RelayBus } from '../sync/feed-bus.ts';
import {
  bootstrappedEngine,
  lanDevices,
  offlineGate,
  pairDevice,
  staffWithPins,
  testRelayKeys,
} from '../testing/lan-fixture.ts';
import { registerLanAuthRoutes } from './auth-routes.ts';
import { RelayLanAuthenticator } from './lan-authenticator.ts';
import type { LanEnv } from './lan-caller.ts';
import {
  DEFAULT_LAN_WRITE_LIMITS,
  type LanWriteLimits,
  registerLanOpsRoutes,
} from './ops-routes.ts';

// Writes on the LAN are limited per LAN address and per device, on a fake clock.

const BASE = `/v1/venues/${VENUE}`;
let orders = 0;

async function lanWrites(limits: Omit<LanWriteLimits, 'now'>) {
  const { identity, signer } = await testRelayKeys;
  const store = new MemoryRelayStore();
  let now = Date.parse(NOW);
  const clock = () => new Date(now);
  const bus = new RelayBus();
  const engine = await bootstrappedEngine(store, bus, clock);
  const devices = lanDevices(engine, bus, clock);
  const tablet = await pairDevice(engine);
  store.replaceStaff(
    await staffWithPins(identity, [
      { memberId: 'manager-1', name: 'Mia', role: 'manager', pin: '3333' },
      { memberId: 'server-1', name: 'Sam', role: 'server', pin: '1111' },
    ]),
  );
  const app = new Hono<LanEnv>();
  registerLanAuthRoutes(app, {
    identity,
    signer,
    store,
    engine,
    gate: offlineGate,
    clock,
    devices,
  });
  registerLanOpsRoutes(app, {
    engine,
    store,
    gate: offlineGate,
    authenticator: new RelayLanAuthenticator(identity, clock, devices),
    maxBatchOps: 100,
    writeLimits: { ...limits, now: () => now },
  });
  const env = (address: string) => ({
    requestIP: () => ({ address, family: 'IPv4', port: 50_000 }),
  });
  const bearer = async (pin: string) => {
    const res = await app.request(
      '/v1/auth/staff',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...tablet.headers },
        body: JSON.stringify({ venueId: VENUE, pin }),
      },
      env('10.0.0.200'),
    );
    return `Bearer ${TokenResponse.parse(await res.json()).token}`;
  };
  const tokens = { manager: await bearer('3333'), server: await bearer('1111') };
  const op = (deviceId: string, who: 'manager' | 'server' = 'manager') =>
    opOf(
      'order.create',
      {
        orderId: `01JD0000000000000000000${String(++orders % 1000).padStart(3, '0')}`,
        tableId: 'table-1',
        lines: [{ lineId: 'l-1', itemId: 'fries', quantity: 1 }],
      },
      who === 'manager' ? staff('manager') : staff('server'),
      { deviceId },
    );
  /** One op on the direct lane from `address` (undefined: no Bun server, as in-process). */
  const single = async (
    address: string | undefined,
    deviceId: string,
    who: 'manager' | 'server' = 'manager',
  ) => {
    const o = await op(deviceId, who);
    return app.request(
      `${BASE}/ops`,
      {
        method: 'POST',
        headers: { Authorization: tokens[who], 'Idempotency-Key': o.opId },
        body: JSON.stringify(o),
      },
      address === undefined ? undefined : env(address),
    );
  };
  const batch = async (address: string, deviceId: string, n: number) => {
    const ops: Operation[] = [];
    for (let i = 0; i < n; i++) ops.push(await op(deviceId));
    return app.request(
      `${BASE}/ops/batch`,
      {
        method: 'POST',
        headers: { Authorization: tokens.manager, 'Content-Type': 'application/json' },
        body: JSON.stringify({ deviceId, ops }),
      },
      env(address),
    );
  };
  return { single, batch, advance: (ms: number) => (now += ms) };
}

describe('LAN write limits', () => {
  it('per device: the burst goes through, the op above it gets 429 back_off, one more a second later', async () => {
    const r = await lanWrites({
      perAddress: { opsPerSecond: 100, burst: 1000 },
      perDevice: { opsPerSecond: 1, burst: 5 },
    });
    for (let i = 0; i < 5; i++) expect((await r.single('10.0.0.5', 'tablet-a')).status).toBe(202);
    const refused = await r.single('10.0.0.5', 'tablet-a');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe('1');
    expect(Problem.parse(await refused.json())).toMatchObject({
      code: 'RATE_LIMITED',
      kind: 'back_off',
      retryAfter: 1,
    });
    // Another device at the same address, and another person naming the same device id.
    expect((await r.single('10.0.0.5', 'tablet-b')).status).toBe(202);
    expect((await r.single('10.0.0.5', 'tablet-a', 'server')).status).not.toBe(429);
    r.advance(999);
    expect((await r.single('10.0.0.5', 'tablet-a')).status).toBe(429);
    r.advance(1);
    expect((await r.single('10.0.0.5', 'tablet-a')).status).toBe(202);
    expect((await r.single('10.0.0.5', 'tablet-a')).status).toBe(429);
  });

  it('counts a batch as its ops: up to the burst goes through, one op more does not', async () => {
    const r = await lanWrites({
      perAddress: { opsPerSecond: 100, burst: 1000 },
      perDevice: { opsPerSecond: 10, burst: 60 },
    });
    expect((await r.batch('10.0.0.5', 'tablet-a', 50)).status).toBe(200);
    expect((await r.batch('10.0.0.5', 'tablet-a', 10)).status).toBe(200);
    expect((await r.batch('10.0.0.5', 'tablet-a', 1)).status).toBe(429);
  });

  it('by default lets one tablet flush five full batches (500 ops) at once, not a sixth', async () => {
    const r = await lanWrites(DEFAULT_LAN_WRITE_LIMITS);
    for (let i = 0; i < 5; i++)
      expect((await r.batch('10.0.0.5', 'tablet-a', 100)).status).toBe(200);
    expect((await r.batch('10.0.0.5', 'tablet-a', 100)).status).toBe(429);
    // Its neighbour on the Wi-Fi sends its own burst of 50.
    expect((await r.batch('10.0.0.6', 'tablet-b', 50)).status).toBe(200);
  });

  it('per address: new device ids do not escape it, other addresses are not held back', async () => {
    const r = await lanWrites({
      perAddress: { opsPerSecond: 1, burst: 8 },
      perDevice: { opsPerSecond: 100, burst: 1000 },
    });
    expect((await r.batch('10.0.0.66', 'spray-1', 5)).status).toBe(200);
    expect((await r.batch('10.0.0.66', 'spray-2', 3)).status).toBe(200);
    const refused = await r.single('10.0.0.66', 'spray-3');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe('1');
    expect((await r.single('10.0.0.12', 'tablet-b')).status).toBe(202);
  });

  it("does not limit the relay's own machine, nor in-process callers per address", async () => {
    const r = await lanWrites({
      perAddress: { opsPerSecond: 1, burst: 2 },
      perDevice: { opsPerSecond: 1, burst: 2 },
    });
    for (let i = 0; i < 5; i++) {
      expect((await r.single('127.0.0.1', 'bench')).status).toBe(202);
      expect((await r.single('::1', 'bench')).status).toBe(202);
      expect((await r.single(undefined, `in-process-${i}`)).status).toBe(202);
    }
  });
});
