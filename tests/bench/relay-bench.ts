import { Database } from 'bun:sqlite';
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeOperation, newUlid, type Operation, type OpResult } from '#protocol';
import { CloudClient } from '../e2e/support/cloud-client.ts';
import { type CloudProcess, findFreePort, startCloud } from '../e2e/support/processes.ts';
import { quickOr, reportFigures } from './bench-figures.ts';
import { textTable } from './text-table.ts';

// The venue relay (`bun relay/main.ts`) working local-only, beside the machine's ceilings
// measured in the same run. A script, not a test:
//   npm run bench:relay        (or: npx bun tests/bench/relay-bench.ts)
// a. LAN fan-out: 200 live websocket subscribers, a writer at 1,000 ops/s; latency per
//    (op, subscriber) = entries frame received − the op's request sent. Ceiling: a raw Bun
//    websocket server in this process fanning one coalesced frame per 1 ms tick to 200
//    subscribers, same message rate, same bytes per entry.
// b. Durable ingest: concurrent writers (single ops; batches of 50); every op is journaled,
//    decided, group-committed and fanned out. Ceiling: raw bun:sqlite, WAL, synchronous=FULL,
//    a journal row and a feed row per op, 100 ops per transaction.
// Bounded: every phase stops at its count or its time budget; the run gives up after 110 s.
// Profiling the relay: RELAY_BENCH_BUN_FLAGS="--cpu-prof --cpu-prof-md --cpu-prof-dir=/tmp/p";
// RELAY_BENCH_LOG=/tmp/relay.log keeps the relay's whole output (e.g. with BUN_JSC_logGC=1).

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUN_BIN = fileURLToPath(new URL('../../node_modules/.bin/bun', import.meta.url));
const VENUE = 'demo-bistro';
const TENANT = 'demo';
const PINS = { server: '1111', kitchen: '2222', manager: '3333' } as const;
const REQUEST_TIMEOUT_MS = 15_000;
const RUN_BUDGET_MS = 150_000;

// 10 s at 1,000 ops/s: 2 million (op, subscriber) samples, so the p99 rests on 20,000 of them and
// the two halves of the run (printed) agree unless the machine's load moved in between. Under
// `npm run bench` (HEARTH_BENCH_QUICK=1) half as long, and the ingest lanes stop sooner.
const FANOUT = {
  subscribers: 200,
  opsPerSecond: 1_000,
  seconds: quickOr(10, 5),
  writeEveryMs: 10,
} as const;
const INGEST = { ops: 20_000, clients: 32, batch: 50, budgetMs: quickOr(20_000, 10_000) } as const;
const SQLITE = { rows: 40_000, perTx: 100, budgetMs: 6_000 } as const;
/** The relay's targets (docs/benchmarks.md): fan-out p99 and the batch lane's throughput. */
const TARGET = { fanoutP99Ms: 25, ingestOpsPerSecond: 10_000 } as const;

// ---------------------------------------------------------------------------------------------
// Processes and HTTP

interface RelayProcess {
  readonly url: string;
  readonly pid: number | undefined;
  tail(): string;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `bun relay/main.ts` on a free port; resolves once /healthz answers. */
async function startRelay(env: Record<string, string>): Promise<RelayProcess> {
  if (!existsSync(BUN_BIN)) throw new Error(`bun not found at ${BUN_BIN}; run npm ci`);
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const flags = (process.env.RELAY_BENCH_BUN_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const child: ChildProcess = spawn(BUN_BIN, [...flags, 'relay/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), HEARTH_PLAIN_HTTP: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The relay logs a JSON line per request: keep only the tail, for a failure report.
  let tail = '';
  const logFile = process.env.RELAY_BENCH_LOG;
  const keep = (chunk: string) => {
    tail = (tail + chunk).slice(-8_000);
    if (logFile) appendFileSync(logFile, chunk);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', (error) => {
      keep(`spawn error: ${error.message}\n`);
      resolve();
    });
  });
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const kill = async (signal: NodeJS.Signals) => {
    if (!exited()) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await closed;
    clearTimeout(timer);
  };
  const relay: RelayProcess = {
    url,
    pid: child.pid,
    tail: () => tail,
    stop: () => kill('SIGTERM'),
    kill9: () => kill('SIGKILL'),
  };
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`relay exited (code ${child.exitCode}):\n${tail}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return relay;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await relay.kill9();
  throw new Error(`relay not healthy after 15 s:\n${tail}`);
}

async function waitFor(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

async function connectivity(relay: RelayProcess): Promise<string> {
  const res = await fetch(`${relay.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
  return ((await res.json()) as { connectivity: string }).connectivity;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: res.status, text: await res.text() };
}

async function get(url: string, token: string): Promise<unknown> {
  const res = await fetch(url, {
    headers: { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A staff sign-in at `url` on the paired device whose header is `device` (decision 034). */
async function signIn(
  url: string,
  pin: string,
  device: Readonly<Record<string, string>>,
): Promise<string> {
  const res = await post(`${url}/v1/auth/staff`, { venueId: VENUE, pin }, { ...device });
  if (res.status !== 200) throw new Error(`sign-in at ${url}: ${res.status} ${res.text}`);
  return (JSON.parse(res.text) as { token: string }).token;
}

type Snapshot = { cursor: string; seq: number; records: { entity: string }[] };
const snapshot = (url: string, token: string) =>
  get(`${url}/v1/venues/${VENUE}/snapshot`, token) as Promise<Snapshot>;

const liveUrl = (relay: RelayProcess, cursor: string) =>
  `${relay.url.replace('http', 'ws')}/v1/venues/${VENUE}/live?cursor=${encodeURIComponent(cursor)}`;

/** CPU seconds (user + system) a process has used, from /proc; NaN where there is none. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, USER_HZ = 100
  } catch {
    return Number.NaN;
  }
}

/** Wall time and the CPU the relay and this process used over a phase. */
function meter(relay: RelayProcess | undefined) {
  const wall0 = performance.now();
  const relay0 = cpuSeconds(relay?.pid);
  const self0 = process.cpuUsage();
  return () => {
    const wall = (performance.now() - wall0) / 1000;
    const self = process.cpuUsage(self0);
    return {
      wall,
      relayCpu: cpuSeconds(relay?.pid) - relay0,
      benchCpu: (self.user + self.system) / 1e6,
    };
  };
}
type Meter = ReturnType<ReturnType<typeof meter>>;

const cpuNote = (m: Meter) =>
  `relay CPU ${Math.round((m.relayCpu / m.wall) * 100)}% of a core, bench process ${Math.round((m.benchCpu / m.wall) * 100)}%`;

/**
 * The relay's fan-out lag histogram (bus publish → socket send, per pushed frame), keyed by
 * each bucket's bound in ms ('5', '25', '+Inf'); the metric itself is in seconds.
 */
async function fanoutLag(relay: RelayProcess): Promise<Map<string, number>> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  const buckets = new Map<string, number>();
  for (const match of text.matchAll(
    /^hearth_live_fanout_lag_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm,
  )) {
    const le = match[1] ?? '';
    buckets.set(le === '+Inf' ? le : String(Math.round(Number(le) * 1e6) / 1e3), Number(match[2]));
  }
  return buckets;
}

// ---------------------------------------------------------------------------------------------
// Ops

/** A distinct create op by the server: an order with one line, or (every third) a request. */
function createOp(deviceId: string, i: number): Promise<Operation> {
  const tableId = `table-${1 + (i % 12)}`;
  const order = i % 3 !== 0;
  return makeOperation({
    type: order ? 'order.create' : 'serviceRequest.create',
    payload: order
      ? {
          orderId: newUlid(),
          tableId,
          guestCount: 2,
          lines: [{ lineId: newUlid(), itemId: i % 2 === 0 ? 'burrata' : 'calamari', quantity: 1 }],
        }
      : { requestId: newUlid(), tableId, kind: 'water' },
    deviceId,
    tenantId: TENANT,
    venueId: VENUE,
    actorId: 'demo-server',
  });
}

/** Orders only: the fan-out phase follows each op by its orderId. */
function orderOp(deviceId: string, i: number): Promise<Operation> {
  return makeOperation({
    type: 'order.create',
    payload: {
      orderId: newUlid(),
      tableId: `table-${1 + (i % 12)}`,
      guestCount: 2,
      lines: [{ lineId: newUlid(), itemId: i % 2 === 0 ? 'burrata' : 'calamari', quantity: 1 }],
    },
    deviceId,
    tenantId: TENANT,
    venueId: VENUE,
    actorId: 'demo-server',
  });
}

const orderIdOf = (op: Operation): string => (op.payload as { orderId: string }).orderId;

const makeOps = (n: number, make: (i: number) => Promise<Operation>) =>
  Promise.all(Array.from({ length: n }, (_, i) => make(i)));

/** Posts one device's ops as a batch; the number of ops not answered accepted_local. */
async function postBatch(relay: RelayProcess, token: string, ops: Operation[]): Promise<number> {
  const res = await post(
    `${relay.url}/v1/venues/${VENUE}/ops/batch`,
    { deviceId: ops[0]?.deviceId, ops },
    { Authorization: `Bearer ${token}` },
  );
  if (res.status !== 200) return ops.length;
  const { results } = JSON.parse(res.text) as { results: OpResult[] };
  return results.filter((r) => r.status !== 'accepted_local').length;
}

// ---------------------------------------------------------------------------------------------
// Subscribers: the same client code for the relay and the ceiling

type WireEntry = { entity: string; id: string; op: string };

interface Fanout {
  /** Milliseconds per (tracked id, subscriber). */
  readonly latencies: Float64Array;
  count: number;
  /** Distinct entries frames. */
  frames: number;
  /** Entries frames, entries and bytes as subscriber 0 saw them. */
  frames0: number;
  entries0: number;
  bytes0: number;
  readonly errors: string[];
}

interface Subscribers {
  readonly fanout: Fanout;
  /** Forgets what was measured so far (after a warm-up). */
  reset(): void;
  close(): void;
}

/**
 * Opens `n` Bun websocket clients. For each tracked id in an entries frame a subscriber records
 * receive time − `sentAt(id)`. Every subscriber gets the same frame text, so each distinct frame
 * is parsed once (keyed by length, head and tail; the tail is the signed cursor).
 */
async function subscribe(
  n: number,
  url: string,
  protocols: string[],
  sentAt: ReadonlyMap<string, number>,
  track: (entry: WireEntry) => string | undefined,
  capacity: number,
): Promise<Subscribers> {
  const fanout: Fanout = {
    latencies: new Float64Array(capacity),
    count: 0,
    frames: 0,
    frames0: 0,
    entries0: 0,
    bytes0: 0,
    errors: [],
  };
  const parsed = new Map<string, { ids: string[]; entries: number } | null>();
  let closing = false;
  const sockets = await Promise.all(
    Array.from(
      { length: n },
      (_, s) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url, protocols);
          const timer = setTimeout(() => reject(new Error(`subscriber ${s}: not open`)), 15_000);
          ws.onopen = () => {
            clearTimeout(timer);
            resolve(ws);
          };
          ws.onerror = () => {
            clearTimeout(timer);
            reject(new Error(`subscriber ${s}: websocket error`));
          };
          ws.onclose = (event) => {
            if (!closing && fanout.errors.length < 5)
              fanout.errors.push(`subscriber ${s} closed: ${event.code} ${event.reason}`);
          };
          ws.onmessage = (event) => {
            const at = performance.now();
            const text = event.data as string;
            const key = `${text.length}|${text.slice(0, 80)}|${text.slice(-96)}`;
            let frame = parsed.get(key);
            if (frame === undefined) {
              const body = JSON.parse(text) as {
                type: string;
                entries?: WireEntry[];
                problem?: unknown;
              };
              if (body.type === 'error' && fanout.errors.length < 5)
                fanout.errors.push(`subscriber ${s}: ${JSON.stringify(body.problem)}`);
              frame =
                body.type === 'entries' && body.entries
                  ? {
                      ids: body.entries.map(track).filter((id): id is string => id !== undefined),
                      entries: body.entries.length,
                    }
                  : null;
              parsed.set(key, frame);
              if (frame) fanout.frames++;
            }
            if (!frame) return;
            if (s === 0) {
              fanout.frames0++;
              fanout.entries0 += frame.entries;
              fanout.bytes0 += text.length;
            }
            for (const id of frame.ids) {
              const sent = sentAt.get(id);
              if (sent !== undefined && fanout.count < capacity)
                fanout.latencies[fanout.count++] = at - sent;
            }
          };
        }),
    ),
  );
  return {
    fanout,
    reset() {
      fanout.count = 0;
      fanout.frames = 0;
      fanout.frames0 = 0;
      fanout.entries0 = 0;
      fanout.bytes0 = 0;
      parsed.clear();
    },
    close() {
      closing = true;
      for (const ws of sockets) ws.close();
    },
  };
}

function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

function latencySummary(values: Float64Array) {
  const sorted = values.slice().sort();
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? (sorted[sorted.length - 1] ?? Number.NaN) : Number.NaN,
    samples: sorted.length,
  };
}

/** The p99 of each half of a run, in arrival order: apart when the load moved mid-run. */
function halvesP99(values: Float64Array): [number, number] {
  const half = Math.floor(values.length / 2);
  return [percentile(values.slice(0, half).sort(), 99), percentile(values.slice(half).sort(), 99)];
}

/** The 1-minute load average now (the machine is shared: latency depends on it). */
const load1 = () => loadavg()[0] ?? Number.NaN;

// ---------------------------------------------------------------------------------------------
// a. Fan-out

/** Warms the relay up and reads back what one order.create entry weighs on the wire. */
async function relayWarmup(relay: RelayProcess, serverToken: string): Promise<number> {
  const before = await snapshot(relay.url, serverToken);
  const ops = await makeOps(300, (i) => orderOp('bench-warm', i));
  for (let i = 0; i < ops.length; i += 10)
    await postBatch(relay, serverToken, ops.slice(i, i + 10));
  const page = (await get(
    `${relay.url}/v1/venues/${VENUE}/feed?cursor=${encodeURIComponent(before.cursor)}&limit=1000`,
    serverToken,
  )) as { entries: WireEntry[] };
  const orders = page.entries.filter((e) => e.entity === 'order');
  return orders.reduce((sum, e) => sum + JSON.stringify(e).length, 0) / (orders.length || 1);
}

async function relayFanout(relay: RelayProcess, serverToken: string, kitchenToken: string) {
  const total = FANOUT.opsPerSecond * FANOUT.seconds;
  const warmup = await makeOps(200, (i) => orderOp('bench-fan-warm', i));
  const ops = await makeOps(total, (i) => orderOp('bench-fan', i));
  const sentAt = new Map<string, number>();
  const snap = await snapshot(relay.url, kitchenToken);
  const subscribers = await subscribe(
    FANOUT.subscribers,
    liveUrl(relay, snap.cursor),
    ['hearth.v1', `bearer.${kitchenToken}`],
    sentAt,
    (e) => (e.entity === 'order' && e.op === 'upsert' ? e.id : undefined),
    Math.max(total, warmup.length) * FANOUT.subscribers,
  );
  const responses: number[] = [];
  let notAccepted = 0;
  const send = async (batch: Operation[]) => {
    const t0 = performance.now();
    for (const op of batch) sentAt.set(orderIdOf(op), t0);
    notAccepted += await postBatch(relay, serverToken, batch);
    responses.push(performance.now() - t0);
  };
  // Warm-up of the live path (not measured).
  for (let i = 0; i < warmup.length; i += 10) await send(warmup.slice(i, i + 10));
  await waitFor(
    'warm-up delivery',
    10_000,
    async () => subscribers.fanout.count >= warmup.length * FANOUT.subscribers,
  );
  subscribers.reset();
  responses.length = 0;
  notAccepted = 0;

  const lag0 = await fanoutLag(relay);
  const loadAtStart = load1();
  const done = meter(relay);
  // The writer: every 10 ms one batch with the ops due by then (1,000/s by the wall clock).
  const inflight: Promise<void>[] = [];
  const started = performance.now();
  let sent = 0;
  for (let tick = 1; sent < total; tick++) {
    const due = Math.min(
      total,
      Math.floor(((performance.now() - started) / 1000) * FANOUT.opsPerSecond),
    );
    while (sent < due) {
      const batch = ops.slice(sent, Math.min(due, sent + 100));
      sent += batch.length;
      inflight.push(send(batch));
    }
    const wait = started + tick * FANOUT.writeEveryMs - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await Promise.all(inflight);
  const writeSeconds = (performance.now() - started) / 1000;
  const expected = total * FANOUT.subscribers;
  await waitFor('fan-out delivery', 10_000, async () => subscribers.fanout.count >= expected).catch(
    () => {},
  );
  const cpu = done();
  const load = [loadAtStart, load1()] as const;
  const lag1 = await fanoutLag(relay);
  subscribers.close();
  const lagDelta = (le: string) => (lag1.get(le) ?? 0) - (lag0.get(le) ?? 0);
  const f = subscribers.fanout;
  return {
    ...latencySummary(f.latencies.subarray(0, f.count)),
    halves: halvesP99(f.latencies.subarray(0, f.count)),
    load,
    expected,
    rate: total / writeSeconds,
    notAccepted,
    fanout: f,
    response: latencySummary(Float64Array.from(responses)),
    lagWithin: (le: string) => lagDelta(le) / (lagDelta('+Inf') || 1),
    cpu,
  };
}

/** Raw Bun websocket server in this process: one coalesced frame per 1 ms tick to every socket. */
async function fanoutCeiling(entryBytes: number) {
  const sockets = new Set<Bun.ServerWebSocket<unknown>>();
  const server = Bun.serve({
    port: 0,
    fetch(req, srv) {
      if (srv.upgrade(req, { headers: { 'Sec-WebSocket-Protocol': 'hearth.v1' } })) return;
      return new Response('upgrade required', { status: 426 });
    },
    websocket: {
      open(ws) {
        sockets.add(ws);
      },
      message() {},
      close(ws) {
        sockets.delete(ws);
      },
    },
  });
  const total = FANOUT.opsPerSecond * FANOUT.seconds;
  const sentAt = new Map<string, number>();
  const subscribers = await subscribe(
    FANOUT.subscribers,
    `ws://127.0.0.1:${server.port}/`,
    ['hearth.v1', 'bearer.x'],
    sentAt,
    (e) => e.id,
    total * FANOUT.subscribers,
  );
  // Entries of the relay's size: pad the data until one entry's JSON is `entryBytes` long.
  const ids = Array.from({ length: total }, () => newUlid());
  const at = new Date().toISOString();
  const entryOf = (seq: number, id: string, pad: string) => ({
    seq,
    entity: 'order',
    id,
    op: 'upsert',
    version: 1,
    at,
    opId: id,
    data: { id, pad },
  });
  const bare = JSON.stringify(entryOf(1_000_000, ids[0] ?? '', '')).length;
  const pad = 'x'.repeat(Math.max(0, Math.round(entryBytes) - bare));
  const cursor = 'c'.repeat(150); // about a LAN cursor's length
  const loadAtStart = load1();
  const done = meter(undefined);
  const started = performance.now();
  let next = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(
        total,
        Math.floor(((performance.now() - started) / 1000) * FANOUT.opsPerSecond),
      );
      if (due > next) {
        const entries = [];
        for (; next < due; next++) {
          const id = ids[next] ?? '';
          // A message counts from when it was due: waiting for the tick is part of its latency.
          sentAt.set(id, started + (next * 1000) / FANOUT.opsPerSecond);
          entries.push(entryOf(1_000_000 + next, id, pad));
        }
        const text = JSON.stringify({ type: 'entries', entries, cursor: `${next}.${cursor}` });
        for (const ws of sockets) ws.send(text);
      }
      if (next >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const seconds = (performance.now() - started) / 1000;
  await waitFor(
    'ceiling delivery',
    10_000,
    async () => subscribers.fanout.count >= total * FANOUT.subscribers,
  ).catch(() => {});
  const cpu = done();
  const load = [loadAtStart, load1()] as const;
  subscribers.close();
  server.stop(true);
  const f = subscribers.fanout;
  return {
    ...latencySummary(f.latencies.subarray(0, f.count)),
    halves: halvesP99(f.latencies.subarray(0, f.count)),
    load,
    expected: total * FANOUT.subscribers,
    rate: total / seconds,
    fanout: f,
    cpu,
  };
}

// ---------------------------------------------------------------------------------------------
// b. Durable ingest

async function ingestLane(
  relay: RelayProcess,
  token: string,
  kitchenToken: string,
  lane: 'single' | 'batch',
) {
  const perClient = Math.ceil(INGEST.ops / INGEST.clients);
  const clients = await Promise.all(
    Array.from({ length: INGEST.clients }, (_, c) =>
      makeOps(perClient, (i) => createOp(`bench-${lane}-${c}`, i)),
    ),
  );
  const planned = clients.flat().length;
  // One live subscriber checks that every op was fanned out, and counts the frames.
  const seen = new Set<string>();
  let frames = 0;
  const snap = await snapshot(relay.url, kitchenToken);
  const ws = new WebSocket(liveUrl(relay, snap.cursor), ['hearth.v1', `bearer.${kitchenToken}`]);
  ws.onmessage = (event) => {
    const body = JSON.parse(event.data as string) as { entries?: { opId?: string }[] };
    if (body.entries) frames++;
    for (const e of body.entries ?? []) if (e.opId) seen.add(e.opId);
  };
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error('ingest subscriber: websocket error'));
  });
  let failures = 0;
  let done = 0;
  const latencies: number[] = [];
  const finished = meter(relay);
  const started = performance.now();
  const deadline = started + INGEST.budgetMs;
  await Promise.all(
    clients.map(async (ops) => {
      if (lane === 'single') {
        for (const op of ops) {
          if (performance.now() > deadline) return;
          const t0 = performance.now();
          const res = await post(`${relay.url}/v1/venues/${VENUE}/ops`, op, {
            Authorization: `Bearer ${token}`,
            'Idempotency-Key': op.opId,
          });
          latencies.push(performance.now() - t0);
          done++;
          if (res.status !== 202) failures++;
        }
      } else {
        for (let i = 0; i < ops.length; i += INGEST.batch) {
          if (performance.now() > deadline) return;
          const batch = ops.slice(i, i + INGEST.batch);
          const t0 = performance.now();
          failures += await postBatch(relay, token, batch);
          latencies.push(performance.now() - t0);
          done += batch.length;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = finished();
  await waitFor('ingest fan-out', 10_000, async () => seen.size >= done).catch(() => {});
  ws.close();
  return {
    ops: done,
    planned,
    seconds,
    failures,
    fannedOut: seen.size,
    frames,
    request: latencySummary(Float64Array.from(latencies)),
    cpu,
  };
}

/** Raw bun:sqlite: WAL, synchronous=FULL, a journal row and a feed row per op (~1 KB). */
function sqliteCeiling(dir: string, rows: number, perTx: number, budgetMs: number) {
  const db = new Database(join(dir, `ceiling-${perTx}.db`), { create: true, strict: true });
  try {
    db.run('PRAGMA journal_mode = WAL');
    db.run('PRAGMA synchronous = FULL');
    db.run(`CREATE TABLE journal (
      jseq INTEGER PRIMARY KEY, op_id TEXT NOT NULL UNIQUE, device_id TEXT NOT NULL,
      op TEXT NOT NULL, principal TEXT NOT NULL, received_at TEXT NOT NULL,
      status TEXT NOT NULL, result TEXT NOT NULL) STRICT`);
    db.run('CREATE INDEX journal_by_status ON journal (status, jseq)');
    db.run(`CREATE TABLE feed (
      seq INTEGER PRIMARY KEY, entity TEXT NOT NULL, id TEXT NOT NULL, op TEXT NOT NULL,
      version INTEGER NOT NULL, data TEXT, at TEXT NOT NULL, op_id TEXT) STRICT`);
    const insertJournal = db.prepare(
      `INSERT INTO journal (jseq, op_id, device_id, op, principal, received_at, status, result)
       VALUES ($jseq, $op_id, 'bench', $op, $principal, $at, 'pending', $result)`,
    );
    const insertFeed = db.prepare(
      `INSERT INTO feed (seq, entity, id, op, version, data, at, op_id)
       VALUES ($seq, 'order', $id, 'upsert', 1, $data, $at, $op_id)`,
    );
    // Made before the clock starts: the ceiling is the database's, not JSON's.
    const at = new Date().toISOString();
    const made = Array.from({ length: rows }, (_, i) => {
      const opId = newUlid();
      const id = newUlid();
      const tableId = `table-${1 + (i % 12)}`;
      return {
        opId,
        id,
        op: JSON.stringify({
          opId,
          deviceId: 'bench',
          tenantId: TENANT,
          venueId: VENUE,
          actorId: 'demo-server',
          type: 'order.create',
          payload: {
            orderId: id,
            tableId,
            guestCount: 2,
            lines: [{ lineId: newUlid(), itemId: 'burrata', quantity: 1 }],
          },
          payloadHash: 'x'.repeat(64),
          dependsOn: [],
          occurredAt: at,
        }),
        principal: JSON.stringify({
          kind: 'staff',
          tenantId: TENANT,
          venueId: VENUE,
          actorId: 'demo-server',
          role: 'server',
        }),
        result: JSON.stringify({ opId, status: 'accepted_local', seq: i + 1, changed: [], at }),
        data: JSON.stringify({
          id,
          version: 1,
          tableId,
          status: 'open',
          guestCount: 2,
          lines: [{ lineId: newUlid(), itemId: 'burrata', quantity: 1, unitPrice: 1250 }],
          openedBy: 'demo-server',
          openedAt: at,
          updatedAt: at,
        }),
      };
    });
    const first = made[0];
    const bytes = first
      ? first.op.length + first.principal.length + first.result.length + first.data.length + 150
      : 0;
    const commit = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const r = made[i];
        if (!r) continue;
        insertJournal.run({
          jseq: i + 1,
          op_id: r.opId,
          op: r.op,
          principal: r.principal,
          at,
          result: r.result,
        });
        insertFeed.run({ seq: i + 1, id: r.id, data: r.data, at, op_id: r.opId });
      }
    });
    const started = performance.now();
    const commits: number[] = [];
    let written = 0;
    while (written < rows && performance.now() - started < budgetMs) {
      const to = Math.min(rows, written + perTx);
      const t0 = performance.now();
      commit.immediate(written, to);
      commits.push(performance.now() - t0);
      written = to;
    }
    return {
      ops: written,
      seconds: (performance.now() - started) / 1000,
      bytes,
      commit: latencySummary(Float64Array.from(commits)),
    };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Output

const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(1)} ms` : '-');
const perSecond = (n: number) =>
  Number.isFinite(n) ? `${Math.round(n).toLocaleString('en-US')}/s` : '-';
const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-relay-bench-'));
  let cloud: CloudProcess | undefined;
  let relay: RelayProcess | undefined;
  const giveUp = setTimeout(() => {
    console.error(`relay bench: over ${RUN_BUDGET_MS / 1000} s, giving up`);
    Promise.allSettled([cloud?.kill9(), relay?.kill9()]).finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(1);
    });
  }, RUN_BUDGET_MS);
  const runStarted = performance.now();
  const loadBefore = load();
  try {
    // A real cloud; a manager creates the node; a real relay enrolls with its one-time token.
    cloud = await startCloud({ dataDir: join(dir, 'cloud') });
    // At the cloud, staff sign in on a paired device (decision 034).
    const tablet = await CloudClient.paired(cloud.url, cloud.keysFile);
    const manager = await tablet.signIn('manager');
    const created = await post(
      `${cloud.url}/v1/venues/${VENUE}/edge/nodes`,
      { name: 'bench relay' },
      { Authorization: `Bearer ${manager}` },
    );
    if (created.status !== 201) throw new Error(`create node: ${created.status} ${created.text}`);
    const { enrollmentToken } = JSON.parse(created.text) as { enrollmentToken: string };
    relay = await startRelay({
      HEARTH_DATA_DIR: join(dir, 'relay'),
      HEARTH_CLOUD_URL: cloud.url,
      HEARTH_ENROLL_TOKEN: enrollmentToken,
      HEARTH_PROBE_INTERVAL_MS: '200',
      HEARTH_WEB_DIR: join(dir, 'no-web'),
    });
    const r = relay;
    // From its initial offline_local the relay goes to `recovered` (held 30 s before online);
    // both pass sign-ins and writes through to the cloud.
    await waitFor('relay online', 15_000, async () =>
      ['online', 'recovered'].includes(await connectivity(r)),
    );
    // Signed in through the relay while it is online (forwarded: cloud-issued tokens, which the
    // relay verifies offline with the keys it got at enrollment).
    // On the cloud's paired tablet, once the cloud's feed has brought it to the relay.
    const device = tablet.device?.header ?? {};
    await waitFor('the relay knowing the tablet', 15_000, () =>
      signIn(r.url, PINS.server, device).then(
        () => true,
        () => false,
      ),
    );
    const serverToken = await signIn(relay.url, PINS.server, device);
    const kitchenToken = await signIn(relay.url, PINS.kitchen, device);
    // Bootstrapped once the relay's own snapshot holds the venue's tables.
    await waitFor('relay bootstrap', 15_000, async () =>
      (await snapshot(r.url, serverToken)).records.some((rec) => rec.entity === 'table'),
    );
    // Local-only: the cloud goes away and the relay decides alone.
    await cloud.stop();
    cloud = undefined;
    await waitFor('offline_local', 15_000, async () => (await connectivity(r)) === 'offline_local');
    const setupSeconds = (performance.now() - runStarted) / 1000;

    const entryBytes = await relayWarmup(relay, serverToken);
    // The websocket ceiling while the relay idles (so the two never compete for the cores).
    const ceiling = await fanoutCeiling(entryBytes);
    const fan = await relayFanout(relay, serverToken, kitchenToken);
    const single = await ingestLane(relay, serverToken, kitchenToken, 'single');
    const batch = await ingestLane(relay, serverToken, kitchenToken, 'batch');
    const health = (await (await fetch(`${relay.url}/healthz`)).json()) as {
      connectivity: string;
      journalDepth: number;
    };
    await relay.stop();
    relay = undefined;
    const sqlite = sqliteCeiling(dir, SQLITE.rows, SQLITE.perTx, SQLITE.budgetMs);
    const sqliteOne = sqliteCeiling(dir, 4_000, 1, 3_000);
    const sqliteRate = sqlite.ops / sqlite.seconds;
    const sqliteOneRate = sqliteOne.ops / sqliteOne.seconds;

    const f = fan.fanout;
    const c = ceiling.fanout;
    const fanRows = [
      [
        `relay, ${FANOUT.subscribers} subscribers @ ${perSecond(fan.rate)}`,
        ms(fan.p50),
        ms(fan.p99),
        ms(fan.max),
        `${fan.samples}/${fan.expected}`,
        `p99 ≤ ${TARGET.fanoutP99Ms} ms`,
        met(fan.p99 <= TARGET.fanoutP99Ms && fan.samples === fan.expected),
      ],
      [
        `ceiling: raw Bun ws, 1 frame/1 ms @ ${perSecond(ceiling.rate)}`,
        ms(ceiling.p50),
        ms(ceiling.p99),
        ms(ceiling.max),
        `${ceiling.samples}/${ceiling.expected}`,
        '',
        '',
      ],
    ];
    // The ingest target is held by the lane devices write through: the PWA's outbox sends every
    // op it queues through ops/batch. One op per request is printed beside it as context: what a request
    // costs (HTTP, auth, validation, decide, fan-out) rather than what durable ingest holds.
    const lane = (name: string, l: typeof single, targeted: boolean) => {
      const rate = l.ops / l.seconds;
      const whole = l.failures === 0 && l.ops === l.planned;
      return [
        name,
        String(l.ops),
        l.seconds.toFixed(2),
        perSecond(rate),
        `${((rate / sqliteRate) * 100).toFixed(0)}%`,
        targeted ? `≥ ${TARGET.ingestOpsPerSecond.toLocaleString('en-US')}/s` : '',
        targeted ? met(rate >= TARGET.ingestOpsPerSecond && whole) : whole ? '' : 'FAILED',
      ];
    };
    const ingestRows = [
      lane(`relay, ${INGEST.clients} clients × ${INGEST.batch} ops/request`, batch, true),
      lane(`context: ${INGEST.clients} clients × 1 op/request`, single, false),
      [
        `ceiling: sqlite FULL, ${SQLITE.perTx} ops/tx`,
        String(sqlite.ops),
        sqlite.seconds.toFixed(2),
        perSecond(sqliteRate),
        '100%',
        '',
        '',
      ],
      [
        'context: sqlite FULL, 1 op/tx',
        String(sqliteOne.ops),
        sqliteOne.seconds.toFixed(2),
        perSecond(sqliteOneRate),
        `${((sqliteOneRate / sqliteRate) * 100).toFixed(0)}%`,
        '',
        '',
      ],
    ];
    const perOp = (l: typeof single) =>
      `${Math.round((l.cpu.relayCpu / l.ops) * 1e6)} µs relay CPU/op (≈ ${perSecond(l.ops / l.cpu.relayCpu)} if its CPU were the only limit)`;
    const lines = [
      `hearth relay bench — ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}, load average ${loadBefore} at start; relay ${health.connectivity}, setup ${setupSeconds.toFixed(1)} s`,
      '',
      'a. LAN fan-out: latency per (op, subscriber) = entries frame received − op request sent',
      textTable(['', 'p50', 'p99', 'max', 'samples', 'target', ''], fanRows, [0, 5, 6]),
      `   relay: ${FANOUT.seconds * FANOUT.opsPerSecond} order.create, a batch every ${FANOUT.writeEveryMs} ms, ${fan.notAccepted} not accepted_local; batch answered p50 ${ms(fan.response.p50)}, p99 ${ms(fan.response.p99)}`,
      `          ${f.frames0} frames/subscriber, ${(f.entries0 / (f.frames0 || 1)).toFixed(1)} entries and ${Math.round(f.bytes0 / (f.frames0 || 1))} B per frame; publish→send ≤ 5 ms for ${(fan.lagWithin('5') * 100).toFixed(1)}% of pushes, ≤ 25 ms for ${(fan.lagWithin('25') * 100).toFixed(1)}%; ${cpuNote(fan.cpu)}`,
      `   p99 by half of the run: relay ${ms(fan.halves[0])} / ${ms(fan.halves[1])} at load average ${fan.load.map((l) => l.toFixed(2)).join(' → ')}; ceiling ${ms(ceiling.halves[0])} / ${ms(ceiling.halves[1])} at ${ceiling.load.map((l) => l.toFixed(2)).join(' → ')} (${navigator.hardwareConcurrency} cores: above ~${navigator.hardwareConcurrency} the relay waits for a core, and both p99s say more about the machine than the code)`,
      `   ceiling: server and its ${FANOUT.subscribers} clients in this process; ${c.frames} frames, ${(c.entries0 / (c.frames0 || 1)).toFixed(1)} entries and ${Math.round(c.bytes0 / (c.frames0 || 1))} B per frame (${Math.round(entryBytes)} B per entry, as the relay's); bench process ${Math.round((ceiling.cpu.benchCpu / ceiling.cpu.wall) * 100)}% of a core`,
      '   a kitchen station (tickets only) from the send to its card: npm run bench:kds, figure (2)',
      ...[...f.errors, ...c.errors].map((e) => `   ! ${e}`),
      '',
      'b. Durable ingest at the relay: journal + decide + group commit + fan-out, per op',
      textTable(['', 'ops', 'seconds', 'ops/s', 'of ceiling', 'target', ''], ingestRows, [0, 5, 6]),
      `   single: request p50 ${ms(single.request.p50)}, p99 ${ms(single.request.p99)}; ${single.failures} not 202; fanned out ${single.fannedOut}/${single.ops} in ${single.frames} frames (≈ ${(single.ops / (single.frames || 1)).toFixed(1)} ops/commit); ${cpuNote(single.cpu)}, ${perOp(single)}` +
        (single.ops < single.planned ? `; stopped at the ${INGEST.budgetMs / 1000} s budget` : ''),
      `   batch:  request p50 ${ms(batch.request.p50)}, p99 ${ms(batch.request.p99)}; ${batch.failures} not accepted_local; fanned out ${batch.fannedOut}/${batch.ops} in ${batch.frames} frames (≈ ${(batch.ops / (batch.frames || 1)).toFixed(1)} ops/commit); ${cpuNote(batch.cpu)}, ${perOp(batch)}` +
        (batch.ops < batch.planned ? `; stopped at the ${INGEST.budgetMs / 1000} s budget` : ''),
      `   sqlite: journal + feed row per op, ~${sqlite.bytes} B; one commit (fsync) takes p50 ${ms(sqliteOne.commit.p50)}, p99 ${ms(sqliteOne.commit.p99)}, max ${ms(sqliteOne.commit.max)} at 1 op, p99 ${ms(sqlite.commit.p99)} at ${SQLITE.perTx} ops; relay journal depth after the run: ${health.journalDepth}`,
      '',
      `total ${((performance.now() - runStarted) / 1000).toFixed(1)} s; load average ${load()} at the end`,
    ];
    console.log(lines.join('\n'));
    reportFigures('relay', [
      {
        id: 'relay.fanout-p99',
        label: `LAN fan-out to ${FANOUT.subscribers} subscribers at ${FANOUT.opsPerSecond.toLocaleString('en-US')} ops/s (p99)`,
        value: fan.p99,
        unit: 'ms',
        better: 'lower',
        target: { op: '<=', value: TARGET.fanoutP99Ms },
        ceilingOf: 'relay.ws-p99',
      },
      {
        id: 'relay.fanout-p50',
        label: 'LAN fan-out (p50)',
        value: fan.p50,
        unit: 'ms',
        better: 'lower',
        ceilingOf: 'relay.ws-p50',
      },
      {
        id: 'relay.ws-p99',
        label: 'ceiling: raw Bun websocket publish, 1 frame per 1 ms tick (p99)',
        value: ceiling.p99,
        unit: 'ms',
        better: 'lower',
      },
      {
        id: 'relay.ws-p50',
        label: 'ceiling: raw Bun websocket publish (p50)',
        value: ceiling.p50,
        unit: 'ms',
        better: 'lower',
      },
      {
        id: 'relay.ingest-batch',
        label: `Durable ingest, ${INGEST.clients} clients × ${INGEST.batch} ops/request`,
        value: batch.ops / batch.seconds,
        unit: 'ops/s',
        better: 'higher',
        target: { op: '>=', value: TARGET.ingestOpsPerSecond },
        ceilingOf: 'relay.sqlite-group',
      },
      {
        id: 'relay.ingest-single',
        label: `Durable ingest, ${INGEST.clients} clients × 1 op/request`,
        value: single.ops / single.seconds,
        unit: 'ops/s',
        better: 'higher',
        ceilingOf: 'relay.sqlite-group',
      },
      {
        id: 'relay.sqlite-group',
        label: `ceiling: raw bun:sqlite group commit, ${SQLITE.perTx} ops/tx (FULL sync)`,
        value: sqliteRate,
        unit: 'ops/s',
        better: 'higher',
      },
      {
        id: 'relay.sqlite-one',
        label: 'context: raw bun:sqlite, 1 op/tx (FULL sync)',
        value: sqliteOneRate,
        unit: 'ops/s',
        better: 'higher',
      },
    ]);
    if (fan.notAccepted + single.failures + batch.failures > 0) process.exitCode = 1;
  } catch (error) {
    if (relay) console.error(`relay output (tail):\n${relay.tail()}`);
    throw error;
  } finally {
    clearTimeout(giveUp);
    await cloud?.kill9();
    await relay?.kill9();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
