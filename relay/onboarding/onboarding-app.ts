import { type Context, Hono } from 'hono';
import { problemResponse } from '../../server/problem-response.ts';
import { CONTENT_SECURITY_POLICY, securityHeaders } from '../../server/security-headers.ts';
import { ONBOARDING_SCRIPT, ONBOARDING_STYLE, onboardingPage } from './onboarding-page.ts';

// Two small apps around the venue CA (decision 033). The onboarding app runs on its own
// plain-HTTP port, since a device that does not trust the CA yet cannot open the HTTPS one:
// the page, its script and style, and the CA to download. The trust check runs on the HTTPS
// port: a device that reaches it from the page's script trusts the CA.

export interface CaFiles {
  readonly pem: string;
  readonly der: Uint8Array;
  readonly fingerprint: string;
  readonly notAfter: Date;
}

export interface OnboardingDeps {
  readonly venueId: string;
  readonly ca: CaFiles;
  readonly httpsPort: number;
  /** A LAN address or name for the QR code when the page was opened on this machine. */
  readonly lanHost?: string;
}

/** The host name the request was addressed to (no port), or undefined when unusable. */
export function requestHostname(c: Context): string | undefined {
  const host = c.req.header('host') ?? new URL(c.req.url).host;
  if (/[/?#@\\\s]/.test(host)) return undefined;
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
  // It goes into a CSP header and URLs: a DNS name or an address, nothing else.
  return /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/i.test(hostname) ? hostname : undefined;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The CSP with `connect-src` widened to the relay's HTTPS origin on the same host, exactly. */
function policyFor(hostname: string | undefined, httpsPort: number): string {
  const connect = hostname === undefined ? [] : [`https://${hostname}:${httpsPort}`];
  const directives: Record<string, string[]> = {
    ...CONTENT_SECURITY_POLICY,
    connectSrc: ["'self'", ...connect],
  };
  return Object.entries(directives)
    .map(
      ([name, values]) =>
        `${name.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`)} ${values.join(' ')}`,
    )
    .join('; ');
}

/**
 * The onboarding port's app: `GET /` the page, `/onboarding.js`, `/onboarding.css`,
 * `/venue-ca.crt` (DER, which iPadOS offers to install as a profile) and `/venue-ca.pem`.
 * Anything else is a 404 problem.
 */
export function createOnboardingApp(deps: OnboardingDeps): Hono {
  const app = new Hono();
  // Outermost, so its policy replaces the one securityHeaders sets after the handler ran.
  app.use('*', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', policyFor(requestHostname(c), deps.httpsPort));
  });
  app.use('*', securityHeaders());
  app.get('/', (c) => {
    const hostname = requestHostname(c) ?? 'localhost';
    const port = new URL(c.req.url).port;
    const reachable = LOOPBACK.has(hostname) && deps.lanHost ? deps.lanHost : hostname;
    const downloadUrl = `http://${reachable}${port ? `:${port}` : ''}/venue-ca.crt`;
    c.header('Cache-Control', 'no-store');
    return c.html(
      onboardingPage({
        venueId: deps.venueId,
        fingerprint: deps.ca.fingerprint,
        caNotAfter: deps.ca.notAfter,
        downloadUrl,
        httpsPort: deps.httpsPort,
      }),
    );
  });
  app.get('/onboarding.js', (c) =>
    c.body(ONBOARDING_SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }),
  );
  app.get('/onboarding.css', (c) =>
    c.body(ONBOARDING_STYLE, 200, { 'Content-Type': 'text/css; charset=utf-8' }),
  );
  app.get('/venue-ca.crt', (c) =>
    c.body(deps.ca.der.slice().buffer, 200, {
      'Content-Type': 'application/x-x509-ca-cert',
      'Content-Disposition': 'attachment; filename="venue-ca.crt"',
    }),
  );
  app.get('/venue-ca.pem', (c) =>
    c.body(deps.ca.pem, 200, {
      'Content-Type': 'application/x-pem-file',
      'Content-Disposition': 'attachment; filename="venue-ca.pem"',
    }),
  );
  app.notFound((c) =>
    problemResponse(404, 'NOT_FOUND', 'Not Found', {
      kind: 'stop',
      detail: `The onboarding port serves / and the CA downloads only, not ${c.req.method} ${c.req.path}`,
    }),
  );
  return app;
}

export const TRUST_CHECK_PATH = '/onboarding/trust-check';

/**
 * `GET /onboarding/trust-check` for the HTTPS port: answers the onboarding page's script on
 * the same host (`http://<host>:<onboardingPort>`) with CORS, so the page learns that the
 * device completed a TLS handshake with the venue certificate. Says nothing secret.
 */
export function createTrustCheckApp(deps: { onboardingPort: number }): Hono {
  const app = new Hono();
  app.use('*', securityHeaders());
  app.on(['GET', 'OPTIONS'], TRUST_CHECK_PATH, (c) => {
    const hostname = requestHostname(c);
    const allowed =
      hostname === undefined ? undefined : `http://${hostname}:${deps.onboardingPort}`;
    const origin = c.req.header('origin');
    c.header('Cache-Control', 'no-store');
    c.header('Vary', 'Origin');
    if (origin !== undefined && origin === allowed) {
      c.header('Access-Control-Allow-Origin', origin);
      if (c.req.method === 'OPTIONS') {
        c.header('Access-Control-Allow-Methods', 'GET');
        c.header('Access-Control-Max-Age', '600');
        return c.body(null, 204);
      }
    }
    return c.json({ trusted: true });
  });
  return app;
}
