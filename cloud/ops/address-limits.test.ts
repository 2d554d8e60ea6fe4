import { describe, expect, it } from 'vitest';
import { newUlid } from '#protocol';
import { DEMO } from '../seed/demo-seed.ts';
import { type PairedTestDevice, pairTestDevice } from '../testing/devices.ts';
import { demoOp, postOp } from '../testing/ops.ts';
import { makeTestApp, type TestApp } from '../testing/test-app.ts';

// Writes are limited per caller address and per paired device, beside per caller and per
// tenant.

const URL = `/v1/venues/${DEMO.venueId}/ops`;

/** One write from a peer address (Bun's server is Hono's env under Bun.serve). */
async function writeFrom(
  t: TestApp,
  address: string,
  as: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const op = await demoOp('order.sendToKitchen', { orderId: newUlid() });
  const init = postOp(op, { ...as, ...headers });
  return t.app.request(URL, init, {
    requestIP: () => ({ address, family: 'IPv4', port: 50_000 }),
  });
}

describe('write limits per caller address', () => {
  it('allows the burst, refuses the next with 429 back_off and Retry-After, refills with time', async () => {
    const t = await makeTestApp({ limits: { addressRequestsPerSecond: 1, addressBurst: 3 } });
    // Several people behind one address share its budget; a write they may not do still counts.
    for (const as of [t.as.manager, t.as.server, t.as.manager]) {
      expect((await writeFrom(t, '203.0.113.66', as)).status).toBe(422);
    }
    const refused = await writeFrom(t, '203.0.113.66', t.as.server);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ code: 'RATE_LIMITED', kind: 'back_off' });
    // Another address is not held back by it.
    expect((await writeFrom(t, '198.51.100.7', t.as.manager)).status).toBe(422);
    // A caller without an address (in-process, no Bun server) is no one address: not limited.
    for (let i = 0; i < 5; i++) {
      const op = await demoOp('order.sendToKitchen', { orderId: newUlid() });
      expect((await t.app.request(URL, postOp(op, t.as.manager))).status).toBe(422);
    }
    t.clock.advance(999);
    expect((await writeFrom(t, '203.0.113.66', t.as.server)).status).toBe(429);
    t.clock.advance(1);
    expect((await writeFrom(t, '203.0.113.66', t.as.server)).status).toBe(422);
  });

  it("a refused address spends none of its tenant's budget", async () => {
    const t = await makeTestApp({
      limits: {
        addressRequestsPerSecond: 1,
        addressBurst: 1,
        tenantRequestsPerSecond: 1,
        tenantBurst: 3,
      },
    });
    expect((await writeFrom(t, '203.0.113.66', t.as.manager)).status).toBe(422);
    for (let i = 0; i < 10; i++)
      expect((await writeFrom(t, '203.0.113.66', t.as.manager)).status).toBe(429);
    // The tenant still has two of its three: two other addresses write.
    expect((await writeFrom(t, '198.51.100.7', t.as.server)).status).toBe(422);
    expect((await writeFrom(t, '198.51.100.8', t.as.server)).status).toBe(422);
    expect((await writeFrom(t, '198.51.100.9', t.as.server)).status).toBe(429);
  });

  it("does not limit this machine's addresses: a bench, or a proxy on it not named as trusted", async () => {
    const t = await makeTestApp({ limits: { addressRequestsPerSecond: 1, addressBurst: 1 } });
    for (let i = 0; i < 5; i++) {
      expect((await writeFrom(t, '127.0.0.1', t.as.manager)).status).toBe(422);
      expect((await writeFrom(t, '::ffff:127.0.0.1', t.as.manager)).status).toBe(422);
    }
  });

  it('counts the client behind a trusted proxy, not the proxy', async () => {
    const t = await makeTestApp({
      limits: { addressRequestsPerSecond: 1, addressBurst: 1 },
      trustedProxies: new Set(['10.0.0.2']),
    });
    const from = (client: string) => ({ 'X-Forwarded-For': client });
    expect((await writeFrom(t, '10.0.0.2', t.as.manager, from('203.0.113.66'))).status).toBe(422);
    expect((await writeFrom(t, '10.0.0.2', t.as.manager, from('203.0.113.66'))).status).toBe(429);
    expect((await writeFrom(t, '10.0.0.2', t.as.manager, from('198.51.100.7'))).status).toBe(422);
  });
});

describe('write limits per paired device', () => {
  /** Signs `pin` in on `device`: a token naming the device (`did`). */
  async function onDevice(t: TestApp, device: PairedTestDevice, pin: string) {
    const res = await t.app.request('/v1/auth/staff', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...device.header },
      body: JSON.stringify({ venueId: DEMO.venueId, pin }),
    });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    return { Authorization: `Bearer ${token}` };
  }

  it('staff switching on one tablet share its budget; another tablet has its own', async () => {
    const t = await makeTestApp({
      realTokens: true,
      limits: { callerOpsPerSecond: 1, callerBurst: 2 },
    });
    const tablet = await pairTestDevice(t);
    const server = await onDevice(t, tablet, DEMO.pins.server);
    const manager = await onDevice(t, tablet, DEMO.pins.manager);
    // Each person has two of their own, but the tablet has two in all.
    expect((await writeFrom(t, '127.0.0.1', server)).status).toBe(422);
    expect((await writeFrom(t, '127.0.0.1', manager)).status).toBe(422);
    const refused = await writeFrom(t, '127.0.0.1', manager);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: 'RATE_LIMITED', kind: 'back_off' });
    // The manager on another tablet is held only by their own budget (one left).
    const other = await pairTestDevice(t);
    expect(
      (await writeFrom(t, '127.0.0.1', await onDevice(t, other, DEMO.pins.manager))).status,
    ).toBe(422);
  });
});
