import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CursorClaims,
  createCursorCodec,
  decodeBase64Url,
  encodeBase64Url,
  scopeSetHash,
} from '#protocol';

const secret = new Uint8Array(32).map((_, i) => i + 1);
let claims: CursorClaims;

beforeAll(async () => {
  claims = {
    v: 1,
    stream: 'demo-bistro',
    seq: 1234,
    scopes: await scopeSetHash(['ticket', 'menu']),
    epoch: 2,
  };
});

describe('cursor codec', () => {
  it('round-trips its claims', async () => {
    const codec = await createCursorCodec(secret);
    const token = await codec.encode(claims);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(await codec.decode(token)).toEqual({ ok: true, claims });
  });

  it('rejects every single-bit flip of the token', async () => {
    const codec = await createCursorCodec(secret);
    const token = await codec.encode(claims);
    let flips = 0;
    for (let i = 0; i < token.length; i++) {
      for (let bit = 0; bit < 7; bit++) {
        const flipped =
          token.slice(0, i) +
          String.fromCharCode(token.charCodeAt(i) ^ (1 << bit)) +
          token.slice(i + 1);
        const result = await codec.decode(flipped);
        expect(result.ok, `char ${i} bit ${bit}`).toBe(false);
        flips++;
      }
    }
    expect(flips).toBe(token.length * 7);
  });

  it('rejects a token signed with another key as a bad signature', async () => {
    const other = await createCursorCodec(new Uint8Array(32).fill(9));
    const token = await other.encode(claims);
    expect(await (await createCursorCodec(secret)).decode(token)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('rejects forged and malformed tokens without throwing', async () => {
    const codec = await createCursorCodec(secret);
    const token = await codec.encode(claims);
    const [, mac] = token.split('.');
    const forgedBody = encodeBase64Url(
      new TextEncoder().encode(JSON.stringify({ ...claims, seq: 999_999 })),
    );
    expect(await codec.decode(`${forgedBody}.${mac}`)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    for (const junk of [
      '',
      '.',
      'a.b.c',
      'not a cursor',
      `${token}.`,
      '%%%.%%%',
      'e30.AAAA',
      `${forgedBody}.`,
    ]) {
      expect((await codec.decode(junk)).ok, junk).toBe(false);
    }
  });

  it('refuses a short secret', async () => {
    await expect(createCursorCodec(new Uint8Array(16))).rejects.toThrow(RangeError);
  });
});

describe('base64url', () => {
  it('decodes only canonical text, so unused trailing bits cannot smuggle a second spelling', () => {
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const text = encodeBase64Url(bytes);
    expect(text).toBe('AQIDBA');
    expect(decodeBase64Url(text)).toEqual(bytes);
    expect(decodeBase64Url('AQIDBB')).toBeUndefined();
    expect(decodeBase64Url('A')).toBeUndefined();
    expect(decodeBase64Url('AQ==')).toBeUndefined();
  });
});

describe('scope set hash', () => {
  it('ignores order and repeats but not membership', async () => {
    expect(await scopeSetHash(['menu', 'ticket'])).toBe(
      await scopeSetHash(['ticket', 'menu', 'menu']),
    );
    expect(await scopeSetHash(['menu'])).not.toBe(await scopeSetHash(['menu', 'ticket']));
    expect(await scopeSetHash(['menu'])).toMatch(/^[0-9a-f]{16}$/);
  });
});
