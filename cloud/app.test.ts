import { describe, expect, it } from 'vitest';
import { Problem } from '#protocol';
import { createApp } from './app.ts';

const fixedClock = () => new Date('2026-11-22T18:30:00.000Z');

describe('createApp', () => {
  it('answers /healthz with status, version and the injected time', async () => {
    const app = createApp({ clock: fixedClock, version: '1.2.3' });
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      status: 'ok',
      version: '1.2.3',
      time: '2026-11-22T18:30:00.000Z',
    });
  });

  it('answers unknown routes with a stop problem', async () => {
    const app = createApp({ clock: fixedClock, version: '1.2.3' });
    const res = await app.request('/nope', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = Problem.parse(await res.json());
    expect(body).toEqual({
      type: expect.stringContaining('not-found'),
      title: 'Not Found',
      status: 404,
      kind: 'stop',
      code: 'NOT_FOUND',
      detail: 'No route for POST /nope',
    });
  });

  it('answers thrown errors with a back_off problem that leaks nothing', async () => {
    const reported: unknown[] = [];
    const app = createApp({
      clock: fixedClock,
      version: '1.2.3',
      reportError: (error) => reported.push(error),
    });
    app.get('/boom', () => {
      throw new Error('secret: database password is hunter2');
    });

    const res = await app.request('/boom');
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = Problem.parse(JSON.parse(text));
    expect(body).toMatchObject({ status: 500, kind: 'back_off', code: 'INTERNAL' });
    expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'kind', 'status', 'title', 'type']);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('    at ');
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(Error);
  });
});
