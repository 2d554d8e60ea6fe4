import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pairWithCloud } from './support/cloud-client.ts';
import { runCloudToExit, startCloud, stopAllChildren } from './support/processes.ts';

describe('cloud process', () => {
  let dataDir = '';

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'hearth-e2e-cloud-'));
  });

  afterEach(async () => {
    await stopAllChildren();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves /healthz, answers 404 as problem+json and creates cloud.db', async () => {
    const cloud = await startCloud({ dataDir });

    const health = await fetch(`${cloud.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok',
      version: expect.any(String),
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });

    const missing = await fetch(`${cloud.url}/v1/no-such-route`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(await missing.json()).toMatchObject({ status: 404, kind: 'stop', code: 'NOT_FOUND' });

    expect(existsSync(join(dataDir, 'cloud.db'))).toBe(true);
    const lines = cloud
      .output()
      .stdout.split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'info', msg: 'cloud listening', port: cloud.port }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'demo venue seeded', venueId: 'demo-bistro' }),
    );
    expect(existsSync(join(dataDir, 'keys.json'))).toBe(true);

    await cloud.stop();
  });

  it('creates a missing data directory', async () => {
    const nested = join(dataDir, 'venue', 'state');
    const cloud = await startCloud({ dataDir: nested });
    expect(existsSync(join(nested, 'cloud.db'))).toBe(true);
    await cloud.stop();
  });

  it('comes back on the same data directory after SIGKILL', async () => {
    const first = await startCloud({ dataDir });
    await first.kill9();
    const second = await startCloud({ dataDir });
    const health = await fetch(`${second.url}/healthz`);
    expect(health.status).toBe(200);
    await second.stop();
  });

  it('exits with code 2 and names PORT when PORT is invalid', async () => {
    const result = await runCloudToExit({ dataDir, env: { PORT: 'abc' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('"abc"');
    expect(existsSync(join(dataDir, 'cloud.db'))).toBe(false);
  });
  describe('several instances', () => {
    /** A manager's sign-in at `url`, on a tablet paired there with the cloud's keys. */
    const signIn = async (url: string, keysFile: string) => {
      const device = await pairWithCloud(url, keysFile);
      const res = await fetch(`${url}/v1/auth/staff`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...device.header },
        body: JSON.stringify({ venueId: 'demo-bistro', pin: '3333' }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { token: string }).token;
    };
    const snapshotStatus = async (url: string, token: string) =>
      (
        await fetch(`${url}/v1/venues/demo-bistro/snapshot`, {
          headers: { Authorization: `Bearer ${token}` },
        })
      ).status;

    it('share one HEARTH_KEYS_FILE: a token one signs, the other accepts; without it, it refuses', async () => {
      // The first instance makes its own keys.json; the shared file is a copy of it.
      const first = await startCloud({ dataDir: join(dataDir, 'a') });
      const token = await signIn(first.url, first.keysFile);
      await first.stop();
      const keysFile = join(dataDir, 'a', 'keys.json');

      const a = await startCloud({
        dataDir: join(dataDir, 'a2'),
        env: { HEARTH_KEYS_FILE: keysFile },
      });
      const b = await startCloud({
        dataDir: join(dataDir, 'b'),
        env: { HEARTH_KEYS_FILE: keysFile },
      });
      const own = await startCloud({ dataDir: join(dataDir, 'c') });
      expect(await snapshotStatus(a.url, token)).toBe(200);
      expect(await snapshotStatus(b.url, token)).toBe(200);
      // PIN digests come from the shared key too: a sign-in at b works at a.
      expect(await snapshotStatus(a.url, await signIn(b.url, keysFile))).toBe(200);
      expect(await snapshotStatus(own.url, token)).toBe(401);
      expect(existsSync(join(dataDir, 'a2', 'keys.json'))).toBe(false);
      await Promise.all([a.stop(), b.stop(), own.stop()]);
    });

    it('never makes keys when HEARTH_KEYS_FILE names a missing file: exits 2 and says which', async () => {
      const missing = join(dataDir, 'no-such-keys.json');
      const result = await runCloudToExit({ dataDir, env: { HEARTH_KEYS_FILE: missing } });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`keys file ${missing} does not exist`);
      expect(existsSync(missing)).toBe(false);
      expect(existsSync(join(dataDir, 'keys.json'))).toBe(false);
    });
  });
});
