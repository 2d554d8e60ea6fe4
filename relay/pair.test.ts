import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importTokenVerifyKey, publicJwkOf, verifyToken } from '#protocol';
import { NOW, VENUE } from '../tests/protocol/support/venue-fixture.ts';
import { writeIdentity } from './identity/identity-file.ts';
import { runPairCommand } from './pair.ts';
import { testRelayKeys } from './testing/lan-fixture.ts';

// The relay's setup pairing command: a link signed with the identity's key, on stdout only.

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function run(argv: string[], enrolled = true) {
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-pair-'));
  dirs.push(dataDir);
  const { identity } = await testRelayKeys;
  if (enrolled) writeIdentity(dataDir, identity);
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPairCommand(
    argv,
    { HEARTH_DATA_DIR: dataDir },
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    () => new Date(NOW),
  );
  return { code, out: out.join('\n'), err: err.join('\n'), identity };
}

describe('hearth-relay pair', () => {
  it("prints a setup link at the origin given, signed with the relay's key, for the role asked", async () => {
    const r = await run(['--role', 'kitchen', '--origin', 'https://192.168.1.20:8788']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const link = /https:\/\/192\.168\.1\.20:8788\/pair#code=([\w.-]+)/.exec(r.out);
    expect(link).not.toBeNull();
    // A QR code of the link comes first (block characters).
    expect(r.out.split('\n')[0]).toMatch(/[█▀▄]/);
    const key = await importTokenVerifyKey(publicJwkOf(r.identity.signingJwk));
    const verified = await verifyToken(
      link?.[1] ?? '',
      async (kid) => (kid === 'relay:relay-1' ? key : undefined),
      Math.floor(Date.parse(NOW) / 1000),
    );
    expect(verified).toMatchObject({
      ok: true,
      claims: { kind: 'pairing', sub: 'setup', role: 'kitchen', venueId: VENUE },
    });
    expect(verified.ok && verified.claims.exp - verified.claims.iat).toBe(600);
  });

  it('links to the LAN port over https by default, http with --plain-http', async () => {
    expect((await run(['--port', '9443'])).out).toMatch(/https:\/\/[^/]+:9443\/pair#code=/);
    expect((await run(['--plain-http'])).out).toMatch(/http:\/\/[^/]+:8788\/pair#code=/);
  });

  it('exits 2 before enrollment, and for a role that is not floor or kitchen', async () => {
    const unenrolled = await run([], false);
    expect(unenrolled.code).toBe(2);
    expect(unenrolled.err).toContain('no relay identity');
    expect(unenrolled.out).toBe('');
    const bar = await run(['--role', 'bar']);
    expect(bar.code).toBe(2);
    expect(bar.err).toContain('--role must be floor or kitchen');
  });
});
