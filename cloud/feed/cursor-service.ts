import {
  allowedScopes as allowedScopesFor,
  type CursorCodec,
  type CursorVerdict,
  checkCursorClaims,
  cursorInvalid,
  type FeedReader,
  type FeedRejection,
  resolveScopes as resolveScopesFor,
  type Scope,
  type ScopeResolution,
  scopeSetHash,
} from '#protocol';
import type { Caller } from '../http/caller.ts';
import type { VenueRecord } from '../store/cloud-store.ts';

export type { FeedRejection };

export type CursorCheck = CursorVerdict;

/** Issues and checks the signed cursors of venue streams. */
export interface CursorService {
  /** A cursor for `venue`'s stream at `seq`, bound to the scope set and the current epoch. */
  issue(venue: VenueRecord, seq: number, scopes: readonly Scope[]): Promise<string>;
  /**
   * Verifies a cursor for reading `venue`'s stream with `scopes` (`'any'`: any scope set, as a
   * checkpoint report does) while the stream's head is `head`.
   */
  check(
    token: string,
    venue: VenueRecord,
    scopes: readonly Scope[] | 'any',
    head: number,
  ): Promise<CursorCheck>;
}

/**
 * The cursor rules of the change feed over a codec: forged or foreign → 400, other scope set →
 * 409, older epoch or compacted past → 410, ahead of the stream → 400.
 *
 * @example
 * const cursors = createCursorService(await createCursorCodec(secret));
 * const token = await cursors.issue(venue, 42, ['menu']);
 * await cursors.check(token, venue, ['menu'], 42); // { ok: true, seq: 42 }
 */
export function createCursorService(codec: CursorCodec): CursorService {
  return {
    async issue(venue, seq, scopes) {
      return codec.encode({
        v: 1,
        stream: venue.venueId,
        seq,
        scopes: await scopeSetHash(scopes),
        epoch: venue.epoch,
      });
    },

    async check(token, venue, scopes, head) {
      const decoded = await codec.decode(token);
      if (!decoded.ok) {
        const detail = `the cursor is ${decoded.reason.replace('_', ' ')}`;
        return { ok: false, rejection: cursorInvalid(detail, 'fix_request') };
      }
      return checkCursorClaims(decoded.claims, {
        streamId: venue.venueId,
        epoch: venue.epoch,
        compactedThrough: venue.compactedThrough,
        head,
        scopes: scopes === 'any' ? 'any' : await scopeSetHash(scopes),
        foreignCursor: 'fix_request',
      });
    },
  };
}

/** The scope rules are protocol's, shared with the other server. */
export function allowedScopes(caller: Caller): readonly Scope[] {
  return allowedScopesFor(readerOf(caller));
}

/** Who reads, as the scope rules know readers: a guest, staff in their role, or a relay. */
function readerOf(caller: Caller): FeedReader {
  if (caller.kind === 'relay') return 'relay';
  return caller.principal.kind === 'guest' ? 'guest' : caller.principal.role;
}

export type { ScopeResolution };

/** Resolves `?scopes=` for this caller with protocol's rules (400 unknown, 403 not allowed). */
export function resolveScopes(caller: Caller, text: string | undefined): ScopeResolution {
  return resolveScopesFor(readerOf(caller), text);
}
