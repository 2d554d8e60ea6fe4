import { describe, expect, it } from 'vitest';
import { Problem } from '#protocol';
import { makeTestApp } from './testing/test-app.ts';

describe('createApp', () => {
  it('answers /healthz with status, version and the injected time, and a request id', async () => {
    const { app } = await makeTestApp();
    const res = await app.request('/healthz', { headers: { 'X-Request-Id': 'req-42' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-42');
    expect(await res.json()).toEqual({
      status: 'ok',
      version: 'test',
      time: '2026-11-23T19:30:00.000Z',
    });
  });

  it('answers unknown routes with a stop problem', async () => {
    const { app } = await makeTestApp();
    const res = await app.request('/nope', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(Problem.parse(await res.json())).toMatchObject({
      status: 404,
      kind: 'stop',
      code: 'NOT_FOUND',
      detail: 'No route for POST /nope',
    });
  });

  it('answers thrown errors with a back_off problem that leaks nothing, and logs them', async () => {
    const { app, logLines } = await makeTestApp();
    app.get('/boom', () => {
      throw new Error('secret: database password is hunter2');
    });
    const res = await app.request('/boom');
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(Problem.parse(JSON.parse(text))).toMatchObject({
      status: 500,
      kind: 'back_off',
      code: 'INTERNAL',
    });
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('    at ');
    expect(
      logLines.some((l) => l.level === 'error' && String(l.fields.error).includes('hunter2')),
    ).toBe(true);
  });

  it('logs one line per request without headers', async () => {
    const { app, logLines, as } = await makeTestApp();
    await app.request('/healthz', { headers: as.manager });
    const line = logLines.find((l) => l.msg === 'request');
    expect(line?.fields).toMatchObject({ method: 'GET', path: '/healthz', status: 200 });
    expect(JSON.stringify(logLines)).not.toContain('Bearer');
  });
});
