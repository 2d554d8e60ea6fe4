import * as z from 'zod';
import { decodeBase64Url, encodeBase64Url } from '../cursor/base64url.ts';
import { DeviceRole } from '../entities/device.ts';
import { DeviceId } from '../ids/device-id.ts';
import { EntityId } from '../ids/entity-id.ts';
import { Ulid } from '../ids/ulid.ts';
import type { Principal } from './principal.ts';
import { StaffRole } from './role.ts';

// Bearer tokens are compact JWS (RFC 7515) with ES256 (RFC 7518 §3.4): ECDSA P-256 over
// SHA-256, the signature as r||s (IEEE P1363, 64 bytes), which is what WebCrypto produces.
// One algorithm only, fixed by the verifier: the header's `alg` is checked, never obeyed.

const ES256_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ES256_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const SIGNATURE_BYTES = 64;

/** The key a token names: `cloud-1` for the cloud's key, `relay:<nodeId>` for a relay's. */
export const TokenKid = z.string().regex(/^[A-Za-z0-9._:~-]{1,120}$/);
export type TokenKid = z.infer<typeof TokenKid>;

export const TokenHeader = z.object({
  alg: z.literal('ES256'),
  typ: z.literal('JWT'),
  kid: TokenKid,
});
export type TokenHeader = z.infer<typeof TokenHeader>;

/** Seconds since the epoch (JWT NumericDate, whole seconds). */
const NumericDate = z.number().int().min(0);
const scope = { tenantId: EntityId, venueId: EntityId, iat: NumericDate, exp: NumericDate };

/** How long a pairing code may be redeemed: 10 minutes from its issue. */
export const PAIRING_TTL_SECONDS = 600;

/** The pairing code's `sub` when an operator's command, not a member, issued it. */
export const SETUP_ISSUER = 'setup';

/**
 * What a token says. `sub` is the actor id (staff), the table session (guest), the node (relay)
 * or who issued a pairing code (a member id, or `setup`).
 */
export const TokenClaims = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('staff'),
      sub: z.string().min(1).max(80),
      role: StaffRole,
      /** The paired device the person signed in on (decision 034); absent on older tokens. */
      did: DeviceId.optional(),
      /** Signed by a relay for its journal's replay to the cloud, never handed to a device. */
      rpl: z.literal(true).optional(),
      ...scope,
    }),
    z.object({
      kind: z.literal('guest'),
      sub: z.string().min(1).max(80),
      tableId: EntityId,
      rpl: z.literal(true).optional(),
      ...scope,
    }),
    z.object({ kind: z.literal('relay'), sub: z.string().min(1).max(80), ...scope }),
    /**
     * A pairing code: redeemed once at `POST /v1/devices/pair`, never a bearer. `jti` becomes
     * the device's pairingId, `role` what the device is for.
     */
    z.object({
      kind: z.literal('pairing'),
      sub: z.string().min(1).max(80),
      jti: Ulid,
      role: DeviceRole,
      ...scope,
    }),
  ])
  .refine((claims) => claims.exp > claims.iat, { message: 'exp must be after iat', path: ['exp'] });
export type TokenClaims = z.infer<typeof TokenClaims>;

/** Claims of a person (staff or guest): the ones that become a `Principal`. */
export type PersonTokenClaims = Extract<TokenClaims, { kind: 'staff' | 'guest' }>;

export interface TokenSigner {
  readonly kid: TokenKid;
  /** Signs validated claims; throws on claims that do not match `TokenClaims` (a bug). */
  sign(claims: TokenClaims): Promise<string>;
}

export type TokenVerifyResult =
  | { readonly ok: true; readonly claims: TokenClaims; readonly kid: TokenKid }
  | {
      readonly ok: false;
      readonly reason: 'malformed' | 'unknown_key' | 'bad_signature' | 'expired';
    };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A signer for ES256 tokens with `privateKey` (ECDSA P-256, usage `sign`), naming `kid`.
 *
 * @example
 * const signer = createTokenSigner({ privateKey, kid: 'cloud-1' });
 * const token = await signer.sign({ kind: 'staff', sub: 'demo-server', role: 'server',
 *   tenantId: 'demo', venueId: 'demo-bistro', iat: now, exp: now + 3600 });
 */
export function createTokenSigner(options: {
  readonly privateKey: CryptoKey;
  readonly kid: string;
}): TokenSigner {
  const header: TokenHeader = { alg: 'ES256', typ: 'JWT', kid: TokenKid.parse(options.kid) };
  const headerPart = encodeBase64Url(encoder.encode(JSON.stringify(header)));
  return {
    kid: header.kid,
    async sign(claims) {
      const payloadPart = encodeBase64Url(
        encoder.encode(JSON.stringify(TokenClaims.parse(claims))),
      );
      const signingInput = `${headerPart}.${payloadPart}`;
      const signature = await crypto.subtle.sign(
        ES256_SIGN,
        options.privateKey,
        encoder.encode(signingInput),
      );
      return `${signingInput}.${encodeBase64Url(new Uint8Array(signature))}`;
    },
  };
}

/**
 * Verifies a token: its form, then the signature under the key `resolveKey` returns for its
 * `kid`, and only then its claims and expiry. Never throws on any token text; an error thrown
 * by `resolveKey` itself (say, the store is down) is passed on.
 *
 * @example
 * const result = await verifyToken(token, async (kid) => (kid === 'cloud-1' ? publicKey : undefined), nowSeconds);
 * if (result.ok) principalOf(result.claims);
 */
export async function verifyToken(
  token: string,
  resolveKey: (kid: TokenKid) => Promise<CryptoKey | undefined>,
  nowSeconds: number,
): Promise<TokenVerifyResult> {
  if (typeof token !== 'string' || token.length > 8192) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = parseJson(TokenHeader, decodeBase64Url(headerPart));
  const payload = decodeBase64Url(payloadPart);
  const signature = decodeBase64Url(signaturePart);
  if (!header || !payload || signature?.byteLength !== SIGNATURE_BYTES) {
    return { ok: false, reason: 'malformed' };
  }
  const key = await resolveKey(header.kid);
  if (!key) return { ok: false, reason: 'unknown_key' };
  assertVerifyKey(key);
  const valid = await crypto.subtle.verify(
    ES256_SIGN,
    key,
    new Uint8Array(signature),
    encoder.encode(`${headerPart}.${payloadPart}`),
  );
  if (!valid) return { ok: false, reason: 'bad_signature' };
  const claims = parseJson(TokenClaims, payload);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (nowSeconds >= claims.exp) return { ok: false, reason: 'expired' };
  return { ok: true, claims, kid: header.kid };
}

/** The principal a person's token stands for. */
export function principalOf(claims: PersonTokenClaims): Principal {
  const { tenantId, venueId } = claims;
  return claims.kind === 'staff'
    ? { kind: 'staff', tenantId, venueId, actorId: claims.sub, role: claims.role }
    : { kind: 'guest', tenantId, venueId, sessionId: claims.sub, tableId: claims.tableId };
}

/** A public ES256 key as JWK: what a relay sends at enrollment and the cloud stores. */
export const EcPublicJwk = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  y: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});
export type EcPublicJwk = z.infer<typeof EcPublicJwk>;

/** A private ES256 key as JWK: the public part and `d`. */
export const EcPrivateJwk = EcPublicJwk.extend({ d: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });
export type EcPrivateJwk = z.infer<typeof EcPrivateJwk>;

/** A new ES256 key pair; the private key is extractable so it can be stored as JWK. */
export async function generateTokenKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ES256_KEY, true, ['sign', 'verify']);
}

/** Imports a public JWK as a verify key. Rejects (DOMException) when the point is invalid. */
export function importTokenVerifyKey(jwk: EcPublicJwk): Promise<CryptoKey> {
  const { kty, crv, x, y } = jwk;
  return crypto.subtle.importKey('jwk', { kty, crv, x, y }, ES256_KEY, true, ['verify']);
}

/** Imports a private JWK as a non-extractable signing key. */
export function importTokenSigningKey(jwk: EcPrivateJwk): Promise<CryptoKey> {
  const { kty, crv, x, y, d } = jwk;
  return crypto.subtle.importKey('jwk', { kty, crv, x, y, d }, ES256_KEY, false, ['sign']);
}

/** The public half of a private JWK. */
export function publicJwkOf(jwk: EcPrivateJwk): EcPublicJwk {
  const { kty, crv, x, y } = jwk;
  return { kty, crv, x, y };
}

// A key of the wrong type is a wiring bug, not a bad token: say so loudly.
function assertVerifyKey(key: CryptoKey): void {
  const algorithm = key.algorithm as { name?: string; namedCurve?: string };
  if (
    algorithm.name !== 'ECDSA' ||
    algorithm.namedCurve !== 'P-256' ||
    !key.usages.includes('verify')
  ) {
    throw new TypeError('token verify key must be an ECDSA P-256 key with usage "verify"');
  }
}

function parseJson<T>(schema: z.ZodType<T>, bytes: Uint8Array | undefined): T | undefined {
  if (!bytes) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(bytes));
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof TypeError) return undefined;
    throw error;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
