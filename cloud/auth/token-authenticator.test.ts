import { beforeAll, describe, expect, it } from 'vitest';
import {
  createTokenSigner,
  type EcPublicJwk,
  generateTokenKeyPair,
  type TokenClaims,
  type TokenSigner,
} from '#protocol';
import { DEMO } from '../seed/demo-seed.ts';
import type { EdgeNode } from '../store/cloud-store.ts';
import { MemoryCloudStore } from '../store/memory-store.ts';
import { makeTokenAuthenticator, TEST_KEYS, TEST_NOW, TestClock } from '../testing/test-app.ts';
import { importCloudKeys } from './keys.ts';
import { bearerOf, type TokenAuthenticator } from './token-authenticator.ts';

const NOW = Math.floor(Date.parse(TEST_NOW) / 1000);
const venue = { tenantId: DEMO.tenantId, venueId: DEMO.venueId };
const staff: TokenClaims = {
  kind: 'staff',
  sub: 'demo-server',
  role: 'server',
  ...venue,
  iat: NOW,
  exp: NOW + 3600,
};
const guest: TokenClaims = {
  kind: 'guest',
  sub: 'session-1',
  tableId: 'table-5',
  ...venue,
  iat: NOW,
  exp: NOW + 3600,
};
const relayCredential: TokenClaims = {
  kind: 'relay',
  sub: 'node-1',
  ...venue,
  iat: NOW,
  exp: NOW + 86_400,
};

let cloud: TokenSigner;
let relaySigner: TokenSigner;
let relayJwk: EcPublicJwk;

beforeAll(async () => {
  cloud = (await importCloudKeys(TEST_KEYS)).signer;
  const pair = await generateTokenKeyPair();
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  relayJwk = { kty: 'EC', crv: 'P-256', x: x ?? '', y: y ?? '' };
  expect([kty, crv]).toEqual(['EC', 'P-256']);
  relaySigner = createTokenSigner({ privateKey: pair.privateKey, kid: 'relay:node-1' });
});

function node(patch: Partial<EdgeNode> = {}): EdgeNode {
  return {
    nodeId: 'node-1',
    ...venue,
    name: 'Bar relay',
    status: 'active',
    publicKeyJwk: JSON.stringify(relayJwk),
    createdAt: TEST_NOW,
    enrolledAt: TEST_NOW,
    ackedSeq: 0,
    lastSeenAt: null,
    heartbeat: null,
    ...patch,
  };
}

async function setup(nodes: EdgeNode[] = [node()]) {
  const store = new MemoryCloudStore();
  for (const n of nodes) {
    await store.createEdgeNode(n, {
      tokenDigest: `digest-${n.nodeId}`,
      nodeId: n.nodeId,
      expiresAt: TEST_NOW,
      usedAt: TEST_NOW,
    });
  }
  const clock = new TestClock();
  const auth = await makeTokenAuthenticator(store, clock.now);
  return { store, clock, auth };
}

const bearer = (token: string) =>
  new Request('http://cloud/x', { headers: { Authorization: `Bearer ${token}` } });
const check = (auth: TokenAuthenticator, token: string) => auth.authenticate(bearer(token));

describe('TokenAuthenticator: cloud tokens', () => {
  it('turns staff and guest tokens into principals issued by the cloud', async () => {
    const { auth } = await setup();
    expect(await check(auth, await cloud.sign(staff))).toEqual({
      ok: true,
      caller: {
        kind: 'principal',
        issuer: 'cloud',
        principal: { kind: 'staff', ...venue, actorId: 'demo-server', role: 'server' },
      },
    });
    expect(await check(auth, await cloud.sign(guest))).toEqual({
      ok: true,
      caller: {
        kind: 'principal',
        issuer: 'cloud',
        principal: { kind: 'guest', ...venue, sessionId: 'session-1', tableId: 'table-5' },
      },
    });
  });

  it('rejects an expired token with 401 TOKEN_EXPIRED', async () => {
    const { auth, clock } = await setup();
    const token = await cloud.sign(staff);
    clock.advance(3600 * 1000);
    expect(await check(auth, token)).toMatchObject({
      ok: false,
      status: 401,
      code: 'TOKEN_EXPIRED',
    });
  });

  it('expires a token it has already verified on time, and still reads a relay node each use', async () => {
    const { auth, clock, store } = await setup();
    const token = await cloud.sign(staff);
    expect(await check(auth, token)).toMatchObject({ ok: true });
    clock.advance(3599 * 1000);
    expect(await check(auth, token)).toMatchObject({ ok: true });
    clock.advance(1000);
    expect(await check(auth, token)).toMatchObject({ ok: false, code: 'TOKEN_EXPIRED' });

    const credential = await cloud.sign(relayCredential);
    expect(await check(auth, credential)).toMatchObject({ ok: true, caller: { kind: 'relay' } });
    await store.updateEdgeNode('node-1', { status: 'revoked' });
    expect(await check(auth, credential)).toMatchObject({ ok: false, code: 'TOKEN_REVOKED' });
  });

  it('rejects a tampered token, garbage and a non-bearer header with 401 TOKEN_INVALID', async () => {
    const { auth } = await setup();
    const token = await cloud.sign(staff);
    const [header, , signature] = token.split('.');
    const forged = `${header}.${btoa(JSON.stringify({ ...staff, role: 'owner' })).replace(/=+$/, '')}.${signature}`;
    // One character of the signature changed, away from its end: the last base64url character
    // of a 32-byte MAC carries only 4 bits, so changing the end alone could leave it as it was.
    const at = token.length - 10;
    const flipped = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
    for (const bad of [forged, flipped, 'garbage', '']) {
      expect(await check(auth, bad)).toMatchObject({
        ok: false,
        status: 401,
        code: 'TOKEN_INVALID',
      });
    }
    const basic = new Request('http://cloud/x', {
      headers: { Authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(await auth.authenticate(basic)).toMatchObject({
      ok: false,
      status: 401,
      code: 'TOKEN_INVALID',
    });
    expect(await auth.authenticate(new Request('http://cloud/x'))).toBeUndefined();
  });

  it('turns a relay credential into a relay caller while its node is active', async () => {
    const { auth, store } = await setup();
    const token = await cloud.sign(relayCredential);
    expect(await check(auth, token)).toEqual({
      ok: true,
      caller: { kind: 'relay', nodeId: 'node-1', ...venue },
    });
    await store.updateEdgeNode('node-1', { status: 'revoked' });
    expect(await check(auth, token)).toMatchObject({
      ok: false,
      status: 401,
      code: 'TOKEN_REVOKED',
    });
  });

  it('rejects a relay credential for an unknown node or another venue', async () => {
    const { auth } = await setup([node(), node({ nodeId: 'node-2', venueId: 'other-venue' })]);
    for (const claims of [
      { ...relayCredential, sub: 'node-9' },
      { ...relayCredential, sub: 'node-2' },
    ]) {
      expect(await check(auth, await cloud.sign(claims))).toMatchObject({
        ok: false,
        status: 401,
        code: 'TOKEN_REVOKED',
      });
    }
  });
});

describe('TokenAuthenticator: tokens a relay issued while offline', () => {
  it('accepts staff and guest tokens for the relay’s own venue, issued by the relay', async () => {
    const { auth } = await setup();
    expect(await check(auth, await relaySigner.sign(staff))).toEqual({
      ok: true,
      caller: {
        kind: 'principal',
        issuer: 'relay:node-1',
        principal: { kind: 'staff', ...venue, actorId: 'demo-server', role: 'server' },
      },
    });
    expect(await check(auth, await relaySigner.sign(guest))).toMatchObject({
      ok: true,
      caller: { issuer: 'relay:node-1' },
    });
  });

  it('marks a relay’s replay token (rpl) as the replay, and only one the relay signed', async () => {
    const { auth } = await setup();
    const replayed = await check(auth, await relaySigner.sign({ ...staff, rpl: true }));
    expect(replayed).toMatchObject({ ok: true, caller: { issuer: 'relay:node-1', replay: true } });
    const signIn = await check(auth, await relaySigner.sign(guest));
    expect(signIn).toMatchObject({ ok: true });
    expect(signIn).not.toHaveProperty('caller.replay');
    // The cloud never signs a replay: its own token with the claim is an ordinary sign-in.
    const own = await check(auth, await cloud.sign({ ...staff, rpl: true }));
    expect(own).toMatchObject({ ok: true, caller: { issuer: 'cloud' } });
    expect(own).not.toHaveProperty('caller.replay');
  });

  it('answers 403 FOREIGN_VENUE for another venue’s or tenant’s token from the same relay key', async () => {
    const { auth } = await setup();
    for (const claims of [
      { ...staff, venueId: 'other-venue' },
      { ...staff, tenantId: 'other-tenant' },
      { ...guest, venueId: 'other-venue' },
    ]) {
      expect(await check(auth, await relaySigner.sign(claims))).toEqual({
        ok: false,
        status: 403,
        code: 'FOREIGN_VENUE',
        detail: 'a relay may issue tokens only for its own venue',
      });
    }
  });

  it('rejects tokens of a revoked, pending or unknown relay', async () => {
    const token = await relaySigner.sign(staff);
    const revoked = await setup([node({ status: 'revoked' })]);
    expect(await check(revoked.auth, token)).toMatchObject({
      ok: false,
      status: 401,
      code: 'TOKEN_REVOKED',
    });
    const pending = await setup([
      node({ status: 'pending', publicKeyJwk: null, enrolledAt: null }),
    ]);
    expect(await check(pending.auth, token)).toMatchObject({
      ok: false,
      status: 401,
      code: 'TOKEN_INVALID',
    });
    const unknown = await setup([]);
    expect(await check(unknown.auth, token)).toMatchObject({
      ok: false,
      status: 401,
      code: 'TOKEN_INVALID',
    });
  });

  it('stops accepting a relay’s tokens as soon as the node is revoked', async () => {
    const { auth, store } = await setup();
    const token = await relaySigner.sign(staff);
    expect((await check(auth, token))?.ok).toBe(true);
    await store.updateEdgeNode('node-1', { status: 'revoked' });
    expect(await check(auth, token)).toMatchObject({ ok: false, code: 'TOKEN_REVOKED' });
  });

  it('rejects a relay token signed by another key, a relay-kind token, and an unusable stored key', async () => {
    const other = createTokenSigner({
      privateKey: (await generateTokenKeyPair()).privateKey,
      kid: 'relay:node-1',
    });
    const { auth } = await setup();
    expect(await check(auth, await other.sign(staff))).toMatchObject({
      ok: false,
      code: 'TOKEN_INVALID',
    });
    expect(await check(auth, await relaySigner.sign(relayCredential))).toMatchObject({
      ok: false,
      code: 'TOKEN_INVALID',
    });
    const broken = await setup([node({ publicKeyJwk: '{"kty":"EC"' })]);
    expect(await check(broken.auth, await relaySigner.sign(staff))).toMatchObject({
      ok: false,
      code: 'TOKEN_INVALID',
    });
  });
});

describe('TokenAuthenticator: pairing codes and paired devices', () => {
  const pairing: TokenClaims = {
    kind: 'pairing',
    sub: 'demo-manager',
    jti: '01JD0000000000000000000106',
    role: 'floor',
    ...venue,
    iat: NOW,
    exp: NOW + 600,
  };

  it("refuses a pairing code as a bearer, the cloud's or a relay's: 401 TOKEN_INVALID", async () => {
    const { auth } = await setup();
    for (const signer of [cloud, relaySigner]) {
      expect(await check(auth, await signer.sign(pairing))).toMatchObject({
        ok: false,
        status: 401,
        code: 'TOKEN_INVALID',
      });
    }
  });

  it('names the paired device a staff token carries (did), from the cloud or a relay', async () => {
    const { auth } = await setup();
    const onTablet = { ...staff, did: 'bar-tablet' } as TokenClaims;
    for (const signer of [cloud, relaySigner]) {
      expect(await check(auth, await signer.sign(onTablet))).toMatchObject({
        ok: true,
        caller: { kind: 'principal', did: 'bar-tablet' },
      });
    }
  });
});

describe('websocket bearer', () => {
  it('reads the token from a `bearer.<token>` Sec-WebSocket-Protocol entry', async () => {
    const { auth } = await setup();
    const token = await cloud.sign(staff);
    const upgrade = new Request('http://cloud/v1/venues/demo-bistro/live', {
      headers: { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': `hearth.v1, bearer.${token}` },
    });
    expect(bearerOf(upgrade)).toBe(token);
    expect(await auth.authenticate(upgrade)).toMatchObject({
      ok: true,
      caller: { issuer: 'cloud' },
    });
    const noBearer = new Request('http://cloud/x', {
      headers: { 'Sec-WebSocket-Protocol': 'hearth.v1' },
    });
    expect(await auth.authenticate(noBearer)).toBeUndefined();
  });
});
