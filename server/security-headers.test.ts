import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headerLimit, MAX_HEADER_BYTES } from './header-limit.ts';
import { problemResponse } from './problem-response.ts';
import { STRICT_TRANSPORT_SECURITY, securityHeaders } from './security-headers.ts';
import { serveWeb } from './static-web.ts';

/** The policy, directive by directive: `{ 'script-src': ["'self'"], … }`. */
function directives(policy: string | null): Record<string, string[]> {
  const parsed: Record<string, string[]> = {};
  for (const part of (policy ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) parsed[name] = sources;
  }
  return parsed;
}

/** A server shaped as the cloud and the relay compose theirs, the headers mounted first. */
function appServing(root: string, options?: Parameters<typeof securityHeaders>[0]): Hono {
  const app = new Hono();
  app.use('*', securityHeaders(options));
  app.use('*', headerLimit());
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/v1/venues/:venueId/snapshot', () =>
    problemResponse(401, 'UNAUTHENTICATED', 'Sign in', { kind: 'sign_in' }),
  );
  app.get('/v1/boom', () => {
    throw new Error('boom');
  });
  app.get('*', serveWeb(root));
  app.notFound((c) =>
    problemResponse(404, 'NOT_FOUND', 'Not Found', { kind: 'stop', detail: c.req.path }),
  );
  app.onError(() =>
    problemResponse(500, 'INTERNAL', 'Internal Server Error', { kind: 'back_off' }),
  );
  return app;
}

describe('securityHeaders', () => {
  let dir: string;
  let app: Hono;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-security-headers-'));
    await mkdir(join(dir, 'ops'), { recursive: true });
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Hearth</title>');
    await writeFile(join(dir, 'ops/index.html'), '<!doctype html><title>Hearth ops</title>');
    await writeFile(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
    app = appServing(dir);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const answers: [string, string, RequestInit | undefined, number, string][] = [
    ['a page', '/ops/', undefined, 200, 'text/html'],
    ['the service worker', '/sw.js', undefined, 200, 'javascript'],
    ['an API JSON answer', '/healthz', undefined, 200, 'application/json'],
    ['a problem answer', '/v1/venues/v/snapshot', undefined, 401, 'application/problem+json'],
    ['a 404', '/v1/nothing-here', undefined, 404, 'application/problem+json'],
    ['a handler that threw', '/v1/boom', undefined, 500, 'application/problem+json'],
    [
      'a middleware’s own answer (431)',
      '/healthz',
      { headers: { 'X-Big': 'x'.repeat(MAX_HEADER_BYTES + 1) } },
      431,
      'application/problem+json',
    ],
  ];

  it.each(answers)('puts the headers on %s', async (_, path, init, status, type) => {
    const res = await app.request(path, init);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain(type);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('strict-transport-security')).toBeNull();
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp).toMatchObject({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'worker-src': ["'self'"],
      'style-src': ["'self'"],
      'connect-src': ["'self'"],
      'frame-ancestors': ["'none'"],
      'base-uri': ["'none'"],
      'object-src': ["'none'"],
      'form-action': ["'self'"],
    });
    // Nothing inline or eval'd may run; style attributes are the only inline allowance.
    for (const [name, sources] of Object.entries(csp)) {
      expect(sources, name).not.toContain("'unsafe-eval'");
      if (name !== 'style-src-attr') expect(sources, name).not.toContain("'unsafe-inline'");
    }
  });

  it('keeps the service worker and pages revalidated (no-cache), and 304s keep the headers', async () => {
    const sw = await app.request('/sw.js');
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    const again = await app.request('/sw.js', {
      headers: { 'If-None-Match': sw.headers.get('etag') ?? '' },
    });
    expect(again.status).toBe(304);
    expect(again.headers.get('content-security-policy')).toBe(
      sw.headers.get('content-security-policy'),
    );
    expect(again.headers.get('x-frame-options')).toBe('DENY');
    expect((await app.request('/ops/')).headers.get('cache-control')).toBe('no-cache');
  });

  it('sends Strict-Transport-Security on answers to HTTPS requests only', async () => {
    for (const path of ['/ops/', '/healthz', '/v1/nothing-here']) {
      const https = await app.request(`https://relay.local${path}`);
      expect(https.headers.get('strict-transport-security'), path).toBe(STRICT_TRANSPORT_SECURITY);
      expect(https.headers.get('content-security-policy'), path).not.toBeNull();
      const http = await app.request(`http://relay.local${path}`);
      expect(http.headers.get('strict-transport-security'), path).toBeNull();
    }
  });

  it('never takes X-Forwarded-Proto for HTTPS; alwaysHttps says so for a server behind TLS', async () => {
    const forwarded = await app.request('http://cloud.local/healthz', {
      headers: { 'X-Forwarded-Proto': 'https' },
    });
    expect(forwarded.headers.get('strict-transport-security')).toBeNull();
    const behindTls = appServing(dir, { alwaysHttps: true });
    const res = await behindTls.request('http://cloud.local/healthz');
    expect(res.headers.get('strict-transport-security')).toBe(STRICT_TRANSPORT_SECURITY);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});
