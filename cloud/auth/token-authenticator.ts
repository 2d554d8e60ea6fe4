import {
  bearerOfSubprotocols,
  EcPublicJwk,
  importTokenVerifyKey,
  principalOf,
  type TokenKid,
  type TokenVerifyResult,
  verifyToken,
} from '#protocol';
import type { Logger } from '../../server/logger.ts';
import type { Authenticator, AuthResult } from '../http/caller.ts';
import type { CloudStore, EdgeNode } from '../store/cloud-store.ts';
import { CLOUD_SIGNING_KID } from './keys.ts';

const RELAY_KID_PREFIX = 'relay:';
/** How many verified cloud tokens are remembered (a few hundred bytes each). */
const VERIFIED_TOKENS = 4096;

export interface TokenAuthenticatorOptions {
  readonly store: Pick<CloudStore, 'getEdgeNode'>;
  /** The public key of the cloud's signing key (kid `cloud-1`). */
  readonly cloudVerifyKey: CryptoKey;
  readonly clock: () => Date;
  /** Warns about unusable relay keys; never given a token. */
  readonly log?: Logger;
}

/**
 * The bearer token of a request: `Authorization: Bearer <token>`, or for a websocket upgrade the
 * `Sec-WebSocket-Protocol` entry `bearer.<token>` (browsers cannot set headers on a WebSocket).
 * `undefined` when the request carries neither; `null` when Authorization is not a bearer.
 *
 * A server that accepts the upgrade must echo one of the *other* offered protocols
 * (e.g. `hearth.v1`), never the bearer entry.
 */
export function bearerOf(request: Request): string | null | undefined {
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer +([^\s]+) *$/i.exec(authorization);
    return match?.[1] ?? null;
  }
  return (
    bearerOfSubprotocols(request.headers.get('sec-websocket-protocol')) ?? sessionCookieOf(request)
  );
}

/** The name of the HttpOnly cookie a browser's session token travels in (never script-readable). */
export const SESSION_COOKIE = 'hearth_session';

/** The session token from the `Cookie` header, if any. */
export function sessionCookieOf(request: Request): string | undefined {
  const cookies = request.headers.get('cookie');
  if (!cookies) return undefined;
  for (const part of cookies.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE && value.length > 0) return value.join('=');
  }
  return undefined;
}

/**
 * `Set-Cookie` for a browser session: HttpOnly (no script can read it, so no token sits in
 * browser storage), SameSite=Strict (no cross-site request carries it), Secure over HTTPS.
 */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

/**
 * Authenticates ES256 bearer tokens: the cloud's own (kid `cloud-1`) for staff, guests and
 * enrolled relays, and those an active relay issued for its own venue while offline
 * (kid `relay:<nodeId>`, verified with the public key the relay enrolled with).
 * Relay status is read on every request, so a revocation takes effect at once.
 */
export class TokenAuthenticator implements Authenticator {
  /** Imported relay keys by node, with the JWK text they came from (a re-enrollment replaces it). */
  private readonly relayKeys = new Map<string, { readonly jwk: string; readonly key: CryptoKey }>();
  /**
   * Tokens the cloud signed whose signature has been checked, by their exact text, with their
   * claims: a device sends the same token with every request, and an ES256 verify is costly
   * (decision 022). Same bytes, same key, same answer; the expiry is still checked on every
   * use, and a relay credential's node is still read every time.
   */
  private readonly verified = new Map<string, VerifiedClaims>();

  private readonly options: TokenAuthenticatorOptions;

  constructor(options: TokenAuthenticatorOptions) {
    this.options = options;
  }

  async authenticate(request: Request): Promise<AuthResult | undefined> {
    const token = bearerOf(request);
    if (token === undefined) return undefined;
    if (token === null) return invalid('expected Authorization: Bearer <token>');
    const now = Math.floor(this.options.clock().getTime() / 1000);
    const known = this.verified.get(token);
    if (known) {
      if (now < known.exp) return this.cloudIssued(known);
      this.verified.delete(token);
    }
    // The issuing relay, when the kid names one: looked up once, for its key and its status.
    const issuer: { node?: EdgeNode } = {};
    const result = await verifyToken(
      token,
      async (kid) => {
        if (kid === CLOUD_SIGNING_KID) return this.options.cloudVerifyKey;
        const nodeId = relayNodeOf(kid);
        if (nodeId === undefined) return undefined;
        issuer.node = await this.options.store.getEdgeNode(nodeId);
        return issuer.node ? this.relayKey(issuer.node) : undefined;
      },
      now,
    );
    if (!result.ok) return failure(result.reason);
    if (issuer.node) return this.relayIssued(result.claims, issuer.node);
    if (this.verified.size >= VERIFIED_TOKENS) {
      // The oldest first (a Map keeps insertion order): a bound, not an LRU.
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, result.claims);
    return this.cloudIssued(result.claims);
  }

  private async cloudIssued(claims: VerifiedClaims): Promise<AuthResult> {
    if (claims.kind === 'pairing') return pairingRefused();
    if (claims.kind !== 'relay') {
      return {
        ok: true,
        caller: {
          kind: 'principal',
          principal: principalOf(claims),
          issuer: 'cloud',
          ...didOf(claims),
        },
      };
    }
    const node = await this.options.store.getEdgeNode(claims.sub);
    if (node?.status !== 'active' || !sameVenue(node, claims)) {
      return revoked('this relay credential is no longer valid');
    }
    return {
      ok: true,
      caller: {
        kind: 'relay',
        nodeId: node.nodeId,
        tenantId: node.tenantId,
        venueId: node.venueId,
      },
    };
  }

  private relayIssued(claims: VerifiedClaims, node: EdgeNode): AuthResult {
    if (node.status !== 'active') return revoked('the relay that issued this token is not active');
    // A relay signs for people at its venue, never for itself or another relay.
    if (claims.kind === 'relay') return invalid('a relay may not issue relay tokens');
    if (claims.kind === 'pairing') return pairingRefused();
    if (!sameVenue(node, claims)) {
      return {
        ok: false,
        status: 403,
        code: 'FOREIGN_VENUE',
        detail: 'a relay may issue tokens only for its own venue',
      };
    }
    return {
      ok: true,
      caller: {
        kind: 'principal',
        principal: principalOf(claims),
        issuer: `${RELAY_KID_PREFIX}${node.nodeId}`,
        ...didOf(claims),
        // Only a relay's own signature makes a replay: the cloud never issues one.
        ...(claims.rpl === true ? { replay: true as const } : {}),
      },
    };
  }

  private async relayKey(node: EdgeNode): Promise<CryptoKey | undefined> {
    const jwk = node.publicKeyJwk;
    if (jwk === null) return undefined;
    const cached = this.relayKeys.get(node.nodeId);
    if (cached?.jwk === jwk) return cached.key;
    const key = await importRelayKey(jwk);
    if (!key) {
      this.options.log?.('warn', 'relay public key unusable', { nodeId: node.nodeId });
      return undefined;
    }
    this.relayKeys.set(node.nodeId, { jwk, key });
    return key;
  }
}

type VerifiedClaims = Extract<TokenVerifyResult, { ok: true }>['claims'];

/** The paired device a staff token names, as the caller's `did`. */
function didOf(claims: VerifiedClaims): { did?: string } {
  return claims.kind === 'staff' && claims.did !== undefined ? { did: claims.did } : {};
}

function relayNodeOf(kid: TokenKid): string | undefined {
  if (!kid.startsWith(RELAY_KID_PREFIX)) return undefined;
  const nodeId = kid.slice(RELAY_KID_PREFIX.length);
  return nodeId.length > 0 ? nodeId : undefined;
}

function sameVenue(node: EdgeNode, claims: VerifiedClaims): boolean {
  return node.tenantId === claims.tenantId && node.venueId === claims.venueId;
}

async function importRelayKey(text: string): Promise<CryptoKey | undefined> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  const jwk = EcPublicJwk.safeParse(json);
  if (!jwk.success) return undefined;
  try {
    return await importTokenVerifyKey(jwk.data);
  } catch (error) {
    // A point not on the curve fails the import (DataError).
    if (error instanceof DOMException || error instanceof TypeError) return undefined;
    throw error;
  }
}

function failure(reason: Extract<TokenVerifyResult, { ok: false }>['reason']): AuthResult {
  if (reason === 'expired') {
    return {
      ok: false,
      status: 401,
      code: 'TOKEN_EXPIRED',
      detail: 'the token has expired; sign in again',
    };
  }
  return invalid(
    reason === 'unknown_key' ? 'the token names an unknown key' : 'the token is not valid',
  );
}

function invalid(detail: string): AuthResult {
  return { ok: false, status: 401, code: 'TOKEN_INVALID', detail };
}

/** A pairing code is redeemed once at `POST /v1/devices/pair`, never sent as a bearer. */
function pairingRefused(): AuthResult {
  return invalid('a pairing code is not a bearer token; redeem it at /v1/devices/pair');
}

function revoked(detail: string): AuthResult {
  return { ok: false, status: 401, code: 'TOKEN_REVOKED', detail };
}
