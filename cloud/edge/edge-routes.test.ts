import { describe, expect, it } from 'vitest';
import {
  decodeBase64Url,
  digestPin,
  EdgeStaffList,
  EnrollResponse,
  ResilienceReport,
  Snapshot,
  verifyToken,
} from '#protocol';
import { DEMO } from '../seed/demo-seed.ts';
import { pairTestDevice } from '../testing/devices.ts';
import { makeTestApp, type TestApp } from '../testing/test-app.ts';

const VENUE = `/v1/venues/${DEMO.venueId}`;
const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

async function publicJwk() {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return { kty, crv, x, y };
}

async function createNode(t: TestApp) {
  const res = await t.app.request(
    `${VENUE}/edge/nodes`,
    json({ name: 'Back office box' }, t.as.manager),
  );
  expect(res.status).toBe(201);
  return (await res.json()) as { nodeId: string; enrollmentToken: string; expiresAt: string };
}

async function enroll(t: TestApp, enrollmentToken: string) {
  return t.app.request(
    '/v1/edge/enroll',
    json({ enrollmentToken, publicKeyJwk: await publicJwk() }),
  );
}

describe('relay enrollment', () => {
  it('a manager creates a node; the relay trades the one-time token for a credential, once', async () => {
    const t = await makeTestApp({ realTokens: true });
    const device = await pairTestDevice(t);
    const signIn = await t.app.request(
      '/v1/auth/staff',
      json({ venueId: DEMO.venueId, pin: DEMO.pins.manager }, device.header),
    );
    const { token } = (await signIn.json()) as { token: string };
    const node = await createNode({
      ...t,
      as: { ...t.as, manager: { Authorization: `Bearer ${token}` } },
    });
    const stored = await t.store.getEdgeNode(node.nodeId);
    expect(stored).toMatchObject({ status: 'pending', venueId: DEMO.venueId, publicKeyJwk: null });
    expect(JSON.stringify(stored)).not.toContain(node.enrollmentToken);

    const res = await enroll(t, node.enrollmentToken);
    expect(res.status).toBe(200);
    const enrolled = EnrollResponse.parse(await res.json());
    expect(enrolled).toMatchObject({
      nodeId: node.nodeId,
      tenantId: DEMO.tenantId,
      venueId: DEMO.venueId,
    });
    const verified = await verifyToken(
      enrolled.credential,
      async () => t.keys.verifyKey,
      t.clock.now().getTime() / 1000,
    );
    expect(verified).toMatchObject({
      ok: true,
      claims: { kind: 'relay', sub: node.nodeId, venueId: DEMO.venueId },
    });
    expect(enrolled.verificationKeys[0]?.kid).toBe('cloud-1');

    // The venue PIN key lets the relay check the venue's staff PINs offline: the staff list's
    // digests are the PIN's HMAC under it.
    const relay = { Authorization: `Bearer ${enrolled.credential}` };
    const { staff } = EdgeStaffList.parse(
      await (await t.app.request(`${VENUE}/edge/staff`, { headers: relay })).json(),
    );
    const manager = staff.find((s) => s.role === 'manager');
    expect(manager?.pinDigest).toBe(
      await digestPin(decodeBase64Url(enrolled.venuePinKey) ?? new Uint8Array(), DEMO.pins.manager),
    );
    expect(staff).toHaveLength(4);
    expect(
      (
        await t.app.request(`${VENUE}/edge/staff`, {
          headers: { Authorization: `Bearer ${token}` },
        })
      ).status,
    ).toBe(403);

    // The credential works: the relay reads a snapshot with it.
    const snapshot = await t.app.request(`${VENUE}/snapshot`, {
      headers: { Authorization: `Bearer ${enrolled.credential}` },
    });
    expect(snapshot.status).toBe(200);

    // Replayed token: refused, and nothing changes.
    const before = await t.store.getEdgeNode(node.nodeId);
    const replay = await enroll(t, node.enrollmentToken);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: 'ENROLLMENT_TOKEN_INVALID', kind: 'stop' });
    expect(await t.store.getEdgeNode(node.nodeId)).toEqual(before);
  });

  it('refuses an expired token, a private key, and a non-manager creating nodes', async () => {
    const t = await makeTestApp();
    const node = await createNode(t);
    t.clock.advance(16 * 60 * 1000);
    expect((await enroll(t, node.enrollmentToken)).status).toBe(401);
    expect((await t.store.getEdgeNode(node.nodeId))?.status).toBe('pending');

    const fresh = await createNode(t);
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ]);
    const privateJwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
    const { kty, crv, x, y, d } = privateJwk;
    const withPrivate = await t.app.request(
      '/v1/edge/enroll',
      json({ enrollmentToken: fresh.enrollmentToken, publicKeyJwk: { kty, crv, x, y, d } }),
    );
    expect(withPrivate.status).toBe(400);
    expect((await t.store.getEdgeNode(fresh.nodeId))?.status).toBe('pending');

    for (const role of ['server', 'kitchen', 'guest'] as const) {
      expect(
        (await t.app.request(`${VENUE}/edge/nodes`, json({ name: 'x' }, t.as[role]))).status,
      ).toBe(403);
    }
  });
});

describe('relay upkeep and the resilience report', () => {
  it('acks only move forward; heartbeats and device checkpoints show in the report with their lag', async () => {
    const t = await makeTestApp();
    const node = await createNode(t);
    await enroll(t, node.enrollmentToken);
    const relay = {
      Authorization: `Bearer ${t.auth.relay(node.nodeId, DEMO.tenantId, DEMO.venueId)}`,
    };
    const snapshot = Snapshot.parse(
      await (await t.app.request(`${VENUE}/snapshot`, { headers: relay })).json(),
    );

    expect(
      (await t.app.request(`${VENUE}/edge/ack`, json({ cursor: snapshot.cursor }, relay))).status,
    ).toBe(204);
    expect(
      (await t.app.request(`${VENUE}/edge/ack`, json({ cursor: 'forged.cursor' }, relay))).status,
    ).toBe(400);
    expect(
      (await t.app.request(`${VENUE}/edge/ack`, json({ cursor: snapshot.cursor }, t.as.manager)))
        .status,
    ).toBe(403);

    const heartbeat = {
      version: '0.1.0',
      connectivity: 'offline_local',
      journalDepth: 7,
      oldestUnsyncedAt: '2026-11-23T19:20:00.000Z',
      connectedDevices: 5,
      transitions: [
        {
          from: 'online',
          to: 'offline_local',
          at: '2026-11-23T19:19:00.000Z',
          reason: 'uplink probe failed 3 times',
        },
      ],
    };
    expect((await t.app.request(`${VENUE}/edge/heartbeat`, json(heartbeat, relay))).status).toBe(
      204,
    );
    expect(
      (
        await t.app.request(
          `${VENUE}/edge/heartbeat`,
          json({ ...heartbeat, connectivity: 'sideways' }, relay),
        )
      ).status,
    ).toBe(400);

    const checkpoint = await t.app.request(`${VENUE}/checkpoints/tablet-9`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', ...t.as.server },
      body: JSON.stringify({ cursor: snapshot.cursor, outboxDepth: 3, failedOps: 1 }),
    });
    expect(checkpoint.status).toBe(204);

    const res = await t.app.request(`${VENUE}/resilience`, { headers: t.as.manager });
    const report = ResilienceReport.parse(await res.json());
    expect(report.journalHead).toBe(snapshot.seq);
    expect(report.nodes).toEqual([
      expect.objectContaining({
        nodeId: node.nodeId,
        status: 'active',
        ackedSeq: snapshot.seq,
        lag: 0,
        // A heartbeat from before relays passed their devices on reads with none.
        heartbeat: { ...heartbeat, devices: [] },
      }),
    ]);
    expect(report.devices).toEqual([
      expect.objectContaining({
        deviceId: 'tablet-9',
        outboxDepth: 3,
        failedOps: 1,
        lag: 0,
        via: null,
      }),
    ]);
    expect((await t.app.request(`${VENUE}/resilience`, { headers: t.as.server })).status).toBe(403);

    // Devices on the LAN report to the relay, which passes them on in its heartbeat: the report
    // shows them through it (a device seen both ways, as it was last heard of).
    const lanDevice = (deviceId: string, updatedAt: string) => ({
      deviceId,
      lag: 2,
      outboxDepth: 5,
      oldestPendingAt: null,
      failedOps: 0,
      updatedAt,
    });
    const withDevices = {
      ...heartbeat,
      devices: [
        lanDevice('tablet-lan', '2026-11-23T19:21:00.000Z'),
        lanDevice('tablet-9', '2000-01-01T00:00:00.000Z'),
      ],
    };
    expect((await t.app.request(`${VENUE}/edge/heartbeat`, json(withDevices, relay))).status).toBe(
      204,
    );
    const lan = ResilienceReport.parse(
      await (await t.app.request(`${VENUE}/resilience`, { headers: t.as.manager })).json(),
    );
    expect(lan.devices).toEqual([
      expect.objectContaining({ deviceId: 'tablet-9', outboxDepth: 3, via: null }),
      expect.objectContaining({
        deviceId: 'tablet-lan',
        seq: snapshot.seq,
        lag: 2,
        outboxDepth: 5,
        via: node.nodeId,
      }),
    ]);
  });
});
