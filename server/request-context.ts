import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import type { Logger } from './logger.ts';
import type { ServerMetrics } from './metrics.ts';

/** What the request context puts on every request's context. */
export interface RequestContextEnv {
  Variables: { requestId: string };
}

/** Longest caller `X-Request-Id` kept (letters, digits, `_`, `-`, `=`); others get a new one. */
export const MAX_REQUEST_ID_LENGTH = 64;

/**
 * Gives every request an id (Hono's `requestId`: the caller's `X-Request-Id` when well-formed,
 * else a UUID) and echoes it; counts the request and logs one line: method, route pattern,
 * path (never the query: cursors stay out), status and duration in ms. Never headers or
 * bodies, so tokens and PINs cannot reach the log. Mounted first, so every answer is counted.
 *
 * @example
 * app.use('*', requestContext(log, metrics));
 */
export function requestContext(
  log: Logger,
  metrics: Pick<ServerMetrics, 'countRequest'>,
): MiddlewareHandler<RequestContextEnv> {
  const assignId = requestId({ limitLength: MAX_REQUEST_ID_LENGTH });
  return (c, next) =>
    assignId(c, async () => {
      const started = performance.now();
      await next();
      // A Response the handler made itself lacks the header Hono set before it (c.json's has
      // it); setting it there copies the Response, so only where it is missing.
      const id = c.get('requestId');
      if (c.res.headers.get('X-Request-Id') !== id) c.header('X-Request-Id', id);
      const route = routePath(c) || '/*';
      const status = c.res.status;
      metrics.countRequest(c.req.method, route, status);
      log('info', 'request', {
        requestId: id,
        method: c.req.method,
        route,
        path: c.req.path,
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    });
}
