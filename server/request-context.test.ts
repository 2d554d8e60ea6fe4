import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { headerLimit, MAX_HEADER_BYTES } from './header-limit.ts';
import { memoryLogger } from './logger.ts';
import { ServerMetrics } from './metrics.ts';
import { problemResponse } from './problem-response.ts';
import { type RequestContextEnv, requestContext } from './request-context.ts';

/** A server as the cloud and the relay mount the request context: first, then the routes. */
function app() {
  const { log, lines } = memoryLogger();
  const metrics = new ServerMetrics();
  const a = new Hono<RequestContextEnv>();
  a.use('*', requestContext(log, metrics));
  a.use('*', headerLimit());
  a.get('/v1/venues/:venueId/things', (c) => c.json({ id: c.get('requestId') }));
  a.post('/v1/venues/:venueId/things', () => problemResponse(409, 'BUSY', 'Busy'));
  a.notFound(() => problemResponse(404, 'NOT_FOUND', 'Not Found'));
  return { app: a, lines, metrics };
}

describe('requestContext', () => {
  it('keeps a well-formed caller X-Request-Id and echoes it, on answers a handler made itself too', async () => {
    const t = app();
    const got = await t.app.request('/v1/venues/v1/things', {
      headers: { 'X-Request-Id': 'req-42' },
    });
    expect(got.headers.get('x-request-id')).toBe('req-42');
    expect(await got.json()).toEqual({ id: 'req-42' });
    const made = await t.app.request('/v1/venues/v1/things', {
      method: 'POST',
      headers: { 'X-Request-Id': 'req-43' },
    });
    expect(made.status).toBe(409);
    expect(made.headers.get('x-request-id')).toBe('req-43');
  });

  it.each([
    ['a space', 'req 42'],
    ['a quote', 'req"42'],
    ['too long', 'r'.repeat(65)],
  ])('gives a fresh id for a caller id with %s', async (_, given) => {
    const res = await app().app.request('/v1/venues/v1/things', {
      headers: { 'X-Request-Id': given },
    });
    const id = res.headers.get('x-request-id');
    expect(id).not.toBe(given);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs one line per request: method, route, path, status, ms; no headers, no query', async () => {
    const t = app();
    await t.app.request('/v1/venues/v1/things?cursor=secret-cursor', {
      headers: { Authorization: 'Bearer secret-token', 'X-Request-Id': 'req-1' },
    });
    expect(t.lines).toHaveLength(1);
    expect(t.lines[0]).toMatchObject({
      level: 'info',
      msg: 'request',
      fields: {
        requestId: 'req-1',
        method: 'GET',
        route: '/v1/venues/:venueId/things',
        path: '/v1/venues/v1/things',
        status: 200,
      },
    });
    expect(typeof t.lines[0]?.fields.ms).toBe('number');
    const text = JSON.stringify(t.lines);
    expect(text).not.toContain('secret-token');
    expect(text).not.toContain('secret-cursor');
  });

  it('counts each request under its route pattern; not-found under /*', async () => {
    const t = app();
    await t.app.request('/v1/venues/v1/things');
    await t.app.request('/v1/venues/v2/things');
    await t.app.request('/nowhere');
    const text = await t.metrics.render();
    expect(text).toContain(
      'hearth_http_requests_total{method="GET",route="/v1/venues/:venueId/things",status="200"} 2',
    );
    expect(text).toContain('hearth_http_requests_total{method="GET",route="/*",status="404"} 1');
    expect(text).not.toContain('v2');
  });
});

describe('headerLimit', () => {
  it('answers headers past the limit with 431 problem+json, counted and logged', async () => {
    const t = app();
    const res = await t.app.request('/v1/venues/v1/things', {
      headers: { Authorization: `Bearer ${'x'.repeat(MAX_HEADER_BYTES)}` },
    });
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'HEADERS_TOO_LARGE', kind: 'fix_request' });
    expect(t.lines[0]?.fields).toMatchObject({ status: 431 });
  });

  it('lets headers up to the limit through', async () => {
    const res = await app().app.request('/v1/venues/v1/things', {
      headers: { Authorization: `Bearer ${'x'.repeat(MAX_HEADER_BYTES - 200)}` },
    });
    expect(res.status).toBe(200);
  });
});
