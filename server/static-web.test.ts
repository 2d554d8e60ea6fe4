import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveWeb } from './static-web.ts';

const NOT_FOUND = 'the app’s own not-found answer';

/** A server as the cloud and the relay mount it: API first, files, a route added later. */
function appServing(root: string): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('*', serveWeb(root));
  app.get('/v1/venues/:venueId/live', (c) => c.text(`live ${c.req.param('venueId')}`));
  app.notFound(() => new Response(NOT_FOUND, { status: 404 }));
  return app;
}

describe('serveWeb', () => {
  let dir: string;
  let root: string;
  let app: Hono;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-static-web-'));
    root = join(dir, 'dist');
    for (const sub of ['assets', 'ops', 'guest', 'icons'])
      await mkdir(join(root, sub), { recursive: true });
    const files: Record<string, string> = {
      'index.html': '<!doctype html><title>Hearth</title>',
      'ops/index.html': '<!doctype html><title>Hearth ops</title>',
      'guest/index.html': '<!doctype html><title>Hearth guest</title>',
      'sw.js': 'self.addEventListener("fetch", () => {});',
      'assets/guest-Btldn4ef.js': 'console.log("guest");',
      'assets/boot-DX8-Awb4.css': 'body { margin: 0 }',
      'assets/unhashed.js': 'console.log("no hash");',
      'manifest.webmanifest': '{"name":"Hearth"}',
      'kitchen.webmanifest': '{"name":"Hearth kitchen"}',
      'icons/icon-192.png': '\x89PNG',
      'icon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
      'version.json': '{"v":1}',
      'assets/menu-Q1w2e3r4.js': `export const menu = ${JSON.stringify('dish '.repeat(600))};`,
      'icons/big.png': '\x89PNG'.repeat(400),
    };
    for (const [name, text] of Object.entries(files)) await writeFile(join(root, name), text);
    await writeFile(join(dir, 'secret.txt'), 'do not serve');
    await symlink(dir, join(root, 'escape'));
    app = appServing(root);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves each file with its content type and caching policy', async () => {
    const immutable = 'public, max-age=31536000, immutable';
    const expected: [string, string, string][] = [
      ['/', 'text/html; charset=utf-8', 'no-cache'],
      ['/index.html', 'text/html; charset=utf-8', 'no-cache'],
      ['/sw.js', 'text/javascript; charset=utf-8', 'no-cache'],
      ['/manifest.webmanifest', 'application/manifest+json', 'no-cache'],
      ['/kitchen.webmanifest', 'application/manifest+json', 'no-cache'],
      ['/assets/guest-Btldn4ef.js', 'text/javascript; charset=utf-8', immutable],
      ['/assets/boot-DX8-Awb4.css', 'text/css; charset=utf-8', immutable],
      ['/assets/unhashed.js', 'text/javascript; charset=utf-8', 'no-cache'],
      ['/icons/icon-192.png', 'image/png', 'no-cache'],
      ['/icon.svg', 'image/svg+xml; charset=utf-8', 'no-cache'],
      ['/version.json', 'application/json', 'no-cache'],
    ];
    for (const [path, type, cache] of expected) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      expect(res.headers.get('cache-control'), path).toBe(cache);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      // Hono's etag: the SHA-1 of the body, in hex.
      expect(res.headers.get('etag'), path).toMatch(/^"[0-9a-f]{40}"$/);
    }
    expect(await (await app.request('/assets/guest-Btldn4ef.js')).text()).toBe(
      'console.log("guest");',
    );
  });

  it('gzips text over 1 KB for a client that takes it, under the weak form of its ETag', async () => {
    const path = '/assets/menu-Q1w2e3r4.js';
    const plain = await app.request(path);
    const raw = await plain.text();
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('vary')).toBe('Accept-Encoding');
    const zipped = await app.request(path, { headers: { 'Accept-Encoding': 'br, gzip' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toBe('Accept-Encoding');
    expect(zipped.headers.get('etag')).toBe(`W/${plain.headers.get('etag')}`);
    const body = new Uint8Array(await zipped.arrayBuffer());
    expect(body.length).toBeLessThan(raw.length / 4);
    expect(gunzipSync(body).toString()).toBe(raw);
    const again = await app.request(path, {
      headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': zipped.headers.get('etag') ?? '' },
    });
    expect(again.status).toBe(304);
    // Refused gzip, small text and images go as they are.
    for (const [file, encoding] of [
      [path, 'gzip;q=0'],
      ['/sw.js', 'gzip'],
      ['/icons/big.png', 'gzip'],
    ] as const) {
      const res = await app.request(file, { headers: { 'Accept-Encoding': encoding } });
      expect(res.headers.get('content-encoding'), file).toBeNull();
    }
  });

  it('answers 304 to a matching If-None-Match, with the same ETag and policy', async () => {
    const first = await app.request('/sw.js');
    const etag = first.headers.get('etag') ?? '';
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await app.request('/sw.js', { headers: { 'If-None-Match': ifNoneMatch } });
      expect(again.status, ifNoneMatch).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect(again.headers.get('cache-control')).toBe('no-cache');
      expect(again.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await again.text()).toBe('');
    }
    const stale = await app.request('/sw.js', { headers: { 'If-None-Match': '"other"' } });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toContain('addEventListener');
  });

  it('changes the ETag when the file changes', async () => {
    const before = (await app.request('/version.json')).headers.get('etag');
    await writeFile(join(root, 'version.json'), '{"v":2}');
    const after = await app.request('/version.json', {
      headers: { 'If-None-Match': before ?? '' },
    });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(before);
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await app.request('/assets/guest-Btldn4ef.js', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await res.text()).toBe('');
  });

  it('serves each page of the multi-page app from its own index.html', async () => {
    for (const [path, title] of [
      ['/ops/', 'Hearth ops'],
      ['/ops', 'Hearth ops'],
      ['/guest/?venue=demo-bistro&table=5', 'Hearth guest'],
    ] as const) {
      const page = await app.request(path);
      expect(page.headers.get('cache-control'), path).toBe('no-cache');
      expect(await page.text(), path).toContain(`<title>${title}</title>`);
    }
  });

  it('falls back to the root index.html for app routes, not for missing files', async () => {
    const route = await app.request('/kitchen/grill');
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>Hearth</title>');
    expect(route.headers.get('cache-control')).toBe('no-cache');
    for (const path of ['/assets/missing-Abcdefgh.js', '/missing.webmanifest', '/ops/app.js']) {
      const missing = await app.request(path, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(missing.status, path).toBe(404);
      // The app's answer as it made it: not gzipped, no ETag or file headers added.
      expect(missing.headers.get('content-encoding'), path).toBeNull();
      expect(missing.headers.get('etag'), path).toBeNull();
      expect(await missing.text(), path).toBe(NOT_FOUND);
    }
  });

  it('never answers an API path with a file or the app shell', async () => {
    for (const path of ['/v1', '/v1/', '/v1/nothing/here', '/v1/index.html', '/metrics']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).toBe(NOT_FOUND);
    }
    // Routes the server adds after the files are still reached.
    expect(await (await app.request('/v1/venues/demo-bistro/live')).text()).toBe(
      'live demo-bistro',
    );
    expect(await (await app.request('/healthz')).json()).toEqual({ status: 'ok' });
  });

  it('never serves outside its root', async () => {
    for (const path of [
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets%5c..%5c..%5csecret.txt',
      '/escape/secret.txt',
      '/%00index.html',
      '/%E0%A4%A',
    ]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).toBe(NOT_FOUND);
    }
    // URL normalisation keeps plain dot segments inside the root: the app shell, not the file.
    const dotted = await app.request('/../secret.txt');
    expect(await dotted.text()).not.toContain('do not serve');
  });

  it('serves nothing from a root that does not exist', async () => {
    const res = await appServing(join(dir, 'no-such-dist')).request('/');
    expect(res.status).toBe(404);
    expect(await res.text()).toBe(NOT_FOUND);
  });
});
