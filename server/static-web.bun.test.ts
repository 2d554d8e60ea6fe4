import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { serveWeb } from './static-web.ts';

// The same middleware under Bun.serve, as the cloud and the relay run it: the Node unit tests
// (static-web.test.ts) hold the rules; here, what Bun's server puts on the wire.

describe('serveWeb under Bun.serve', () => {
  let dir: string;
  let server: ReturnType<typeof Bun.serve>;
  const big = `export const menu = ${JSON.stringify('dish '.repeat(600))};`;
  const small = 'self.addEventListener("fetch", () => {});';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-static-web-bun-'));
    await mkdir(join(dir, 'assets'), { recursive: true });
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Hearth</title>');
    await writeFile(join(dir, 'sw.js'), small);
    await writeFile(join(dir, 'assets/menu-Q1w2e3r4.js'), big);
    const app = new Hono();
    app.get('*', serveWeb(dir));
    server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: app.fetch });
  });

  afterAll(async () => {
    await server.stop(true);
    await rm(dir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(new URL(path, server.url), { method, headers, decompress: false });

  it('sends text over 1 KB gzipped, and a small file whole with its length', async () => {
    const zipped = await get('/assets/menu-Q1w2e3r4.js', { 'Accept-Encoding': 'gzip' });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toBe('Accept-Encoding');
    expect(zipped.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(gunzipSync(new Uint8Array(await zipped.arrayBuffer())).toString()).toBe(big);

    const plain = await get('/sw.js', { 'Accept-Encoding': 'gzip' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('content-length')).toBe(String(small.length));
    expect(await plain.text()).toBe(small);
  });

  it('answers a matching If-None-Match with 304 and HEAD with no body', async () => {
    const first = await get('/sw.js');
    const again = await get('/sw.js', { 'If-None-Match': first.headers.get('etag') ?? '' });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const head = await get('/', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await head.text()).toBe('');
  });
});
