import {
  bearerOfSubprotocols,
  importTokenVerifyKey,
  principalOf,
  publicJwkOf,
  type TokenKid,
  type TokenVerifyResult,
  verifyToken,
} from '#protocol';
import { type RelayIdentity, relayKid } from '../identity/relay-identity.ts';
import type { LanAuthenticator, LanAuthResult } from './lan-caller.ts';
import type { LanDevices } from './lan-devices.ts';

/** Tokens whose signature checked out, remembered (a device sends the same one all shift). */
const VERIFIED_CAPACITY = 1024;

/** The bearer token of a request: `Authorization: Bearer`, or a websocket's `bearer.<token>` subprotocol. */
export function bearerOf(request: Request): string | undefined {
  const header = request.headers.get('authorization');
  if (header) return /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  return (
    bearerOfSubprotocols(request.headers.get('sec-websocket-protocol')) ?? sessionCookieOf(request)
  );
}

/** The HttpOnly cookie a browser's session token travels in: no script (and no storage) holds it. */
export const SESSION_COOKIE = 'hearth_session';

export function sessionCookieOf(request: Request): string | undefined {
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE && value.length > 0) return value.join('=');
  }
  return undefined;
}

/** `Set-Cookie` for a browser session: HttpOnly, SameSite=Strict, Secure over HTTPS. */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

/**
 * The keys a token on the LAN may be signed with: the cloud's from enrollment, and the relay's
 * own, by kid.
 */
export async function relayVerifyKeys(identity: RelayIdentity): Promise<Map<string, CryptoKey>> {
  const keys = new Map<string, CryptoKey>();
  for (const { kid, jwk } of identity.verificationKeys)
    keys.set(kid, await importTokenVerifyKey(jwk));
  keys.set(relayKid(identity.nodeId), await importTokenVerifyKey(publicJwkOf(identity.signingJwk)));
  return keys;
}

/** What a person whose paired device was revoked is told on every request (decision 034). */
export const DEVICE_REVOKED_DETAIL =
  'this device is no longer paired with the venue; ask a manager to pair it again';

/**
 * Verifies tokens on the LAN without asking the cloud: cloud-issued ones with the cloud's keys
 * from enrollment, and the relay's own with its key. Only people of this relay's venue pass, and
 * a staff token naming a device the venue revoked (`did`) passes no more.
 */
export class RelayLanAuthenticator implements LanAuthenticator {
  private readonly keys: Promise<Map<string, CryptoKey>>;
  private readonly identity: RelayIdentity;
  private readonly now: () => Date;
  private readonly devices: Pick<LanDevices, 'revoked' | 'seen'>;
  /**
   * Verified tokens and what they say. The keys never change while the process runs, so a
   * token's signature checks out once and for all; only its expiry is checked on every use.
   * An ES256 verify costs ~0.15 ms of CPU, the largest part of a single-op request.
   */
  private readonly verified = new Map<string, Extract<TokenVerifyResult, { ok: true }>>();

  constructor(
    identity: RelayIdentity,
    now: () => Date,
    devices: Pick<LanDevices, 'revoked' | 'seen'>,
  ) {
    this.identity = identity;
    this.now = now;
    this.devices = devices;
    this.keys = relayVerifyKeys(identity);
  }

  async authenticate(request: Request): Promise<LanAuthResult | undefined> {
    const token = bearerOf(request);
    if (token === undefined) {
      return request.headers.has('authorization')
        ? { ok: false, status: 401, code: 'TOKEN_INVALID', detail: 'use a Bearer token' }
        : undefined;
    }
    const result = await this.verify(token, Math.floor(this.now().getTime() / 1000));
    if (!result.ok) {
      return {
        ok: false,
        status: 401,
        code: result.reason === 'expired' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID',
        detail: 'sign in again',
      };
    }
    const { claims } = result;
    if (claims.kind === 'relay' || claims.kind === 'pairing')
      return {
        ok: false,
        status: 403,
        code: 'PERSON_TOKEN_REQUIRED',
        detail: 'the LAN API is for people',
      };
    if (claims.tenantId !== this.identity.tenantId || claims.venueId !== this.identity.venueId) {
      return {
        ok: false,
        status: 403,
        code: 'FOREIGN_VENUE',
        detail: 'the token is for another venue',
      };
    }
    const did = claims.kind === 'staff' ? claims.did : undefined;
    if (did !== undefined) {
      // Checked on every request, against what devices see: a revoke decided here offline
      // counts from its commit, one from the cloud from its feed entry.
      if (this.devices.revoked(did))
        return { ok: false, status: 401, code: 'DEVICE_REVOKED', detail: DEVICE_REVOKED_DETAIL };
      this.devices.seen(did);
    }
    return {
      ok: true,
      caller: {
        principal: principalOf(claims),
        token,
        kid: result.kid,
        ...(did === undefined ? {} : { did }),
      },
    };
  }

  /** {@link verifyToken}, without checking a signature twice. */
  private async verify(token: string, nowSeconds: number): Promise<TokenVerifyResult> {
    const known = this.verified.get(token);
    if (known) {
      if (nowSeconds < known.claims.exp) return known;
      this.verified.delete(token);
      return { ok: false, reason: 'expired' };
    }
    const keys = await this.keys;
    const result = await verifyToken(token, async (kid: TokenKid) => keys.get(kid), nowSeconds);
    if (result.ok) {
      this.verified.set(token, result);
      // Oldest first out: a Map iterates in insertion order.
      if (this.verified.size > VERIFIED_CAPACITY) {
        const oldest = this.verified.keys().next();
        if (!oldest.done) this.verified.delete(oldest.value);
      }
    }
    return result;
  }
}
