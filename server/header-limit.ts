import type { MiddlewareHandler } from 'hono';
import { problemResponse } from './problem-response.ts';

/**
 * Most bytes of request headers (names and values) the app accepts. The processes start Bun
 * with a larger `--max-http-header-size` ({@link BUN_MAX_HTTP_HEADER_SIZE}), so a request past
 * this one reaches the app and is answered with a problem, not Bun's bare 431.
 */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * The `--max-http-header-size` the servers' processes are started with (scripts/start.mjs,
 * the e2e process helpers, the relay's compiled binary). Past it Bun still answers a bare 431
 * without the app seeing the request.
 */
export const BUN_MAX_HTTP_HEADER_SIZE = 64 * 1024;

/**
 * Answers a request whose headers are larger than `maxBytes` with 431 problem+json
 * (`fix_request`: send it again with smaller headers, e.g. after signing in afresh).
 */
export function headerLimit(maxBytes = MAX_HEADER_BYTES): MiddlewareHandler {
  return async (c, next) => {
    let bytes = 0;
    c.req.raw.headers.forEach((value, name) => {
      bytes += name.length + value.length;
    });
    if (bytes > maxBytes) {
      return problemResponse(431, 'HEADERS_TOO_LARGE', 'Request header fields too large', {
        kind: 'fix_request',
        detail: `at most ${maxBytes} bytes of headers; send a shorter Authorization or Cookie (sign in again for a fresh token)`,
      });
    }
    await next();
  };
}
