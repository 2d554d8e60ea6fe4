import { createRoute } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { headerLimit } from '../server/header-limit.ts';
import { metricsRefusal } from '../server/metrics-access.ts';
import { crossOrigin } from '../server/origin-policy.ts';
import { problemResponse } from '../server/problem-response.ts';
import { requestContext } from '../server/request-context.ts';
import { securityHeaders } from '../server/security-headers.ts';
import { serveWeb } from '../server/static-web.ts';
import type { AppDeps } from './app-deps.ts';
import { registerAuthRoutes } from './auth/auth-routes.ts';
import { registerDeviceRoutes } from './devices/device-routes.ts';
import { registerEdgeRoutes } from './edge/edge-routes.ts';
import { registerFeedRoutes } from './feed/feed-routes.ts';
import {
  type ApiApp,
  createApiApp,
  jsonResponse,
  problemForHttpException,
  problems,
  route,
  serveOpenApiDocument,
} from './http/openapi.ts';
import { requestLog } from './http/request-context.ts';
import { opWriterFor, registerOpsRoutes } from './ops/ops-routes.ts';
import { registerPaymentRoutes } from './payments/payment-routes.ts';

const Health = z.object({ status: z.literal('ok'), version: z.string(), time: z.string() });

/**
 * Builds the cloud's HTTP app from injected parts; only `main.ts` touches the network, the
 * environment and the disk.
 *
 * @example
 * const app = createApp(deps);
 * const res = await app.request('/healthz');
 */
export function createApp(deps: AppDeps & { readonly publicOrigin?: string | undefined }): ApiApp {
  // An https: public origin: TLS ends at a proxy in front, so HSTS and Secure cookies always.
  const httpsBehindProxy = deps.publicOrigin?.startsWith('https:') === true;
  const app = createApiApp();
  app.use('*', securityHeaders({ alwaysHttps: httpsBehindProxy }));
  app.use('*', requestContext(deps.log, deps.metrics));
  app.use('*', requestLog(deps.log));
  // CORS for the public origin only (HEARTH_PUBLIC_ORIGIN), never `*`; none when unset.
  app.use('*', crossOrigin(deps.publicOrigin === undefined ? [] : [deps.publicOrigin]));
  app.use('*', headerLimit());
  app.use(
    '*',
    bodyLimit({
      maxSize: deps.limits.maxBodyBytes,
      onError: () =>
        problemResponse(413, 'BODY_TOO_LARGE', 'Request body too large', {
          kind: 'fix_request',
          detail: `at most ${deps.limits.maxBodyBytes} bytes`,
        }),
    }),
  );

  route(
    app,
    createRoute({
      method: 'get',
      path: '/healthz',
      tags: ['meta'],
      summary: 'Health',
      responses: { 200: jsonResponse('ok', Health), ...problems() },
    }),
    (c) => c.json({ status: 'ok', version: deps.version, time: deps.clock().toISOString() }),
  );
  route(
    app,
    createRoute({
      method: 'get',
      path: '/metrics',
      tags: ['meta'],
      summary: 'Prometheus metrics',
      responses: { 200: { description: 'text exposition format' }, ...problems() },
    }),
    async (c) =>
      metricsRefusal(c, deps.metricsToken) ??
      c.text(await deps.metrics.render(), 200, { 'Content-Type': deps.metrics.contentType }),
  );
  serveOpenApiDocument(app, deps.version);

  const writer = opWriterFor(deps);
  registerOpsRoutes(app, deps, writer);
  registerAuthRoutes(app, { ...deps, secureCookies: httpsBehindProxy });
  registerDeviceRoutes(app, { ...deps, writer, secureCookies: httpsBehindProxy });
  registerFeedRoutes(app, deps);
  registerEdgeRoutes(app, deps);
  registerPaymentRoutes(app, { ...deps, writer });
  // The PWA's files after every API route: API paths and missing files go on to the 404 below.
  if (deps.webDir !== undefined) app.get('*', serveWeb(deps.webDir));

  app.notFound((c) =>
    problemResponse(404, 'NOT_FOUND', 'Not Found', {
      kind: 'stop',
      detail: `No route for ${c.req.method} ${c.req.path}`,
    }),
  );

  app.onError((error, c) => {
    const answer = error instanceof HTTPException ? problemForHttpException(error) : undefined;
    if (answer) return answer;
    deps.log('error', 'unhandled error', {
      requestId: c.get('requestId'),
      error: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    return problemResponse(500, 'INTERNAL', 'Internal Server Error', {
      kind: 'back_off',
      detail: 'The server failed to handle the request; retry later.',
    });
  });

  return app;
}
