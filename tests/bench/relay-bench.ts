import { Database } from 'bun:sqlite';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeOperation, newUlid, type Operation, type OpResult } from '#protocol';
import { type CloudProcess, findFreePort, startCloud } from '../e2e/support/processes.ts';

// The venue relay (`bun relay/main.ts`) working local-only, beside the machine's ceilings
// measured in the same run. A script, not a test:
//   npm run bench:relay        (or: npx bun tests/bench/relay-bench.ts)
// a. LAN fan-out: 200 live websocket subscribers, a writer at 1,000 ops/s; latency per
//    (op, subscriber) = frame received − op's request sent. Ceiling: a raw Bun websocket server
//    in this process fanning one coalesced frame per 1 ms tick to 200 subscribers.
// b. Durable ingest: concurrent writers (single ops, batches of 50), every op journaled,
//    decided, committed and fanned out. Ceiling: raw bun:sqlite WAL synchronous=FULL group commit.
// Bounded: every phase stops at its count or its time budget; the run gives up after 110 s.
// Optional: RELAY_BENCH_BUN_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the relay.

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUN_BIN = fileURLToPath(new URL('../../node_modules/.bin/bun', import.meta.url));
const VENUE = 'demo-bistro';
const TENANT = 'demo';
const PINS = { server: '1111', kitchen: '2222', manager: '3333' } as const;
const REQUEST_TIMEOUT_MS = 15_000;
const RUN_BUDGET_MS = 110_000;

const FANOUT = { subscribers: 200, opsPerSecond: 1_000, seconds: 5, writeEveryMs: 10 } as const;
const INGEST = { ops: 20_000, clients: 32, batch: 50, budgetMs: 25_000 } as const;
const CEILING = { sqliteRows: 40_000, sqlitePerTx: 100, sqliteBudgetMs: 6_000 } as const;
/** From the issue. */
const TARGET = { fanoutP99Ms: 25, ingestOpsPerSecond: 10_000 } as const;

// ---------------------------------------------------------------------------------------------
// Processes

interface RelayProcess {
  url: string;
  port: number;
  tail(): string;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

async function startRelay(env: Record<string, string>): Promise<RelayProcess> {
  if (!existsSync(BUN_BIN)) throw new Error(`bun not found at ${BUN_BIN}; run npm ci`);
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const flags = (process.env.RELAY_BENCH_BUN_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const child: ChildProcess = spawn(BUN_BIN, [...flags, 'relay/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The relay logs a JSON line per request: keep only the tail, for a failure report.
  let tail = '';
  const keep = (chunk: string) => {
    tail = (tail + chunk).slice(-8_000);
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
    port,
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function connectivity(relay: RelayProcess): Promise<string> {
  const res = await fetch(`${relay.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
  return ((await res.json()) as { connectivity: string }).connectivity;
}

async function waitFor(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  return { status: res.status, text };
}

async function signIn(url: string, pin: string): Promise<string> {
  const res = await post(`${url}/v1/auth/staff`, { venueId: VENUE, pin });
  if (res.status !== 200) throw new Error(`sign-in at ${url}: ${res.status} ${res.text}`);
  return (JSON.parse(res.text) as { token: string }).token;
}

async function snapshot(url: string, token: string) {
  const res = await fetch(`${url}/v1/venues/${VENUE}/snapshot`, {
    headers: { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (res.status !== 200) throw new Error(`snapshot: ${res.status} ${await res.text()}`);
  return (await res.json()) as { cursor: string; seq: number; records: { entity: string }[] };
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

/** Orders only (the fan-out phase tracks each op by its orderId). */
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

// ---------------------------------------------------------------------------------------------
// Subscribers (shared by the relay and the ceiling, so both are measured the same way)

interface Fanout {
  /** Milliseconds per (message, subscriber). */
  latencies: Float64Array;
  count: number;
  frames: number;
  /** Bytes of entries frames seen by subscriber 0. */
  bytes0: number;
  entries0: number;
  frames0: number;
  errors: string[];
  closedEarly: number;
}

/**
 * Opens `n` Bun websocket clients. Every subscriber that receives an entries frame records, for
 * each tracked id in it, receive time − send time. Frames are identical across subscribers, so
 * each distinct frame is parsed once (keyed by its length, head and tail — the tail is the
 * signed cursor).
 */
async function subscribe(
  n: number,
  url: string,
  protocols: string[],
  sentAt: Map<string, number>,
  idOf: (entry: { entity: string; id: string; op: string }) => string | undefined,
  capacity: number,
): Promise<{ sockets: WebSocket[]; fanout: Fanout }> {
  const fanout: Fanout = {
    latencies: new Float64Array(capacity),
    count: 0,
    frames: 0,
    bytes0: 0,
    entries0: 0,
    frames0: 0,
    errors: [],
    closedEarly: 0,
  };
  const parsed = new Map<string, { ids: string[]; entries: number } | null>();
  let closing = false;
  const sockets = await Promise.all(
    Array.from(
      { length: n },
      (_, s) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url, protocols);
          const timer = setTimeout(() => reject(new Error(`subscriber ${s}: no open`)), 15_000);
          ws.onopen = () => {
            clearTimeout(timer);
            resolve(ws);
          };
          ws.onerror = () => {
            clearTimeout(timer);
            reject(new Error(`subscriber ${s}: websocket error`));
          };
          ws.onclose = (event) => {
            if (!closing) {
              fanout.closedEarly++;
              if (fanout.errors.length < 5)
                fanout.errors.push(`subscriber ${s} closed ${event.code} ${event.reason}`);
            }
          };
          ws.onmessage = (event) => {
            const at = performance.now();
            const text = event.data as string;
            const key = `${text.length}|${text.slice(0, 80)}|${text.slice(-96)}`;
            let frame = parsed.get(key);
            if (frame === undefined) {
              const body = JSON.parse(text) as {
                type: string;
                entries?: { entity: string; id: string; op: string }[];
                problem?: unknown;
              };
              if (body.type === 'error' && fanout.errors.length < 5)
                fanout.errors.push(`subscriber ${s}: ${JSON.stringify(body.problem)}`);
              frame =
                body.type === 'entries' && body.entries
                  ? {
                      ids: body.entries.map(idOf).filter((id): id is string => id !== undefined),
                      entries: body.entries.length,
                    }
                  : null;
              parsed.set(key, frame);
              if (frame) fanout.frames++;
            }
            if (!frame) return;
            if (s === 0) {
              fanout.bytes0 += text.length;
              fanout.entries0 += frame.entries;
              fanout.frames0++;
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
  const closeAll = () => {
    closing = true;
    for (const ws of sockets) ws.close();
  };
  return { sockets: Object.assign(sockets, { closeAll }), fanout };
}

function closeAll(sockets: WebSocket[]): void {
  (sockets as WebSocket[] & { closeAll?: () => void }).closeAll?.();
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

function summary(fanout: Fanout) {
  const sorted = fanout.latencies.slice(0, fanout.count).sort();
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? (sorted[sorted.length - 1] ?? Number.NaN) : Number.NaN,
    samples: sorted.length,
  };
}

// ---------------------------------------------------------------------------------------------
// a. Fan-out at the relay

async function relayFanout(relay: RelayProcess, serverToken: string, kitchenToken: string) {
  const total = FANOUT.opsPerSecond * FANOUT.seconds;
  const warmup = await Promise.all(Array.from({ length: 200 }, (_, i) => orderOp('bench-warm', i)));
  const ops = await Promise.all(Array.from({ length: total }, (_, i) => orderOp('bench-fan', i)));
  const sentAt = new Map<string, number>();
  const snap = await snapshot(relay.url, kitchenToken);
  const liveUrl = `${relay.url.replace('http', 'ws')}/v1/venues/${VENUE}/live?cursor=${encodeURIComponent(snap.cursor)}`;
  const { sockets, fanout } = await subscribe(
    FANOUT.subscribers,
    liveUrl,
    ['hearth.v1', `bearer.${kitchenToken}`],
    sentAt,
    (e) => (e.entity === 'order' && e.op === 'upsert' ? e.id : undefined),
    (total + warmup.length) * FANOUT.subscribers,
  );
  const batchUrl = `${relay.url}/v1/venues/${VENUE}/ops/batch`;
  const auth = { Authorization: `Bearer ${serverToken}` };
  let notAccepted = 0;
  const send = async (batch: Operation[]) => {
    const now = performance.now();
    for (const op of batch) sentAt.set(orderIdOf(op), now);
    const res = await post(batchUrl, { deviceId: batch[0]?.deviceId, ops: batch }, auth);
    if (res.status !== 200) {
      notAccepted += batch.length;
      return;
    }
    const { results } = JSON.parse(res.text) as { results: OpResult[] };
    notAccepted += results.filter((r) => r.status !== 'accepted_local').length;
  };
  // Warm-up (JIT, first frames), not measured.
  for (let i = 0; i < warmup.length; i += 10) await send(warmup.slice(i, i + 10));
  await waitFor('warm-up delivery', 10_000, async () => fanout.count >= warmup.length * FANOUT.subscribers);
  fanout.count = 0;
  const warmFrames = { bytes: fanout.bytes0, entries: fanout.entries0, frames: fanout.frames0 };
  fanout.bytes0 = 0;
  fanout.entries0 = 0;
  fanout.frames0 = 0;
  notAccepted = 0;

  // The writer: every 10 ms, one batch of the ops due by then (1,000/s on the wall clock).
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
  await waitFor('fan-out delivery', 10_000, async () => fanout.count >= expected).catch(() => {});
  closeAll(sockets);
  return {
    ...summary(fanout),
    expected,
    achievedRate: total / writeSeconds,
    notAccepted,
    fanout,
    warmFrames,
    bytesPerOp: warmFrames.bytes / (warmFrames.entries || 1),
  };
}

// ---------------------------------------------------------------------------------------------
// a'. Fan-out ceiling: raw Bun websocket server in this process, one coalesced frame per 1 ms

async function fanoutCeiling(entryBytes: number, cursorBytes: number) {
  const sockets = new Set<Bun.ServerWebSocket<unknown>>();
  const server = Bun.serve({
    port: 0,
    fetch(req, srv) {
      if (srv.upgrade(req, { headers: { 'Sec-WebSocket-Protocol': 'hearth.v1' } })) return;
      return new Response('upgrade', { status: 426 });
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
  const { sockets: clients, fanout } = await subscribe(
    FANOUT.subscribers,
    `ws://127.0.0.1:${server.port}/`,
    ['hearth.v1', 'bearer.x'],
    sentAt,
    (e) => e.id,
    total * FANOUT.subscribers,
  );
  // An entry like the relay's (same JSON size per op), and a cursor-sized tail.
  const pad = 'x'.repeat(Math.max(0, Math.round(entryBytes) - 120));
  const entryOf = (i: number, id: string) => ({
    seq: i + 1,
    entity: 'order',
    id,
    op: 'upsert',
    version: 1,
    at: new Date().toISOString(),
    data: { pad },
  });
  const ids = Array.from({ length: total }, () => newUlid());
  let seqCounter = 0;
  const started = performance.now();
  let next = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - started) / 1000) * FANOUT.opsPerSecond));
      if (due > next) {
        const entries = [];
        for (; next < due; next++) {
          const id = ids[next] ?? '';
          // The message "arrived" at its scheduled time; coalescing waits count.
          sentAt.set(id, started + (next * 1000) / FANOUT.opsPerSecond);
          entries.push(entryOf(seqCounter++, id));
        }
        const text = JSON.stringify({
          type: 'entries',
          entries,
          cursor: `${seqCounter}.${'c'.repeat(cursorBytes)}`,
        });
        for (const ws of sockets) ws.send(text);
      }
      if (next >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const seconds = (performance.now() - started) / 1000;
  await waitFor('ceiling delivery', 10_000, async () => fanout.count >= total * FANOUT.subscribers).catch(
    () => {},
  );
  closeAll(clients);
  server.stop(true);
  return { ...summary(fanout), expected: total * FANOUT.subscribers, rate: total / seconds, fanout };
}

// ---------------------------------------------------------------------------------------------
// b. Durable ingest at the relay

async function ingestLane(
  relay: RelayProcess,
  token: string,
  kitchenToken: string,
  lane: 'single' | 'batch',
) {
  const perClient = Math.ceil(INGEST.ops / INGEST.clients);
  const clients = await Promise.all(
    Array.from({ length: INGEST.clients }, async (_, c) => {
      const deviceId = `bench-${lane}-${c}`;
      const ops: Operation[] = [];
      for (let i = 0; i < perClient; i++) ops.push(await createOp(deviceId, i));
      return ops;
    }),
  );
  const total = clients.flat().length;
  // One live subscriber checks that every op was fanned out.
  const seen = new Set<string>();
  const snap = await snapshot(relay.url, kitchenToken);
  const ws = new WebSocket(
    `${relay.url.replace('http', 'ws')}/v1/venues/${VENUE}/live?cursor=${encodeURIComponent(snap.cursor)}`,
    ['hearth.v1', `bearer.${kitchenToken}`],
  );
  ws.onmessage = (event) => {
    const body = JSON.parse(event.data as string) as { entries?: { opId?: string }[] };
    for (const e of body.entries ?? []) if (e.opId) seen.add(e.opId);
  };
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error('ingest subscriber: websocket error'));
  });
  const auth = { Authorization: `Bearer ${token}` };
  let failures = 0;
  let done = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + INGEST.budgetMs;
  await Promise.all(
    clients.map(async (ops) => {
      if (lane === 'single') {
        for (const op of ops) {
          if (performance.now() > deadline) return;
          const t0 = performance.now();
          const res = await post(`${relay.url}/v1/venues/${VENUE}/ops`, op, {
            ...auth,
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
          const res = await post(
            `${relay.url}/v1/venues/${VENUE}/ops/batch`,
            { deviceId: batch[0]?.deviceId, ops: batch },
            auth,
          );
          latencies.push(performance.now() - t0);
          done += batch.length;
          if (res.status !== 200) {
            failures += batch.length;
            continue;
          }
          const { results } = JSON.parse(res.text) as { results: OpResult[] };
          failures += results.filter((r) => r.status !== 'accepted_local').length;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await waitFor('ingest fan-out', 10_000, async () => seen.size >= done).catch(() => {});
  ws.close();
  latencies.sort((a, b) => a - b);
  const sorted = Float64Array.from(latencies);
  return {
    ops: done,
    planned: total,
    seconds,
    failures,
    fannedOut: seen.size,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

// ---------------------------------------------------------------------------------------------
// b'. SQLite ceiling: WAL, synchronous=FULL, a journal row and a feed row per op (~1 KB)

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
    const insJournal = db.prepare(
      `INSERT INTO journal (jseq, op_id, device_id, op, principal, received_at, status, result)
       VALUES ($jseq, $op_id, $device_id, $op, $principal, $received_at, 'pending', $result)`,
    );
    const insFeed = db.prepare(
      `INSERT INTO feed (seq, entity, id, op, version, data, at, op_id)
       VALUES ($seq, 'order', $id, 'upsert', 1, $data, $at, $op_id)`,
    );
    // Made before the clock starts: the ceiling is the database's, not JSON's.
    const at = new Date().toISOString();
    const made = Array.from({ length: rows }, (_, i) => {
      const opId = newUlid();
      const id = newUlid();
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
            tableId: `table-${1 + (i % 12)}`,
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
          tableId: `table-${1 + (i % 12)}`,
          status: 'open',
          guestCount: 2,
          lines: [{ lineId: newUlid(), itemId: 'burrata', quantity: 1, unitPrice: 1250 }],
          openedBy: 'demo-server',
          openedAt: at,
          updatedAt: at,
        }),
      };
    });
    const bytes =
      (made[0]?.op.length ?? 0) + (made[0]?.principal.length ?? 0) + (made[0]?.result.length ?? 0) +
      (made[0]?.data.length ?? 0) + 150;
    const commit = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const r = made[i];
        if (!r) continue;
        insJournal.run({
          jseq: i + 1,
          op_id: r.opId,
          device_id: 'bench',
          op: r.op,
          principal: r.principal,
          received_at: at,
          result: r.result,
        });
        insFeed.run({ seq: i + 1, id: r.id, data: r.data, at, op_id: r.opId });
      }
    });
    const started = performance.now();
    let written = 0;
    while (written < rows && performance.now() - started < budgetMs) {
      const to = Math.min(rows, written + perTx);
      commit.immediate(written, to);
      written = to;
    }
    return { ops: written, seconds: (performance.now() - started) / 1000, bytes };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Output

function table(header: string[], rows: string[][], left: number[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) =>
        left.includes(i) ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(1)} ms` : '-');
const rate = (n: number) => (Number.isFinite(n) ? `${Math.round(n).toLocaleString('en-US')}/s` : '-');

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
  try {
    // A real cloud, a node created by the manager, a real relay enrolled with its token.
    cloud = await startCloud({ dataDir: join(dir, 'cloud') });
    const manager = await signIn(cloud.url, PINS.manager);
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
    await waitFor('relay online', 15_000, async () => (await connectivity(r)) === 'online');
    // Sign-in through the relay while it is online (forwarded: cloud-issued tokens, which the
    // relay verifies offline with the keys it got at enrollment).
    const serverToken = await signIn(relay.url, PINS.server);
    const kitchenToken = await signIn(relay.url, PINS.kitchen);
    // The relay has bootstrapped once its snapshot holds the venue's tables.
    await waitFor('relay bootstrap', 15_000, async () =>
      (await snapshot(r.url, serverToken)).records.some((rec) => rec.entity === 'table'),
    );
    // Local-only: the cloud goes away; the relay decides alone.
    await cloud.stop();
    cloud = undefined;
    await waitFor('offline_local', 15_000, async () => (await connectivity(r)) === 'offline_local');
    const setupSeconds = (performance.now() - runStarted) / 1000;

    const fan = await relayFanout(relay, serverToken, kitchenToken);
    const single = await ingestLane(relay, serverToken, kitchenToken, 'single');
    const batch = await ingestLane(relay, serverToken, kitchenToken, 'batch');
    const health = (await (await fetch(`${relay.url}/healthz`)).json()) as Record<string, unknown>;
    await relay.stop();
    relay = undefined;

    // Ceilings, in this same run, once the relay is gone (nothing else competes for the cores).
    const cursorBytes = 120;
    const ceiling = await fanoutCeiling(fan.bytesPerOp, cursorBytes);
    const sqlite = sqliteCeiling(dir, CEILING.sqliteRows, CEILING.sqlitePerTx, CEILING.sqliteBudgetMs);
    const sqlite1 = sqliteCeiling(dir, 4_000, 1, 3_000);
    const sqliteRate = sqlite.ops / sqlite.seconds;

    const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const fanRows = [
      [
        `relay: ${FANOUT.subscribers} subs @ ${rate(fan.achievedRate)}`,
        ms(fan.p50),
        ms(fan.p99),
        ms(fan.max),
        `${fan.samples}/${fan.expected}`,
        `p99 ≤ ${TARGET.fanoutP99Ms} ms`,
        met(fan.p99 <= TARGET.fanoutP99Ms && fan.samples === fan.expected),
      ],
      [
        `ceiling: raw Bun ws, 1 frame/1 ms @ ${rate(ceiling.rate)}`,
        ms(ceiling.p50),
        ms(ceiling.p99),
        ms(ceiling.max),
        `${ceiling.samples}/${ceiling.expected}`,
        '',
        '',
      ],
    ];
    const singleRate = single.ops / single.seconds;
    const batchRate = batch.ops / batch.seconds;
    const ingestRows = [
      [
        `relay: ${INGEST.clients} clients × 1 op/request`,
        String(single.ops),
        single.seconds.toFixed(2),
        rate(singleRate),
        `${((singleRate / sqliteRate) * 100).toFixed(0)}%`,
        `≥ ${TARGET.ingestOpsPerSecond.toLocaleString('en-US')}/s`,
        met(singleRate >= TARGET.ingestOpsPerSecond && single.failures === 0),
      ],
      [
        `relay: ${INGEST.clients} clients × ${INGEST.batch} ops/request`,
        String(batch.ops),
        batch.seconds.toFixed(2),
        rate(batchRate),
        `${((batchRate / sqliteRate) * 100).toFixed(0)}%`,
        `≥ ${TARGET.ingestOpsPerSecond.toLocaleString('en-US')}/s`,
        met(batchRate >= TARGET.ingestOpsPerSecond && batch.failures === 0),
      ],
      [
        `ceiling: sqlite FULL, ${CEILING.sqlitePerTx} ops/tx`,
        String(sqlite.ops),
        sqlite.seconds.toFixed(2),
        rate(sqliteRate),
        '100%',
        '',
        '',
      ],
      [
        'context: sqlite FULL, 1 op/tx',
        String(sqlite1.ops),
        sqlite1.seconds.toFixed(2),
        rate(sqlite1.ops / sqlite1.seconds),
        `${((sqlite1.ops / sqlite1.seconds / sqliteRate) * 100).toFixed(0)}%`,
        '',
        '',
      ],
    ];

    console.log(
      `hearth relay bench — ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}, relay offline_local (setup ${setupSeconds.toFixed(1)} s)`,
    );
    console.log('');
    console.log(`a. LAN fan-out: latency per (op, subscriber) = entry frame received − op request sent`);
    console.log(
      table(
        ['', 'p50', 'p99', 'max', 'samples', 'target', ''],
        fanRows,
        [0, 5, 6],
      ),
    );
    console.log(
      `   relay writer: batches every ${FANOUT.writeEveryMs} ms (${FANOUT.opsPerSecond * FANOUT.seconds} order.create ops), ${fan.notAccepted} not accepted_local; ` +
        `${fan.fanout.frames0} entries frames per subscriber, ${(fan.fanout.entries0 / (fan.fanout.frames0 || 1)).toFixed(1)} entries and ${Math.round(fan.fanout.bytes0 / (fan.fanout.frames0 || 1))} B per frame, ${Math.round(fan.bytesPerOp)} B per entry`,
    );
    console.log(
      `   ceiling: server and its ${FANOUT.subscribers} clients share this process; ${ceiling.fanout.frames} frames, ${Math.round(ceiling.fanout.bytes0 / (ceiling.fanout.frames0 || 1))} B per frame`,
    );
    for (const error of [...fan.fanout.errors, ...ceiling.fanout.errors])
      console.log(`   ! ${error}`);
    console.log('');
    console.log('b. Durable ingest at the relay (journal + decide + group commit + fan-out per op)');
    console.log(
      table(
        ['', 'ops', 'seconds', 'ops/s', 'of ceiling', 'target', ''],
        ingestRows,
        [0, 5, 6],
      ),
    );
    console.log(
      `   single: request p50 ${ms(single.p50)}, p99 ${ms(single.p99)}; ${single.failures} not 202; fanned out ${single.fannedOut}/${single.ops}` +
        (single.ops < single.planned ? ` (stopped at the ${INGEST.budgetMs / 1000} s budget)` : ''),
    );
    console.log(
      `   batch:  request p50 ${ms(batch.p50)}, p99 ${ms(batch.p99)}; ${batch.failures} not accepted_local; fanned out ${batch.fannedOut}/${batch.ops}` +
        (batch.ops < batch.planned ? ` (stopped at the ${INGEST.budgetMs / 1000} s budget)` : ''),
    );
    console.log(
      `   sqlite ceiling rows: journal + feed row per op, ~${sqlite.bytes} B; relay journal depth after run: ${String(health.journalDepth)}`,
    );
    console.log('');
    console.log(`total ${((performance.now() - runStarted) / 1000).toFixed(1)} s`);
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
