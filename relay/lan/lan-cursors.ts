import { createHash, createHmac } from 'node:crypto';
import {
  allowedScopes as allowedScopesFor,
  checkCursorClaims,
  createCursorCodec,
  cursorInvalid,
  decodeBase64Url,
  type FeedRejection,
  type Principal,
  resolveScopes as resolveScopesFor,
  type Scope,
  type ScopeResolution,
  scopeSetHash,
} from '#protocol';
import type { RelayIdentity } from '../identity/relay-identity.ts';

export type { FeedRejection };

export type CursorCheck =
  | { readonly ok: true; readonly seq: number; readonly epoch: number }
  | { readonly ok: false; readonly rejection: FeedRejection };

/** Signed cursors of the relay's LAN stream (one stream: this relay's venue). */
export interface LanCursors {
  /** The LAN stream's epoch now. */
  epoch(): number;
  /** A cursor at `seq` for `scopes`, in `epoch`: the epoch the data was read under. */
  issue(seq: number, scopes: readonly Scope[], epoch: number): Promise<string>;
  /** {@link issue}, synchronously: the live socket signs one per frame, for every publish. */
  issueNow(seq: number, scopes: readonly Scope[], epoch: number): string;
  /**
   * Verifies a cursor for reading with `scopes` (`'any'`: any scope set, as a checkpoint
   * report does) while the stream's head is `head`.
   */
  check(token: string, scopes: readonly Scope[] | 'any', head: number): Promise<CursorCheck>;
}

// Every cursor rejection on a read tells the device to re-bootstrap: a cursor it cannot use is
// only ever replaced by a snapshot's. That includes one the relay did not sign — the cloud's,
// or this relay's before it was enrolled again — which fails here as invalid (another key).

/**
 * The cloud's cursor rules for the LAN stream: forged or foreign → 400 CURSOR_INVALID, another
 * scope set → 409, another epoch → 410, ahead of the head → 400 CURSOR_AHEAD. The stream is
 * the venue id and the epoch is the relay's LAN epoch; the key is the identity's cursorSecret.
 *
 * @example
 * const cursors = await createLanCursors(identity, () => epoch);
 * const token = await cursors.issue(42, ['menu'], cursors.epoch());
 * await cursors.check(token, ['menu'], 42); // { ok: true, seq: 42, epoch }
 */
export async function createLanCursors(
  identity: Pick<RelayIdentity, 'venueId' | 'cursorSecret'>,
  epoch: () => number,
): Promise<LanCursors> {
  const secret = decodeBase64Url(identity.cursorSecret);
  if (!secret) throw new Error('relay identity holds a malformed cursor secret');
  const codec = await createCursorCodec(secret);
  const stream = identity.venueId;
  // Signed here with node:crypto, synchronously: the same token protocol's codec makes (HMAC-
  // SHA-256 over base64url of the claims' JSON, in the claims schema's key order; a test holds
  // the two together), so a frame is built in the publish that triggers it, not after an await
  // per frame. Tokens are still checked with protocol's codec.
  const scopeHashes = new Map<string, string>();
  const scopeHash = (scopes: readonly Scope[]): string => {
    const key = scopes.join(',');
    let hash = scopeHashes.get(key);
    if (hash === undefined) {
      const canonical = [...new Set(scopes)].sort().join(',');
      hash = createHash('sha256').update(canonical).digest('hex').slice(0, 16);
      scopeHashes.set(key, hash);
    }
    return hash;
  };
  const issueNow = (seq: number, scopes: readonly Scope[], at: number): string => {
    if (!Number.isSafeInteger(seq) || seq < 0 || !Number.isSafeInteger(at) || at < 0) {
      throw new RangeError(`cannot issue a cursor at seq ${seq}, epoch ${at}`);
    }
    const claims = { v: 1, stream, seq, scopes: scopeHash(scopes), epoch: at };
    const body = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
    return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
  };
  return {
    epoch,
    async issue(seq, scopes, at) {
      return issueNow(seq, scopes, at);
    },
    issueNow,
    async check(token, scopes, head) {
      const decoded = await codec.decode(token);
      if (!decoded.ok) {
        const detail = `the cursor is ${decoded.reason.replace('_', ' ')}`;
        return { ok: false, rejection: cursorInvalid(detail, 're_bootstrap') };
      }
      const verdict = checkCursorClaims(decoded.claims, {
        streamId: stream,
        epoch: epoch(),
        compactedThrough: 0,
        head,
        scopes: scopes === 'any' ? 'any' : await scopeSetHash(scopes),
        foreignCursor: 're_bootstrap',
      });
      return verdict.ok ? { ...verdict, epoch: decoded.claims.epoch } : verdict;
    },
  };
}

/** The scope rules are protocol's, shared with the other server. */
export function allowedScopes(principal: Principal): readonly Scope[] {
  return allowedScopesFor(principal.kind === 'guest' ? 'guest' : principal.role);
}

export type { ScopeResolution };

/** Resolves `?scopes=` for this caller with protocol's rules (400 unknown, 403 not allowed). */
export function resolveScopes(principal: Principal, text: string | undefined): ScopeResolution {
  return resolveScopesFor(principal.kind === 'guest' ? 'guest' : principal.role, text);
}
