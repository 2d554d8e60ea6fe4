import { beforeAll, describe, expect, it } from 'vitest';
import {
  createTokenSigner,
  EcPrivateJwk,
  encodeBase64Url,
  GuestSignInRequest,
  generateTokenKeyPair,
  importTokenSigningKey,
  importTokenVerifyKey,
  principalOf,
  publicJwkOf,
  StaffSignInRequest,
  type TokenClaims,
  type TokenKid,
  verifyToken,
} from '#protocol';

const NOW = 1_795_000_000;
const scope = { tenantId: 'demo', venueId: 'demo-bistro', iat: NOW, exp: NOW + 3600 };
const claimsOfEachKind: TokenClaims[] = [
  { kind: 'staff', sub: 'demo-server', role: 'server', ...scope },
  { kind: 'guest', sub: '01JDEMO00000000000000000000', tableId: 'table-5', ...scope },
  { kind: 'relay', sub: 'node-1', ...scope },
  {
    kind: 'staff',
    sub: 'demo-server',
    role: 'server',
    did: '01JDTABLET0000000000000000',
    ...scope,
  },
  {
    kind: 'pairing',
    sub: 'setup',
    jti: '01JD0000000000000000000106',
    role: 'kitchen',
    ...scope,
  },
];

let keys: CryptoKeyPair;
let otherKeys: CryptoKeyPair;
const resolver =
  (key: CryptoKey, kid: TokenKid = 'cloud-1') =>
  async (asked: TokenKid) =>
    asked === kid ? key : undefined;
const text = (value: unknown) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(value)));

beforeAll(async () => {
  keys = await generateTokenKeyPair();
  otherKeys = await generateTokenKeyPair();
});

describe('signed tokens (ES256 compact JWS)', () => {
  it.each(claimsOfEachKind.map((c) => [c.kind, c] as const))(
    'round-trips %s claims',
    async (_kind, claims) => {
      const token = await createTokenSigner({ privateKey: keys.privateKey, kid: 'cloud-1' }).sign(
        claims,
      );
      expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
      const [header] = token.split('.');
      expect(JSON.parse(atob(header ?? ''))).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'cloud-1' });
      expect(await verifyToken(token, resolver(keys.publicKey), NOW)).toEqual({
        ok: true,
        claims,
        kid: 'cloud-1',
      });
    },
  );

  it('maps staff and guest claims to principals', () => {
    expect(principalOf({ kind: 'staff', sub: 'demo-owner', role: 'owner', ...scope })).toEqual({
      kind: 'staff',
      tenantId: 'demo',
      venueId: 'demo-bistro',
      actorId: 'demo-owner',
      role: 'owner',
    });
    expect(principalOf({ kind: 'guest', sub: 's-1', tableId: 'table-5', ...scope })).toEqual({
      kind: 'guest',
      tenantId: 'demo',
      venueId: 'demo-bistro',
      sessionId: 's-1',
      tableId: 'table-5',
    });
  });

  it('rejects every single-bit flip of the token', async () => {
    const signer = createTokenSigner({ privateKey: keys.privateKey, kid: 'cloud-1' });
    const token = await signer.sign(claimsOfEachKind[0] as TokenClaims);
    const resolve = resolver(keys.publicKey);
    let flips = 0;
    for (let i = 0; i < token.length; i++) {
      for (let bit = 0; bit < 7; bit++) {
        const flipped =
          token.slice(0, i) +
          String.fromCharCode(token.charCodeAt(i) ^ (1 << bit)) +
          token.slice(i + 1);
        const result = await verifyToken(flipped, resolve, NOW);
        expect(result.ok, `char ${i} bit ${bit}`).toBe(false);
        flips++;
      }
    }
    expect(flips).toBe(token.length * 7);
  });

  it('rejects a token signed with another key as a bad signature', async () => {
    const token = await createTokenSigner({
      privateKey: otherKeys.privateKey,
      kid: 'cloud-1',
    }).sign(claimsOfEachKind[0] as TokenClaims);
    expect(await verifyToken(token, resolver(keys.publicKey), NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('rejects a kid nobody knows', async () => {
    const token = await createTokenSigner({ privateKey: keys.privateKey, kid: 'relay:gone' }).sign(
      claimsOfEachKind[0] as TokenClaims,
    );
    expect(await verifyToken(token, resolver(keys.publicKey), NOW)).toEqual({
      ok: false,
      reason: 'unknown_key',
    });
  });

  it('rejects a token at and after exp, accepts it just before', async () => {
    const token = await createTokenSigner({ privateKey: keys.privateKey, kid: 'cloud-1' }).sign(
      claimsOfEachKind[1] as TokenClaims,
    );
    const at = (now: number) => verifyToken(token, resolver(keys.publicKey), now);
    expect((await at(scope.exp - 1)).ok).toBe(true);
    expect(await at(scope.exp)).toEqual({ ok: false, reason: 'expired' });
    expect(await at(scope.exp + 86_400)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses to sign claims that do not match the schema', async () => {
    const signer = createTokenSigner({ privateKey: keys.privateKey, kid: 'cloud-1' });
    const bad = { ...claimsOfEachKind[0], exp: NOW - 1 } as TokenClaims;
    await expect(signer.sign(bad)).rejects.toThrow();
  });

  it('rejects alg none, other algs and garbage without throwing', async () => {
    const token = await createTokenSigner({ privateKey: keys.privateKey, kid: 'cloud-1' }).sign(
      claimsOfEachKind[0] as TokenClaims,
    );
    const [, payload, signature] = token.split('.') as [string, string, string];
    const inputs: unknown[] = [
      `${text({ alg: 'none', typ: 'JWT', kid: 'cloud-1' })}.${payload}.`,
      `${text({ alg: 'none', typ: 'JWT', kid: 'cloud-1' })}.${payload}.${signature}`,
      `${text({ alg: 'HS256', typ: 'JWT', kid: 'cloud-1' })}.${payload}.${signature}`,
      `${text({ alg: 'ES256', typ: 'JWT' })}.${payload}.${signature}`,
      `${text('ES256')}.${payload}.${signature}`,
      `${encodeBase64Url(new Uint8Array([0xff, 0xfe]))}.${payload}.${signature}`,
      `${token.split('.')[0]}.${text({ kind: 'staff' })}.${signature}`,
      `${token}.`,
      token.replaceAll('.', ''),
      `${token.split('.').slice(0, 2).join('.')}.${signature.slice(0, 40)}`,
      '',
      '..',
      '.',
      'a.b.c',
      '🔥.🔥.🔥',
      'x'.repeat(100_000),
      null,
      undefined,
      42,
      {},
    ];
    for (const input of inputs) {
      const result = await verifyToken(input as string, resolver(keys.publicKey), NOW);
      expect(result.ok, String(input).slice(0, 60)).toBe(false);
    }
  });

  it('accepts a key imported from JWK and verifies with its public half', async () => {
    const jwk = EcPrivateJwk.parse(await crypto.subtle.exportKey('jwk', keys.privateKey));
    const signer = createTokenSigner({
      privateKey: await importTokenSigningKey(jwk),
      kid: 'relay:node-1',
    });
    const token = await signer.sign(claimsOfEachKind[0] as TokenClaims);
    const verifyKey = await importTokenVerifyKey(publicJwkOf(jwk));
    expect((await verifyToken(token, resolver(verifyKey, 'relay:node-1'), NOW)).ok).toBe(true);
  });

  it('throws on a verify key of the wrong kind (a wiring bug, not a bad token)', async () => {
    const token = await createTokenSigner({ privateKey: keys.privateKey, kid: 'cloud-1' }).sign(
      claimsOfEachKind[0] as TokenClaims,
    );
    await expect(verifyToken(token, resolver(keys.privateKey), NOW)).rejects.toThrow(TypeError);
  });
});

describe('sign-in messages', () => {
  it('accepts 4 to 8 digit PINs only', () => {
    for (const pin of ['1111', '12345678'])
      expect(StaffSignInRequest.safeParse({ venueId: 'demo-bistro', pin }).success).toBe(true);
    for (const pin of ['111', '123456789', '12a4', ' 1111', 1111])
      expect(StaffSignInRequest.safeParse({ venueId: 'demo-bistro', pin }).success).toBe(false);
  });

  it('takes the printed table label', () => {
    expect(GuestSignInRequest.parse({ venueId: 'demo-bistro', table: 'Bar 3' }).table).toBe(
      'Bar 3',
    );
    expect(GuestSignInRequest.safeParse({ venueId: 'demo-bistro', table: '' }).success).toBe(false);
  });
});
