import { describe, expect, it } from 'vitest';
import { createCursorCodec, encodeBase64Url, type Scope, scopeSetHash } from '#protocol';
import { createLanCursors } from './lan-cursors.ts';

const secret = new Uint8Array(32).fill(7);
const identity = { venueId: 'demo-bistro', cursorSecret: encodeBase64Url(secret) };
const cases: [number, Scope[], number][] = [
  [0, ['order'], 1],
  [42, ['ticket', 'order'], 7],
  [1_234_567, ['order', 'menu', 'order'], 1 + 2 ** 29],
];

describe('LAN cursors', () => {
  it("sign synchronously the very token protocol's codec makes, and read their own back", async () => {
    const codec = await createCursorCodec(secret);
    const cursors = await createLanCursors(identity, () => 7);
    for (const [seq, scopes, epoch] of cases) {
      const token = cursors.issueNow(seq, scopes, epoch);
      const claims = { v: 1 as const, stream: 'demo-bistro', seq, epoch };
      expect(token).toBe(await codec.encode({ ...claims, scopes: await scopeSetHash(scopes) }));
      expect(await cursors.issue(seq, scopes, epoch)).toBe(token);
      const decoded = await codec.decode(token);
      expect(decoded.ok && decoded.claims.seq).toBe(seq);
    }
    const token = cursors.issueNow(3, ['order'], 7);
    expect(await cursors.check(token, ['order'], 3)).toEqual({ ok: true, seq: 3, epoch: 7 });
    const tampered = `${token.slice(0, -2)}${token.endsWith('A') ? 'B' : 'A'}${token.slice(-1)}`;
    expect((await cursors.check(tampered, ['order'], 3)).ok).toBe(false);
  });

  it('refuses to sign a seq or epoch no cursor may carry', async () => {
    const cursors = await createLanCursors(identity, () => 0);
    expect(() => cursors.issueNow(-1, ['order'], 0)).toThrow(RangeError);
    expect(() => cursors.issueNow(1.5, ['order'], 0)).toThrow(RangeError);
    expect(() => cursors.issueNow(1, ['order'], -3)).toThrow(RangeError);
  });
});
