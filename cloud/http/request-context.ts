import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './caller.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Gives every request an id (the caller's `X-Request-Id` when well-formed), echoes it, and logs
 * one JSON line per request: method, route path, status, duration. Never headers or bodies, so
 * tokens and PINs cannot reach the log.
 */
export function requestContext(log: Logger, metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const given = c.req.header('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    c.set('requestId', requestId);
    c.set('log', (level, msg, fields = {}) => log(level, msg, { requestId, ...fields }));
    const started = performance.now();
    await next();
    c.header('X-Request-Id', requestId);
    metrics.increment('hearth_http_requests_total', 'HTTP requests by route and status', {
      method: c.req.method,
      route: c.req.routePath,
      status: String(c.res.status),
    });
    log('info', 'request', {
      requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  };
}
