import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createTokenSigner,
  decodeBase64Url,
  importTokenSigningKey,
  LIVE_CLOSE,
  newUlid,
  type Snapshot,
} from '#protocol';
import { readIdentity } from '../../relay/identity/identity-file.ts';
import { signPairingCode } from '../../relay/lan/device-routes.ts';
import { waitFor } from '../support/wait-for.ts';
import {
  call,
  describeHttp,
  getJson,
  json,
  LiveClient,
  pairAtRelay,
  redeemPairing,
  setupLinkAtRelay,
  signIn,
  VENUE,
  type VenueHarness,
  venueHarness,
  venueOp,
  venuePath,
} from './support/relay-process.ts';

// Paired devices at the relay, with real processes (decision 034): the setup command's link,
// single use, expiry, sign-in refused on an unpaired device; and a revoke decided by the relay
// with the cloud unreachable, ending the device's socket and requests within 5 s, then reaching
// the cloud exactly once.

const REVOKED_WITHIN_MS = 5_000;

let h: VenueHarness;
beforeAll(async () => {
  h = await venueHarness();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(decodeBase64Url(token.split('.')[1] ?? '') ?? undefined));

const signInHttp = (headers: Record<string, string>, pin = '1111') =>
  call(`${h.relay.url}/v1/auth/staff`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ venueId: VENUE, pin }),
  });

describe('pairing at the relay', () => {
  it('prints a one-time setup link on stdout (never in the log), which pairs one device once', async () => {
    const link = setupLinkAtRelay(h.relay, 'kitchen');
    expect(link.status, link.stderr).toBe(0);
    expect(link.pairUrl).toMatch(new RegExp(`^${h.relay.url}/pair#code=`));
    const code = link.code ?? '';

    const deviceId = `kds-${newUlid()}`;
    const first = await redeemPairing(h.relay.url, code, deviceId, 'Pass display');
    expect(first.http.status, describeHttp(first.http)).toBe(201);
    expect(first.http.headers.get('set-cookie')).toMatch(
      /^hearth_device=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=34560000$/,
    );
    expect(json(first.http)).toMatchObject({ deviceId, role: 'kitchen', venueId: VENUE });

    const second = await redeemPairing(h.relay.url, code, `kds-${newUlid()}`);
    expect(second.http.status, describeHttp(second.http)).toBe(409);
    expect(json(second.http)).toMatchObject({ code: 'PAIRING_USED' });
    expect(second.device).toBeUndefined();

    // Online, the pairing went through to the cloud: the credential signs in there too, and the
    // relay's sign-in (forwarded) names the device.
    const token = await signIn(h.relay.url, 'kitchen', first.device?.header);
    expect(claimsOf(token)).toMatchObject({ kind: 'staff', did: deviceId });
    expect(claimsOf(await signIn(h.cloud.url, 'kitchen', first.device?.header))).toMatchObject({
      did: deviceId,
    });
    const { stdout, stderr } = h.relay.output();
    expect(stdout + stderr).not.toContain(code);
    expect(stdout + stderr).not.toContain(first.device?.secret ?? 'no secret');
  });

  it('refuses an expired code (410) and a PIN on an unpaired device (403, before the PIN)', async () => {
    const identity = readIdentity(h.relay.dataDir);
    if (!identity) throw new Error('the relay has no identity');
    const signer = createTokenSigner({
      privateKey: await importTokenSigningKey(identity.signingJwk),
      kid: `relay:${identity.nodeId}`,
    });
    const old = await signPairingCode(
      signer,
      identity,
      'setup',
      'floor',
      new Date(Date.now() - 601_000),
    );
    const expired = await redeemPairing(h.relay.url, old.code, `tablet-${newUlid()}`);
    expect(expired.http.status, describeHttp(expired.http)).toBe(410);
    expect(json(expired.http)).toMatchObject({ code: 'PAIRING_EXPIRED', kind: 'stop' });

    const unpaired: Record<string, string>[] = [{}, { 'X-Hearth-Device': 'x'.repeat(43) }];
    for (const headers of unpaired) {
      const refused = await signInHttp(headers);
      expect(refused.status, describeHttp(refused)).toBe(403);
      expect(json(refused)).toMatchObject({
        code: 'DEVICE_NOT_PAIRED',
        detail:
          'This device is not paired with the venue. Ask a manager to pair it: Floor › Devices › Pair a device.',
      });
    }
  });
});

describe('revoking a device through the relay with the cloud unreachable', () => {
  it('ends its live socket and its requests within 5 s, then reaches the cloud once and ends its token there', async () => {
    const deviceId = `tablet-${newUlid()}`;
    const device = await pairAtRelay(h.relay, deviceId);
    // Paired through to the cloud, the relay knows the device once the cloud's feed brings it.
    const token = await vi.waitFor(() => signIn(h.relay.url, 'server', device.header), {
      timeout: 10_000,
      interval: 100,
    });
    expect(claimsOf(token)).toMatchObject({ did: deviceId });
    const snap = await getJson<Snapshot>(
      `${h.relay.url}${venuePath('/snapshot?scopes=order')}`,
      token,
    );
    const q = new URLSearchParams({ cursor: snap.cursor, scopes: 'order', deviceId });
    const socket = new LiveClient(
      `${h.relay.url.replace(/^http/, 'ws')}${venuePath(`/live?${q}`)}`,
      token,
    );
    await socket.ready();

    h.proxy.cut();
    await h.relay.waitForConnectivity('offline_local', 10_000);
    const revoke = await venueOp('device.revoke', { deviceId }, 'manager-tablet', 'demo-manager');
    const revokedAt = Date.now();
    const accepted = await h.postRelay(revoke, 'manager');
    expect(accepted.status, describeHttp(accepted)).toBe(202);

    await waitFor('the socket closed', () => socket.closedWith !== undefined, {
      timeoutMs: REVOKED_WITHIN_MS,
      intervalMs: 10,
    });
    expect(socket.closedWith).toEqual({ code: LIVE_CLOSE.deviceRevoked, reason: 'DEVICE_REVOKED' });
    const refused = await call(`${h.relay.url}${venuePath('/snapshot')}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(Date.now() - revokedAt).toBeLessThan(REVOKED_WITHIN_MS);
    expect(refused.status, describeHttp(refused)).toBe(401);
    expect(json(refused)).toMatchObject({ code: 'DEVICE_REVOKED' });
    const again = await signInHttp(device.header);
    expect(json(again)).toMatchObject({ code: 'DEVICE_REVOKED' });
    // Another device's person goes on working.
    expect(
      (
        await call(`${h.relay.url}${venuePath('/snapshot')}`, {
          headers: { Authorization: `Bearer ${h.tokens.server}` },
        })
      ).status,
    ).toBe(200);

    h.proxy.restore();
    await h.waitSettled(30_000);
    const inCloud = (await h.countInCloud()).get(revoke.opId) ?? [];
    expect(inCloud.map((e) => `${e.entity}/${e.id}`)).toEqual([`device/${deviceId}`]);
    const atCloud = await waitFor(
      'the cloud refusing the revoked device',
      async () => {
        const res = await call(`${h.cloud.url}${venuePath('/snapshot')}`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        return res.status === 401 ? res : undefined;
      },
      { timeoutMs: REVOKED_WITHIN_MS, intervalMs: 50 },
    );
    expect(json(atCloud)).toMatchObject({ code: 'DEVICE_REVOKED' });
    await socket.close();
  });
});
