import { describe, expect, it } from 'vitest';
import {
  type CursorClaims,
  checkCursorClaims,
  cursorInvalid,
  type StreamPosition,
} from '#protocol';

// The cursor rules the cloud and the relay share: one row per rule, in the order they apply.

const at: StreamPosition = {
  streamId: 'venue-1',
  epoch: 3,
  compactedThrough: 10,
  head: 50,
  scopes: 'hash-a',
  foreignCursor: 'fix_request',
};
const claims: CursorClaims = { v: 1, stream: 'venue-1', seq: 20, scopes: 'hash-a', epoch: 3 };

const answer = (c: Partial<CursorClaims>, p: Partial<StreamPosition> = {}) => {
  const verdict = checkCursorClaims({ ...claims, ...c }, { ...at, ...p });
  return verdict.ok
    ? { ok: true, seq: verdict.seq }
    : {
        status: verdict.rejection.status,
        code: verdict.rejection.code,
        kind: verdict.rejection.extras.kind,
      };
};

describe('checkCursorClaims', () => {
  it.each([
    ['a cursor of this stream, within it', {}, {}, { ok: true, seq: 20 }],
    ['at the head', { seq: 50 }, {}, { ok: true, seq: 50 }],
    [
      'any scope set (a checkpoint report)',
      { scopes: 'hash-b' },
      { scopes: 'any' },
      { ok: true, seq: 20 },
    ],
    [
      'another stream, cloud',
      { stream: 'venue-2' },
      {},
      { status: 400, code: 'CURSOR_INVALID', kind: 'fix_request' },
    ],
    [
      'another stream, relay',
      { stream: 'venue-2' },
      { foreignCursor: 're_bootstrap' },
      { status: 400, code: 'CURSOR_INVALID', kind: 're_bootstrap' },
    ],
    [
      'another epoch',
      { epoch: 2 },
      {},
      { status: 410, code: 'CURSOR_EXPIRED', kind: 're_bootstrap' },
    ],
    [
      'compacted past',
      { seq: 9 },
      {},
      { status: 410, code: 'CURSOR_EXPIRED', kind: 're_bootstrap' },
    ],
    [
      'another scope set',
      { scopes: 'hash-b' },
      {},
      { status: 409, code: 'CURSOR_SCOPE_MISMATCH', kind: 're_bootstrap' },
    ],
    [
      'ahead of the head',
      { seq: 51 },
      {},
      { status: 400, code: 'CURSOR_AHEAD', kind: 're_bootstrap' },
    ],
    [
      'another stream wins over every other fault',
      { stream: 'x', epoch: 9, seq: 99, scopes: 'z' },
      {},
      { status: 400, code: 'CURSOR_INVALID', kind: 'fix_request' },
    ],
    [
      'an old epoch wins over scopes and head',
      { epoch: 9, seq: 99, scopes: 'z' },
      {},
      { status: 410, code: 'CURSOR_EXPIRED', kind: 're_bootstrap' },
    ],
  ] as const)('%s', (_name, c, p, expected) => {
    expect(answer(c, p)).toEqual(expected);
  });

  it('tells a device told to re-bootstrap to load a snapshot, and says where the stream ends', () => {
    expect(cursorInvalid('the cursor is forged', 're_bootstrap').extras.detail).toBe(
      'the cursor is forged; load a snapshot',
    );
    expect(cursorInvalid('the cursor is forged', 'fix_request').extras.detail).toBe(
      'the cursor is forged',
    );
    const ahead = checkCursorClaims({ ...claims, seq: 51 }, at);
    expect(ahead.ok ? null : ahead.rejection.extras.detail).toBe(
      'the stream ends at 50; load a snapshot',
    );
  });
});
