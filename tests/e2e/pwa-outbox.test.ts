import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { build as esbuild } from 'esbuild';
import { type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { opList, orderAndSend, showView, signIn, tiles } from './support/floor-steps.ts';
import { giveDeviceCookie, type VenueHarness, venueHarness } from './support/relay-process.ts';
import {
  BUILD_TIMEOUT_MS,
  buildWeb,
  CHROMIUM,
  CHROMIUM_ARGS,
  REPO_ROOT,
  WEB_DIST,
  webDistIsStale,
} from './support/web-build.ts';

// The outbox under the conditions it exists for, in Debian's Chromium against a real relay
// enrolled to a real cloud: the service worker's network cut, the worker stopped and started
// again, a Background Sync event fired through CDP, two tabs and the worker racing, and a tab
// frozen while it holds the replay lock.
//
//   Chromium ──▶ logging proxy (this file) ──▶ relay (serves web/dist) ──▶ fault proxy ──▶ cloud
//
// The logging proxy is the browser-facing origin: it records the opIds in every
// `POST …/ops/batch` body, so "sent exactly once" is counted on the wire, not inferred. It can
// also cut the link (every connection reset), which is how the worker's network stays down
// across a worker restart (CDP network emulation belongs to one worker target and dies with it).
// Elsewhere the worker's network is cut with CDP `Network.emulateNetworkConditions` on the
// service_worker target only, through a raw CDP connection (playwright-core has no CDP session
// for a service worker).

const STEP_TIMEOUT_MS = 20_000;
const VENUE = 'demo-bistro';
const SYNC_TAG = 'hearth-outbox';
/** The lease of the tab frozen in test (e): it cannot run out by itself; the test ends it. */
const FROZEN_LEASE_MS = 60 * 60_000;

// The shared headless-Chromium flags (tests/support/chromium-args.mjs; Playwright adds the
// headless switch itself), plus a DevTools port for the raw CDP connection to the
// service-worker target.

// ---------------------------------------------------------------------------------------------
// The build

// ---------------------------------------------------------------------------------------------
// The page helper: the app's own outbox modules, bundled for the page from the sources

/** What the helper puts on the page's `globalThis.hearthTest`. */
interface PageHelper {
  signIn(pin: string): Promise<Principal>;
  /** `count` service requests for one table (so each is related to the one before it). */
  postOps(
    count: number,
    deviceId: string,
    principal: Principal,
    tableId: string,
  ): Promise<string[]>;
  outbox(opIds: readonly string[]): Promise<(OutboxView | null)[]>;
  /** `postOps`, then waits until the worker has ended the replay pass each new op asked for. */
  postOpsAndWait(
    count: number,
    deviceId: string,
    principal: Principal,
    tableId: string,
  ): Promise<string[]>;
  replayAs(tag: string, at: number): Promise<ReplayView>;
  holdReplayLock(holder: string, ttlMs: number): Promise<number>;
  /** Runs `holder`'s lease out now, as its time passing would. */
  expireLease(holder: string): Promise<void>;
  lockOutcome(): Promise<string>;
}

interface Principal {
  readonly tenantId: string;
  readonly venueId: string;
  readonly actorId: string;
}

interface OutboxView {
  readonly opId: string;
  readonly status: string;
  readonly tries: number;
  readonly lastError: string | null;
  readonly result: string | null;
  readonly nextAttemptAt: number;
}

interface ReplayView {
  readonly outcome: string;
  readonly sent: number;
  readonly requests: number;
  readonly remaining: number;
}

// Browser code (bundled by esbuild, not checked by this file's Node-only tsconfig).
const HELPER_SOURCE = `
import { makeOperation } from '#protocol/ops/make-operation.ts';
import { newUlid } from '#protocol/ids/ulid.ts';
import { OutboxStore } from './web/device/outbox-store.ts';
import { Replayer } from './web/sw/replayer.ts';
import { REPLAY_LOCK, ReplayLease } from './web/sw/replay-lease.ts';
import { CHANNEL } from './web/device/messages.ts';

const VENUE = ${JSON.stringify(VENUE)};
let lockOutcome = Promise.resolve('never requested');

async function withStore(work) {
  const store = await OutboxStore.open();
  try {
    return await work(store);
  } finally {
    store.close();
  }
}

globalThis.hearthTest = {
  async signIn(pin) {
    const res = await fetch('/v1/auth/staff', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ venueId: VENUE, pin }),
    });
    if (res.status !== 200) throw new Error('sign-in: ' + res.status + ' ' + (await res.text()));
    return (await res.json()).principal;
  },
  // Ops as a screen makes them (makeOperation), POSTed to the worker's /api like the app does.
  async postOps(count, deviceId, principal, tableId) {
    const opIds = [];
    for (let i = 0; i < count; i++) {
      const op = await makeOperation({
        type: 'serviceRequest.create',
        payload: { requestId: newUlid(), tableId, kind: 'water' },
        deviceId,
        tenantId: principal.tenantId,
        venueId: principal.venueId,
        actorId: principal.actorId,
      });
      const res = await fetch('/api/v1/venues/' + VENUE + '/ops', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': op.opId },
        body: JSON.stringify(op),
      });
      if (res.status !== 202) throw new Error('POST op: ' + res.status + ' ' + (await res.text()));
      opIds.push(op.opId);
    }
    return opIds;
  },
  // The worker says outbox-changed once for each op it queued, when that op is on the wire or
  // the pass it asked for ended without sending it.
  async postOpsAndWait(count, deviceId, principal, tableId) {
    const channel = new BroadcastChannel(CHANNEL);
    let heard = 0;
    let allHeard = () => {};
    const ended = new Promise((resolve) => {
      allHeard = resolve;
    });
    channel.onmessage = (event) => {
      if (event.data && event.data.type === 'outbox-changed' && ++heard >= count) allHeard();
    };
    try {
      const opIds = await globalThis.hearthTest.postOps(count, deviceId, principal, tableId);
      let timer;
      const bound = new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('the worker ended ' + heard + ' of ' + count + ' passes in 15 s')),
          15000,
        );
      });
      await Promise.race([ended, bound]).finally(() => clearTimeout(timer));
      return opIds;
    } finally {
      channel.close();
    }
  },
  outbox(opIds) {
    return withStore(async (store) => {
      const all = new Map((await store.list()).map((entry) => [entry.opId, entry]));
      return opIds.map((opId) => {
        const entry = all.get(opId);
        return entry
          ? {
              opId,
              status: entry.status,
              tries: entry.tries,
              lastError: entry.lastError ? entry.lastError.code : null,
              result: entry.result ? entry.result.status : null,
              nextAttemptAt: entry.nextAttemptAt,
            }
          : null;
      });
    });
  },
  // The real replayer, run by this tab at time 'at', its requests marked with the tag.
  async replayAs(tag, at) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
    return withStore(async (store) => {
      const tagged = async (request) => {
        const headers = new Headers(request.headers);
        headers.set('x-hearth-replayer', tag);
        return fetch(request.url, {
          method: request.method,
          headers,
          body: await request.text(),
          credentials: 'same-origin',
          cache: 'no-store',
          redirect: 'error',
          signal: request.signal,
        });
      };
      const report = await new Replayer({ store, fetch: tagged, holderId: tag }).replay();
      return {
        outcome: report.outcome,
        sent: report.sent,
        requests: report.requests,
        remaining: report.remaining,
      };
    });
  },
  // A tab that took the replay lock and wrote its lease, as the replayer does, then stopped
  // (frozen mid-replay): it never lets go and never renews. Resolves with the lease's expiry.
  holdReplayLock(holder, ttlMs) {
    return new Promise((held, failed) => {
      lockOutcome = navigator.locks
        .request(REPLAY_LOCK, async () => {
          const store = await OutboxStore.open();
          const now = Date.now();
          await new ReplayLease(store.db, holder, ttlMs).claim(now);
          held(now + ttlMs);
          await new Promise(() => {});
        })
        .then(
          () => 'released',
          (error) => (error && error.name) || String(error),
        );
      lockOutcome.then((outcome) => failed(new Error('lock not held: ' + outcome)));
    });
  },
  lockOutcome() {
    return lockOutcome;
  },
  expireLease(holder) {
    return withStore((store) => new ReplayLease(store.db, holder, 0).claim(Date.now()));
  },
};
`;

async function bundleHelper(): Promise<string> {
  const result = await esbuild({
    stdin: {
      contents: HELPER_SOURCE,
      resolveDir: REPO_ROOT,
      loader: 'ts',
      sourcefile: 'pwa-outbox-helper.ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  const code = result.outputFiles[0]?.text;
  if (!code) throw new Error('esbuild produced no helper bundle');
  return code;
}

/** Calls the page's helper. */
function helper<K extends keyof PageHelper>(
  page: Page,
  name: K,
  ...args: Parameters<PageHelper[K]>
): Promise<Awaited<ReturnType<PageHelper[K]>>> {
  return page.evaluate(
    ({ name, args }) => {
      const api = (
        globalThis as unknown as { hearthTest: Record<string, (...a: unknown[]) => unknown> }
      ).hearthTest;
      const method = api[name];
      if (!method) throw new Error(`no helper ${name}`);
      return method(...args);
    },
    { name, args: args as unknown[] },
  ) as Promise<Awaited<ReturnType<PageHelper[K]>>>;
}

// ---------------------------------------------------------------------------------------------
// The logging proxy: the browser's origin, in front of the relay

interface BatchSeen {
  readonly at: number;
  readonly opIds: readonly string[];
  /** `x-hearth-replayer` of a tab's replayer; the service worker's requests carry none. */
  readonly by: string;
  status: number | null;
}

interface LoggingProxy {
  readonly url: string;
  readonly batches: BatchSeen[];
  /** How many batch requests carried this opId. */
  sends(opId: string): number;
  /**
   * Lets the next `n` batch requests through, then holds every later one (its body received,
   * nothing forwarded) until the returned function is called: then they go on to the relay,
   * whether or not the client that sent them is still there. `held()` counts them.
   */
  holdBatchesAfter(n: number): () => void;
  held(): number;
  /**
   * The next `n` batch requests reach the relay and are answered there, but their answers are
   * lost on the way back (the connection is reset): the client never hears them.
   */
  loseAnswers(n: number): void;
  /** Resets every open connection and every new one (the network is down). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

async function startLoggingProxy(upstreamPort: number): Promise<LoggingProxy> {
  const sockets = new Set<Socket>();
  const batches: BatchSeen[] = [];
  let isCut = false;
  let passing = Number.POSITIVE_INFINITY;
  let holding: Promise<void> | null = null;
  let heldCount = 0;
  let losing = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const server = createServer((req, res) => {
    if (isCut) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let seen: BatchSeen | undefined;
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (req.method === 'POST' && path.endsWith('/ops/batch')) {
        let opIds: string[] = [];
        try {
          const parsed = JSON.parse(body.toString('utf8')) as { ops?: { opId?: string }[] };
          opIds = (parsed.ops ?? []).map((op) => String(op.opId));
        } catch {
          opIds = ['<unreadable body>'];
        }
        const by = req.headers['x-hearth-replayer'];
        seen = {
          at: Date.now(),
          opIds,
          by: typeof by === 'string' ? by : 'service worker',
          status: null,
        };
        batches.push(seen);
      }
      // A client gone while its request was held: the answer has nowhere to go.
      res.on('error', () => undefined);
      const forward = () => {
        const upstream = httpRequest(
          {
            host: '127.0.0.1',
            port: upstreamPort,
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          (answer: IncomingMessage) => {
            if (seen) seen.status = answer.statusCode ?? null;
            if (seen && losing > 0) {
              // Headers then a reset: the browser does not retry a request once its answer has
              // begun (it would retry one whose connection closed before any byte came back).
              losing -= 1;
              answer.resume();
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              res.flushHeaders();
              answer.once('end', () => setTimeout(() => req.socket.destroy(), 50));
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        upstream.end(body);
      };
      if (seen && passing <= 0 && holding) {
        heldCount += 1;
        void holding.then(forward);
      } else {
        if (seen) passing -= 1;
        forward();
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    if (isCut) socket.destroy();
    else track(socket);
  });
  // The hydrator's live socket: the upgrade goes through as bytes.
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (isCut) {
      socket.destroy();
      return;
    }
    const upstream = connect(upstreamPort, '127.0.0.1', () => {
      let text = `${req.method} ${req.url} HTTP/1.1\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        text += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      }
      upstream.write(`${text}\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.once('close', () => upstream.destroy());
    upstream.once('close', () => socket.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    batches,
    sends: (opId) =>
      batches.reduce((n, batch) => n + batch.opIds.filter((id) => id === opId).length, 0),
    holdBatchesAfter(n) {
      let release = () => {};
      passing = n;
      holding = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => {
        passing = Number.POSITIVE_INFINITY;
        holding = null;
        release();
      };
    },
    held: () => heldCount,
    loseAnswers(n) {
      losing = n;
    },
    cut() {
      isCut = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      isCut = false;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A raw CDP connection (the browser endpoint), for the service-worker target

interface CdpMessage {
  readonly id?: number;
  readonly method?: string;
  readonly params?: Record<string, unknown>;
  readonly result?: Record<string, unknown>;
  readonly error?: { message: string };
  readonly sessionId?: string;
}

class RawCdp {
  private nextId = 0;
  private readonly calls = new Map<
    number,
    { resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void }
  >();
  private readonly ws: WebSocket;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as CdpMessage;
      if (message.id === undefined) return;
      const call = this.calls.get(message.id);
      if (!call) return;
      this.calls.delete(message.id);
      if (message.error) call.reject(new Error(message.error.message));
      else call.resolve(message.result ?? {});
    });
    ws.on('close', () => {
      for (const call of this.calls.values()) call.reject(new Error('CDP connection closed'));
      this.calls.clear();
    });
  }

  /** Connects to the browser endpoint Chromium wrote into the profile's DevToolsActivePort. */
  static async connect(profile: string): Promise<RawCdp> {
    const file = join(profile, 'DevToolsActivePort');
    const [port, path] = await vi.waitFor(
      () => {
        const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
        if (lines.length < 2) throw new Error(`no port and path in ${file} yet`);
        return lines;
      },
      { timeout: 10_000, interval: 50 },
    );
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false });
    await once(ws, 'open');
    return new RawCdp(ws);
  }

  send(method: string, params: object = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(id);
        reject(new Error(`CDP ${method} unanswered after 10 s`));
      }, 10_000);
      this.calls.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// Polling (vi.waitFor: a callback that throws is tried again, and its last error is the failure)

/** How often a wait looks again at the browser or the wire. */
const POLL = { timeout: STEP_TIMEOUT_MS, interval: 100 } as const;

async function waitForAttribute(page: Page, selector: string, name: string, value: string) {
  await vi.waitFor(
    async () =>
      expect(await page.locator(selector).getAttribute(name), `${selector} ${name}`).toBe(value),
    POLL,
  );
}

// ---------------------------------------------------------------------------------------------

describe('the outbox in Chromium: restarts, Background Sync, races and a frozen tab', () => {
  let harness: VenueHarness | undefined;
  let proxy: LoggingProxy | undefined;
  let context: BrowserContext | undefined;
  let cdp: RawCdp | undefined;
  let swDomain: CDPSession | undefined;
  let profile: string | undefined;
  let principal: Principal;
  const registrations = new Map<string, string>();
  const running = new Map<string, string>();
  /** When a running worker was last seen to stop. */
  let lastStopAt = 0;
  const consoleLines: string[] = [];

  const origin = () => proxy?.url ?? '';

  beforeAll(async () => {
    if (webDistIsStale()) await buildWeb();
    const helperCode = await bundleHelper();
    harness = await venueHarness({ relayEnv: { HEARTH_WEB_DIR: WEB_DIST } });
    proxy = await startLoggingProxy(harness.relay.port);
    profile = mkdtempSync(join(tmpdir(), 'hearth-pwa-outbox-profile-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS, '--remote-debugging-port=0'],
      timeout: 60_000,
    });
    await context.addInitScript({ content: helperCode });
    // A paired tablet: staff sign in only on one (decision 034).
    await giveDeviceCookie(context, origin(), harness.tablet);
    cdp = await RawCdp.connect(profile);

    // The ServiceWorker domain lives on page targets: a blank page that stays open throughout
    // (and is no page of the app: it runs no replay timer).
    const control = context.pages()[0] ?? (await context.newPage());
    swDomain = await context.newCDPSession(control);
    swDomain.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: list }) => {
      for (const r of list) {
        if (r.isDeleted) registrations.delete(r.scopeURL);
        else registrations.set(r.scopeURL, r.registrationId);
      }
    });
    swDomain.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      for (const v of versions) {
        if (v.runningStatus === 'stopped' && running.get(v.versionId) !== 'stopped') {
          lastStopAt = Date.now();
        }
        running.set(v.versionId, v.runningStatus);
      }
    });
    await swDomain.send('ServiceWorker.enable');

    // Sign in through the floor page (the principal lands in the cache, the cookie in the jar).
    const page = await openApp();
    await signIn(page, '1111');
    await tiles(page).first().waitFor();
    principal = await helper(page, 'signIn', '1111');
    await page.close();
  }, BUILD_TIMEOUT_MS + 90_000);

  afterAll(async () => {
    cdp?.close();
    await context?.close().catch(() => undefined);
    await proxy?.close().catch(() => undefined);
    await harness?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    const errors = consoleLines.filter((line) => line.startsWith('pageerror'));
    if (errors.length > 0) console.warn(errors.join('\n'));
  }, 60_000);

  /** A new tab of the app, controlled by the service worker. */
  async function openApp(path = '/ops/'): Promise<Page> {
    if (!context) throw new Error('no browser');
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => consoleLines.push(`pageerror: ${error.message}`));
    await page.goto(`${origin()}${path}`);
    await page.waitForFunction('navigator.serviceWorker.ready.then(() => true)');
    if (!(await page.evaluate('navigator.serviceWorker.controller !== null'))) await page.reload();
    await page.waitForFunction('navigator.serviceWorker.controller !== null');
    return page;
  }

  function registrationId(): string {
    const id = registrations.get(`${origin()}/`);
    if (!id) throw new Error(`no service-worker registration for ${origin()}/`);
    return id;
  }

  /** Fires a Background Sync event on the worker through CDP, as the browser would. */
  function fireSync(): Promise<unknown> {
    return (
      swDomain?.send('ServiceWorker.dispatchSyncEvent', {
        origin: origin(),
        registrationId: registrationId(),
        tag: SYNC_TAG,
        lastChance: false,
      }) ?? Promise.resolve()
    );
  }

  /**
   * Queues `count` ops with the worker's network down until it has tried once and backs off,
   * then stops the worker. Returns the ops and when they are due again.
   */
  async function queuedWhileOffline(
    page: Page,
    count: number,
    deviceId: string,
    tableId: string,
  ): Promise<{ opIds: string[]; dueAt: number }> {
    let opIds: string[];
    let dueAt: number;
    const restore = await cutWorkerNetwork();
    try {
      opIds = await helper(page, 'postOps', count, deviceId, principal, tableId);
      dueAt = await backingOff(page, opIds);
    } finally {
      await restore();
    }
    await stopWorkers();
    return { opIds, dueAt };
  }

  /**
   * Lets `passing` batches through and holds the next one at the proxy; once the ops are due, a
   * sync sends them (or the worker, woken by a page's request, already has), the worker is
   * stopped with that batch in flight, and the batch goes on with no one left to hear the answer.
   */
  async function batchInFlightWhenStopped(passing: number, dueAt: number): Promise<void> {
    const release = proxy?.holdBatchesAfter(passing) ?? (() => {});
    try {
      await sleep(Math.max(0, dueAt - Date.now()) + 200);
      await fireSync();
      await vi.waitFor(
        () => expect(proxy?.held() ?? 0, 'batches held in flight').toBeGreaterThan(0),
        POLL,
      );
      await stopWorkers();
    } finally {
      release();
    }
  }

  /**
   * Stops the service worker (its timers die with it) and waits until it has stopped. A tab's
   * next request may start it again at once: that is a new instance.
   */
  async function stopWorkers(): Promise<void> {
    const since = Date.now();
    await swDomain?.send('ServiceWorker.stopAllWorkers');
    await vi.waitFor(
      () => expect(lastStopAt >= since, 'the service worker stopped').toBe(true),
      POLL,
    );
  }

  /** Cuts the running worker's network (CDP on its target only); returns the way back. */
  async function cutWorkerNetwork(): Promise<() => Promise<void>> {
    const raw = cdp;
    if (!raw || !swDomain) throw new Error('no CDP');
    await swDomain.send('ServiceWorker.startWorker', { scopeURL: `${origin()}/` });
    const targetId = await vi.waitFor(async () => {
      const { targetInfos } = (await raw.send('Target.getTargets')) as {
        targetInfos: { targetId: string; type: string; url: string }[];
      };
      const target = targetInfos.find(
        (t) => t.type === 'service_worker' && t.url === `${origin()}/sw.js`,
      );
      if (!target) throw new Error('no service-worker target yet');
      return target.targetId;
    }, POLL);
    const { sessionId } = (await raw.send('Target.attachToTarget', {
      targetId,
      flatten: true,
    })) as {
      sessionId: string;
    };
    const conditions = (offline: boolean) => ({
      offline,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await raw.send('Network.enable', {}, sessionId);
    await raw.send('Network.emulateNetworkConditions', conditions(true), sessionId);
    return async () => {
      // The worker may have been stopped meanwhile: then its emulation went with it.
      await raw
        .send('Network.emulateNetworkConditions', conditions(false), sessionId)
        .catch(() => undefined);
      await raw.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
    };
  }

  async function outbox(page: Page, opIds: readonly string[]): Promise<OutboxView[]> {
    const views = await helper(page, 'outbox', opIds);
    return views.map((view, i) => {
      if (!view) throw new Error(`op ${opIds[i]} is not in the outbox`);
      return view;
    });
  }

  /** Waits until every op is synced; returns their views. */
  function allSynced(page: Page, opIds: readonly string[], timeoutMs = STEP_TIMEOUT_MS) {
    return vi.waitFor(
      async () => {
        const views = await outbox(page, opIds);
        expect(
          views.map((v) => v.status),
          `${opIds.length} ops synced`,
        ).toEqual(views.map(() => 'synced'));
        return views;
      },
      { timeout: timeoutMs, interval: 200 },
    );
  }

  /**
   * Waits until the worker has tried and is backing off: nothing in flight, the first op failed
   * once (NETWORK). The later ops are related to it (the same table), so they wait behind it,
   * untried (outbox-due.ts, rule 4). Returns when every op is due again.
   */
  async function backingOff(page: Page, opIds: readonly string[]): Promise<number> {
    const views = await vi.waitFor(async () => {
      const views = await outbox(page, opIds);
      expect(
        views.map((v, i) => (i === 0 ? { status: v.status, tried: v.tries >= 1 } : v.status)),
        'the worker backing off: the first op tried, all pending',
      ).toEqual(views.map((_, i) => (i === 0 ? { status: 'pending', tried: true } : 'pending')));
      return views;
    }, POLL);
    const tried = views.filter((v) => v.tries > 0);
    expect(tried.map((v) => v.lastError)).toEqual(tried.map(() => 'NETWORK'));
    return Math.max(...views.map((v) => v.nextAttemptAt));
  }

  /** The wire and the cloud: each op sent once, decided once (`applied`, never `duplicate`). */
  async function expectExactlyOnce(
    views: readonly OutboxView[],
    entriesPerOp: number | readonly number[] = 1,
  ) {
    const sends = views.map((v) => proxy?.sends(v.opId) ?? 0);
    expect(sends, 'batch requests per opId at the proxy').toEqual(views.map(() => 1));
    expect(views.map((v) => v.result)).toEqual(views.map(() => 'applied'));
    const inCloud = await harness?.countInCloud();
    const counts = views.map((v) => inCloud?.get(v.opId)?.length ?? 0);
    const expected =
      typeof entriesPerOp === 'number' ? views.map(() => entriesPerOp) : entriesPerOp;
    expect(counts, 'cloud feed entries per opId').toEqual(expected);
  }

  const batchesWith = (opIds: readonly string[]) =>
    (proxy?.batches ?? []).filter((batch) => batch.opIds.some((id) => opIds.includes(id)));

  it('(a) keeps queued ops across a service-worker restart and a reload, and replays them when the network returns', async () => {
    const page = await openApp();
    try {
      proxy?.cut();
      const opIds = await helper(page, 'postOps', 4, 'pwa-e2e-restart', principal, 'table-1');
      const dueAt = await backingOff(page, opIds);
      await stopWorkers();
      await page.reload();
      await page.waitForFunction('navigator.serviceWorker.controller !== null');
      expect(await page.title()).toBe('Hearth — floor');
      // The restarted worker found them where the stopped one left them.
      const kept = await outbox(page, opIds);
      expect(kept.map((v) => v.status)).toEqual(opIds.map(() => 'pending'));
      expect(kept[0]?.lastError).toBe('NETWORK');
      expect(batchesWith(opIds)).toEqual([]);

      proxy?.restore();
      const views = await allSynced(page, opIds, Math.max(0, dueAt - Date.now()) + 20_000);
      await expectExactlyOnce(views);
    } finally {
      proxy?.restore();
      await page.close();
    }
  }, 40_000);

  it('(b) a Background Sync event fired through CDP replays the queue, with no page open', async () => {
    let page = await openApp();
    let opIds: string[];
    let dueAt: number;
    const restore = await cutWorkerNetwork();
    try {
      opIds = await helper(page, 'postOps', 3, 'pwa-e2e-sync', principal, 'table-2');
      dueAt = await backingOff(page, opIds);
    } finally {
      await restore();
    }
    // No page, no worker (its wake-up timer dies with it): nothing left that could replay.
    await page.close();
    await stopWorkers();
    // Once past their backoff the ops are due, and only a Background Sync can send them: every
    // batch with them comes after it.
    await sleep(Math.max(0, dueAt - Date.now()));
    const firedAt = Date.now();
    await fireSync();
    await vi.waitFor(
      () =>
        expect(
          opIds.filter((id) => (proxy?.sends(id) ?? 0) === 0),
          'ops not yet at the server',
        ).toEqual([]),
      POLL,
    );
    expect(batchesWith(opIds).every((batch) => batch.at >= firedAt)).toBe(true);
    expect(batchesWith(opIds).map((batch) => batch.by)).toEqual(
      batchesWith(opIds).map(() => 'service worker'),
    );
    page = await openApp();
    try {
      await expectExactlyOnce(await allSynced(page, opIds));
    } finally {
      await page.close();
    }
  }, 40_000);

  it('(c) N orders made with the worker offline show pending, then each is applied once on the cloud', async () => {
    // One op an order; the page lists its last 8.
    const N = 4;
    const page = await openApp();
    try {
      await tiles(page).first().waitFor();
      const restore = await cutWorkerNetwork();
      let opIds: string[] = [];
      try {
        // Each order: a table, a dish, send — one order.create with its send.
        const items = opList(page);
        for (let i = 0; i < N; i++) {
          await orderAndSend(page, i);
          await showView(page, 'sync');
          await vi.waitFor(
            async () => expect(await items.count(), 'orders listed').toBe(i + 1),
            POLL,
          );
        }
        // The list shows the latest first; the outbox's order is the order they were made in.
        opIds = (await items.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-op'))))
          .filter((id): id is string => id !== null)
          .reverse();
        expect(opIds).toHaveLength(N);
        for (const opId of opIds) {
          await waitForAttribute(
            page,
            `hearth-op-list li[data-op="${opId}"]`,
            'data-status',
            'pending',
          );
        }
        await backingOff(page, opIds);
        expect(batchesWith(opIds)).toEqual([]);
      } finally {
        await restore();
      }
      for (const opId of opIds) {
        await waitForAttribute(
          page,
          `hearth-op-list li[data-op="${opId}"]`,
          'data-status',
          'synced',
        );
      }
      const views = await allSynced(page, opIds);
      // An order.create with its send writes the order and one ticket.
      await expectExactlyOnce(views, 2);
    } finally {
      await page.close();
    }
  }, 40_000);

  it('(d) two tabs and the service worker racing to replay 50 ops send each exactly once', async () => {
    const tabA = await openApp();
    const tabB = await openApp();
    try {
      let opIds: string[];
      let dueAt: number;
      const restore = await cutWorkerNetwork();
      try {
        opIds = await helper(tabA, 'postOps', 50, 'pwa-e2e-race', principal, 'table-3');
        dueAt = await backingOff(tabA, opIds);
      } finally {
        await restore();
      }
      // The worker's own wake-up timer must not win alone: stop it; the race starts it again.
      await stopWorkers();
      const at = Math.max(dueAt + 200, Date.now() + 500);
      const [reportA, reportB] = await Promise.all([
        helper(tabA, 'replayAs', 'tab A', at),
        helper(tabB, 'replayAs', 'tab B', at),
        (async () => {
          await sleep(Math.max(0, at - Date.now()));
          await Promise.all([
            fireSync(),
            // What the app's pages do on `online`: ask the worker.
            tabA.evaluate("navigator.serviceWorker.controller.postMessage({ type: 'replay' })"),
            tabB.evaluate("navigator.serviceWorker.controller.postMessage({ type: 'replay' })"),
          ]);
        })(),
      ]);
      const views = await allSynced(tabA, opIds);
      const senders: Record<string, number> = {};
      for (const batch of batchesWith(opIds))
        senders[batch.by] = (senders[batch.by] ?? 0) + batch.opIds.length;
      console.info(
        `(d) replayers: tab A ${JSON.stringify(reportA)}, tab B ${JSON.stringify(reportB)}; ops sent by ${JSON.stringify(senders)}`,
      );
      await expectExactlyOnce(views);
      expect(Object.values(senders).reduce((a, b) => a + b, 0)).toBe(50);
    } finally {
      await tabA.close();
      await tabB.close();
    }
  }, 45_000);

  it('(e) a tab frozen while holding the replay lock: nothing replays while its lease is live; the worker does once it has run out', async () => {
    const frozen = await openApp();
    const page = await openApp();
    const session = await context?.newCDPSession(frozen);
    try {
      await helper(frozen, 'holdReplayLock', 'frozen tab', FROZEN_LEASE_MS);
      await session?.send('Page.setWebLifecycleState', { state: 'frozen' });
      // The worker tried as each op was queued, and every one of those passes has ended.
      const opIds = await helper(page, 'postOpsAndWait', 3, 'pwa-e2e-frozen', principal, 'table-4');
      // This tab, a replayer too, finds the holder alive as well.
      expect(await helper(page, 'replayAs', 'tab', 0)).toMatchObject({ outcome: 'busy', sent: 0 });
      expect(batchesWith(opIds)).toEqual([]);
      expect((await outbox(page, opIds)).map((v) => v.tries)).toEqual(opIds.map(() => 0));

      // The frozen tab's lease runs out (it never renews it); the next trigger replays.
      await helper(page, 'expireLease', 'frozen tab');
      await fireSync();
      const views = await allSynced(page, opIds);
      expect(batchesWith(opIds).map((batch) => batch.by)).toEqual(
        batchesWith(opIds).map(() => 'service worker'),
      );
      await expectExactlyOnce(views);

      // The frozen tab's lock was stolen: it learns so when it wakes.
      await session?.send('Page.setWebLifecycleState', { state: 'active' });
      expect(await helper(frozen, 'lockOutcome')).toBe('AbortError');
    } finally {
      await session?.detach().catch(() => undefined);
      await frozen.close();
      await page.close();
    }
  }, 40_000);

  it('(f) the worker stopped mid-replay loses and doubles nothing: what it had in flight goes again as duplicates', async () => {
    const page = await openApp();
    try {
      const { opIds, dueAt } = await queuedWhileOffline(page, 250, 'pwa-e2e-stopped', 'table-5');
      // The first batch goes through; the second is held at the proxy while the worker is
      // stopped, then reaches the cloud with nobody left to hear the answer.
      await batchInFlightWhenStopped(1, dueAt);
      await vi.waitFor(async () => {
        const inCloud = await harness?.countInCloud();
        const held = batchesWith(opIds)[1]?.opIds ?? [];
        expect(held.length, 'ops in the held batch').toBeGreaterThan(0);
        expect(
          held.filter((id) => !inCloud?.has(id)),
          'ops of the held batch not yet applied',
        ).toEqual([]);
      }, POLL);

      // The next replay (a fresh worker) sends what it has no answer for, under the same opIds.
      await fireSync();
      const views = await allSynced(page, opIds, 30_000);

      const inCloud = await harness?.countInCloud();
      expect(
        views.map((v) => inCloud?.get(v.opId)?.length ?? 0),
        'cloud feed entries per opId',
      ).toEqual(views.map(() => 1));
      const sends = views.map((v) => proxy?.sends(v.opId) ?? 0);
      expect(sends.every((n) => n === 1 || n === 2)).toBe(true);
      // Sent once ⇔ `applied`. Sent twice: `duplicate` (the first result, replayed) — or
      // `applied` when the relay kept the op and its notice of the cloud's verdict came first.
      expect(views.map((v, i) => (sends[i] === 1 ? v.result === 'applied' : true))).not.toContain(
        false,
      );
      const held = new Set(batchesWith(opIds)[1]?.opIds ?? []);
      expect(held.size).toBeGreaterThan(0);
      const heldViews = views.filter((v) => held.has(v.opId));
      expect(heldViews.map((v) => v.result)).not.toContain(null);
      expect(
        heldViews.map((v) => v.result === 'duplicate' || v.result === 'applied'),
      ).not.toContain(false);
      expect([...held].map((id) => proxy?.sends(id))).not.toContain(0);
    } finally {
      await page.close();
    }
  }, 90_000);

  it('(g) ops the relay forwarded whose answer was lost, sent again with the uplink down, are synced — never rejected', async () => {
    const page = await openApp();
    const serviceRequests = async () =>
      (await harness?.relaySnapshot('manager', 'serviceRequest'))?.records.length ?? 0;
    try {
      const before = await serviceRequests();
      const { opIds, dueAt } = await queuedWhileOffline(page, 3, 'pwa-e2e-lost-answer', 'table-6');
      // The batch reaches the relay, which forwards it (uplink up) and the cloud applies it;
      // its answer is lost on the way back to the worker, which will send it again.
      proxy?.loseAnswers(1);
      await sleep(Math.max(0, dueAt - Date.now()) + 200);
      await fireSync();
      await vi.waitFor(
        async () =>
          expect(
            await serviceRequests(),
            'service requests at the relay (what the cloud applied)',
          ).toBeGreaterThanOrEqual(before + opIds.length),
        POLL,
      );
      const lost = await outbox(page, opIds);
      expect(lost.map((v) => v.status)).not.toContain('synced');

      // Then the relay loses its uplink, and the worker sends the ops again.
      harness?.proxy.cut();
      await harness?.relay.waitForConnectivity('offline_local', 10_000);
      const { nextAttemptAt } = (await outbox(page, opIds))[0] ?? { nextAttemptAt: 0 };
      await sleep(Math.max(0, nextAttemptAt - Date.now()) + 200);
      await fireSync();
      const views = await allSynced(page, opIds, 30_000);
      expect(views.map((v) => v.result)).toEqual(opIds.map(() => 'duplicate'));
      expect(opIds.map((id) => proxy?.sends(id))).toEqual(opIds.map(() => 2));
      const inCloud = await harness?.countInCloud();
      expect(opIds.map((id) => inCloud?.get(id)?.length ?? 0)).toEqual(opIds.map(() => 1));
    } finally {
      harness?.proxy.restore();
      await page.close();
    }
  }, 90_000);
});
