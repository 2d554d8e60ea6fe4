import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import {
  type AnyEntity,
  canonicalJson,
  ENTITY_KINDS,
  type EntitySet,
  emptyEntitySet,
  type FeedEntry,
  type FeedPage,
  type JsonValue,
  type LiveFrame,
  listEntities,
  makeOperation,
  type Operation,
  type OperationType,
  type OpResult,
  project,
  projectRecords,
  type RelayConnectivity,
  type Snapshot,
} from '#protocol';
import { type FaultProxy, startFaultProxy } from '../../faults/fault-proxy.ts';
import { waitFor } from '../../support/wait-for.ts';
import { CloudClient, type PairedDevice } from './cloud-client.ts';
import { type CloudProcess, findFreePort, startCloud, stopAllChildren } from './processes.ts';

// The venue relay as a real process (`bun relay/main.ts`) for end-to-end tests, and a harness
// that puts one in front of a real cloud through a fault proxy. No process outlives the run.

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUN_BIN = fileURLToPath(new URL('../../../node_modules/.bin/bun', import.meta.url));
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
/** Every HTTP call the helpers make is bounded by this. */
export const REQUEST_TIMEOUT_MS = 10_000;

export const VENUE = 'demo-bistro';
export const TENANT = 'demo';
export const PINS = { server: '1111', kitchen: '2222', manager: '3333', owner: '4444' } as const;
export type StaffRole = keyof typeof PINS;
const ROLES = Object.keys(PINS) as StaffRole[];

/** One JSON log line of the relay (stdout or stderr); `raw` for a line that is not JSON. */
export interface RelayLogLine {
  readonly time?: string;
  readonly level?: string;
  readonly msg?: string;
  readonly raw?: string;
  readonly [field: string]: unknown;
}

export interface RelayHealth {
  readonly status: string;
  readonly connectivity: RelayConnectivity;
  readonly connectivitySince: string | null;
  readonly journalDepth: number;
  readonly oldestUnsyncedAt: string | null;
  readonly connectedDevices: number;
  /** How the LAN port is served and until when its certificate holds (notAfter null: plain). */
  readonly tls?: { readonly mode: string; readonly notAfter: string | null };
}

export interface RelayProcess {
  /** `http://127.0.0.1:<port>` in plain mode, else `https://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** How it serves its LAN port. */
  readonly tls: RelayTlsMode;
  /** Its HEARTH_DATA_DIR; the venue CA is `tls/venue-ca.crt` in it. */
  readonly dataDir: string;
  /** The onboarding page (venue-CA mode only). */
  readonly onboardingUrl: string | undefined;
  /** The PEM a client must trust to reach `url` (undefined in plain mode). */
  ca(): string | undefined;
  readonly pid: number;
  /** Everything the process has written so far. */
  output(): { stdout: string; stderr: string };
  /** Its JSON log lines so far, in order (stdout and stderr each in order; merged by time). */
  logLines(): RelayLogLine[];
  /** The `connectivity` log lines: every transition with its time. */
  transitions(): { at: number; from: string; to: string; reason: string }[];
  /** True once the process has exited (for whatever reason). */
  exited(): boolean;
  health(): Promise<RelayHealth>;
  /** Reads /healthz until `connectivity` is `status` (or one of them); fails after `timeoutMs`. */
  waitForConnectivity(
    status: RelayConnectivity | readonly RelayConnectivity[],
    timeoutMs: number,
  ): Promise<RelayHealth>;
  /** SIGTERM, then wait for the exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** SIGKILL, as a power cut would; resolves once the process is gone. */
  kill9(): Promise<void>;
}

/**
 * `plain`: HEARTH_PLAIN_HTTP=1 (the default here, so tests speak plain HTTP); `venue-ca`: the
 * relay's own CA, onboarding page on a free port; `{ cert, key, ca }`: the operator's PEM files,
 * `ca` the PEM that vouches for `cert` (for health checks and `ca()`).
 */
export type RelayTlsMode = 'plain' | 'venue-ca' | { cert: string; key: string; ca: string };

export interface RelayOptions {
  cloudUrl: string;
  /** Default `plain`. */
  tls?: RelayTlsMode;
  dataDir: string;
  enrollToken?: string;
  rescueUrl?: string;
  /** Default: a free port. */
  port?: number;
  /**
   * Extra or overriding environment variables. Defaults set here: HEARTH_PROBE_INTERVAL_MS=200
   * (tests notice a cut or a return within a second), HEARTH_HEARTBEAT_INTERVAL_MS=500 (the
   * cloud hears of the relay's devices within a second) and HEARTH_WEB_DIR pointing at nothing
   * (the LAN API only, no PWA files).
   */
  env?: Record<string, string>;
}

interface Spawned {
  readonly child: ChildProcess;
  readonly closed: Promise<void>;
  stdout: string;
  stderr: string;
}

const relays = new Set<Spawned>();

// Last resort if a test forgot its relay or the worker is torn down mid-test.
process.on('exit', () => {
  for (const { child } of relays) child.kill('SIGKILL');
});

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

const hasExited = (child: ChildProcess): boolean =>
  child.exitCode !== null || child.signalCode !== null;

async function waitForClose(spawned: Spawned, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([spawned.closed.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function kill(spawned: Spawned, signal: NodeJS.Signals): Promise<void> {
  if (!hasExited(spawned.child)) spawned.child.kill(signal);
  if (await waitForClose(spawned, STOP_TIMEOUT_MS)) return;
  spawned.child.kill('SIGKILL');
  if (!(await waitForClose(spawned, STOP_TIMEOUT_MS)))
    throw new Error(`relay ${spawned.child.pid} survived SIGKILL for ${STOP_TIMEOUT_MS} ms`);
}

function parseLines(text: string): RelayLogLine[] {
  const lines: RelayLogLine[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed: unknown = JSON.parse(line);
      lines.push(
        typeof parsed === 'object' && parsed !== null ? (parsed as RelayLogLine) : { raw: line },
      );
    } catch {
      lines.push({ raw: line });
    }
  }
  return lines;
}

/**
 * Starts `bun relay/main.ts` with the given data directory and uplink, and resolves once its
 * `/healthz` answers. The caller must `stop()` or `kill9()` it; `stopAllRelays()` catches the
 * ones it forgot.
 */
export async function startRelay(options: RelayOptions): Promise<RelayProcess> {
  if (!existsSync(BUN_BIN)) throw new Error(`bun not found at ${BUN_BIN}; run npm ci`);
  const port = options.port ?? (await findFreePort());
  const tls = options.tls ?? 'plain';
  const url = `${tls === 'plain' ? 'http' : 'https'}://127.0.0.1:${port}`;
  const onboardingPort = tls === 'venue-ca' ? await findFreePort() : undefined;
  const tlsEnv: Record<string, string> =
    tls === 'plain'
      ? { HEARTH_PLAIN_HTTP: '1' }
      : tls === 'venue-ca'
        ? { HEARTH_ONBOARDING_PORT: String(onboardingPort) }
        : { HEARTH_TLS_CERT: tls.cert, HEARTH_TLS_KEY: tls.key };
  const ca = (): string | undefined => {
    if (tls === 'plain') return undefined;
    if (tls !== 'venue-ca') return tls.ca;
    const path = join(options.dataDir, 'tls', 'venue-ca.crt');
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  };
  // The relay's own settings come from here only, never from the test runner's environment.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !/^(HEARTH_|PORT$)/.test(e[0]),
    ),
  );
  const env: Record<string, string> = {
    ...inherited,
    PORT: String(port),
    HEARTH_DATA_DIR: options.dataDir,
    HEARTH_CLOUD_URL: options.cloudUrl,
    HEARTH_WEB_DIR: join(options.dataDir, 'no-web'),
    HEARTH_PROBE_INTERVAL_MS: '200',
    HEARTH_HEARTBEAT_INTERVAL_MS: '500',
    ...tlsEnv,
    ...(options.enrollToken ? { HEARTH_ENROLL_TOKEN: options.enrollToken } : {}),
    ...(options.rescueUrl ? { HEARTH_RESCUE_URL: options.rescueUrl } : {}),
    ...options.env,
  };
  // Started as scripts/start.mjs starts it: Bun's header limit above the app's (431 problem).
  const child = spawn(BUN_BIN, ['--max-http-header-size=65536', 'relay/main.ts'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const spawned: Spawned = {
    child,
    stdout: '',
    stderr: '',
    closed: new Promise<void>((resolve) => {
      child.once('close', () => resolve());
      child.once('error', (error) => {
        spawned.stderr += `spawn error: ${error.message}\n`;
        resolve();
      });
    }),
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    spawned.stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    spawned.stderr += chunk;
  });
  relays.add(spawned);
  void spawned.closed.then(() => relays.delete(spawned));

  const health = async (): Promise<RelayHealth> => {
    if (tls !== 'plain') {
      const http = await httpsCall(`${url}/healthz`, ca() ?? '', { timeoutMs: 2_000 });
      if (http.status !== 200) throw new Error(`/healthz answered ${http.status}`);
      return json<RelayHealth>(http);
    }
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    if (!res.ok) throw new Error(`/healthz answered ${res.status}`);
    return (await res.json()) as RelayHealth;
  };

  const ready = await waitFor(
    `the relay at ${url} answering /healthz`,
    async () => {
      if (hasExited(child)) return 'exited';
      // fetch says why it failed (connection refused: not listening yet) only in its cause.
      await health().catch((error: unknown) => {
        throw error instanceof Error && error.cause
          ? new Error(`${error.message} ${String(error.cause)}`)
          : error;
      });
      return 'healthy';
    },
    { timeoutMs: READY_TIMEOUT_MS, intervalMs: 25 },
  ).catch(async (error: unknown) => {
    await kill(spawned, 'SIGKILL');
    throw new Error(`${messageOf(error)}\nstderr:\n${spawned.stderr}`);
  });
  if (ready === 'exited') {
    throw new Error(
      `relay exited before it was ready (code ${child.exitCode}, signal ${child.signalCode})\nstderr:\n${spawned.stderr}\nstdout:\n${spawned.stdout.slice(-4000)}`,
    );
  }

  const logLines = (): RelayLogLine[] => {
    const all = [...parseLines(spawned.stdout), ...parseLines(spawned.stderr)];
    // A stable sort by time keeps each stream's own order for lines of the same millisecond.
    return all
      .map((line, i) => ({ line, i, t: typeof line.time === 'string' ? Date.parse(line.time) : 0 }))
      .sort((a, b) => a.t - b.t || a.i - b.i)
      .map(({ line }) => line);
  };

  return {
    url,
    port,
    tls,
    dataDir: options.dataDir,
    onboardingUrl: onboardingPort === undefined ? undefined : `http://127.0.0.1:${onboardingPort}`,
    ca,
    pid: child.pid ?? -1,
    output: () => ({ stdout: spawned.stdout, stderr: spawned.stderr }),
    logLines,
    transitions: () =>
      logLines()
        .filter((l) => l.msg === 'connectivity')
        .map((l) => ({
          at: Date.parse(String(l.time)),
          from: String(l.from),
          to: String(l.to),
          reason: String(l.reason),
        })),
    exited: () => hasExited(child),
    health,
    async waitForConnectivity(status, timeoutMs) {
      const wanted: readonly RelayConnectivity[] = typeof status === 'string' ? [status] : status;
      let seen = 'nothing yet';
      const found = await waitFor(
        `the relay ${wanted.join('|')}`,
        async () => {
          if (hasExited(child)) return 'exited';
          try {
            const h = await health();
            if (wanted.includes(h.connectivity)) return h;
            seen = `${h.connectivity} (journal ${h.journalDepth})`;
          } catch (error) {
            seen = messageOf(error);
          }
          return undefined;
        },
        { timeoutMs, intervalMs: 25 },
      ).catch(() => {
        throw new Error(
          `relay not ${wanted.join('|')} after ${timeoutMs} ms (last: ${seen}); transitions:\n${logLines()
            .filter((l) => l.msg === 'connectivity')
            .map((l) => `${l.time} ${l.from} → ${l.to}: ${l.reason}`)
            .join('\n')}`,
        );
      });
      if (found === 'exited')
        throw new Error(
          `relay exited while waiting for ${wanted.join('|')}\nstderr:\n${spawned.stderr}`,
        );
      return found;
    },
    stop: () => kill(spawned, 'SIGTERM'),
    kill9: () => kill(spawned, 'SIGKILL'),
  };
}

/** SIGKILLs every relay still running; for `afterEach`/`afterAll`. */
export async function stopAllRelays(): Promise<void> {
  await Promise.all([...relays].map((spawned) => kill(spawned, 'SIGKILL')));
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

export interface Http {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export async function call(url: string, init: RequestInit = {}): Promise<Http> {
  const res = await fetch(url, {
    ...init,
    signal: init.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/**
 * An HTTPS request trusting only `ca` (Node's fetch takes no CA of its own): what a device
 * that installed the venue CA, or trusts the operator's issuer, sees.
 */
export function httpsCall(
  url: string,
  ca: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    timeoutMs?: number;
  } = {},
): Promise<Http> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: init.method ?? 'GET',
        headers: init.headers,
        ca,
        timeout: init.timeoutMs ?? REQUEST_TIMEOUT_MS,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            if (value !== undefined)
              headers.set(name, Array.isArray(value) ? value.join(', ') : value);
          resolve({ status: res.statusCode ?? 0, headers, text });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url} timed out`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

export const json = <T>(http: Http): T => JSON.parse(http.text) as T;
export const describeHttp = (http: Http): string => `${http.status} ${http.text.slice(0, 400)}`;
export const venuePath = (rest: string): string => `/v1/venues/${VENUE}${rest}`;

/** An op of the demo venue, made as a device makes it (acted by `actorId`). */
export function venueOp<T extends OperationType>(
  type: T,
  payload: unknown,
  deviceId: string,
  actorId: string,
  dependsOn: string[] = [],
): Promise<Operation> {
  return makeOperation({
    type,
    payload,
    deviceId,
    tenantId: TENANT,
    venueId: VENUE,
    actorId,
    dependsOn,
  });
}

/**
 * A staff token for `role` (its demo PIN) from the cloud or relay at `base`, signed in on the
 * paired device whose header is `device` (staff sign in only on one: decision 034).
 */
export async function signIn(
  base: string,
  role: StaffRole,
  device: Readonly<Record<string, string>> = {},
): Promise<string> {
  const http = await call(`${base}/v1/auth/staff`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...device },
    body: JSON.stringify({ venueId: VENUE, pin: PINS[role] }),
  });
  if (http.status !== 200) throw new Error(`sign-in as ${role} at ${base}: ${describeHttp(http)}`);
  return json<{ token: string }>(http).token;
}

/** What `bun relay/main.ts pair` printed, and the link's code. */
export interface SetupLink {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
  readonly pairUrl: string | undefined;
  readonly code: string | undefined;
}

/**
 * Runs the relay's setup pairing command on `relay`'s data dir, as an operator does on the box
 * (`--origin` the relay's URL, so the link points where this test reaches it).
 */
export function setupLinkAtRelay(
  relay: Pick<RelayProcess, 'dataDir' | 'url'>,
  role: 'floor' | 'kitchen' = 'floor',
): SetupLink {
  const run = spawnSync(BUN_BIN, ['relay/main.ts', 'pair', '--role', role, '--origin', relay.url], {
    cwd: REPO_ROOT,
    env: { ...process.env, HEARTH_DATA_DIR: relay.dataDir },
    encoding: 'utf8',
    timeout: REQUEST_TIMEOUT_MS,
  });
  const pairUrl = /\S+\/pair#code=[\w.-]+/.exec(run.stdout ?? '')?.[0];
  return {
    stdout: run.stdout ?? '',
    stderr: run.stderr ?? '',
    status: run.status,
    pairUrl,
    code: pairUrl?.split('#code=')[1],
  };
}

/** Redeems a pairing code at `base` for `deviceId`: the answer, and the credential it set. */
export async function redeemPairing(
  base: string,
  code: string,
  deviceId: string,
  name = 'E2e tablet',
): Promise<{ http: Http; device: PairedDevice | undefined }> {
  const http = await call(`${base}/v1/devices/pair`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code, deviceId, name }),
  });
  const secret = /hearth_device=([^;]+)/.exec(http.headers.get('set-cookie') ?? '')?.[1];
  return {
    http,
    device:
      secret === undefined
        ? undefined
        : { deviceId, secret, header: { 'X-Hearth-Device': secret } },
  };
}

/** A device paired at a plain-HTTP relay with its setup command (works with the uplink down). */
export async function pairAtRelay(
  relay: Pick<RelayProcess, 'dataDir' | 'url'>,
  deviceId: string,
  role: 'floor' | 'kitchen' = 'floor',
): Promise<PairedDevice> {
  const link = setupLinkAtRelay(relay, role);
  if (link.code === undefined)
    throw new Error(`relay pair printed no link (exit ${link.status}): ${link.stderr}`);
  const { http, device } = await redeemPairing(relay.url, link.code, deviceId);
  if (http.status !== 201 || !device)
    throw new Error(`pairing ${deviceId} at the relay: ${describeHttp(http)}`);
  return device;
}

/** A browser context's cookie jar (Playwright's `BrowserContext.addCookies`). */
export interface CookieJar {
  addCookies(
    cookies: {
      name: string;
      value: string;
      url: string;
      httpOnly: boolean;
      secure: boolean;
      sameSite: 'Strict';
    }[],
  ): Promise<void>;
}

/**
 * Gives a browser the credential of a paired device, as the pair page leaves it: the HttpOnly
 * `hearth_device` cookie for `url`'s host (cookies ignore the port), so PIN sign-in works there.
 */
export function giveDeviceCookie(jar: CookieJar, url: string, device: PairedDevice): Promise<void> {
  return jar.addCookies([
    {
      name: 'hearth_device',
      value: device.secret,
      url,
      httpOnly: true,
      secure: url.startsWith('https:'),
      sameSite: 'Strict',
    },
  ]);
}

/** GET `url` with a bearer token; throws unless 200. */
export async function getJson<T>(url: string, token: string): Promise<T> {
  const http = await call(url, { headers: { Authorization: `Bearer ${token}` } });
  if (http.status !== 200) throw new Error(`GET ${url}: ${describeHttp(http)}`);
  return json<T>(http);
}

export function postOpTo(base: string, op: Operation, token: string): Promise<Http> {
  return call(`${base}${venuePath('/ops')}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${token}`,
      'Idempotency-Key': op.opId,
    },
    body: JSON.stringify(op),
  });
}

/** Reads a feed after `cursor` to its end (bounded). */
async function readFeed(
  base: string,
  token: string,
  cursor: string,
  maxPages = 500,
): Promise<{ entries: FeedEntry[]; cursor: string }> {
  const entries: FeedEntry[] = [];
  let at = cursor;
  for (let i = 0; i < maxPages; i++) {
    const q = new URLSearchParams({ cursor: at, limit: '1000' });
    const page = await getJson<FeedPage>(`${base}${venuePath(`/feed?${q}`)}`, token);
    entries.push(...page.entries);
    at = page.cursor;
    if (!page.hasMore) return { entries, cursor: at };
  }
  throw new Error(`feed at ${base} did not end within ${maxPages} pages`);
}

/** An entity without its version, as canonical JSON (relay and cloud number versions apart). */
export function unversioned(entity: AnyEntity): string {
  return canonicalJson({ ...entity, version: 0 } as JsonValue);
}

/** Every entity of a set as `kind/id` → unversioned canonical JSON. */
export function flatten(set: EntitySet): Map<string, string> {
  const out = new Map<string, string>();
  for (const kind of ENTITY_KINDS)
    for (const entity of listEntities(set, kind))
      out.set(`${kind}/${entity.id}`, unversioned(entity));
  return out;
}

/** The differences between two flattened sets (for a readable failure), at most `max`. */
export function differences(
  a: Map<string, string>,
  b: Map<string, string>,
  max = 10,
): { key: string; relay?: string; cloud?: string }[] {
  const out: { key: string; relay?: string; cloud?: string }[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(key);
    const y = b.get(key);
    if (x === y) continue;
    out.push({
      key,
      ...(x === undefined ? {} : { relay: x }),
      ...(y === undefined ? {} : { cloud: y }),
    });
    if (out.length >= max) break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Live sockets

/** A `…/live` websocket client that records every frame with the time it arrived. */
export class LiveClient {
  readonly entries: FeedEntry[] = [];
  readonly notices: OpResult[] = [];
  readonly errors: unknown[] = [];
  /** performance.now() when the first entry of each opId arrived. */
  readonly firstSeen = new Map<string, number>();
  frames = 0;
  closedWith: { code: number; reason: string } | undefined;
  private readonly ws: WebSocket;
  private readonly closed: Promise<void>;

  constructor(url: string, token: string) {
    this.ws = new WebSocket(url, ['hearth.v1', `bearer.${token}`]);
    this.closed = new Promise((resolve) => this.ws.once('close', () => resolve()));
    this.ws.on('message', (data) => {
      const at = performance.now();
      const frame = JSON.parse(String(data)) as LiveFrame;
      this.frames++;
      if (frame.type === 'entries') {
        for (const entry of frame.entries) {
          this.entries.push(entry);
          if (entry.opId && !this.firstSeen.has(entry.opId)) this.firstSeen.set(entry.opId, at);
        }
      } else if (frame.type === 'notice') {
        this.notices.push(frame.result);
      } else if (frame.type === 'error') {
        this.errors.push(frame.problem);
      }
    });
    this.ws.on('close', (code, reason) => {
      this.closedWith = { code, reason: String(reason) };
    });
    this.ws.on('error', (error) => this.errors.push(error.message));
  }

  /** Resolves once the server has sent its first frame (the heartbeat after the backlog). */
  ready(ms = REQUEST_TIMEOUT_MS): Promise<void> {
    return waitFor('the first live frame', () => this.frames > 0 || this.errors.length > 0, {
      timeoutMs: ms,
      intervalMs: 10,
    }).then(() => undefined);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close(1000, 'test done');
    const timeout = sleep(2_000).then(() => 'timeout' as const);
    if ((await Promise.race([this.closed, timeout])) === 'timeout') this.ws.terminate();
  }

  terminate(): void {
    this.ws.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// The venue harness: cloud ← fault proxy ← relay ← devices

export interface HarnessOptions {
  /** Put a second fault proxy in front of the cloud and give it to the relay as its rescue link. */
  readonly rescue?: boolean;
  /** Extra relay environment (HEARTH_RESCUE_AFTER_MS, …). */
  readonly relayEnv?: Record<string, string>;
  /** Extra cloud environment (HEARTH_DEPENDENCY_HOLD_MS, …). */
  readonly cloudEnv?: Record<string, string>;
}

export interface VenueHarness {
  readonly cloud: CloudProcess;
  /** The relay's primary uplink. */
  readonly proxy: FaultProxy;
  /** The relay's rescue uplink (with `rescue: true`). */
  readonly rescueProxy: FaultProxy | undefined;
  /** The relay process running now (replaced by restartRelay). */
  readonly relay: RelayProcess;
  readonly relayDataDir: string;
  /** Staff tokens from signing in AT THE RELAY. */
  readonly tokens: Readonly<Record<StaffRole, string>>;
  /** Staff tokens from signing in at the cloud directly (a device on mobile data). */
  readonly cloudTokens: Readonly<Record<StaffRole, string>>;
  /** The tablet every harness sign-in is on: paired at the cloud, known to the relay by its feed. */
  readonly tablet: PairedDevice;
  /** Signs in at the relay again (e.g. while it is offline: a relay-issued token). */
  signInAtRelay(role: StaffRole): Promise<string>;
  /** Starts the relay again on the same data directory and port. */
  restartRelay(): Promise<RelayProcess>;
  postRelay(op: Operation, role: StaffRole | { token: string }): Promise<Http>;
  postCloud(op: Operation, role: StaffRole): Promise<Http>;
  relayOp(opId: string, role?: StaffRole): Promise<Http>;
  cloudOp(opId: string, role?: StaffRole): Promise<Http>;
  cloudSnapshot(): Promise<Snapshot>;
  relaySnapshot(role?: StaffRole, scopes?: string): Promise<Snapshot>;
  cloudHead(): Promise<number>;
  /** Every cloud feed entry since the harness started. */
  cloudFeed(): Promise<FeedEntry[]>;
  /** Cloud feed entries per opId since the harness started. */
  countInCloud(): Promise<Map<string, FeedEntry[]>>;
  /** The relay's LAN feed since the harness started (manager's view). */
  relayFeed(): Promise<FeedEntry[]>;
  /** The cloud's entities: start snapshot projected with the cloud feed since. */
  cloudEntities(): Promise<EntitySet>;
  /** The relay's entities: start snapshot projected with the LAN feed since. */
  relayEntities(): Promise<EntitySet>;
  /** A live socket at the relay, from a fresh LAN snapshot's cursor. */
  openLive(role: StaffRole, options?: { deviceId?: string; scopes?: string }): Promise<LiveClient>;
  /** Waits until the relay is online or recovered with an empty journal. */
  waitSettled(timeoutMs?: number): Promise<RelayHealth>;
  close(): Promise<void>;
}

/**
 * A cloud, a fault proxy in front of it, and a relay enrolled through the proxy (its
 * HEARTH_CLOUD_URL is the proxy), with staff signed in at the relay.
 */
export async function venueHarness(options: HarnessOptions = {}): Promise<VenueHarness> {
  const root = mkdtempSync(join(tmpdir(), 'hearth-e2e-relay-'));
  const cloudDir = join(root, 'cloud');
  const relayDataDir = join(root, 'relay');
  const cleanups: [string, () => Promise<void>][] = [];
  const cleanup = async () => {
    // Processes first (a proxy that will not close must not leave a process behind); every
    // step is bounded, and a failing or stuck one does not keep the others from running.
    const order = (name: string) => (name === 'relay' ? 0 : name === 'cloud' ? 1 : 2);
    for (const [name, step] of [...cleanups].sort((a, b) => order(a[0]) - order(b[0]))) {
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise<'stuck'>((resolve) => {
        timer = setTimeout(() => resolve('stuck'), STOP_TIMEOUT_MS);
      });
      try {
        if ((await Promise.race([step(), stuck])) === 'stuck')
          console.warn(
            `venue harness: cleanup step "${name}" still running after ${STOP_TIMEOUT_MS} ms`,
          );
      } catch (error) {
        console.warn(`venue harness: cleanup step "${name}" failed: ${String(error)}`);
      } finally {
        clearTimeout(timer);
      }
    }
    await stopAllRelays();
    await stopAllChildren();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const cloud = await startCloud({
      dataDir: cloudDir,
      ...(options.cloudEnv ? { env: options.cloudEnv } : {}),
    });
    cleanups.push(['cloud', () => cloud.kill9()]);
    const target = { host: '127.0.0.1', port: cloud.port };
    const proxy = await startFaultProxy({ target });
    cleanups.push(['proxy', () => proxy.close()]);
    const rescueProxy = options.rescue ? await startFaultProxy({ target }) : undefined;
    if (rescueProxy) cleanups.push(['rescue proxy', () => rescueProxy.close()]);

    const cloudTokens = {} as Record<StaffRole, string>;
    // At the cloud, staff sign in on a paired tablet (decision 034).
    const cloudTablet = await CloudClient.paired(cloud.url, cloud.keysFile);
    for (const role of ROLES) cloudTokens[role] = await cloudTablet.signIn(role);
    const node = await call(`${cloud.url}${venuePath('/edge/nodes')}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${cloudTokens.manager}`,
      },
      body: JSON.stringify({ name: 'e2e relay' }),
    });
    if (node.status !== 201) throw new Error(`create edge node: ${describeHttp(node)}`);
    const { enrollmentToken } = json<{ enrollmentToken: string }>(node);

    const relayOptions: RelayOptions = {
      cloudUrl: proxy.url,
      dataDir: relayDataDir,
      ...(rescueProxy ? { rescueUrl: rescueProxy.url } : {}),
      env: { HEARTH_PROBE_INTERVAL_MS: '200', ...options.relayEnv },
    };
    let relay = await startRelay({ ...relayOptions, enrollToken: enrollmentToken });
    relayOptions.port = relay.port;
    cleanups.push(['relay', () => relay.kill9()]);
    await relay.waitForConnectivity(['online', 'recovered'], 15_000);
    // The relay must hold the cloud's state (bootstrap) before devices read it.
    const startHead = await getJson<Snapshot>(
      `${cloud.url}${venuePath('/snapshot')}`,
      cloudTokens.manager,
    );
    const tablet = cloudTablet.device;
    if (!tablet) throw new Error('the cloud tablet is not paired');
    // At the relay on the same tablet, once the cloud's feed has brought it there.
    const atRelay = (role: StaffRole) =>
      waitFor(
        `the relay knowing the tablet (${role})`,
        () =>
          signIn(relay.url, role, tablet.header).catch((error: unknown) => {
            if (messageOf(error).includes('DEVICE_NOT_PAIRED')) return undefined;
            throw error;
          }),
        { timeoutMs: REQUEST_TIMEOUT_MS, intervalMs: 50 },
      );
    const tokens = {} as Record<StaffRole, string>;
    for (const role of ROLES) tokens[role] = await atRelay(role);
    const relayStart = await waitFor(
      'the relay bootstrapped',
      async () => {
        const snap = await getJson<Snapshot>(
          `${relay.url}${venuePath('/snapshot')}`,
          tokens.manager,
        );
        return snap.records.length >= startHead.records.length ? snap : undefined;
      },
      { timeoutMs: REQUEST_TIMEOUT_MS, intervalMs: 25 },
    );

    const tokenOf = (role: StaffRole | { token: string }) =>
      typeof role === 'string' ? tokens[role] : role.token;

    const harness: VenueHarness = {
      cloud,
      proxy,
      rescueProxy,
      get relay() {
        return relay;
      },
      relayDataDir,
      tokens,
      cloudTokens,
      tablet,
      signInAtRelay: (role) => signIn(relay.url, role, tablet.header),
      async restartRelay() {
        relay = await startRelay(relayOptions);
        return relay;
      },
      postRelay: (op, role) => postOpTo(relay.url, op, tokenOf(role)),
      postCloud: (op, role) => postOpTo(cloud.url, op, cloudTokens[role]),
      relayOp: (opId, role = 'manager') =>
        call(`${relay.url}${venuePath(`/ops/${opId}`)}`, {
          headers: { Authorization: `Bearer ${tokens[role]}` },
        }),
      cloudOp: (opId, role = 'manager') =>
        call(`${cloud.url}${venuePath(`/ops/${opId}`)}`, {
          headers: { Authorization: `Bearer ${cloudTokens[role]}` },
        }),
      cloudSnapshot: () =>
        getJson<Snapshot>(`${cloud.url}${venuePath('/snapshot')}`, cloudTokens.manager),
      relaySnapshot: (role = 'manager', scopes) =>
        getJson<Snapshot>(
          `${relay.url}${venuePath(`/snapshot${scopes ? `?scopes=${scopes}` : ''}`)}`,
          tokens[role],
        ),
      cloudHead: async () => (await harness.cloudSnapshot()).seq,
      cloudFeed: async () =>
        (await readFeed(cloud.url, cloudTokens.manager, startHead.cursor)).entries,
      async countInCloud() {
        const byOp = new Map<string, FeedEntry[]>();
        for (const entry of await harness.cloudFeed()) {
          if (!entry.opId) continue;
          const list = byOp.get(entry.opId) ?? [];
          list.push(entry);
          byOp.set(entry.opId, list);
        }
        return byOp;
      },
      relayFeed: async () => (await readFeed(relay.url, tokens.manager, relayStart.cursor)).entries,
      async cloudEntities() {
        return project(
          projectRecords(emptyEntitySet(), startHead.records),
          await harness.cloudFeed(),
        );
      },
      async relayEntities() {
        return project(
          projectRecords(emptyEntitySet(), relayStart.records),
          await harness.relayFeed(),
        );
      },
      async openLive(role, { deviceId, scopes } = {}) {
        const snap = await harness.relaySnapshot(role, scopes);
        const q = new URLSearchParams({ cursor: snap.cursor });
        if (scopes) q.set('scopes', scopes);
        if (deviceId) q.set('deviceId', deviceId);
        const client = new LiveClient(
          `${relay.url.replace(/^http/, 'ws')}${venuePath(`/live?${q}`)}`,
          tokens[role],
        );
        await client.ready();
        if (client.errors.length > 0)
          throw new Error(`live socket failed: ${JSON.stringify(client.errors)}`);
        return client;
      },
      async waitSettled(timeoutMs = 20_000) {
        let last: RelayHealth | undefined;
        await waitFor(
          'the relay online with an empty journal',
          async () => {
            last = await relay.health().catch(() => undefined);
            return (
              last !== undefined &&
              (last.connectivity === 'online' || last.connectivity === 'recovered') &&
              last.journalDepth === 0
            );
          },
          { timeoutMs, intervalMs: 50 },
        ).catch((error: unknown) => {
          throw new Error(`${messageOf(error)} (last: ${JSON.stringify(last)})`);
        });
        return last as RelayHealth;
      },
      close: cleanup,
    };
    return harness;
  } catch (error) {
    await cleanup();
    throw error;
  }
}
