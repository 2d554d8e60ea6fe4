import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { metricsRefusal } from './metrics-access.ts';

const TOKEN = 'scrape-token-0123456789';

/** A `/metrics` behind the guard, asked from `address` (Bun's requestIP), or in-process. */
function metrics(token: string | undefined) {
  const app = new Hono();
  app.get('/metrics', (c) => metricsRefusal(c, token) ?? c.text('hearth_up 1'));
  return (address: string | undefined, headers: Record<string, string> = {}) =>
    app.request(
      '/metrics',
      { headers },
      address === undefined
        ? undefined
        : { requestIP: () => ({ address, family: 'IPv4', port: 50_000 }) },
    );
}

describe('who may read /metrics', () => {
  it('this machine, unforwarded, needs no token', async () => {
    const ask = metrics(undefined);
    expect((await ask('127.0.0.1')).status).toBe(200);
    expect((await ask('::1')).status).toBe(200);
    expect((await ask('::ffff:127.0.0.1')).status).toBe(200);
    expect((await ask(undefined)).status).toBe(200);
  });

  it('refuses other machines, and whatever a proxy on this machine forwards, without the token', async () => {
    const ask = metrics(TOKEN);
    const remote = await ask('203.0.113.9');
    expect(remote.status).toBe(401);
    expect(await remote.json()).toMatchObject({ code: 'METRICS_TOKEN_REQUIRED', kind: 'stop' });
    expect((await ask('127.0.0.1', { 'X-Forwarded-For': '203.0.113.9' })).status).toBe(401);
    expect(
      (await ask('203.0.113.9', { Authorization: 'Bearer wrong-token-0123456789' })).status,
    ).toBe(401);
    expect((await ask('203.0.113.9', { Authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
  });

  it('lets the token through from anywhere; with no token set, only this machine', async () => {
    expect((await metrics(TOKEN)('203.0.113.9', { Authorization: `Bearer ${TOKEN}` })).status).toBe(
      200,
    );
    expect((await metrics(undefined)('203.0.113.9', { Authorization: 'Bearer ' })).status).toBe(
      401,
    );
  });
});
