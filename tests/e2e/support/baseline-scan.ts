import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { type SecureVersion, connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

// A baseline security scan of our own servers, in the spirit of ZAP's: every route without
// credentials, the headers on every answer, error pages that leak nothing, and the relay's TLS
// settings. The checks are plain functions over answers, so the e2e test can point them at a
// deliberately bad app and watch each one fire.

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUN_BIN = fileURLToPath(new URL('../../../node_modules/.bin/bun', import.meta.url));

/** How the scan fetches: global fetch for a process, `app.fetch` for an in-memory Hono app. */
export type Fetcher = (url: string, init?: RequestInit) => Promise<Response>;

export interface Route {
  readonly method: string;
  /** Hono's form: `/v1/venues/:venueId/feed`. */
  readonly path: string;
}

/** A route that may answer 2xx to anyone, and why. */
export interface PublicRoute extends Route {
  readonly reason: string;
}

export interface Answer {
  /** `METHOD path` as sent, for findings. */
  readonly label: string;
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

export interface Finding {
  readonly where: string;
  readonly problem: string;
}

/** The routes of an OpenAPI document, path parameters in Hono's `:name` form. */
export function openApiRoutes(doc: { paths: Record<string, Record<string, unknown>> }): Route[] {
  const methods = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => methods.has(m))
      .map((m) => ({ method: m.toUpperCase(), path: path.replace(/\{(\w+)\}/g, ':$1') })),
  );
}

/** A Hono app's handlers, without middleware (`ALL`) and catch-alls (the PWA's files). */
export function honoRoutes(routes: readonly { method: string; path: string }[]): Route[] {
  return uniqueRoutes(
    routes
      .filter((r) => r.method !== 'ALL' && !r.path.includes('*'))
      .map(({ method, path }) => ({
        method,
        path,
      })),
  );
}

export function uniqueRoutes(routes: readonly Route[]): Route[] {
  const seen = new Map<string, Route>();
  for (const r of routes) seen.set(`${r.method} ${r.path}`, r);
  return [...seen.values()].sort(
    (a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method),
  );
}

/** Fills `:name` parameters from `values`; an unknown parameter is an error (the scan must know it). */
export function fillPath(path: string, values: Readonly<Record<string, string>>): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value to fill :${name} in ${path}`);
    return encodeURIComponent(value);
  });
}

export const matches = (route: Route, list: readonly Route[]): Route | undefined =>
  list.find((r) => r.method === route.method && r.path === route.path);

/** Sends one request and reads the whole answer (never follows redirects). */
export async function ask(
  fetcher: Fetcher,
  base: string,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const res = await fetcher(`${base}${path}`, {
    method,
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
    ...(init.headers ? { headers: init.headers } : {}),
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  return {
    label: `${method} ${path}`,
    status: res.status,
    headers: res.headers,
    body: await res.text(),
  };
}

const ALLOWED_REFERRER_POLICIES = new Set([
  'no-referrer',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
]);

/** Content-Security-Policy directive by directive. */
export function cspDirectives(policy: string | null): Map<string, string[]> {
  const parsed = new Map<string, string[]>();
  for (const part of (policy ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) parsed.set(name.toLowerCase(), sources);
  }
  return parsed;
}

/**
 * The security headers every answer must carry: a CSP whose scripts allow neither
 * 'unsafe-inline' nor 'unsafe-eval', framing denied, nosniff, a Referrer-Policy that does not
 * leak paths cross-origin, no version banners; HSTS when `hsts` (an HTTPS answer).
 */
export function checkHeaders(answer: Answer, options: { hsts: boolean }): Finding[] {
  const out: string[] = [];
  const h = answer.headers;
  const policy = h.get('content-security-policy');
  const csp = cspDirectives(policy);
  if (!policy) out.push('no Content-Security-Policy');
  else {
    const scripts = csp.get('script-src') ?? csp.get('default-src');
    if (!scripts) out.push('CSP has neither script-src nor default-src');
    else
      for (const bad of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:'])
        if (scripts.includes(bad)) out.push(`CSP scripts allow ${bad}`);
    for (const [name, sources] of csp)
      if (sources.includes("'unsafe-eval'")) out.push(`CSP ${name} allows 'unsafe-eval'`);
  }
  const frameAncestors = csp.get('frame-ancestors');
  const framingDenied =
    h.get('x-frame-options')?.toUpperCase() === 'DENY' ||
    (frameAncestors?.length === 1 && frameAncestors[0] === "'none'");
  if (!framingDenied)
    out.push("framing allowed (no X-Frame-Options DENY nor frame-ancestors 'none')");
  if (h.get('x-content-type-options')?.toLowerCase() !== 'nosniff')
    out.push('no X-Content-Type-Options: nosniff');
  const referrer = h.get('referrer-policy');
  if (!referrer || !ALLOWED_REFERRER_POLICIES.has(referrer.toLowerCase()))
    out.push(`Referrer-Policy ${referrer ?? 'missing'}`);
  const server = h.get('server');
  if (server && /\d/.test(server)) out.push(`Server banner with a version: ${server}`);
  const poweredBy = h.get('x-powered-by');
  if (poweredBy) out.push(`X-Powered-By: ${poweredBy}`);
  if (options.hsts) {
    const sts = h.get('strict-transport-security');
    const maxAge = Number(/max-age=(\d+)/i.exec(sts ?? '')?.[1] ?? 0);
    if (maxAge < 15_552_000) out.push(`HSTS missing or under 180 days: ${sts ?? 'missing'}`);
  }
  return out.map((problem) => ({ where: answer.label, problem }));
}

/** A token in the answer: a top-level string `token` in a JSON body, or a cookie being set (not cleared). */
function carriesToken(answer: Answer): boolean {
  const cookie = answer.headers.get('set-cookie');
  if (cookie && !/^[^=]+=;/.test(cookie) && !/max-age=0\b/i.test(cookie)) return true;
  try {
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    return ['token', 'accessToken', 'refreshToken'].some((key) => typeof body?.[key] === 'string');
  } catch {
    return false;
  }
}

/** An answer that hands out a token must not be cached anywhere. */
export function checkTokenCaching(answer: Answer): Finding[] {
  if (!carriesToken(answer)) return [];
  const cacheControl = answer.headers.get('cache-control') ?? '';
  return /\bno-store\b/i.test(cacheControl)
    ? []
    : [{ where: answer.label, problem: `carries a token but Cache-Control is "${cacheControl}"` }];
}

/**
 * Every cookie HttpOnly and SameSite; over HTTPS (as browsers see it) Secure too, or a
 * plain-HTTP request to the same host would carry the session in clear.
 */
export function checkCookies(answer: Answer, options: { https: boolean }): Finding[] {
  const out: string[] = [];
  for (const cookie of answer.headers.getSetCookie()) {
    const name = cookie.split('=')[0];
    if (!/;\s*HttpOnly/i.test(cookie)) out.push(`cookie ${name} without HttpOnly`);
    if (!/;\s*SameSite=(Strict|Lax)/i.test(cookie)) out.push(`cookie ${name} without SameSite`);
    if (options.https && !/;\s*Secure/i.test(cookie))
      out.push(`cookie ${name} without Secure on an HTTPS origin`);
  }
  return out.map((problem) => ({ where: answer.label, problem }));
}

/** A page of `foreignOrigin` must get no CORS grant: neither its origin nor `*`. */
export function checkCors(answer: Answer, foreignOrigin: string): Finding[] {
  const allowed = answer.headers.get('access-control-allow-origin');
  if (allowed !== '*' && allowed !== foreignOrigin) return [];
  const credentials = answer.headers.get('access-control-allow-credentials') === 'true';
  return [
    {
      where: answer.label,
      problem: `CORS grants ${foreignOrigin} (Allow-Origin ${allowed}${credentials ? ', with credentials' : ''})`,
    },
  ];
}

/** What a websocket handshake came to: opened, or the HTTP status it was refused with. */
export function websocketAttempt(
  url: string,
  options: { protocols?: string[]; origin?: string } = {},
): Promise<{ opened: boolean; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options.protocols ?? [], {
      ...(options.origin ? { origin: options.origin } : {}),
      handshakeTimeout: 5_000,
    });
    ws.once('open', () => {
      ws.terminate();
      resolve({ opened: true });
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      ws.terminate();
      resolve({ opened: false, status: res.statusCode ?? 0 });
    });
    ws.once('error', () => resolve({ opened: false }));
  });
}

/**
 * Without credentials: no 2xx except on a public route; every 4xx/5xx a problem+json with a
 * `kind`.
 */
export function checkUnauthenticated(answer: Answer, isPublic: boolean): Finding[] {
  const out: string[] = [];
  if (answer.status >= 200 && answer.status < 300 && !isPublic)
    out.push(`answered ${answer.status} without credentials: ${answer.body.slice(0, 120)}`);
  out.push(...problemShape(answer));
  return out.map((problem) => ({ where: answer.label, problem }));
}

function problemShape(answer: Answer): string[] {
  if (answer.status < 400) return [];
  const type = answer.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json'))
    return [`${answer.status} as "${type}", not application/problem+json`];
  try {
    const problem = JSON.parse(answer.body) as { kind?: unknown; status?: unknown };
    if (typeof problem.kind !== 'string' || problem.kind === '')
      return [`${answer.status} problem without a kind`];
    if (problem.status !== answer.status)
      return [`problem says status ${String(problem.status)}, the answer ${answer.status}`];
  } catch {
    return [`${answer.status} problem body is not JSON`];
  }
  return [];
}

/** Stack frames, source paths, SQL and exception names have no place in an answer. */
const LEAKS: readonly [RegExp, string][] = [
  [/\n\s+at [^\n]+[(:]/, 'a stack trace'],
  [/\/work\/|\/home\/|\/root\/|\/usr\/|[A-Z]:\\\\/, 'a file system path'],
  [/node_modules/, 'node_modules'],
  [/\.(ts|js|mjs|cjs):\d+/, 'a source location'],
  [/\b(SELECT\s[\s\S]*\sFROM|INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM)\b/i, 'SQL text'],
  [
    /SQLITE_|PostgresError|syntax error at or near|relation "[^"]+" does not exist/i,
    'a database error',
  ],
  [/\b(TypeError|ReferenceError|SyntaxError|RangeError|ZodError|EvalError)\b/, 'an exception name'],
  [
    /JSON Parse error|in JSON at position|Unexpected (token|identifier|EOF)/,
    "the parser's own message",
  ],
];

export function checkLeaks(answer: Answer): Finding[] {
  return LEAKS.filter(([pattern]) => pattern.test(answer.body)).map(([, what]) => ({
    where: answer.label,
    problem: `body shows ${what}: ${answer.body.slice(0, 160)}`,
  }));
}

// ---------------------------------------------------------------------------------------------
// TLS

export interface Handshake {
  readonly ok: boolean;
  readonly protocol?: string;
  readonly keyType?: string;
  readonly keyBits?: number;
  readonly curve?: string;
  readonly error?: string;
}

/**
 * One TLS handshake with the protocol versions pinned. The client offers everything OpenSSL
 * can (security level 0), so a refusal is the server's.
 */
export function handshake(
  port: number,
  minVersion: SecureVersion,
  maxVersion: SecureVersion,
): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      minVersion,
      maxVersion,
      ciphers: 'ALL:@SECLEVEL=0',
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, error: 'timeout' });
    }, 5_000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const key = socket.getPeerX509Certificate()?.publicKey;
      const details = key?.asymmetricKeyDetails;
      resolve({
        ok: true,
        protocol: socket.getProtocol() ?? undefined,
        ...(key?.asymmetricKeyType ? { keyType: key.asymmetricKeyType } : {}),
        ...(details?.modulusLength ? { keyBits: details.modulusLength } : {}),
        ...(details?.namedCurve ? { curve: details.namedCurve } : {}),
      });
      socket.end();
    });
    socket.once('error', (error: Error) => {
      clearTimeout(timer);
      resolve({ ok: false, error: error.message });
    });
  });
}

/** TLS 1.0 and 1.1 refused, 1.2 and 1.3 accepted, no RSA key under 2048 bits. */
export async function checkTls(label: string, port: number): Promise<Finding[]> {
  const out: string[] = [];
  for (const version of ['TLSv1', 'TLSv1.1'] as const) {
    const shake = await handshake(port, version, version);
    if (shake.ok) out.push(`accepts ${version}`);
  }
  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    const shake = await handshake(port, version, version);
    if (!shake.ok) out.push(`refuses ${version}: ${shake.error}`);
    else {
      if (shake.keyType === 'rsa' && (shake.keyBits ?? 0) < 2048)
        out.push(`RSA key of ${shake.keyBits} bits`);
      if (
        shake.keyType === 'ec' &&
        !['prime256v1', 'secp384r1', 'secp521r1'].includes(shake.curve ?? '')
      )
        out.push(`EC key on curve ${shake.curve}`);
    }
  }
  return out.map((problem) => ({ where: label, problem }));
}

/** A request over HTTPS trusting only `ca` (the venue CA): node's fetch takes no CA of its own. */
export function httpsAsk(url: string, ca: string, method = 'GET', json?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sent: Record<string, string> =
      json === undefined ? {} : { 'Content-Type': 'application/json' };
    const req = httpsRequest(url, { ca, method, headers: sent, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.once('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers))
          for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value])
            headers.append(name, one);
        resolve({
          label: `${method} ${new URL(url).pathname} (https)`,
          status: res.statusCode ?? 0,
          headers,
          body,
        });
      });
    });
    req.once('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.once('error', reject);
    req.end(json === undefined ? undefined : JSON.stringify(json));
  });
}

/** A self-signed RSA certificate of `bits` from openssl, for a deliberately weak TLS server. */
export function opensslSelfSigned(dir: string, bits: number): { cert: string; key: string } {
  const cert = `${dir}/weak-cert.pem`;
  const key = `${dir}/weak-key.pem`;
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      `rsa:${bits}`,
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      '/CN=127.0.0.1',
      '-days',
      '1',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

// ---------------------------------------------------------------------------------------------
// A relay serving HTTPS

export interface TlsRelay {
  readonly port: number;
  readonly url: string;
  output(): string;
  kill(): Promise<void>;
}

/**
 * `bun relay/main.ts` with HEARTH_TLS_CERT/KEY, enrolled with `enrollToken`; resolves once its
 * `/healthz` answers over HTTPS with a certificate `ca` vouches for.
 */
export async function startTlsRelay(options: {
  port: number;
  cloudUrl: string;
  dataDir: string;
  enrollToken: string;
  certFile: string;
  keyFile: string;
  ca: string;
  env?: Record<string, string>;
}): Promise<TlsRelay> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !/^(HEARTH_|PORT$)/.test(e[0]),
    ),
  );
  const child: ChildProcess = spawn(BUN_BIN, ['--max-http-header-size=65536', 'relay/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...inherited,
      PORT: String(options.port),
      HEARTH_DATA_DIR: options.dataDir,
      HEARTH_CLOUD_URL: options.cloudUrl,
      HEARTH_ENROLL_TOKEN: options.enrollToken,
      HEARTH_TLS_CERT: options.certFile,
      HEARTH_TLS_KEY: options.keyFile,
      HEARTH_WEB_DIR: `${options.dataDir}/no-web`,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    output += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    output += c;
  });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const relay: TlsRelay = {
    port: options.port,
    url: `https://127.0.0.1:${options.port}`,
    output: () => output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await closed;
    },
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`TLS relay exited (${child.exitCode}):\n${output}`);
    const health = await httpsAsk(`${relay.url}/healthz`, options.ca).catch(() => undefined);
    if (health?.status === 200) return relay;
    if (Date.now() > deadline) {
      await relay.kill();
      throw new Error(`TLS relay not healthy within 15 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
