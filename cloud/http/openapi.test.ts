import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { OPERATION_TYPES } from '#protocol';
import { CheckpointBody } from '../feed/feed-routes.ts';
import { createLiveRoute } from '../feed/live-socket.ts';
import { makeTestApp } from '../testing/test-app.ts';
import { jsonRequest } from './openapi.ts';

interface Operation {
  tags?: string[];
  security?: unknown[];
  parameters?: { $ref?: string; name?: string; in?: string }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}

interface Document {
  openapi: string;
  tags: { name: string }[];
  components: { securitySchemes: Record<string, unknown>; parameters: Record<string, unknown> };
  paths: Record<string, Record<string, Operation>>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** The cloud as main.ts assembles it (the PWA and the live socket too) and the document it serves. */
async function servedApp() {
  const t = await makeTestApp({ webDir: mkdtempSync(join(tmpdir(), 'hearth-web-')) });
  createLiveRoute(t.deps).route(t.app);
  const res = await t.app.request('/openapi.json');
  expect(res.status).toBe(200);
  return { ...t, doc: (await res.json()) as Document };
}

/** `METHOD /path/:param` of every operation in the document. */
function documented(doc: Document): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((method) => METHODS.includes(method))
      .map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
  );
}

describe('/openapi.json', () => {
  it('documents every route the app serves, and serves every route it documents', async () => {
    const { app, doc } = await servedApp();
    expect(doc.openapi).toMatch(/^3\.[01]\.\d+$/);
    // Middleware (`use`) is registered as ALL; the PWA's files are the `*` fallback.
    const served = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL' && r.path !== '*' && r.path !== '/*')
        .map((r) => `${r.method} ${r.path}`),
    );
    const inDocument = new Set(documented(doc));
    expect(
      [...served].filter((r) => !inDocument.has(r)),
      'served, not documented',
    ).toEqual([]);
    expect(
      [...inDocument].filter((r) => !served.has(r)),
      'documented, not served',
    ).toEqual([]);
    expect(served).toContain('GET /v1/venues/:venueId/live');
  });

  it('marks bearer routes, tags every operation and names the Idempotency-Key header', async () => {
    const { doc } = await servedApp();
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const tags = new Set(doc.tags.map((t) => t.name));
    const open = [
      'POST /v1/auth/staff',
      'POST /v1/auth/guest',
      'POST /v1/auth/logout',
      // A device redeems its pairing code before anyone can sign in on it.
      'POST /v1/devices/pair',
      // The processor signs its events (Hearth-Processor-Signature); it holds no token.
      'POST /v1/payments/processor-events',
    ];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        expect(op.tags?.length, name).toBe(1);
        expect(tags.has(op.tags?.[0] ?? ''), name).toBe(true);
        const bearer =
          path.startsWith('/v1/') && !open.includes(name) && path !== '/v1/edge/enroll';
        expect(op.security, name).toEqual(bearer ? [{ bearer: [] }] : undefined);
        // Every error is problem+json.
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) >= 400)
            expect(Object.keys(response.content ?? {}), `${name} ${status}`).toEqual([
              'application/problem+json',
            ]);
        }
        if (op.requestBody) expect(Object.keys(op.responses), name).toContain('400');
      }
    }
    const direct = doc.paths['/v1/venues/{venueId}/ops']?.post;
    expect(direct?.parameters).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
    expect(doc.components.parameters.IdempotencyKey).toMatchObject({
      name: 'Idempotency-Key',
      in: 'header',
    });
  });

  it('shows the schemas the routes validate with', async () => {
    const { doc } = await servedApp();
    const body = (path: string, method: string) =>
      doc.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;

    const direct = JSON.stringify(body('/v1/venues/{venueId}/ops', 'post'));
    const batch = JSON.stringify(body('/v1/venues/{venueId}/ops/batch', 'post'));
    for (const type of OPERATION_TYPES) {
      expect(direct).toContain(`"${type}"`);
      expect(batch).toContain(`"${type}"`);
    }

    // The checkpoint route's own schema, put through the same generator on its own.
    const alone = new OpenAPIHono();
    alone.openapi(
      createRoute({
        method: 'put',
        path: '/checkpoint',
        request: { body: jsonRequest(CheckpointBody) },
        responses: { 204: { description: 'recorded' } },
      }),
      (c) => c.body(null, 204),
    );
    const expected = alone.getOpenAPIDocument({
      openapi: '3.0.3',
      info: { title: '', version: '' },
    }).paths['/checkpoint']?.put?.requestBody;
    const checkpoint = doc.paths['/v1/venues/{venueId}/checkpoints/{deviceId}']?.put;
    expect(checkpoint?.requestBody).toEqual(expected);
    expect(checkpoint?.parameters?.map((p) => `${p.in} ${p.name}`)).toEqual([
      'path venueId',
      'path deviceId',
    ]);

    const feed = doc.paths['/v1/venues/{venueId}/feed']?.get?.parameters ?? [];
    expect(feed.filter((p) => p.in === 'query').map((p) => p.name)).toEqual([
      'cursor',
      'scopes',
      'limit',
      'wait',
    ]);
  });

  it('serves Prometheus metrics that count requests and ops', async () => {
    const { app } = await makeTestApp();
    await app.request('/healthz');
    const text = await (await app.request('/metrics')).text();
    expect(text).toContain('# TYPE hearth_http_requests_total counter');
    expect(text).toMatch(
      /hearth_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/,
    );
  });
});
