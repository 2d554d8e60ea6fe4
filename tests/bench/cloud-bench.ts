import { Database } from 'bun:sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeOperation, newUlid, type Operation, type OpResult } from '#protocol';
import { pairWithCloud } from '../e2e/support/cloud-client.ts';
import { type CloudProcess, startCloud } from '../e2e/support/processes.ts';
import { reportFigures } from './bench-figures.ts';
import { cloudPid, processCpuMs } from './process-cpu.ts';
import { textTable } from './text-table.ts';

// Write throughput of the real cloud process (`bun cloud/main.ts`), lane by lane, beside the raw
// bun:sqlite ceiling of the same disk, measured in the same run. A script, not a test:
//   npm run bench:cloud        (or: npx bun tests/bench/cloud-bench.ts)
// Bounded: every phase stops at its op count or its time budget, whichever comes first.

const VENUE = 'demo-bistro';
const TENANT = 'demo';
const CLIENTS = 8;
const TOTAL_OPS = 2_000;
const BATCH_SIZE = 50;
const REQUEST_TIMEOUT_MS = 10_000;
/** Each SQLite ceiling phase stops after this long even if its rows are not all written. */
const CEILING_BUDGET_MS = 8_000;
const CEILING_ROWS = { perRow: 4_000, grouped: 40_000 } as const;
/** docs/benchmarks.md, the reference machine's figures. */
const REFERENCE = { perOpCommit: 4_000, groupCommit: 12_000 } as const;

interface Row {
  readonly name: string;
  readonly ops: number;
  readonly seconds: number;
  readonly note?: string;
}

/** A staff sign-in on a device paired first with the cloud's keys (decision 034). */
async function signIn(url: string, pin: string, keysFile: string): Promise<string> {
  const device = await pairWithCloud(url, keysFile);
  const res = await fetch(`${url}/v1/auth/staff`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...device.header },
    body: JSON.stringify({ venueId: VENUE, pin }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** A distinct create op (an order with one line, or a service request) by the server. */
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

/** The ops of `CLIENTS` devices, `perClient` each, made before the clock starts. */
async function opsPerClient(lane: string, perClient: number): Promise<Operation[][]> {
  return Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      const deviceId = `bench-${lane}-${c}`;
      const ops: Operation[] = [];
      for (let i = 0; i < perClient; i++) ops.push(await createOp(deviceId, i));
      return ops;
    }),
  );
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/** C clients, each posting its ops one at a time to `POST …/ops`. */
async function directLane(url: string, token: string) {
  const clients = await opsPerClient('direct', Math.ceil(TOTAL_OPS / CLIENTS));
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (ops) => {
      for (const op of ops) {
        const t0 = performance.now();
        const res = await fetch(`${url}/v1/venues/${VENUE}/ops`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${token}`,
            'Idempotency-Key': op.opId,
          },
          body: JSON.stringify(op),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 201) failures++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { ops: clients.flat().length, seconds, failures, latencies };
}

/** C clients, each posting its ops `BATCH_SIZE` at a time to `POST …/ops/batch`. */
async function batchLane(url: string, token: string) {
  const clients = await opsPerClient('batch', Math.ceil(TOTAL_OPS / CLIENTS));
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (ops) => {
      const deviceId = ops[0]?.deviceId ?? 'none';
      for (let i = 0; i < ops.length; i += BATCH_SIZE) {
        const batch = ops.slice(i, i + BATCH_SIZE);
        const t0 = performance.now();
        const res = await fetch(`${url}/v1/venues/${VENUE}/ops/batch`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify({ deviceId, ops: batch }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const text = await res.text();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) {
          failures += batch.length;
          continue;
        }
        const { results } = JSON.parse(text) as { results: OpResult[] };
        failures += results.filter((r) => r.status !== 'applied').length;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { ops: clients.flat().length, seconds, failures, latencies };
}

/** What a device reconnecting with a full outbox sends: its ops alone, 100 per request, in order. */
const DRAIN = { ops: 1_000, batchSize: 100, runs: 5 } as const;

/**
 * The outbox drain's server half: one device's 1,000 ops, 100 per request, one request after
 * the other, `DRAIN.runs` times. Reports wall time and the cloud process's CPU per op, which
 * holds steady when the machine is busy and wall times are not.
 */
async function drainLane(url: string, token: string, pid: number | null) {
  const times: number[] = [];
  const cpu: number[] = [];
  let failures = 0;
  for (let run = 0; run < DRAIN.runs; run++) {
    const deviceId = `bench-drain-${run}`;
    const ops: Operation[] = [];
    for (let i = 0; i < DRAIN.ops; i++) ops.push(await createOp(deviceId, i));
    const cpu0 = processCpuMs(pid);
    const started = performance.now();
    for (let i = 0; i < ops.length; i += DRAIN.batchSize) {
      const batch = ops.slice(i, i + DRAIN.batchSize);
      const res = await fetch(`${url}/v1/venues/${VENUE}/ops/batch`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ deviceId, ops: batch }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      if (res.status !== 200) {
        failures += batch.length;
        continue;
      }
      const { results } = JSON.parse(text) as { results: OpResult[] };
      failures += results.filter((r) => r.status !== 'applied').length;
    }
    times.push(performance.now() - started);
    const cpu1 = processCpuMs(pid);
    if (cpu0 !== null && cpu1 !== null) cpu.push(((cpu1 - cpu0) * 1000) / DRAIN.ops);
  }
  return { times, cpu, failures };
}

/** A JSON payload of about 400 bytes, like a feed entry's data. */
function payloadOf(seq: number): string {
  const base = {
    entity: 'order',
    id: newUlid(),
    op: 'upsert',
    version: 1,
    at: new Date().toISOString(),
    opId: newUlid(),
    data: {
      tableId: `table-${1 + (seq % 12)}`,
      status: 'open',
      source: 'staff',
      openedBy: 'demo-server',
      guestCount: 2,
      lines: [{ lineId: newUlid(), itemId: 'burrata', quantity: 1, price: 1250 }],
      totals: { subtotal: 1250, tax: 103, total: 1250 },
      note: '',
    },
  };
  const text = JSON.stringify(base);
  return text.length >= 400
    ? text
    : JSON.stringify({ ...base, pad: 'x'.repeat(400 - text.length - 10) });
}

/**
 * Raw bun:sqlite: WAL, synchronous=FULL, rows like the feed's (venue_id, seq, payload JSON),
 * `perTx` rows per transaction, until `rows` are written or the budget runs out.
 */
function sqliteCeiling(dir: string, name: string, rows: number, perTx: number): Row {
  const path = join(dir, `ceiling-${perTx}.db`);
  const db = new Database(path, { create: true, strict: true });
  try {
    db.run('PRAGMA journal_mode = WAL');
    db.run('PRAGMA synchronous = FULL');
    db.run(
      `CREATE TABLE feed (
        venue_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        payload TEXT NOT NULL,
        PRIMARY KEY (venue_id, seq)
      ) WITHOUT ROWID, STRICT`,
    );
    const insert = db.prepare(
      'INSERT INTO feed (venue_id, seq, payload) VALUES ($venue, $seq, $payload)',
    );
    // Payloads are made before the clock starts: the ceiling is the database's, not JSON's.
    const payloads = Array.from({ length: rows }, (_, i) => payloadOf(i + 1));
    const commit = db.transaction((from: number, to: number) => {
      for (let seq = from; seq < to; seq++) {
        insert.run({ venue: VENUE, seq, payload: payloads[seq - 1] ?? '' });
      }
    });
    const payloadBytes = payloads[0]?.length ?? 0;
    const started = performance.now();
    let written = 0;
    while (written < rows && performance.now() - started < CEILING_BUDGET_MS) {
      const to = Math.min(rows, written + perTx);
      commit(written + 1, to + 1);
      written = to;
    }
    const seconds = (performance.now() - started) / 1000;
    return { name, ops: written, seconds, note: `${perTx} row/tx, ~${payloadBytes} B rows` };
  } finally {
    db.close();
  }
}

function table(rows: readonly Row[]): string {
  const header = ['name', 'ops', 'seconds', 'ops/s', 'note'];
  const body = rows.map((r) => [
    r.name,
    String(r.ops),
    r.seconds.toFixed(3),
    r.seconds > 0 ? Math.round(r.ops / r.seconds).toLocaleString('en-US') : '-',
    r.note ?? '',
  ]);
  return textTable(header, body, [0, 4]);
}

const ms = (n: number): string => `${n.toFixed(1)} ms`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-'));
  let cloud: CloudProcess | undefined;
  const deadline = setTimeout(() => {
    console.error('bench: over 120 s, giving up');
    cloud?.kill9().finally(() => process.exit(1));
  }, 120_000);
  try {
    // One token drives every client here; a venue's people each have their own budget, so the
    // per-caller limit is lifted to measure the lanes rather than the limiter.
    cloud = await startCloud({
      dataDir: join(dir, 'cloud'),
      env: { HEARTH_CALLER_OPS_PER_SECOND: '1000000', HEARTH_CALLER_BURST: '1000000' },
    });
    const token = await signIn(cloud.url, '1111', cloud.keysFile);
    // Warm-up: the first requests load the venue state and JIT the handlers.
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const op = await createOp('bench-warmup', i);
        const res = await fetch(`${cloud?.url}/v1/venues/${VENUE}/ops`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${token}`,
            'Idempotency-Key': op.opId,
          },
          body: JSON.stringify(op),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        await res.arrayBuffer();
      }),
    );

    const direct = await directLane(cloud.url, token);
    const batch = await batchLane(cloud.url, token);
    const drain = await drainLane(cloud.url, token, cloudPid(join(dir, 'cloud')));
    await cloud.stop();
    cloud = undefined;

    const perRow = sqliteCeiling(dir, 'sqlite: 1 tx per row', CEILING_ROWS.perRow, 1);
    const grouped = sqliteCeiling(dir, 'sqlite: group commit', CEILING_ROWS.grouped, BATCH_SIZE);

    const rows: Row[] = [
      {
        name: 'cloud direct lane',
        ops: direct.ops,
        seconds: direct.seconds,
        note: `${CLIENTS} clients, 1 op/request, ${direct.failures} not 201`,
      },
      {
        name: 'cloud batch lane',
        ops: batch.ops,
        seconds: batch.seconds,
        note: `${CLIENTS} clients, ${BATCH_SIZE} ops/request, ${batch.failures} not applied`,
      },
      perRow,
      grouped,
      {
        name: 'ref: per-op commit',
        ops: REFERENCE.perOpCommit,
        seconds: 1,
        note: 'reference machine (docs/benchmarks.md)',
      },
      {
        name: 'ref: group commit',
        ops: REFERENCE.groupCommit,
        seconds: 1,
        note: 'reference machine (docs/benchmarks.md)',
      },
    ];
    console.log(
      `hearth cloud bench — ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}, temp data on ${tmpdir()}; per-caller write limit lifted (one token drives every client)`,
    );
    console.log(table(rows));
    console.log('');
    console.log(
      `direct lane latency: p50 ${ms(percentile(direct.latencies, 50))}, p99 ${ms(percentile(direct.latencies, 99))}, max ${ms(direct.latencies.at(-1) ?? Number.NaN)} (${direct.latencies.length} requests)`,
    );
    console.log(
      `batch lane latency per ${BATCH_SIZE}-op request: p50 ${ms(percentile(batch.latencies, 50))}, p99 ${ms(percentile(batch.latencies, 99))} (${batch.latencies.length} requests)`,
    );
    const directShare = direct.ops / direct.seconds / (perRow.ops / perRow.seconds);
    const batchShare = batch.ops / batch.seconds / (grouped.ops / grouped.seconds);
    console.log(
      `direct lane = ${(directShare * 100).toFixed(0)}% of the 1-tx-per-row ceiling; batch lane = ${(batchShare * 100).toFixed(0)}% of the group-commit ceiling`,
    );
    const sorted = [...drain.times].sort((a, b) => a - b);
    const cpu = [...drain.cpu].sort((a, b) => a - b);
    console.log(
      `drain (one device, ${DRAIN.ops} ops, ${DRAIN.batchSize} per request, ${DRAIN.runs} runs): p50 ${ms(percentile(sorted, 50))}, max ${ms(sorted.at(-1) ?? Number.NaN)}; cloud CPU per op ${cpu.length > 0 ? `p50 ${Math.round(percentile(cpu, 50))} µs (${cpu.map((c) => Math.round(c)).join(', ')})` : 'n/a (no /proc)'}; ${drain.failures} not applied`,
    );
    const rate = (r: Row) => (r.seconds > 0 ? r.ops / r.seconds : Number.NaN);
    reportFigures('cloud', [
      {
        id: 'cloud.direct-ops',
        label: `Direct lane, ${CLIENTS} clients, 1 op/request`,
        value: direct.ops / direct.seconds,
        unit: 'ops/s',
        better: 'higher',
        ceilingOf: 'cloud.sqlite-per-row',
      },
      {
        id: 'cloud.batch-ops',
        label: `Batch lane, ${CLIENTS} clients, ${BATCH_SIZE} ops/request`,
        value: batch.ops / batch.seconds,
        unit: 'ops/s',
        better: 'higher',
        ceilingOf: 'cloud.sqlite-group',
      },
      {
        id: 'cloud.sqlite-per-row',
        label: 'ceiling: raw bun:sqlite, 1 tx per row (FULL sync)',
        value: rate(perRow),
        unit: 'ops/s',
        better: 'higher',
      },
      {
        id: 'cloud.sqlite-group',
        label: `ceiling: raw bun:sqlite group commit, ${BATCH_SIZE} rows/tx (FULL sync)`,
        value: rate(grouped),
        unit: 'ops/s',
        better: 'higher',
      },
      {
        id: 'cloud.direct-p99',
        label: 'Direct lane request (p99)',
        value: percentile(direct.latencies, 99),
        unit: 'ms',
        better: 'lower',
      },
      {
        id: 'cloud.drain-p50',
        label: `One device's drain, ${DRAIN.ops.toLocaleString('en-US')} ops, ${DRAIN.batchSize} per request (p50)`,
        value: percentile(sorted, 50),
        unit: 'ms',
        better: 'lower',
      },
      ...(cpu.length > 0
        ? [
            {
              id: 'cloud.drain-cpu-per-op',
              label: 'Cloud process CPU per op in the drain (p50)',
              value: percentile(cpu, 50),
              unit: 'µs',
              better: 'lower' as const,
            },
          ]
        : []),
    ]);
    if (direct.failures + batch.failures + drain.failures > 0) process.exitCode = 1;
  } finally {
    clearTimeout(deadline);
    await cloud?.kill9();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
