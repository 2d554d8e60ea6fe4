import {
  allowedScopes as allowedScopesFor,
  type CursorCodec,
  type FeedRejection,
  resolveScopes as resolveScopesFor,
  type Scope,
  type ScopeResolution,
  scopeSetHash,
} from '#protocol';
import type { Caller } from '../http/caller.ts';
import type { VenueRecord } from '../store/cloud-store.ts';

export type { FeedRejection };

export type CursorCheck =
  | { readonly ok: true; readonly seq: number }
  | { readonly ok: false; readonly rejection: FeedRejection };

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

const invalid = (detail: string): CursorCheck => ({
  ok: false,
  rejection: {
    status: 400,
    code: 'CURSOR_INVALID',
    title: 'Invalid cursor',
    extras: { kind: 'fix_request', detail },
  },
});

const expired = (detail: string): CursorCheck => ({
  ok: false,
  rejection: {
    status: 410,
    code: 'CURSOR_EXPIRED',
    title: 'Cursor expired',
    extras: { kind: 're_bootstrap', detail: `${detail}; load a snapshot` },
  },
});

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
      if (!decoded.ok) return invalid(`the cursor is ${decoded.reason.replace('_', ' ')}`);
      const claims = decoded.claims;
      if (claims.stream !== venue.venueId) return invalid('the cursor is for another venue');
      if (claims.epoch !== venue.epoch) return expired('the stream was reset');
      if (claims.seq < venue.compactedThrough) return expired('the stream was compacted past it');
      if (scopes !== 'any' && claims.scopes !== (await scopeSetHash(scopes))) {
        return {
          ok: false,
          rejection: {
            status: 409,
            code: 'CURSOR_SCOPE_MISMATCH',
            title: 'Cursor is for another scope set',
            extras: {
              kind: 're_bootstrap',
              detail: 'ask with the scopes the cursor was issued for, or load a snapshot',
            },
          },
        };
      }
      if (claims.seq > head) {
        // Only a stream restored to an older state can be behind a cursor we signed.
        return {
          ok: false,
          rejection: {
            status: 400,
            code: 'CURSOR_AHEAD',
            title: 'Cursor is ahead of the stream',
            extras: { kind: 're_bootstrap', detail: `the stream ends at ${head}; load a snapshot` },
          },
        };
      }
      return { ok: true, seq: claims.seq };
    },
  };
}

/** The scope rules are protocol's, shared with the other server. */
export function allowedScopes(caller: Caller): readonly Scope[] {
  return allowedScopesFor(
    caller.kind === 'principal' && caller.principal.kind === 'guest' ? 'guest' : 'staff',
  );
}

export type { ScopeResolution };

/** Resolves `?scopes=` for this caller with protocol's rules (400 unknown, 403 not allowed). */
export function resolveScopes(caller: Caller, text: string | undefined): ScopeResolution {
  return resolveScopesFor(
    caller.kind === 'principal' && caller.principal.kind === 'guest' ? 'guest' : 'staff',
    text,
  );
}
