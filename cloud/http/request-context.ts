import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../../server/logger.ts';
import type { AppEnv } from './caller.ts';

/**
 * Gives handlers a logger that names the request (`c.get('log')`), for the cloud's routes
 * that log what they did. Mounted after the shared request context, which sets the id.
 */
export function requestLog(log: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = c.get('requestId');
    c.set('log', (level, msg, fields) => log(level, msg, { requestId, ...fields }));
    await next();
  };
}
