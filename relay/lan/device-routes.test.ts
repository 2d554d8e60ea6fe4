import { describe, expect, it } from 'vitest';
import {
  BatchRequest,
  DeviceListing,
  DevicePaired,
  decodeBase64Url,
  listEntities,
  type OpResult,
  PairingCreated,
  Problem,
  type StaffRole,
  TokenResponse,
} from '#protocol';
import { NOW, opOf, staff, TENANT, VENUE } from '../../tests/protocol/support/venue-fixture.ts';
import { makeRelay, type Relay } from '../testing/lan-app-fixture.ts';
import { testRelayKeys } from '../testing/lan-fixture.ts';
import type { UplinkGate } from '../uplink/uplink-gate.ts';
import { signPairingCode } from './device-routes.ts';

// Pairing and the device list on the LAN (decision 034), offline and through to the cloud.

const BASE = `/v1/venues/${VENUE}`;
const DEVICE_ID = '01JDEVICE0000000000000PWA1';

/** What a token says (its signature is the server's business). */
function decodeTokenClaims(token: string): unknown {
  const payload = decodeBase64Url(token.split('.')[1] ?? '');
  if (!payload) throw new Error('not a token');
  return JSON.parse(new TextDecoder().decode(payload));
}

/** A staff token the relay signed, optionally naming the device it was signed in on. */
async function tokenFor(role: StaffRole, did?: string): Promise<Record<string, string>> {
  const { signer } = await testRelayKeys;
  const iat = Math.floor(Date.parse(NOW) / 1000);
  const token = await signer.sign({
    kind: 'staff',
    sub: `${role}-1`,
    role,
    tenantId: TENANT,
    venueId: VENUE,
    iat,
    exp: iat + 3600,
    ...(did === undefined ? {} : { did }),
  });
  return { Authorization: `Bearer ${token}` };
}

const askForCode = async (r: Relay, url = `https://relay.local${BASE}/devices/pairings`) =>
  r.app.request(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(await tokenFor('manager')) },
    body: JSON.stringify({ role: 'kitchen' }),
  });

const redeem = (r: Relay, code: string, deviceId = DEVICE_ID, url = 'https://relay.local') =>
  r.app.request(`${url}/v1/devices/pair`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code, deviceId, name: 'Pass display' }),
  });

const cookieSecret = (res: Response): string => {
  const match = /^hearth_device=([^;]+);/.exec(res.headers.get('Set-Cookie') ?? '');
  if (!match?.[1]) throw new Error(`no device cookie: ${res.headers.get('Set-Cookie')}`);
  return match[1];
};

const signIn = (r: Relay, headers: Record<string, string>) =>
  r.app.request('/v1/auth/staff', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ venueId: VENUE, pin: '3333' }),
  });

describe('POST …/devices/pairings on the relay', () => {
  it('signs a 10-minute code with its own key, linked at the origin asked', async () => {
    const r = await makeRelay();
    const res = await askForCode(r);
    expect(res.status).toBe(201);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const created = PairingCreated.parse(await res.json());
    expect(created.pairUrl).toBe(`https://relay.local/pair#code=${created.code}`);
    expect(Date.parse(created.expiresAt) - Date.parse(NOW)).toBe(600_000);
    expect(decodeTokenClaims(created.code)).toMatchObject({
      kind: 'pairing',
      sub: 'manager-1',
      role: 'kitchen',
      venueId: VENUE,
    });
  });

  it('is for managers and owners of this venue only', async () => {
    const r = await makeRelay();
    const asServer = await r.app.request(`${BASE}/devices/pairings`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(await tokenFor('server')) },
      body: JSON.stringify({ role: 'floor' }),
    });
    expect(asServer.status).toBe(403);
    const nobody = await r.app.request(`${BASE}/devices/pairings`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ role: 'floor' }),
    });
    expect(nobody.status).toBe(401);
    const bad = await r.app.request(`${BASE}/devices/pairings`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(await tokenFor('owner')) },
      body: JSON.stringify({ role: 'bar' }),
    });
    expect(bad.status).toBe(400);
  });
});

describe('POST /v1/devices/pair on the relay, uplink down', () => {
  it('pairs once: the credential in an HttpOnly cookie, the op decided here, sign-in works with it', async () => {
    const r = await makeRelay();
    const { code } = PairingCreated.parse(await (await askForCode(r)).json());
    const paired = await redeem(r, code);
    expect(paired.status).toBe(201);
    expect(DevicePaired.parse(await paired.json())).toEqual({
      deviceId: DEVICE_ID,
      name: 'Pass display',
      role: 'kitchen',
      venueId: VENUE,
      tenantId: TENANT,
    });
    const cookie = paired.headers.get('Set-Cookie') ?? '';
    expect(cookie).toMatch(
      /^hearth_device=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=34560000; Secure$/,
    );
    const device = listEntities(r.engine.visible, 'device').find((d) => d.id === DEVICE_ID);
    expect(device).toMatchObject({ role: 'kitchen', pairedBy: 'manager-1', revoked: false });
    expect(r.store.journalDepth().pending).toBe(1);
    // The secret never travels in the body or the feed: only its digest is in the entity.
    expect(JSON.stringify(device)).not.toContain(cookieSecret(paired));

    const signedIn = await signIn(r, { Cookie: `hearth_device=${cookieSecret(paired)}` });
    expect(signedIn.status).toBe(200);
    const { token } = TokenResponse.parse(await signedIn.json());
    expect(decodeTokenClaims(token)).toMatchObject({ kind: 'staff', did: DEVICE_ID });

    const again = await redeem(r, code, 'another-device');
    expect(again.status).toBe(409);
    expect(Problem.parse(await again.json())).toMatchObject({ code: 'PAIRING_USED', kind: 'stop' });
    expect(r.store.journalDepth().pending).toBe(1);
    expect(listEntities(r.engine.visible, 'device').map((d) => d.id)).not.toContain(
      'another-device',
    );
  });

  it('sets no Secure flag over plain HTTP', async () => {
    const r = await makeRelay();
    const { code } = PairingCreated.parse(await (await askForCode(r)).json());
    const paired = await redeem(r, code, DEVICE_ID, 'http://relay.local');
    expect(paired.status).toBe(201);
    expect(paired.headers.get('Set-Cookie')).not.toContain('Secure');
  });

  it('takes codes the cloud signed (its key from enrollment)', async () => {
    const r = await makeRelay();
    const { cloudSigner } = await testRelayKeys;
    const { code } = await signPairingCode(
      cloudSigner,
      { tenantId: TENANT, venueId: VENUE },
      'owner-1',
      'floor',
      new Date(NOW),
    );
    const paired = await redeem(r, code);
    expect(paired.status).toBe(201);
    expect(DevicePaired.parse(await paired.json()).role).toBe('floor');
  });

  it('refuses an expired code (410) and anything else that is no pairing code of this venue (401)', async () => {
    const r = await makeRelay();
    const { signer } = await testRelayKeys;
    const venue = { tenantId: TENANT, venueId: VENUE };
    const old = await signPairingCode(signer, venue, 'manager-1', 'floor', new Date(0));
    const expired = await redeem(r, old.code);
    expect(expired.status).toBe(410);
    expect(Problem.parse(await expired.json()).code).toBe('PAIRING_EXPIRED');

    const foreign = await signPairingCode(
      signer,
      { ...venue, venueId: 'harbour-bar' },
      'manager-1',
      'floor',
      new Date(NOW),
    );
    const staffToken = (await tokenFor('manager')).Authorization?.slice('Bearer '.length) ?? '';
    for (const code of [foreign.code, staffToken, 'not.a.token']) {
      const res = await redeem(r, code);
      expect(res.status, code).toBe(401);
      expect(Problem.parse(await res.json()).code).toBe('PAIRING_INVALID');
    }
    expect(listEntities(r.engine.visible, 'device').map((d) => d.id)).toEqual(['tablet-1']);
    // A pairing code is never a bearer.
    const asBearer = await r.app.request(`${BASE}/snapshot`, {
      headers: { Authorization: `Bearer ${old.code}` },
    });
    expect(asBearer.status).toBe(401);
  });
});

describe('POST /v1/devices/pair on the relay, uplink up', () => {
  /** A cloud that answers the forwarded batch with `verdict(op)`, and what it was sent. */
  function cloudAnswering(verdict: (opId: string) => OpResult) {
    const sent: { path: string; headers: Headers; body: BatchRequest }[] = [];
    const gate: UplinkGate = {
      direct: () => true,
      forward: async (path, init) => {
        const body = BatchRequest.parse(JSON.parse(String(init.body)));
        sent.push({ path, headers: new Headers(init.headers), body });
        const results = body.ops.map((op) => verdict(op.opId));
        return new Response(JSON.stringify({ results }), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        });
      },
    };
    return { gate, sent };
  }

  it("passes the op to the cloud as the code's issuer and keeps its verdict", async () => {
    const cloud = cloudAnswering((opId) => ({
      opId,
      status: 'applied',
      seq: 99,
      changed: [{ entity: 'device', id: DEVICE_ID, version: 1 }],
      at: NOW,
    }));
    const r = await makeRelay({ gate: cloud.gate });
    const { code } = PairingCreated.parse(await (await askForCode(r)).json());
    const paired = await redeem(r, code);
    expect(paired.status).toBe(201);
    expect(paired.headers.get('Set-Cookie')).toMatch(/^hearth_device=/);
    expect(cloud.sent).toHaveLength(1);
    const [forwarded] = cloud.sent;
    expect(forwarded?.path).toBe(`${BASE}/ops/batch`);
    const op = forwarded?.body.ops[0];
    expect(op).toMatchObject({ type: 'device.pair', actorId: 'manager-1', deviceId: DEVICE_ID });
    const bearer = forwarded?.headers.get('Authorization')?.slice('Bearer '.length) ?? '';
    expect(decodeTokenClaims(bearer)).toMatchObject({
      kind: 'staff',
      sub: 'manager-1',
      role: 'manager',
    });
    // Kept as settled: a resend is answered with the cloud's verdict, never decided again.
    expect(op && r.engine.holds(op.opId)).toBe(true);
    expect(r.store.journalDepth().pending).toBe(0);
  });

  it("answers the cloud's PAIRING_USED as 409 and sets no cookie", async () => {
    const cloud = cloudAnswering((opId) => ({
      opId,
      status: 'rejected',
      code: 'PAIRING_USED',
      message: 'this pairing code has been used',
    }));
    const r = await makeRelay({ gate: cloud.gate });
    const { code } = PairingCreated.parse(await (await askForCode(r)).json());
    const used = await redeem(r, code);
    expect(used.status).toBe(409);
    expect(used.headers.get('Set-Cookie')).toBeNull();
    expect(Problem.parse(await used.json()).code).toBe('PAIRING_USED');
  });
});

describe('GET …/devices on the relay', () => {
  it("lists the venue's devices with last seen and outbox depth, for managers", async () => {
    const r = await makeRelay();
    const before = DeviceListing.parse(
      await (await r.app.request(`${BASE}/devices`, { headers: await tokenFor('owner') })).json(),
    );
    expect(before.devices).toEqual([
      {
        id: 'tablet-1',
        name: 'Tablet tablet-1',
        role: 'floor',
        pairedAt: NOW,
        revoked: false,
        revokedAt: null,
        lastSeenAt: null,
        outboxDepth: null,
      },
    ]);
    // A request of a person signed in on the tablet, and its latest checkpoint.
    expect(
      (await r.app.request(`${BASE}/snapshot`, { headers: await tokenFor('server', 'tablet-1') }))
        .status,
    ).toBe(200);
    r.checkpoints.put('tablet-1', {
      seq: 3,
      outboxDepth: 4,
      oldestPendingAt: null,
      failedOps: 0,
      updatedAt: '2020-01-01T00:00:00.000Z',
    });
    const after = DeviceListing.parse(
      await (await r.app.request(`${BASE}/devices`, { headers: await tokenFor('manager') })).json(),
    );
    expect(after.devices[0]).toMatchObject({ lastSeenAt: NOW, outboxDepth: 4 });

    const asServer = await r.app.request(`${BASE}/devices`, { headers: await tokenFor('server') });
    expect(asServer.status).toBe(403);
  });
});

describe('a revoked device on the relay', () => {
  it("refuses its person's every request 401 DEVICE_REVOKED from the revoke's commit, offline", async () => {
    const r = await makeRelay();
    const onTablet = await tokenFor('server', 'tablet-1');
    expect((await r.app.request(`${BASE}/snapshot`, { headers: onTablet })).status).toBe(200);
    const revoke = await opOf('device.revoke', { deviceId: 'tablet-1' }, staff('manager'));
    const answer = await r.engine.submitLocal(revoke, staff('manager'));
    expect(answer).toMatchObject({ kind: 'first', result: { status: 'accepted_local' } });

    const refused = await r.app.request(`${BASE}/snapshot`, { headers: onTablet });
    expect(refused.status).toBe(401);
    expect(Problem.parse(await refused.json()).code).toBe('DEVICE_REVOKED');
    // Its credential signs no one in any more; a person on no device (an older token) still reads.
    const again = await signIn(r, r.tablet.headers);
    expect(again.status).toBe(403);
    expect(Problem.parse(await again.json()).code).toBe('DEVICE_REVOKED');
    expect(
      (await r.app.request(`${BASE}/snapshot`, { headers: await tokenFor('server') })).status,
    ).toBe(200);
  });
});
