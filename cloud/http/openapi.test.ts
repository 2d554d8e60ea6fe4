import { describe, expect, it } from 'vitest';
import { OPERATION_TYPES } from '#protocol';
import { makeTestApp } from '../testing/test-app.ts';
import { ROUTES } from './openapi.ts';

describe('/openapi.json', () => {
  it('documents every route with schemas generated from protocol/', async () => {
    const { app } = await makeTestApp();
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>
      >;
    };
    expect(doc.openapi).toBe('3.0.3');
    for (const route of ROUTES)
      expect(doc.paths[route.path]?.[route.method], `${route.method} ${route.path}`).toBeDefined();
    const ops = doc.paths['/v1/venues/{venueId}/ops']?.post;
    for (const type of OPERATION_TYPES) expect(JSON.stringify(ops?.requestBody)).toContain(type);
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
