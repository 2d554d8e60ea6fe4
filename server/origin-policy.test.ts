import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { requireAllowedOrigin } from './live/live-upgrade.ts';
import { crossOrigin, originAllowed, ownOrigin, parseOrigin } from './origin-policy.ts';
import { problemResponse } from './problem-response.ts';

const CLOUD = 'https://hearth.example';
const OTHER = 'https://evil.example';

const request = (url: string, headers: Record<string, string> = {}) =>
  new Request(url, { headers });

describe('parseOrigin', () => {
  it.each([
    ['https://Hearth.Example', 'https://hearth.example'],
    ['https://hearth.example:443/', 'https://hearth.example'],
    ['http://192.168.1.10:8788', 'http://192.168.1.10:8788'],
  ])('reads %s as %s', (text, origin) => {
    expect(parseOrigin(text)).toBe(origin);
  });

  it.each([
    'null',
    '*',
    'hearth.example',
    'ftp://hearth.example',
    'https://hearth.example/guest',
    'https://hearth.example/?a=1',
    'https://user@hearth.example',
  ])('refuses %s', (text) => {
    expect(parseOrigin(text)).toBeUndefined();
  });
});

describe('ownOrigin', () => {
  it('is the Host with the scheme the request came over', () => {
    expect(ownOrigin(request('http://10.0.0.5:8788/x', { host: 'relay.local:8788' }))).toBe(
      'http://relay.local:8788',
    );
    expect(ownOrigin(request('https://10.0.0.5/x'))).toBe('https://10.0.0.5');
  });

  it('takes the scheme from X-Forwarded-Proto behind a proxy that ends TLS', () => {
    const behind = request('http://hearth.example/x', {
      host: 'hearth.example',
      'x-forwarded-proto': 'https',
    });
    expect(ownOrigin(behind)).toBe('https://hearth.example');
  });

  it('is nothing for a Host that is not a plain host', () => {
    expect(ownOrigin(request('http://a/x', { host: 'evil.example/x' }))).toBeUndefined();
  });
});

describe('originAllowed (websocket upgrades)', () => {
  const at = (origin: string | undefined) =>
    request('http://relay.local:8788/v1/venues/v/live', {
      host: 'relay.local:8788',
      ...(origin === undefined ? {} : { origin }),
    });

  it('allows no Origin (not a browser), the own origin and the allowed ones', () => {
    expect(originAllowed(at(undefined), [])).toBe(true);
    expect(originAllowed(at('http://relay.local:8788'), [])).toBe(true);
    expect(originAllowed(at(CLOUD), [CLOUD])).toBe(true);
  });

  it('refuses another origin, the own host over another scheme or port, and null', () => {
    expect(originAllowed(at(OTHER), [CLOUD])).toBe(false);
    expect(originAllowed(at(CLOUD), [])).toBe(false);
    expect(originAllowed(at('https://relay.local:8788'), [CLOUD])).toBe(false);
    expect(originAllowed(at('http://relay.local:8789'), [CLOUD])).toBe(false);
    expect(originAllowed(at('null'), [CLOUD])).toBe(false);
  });
});

describe('requireAllowedOrigin', () => {
  const app = new Hono();
  app.get('/live', requireAllowedOrigin([CLOUD], problemResponse), (c) => c.text('upgraded'));

  it('answers a foreign page 403 ORIGIN_NOT_ALLOWED (stop) before the handler runs', async () => {
    const res = await app.request('http://relay.local/live', { headers: { origin: OTHER } });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED', kind: 'stop' });
  });

  it.each([
    ['no Origin', {}],
    ['the own origin', { origin: 'http://relay.local' }],
    ['an allowed origin', { origin: CLOUD }],
  ])('lets %s through', async (_, headers) => {
    const res = await app.request('http://relay.local/live', { headers });
    expect(await res.text()).toBe('upgraded');
  });
});

describe('crossOrigin', () => {
  function appWith(allowed: readonly string[]) {
    const app = new Hono();
    app.use('*', crossOrigin(allowed));
    app.get('/v1/things', (c) => {
      c.header('Retry-After', '3');
      return c.json({ ok: true });
    });
    app.notFound(() => problemResponse(404, 'NOT_FOUND', 'Not Found', { kind: 'stop' }));
    return app;
  }
  const preflight = (origin: string, pna = false) => ({
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type,idempotency-key',
      ...(pna ? { 'access-control-request-private-network': 'true' } : {}),
    },
  });
  const corsHeaders = (res: Response) =>
    [...res.headers.keys()].filter((k) => k.startsWith('access-control-'));

  it('answers the allowed origin’s request with its origin and the headers it may read', async () => {
    const res = await appWith([CLOUD]).request('/v1/things', { headers: { origin: CLOUD } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(CLOUD);
    expect(res.headers.get('access-control-expose-headers')).toBe(
      'Retry-After,Idempotent-Replayed,X-Request-Id',
    );
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('answers the allowed origin’s preflight: methods, the API’s headers, no PNA unasked', async () => {
    const res = await appWith([CLOUD]).request('/v1/things', preflight(CLOUD));
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(CLOUD);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe(
      'Authorization,Content-Type,Idempotency-Key,X-Request-Id',
    );
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('access-control-allow-private-network')).toBeNull();
  });

  it('allows Private Network Access to the allowed origin’s preflight that asks for it', async () => {
    const res = await appWith([CLOUD]).request('/v1/things', preflight(CLOUD, true));
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(CLOUD);
    expect(res.headers.get('access-control-allow-private-network')).toBe('true');
  });

  it('gives another origin no CORS header at all, its preflight (PNA too) the 404', async () => {
    const app = appWith([CLOUD]);
    const get = await app.request('/v1/things', { headers: { origin: OTHER } });
    expect(get.status).toBe(200);
    expect(corsHeaders(get)).toEqual([]);
    const pre = await app.request('/v1/things', preflight(OTHER, true));
    expect(pre.status).toBe(404);
    expect(corsHeaders(pre)).toEqual([]);
  });

  it('gives a request without Origin no CORS header', async () => {
    const res = await appWith([CLOUD]).request('/v1/things');
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual([]);
  });

  it('answers no origin at all when none is allowed (never `*`)', async () => {
    const app = appWith([]);
    const res = await app.request('/v1/things', preflight(CLOUD, true));
    expect(res.status).toBe(404);
    expect(corsHeaders(res)).toEqual([]);
  });

  it('puts the CORS headers on a problem answer too (the caller reads its status)', async () => {
    const res = await appWith([CLOUD]).request('/v1/missing', { headers: { origin: CLOUD } });
    expect(res.status).toBe(404);
    expect(res.headers.get('access-control-allow-origin')).toBe(CLOUD);
  });
});
