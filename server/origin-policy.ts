import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/**
 * Which browser origins may reach a server besides its own (decision 029): websocket upgrades
 * are refused for any other `Origin`, and CORS is answered for these origins only, never `*`.
 */

/** Request headers the API reads from a cross-origin caller. */
export const CORS_ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'X-Request-Id',
] as const;
/** Response headers a cross-origin caller may read (besides the CORS-safelisted ones). */
export const CORS_EXPOSE_HEADERS = ['Retry-After', 'Idempotent-Replayed', 'X-Request-Id'] as const;
export const CORS_ALLOW_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'] as const;
/** Seconds a browser may keep a preflight's answer (Chromium keeps at most 7200). */
export const CORS_MAX_AGE_SECONDS = 600;

/**
 * `scheme://host[:port]` for an http(s) origin given alone (no path beyond `/`, no query,
 * fragment or credentials), lower-cased with its default port dropped; undefined otherwise.
 *
 * @example
 * parseOrigin('https://Cloud.Example:443/'); // 'https://cloud.example'
 * parseOrigin('https://cloud.example/guest'); // undefined
 */
export function parseOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password)
    return undefined;
  return url.origin;
}

/**
 * The origin a request was addressed to: its `Host` with the scheme it arrived over. Behind a
 * proxy that ends TLS the scheme is `X-Forwarded-Proto`'s (a page cannot set that header on a
 * websocket or a CORS request, and the host must still match).
 */
export function ownOrigin(request: Request): string | undefined {
  const url = new URL(request.url);
  const forwarded = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  const scheme =
    forwarded === 'http' || forwarded === 'https' ? forwarded : url.protocol.slice(0, -1);
  const host = request.headers.get('host') ?? url.host;
  // A Host with a path or credentials in it parses to something else: refuse it.
  if (/[/?#@\\\s]/.test(host)) return undefined;
  return parseOrigin(`${scheme}://${host}`);
}

/**
 * Whether a websocket upgrade may go ahead: no `Origin` (not a browser: the relay's uplink, a
 * device's client library, tests; a browser always sends one), the server's own origin, or one
 * of `allowed` (origins as `parseOrigin` gives them). `Origin: null` (a sandboxed or file page)
 * and anything unparsable are refused.
 */
export function originAllowed(request: Request, allowed: readonly string[]): boolean {
  const given = request.headers.get('origin');
  if (given === null) return true;
  const origin = parseOrigin(given);
  if (origin === undefined) return false;
  return origin === ownOrigin(request) || allowed.includes(origin);
}

/**
 * CORS for `allowed` origins only: their requests and preflights get Hono's `cors` answer (the
 * API's headers; credentials too, since the PWA's feed client fetches with `credentials:
 * 'include'`, which a browser refuses to read without them), and a preflight
 * asking for Private Network Access (`Access-Control-Request-Private-Network: true`, a public
 * page calling a LAN address) gets `Access-Control-Allow-Private-Network: true`. Any other
 * origin, or none, passes through untouched: no CORS header at all, and a preflight goes on to
 * the server's own answer (a 404 problem).
 *
 * @example
 * app.use('*', crossOrigin([new URL(cloudUrl).origin]));
 */
export function crossOrigin(allowed: readonly string[]): MiddlewareHandler {
  const answer = cors({
    origin: [...allowed],
    allowMethods: [...CORS_ALLOW_METHODS],
    allowHeaders: [...CORS_ALLOW_HEADERS],
    exposeHeaders: [...CORS_EXPOSE_HEADERS],
    maxAge: CORS_MAX_AGE_SECONDS,
    credentials: true,
  });
  return async (c, next) => {
    const given = c.req.header('origin');
    if (given === undefined || !allowed.includes(given)) return next();
    const preflight = await answer(c, next);
    if (
      preflight instanceof Response &&
      c.req.header('access-control-request-private-network') === 'true'
    )
      preflight.headers.set('Access-Control-Allow-Private-Network', 'true');
    return preflight;
  };
}
