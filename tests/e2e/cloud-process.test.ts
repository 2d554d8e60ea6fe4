import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
});
