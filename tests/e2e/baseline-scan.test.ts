import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newUlid } from '#protocol';
import { createLanApp, type LanAppDeps } from '../../relay/lan/lan-app.ts';
import { createLanLiveRoute, type LanLiveDeps } from '../../relay/lan/live-socket.ts';
import { certificatePem, createVenueCa, issueServerCertificate } from '../../relay/tls/venue-ca.ts';
import {
  type Answer,
  ask,
  checkCookies,
  checkCors,
  checkHeaders,
  checkLeaks,
  checkTls,
  checkTokenCaching,
  checkUnauthenticated,
  type Fetcher,
  type Finding,
  fillPath,
  handshake,
  honoRoutes,
  httpsAsk,
  matches,
  openApiRoutes,
  opensslSelfSigned,
  type PublicRoute,
  type Route,
  startTlsRelay,
  type TlsRelay,
  uniqueRoutes,
  websocketAttempt,
} from './support/baseline-scan.ts';
import { findFreePort } from './support/processes.ts';
import { PINS, VENUE, type VenueHarness, venueHarness } from './support/relay-process.ts';
import { BUILD_TIMEOUT_MS, buildWeb, WEB_DIST, webDistIsStale } from './support/web-build.ts';

// A baseline security scan of a real cloud and a real relay enrolled to it (and a second relay
// serving HTTPS): every route without credentials, the security headers on every answer, error
// pages that leak nothing, no CORS grant or live socket for another site, the relay's TLS
// versions and key. Findings must be none. The
// last block points the same checks at a deliberately bad app and a weak TLS server: each fires.

/** Routes that may answer 2xx to anyone, each with why. Everything else needs credentials. */
const PUBLIC_ROUTES: readonly PublicRoute[] = [
  {
    method: 'GET',
    path: '/healthz',
    reason: 'liveness for load balancers and the PWA: no venue data',
  },
  { method: 'GET', path: '/openapi.json', reason: 'the API contract; no data' },
  {
    method: 'GET',
    path: '/metrics',
    reason:
      "Prometheus scrape from this machine (the scan runs there; the cloud asks others for HEARTH_METRICS_TOKEN); the relay's is open on its LAN: counters and gauges, no venue data",
  },
  { method: 'POST', path: '/v1/auth/guest', reason: "guest sign-in from a table's QR code" },
  { method: 'POST', path: '/v1/auth/logout', reason: 'clears the session cookie; 204, no body' },
];

/**
 * Plausible bodies: guest sign-in at a real table, a wrong PIN, a bogus enrolment token, a
 * bogus pairing code.
 */
const PROBE_BODIES: Readonly<Record<string, unknown>> = {
  'POST /v1/auth/guest': { venueId: VENUE, table: '5' },
  'POST /v1/auth/staff': { venueId: VENUE, pin: '0000' },
  'POST /v1/devices/pair': { code: 'not-a-pairing-code', deviceId: 'scan-device', name: 'Scan' },
  'POST /v1/venues/{venueId}/devices/pairings': { role: 'floor' },
  'POST /v1/edge/enroll': {
    enrollmentToken: 'not-a-real-token',
    publicKeyJwk: { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' },
  },
};

/** A page on another site: it must get no CORS grant, and no live socket. */
const FOREIGN_ORIGIN = 'https://attacker.example';

const PATH_VALUES = {
  venueId: VENUE,
  opId: newUlid(),
  deviceId: 'scan-device',
  checkoutId: newUlid(),
};

/** The PWA's pages and files: public, and carrying the headers like every answer. */
const PAGES = [
  '/ops/',
  '/kitchen/',
  `/guest/?venue=${VENUE}&table=5`,
  '/sw.js',
  '/manifest.webmanifest',
];

interface Target {
  readonly name: string;
  readonly base: string;
  readonly fetcher: Fetcher;
  readonly routes: readonly Route[];
  /** HSTS expected on every answer (HTTPS seen by browsers). */
  readonly hsts: boolean;
  /** A staff token, for probes that must get past authentication (a bad cursor). */
  readonly token?: string;
  /** A paired device's credential header: staff sign in only on one (decision 034). */
  readonly device?: Readonly<Record<string, string>>;
}

const json = (body: unknown) => ({
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

/** Every route once, without credentials. */
async function scanRoutes(t: Target): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const route of t.routes) {
    const path = fillPath(route.path, PATH_VALUES);
    const body = PROBE_BODIES[`${route.method} ${route.path}`] ?? {};
    answers.push(
      await ask(t.fetcher, t.base, route.method, path, route.method === 'GET' ? {} : json(body)),
    );
  }
  return answers;
}

/** Requests that end in an error page: each must be a tidy problem and leak nothing. */
async function errorProbes(t: Target): Promise<Answer[]> {
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const snapshot = `/v1/venues/${VENUE}/snapshot`;
  const probes: [string, string, { headers?: Record<string, string>; body?: string }][] = [
    ['GET', '/v1/no-such-route', {}],
    ['GET', '/no-such-file.js', {}],
    ['DELETE', snapshot, {}],
    ['PATCH', '/v1/auth/staff', json({})],
    [
      'POST',
      '/v1/auth/staff',
      { headers: { 'Content-Type': 'application/json' }, body: '{"venueId":' },
    ],
    ['POST', '/v1/auth/staff', { headers: { 'Content-Type': 'text/plain' }, body: 'pin=1111' }],
    ['POST', '/v1/auth/guest', json({ venueId: VENUE, table: 'x'.repeat(2 * 1024 * 1024) })],
    ['POST', '/v1/auth/guest', json({ venueId: '../../etc/passwd', table: "5' OR 1=1 --" })],
    ['GET', snapshot, { headers: bearer('not.a.token') }],
    ['GET', snapshot, { headers: bearer('eyJhbGciOiJub25lIn0.eyJraW5kIjoic3RhZmYifQ.') }],
    ['GET', snapshot, { headers: { Authorization: 'Basic YWRtaW46YWRtaW4=' } }],
    ['GET', `/v1/venues/${VENUE}/feed?cursor=%00%ff!!`, {}],
  ];
  if (t.token) {
    probes.push(
      ['GET', `/v1/venues/${VENUE}/feed?cursor=not-a-cursor`, { headers: bearer(t.token) }],
      ['GET', `/v1/venues/${VENUE}/feed?cursor=${'A'.repeat(500)}`, { headers: bearer(t.token) }],
      ['GET', `/v1/venues/other-venue/snapshot`, { headers: bearer(t.token) }],
      ['POST', `/v1/venues/${VENUE}/ops`, { headers: bearer(t.token), body: '[' }],
      [
        'POST',
        `/v1/venues/${VENUE}/ops`,
        { headers: { ...bearer(t.token), 'Content-Type': 'application/json' }, body: '{}' },
      ],
    );
  }
  const answers: Answer[] = [];
  for (const [method, path, init] of probes)
    answers.push(await ask(t.fetcher, t.base, method, path, init));
  return answers;
}

interface ScanResult {
  readonly routes: number;
  readonly answers: number;
  readonly findings: Finding[];
}

/** The whole scan of one target: routes, pages, token answers and error probes. */
async function scan(t: Target, options: { pages: boolean }): Promise<ScanResult> {
  const findings: Finding[] = [];
  const tagged = (fs: Finding[]) =>
    fs.map((f) => ({ where: `${t.name} ${f.where}`, problem: f.problem }));
  const routeAnswers = await scanRoutes(t);
  t.routes.forEach((route, i) => {
    const answer = routeAnswers[i] as Answer;
    findings.push(
      ...tagged(checkUnauthenticated(answer, matches(route, PUBLIC_ROUTES) !== undefined)),
    );
  });
  const pageAnswers = options.pages
    ? await Promise.all(PAGES.map((path) => ask(t.fetcher, t.base, 'GET', path)))
    : [];
  for (const page of pageAnswers)
    if (page.status !== 200)
      findings.push(...tagged([{ where: page.label, problem: `page answered ${page.status}` }]));
  // Sign-in with a right PIN on a paired device: the answer carries a token.
  const rightPin = json({ venueId: VENUE, pin: PINS.server });
  const signIn = await ask(t.fetcher, t.base, 'POST', '/v1/auth/staff', {
    ...rightPin,
    headers: { ...rightPin.headers, ...t.device },
  });
  // Every route again as a page of another site would: the preflight, then the request.
  const crossOrigin: Answer[] = [];
  for (const route of t.routes) {
    const path = fillPath(route.path, PATH_VALUES);
    crossOrigin.push(
      await ask(t.fetcher, t.base, 'OPTIONS', path, {
        headers: {
          Origin: FOREIGN_ORIGIN,
          'Access-Control-Request-Method': route.method,
          'Access-Control-Request-Headers': 'authorization, content-type',
        },
      }),
      await ask(t.fetcher, t.base, route.method, path, {
        headers: {
          Origin: FOREIGN_ORIGIN,
          ...(t.token ? { Authorization: `Bearer ${t.token}` } : {}),
        },
      }),
    );
  }
  for (const answer of crossOrigin) findings.push(...tagged(checkCors(answer, FOREIGN_ORIGIN)));
  const errors = await errorProbes(t);
  for (const e of errors)
    if (e.status < 400)
      findings.push(...tagged([{ where: e.label, problem: `error probe answered ${e.status}` }]));
    else findings.push(...tagged(checkUnauthenticated(e, false)));
  if (signIn.status !== 200)
    findings.push(
      ...tagged([
        { where: signIn.label, problem: `sign-in with a right PIN answered ${signIn.status}` },
      ]),
    );
  const all = [...routeAnswers, ...pageAnswers, signIn, ...crossOrigin, ...errors];
  for (const answer of all) {
    findings.push(...tagged(checkHeaders(answer, { hsts: t.hsts })));
    // The PWA's files are our source by design (its bundle names TypeError); the rest is not.
    if (!pageAnswers.includes(answer)) findings.push(...tagged(checkLeaks(answer)));
    findings.push(...tagged(checkTokenCaching(answer)));
    findings.push(...tagged(checkCookies(answer, { https: t.hsts })));
  }
  return { routes: t.routes.length, answers: all.length, findings };
}

/**
 * The live socket refuses a handshake without a token, with a bad one, and from another site,
 * each with a real cursor (so only the credential or the origin can be what stops it); the same
 * handshake with the token from no foreign page opens, so a refusal is not an accident.
 */
async function liveSocketRefusals(name: string, base: string, token: string): Promise<Finding[]> {
  const snapshot = await fetch(`${base}/v1/venues/${VENUE}/snapshot`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const { cursor } = (await snapshot.json()) as { cursor: string };
  const url = `${base.replace(/^http/, 'ws')}/v1/venues/${VENUE}/live?cursor=${encodeURIComponent(cursor)}`;
  const attempts: [string, Parameters<typeof websocketAttempt>[1]][] = [
    ['no token', {}],
    ['a malformed token', { protocols: ['hearth.v1', 'bearer.not-a-token'] }],
    [
      `a valid token from ${FOREIGN_ORIGIN}`,
      { protocols: ['hearth.v1', `bearer.${token}`], origin: FOREIGN_ORIGIN },
    ],
  ];
  const findings: Finding[] = [];
  for (const [what, options] of attempts) {
    const result = await websocketAttempt(url, options);
    if (result.opened || result.status === undefined || result.status < 400)
      findings.push({
        where: `${name} websocket /live`,
        problem: `with ${what}: ${JSON.stringify(result)}`,
      });
  }
  const control = await websocketAttempt(url, { protocols: ['hearth.v1', `bearer.${token}`] });
  if (!control.opened)
    findings.push({
      where: `${name} websocket /live`,
      problem: `a valid handshake did not open: ${JSON.stringify(control)}`,
    });
  totals.answers += attempts.length + 1;
  totals.findings.push(...findings);
  return findings;
}

/** The relay's route table, read from its LAN app built on inert stand-ins (no request is served). */
function relayRoutes(): Route[] {
  // Any property is callable and gives itself; as a number it is 1 (limits, sizes).
  const inert: unknown = new Proxy(() => inert, {
    get: (_, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => 1 : inert),
    apply: () => inert,
  });
  const identity = {
    cloudUrl: 'http://cloud.invalid',
    venueId: VENUE,
    venuePinKey: 'A'.repeat(43),
  };
  const live = createLanLiveRoute(inert as LanLiveDeps);
  const deps = new Proxy({} as LanAppDeps, {
    get: (_, key) =>
      key === 'identity'
        ? identity
        : key === 'live'
          ? live
          : key === 'maxBodyBytes'
            ? undefined
            : key === 'webDir'
              ? '/nonexistent'
              : inert,
  });
  return honoRoutes(createLanApp(deps).routes);
}

const fetchProcess: Fetcher = (url, init) => fetch(url, init);
const totals = { routes: 0, answers: 0, findings: [] as Finding[] };
function record(result: ScanResult): Finding[] {
  totals.routes += result.routes;
  totals.answers += result.answers;
  totals.findings.push(...result.findings);
  return result.findings;
}

let h: VenueHarness;
let tlsRelay: TlsRelay | undefined;
let caPem: string;
let cloudRoutes: Route[];
const tmp = mkdtempSync(join(tmpdir(), 'hearth-baseline-scan-'));

beforeAll(async () => {
  if (webDistIsStale()) await buildWeb();
  h = await venueHarness({
    cloudEnv: { HEARTH_WEB_DIR: WEB_DIST, HEARTH_PUBLIC_ORIGIN: 'https://guests.example' },
    relayEnv: { HEARTH_WEB_DIR: WEB_DIST },
  });
  cloudRoutes = openApiRoutes(
    (await (await fetch(`${h.cloud.url}/openapi.json`)).json()) as Parameters<
      typeof openApiRoutes
    >[0],
  );

  // A second relay, enrolled as its own node, serving HTTPS with a venue-CA certificate.
  const node = await fetch(`${h.cloud.url}/v1/venues/${VENUE}/edge/nodes`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${h.cloudTokens.manager}`,
    },
    body: JSON.stringify({ name: 'baseline-scan tls relay' }),
  });
  if (node.status !== 201) throw new Error(`create edge node: ${node.status} ${await node.text()}`);
  const { enrollmentToken } = (await node.json()) as { enrollmentToken: string };
  const now = new Date();
  const ca = await createVenueCa({ venueId: VENUE, now });
  const leaf = await issueServerCertificate(ca, { dnsNames: [], ipAddresses: ['127.0.0.1'], now });
  caPem = certificatePem(ca.certificate);
  writeFileSync(join(tmp, 'cert.pem'), leaf.certPem);
  writeFileSync(join(tmp, 'key.pem'), leaf.keyPem, { mode: 0o600 });
  tlsRelay = await startTlsRelay({
    port: await findFreePort(),
    cloudUrl: h.cloud.url,
    dataDir: join(tmp, 'tls-relay'),
    enrollToken: enrollmentToken,
    certFile: join(tmp, 'cert.pem'),
    keyFile: join(tmp, 'key.pem'),
    ca: caPem,
  });
}, BUILD_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await tlsRelay?.kill();
  await h?.close();
  rmSync(tmp, { recursive: true, force: true });
  console.log(
    `baseline scan: ${totals.routes} routes scanned, ${totals.answers} answers checked, ${totals.findings.length} findings`,
  );
}, 30_000);

const explain = (findings: Finding[]) => findings.map((f) => `${f.where}: ${f.problem}`).join('\n');
/** No finding at all. */
const expectClean = (findings: Finding[]) => {
  expect(findings, explain(findings)).toEqual([]);
};

describe('the baseline scan', () => {
  it('the cloud: every route of its /openapi.json without credentials, its pages, its error pages', async () => {
    expect(cloudRoutes.length).toBeGreaterThan(10);
    const findings = record(
      await scan(
        {
          name: 'cloud',
          base: h.cloud.url,
          fetcher: fetchProcess,
          routes: cloudRoutes,
          hsts: true,
          token: h.cloudTokens.manager,
          device: h.tablet.header,
        },
        { pages: true },
      ),
    );
    findings.push(...(await liveSocketRefusals('cloud', h.cloud.url, h.cloudTokens.manager)));
    expectClean(findings);
  });

  it("the relay: every route of its LAN app and of the cloud's document, its pages, its error pages", async () => {
    const own = relayRoutes();
    expect(own.map((r) => `${r.method} ${r.path}`)).toContain('GET /v1/venues/:venueId/live');
    const findings = record(
      await scan(
        {
          name: 'relay',
          base: h.relay.url,
          fetcher: fetchProcess,
          routes: uniqueRoutes([...own, ...cloudRoutes]),
          hsts: false,
          token: h.tokens.manager,
          device: h.tablet.header,
        },
        { pages: true },
      ),
    );
    findings.push(...(await liveSocketRefusals('relay', h.relay.url, h.tokens.manager)));
    expectClean(findings);
  });

  it('the relay over HTTPS: TLS 1.0/1.1 refused, 1.2/1.3 accepted, no weak key, HSTS on its answers', async () => {
    const relay = tlsRelay as TlsRelay;
    const findings = await checkTls('relay https', relay.port);
    // The venue CA's leaf: P-256, and TLS 1.3 where both ends can.
    expect(await handshake(relay.port, 'TLSv1.2', 'TLSv1.3')).toMatchObject({
      ok: true,
      protocol: 'TLSv1.3',
      keyType: 'ec',
      curve: 'prime256v1',
    });
    // Guest sign-in needs the venue's tables: wait until the relay has them from the cloud.
    const guest = await vi.waitFor(
      async () => {
        const answer = await httpsAsk(`${relay.url}/v1/auth/guest`, caPem, 'POST', {
          venueId: VENUE,
          table: '5',
        });
        expect(answer.status).toBe(200);
        return answer;
      },
      { timeout: 15_000, interval: 100 },
    );
    const answers = [
      guest,
      await httpsAsk(`${relay.url}/healthz`, caPem),
      await httpsAsk(`${relay.url}/v1/venues/${VENUE}/snapshot`, caPem),
      await httpsAsk(`${relay.url}/v1/no-such-route`, caPem),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 404]);
    for (const answer of answers)
      findings.push(
        ...checkHeaders(answer, { hsts: true }),
        ...checkLeaks(answer),
        ...checkTokenCaching(answer),
        ...checkCookies(answer, { https: true }),
      );
    totals.answers += answers.length + 4;
    totals.findings.push(...findings);
    expectClean(findings);
  });
});

// ---------------------------------------------------------------------------------------------
// The checks can fail: the same scan against a bad app, the TLS check against a weak server.

/** Everything wrong at once: banners, no headers, data to anyone, stack traces, cached tokens. */
function badApp(): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    c.header('X-Powered-By', 'Express 4.17.1');
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Server', 'nginx/1.18.0');
    c.header(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    );
  });
  app.get('/v1/venues/:venueId/snapshot', (c) =>
    c.json({ records: [{ id: 'order-1', total: 4200 }] }),
  );
  app.post('/v1/auth/staff', async (c) => {
    const body = await c.req.json();
    c.header('Set-Cookie', 'session=eyJ.secret.token; Path=/');
    return c.json({ token: 'eyJ.secret.token', pin: body.pin });
  });
  app.notFound((c) => c.text('Cannot find that', 404));
  app.onError((error, c) =>
    c.text(
      `${error.name}: ${error.message}\n    at handler (/work/main/cloud/app.ts:42:7)\nSELECT * FROM staff WHERE pin = '1111'`,
      500,
    ),
  );
  return app;
}

describe('the checks catch a bad server', () => {
  it('a bad app: every kind of finding', async () => {
    const app = badApp();
    const result = await scan(
      {
        name: 'bad',
        base: 'http://bad.invalid',
        fetcher: (url, init) => Promise.resolve(app.fetch(new Request(url, init))),
        routes: [
          { method: 'GET', path: '/v1/venues/:venueId/snapshot' },
          { method: 'POST', path: '/v1/auth/staff' },
        ],
        hsts: true,
      },
      { pages: false },
    );
    const problems = result.findings.map((f) => f.problem).join('\n');
    for (const expected of [
      /answered 200 without credentials/,
      /not application\/problem\+json/,
      /CSP scripts allow 'unsafe-inline'/,
      /CSP script-src allows 'unsafe-eval'/,
      /framing allowed/,
      /no X-Content-Type-Options/,
      /Referrer-Policy missing/,
      /Server banner with a version/,
      /X-Powered-By/,
      /HSTS missing/,
      /carries a token but Cache-Control/,
      /a stack trace/,
      /a file system path/,
      /a source location/,
      /SQL text/,
      /an exception name/,
      /error probe answered 200/,
      /cookie session without HttpOnly/,
      /cookie session without SameSite/,
      /cookie session without Secure on an HTTPS origin/,
      /the parser's own message/,
      /CORS grants https:\/\/attacker.example \(Allow-Origin \*\)/,
    ])
      expect(problems).toMatch(expected);
  });

  it('a problem without a kind, or with a wrong status, is a finding', () => {
    const problem = (status: number, body: unknown): Answer => ({
      label: 'GET /x',
      status,
      headers: new Headers({ 'Content-Type': 'application/problem+json' }),
      body: JSON.stringify(body),
    });
    expect(checkUnauthenticated(problem(401, { status: 401, title: 'no' }), false)).toHaveLength(1);
    expect(
      checkUnauthenticated(problem(401, { status: 400, kind: 'sign_in' }), false),
    ).toHaveLength(1);
    expect(checkUnauthenticated(problem(401, { status: 401, kind: 'sign_in' }), false)).toEqual([]);
    // A public route may answer 2xx; the same answer elsewhere is a finding.
    const ok: Answer = { label: 'GET /x', status: 200, headers: new Headers(), body: '{}' };
    expect(checkUnauthenticated(ok, true)).toEqual([]);
    expect(checkUnauthenticated(ok, false)).toHaveLength(1);
  });

  it('a TLS server that accepts TLS 1.0 with a 1024-bit RSA key', async () => {
    const { cert, key } = opensslSelfSigned(tmp, 1024);
    const server: TlsServer = createTlsServer({
      cert: readFileSync(cert),
      key: readFileSync(key),
      minVersion: 'TLSv1',
      ciphers: 'ALL:@SECLEVEL=0',
    });
    server.on('secureConnection', (socket) => socket.end());
    server.on('tlsClientError', () => undefined);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const port = (server.address() as { port: number }).port;
      const problems = (await checkTls('weak', port)).map((f) => f.problem);
      expect(problems).toEqual(
        expect.arrayContaining(['accepts TLSv1', 'accepts TLSv1.1', 'RSA key of 1024 bits']),
      );
    } finally {
      server.close();
    }
  });
});
