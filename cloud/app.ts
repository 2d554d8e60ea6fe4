import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { headerLimit } from '../server/header-limit.ts';
import { problemResponse } from '../server/problem-response.ts';
import { requestContext } from '../server/request-context.ts';
import { serveWeb } from '../server/static-web.ts';
import type { AppDeps } from './app-deps.ts';
import { registerAuthRoutes } from './auth/auth-routes.ts';
import { registerEdgeRoutes } from './edge/edge-routes.ts';
import { registerFeedRoutes } from './feed/feed-routes.ts';
import type { AppEnv } from './http/caller.ts';
import { openApiDocument } from './http/openapi.ts';
import { requestLog } from './http/request-context.ts';
import { registerOpsRoutes } from './ops/ops-routes.ts';

/**
 * Builds the cloud's HTTP app from injected parts; only `main.ts` touches the network, the
 * environment and the disk.
 *
 * @example
 * const app = createApp(deps);
 * const res = await app.request('/healthz');
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requestContext(deps.log, deps.metrics));
  app.use('*', requestLog(deps.log));
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

  app.get('/healthz', (c) =>
    c.json({ status: 'ok', version: deps.version, time: deps.clock().toISOString() }),
  );
  app.get('/metrics', async (c) =>
    c.text(await deps.metrics.render(), 200, { 'Content-Type': deps.metrics.contentType }),
  );
  app.get('/openapi.json', (c) => c.json(openApiDocument(deps.version)));

  registerOpsRoutes(app, deps);

  registerAuthRoutes(app, deps);

  registerFeedRoutes(app, deps);
  registerEdgeRoutes(app, deps);
  // The PWA's files after every API route: API paths and missing files go on to the 404 below.
  if (deps.webDir !== undefined) app.get('*', serveWeb(deps.webDir));

  app.notFound((c) =>
    problemResponse(404, 'NOT_FOUND', 'Not Found', {
      kind: 'stop',
      detail: `No route for ${c.req.method} ${c.req.path}`,
    }),
  );

  app.onError((error, c) => {
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
