import { describe, expect, it } from 'vitest';
import {
  createTokenSigner,
  credentialDigestOf,
  DEVICE_HEADER,
  DeviceListing,
  DevicePaired,
  type EntityOf,
  generateTokenKeyPair,
  LIVE_CLOSE,
  LiveFrame,
  newUlid,
  PairingCreated,
  type Principal,
  Problem,
  Snapshot,
  TokenResponse,
  verifyToken,
} from '#protocol';
import type { LiveServerSocket, LiveSocketData } from '../../server/live/live-connection.ts';
import { createLiveRoute } from '../feed/live-socket.ts';
import { DEMO } from '../seed/demo-seed.ts';
import { pairTestDevice } from '../testing/devices.ts';
import { demoOp, postOp } from '../testing/ops.ts';
import { makeTestApp, type TestApp } from '../testing/test-app.ts';
import { setupPairingCode } from './setup-code.ts';

const V = DEMO.venueId;
const PAIRINGS = `/v1/venues/${V}/devices/pairings`;
const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const staffSignIn = (t: TestApp, pin: string, headers: Record<string, string> = {}) =>
  t.app.request('/v1/auth/staff', json({ venueId: V, pin }, headers));
const manager: Principal = {
  kind: 'staff',
  tenantId: DEMO.tenantId,
  venueId: V,
  actorId: 'demo-manager',
  role: 'manager',
};

async function createCode(t: TestApp, role: 'floor' | 'kitchen' = 'floor') {
  const res = await t.app.request(PAIRINGS, json({ role }, t.as.manager));
  expect(res.status).toBe(201);
  return PairingCreated.parse(await res.json());
}

const pair = (t: TestApp, code: string, deviceId = 'bar-tablet', url = '/v1/devices/pair') =>
  t.app.request(url, json({ code, deviceId, name: 'Bar tablet' }));

async function devicesOf(t: TestApp): Promise<EntityOf<'device'>[]> {
  const res = await t.app.request(`/v1/venues/${V}/snapshot?scopes=device`, {
    headers: t.as.manager,
  });
  const snapshot = Snapshot.parse(await res.json());
  return snapshot.records.flatMap((r) => (r.entity === 'device' ? [r.data] : []));
}

describe('POST /v1/venues/{venueId}/devices/pairings', () => {
  it.each(['manager', 'owner'] as const)(
    'gives a %s a signed single-use code for 10 minutes, its link with the code in the fragment',
    async (role) => {
      const t = await makeTestApp();
      const res = await t.app.request(PAIRINGS, json({ role: 'kitchen' }, t.as[role]));
      expect(res.status).toBe(201);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = PairingCreated.parse(await res.json());
      expect(body.pairUrl).toBe(`http://localhost/pair#code=${body.code}`);
      const verified = await verifyToken(
        body.code,
        async () => t.keys.verifyKey,
        Math.floor(t.clock.now().getTime() / 1000),
      );
      if (!verified.ok) throw new Error(verified.reason);
      expect(verified.claims).toMatchObject({
        kind: 'pairing',
        sub: `demo-${role}`,
        role: 'kitchen',
        tenantId: DEMO.tenantId,
        venueId: V,
      });
      expect(verified.claims.exp - verified.claims.iat).toBe(600);
      expect(body.expiresAt).toBe(new Date(verified.claims.exp * 1000).toISOString());
    },
  );

  it('uses the public origin for the link when one is configured', async () => {
    const t = await makeTestApp({ publicOrigin: 'https://hearth.example' });
    const body = await createCode(t);
    expect(body.pairUrl).toBe(`https://hearth.example/pair#code=${body.code}`);
  });

  it('refuses servers, kitchens, guests, relays (403), no token (401), another venue (403)', async () => {
    const t = await makeTestApp();
    for (const role of ['server', 'kitchen', 'guest'] as const) {
      const res = await t.app.request(PAIRINGS, json({ role: 'floor' }, t.as[role]));
      expect(res.status, role).toBe(403);
    }
    const relay = t.auth.relay('node-1', DEMO.tenantId, V);
    const byRelay = await t.app.request(
      PAIRINGS,
      json({ role: 'floor' }, { Authorization: `Bearer ${relay}` }),
    );
    expect(byRelay.status).toBe(403);
    expect((await t.app.request(PAIRINGS, json({ role: 'floor' }))).status).toBe(401);
    for (const venue of ['harbour-bar', 'lakeside-grill']) {
      const res = await t.app.request(
        `/v1/venues/${venue}/devices/pairings`,
        json({ role: 'floor' }, t.as.manager),
      );
      expect(res.status, venue).toBe(403);
    }
    const bad = await t.app.request(PAIRINGS, json({ role: 'bar' }, t.as.manager));
    expect(bad.status).toBe(400);
  });
});

describe('POST /v1/devices/pair', () => {
  it('pairs: 201 DevicePaired, the credential only in an HttpOnly SameSite=Strict cookie', async () => {
    const t = await makeTestApp();
    const { code } = await createCode(t, 'kitchen');
    const res = await pair(t, code);
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(DevicePaired.parse(JSON.parse(text))).toEqual({
      deviceId: 'bar-tablet',
      name: 'Bar tablet',
      role: 'kitchen',
      venueId: V,
      tenantId: DEMO.tenantId,
    });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      /^hearth_device=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=34560000$/,
    );
    const secret = /^hearth_device=([^;]+)/.exec(cookie)?.[1] ?? '';
    expect(text).not.toContain(secret);
    expect(JSON.stringify(t.logLines)).not.toContain(secret);
    expect(JSON.stringify(t.logLines)).not.toContain(code);
    // The venue state holds its digest, never the secret, and who paired it.
    const [device] = await devicesOf(t);
    expect(device).toMatchObject({
      id: 'bar-tablet',
      role: 'kitchen',
      credentialDigest: await credentialDigestOf(secret),
      pairedBy: 'demo-manager',
      revoked: false,
    });
    expect(JSON.stringify(device)).not.toContain(secret);
  });

  it('sets the cookie Secure on https, and behind a TLS proxy (https public origin)', async () => {
    const t = await makeTestApp();
    const res = await pair(
      t,
      (await createCode(t)).code,
      'a',
      'https://cloud.test/v1/devices/pair',
    );
    expect(res.headers.get('set-cookie')).toMatch(/; Secure$/);
    const proxied = await makeTestApp({ publicOrigin: 'https://hearth.example' });
    const behind = await pair(proxied, (await createCode(proxied)).code);
    expect(behind.headers.get('set-cookie')).toMatch(/; Secure$/);
  });

  it('a code pairs once: 409 PAIRING_USED, for the same device or another', async () => {
    const t = await makeTestApp();
    const { code } = await createCode(t);
    expect((await pair(t, code)).status).toBe(201);
    for (const deviceId of ['bar-tablet', 'other-tablet']) {
      const again = await pair(t, code, deviceId);
      expect(again.status).toBe(409);
      expect(again.headers.get('set-cookie')).toBeNull();
      expect(Problem.parse(await again.json())).toMatchObject({
        code: 'PAIRING_USED',
        kind: 'stop',
      });
    }
    expect(await devicesOf(t)).toHaveLength(1);
  });

  it('an expired code is 410 PAIRING_EXPIRED', async () => {
    const t = await makeTestApp();
    const { code } = await createCode(t);
    t.clock.advance(600_000);
    const res = await pair(t, code);
    expect(res.status).toBe(410);
    expect(Problem.parse(await res.json()).code).toBe('PAIRING_EXPIRED');
  });

  it('a forged, tampered or non-pairing code is 401 PAIRING_INVALID', async () => {
    const t = await makeTestApp();
    const { code } = await createCode(t);
    const other = await generateTokenKeyPair();
    const forged = await createTokenSigner({ privateKey: other.privateKey, kid: 'cloud-1' }).sign({
      kind: 'pairing',
      sub: 'setup',
      jti: '01JD0000000000000000000106',
      role: 'floor',
      tenantId: DEMO.tenantId,
      venueId: V,
      iat: Math.floor(t.clock.now().getTime() / 1000),
      exp: Math.floor(t.clock.now().getTime() / 1000) + 600,
    });
    const now = Math.floor(t.clock.now().getTime() / 1000);
    const staffToken = await t.keys.signer.sign({
      kind: 'staff',
      sub: 'demo-manager',
      role: 'manager',
      tenantId: DEMO.tenantId,
      venueId: V,
      iat: now,
      exp: now + 600,
    });
    for (const bad of [forged, `${code.slice(0, -4)}AAAA`, staffToken, 'not-a-code']) {
      const res = await pair(t, bad);
      expect(res.status).toBe(401);
      expect(Problem.parse(await res.json()).code).toBe('PAIRING_INVALID');
    }
    expect(await devicesOf(t)).toHaveLength(0);
  });

  it("a code signed by the venue's active relay pairs at the cloud; for another venue, or once revoked, not", async () => {
    const t = await makeTestApp();
    const keys = await generateTokenKeyPair();
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', keys.publicKey);
    const nodeId = '01JD00000000000000000000N1';
    await t.store.createEdgeNode(
      {
        nodeId,
        tenantId: DEMO.tenantId,
        venueId: V,
        name: 'Back office',
        status: 'pending',
        publicKeyJwk: null,
        createdAt: '2026-11-23T19:00:00.000Z',
        enrolledAt: null,
        ackedSeq: 0,
        lastSeenAt: null,
        heartbeat: null,
      },
      {
        tokenDigest: 'd'.repeat(64),
        nodeId,
        expiresAt: '2026-11-24T00:00:00.000Z',
        usedAt: null,
      },
    );
    await t.store.redeemEnrollmentToken(
      'd'.repeat(64),
      '2026-11-23T19:00:00.000Z',
      JSON.stringify({ kty, crv, x, y }),
    );
    const relay = createTokenSigner({ privateKey: keys.privateKey, kid: `relay:${nodeId}` });
    const now = Math.floor(t.clock.now().getTime() / 1000);
    const codeFor = (venueId: string, tenantId: string = DEMO.tenantId) =>
      relay.sign({
        kind: 'pairing',
        sub: 'demo-manager',
        jti: newUlid(t.clock.now().getTime()),
        role: 'kitchen',
        tenantId,
        venueId,
        iat: now,
        exp: now + 600,
      });
    expect((await pair(t, await codeFor(V))).status).toBe(201);
    const elsewhere = await pair(t, await codeFor('lakeside-grill', 'lakeside'), 'b');
    expect(Problem.parse(await elsewhere.json()).code).toBe('PAIRING_INVALID');
    await t.store.updateEdgeNode(nodeId, { status: 'revoked' });
    const revoked = await pair(t, await codeFor(V), 'c');
    expect(Problem.parse(await revoked.json()).code).toBe('PAIRING_INVALID');
  });

  it('a setup code pairs as the setup actor', async () => {
    const t = await makeTestApp();
    const { code } = await setupPairingCode(t.keys.signer, {
      tenantId: DEMO.tenantId,
      venueId: V,
      role: 'floor',
      origin: 'http://localhost',
      nowMs: t.clock.now().getTime(),
    });
    expect((await pair(t, code)).status).toBe(201);
    expect((await devicesOf(t))[0]).toMatchObject({ pairedBy: 'setup', role: 'floor' });
  });

  it('a pairing code is never a bearer token', async () => {
    const t = await makeTestApp({ realTokens: true });
    const { code } = await setupPairingCode(t.keys.signer, {
      tenantId: DEMO.tenantId,
      venueId: V,
      role: 'floor',
      origin: 'http://localhost',
      nowMs: t.clock.now().getTime(),
    });
    const res = await t.app.request(`/v1/venues/${V}/snapshot`, {
      headers: { Authorization: `Bearer ${code}` },
    });
    expect(res.status).toBe(401);
    expect(Problem.parse(await res.json()).code).toBe('TOKEN_INVALID');
  });
});

describe('POST /v1/auth/staff needs a paired device', () => {
  it('without a device credential: 403 DEVICE_NOT_PAIRED, saying how to pair, before the PIN', async () => {
    const t = await makeTestApp();
    const res = await staffSignIn(t, DEMO.pins.server);
    expect(res.status).toBe(403);
    expect(Problem.parse(await res.json())).toMatchObject({
      code: 'DEVICE_NOT_PAIRED',
      kind: 'stop',
      detail:
        'This device is not paired with the venue. Ask a manager to pair it: Floor › Devices › Pair a device.',
    });
    const unknown = await staffSignIn(t, DEMO.pins.server, { [DEVICE_HEADER]: 'x'.repeat(43) });
    expect(Problem.parse(await unknown.json()).code).toBe('DEVICE_NOT_PAIRED');
  });

  it('wrong PINs from an unpaired device are not tried, so they spend no budget', async () => {
    const t = await makeTestApp();
    for (let i = 0; i < 15; i++) {
      const res = await staffSignIn(t, '0000');
      expect(res.status).toBe(403);
    }
    const device = await pairTestDevice(t);
    // The same caller, now paired: a wrong PIN is its first (401, not 429), a right one signs in.
    expect((await staffSignIn(t, '0000', device.header)).status).toBe(401);
    expect((await staffSignIn(t, DEMO.pins.server, device.header)).status).toBe(200);
  });

  it('wrong PINs count per device too: another address on the same device is stopped', async () => {
    const t = await makeTestApp();
    const from = (address: string, headers: Record<string, string>, pin: string) =>
      t.app.request('/v1/auth/staff', json({ venueId: V, pin }, headers), {
        requestIP: () => ({ address, family: 'IPv4', port: 50_000 }),
      });
    const guessing = await pairTestDevice(t);
    const other = await pairTestDevice(t);
    // Ten wrong PINs from one device, each from another address (no address reaches its bound).
    for (let i = 0; i < 10; i++) {
      expect((await from(`203.0.113.${i}`, guessing.header, '0000')).status).toBe(401);
    }
    const stopped = await from('198.51.100.7', guessing.header, DEMO.pins.server);
    expect(stopped.status).toBe(429);
    expect(Problem.parse(await stopped.json()).code).toBe('PIN_ATTEMPTS_EXCEEDED');
    // The same fresh address on another device signs in.
    expect((await from('198.51.100.7', other.header, DEMO.pins.server)).status).toBe(200);
  });

  it('on a paired device (header or cookie), the token names the device (did)', async () => {
    const t = await makeTestApp();
    const device = await pairTestDevice(t, { deviceId: 'front-tablet' });
    for (const headers of [device.header, { Cookie: `hearth_device=${device.secret}` }]) {
      const res = await staffSignIn(t, DEMO.pins.server, headers);
      expect(res.status).toBe(200);
      const { token } = TokenResponse.parse(await res.json());
      const verified = await verifyToken(token, async () => t.keys.verifyKey, 1_795_000_000);
      expect(verified.ok && verified.claims).toMatchObject({ kind: 'staff', did: 'front-tablet' });
    }
  });

  it('a device paired with another venue is not paired here', async () => {
    const t = await makeTestApp();
    const device = await pairTestDevice(t, { tenantId: 'lakeside', venueId: 'lakeside-grill' });
    const res = await staffSignIn(t, DEMO.pins.server, device.header);
    expect(Problem.parse(await res.json()).code).toBe('DEVICE_NOT_PAIRED');
  });

  it('a revoked device: 403 DEVICE_REVOKED', async () => {
    const t = await makeTestApp();
    const device = await pairTestDevice(t);
    const revoke = await demoOp('device.revoke', { deviceId: device.deviceId });
    expect((await t.app.request(`/v1/venues/${V}/ops`, postOp(revoke, t.as.manager))).status).toBe(
      201,
    );
    const res = await staffSignIn(t, DEMO.pins.server, device.header);
    expect(res.status).toBe(403);
    expect(Problem.parse(await res.json()).code).toBe('DEVICE_REVOKED');
  });
});

/** Stands in for Bun's server and socket (as cloud/feed/live-socket.test.ts does). */
class FakeServer {
  data: LiveSocketData | undefined;
  upgrade(_request: Request, options: { data: LiveSocketData }): boolean {
    this.data = options.data;
    return true;
  }
}
class FakeSocket implements LiveServerSocket {
  readonly frames: LiveFrame[] = [];
  closed: { code: number | undefined; reason: string | undefined } | undefined;
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
    return 0;
  }
}

describe('revoking a device', () => {
  it("ends its sessions: every request with its token is 401 DEVICE_REVOKED, others' go on", async () => {
    const t = await makeTestApp();
    const device = await pairTestDevice(t);
    const server = { ...manager, actorId: 'demo-server', role: 'server' as const };
    const onDevice = { Authorization: `Bearer ${t.auth.person(server, 'cloud', device.deviceId)}` };
    const elsewhere = { Authorization: `Bearer ${t.auth.person(server, 'cloud', 'other-device')}` };
    const snapshot = `/v1/venues/${V}/snapshot?scopes=menu`;
    expect((await t.app.request(snapshot, { headers: onDevice })).status).toBe(200);
    const revoke = await demoOp('device.revoke', { deviceId: device.deviceId });
    expect((await t.app.request(`/v1/venues/${V}/ops`, postOp(revoke, t.as.manager))).status).toBe(
      201,
    );
    const after = await t.app.request(snapshot, { headers: onDevice });
    expect(after.status).toBe(401);
    expect(Problem.parse(await after.json())).toMatchObject({
      code: 'DEVICE_REVOKED',
      kind: 'sign_in',
    });
    expect((await t.app.request(snapshot, { headers: elsewhere })).status).toBe(200);
  });

  it('closes its open live sockets (4401 DEVICE_REVOKED) within 5 s of the revoke, and no others', async () => {
    const t = await makeTestApp();
    const live = createLiveRoute(t.deps, { heartbeatMs: 60_000 });
    live.route(t.app);
    const device = await pairTestDevice(t);
    const kitchen = { ...manager, actorId: 'demo-kitchen', role: 'kitchen' as const };
    const snap = Snapshot.parse(
      await (
        await t.app.request(`/v1/venues/${V}/snapshot?scopes=ticket`, { headers: t.as.kitchen })
      ).json(),
    );
    const open = async (did: string) => {
      const fake = new FakeServer();
      const res = await t.app.request(
        `/v1/venues/${V}/live?cursor=${encodeURIComponent(snap.cursor)}&scopes=ticket`,
        {
          headers: {
            Authorization: `Bearer ${t.auth.person(kitchen, 'cloud', did)}`,
            Upgrade: 'websocket',
          },
        },
        fake,
      );
      expect(res.status).toBe(200);
      if (!fake.data) throw new Error('not upgraded');
      const ws = new FakeSocket(fake.data);
      live.websocket.open(ws);
      return ws;
    };
    const revokedOne = await open(device.deviceId);
    const other = await open('other-device');
    const started = performance.now();
    const revoke = await demoOp('device.revoke', { deviceId: device.deviceId });
    expect((await t.app.request(`/v1/venues/${V}/ops`, postOp(revoke, t.as.manager))).status).toBe(
      201,
    );
    await expect
      .poll(() => revokedOne.closed, { timeout: 5000, interval: 10 })
      .toEqual({
        code: LIVE_CLOSE.deviceRevoked,
        reason: 'DEVICE_REVOKED',
      });
    expect(performance.now() - started).toBeLessThan(5000);
    const last = revokedOne.frames.at(-1);
    expect(last?.type === 'error' && last.problem.code).toBe('DEVICE_REVOKED');
    expect(other.closed).toBeUndefined();
    live.websocket.close(revokedOne);
    live.websocket.close(other);
  });
});

describe('revoking a device between the upgrade and the open', () => {
  it('closes the socket as it opens (4401)', async () => {
    const t = await makeTestApp();
    const live = createLiveRoute(t.deps, { heartbeatMs: 60_000 });
    live.route(t.app);
    const device = await pairTestDevice(t);
    const kitchen = { ...manager, actorId: 'demo-kitchen', role: 'kitchen' as const };
    const snap = Snapshot.parse(
      await (
        await t.app.request(`/v1/venues/${V}/snapshot?scopes=ticket`, { headers: t.as.kitchen })
      ).json(),
    );
    const fake = new FakeServer();
    const bearer = t.auth.person(kitchen, 'cloud', device.deviceId);
    const res = await t.app.request(
      `/v1/venues/${V}/live?cursor=${encodeURIComponent(snap.cursor)}&scopes=ticket`,
      { headers: { Authorization: `Bearer ${bearer}`, Upgrade: 'websocket' } },
      fake,
    );
    expect(res.status).toBe(200);
    if (!fake.data) throw new Error('not upgraded');
    // The revoke lands after the upgrade's checks passed, before the socket opens.
    const revoke = await demoOp('device.revoke', { deviceId: device.deviceId });
    expect((await t.app.request(`/v1/venues/${V}/ops`, postOp(revoke, t.as.manager))).status).toBe(
      201,
    );
    const ws = new FakeSocket(fake.data);
    live.websocket.open(ws);
    expect(ws.closed).toEqual({ code: LIVE_CLOSE.deviceRevoked, reason: 'DEVICE_REVOKED' });
    live.websocket.close(ws);
  });
});

describe('GET /v1/venues/{venueId}/devices', () => {
  it('lists devices with last seen and outbox depth, for managers and owners only', async () => {
    const t = await makeTestApp();
    const bar = await pairTestDevice(t, { deviceId: 'bar-tablet', name: 'Bar tablet' });
    await pairTestDevice(t, { deviceId: 'pass-screen', name: 'Pass screen', role: 'kitchen' });
    const server = { ...manager, actorId: 'demo-server', role: 'server' as const };
    // The bar tablet makes a request and reports a checkpoint with 4 ops waiting.
    const onBar = { Authorization: `Bearer ${t.auth.person(server, 'cloud', bar.deviceId)}` };
    t.clock.advance(60_000);
    expect(
      (await t.app.request(`/v1/venues/${V}/snapshot?scopes=menu`, { headers: onBar })).status,
    ).toBe(200);
    await t.store.putCheckpoint({
      venueId: V,
      deviceId: bar.deviceId,
      cursor: 'c',
      seq: 1,
      outboxDepth: 4,
      oldestPendingAt: null,
      failedOps: 0,
      updatedAt: '2026-11-23T19:30:30.000Z',
    });
    const res = await t.app.request(`/v1/venues/${V}/devices`, { headers: t.as.owner });
    expect(res.status).toBe(200);
    const listing = DeviceListing.parse(await res.json());
    expect(listing.devices).toEqual([
      {
        id: 'bar-tablet',
        name: 'Bar tablet',
        role: 'floor',
        pairedAt: '2026-11-23T19:30:00.000Z',
        revoked: false,
        revokedAt: null,
        lastSeenAt: '2026-11-23T19:31:00.000Z',
        outboxDepth: 4,
      },
      {
        id: 'pass-screen',
        name: 'Pass screen',
        role: 'kitchen',
        pairedAt: '2026-11-23T19:30:00.000Z',
        revoked: false,
        revokedAt: null,
        lastSeenAt: null,
        outboxDepth: null,
      },
    ]);
    expect(JSON.stringify(listing)).not.toContain(bar.secret);
    for (const role of ['server', 'kitchen', 'guest'] as const) {
      const refused = await t.app.request(`/v1/venues/${V}/devices`, { headers: t.as[role] });
      expect(refused.status, role).toBe(403);
    }
    const other = await t.app.request('/v1/venues/lakeside-grill/devices', {
      headers: t.as.manager,
    });
    expect(other.status).toBe(403);
  });

  it('a device with its live socket open is seen at every heartbeat', async () => {
    const t = await makeTestApp();
    const live = createLiveRoute(t.deps, { heartbeatMs: 20 });
    live.route(t.app);
    const device = await pairTestDevice(t, { deviceId: 'pass-screen', role: 'kitchen' });
    const kitchen = { ...manager, actorId: 'demo-kitchen', role: 'kitchen' as const };
    const snap = Snapshot.parse(
      await (
        await t.app.request(`/v1/venues/${V}/snapshot?scopes=ticket`, { headers: t.as.kitchen })
      ).json(),
    );
    const fake = new FakeServer();
    const bearer = t.auth.person(kitchen, 'cloud', device.deviceId);
    await t.app.request(
      `/v1/venues/${V}/live?cursor=${encodeURIComponent(snap.cursor)}&scopes=ticket`,
      { headers: { Authorization: `Bearer ${bearer}`, Upgrade: 'websocket' } },
      fake,
    );
    if (!fake.data) throw new Error('not upgraded');
    const ws = new FakeSocket(fake.data);
    live.websocket.open(ws);
    // No request for ten minutes: only the open socket says the screen is there.
    t.clock.advance(600_000);
    const later = t.clock.now().toISOString();
    await expect
      .poll(
        async () => {
          const res = await t.app.request(`/v1/venues/${V}/devices`, { headers: t.as.manager });
          return DeviceListing.parse(await res.json()).devices[0]?.lastSeenAt;
        },
        { timeout: 2000, interval: 25 },
      )
      .toBe(later);
    live.websocket.close(ws);
  });

  it('servers and kitchens cannot read the device scope (digests are for managers and relays)', async () => {
    const t = await makeTestApp();
    await pairTestDevice(t);
    const res = await t.app.request(`/v1/venues/${V}/snapshot?scopes=device`, {
      headers: t.as.server,
    });
    expect(res.status).toBe(403);
    const all = Snapshot.parse(
      await (await t.app.request(`/v1/venues/${V}/snapshot`, { headers: t.as.kitchen })).json(),
    );
    expect(all.records.some((r) => r.entity === 'device')).toBe(false);
  });
});
