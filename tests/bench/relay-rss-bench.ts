import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type LiveFrame, makeOperation, newUlid, type Operation, type OpResult } from '#protocol';
import { pairWithCloud } from '../e2e/support/cloud-client.ts';
import {
  call,
  json,
  type StaffRole,
  signIn,
  TENANT,
  VENUE,
  type VenueHarness,
  venueHarness,
  venuePath,
} from '../e2e/support/relay-process.ts';
import { guardRun } from '../support/run-guard.ts';
import { waitFor } from '../support/wait-for.ts';
import { type BenchFigure, meetsTarget, reportFigures } from './bench-figures.ts';
import { textTable } from './text-table.ts';

// The venue relay's resident memory with 500 connected devices. A script, not a test:
//   npx bun tests/bench/relay-rss-bench.ts
// A real cloud, a real relay (`bun relay/main.ts`, its uplink through the fault proxy, online).
// The relay's RSS (VmRSS in /proc/<pid>/status, sampled every 250 ms):
//   (a) before any device connects, the relay bootstrapped and idle;
//   (b) 500 devices on its LAN live websocket (400 signed in as the server, 100 as the kitchen,
//       each with its own deviceId, the staff's default scopes: every op reaches every socket),
//       idle for 20 s;
//   (c) the same 500 while three people on three paired tablets post 200 ops/s for 30 s
//       (orders created with two lines, a line added, sent to the kitchen), each tablet flushing
//       what is due every 50 ms as one batch — written through to the cloud and fanned out to
//       the 500 sockets as its feed comes back;
//   (d) the same 500 idle again for 5 s (what the new orders and tickets keep).
// Peer, same run: a bare Bun process (a minimal Bun.serve websocket server) holding the same
// 500 client sockets — the floor under the relay's figure. MB here is 2^20 bytes.

const DEVICES = { total: 500, kitchen: 100, openAtOnce: 50 } as const;
const MAX_BATCH = 100;
const IDLE_S = 20;
const BUSY = { seconds: 30, opsPerSecond: 200, tickMs: 50 } as const;
const BASELINE_S = 3;
const AFTER_S = 5;
const SAMPLE_MS = 250;
const TARGET_MB = 120;
const DEADLINE_MS = 5 * 60_000;
/** The floor's people, each on a paired tablet of their own. */
const WRITERS: readonly StaffRole[] = ['server', 'manager', 'owner'];

const BUN_BIN = fileURLToPath(new URL('../../node_modules/.bin/bun', import.meta.url));
const began = performance.now();
const progress = (what: string) =>
  console.error(`bench: ${((performance.now() - began) / 1000).toFixed(1)} s ${what}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Memory

/** VmRSS from the text of /proc/<pid>/status, in kB; NaN when the line is not there. */
function vmRssKb(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) : Number.NaN;
}

/** A process's resident set now, in MB; NaN once it is gone. */
function rssMb(pid: number): number {
  try {
    return vmRssKb(readFileSync(`/proc/${pid}/status`, 'utf8')) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** The p-th percentile (nearest rank) of `values`; NaN for none. */
function percentile(values: readonly number[], p: number): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

interface Rss {
  readonly median: number;
  readonly max: number;
  readonly samples: number;
}

/** Samples `pid`'s RSS every SAMPLE_MS for `seconds` (and once at the start). */
async function sampleRss(pid: number, seconds: number): Promise<Rss> {
  const values = [rssMb(pid)];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    await sleep(SAMPLE_MS);
    values.push(rssMb(pid));
  }
  return summary(values);
}

const summary = (values: readonly number[]): Rss => ({
  median: percentile(values, 50),
  max: Math.max(...values.filter((v) => !Number.isNaN(v))),
  samples: values.length,
});

// ---------------------------------------------------------------------------------------------
// Devices: Bun websocket clients, light enough that 500 of them leave the cores to the relay

interface Devices {
  /** Sockets open now. */
  open(): number;
  /** Sockets closed by the server, and error frames, as the first few of them read. */
  readonly problems: string[];
  /** Distinct (order, socket) deliveries of the tracked orders, and each one's latency in ms. */
  delivered: number;
  /** performance.now() of the last delivery. */
  lastDelivery: number;
  readonly latencies: number[];
  /** Entries received, by socket. */
  readonly entries: number[];
  /** Tracked orders each socket has received, by socket. */
  perSocket(): number[];
  /**
   * Follows these orders from now on (index → when its create was posted, performance.now()).
   * By entity, not by op: the relay's feed is its state's changes, so one entry of an order can
   * stand for several ops on it (created, a line added, sent, all in one cloud page).
   */
  track(orderIds: readonly string[], sentAt: ArrayLike<number>): void;
  close(): void;
}

/**
 * Opens `urls.length` sockets (`openAtOnce` at a time), each resolved once its first frame
 * arrived. Every socket gets the same frame text, so each distinct frame is parsed once (keyed by
 * length, head and tail: the tail is the signed cursor).
 */
async function connectDevices(
  urls: readonly { url: string; protocols: string[] }[],
  openAtOnce: number,
): Promise<Devices> {
  let tracked = new Map<string, number>();
  let sentAt: ArrayLike<number> = [];
  let seen: Uint8Array[] = [];
  const parsed = new Map<string, { entries: number; orders: number[] }>();
  let closing = false;
  const sockets: WebSocket[] = [];
  const devices: Devices = {
    open: () => sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length,
    problems: [],
    delivered: 0,
    lastDelivery: 0,
    latencies: [],
    entries: [],
    perSocket: () => seen.map((mine) => mine.reduce((sum, x) => sum + x, 0)),
    track(orderIds, sent) {
      tracked = new Map(orderIds.map((id, i) => [id, i]));
      sentAt = sent;
      seen = sockets.map(() => new Uint8Array(orderIds.length));
      devices.entries.fill(0);
      parsed.clear();
    },
    close() {
      closing = true;
      for (const ws of sockets) ws.close(1000, 'bench done');
    },
  };
  const note = (problem: string) => {
    if (devices.problems.length < 5) devices.problems.push(problem);
  };
  const openOne = (s: number, url: string, protocols: string[]) =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(url, protocols);
      sockets[s] = ws;
      const timer = setTimeout(() => reject(new Error(`device ${s}: no first frame`)), 20_000);
      let first = true;
      ws.onmessage = (event) => {
        const at = performance.now();
        if (first) {
          first = false;
          clearTimeout(timer);
          resolve();
        }
        const text = event.data as string;
        const key = `${text.length}|${text.slice(0, 80)}|${text.slice(-96)}`;
        let frame = parsed.get(key);
        if (frame === undefined) {
          const body = JSON.parse(text) as LiveFrame;
          if (body.type === 'error') note(`device ${s}: ${JSON.stringify(body.problem)}`);
          const found = new Set<number>();
          if (body.type === 'entries')
            for (const entry of body.entries) {
              const i = entry.entity === 'order' ? tracked.get(entry.id) : undefined;
              if (i !== undefined) found.add(i);
            }
          frame = {
            entries: body.type === 'entries' ? body.entries.length : 0,
            orders: [...found],
          };
          parsed.set(key, frame);
        }
        devices.entries[s] = (devices.entries[s] ?? 0) + frame.entries;
        const mine = seen[s];
        if (!mine) return;
        for (const i of frame.orders) {
          if (mine[i]) continue;
          mine[i] = 1;
          devices.delivered++;
          devices.lastDelivery = at;
          devices.latencies.push(at - (sentAt[i] ?? at));
        }
      };
      ws.onerror = () => {
        clearTimeout(timer);
        reject(new Error(`device ${s}: websocket error`));
      };
      ws.onclose = (event) => {
        if (!closing) note(`device ${s} closed: ${event.code} ${event.reason}`);
      };
    });
  for (let from = 0; from < urls.length; from += openAtOnce)
    await Promise.all(
      urls
        .slice(from, from + openAtOnce)
        .map(({ url, protocols }, i) => openOne(from + i, url, protocols)),
    );
  return devices;
}

// ---------------------------------------------------------------------------------------------
// The writers

interface Writer {
  readonly role: StaffRole;
  readonly deviceId: string;
  readonly token: string;
  /** Its ops in the order it posts them. */
  readonly ops: Operation[];
}

/**
 * One person's ops on their tablet: orders of two lines, a line added, sent to the kitchen
 * (three ops an order), at least `count` of them.
 */
async function writerOps(role: StaffRole, deviceId: string, count: number): Promise<Operation[]> {
  const ops: Operation[] = [];
  const items = ['burrata', 'calamari', 'caesar', 'soup-of-the-day', 'fries', 'salmon'];
  const made = (type: Operation['type'], payload: unknown, dependsOn: string[] = []) =>
    makeOperation({
      type,
      payload: payload as never,
      deviceId,
      tenantId: TENANT,
      venueId: VENUE,
      actorId: `demo-${role}`,
      dependsOn,
    });
  for (let o = 0; ops.length < count; o++) {
    const orderId = newUlid();
    const line = (k: number) => ({
      lineId: newUlid(),
      itemId: items[(o + k) % items.length] ?? 'fries',
      quantity: 1,
    });
    const create = await made('order.create', {
      orderId,
      tableId: `table-${1 + (o % 12)}`,
      guestCount: 2,
      lines: [line(0), line(1)],
    });
    ops.push(
      create,
      await made('order.addLines', { orderId, lines: [line(2)] }, [create.opId]),
      await made('order.sendToKitchen', { orderId }, [create.opId]),
    );
  }
  return ops;
}

/**
 * Each writer is an outbox: every tick the ops due by the wall clock join it, and, unless its
 * last flush is still out, up to a batch of it is posted. What comes back `retryable` (or not
 * at all) stays at the head of the outbox and goes again; anything else is final. After the
 * writing time, the outboxes are flushed to empty (bounded).
 */
async function writeSteadily(
  base: string,
  writers: readonly Writer[],
  sentAt: Float64Array,
  orderOfCreate: ReadonlyMap<string, number>,
) {
  const perWriter = BUSY.opsPerSecond / writers.length;
  const statuses = new Map<string, number>();
  const count = (key: string, n = 1) => statuses.set(key, (statuses.get(key) ?? 0) + n);
  let final = 0;
  let requests = 0;
  const outboxes = writers.map(() => [] as Operation[]);
  const busy = writers.map(() => false);
  const queued = writers.map(() => 0);
  const flush = async (w: number) => {
    const writer = writers[w];
    const outbox = outboxes[w];
    if (!writer || !outbox || busy[w] || outbox.length === 0) return;
    busy[w] = true;
    const batch = outbox.splice(0, MAX_BATCH);
    const t0 = performance.now();
    for (const op of batch) {
      const order = orderOfCreate.get(op.opId);
      if (order !== undefined && Number.isNaN(sentAt[order])) sentAt[order] = t0;
    }
    requests++;
    const http = await call(`${base}${venuePath('/ops/batch')}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${writer.token}` },
      body: JSON.stringify({ deviceId: writer.deviceId, ops: batch }),
    }).catch((error: unknown) => ({ status: 0, text: String(error), headers: new Headers() }));
    const again: Operation[] = [];
    if (http.status !== 200) {
      count(`HTTP ${http.status} (sent again)`, batch.length);
      again.push(...batch);
    } else {
      const results = json<{ results: OpResult[] }>(http).results;
      batch.forEach((op, i) => {
        const result = results[i];
        if (!result || result.status === 'retryable') {
          count(`retryable ${result?.code ?? 'unanswered'} (sent again)`);
          again.push(op);
          return;
        }
        count(result.status === 'rejected' ? `rejected ${result.code}` : result.status);
        final++;
      });
    }
    outbox.unshift(...again);
    busy[w] = false;
  };
  const started = performance.now();
  const deadline = started + (BUSY.seconds + 15) * 1000;
  for (let tick = 1; performance.now() < deadline; tick++) {
    const elapsed = (performance.now() - started) / 1000;
    const writing = elapsed < BUSY.seconds;
    writers.forEach((writer, w) => {
      if (writing) {
        const due = Math.min(writer.ops.length, Math.floor(elapsed * perWriter));
        const from = queued[w] ?? 0;
        outboxes[w]?.push(...writer.ops.slice(from, due));
        queued[w] = Math.max(from, due);
      }
      void flush(w);
    });
    if (!writing && outboxes.every((o) => o.length === 0) && busy.every((b) => !b)) break;
    const wait = started + tick * BUSY.tickMs - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const seconds = (performance.now() - started) / 1000;
  const total = queued.reduce((a, b) => a + b, 0);
  const left = outboxes.reduce((sum, o) => sum + o.length, 0);
  return { total, final, left, requests, seconds, statuses };
}

// ---------------------------------------------------------------------------------------------
// The peer: a bare Bun websocket server in a process of its own

const BARE_SERVER = `
const server = Bun.serve({
  port: 0,
  fetch(req, srv) {
    if (srv.upgrade(req, { headers: { 'Sec-WebSocket-Protocol': 'hearth.v1' } })) return;
    return new Response('upgrade required', { status: 426 });
  },
  websocket: {
    open(ws) { ws.send('{"type":"heartbeat"}'); },
    message() {},
  },
});
console.log(String(server.port));
`;

async function bareBunPeer(): Promise<{ before: Rss; held: Rss }> {
  const child: ChildProcess = spawn(BUN_BIN, ['-e', BARE_SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('bare Bun server: no port')), 10_000);
      child.stdout?.setEncoding('utf8').once('data', (chunk: string) => {
        clearTimeout(timer);
        resolve(Number(chunk.trim()));
      });
      child.once('exit', (code) => reject(new Error(`bare Bun server exited (${code})`)));
    });
    const pid = child.pid ?? -1;
    await sleep(1_000);
    const before = await sampleRss(pid, BASELINE_S);
    const devices = await connectDevices(
      Array.from({ length: DEVICES.total }, () => ({
        url: `ws://127.0.0.1:${port}/`,
        protocols: ['hearth.v1', 'bearer.x'],
      })),
      DEVICES.openAtOnce,
    );
    const held = await sampleRss(pid, 10);
    devices.close();
    return { before, held };
  } finally {
    child.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------------

const mb = (n: number) => (Number.isFinite(n) ? `${n.toFixed(1)} MB` : '-');
const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(0)} ms` : '-');

async function main(): Promise<void> {
  let h: VenueHarness | undefined;
  let devices: Devices | undefined;
  const stop = async () => {
    devices?.close();
    devices = undefined;
    await h?.close();
    h = undefined;
  };
  const disarm = guardRun('relay RSS bench', DEADLINE_MS, stop);
  const loadBefore = loadavg();
  try {
    progress('starting the cloud, the fault proxy and the relay');
    h = await venueHarness();
    const harness = h;
    await harness.waitSettled();
    const pid = harness.relay.pid;

    // Three people on three tablets paired at the cloud, signed in at the relay once its feed
    // has brought the tablets there: the cloud's write limits are per person and per tablet.
    progress('pairing the writers’ tablets');
    const writers: Writer[] = [];
    const perWriter = Math.ceil((BUSY.opsPerSecond * BUSY.seconds) / WRITERS.length) + 30;
    for (const role of WRITERS) {
      const tablet = await pairWithCloud(harness.cloud.url, harness.cloud.keysFile);
      const token = await waitFor(
        `the relay knowing ${tablet.deviceId}`,
        () => signIn(harness.relay.url, role, tablet.header),
        { timeoutMs: 15_000, intervalMs: 100 },
      );
      writers.push({
        role,
        deviceId: tablet.deviceId,
        token,
        ops: await writerOps(role, tablet.deviceId, perWriter),
      });
    }
    // The orders followed to the sockets, by their create op.
    const creates = writers.flatMap((w) => w.ops.filter((op) => op.type === 'order.create'));
    const orderOfCreate = new Map(creates.map((op, i) => [op.opId, i]));
    const sentAt = new Float64Array(creates.length).fill(Number.NaN);

    progress('(a) the relay idle, no device');
    await sleep(2_000);
    const baseline = await sampleRss(pid, BASELINE_S);

    progress(`(b) opening ${DEVICES.total} live sockets`);
    const cursorOf = async (role: StaffRole) => (await harness.relaySnapshot(role)).cursor;
    const cursors = { server: await cursorOf('server'), kitchen: await cursorOf('kitchen') };
    const urls = Array.from({ length: DEVICES.total }, (_, i) => {
      const role = i < DEVICES.kitchen ? 'kitchen' : 'server';
      const q = new URLSearchParams({ cursor: cursors[role], deviceId: `device-${i + 1}` });
      return {
        url: `${harness.relay.url.replace(/^http/, 'ws')}${venuePath(`/live?${q}`)}`,
        protocols: ['hearth.v1', `bearer.${harness.tokens[role]}`],
      };
    });
    const opening = performance.now();
    devices = await connectDevices(urls, DEVICES.openAtOnce);
    const openSeconds = (performance.now() - opening) / 1000;
    const connected = (await harness.relay.health()).connectedDevices;
    progress(`${devices.open()} open (${connected} by /healthz); idle for ${IDLE_S} s`);
    const idle = await sampleRss(pid, IDLE_S);

    progress(`(c) ${BUSY.opsPerSecond} ops/s for ${BUSY.seconds} s`);
    devices.track(
      creates.map((op) => (op.payload as { orderId: string }).orderId),
      sentAt,
    );
    const busyRss: number[] = [];
    const sampler = setInterval(() => busyRss.push(rssMb(pid)), SAMPLE_MS);
    const busyStarted = performance.now();
    const busy = await writeSteadily(harness.relay.url, writers, sentAt, orderOfCreate);
    const ordersPosted = sentAt.filter((t) => !Number.isNaN(t)).length;
    const expected = ordersPosted * DEVICES.total;
    const d = devices;
    await waitFor('fan-out delivery', () => d.delivered >= expected, {
      timeoutMs: 15_000,
      intervalMs: 50,
    }).catch(() => {});
    clearInterval(sampler);
    const busySummary = summary(busyRss);
    const openAfter = devices.open();
    const problems = [...devices.problems];
    const delivered = devices.delivered;
    const deliverySeconds = (devices.lastDelivery - busyStarted) / 1000;
    const perSocket = devices.perSocket();
    const latencies = devices.latencies;
    const devicesEntries = devices.entries;
    const relayHealth = await harness.relay.health();
    // What stays once the writing stops: the same sockets, idle again, the new orders held.
    const after = await sampleRss(pid, AFTER_S);
    await stop();

    progress('peer: a bare Bun websocket server holding the same 500 sockets');
    const bare = await bareBunPeer();

    const achieved = busy.final / busy.seconds;
    const entriesPerSocket = [...devicesEntries];
    const deliveryRate = delivered / (expected || 1);
    const figures: BenchFigure[] = [
      {
        id: 'relay-rss.idle-500',
        label: `Relay RSS, ${DEVICES.total} connected idle devices (max)`,
        value: idle.max,
        unit: 'MB',
        better: 'lower',
        target: { op: '<=', value: TARGET_MB },
        ceilingOf: 'relay-rss.bare-bun-500',
      },
      {
        id: 'relay-rss.busy-200',
        label: `Relay RSS, ${DEVICES.total} devices at ${BUSY.opsPerSecond} ops/s (max)`,
        value: busySummary.max,
        unit: 'MB',
        better: 'lower',
        target: { op: '<=', value: TARGET_MB },
        ceilingOf: 'relay-rss.bare-bun-500',
      },
      {
        id: 'relay-rss.bare-bun-500',
        label: `Peer: a bare Bun process holding ${DEVICES.total} websockets (median)`,
        value: bare.held.median,
        unit: 'MB',
        better: 'lower',
      },
    ];
    reportFigures('relay-rss', figures);

    const verdict = (f: BenchFigure | undefined) =>
      f === undefined || !f.target ? '' : meetsTarget(f, f.value) ? 'met' : 'target missed';
    const rows = [
      ['(a) relay, no device', mb(baseline.median), mb(baseline.max), '', ''],
      [
        `(b) relay, ${DEVICES.total} idle devices, ${IDLE_S} s`,
        mb(idle.median),
        mb(idle.max),
        `≤ ${TARGET_MB} MB`,
        verdict(figures[0]),
      ],
      [
        `(c) relay, ${DEVICES.total} devices, ${BUSY.opsPerSecond} ops/s, ${BUSY.seconds} s`,
        mb(busySummary.median),
        mb(busySummary.max),
        `≤ ${TARGET_MB} MB`,
        verdict(figures[1]),
      ],
      [
        `(d) relay, the same devices idle again, ${AFTER_S} s`,
        mb(after.median),
        mb(after.max),
        '',
        '',
      ],
      ['peer: bare Bun, no socket', mb(bare.before.median), mb(bare.before.max), '', ''],
      [
        `peer: bare Bun, ${DEVICES.total} websockets`,
        mb(bare.held.median),
        mb(bare.held.max),
        '',
        '',
      ],
    ];
    console.log(
      [
        `hearth relay RSS bench — ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} at start`,
        '',
        textTable(['', 'RSS median', 'RSS max', 'target (max)', ''], rows, [0, 3, 4]),
        '',
        `(b) ${DEVICES.total} sockets (${DEVICES.kitchen} kitchen, ${DEVICES.total - DEVICES.kitchen} server; a deviceId each) open in ${openSeconds.toFixed(1)} s; /healthz counted ${connected} connected`,
        `(c) ${busy.total.toLocaleString('en-US')} ops due in ${BUSY.seconds} s from ${WRITERS.length} tablets (${WRITERS.join(', ')}), ${busy.final.toLocaleString('en-US')} answered for good in ${busy.seconds.toFixed(1)} s: ${Math.round(achieved)} ops/s achieved, ${busy.requests} requests, ${busy.left} left unsent (${[
          ...busy.statuses,
        ]
          .map(([status, n]) => `${n} ${status}`)
          .join(', ')})`,
        `    fan-out: ${delivered.toLocaleString('en-US')}/${expected.toLocaleString('en-US')} (order, socket) deliveries (${(deliveryRate * 100).toFixed(2)}%: ${ordersPosted.toLocaleString('en-US')} orders to ${DEVICES.total} sockets), ${Math.round(delivered / deliverySeconds).toLocaleString('en-US')} per second; create posted → order on a socket p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}`,
        `    per socket: orders min ${Math.min(...perSocket)}, max ${Math.max(...perSocket)}; entries min ${Math.min(...entriesPerSocket)}, max ${Math.max(...entriesPerSocket)}; ${openAfter} sockets open after; relay ${relayHealth.connectivity}, journal ${relayHealth.journalDepth}`,
        ...problems.map((p) => `    ! ${p}`),
        `    RSS samples every ${SAMPLE_MS} ms: ${baseline.samples} / ${idle.samples} / ${busySummary.samples} / ${after.samples}; peer ${bare.before.samples} / ${bare.held.samples}`,
        `total ${((performance.now() - began) / 1000).toFixed(1)} s; load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')} at the end`,
      ].join('\n'),
    );
    // A closed socket, an error frame or a refused op fails the run; memory and speed are figures.
    if (problems.length > 0 || [...busy.statuses.keys()].some((k) => k.startsWith('rejected')))
      process.exitCode = 1;
  } catch (error) {
    if (h) console.error(`relay stderr (tail):\n${h.relay.output().stderr.slice(-4_000)}`);
    throw error;
  } finally {
    disarm();
    await stop();
  }
}

await main();
