import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Problem } from '#protocol';
import { makeTestApp } from './testing/test-app.ts';

// The cloud serves the built PWA to guests on its own origin. The serving rules are tested in
// server/static-web.test.ts; here, that the cloud's routes and 404s stay what they were.

describe('the cloud app with a web dir', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-cloud-web-'));
    await mkdir(join(dir, 'guest'), { recursive: true });
    await mkdir(join(dir, 'assets'), { recursive: true });
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Hearth</title>');
    await writeFile(join(dir, 'guest/index.html'), '<!doctype html><title>Hearth guest</title>');
    await writeFile(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
    await writeFile(join(dir, 'assets/guest-Btldn4ef.js'), 'console.log("guest");');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the guest page, the worker and hashed assets from the cloud’s origin', async () => {
    const { app } = await makeTestApp({ webDir: dir });
    const page = await app.request('/guest/?venue=demo-bistro&table=5');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Hearth guest</title>');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const worker = await app.request('/sw.js');
    expect(worker.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(worker.headers.get('cache-control')).toBe('no-cache');
    const again = await app.request('/sw.js', {
      headers: { 'If-None-Match': worker.headers.get('etag') ?? '' },
    });
    expect(again.status).toBe(304);
    const asset = await app.request('/assets/guest-Btldn4ef.js');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('keeps its own answers for its own paths', async () => {
    const { app } = await makeTestApp({ webDir: dir });
    expect((await app.request('/healthz')).headers.get('content-type')).toMatch(/json/);
    expect((await app.request('/openapi.json')).headers.get('content-type')).toMatch(/json/);
    const signIn = await app.request('/v1/auth/guest', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ venueId: 'demo-bistro', table: '5' }),
    });
    expect(signIn.status).toBe(200);
  });

  it('answers unknown API paths and missing files with a problem, never the app shell', async () => {
    const { app } = await makeTestApp({ webDir: dir });
    for (const path of ['/v1/nothing/here', '/v1', '/assets/missing-Abcdefgh.js', '/sw.js.map']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toBe('application/problem+json');
      expect(Problem.parse(await res.json()), path).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('reaches a /v1 route added after it is built (the live socket is)', async () => {
    const { app } = await makeTestApp({ webDir: dir });
    app.get('/v1/venues/:venueId/live', (c) => c.text(`live ${c.req.param('venueId')}`));
    expect(await (await app.request('/v1/venues/demo-bistro/live')).text()).toBe(
      'live demo-bistro',
    );
  });

  it('serves no files without a web dir', async () => {
    const { app } = await makeTestApp();
    const res = await app.request('/guest/');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});
