import type { Context, MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

// The browser-facing security headers both servers put on every answer (pages, files, API,
// problems, 404s), on Hono's own secureHeaders. Ours: the Content-Security-Policy the PWA
// runs under, DENY for framing, and Strict-Transport-Security only on answers sent over HTTPS.

/**
 * The PWA's policy. Scripts, workers, styles, fetches and websockets come from the page's own
 * origin only ('self' also matches ws:/wss: to the same host); no inline or eval'd script.
 * Styles: Lit adopts constructable stylesheets, which style-src does not govern, so only style
 * attributes need an allowance: the kitchen board's grid size and the order pad's sheet header
 * set one (style-src-attr, never style-src). No data: or blob: URLs: the QR codes are inline
 * SVG markup and the icons are files.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  workerSrc: ["'self'"],
  styleSrc: ["'self'"],
  styleSrcAttr: ["'unsafe-inline'"],
  imgSrc: ["'self'"],
  connectSrc: ["'self'"],
  manifestSrc: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
  formAction: ["'self'"],
};

/** A year; no includeSubDomains or preload: other hosts of the operator's domain are theirs. */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000';

export interface SecurityHeadersOptions {
  /**
   * Browsers reach this server over HTTPS though its own URL says http: (a TLS-terminating
   * proxy in front; the cloud with an https: public origin). Default false: only the
   * request's own scheme counts. X-Forwarded-Proto is never read: what it says depends on the
   * proxy, and a browser ignores HSTS on a plain-HTTP answer anyway.
   */
  readonly alwaysHttps?: boolean;
}

const common = {
  contentSecurityPolicy: CONTENT_SECURITY_POLICY,
  xFrameOptions: 'DENY',
  referrerPolicy: 'no-referrer',
  crossOriginOpenerPolicy: 'same-origin',
  crossOriginResourcePolicy: 'same-origin',
  xContentTypeOptions: 'nosniff',
};

/** Whether the request came over TLS: Bun gives a TLS server's requests https: URLs. */
function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:';
}

/**
 * Sets, on every answer after the handlers ran: Content-Security-Policy
 * (`CONTENT_SECURITY_POLICY`), X-Content-Type-Options nosniff, Referrer-Policy no-referrer,
 * X-Frame-Options DENY, Cross-Origin-Opener-Policy and -Resource-Policy same-origin, and
 * secureHeaders' other defaults (Origin-Agent-Cluster, X-DNS-Prefetch-Control off, …);
 * Strict-Transport-Security only on an answer to an HTTPS request. Mounted first, so answers
 * from other middleware (413, 431), the 404 and the error handler carry them too.
 *
 * @example
 * app.use('*', securityHeaders());
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): MiddlewareHandler {
  const plain = secureHeaders({ ...common, strictTransportSecurity: false });
  const tls = secureHeaders({ ...common, strictTransportSecurity: STRICT_TRANSPORT_SECURITY });
  if (options.alwaysHttps) return tls;
  return (c, next) => (isHttps(c) ? tls(c, next) : plain(c, next));
}
