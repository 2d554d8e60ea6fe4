import { describe, expect, it } from 'vitest';
import {
  countdownSpoken,
  countdownWords,
  type DeviceRow,
  MANAGERS_ONLY,
  outboxWords,
  parseListing,
  parsePairing,
  problemWords,
  relativeTime,
  rowsOf,
  secondsLeft,
  sortDevices,
  statusWords,
} from '../../web/floor/devices-state.ts';

// The Devices panel, pure: the list's order, last seen and waiting ops in words, the pairing
// code's countdown, and answers checked by hand.

const NOW = Date.parse('2026-12-07T20:00:00.000Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

const row = (id: string, patch: Partial<DeviceRow> = {}): DeviceRow => ({
  id,
  name: id,
  role: 'floor',
  pairedAt: ago(86_400_000),
  revoked: false,
  revokedAt: null,
  lastSeenAt: null,
  outboxDepth: null,
  ...patch,
});

describe('relativeTime', () => {
  it('says just now, minutes, hours and days; never for no time', () => {
    expect(relativeTime(ago(0), NOW)).toBe('just now');
    expect(relativeTime(ago(59_999), NOW)).toBe('just now');
    // A device clock ahead of this one is not "in 3 s".
    expect(relativeTime(ago(-3000), NOW)).toBe('just now');
    expect(relativeTime(ago(60_000), NOW)).toBe('1 min ago');
    expect(relativeTime(ago(4 * 60_000 + 59_000), NOW)).toBe('4 min ago');
    expect(relativeTime(ago(59 * 60_000), NOW)).toBe('59 min ago');
    expect(relativeTime(ago(60 * 60_000), NOW)).toBe('1 h ago');
    expect(relativeTime(ago(23 * 3_600_000), NOW)).toBe('23 h ago');
    expect(relativeTime(ago(24 * 3_600_000), NOW)).toBe('1 day ago');
    expect(relativeTime(ago(3 * 24 * 3_600_000), NOW)).toBe('3 days ago');
    expect(relativeTime(null, NOW)).toBe('never');
    // A row only the local view has: the server's list has not said.
    expect(relativeTime(undefined, NOW)).toBe('unknown');
    expect(relativeTime('not a time', NOW)).toBe('never');
  });
});

describe('outboxWords', () => {
  it('says how many ops wait, or that none do, or that the device never said', () => {
    expect(outboxWords(3)).toBe('3 waiting');
    expect(outboxWords(1)).toBe('1 waiting');
    expect(outboxWords(0)).toBe('nothing waiting');
    expect(outboxWords(null)).toBe('not reported');
  });
});

describe('the countdown', () => {
  const at = new Date(NOW + 10 * 60_000).toISOString();
  it('counts minutes and seconds down to expired', () => {
    expect(countdownWords(at, NOW)).toBe('10:00');
    expect(countdownWords(at, NOW + 1)).toBe('10:00');
    expect(countdownWords(at, NOW + 1000)).toBe('9:59');
    expect(countdownWords(at, NOW + 9 * 60_000 + 55_000)).toBe('0:05');
    expect(countdownWords(at, NOW + 10 * 60_000)).toBe('expired');
    expect(countdownWords(at, NOW + 11 * 60_000)).toBe('expired');
    expect(secondsLeft(at, NOW + 11 * 60_000)).toBe(0);
  });

  it('is spoken once a minute, then at 30 and 10 seconds', () => {
    expect(countdownSpoken(at, NOW)).toBe('Expires in 10 minutes');
    expect(countdownSpoken(at, NOW + 1000)).toBe('Expires in 10 minutes');
    expect(countdownSpoken(at, NOW + 60_000)).toBe('Expires in 9 minutes');
    expect(countdownSpoken(at, NOW + 9 * 60_000)).toBe('Expires in 1 minute');
    expect(countdownSpoken(at, NOW + 9 * 60_000 + 31_000)).toBe('Expires in 30 seconds');
    expect(countdownSpoken(at, NOW + 9 * 60_000 + 51_000)).toBe('Expires in 10 seconds');
    expect(countdownSpoken(at, NOW + 10 * 60_000)).toBe('The code has expired');
  });
});

describe('sortDevices', () => {
  it('paired first, most recently seen first, never seen last, then by name', () => {
    const rows = [
      row('old-revoked', { revoked: true, lastSeenAt: ago(1000) }),
      row('never', { name: 'A never seen' }),
      row('recent', { lastSeenAt: ago(60_000) }),
      row('older', { lastSeenAt: ago(3_600_000) }),
      row('never-b', { name: 'B never seen' }),
    ];
    expect(sortDevices(rows).map((r) => r.id)).toEqual([
      'recent',
      'older',
      'never',
      'never-b',
      'old-revoked',
    ]);
  });

  it('a revoke made here counts as revoked before the list says so', () => {
    const rows = [row('a', { lastSeenAt: ago(1000) }), row('b', { lastSeenAt: ago(5000) })];
    const here = new Set(['a']);
    expect(sortDevices(rows, here).map((r) => r.id)).toEqual(['b', 'a']);
    expect(statusWords(rows[0] as DeviceRow, here)).toBe('Revoked');
    expect(statusWords(rows[1] as DeviceRow, here)).toBe('Paired');
  });
});

describe('rowsOf', () => {
  const local = (id: string, revoked = false) => {
    const { lastSeenAt: _seen, outboxDepth: _depth, ...rest } = row(id, { revoked });
    return rest;
  };

  it('the list, plus devices the feed brought since it was fetched', () => {
    const listing = [row('a', { lastSeenAt: ago(0), outboxDepth: 1 })];
    expect(rowsOf(listing, [local('a'), local('b')])).toEqual([
      listing[0],
      row('b', { lastSeenAt: undefined }),
    ]);
  });

  it('without a list, the local view’s devices; nothing while there is neither', () => {
    expect(rowsOf(null, [local('a', true)])).toEqual([
      row('a', { revoked: true, lastSeenAt: undefined }),
    ]);
    expect(rowsOf(null, [])).toBeNull();
    expect(rowsOf([], [])).toEqual([]);
  });
});

describe('answers', () => {
  it('reads a listing; refuses a shape it does not know', () => {
    const good = {
      devices: [
        row('d1', { lastSeenAt: ago(0), outboxDepth: 2 }),
        row('d2', { revoked: true, revokedAt: ago(5) }),
      ],
    };
    expect(parseListing(good)).toEqual(good.devices);
    expect(parseListing({ devices: [{ ...row('d1'), role: 'guest' }] })).toBeNull();
    expect(parseListing({ devices: [{ ...row('d1'), outboxDepth: '3' }] })).toBeNull();
    expect(parseListing('<html>')).toBeNull();
    expect(parseListing({})).toBeNull();
  });

  it('reads a pairing with an http(s) link only', () => {
    const pairing = {
      code: 'a.b.c',
      pairUrl: 'https://relay.local/pair#code=a.b.c',
      expiresAt: ago(-600_000),
    };
    expect(parsePairing(pairing)).toEqual(pairing);
    expect(parsePairing({ ...pairing, pairUrl: 'javascript:alert(1)' })).toBeNull();
    expect(parsePairing({ ...pairing, expiresAt: 'soon' })).toBeNull();
  });

  it('says a refusal in words', () => {
    expect(problemWords(403, {}, 'x')).toBe(MANAGERS_ONLY);
    expect(problemWords(500, { title: 'Broken', detail: 'try later' }, 'x')).toBe(
      'Broken: try later',
    );
    expect(problemWords(502, undefined, 'No code')).toBe('No code (HTTP 502)');
  });
});
