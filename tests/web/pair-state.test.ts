import { describe, expect, it } from 'vitest';
import { encodeBase64Url } from '../../protocol/cursor/base64url.ts';
import {
  codeFromHash,
  defaultName,
  hintOf,
  nameError,
  OFFLINE_MESSAGE,
  PAIR_ERRORS,
  pairedWords,
  parsePaired,
  refusalWords,
  screenOf,
} from '../../web/pair/pair-state.ts';

// The pair page, pure: the fragment's code, what the code says of itself, the name, and each
// answer in words.

const part = (value: unknown) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(value)));
const codeFor = (claims: unknown) => `${part({ alg: 'ES256', typ: 'JWT' })}.${part(claims)}.sig`;

describe('the code', () => {
  it('comes from #code=…', () => {
    expect(codeFromHash('#code=a.b.c')).toBe('a.b.c');
    expect(codeFromHash('#code=a.b.c&x=1')).toBe('a.b.c');
    expect(codeFromHash('#code=')).toBeNull();
    expect(codeFromHash('')).toBeNull();
    expect(codeFromHash('#table/5')).toBeNull();
  });

  it('says its role, expiry and venue (unverified: for the form only)', () => {
    const code = codeFor({ kind: 'pairing', role: 'kitchen', exp: 1_800_000_000, venueId: 'v1' });
    expect(hintOf(code)).toEqual({ role: 'kitchen', expiresAt: 1_800_000_000_000, venueId: 'v1' });
    expect(hintOf('garbage')).toEqual({ role: null, expiresAt: null, venueId: null });
    expect(hintOf('a.%%%.c')).toEqual({ role: null, expiresAt: null, venueId: null });
    expect(hintOf(codeFor({ role: 'guest' })).role).toBeNull();
  });
});

describe('the name', () => {
  it('starts from the role and is checked in words', () => {
    expect(defaultName('kitchen')).toBe('Kitchen display');
    expect(defaultName('floor')).toBe('Floor tablet');
    expect(defaultName(null)).toBe('Floor tablet');
    expect(nameError('Bar tablet')).toBeNull();
    expect(nameError('  ')).toMatch(/Give this device a name/);
    expect(nameError('x'.repeat(61))).toBe('Keep the name to 60 characters (it has 61).');
  });
});

describe('answers', () => {
  const paired = {
    deviceId: '01JQ00000000000000000000AB',
    name: 'Bar tablet',
    role: 'floor',
    venueId: 'demo-bistro',
    tenantId: 'demo',
  };

  it('reads DevicePaired and says it', () => {
    expect(parsePaired(paired)).toEqual(paired);
    expect(parsePaired({ ...paired, role: 'server' })).toBeNull();
    expect(parsePaired(null)).toBeNull();
    const read = parsePaired(paired);
    if (!read) throw new Error('not read');
    expect(pairedWords(read)).toBe(
      'This tablet is now paired with demo-bistro. Staff can sign in with their PIN.',
    );
    expect(pairedWords({ ...read, role: 'kitchen', venueName: 'Demo Bistro' })).toBe(
      'This kitchen display is now paired with Demo Bistro. Staff can sign in with their PIN.',
    );
  });

  it('opens the floor app or the kitchen display, naming another venue', () => {
    expect(screenOf({ role: 'floor', venueId: 'v1' }, 'v1')).toBe('/ops/');
    expect(screenOf({ role: 'kitchen', venueId: 'v1' }, 'v1')).toBe('/kitchen/');
    expect(screenOf({ role: 'floor', venueId: 'v 2' }, 'v1')).toBe('/ops/?venue=v%202');
  });

  it('says each refusal with what to do', () => {
    expect(refusalWords(410, { code: 'PAIRING_EXPIRED', title: 'Gone' })).toBe(
      'This code has expired. Ask the manager for a new one.',
    );
    expect(refusalWords(409, { code: 'PAIRING_USED' })).toBe(PAIR_ERRORS.PAIRING_USED);
    expect(refusalWords(401, { code: 'PAIRING_INVALID' })).toBe(PAIR_ERRORS.PAIRING_INVALID);
    // By status when the body is not a problem.
    expect(refusalWords(410, undefined)).toBe(PAIR_ERRORS.PAIRING_EXPIRED);
    expect(refusalWords(503, { code: 'OFFLINE', title: 'The server cannot be reached' })).toBe(
      OFFLINE_MESSAGE,
    );
    expect(refusalWords(500, { title: 'Broken', detail: 'later' })).toBe('Broken: later');
    // A 409 that is not a used code (a write to retry) is not called used.
    expect(
      refusalWords(409, { code: 'VERSION_CONFLICT', title: 'Try again shortly', detail: 'busy' }),
    ).toBe('Try again shortly: busy');
    expect(refusalWords(500, undefined)).toMatch(/HTTP 500/);
  });
});
