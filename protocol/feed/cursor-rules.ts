import type { CursorClaims } from '../cursor/cursor.ts';
import type { FeedRejection } from './scope-rules.ts';

/*
 * What a signed cursor may be used for, the same on the cloud and the relay: each checks the
 * signature with its own codec, then asks these rules about the claims it decoded.
 *
 *   not this stream (or not decodable)   → 400 CURSOR_INVALID
 *   another epoch, or compacted past     → 410 CURSOR_EXPIRED        re_bootstrap
 *   issued for another scope set         → 409 CURSOR_SCOPE_MISMATCH re_bootstrap
 *   ahead of the stream's head           → 400 CURSOR_AHEAD          re_bootstrap
 */

export type CursorVerdict =
  | { readonly ok: true; readonly seq: number }
  | { readonly ok: false; readonly rejection: FeedRejection };

/** The stream a cursor is checked against, as the server sees it now. */
export interface StreamPosition {
  readonly streamId: string;
  readonly epoch: number;
  /** Entries up to this seq are gone from the stream (0: none). */
  readonly compactedThrough: number;
  readonly head: number;
  /** The scope-set hash the reader asks with, or 'any' (a checkpoint report reads no scopes). */
  readonly scopes: string | 'any';
  /**
   * How to answer a cursor that is not this stream's: the cloud says fix the request; the relay
   * says re-bootstrap, since a device switching targets may show it the cloud's cursor.
   */
  readonly foreignCursor: 'fix_request' | 're_bootstrap';
}

/** 400 CURSOR_INVALID; told to re-bootstrap, the device is also told to load a snapshot. */
export function cursorInvalid(
  detail: string,
  kind: StreamPosition['foreignCursor'],
): FeedRejection {
  return {
    status: 400,
    code: 'CURSOR_INVALID',
    title: 'Invalid cursor',
    extras: { kind, detail: kind === 're_bootstrap' ? `${detail}; load a snapshot` : detail },
  };
}

function expired(detail: string): FeedRejection {
  return {
    status: 410,
    code: 'CURSOR_EXPIRED',
    title: 'Cursor expired',
    extras: { kind: 're_bootstrap', detail: `${detail}; load a snapshot` },
  };
}

const no = (rejection: FeedRejection): CursorVerdict => ({ ok: false, rejection });

/** The verdict on a cursor whose signature checked out, for reading `at`. */
export function checkCursorClaims(claims: CursorClaims, at: StreamPosition): CursorVerdict {
  if (claims.stream !== at.streamId) {
    return no(cursorInvalid('the cursor is for another venue', at.foreignCursor));
  }
  if (claims.epoch !== at.epoch) return no(expired('the stream was reset'));
  if (claims.seq < at.compactedThrough) return no(expired('the stream was compacted past it'));
  if (at.scopes !== 'any' && claims.scopes !== at.scopes) {
    return no({
      status: 409,
      code: 'CURSOR_SCOPE_MISMATCH',
      title: 'Cursor is for another scope set',
      extras: {
        kind: 're_bootstrap',
        detail: 'ask with the scopes the cursor was issued for, or load a snapshot',
      },
    });
  }
  if (claims.seq > at.head) {
    // Only a stream restored to an older state can be behind a cursor its server signed.
    return no({
      status: 400,
      code: 'CURSOR_AHEAD',
      title: 'Cursor is ahead of the stream',
      extras: { kind: 're_bootstrap', detail: `the stream ends at ${at.head}; load a snapshot` },
    });
  }
  return { ok: true, seq: claims.seq };
}
