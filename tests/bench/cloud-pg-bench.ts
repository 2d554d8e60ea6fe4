import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import {
  type FeedEntry,
  type LiveFrame,
  newUlid,
  type Operation,
  type OpResult,
  type StaffRole,
} from '#protocol';
import { makeOperationNow } from '#protocol/ops/make-operation.ts';
import {
  generateCloudKeys,
  importCloudKeys,
  loadKeysFile,
  serializeKeys,
} from '../../cloud/auth/keys.ts';
import { pinDigest } from '../../cloud/auth/pin-digest.ts';
import {
  DEMO,
  demoMemberId,
  demoTenantChanges,
  demoVenueChanges,
} from '../../cloud/seed/demo-seed.ts';
import type { CloudStore } from '../../cloud/store/cloud-store.ts';
import { PgCloudStore } from '../../cloud/store/pg-store.ts';
import { SqliteCloudStore } from '../../cloud/store/sqlite-store.ts';
import { pairWithCloud } from '../e2e/support/cloud-client.ts';
import { preparePgCloud } from '../e2e/support/pg-cloud.ts';
import { type CloudProcess, startCloud } from '../e2e/support/processes.ts';
import { dropSchema, TEST_DATABASE_URL } from '../support/postgres.ts';
import { type BenchFigure, quickOr, reportFigures } from './bench-figures.ts';
import { cloudPid, processCpuMs } from './process-cpu.ts';
import { textTable } from './text-table.ts';

// The cloud on PostgreSQL with one instance and with two over the same schema: ops/s written and
// feed entries/s delivered to live websocket readers, beside the single-instance SQLite cloud
// under the same load and PostgreSQL's raw insert rate into the same feed table, all measured
// in the same run. A script, not a test:
//   npm run bench:cloud-pg        (or: npx bun tests/bench/cloud-pg-bench.ts)
// Bounded: every load phase runs for LOAD_MS, every catch-up and raw phase has its own budget.

/** Tenants besides the demo one (which the instances seed), each with VENUES_PER_TENANT venues. */
const EXTRA_TENANTS = 7;
const VENUES_PER_TENANT = 2;
/** Writers per venue: one posting batches, one posting single ops. */
const BATCH_SIZE = 25;
/** Live readers per venue, spread across the instances (one per instance with two). */
const READERS_PER_VENUE = 2;
/** Under `npm run bench` (HEARTH_BENCH_QUICK=1) shorter. */
const LOAD_MS = quickOr(15_000, 8_000);
/** How long readers may take, after the last write, to receive everything before it counts as lost. */
const CATCH_UP_MS = 30_000;
const RAW_BUDGET_MS = 3_000;
const RAW_CLIENTS = 8;
const REQUEST_TIMEOUT_MS = 15_000;
const TARGET_RATIO = 1.5;
const LIFTED = { HEARTH_CALLER_OPS_PER_SECOND: '1000000', HEARTH_CALLER_BURST: '1000000' };

interface Venue {
  readonly tenantId: string;
  readonly venueId: string;
}

/** The venues under load: the demo one and every extra tenant's. */
const VENUES: readonly Venue[] = [
  { tenantId: DEMO.tenantId, venueId: DEMO.venueId },
  ...Array.from({ length: EXTRA_TENANTS }, (_, t) =>
    Array.from({ length: VENUES_PER_TENANT }, (_, v) => ({
      tenantId: `bench-t${t + 1}`,
      venueId: `bench-t${t + 1}-v${v + 1}`,
    })),
  ).flat(),
];
const TENANT_COUNT = new Set(VENUES.map((v) => v.tenantId)).size;

/**
 * The extra tenants as the demo seed makes its own: tenant, venue, settings, menu, tables, the
 * team, and the four demo PINs, digested with the shared keys' PIN key.
 */
async function seedTenants(store: CloudStore, pinKey: CryptoKey): Promise<void> {
  const now = new Date().toISOString();
  for (const { tenantId, venueId } of VENUES) {
    if (tenantId === DEMO.tenantId) continue;
    await store.createTenant({ tenantId, name: `Bench ${tenantId}` });
    await store.createVenue({ tenantId, venueId, name: `Bench ${venueId}` });
    await store.transact(tenantId, async (tx) => {
      await tx.append(venueId, demoTenantChanges(tenantId), { at: now });
      await tx.append(venueId, demoVenueChanges(tenantId, venueId, venueId), { at: now });
    });
    for (const [role, pin] of Object.entries(DEMO.pins) as [StaffRole, string][]) {
      await store.putStaffCredential({
        tenantId,
        venueId,
        memberId: demoMemberId(role),
        name: DEMO.staff[role],
        role,
        pinDigest: await pinDigest(pinKey, venueId, pin),
      });
    }
  }
}

const sha256 = (text: string): string => new Bun.CryptoHasher('sha256').update(text).digest('hex');

/** A distinct create op (an order with one line, or a service request) by the venue's server. */
function createOp(venue: Venue, deviceId: string, i: number): Operation {
  const tableId = `table-${1 + (i % 12)}`;
  const common = { deviceId, tenantId: venue.tenantId, venueId: venue.venueId };
  const actorId = demoMemberId('server');
  return i % 3 !== 0
    ? makeOperationNow(
        {
          type: 'order.create',
          payload: {
            orderId: newUlid(),
            tableId,
            guestCount: 2,
            lines: [
              { lineId: newUlid(), itemId: i % 2 === 0 ? 'burrata' : 'calamari', quantity: 1 },
            ],
          },
          ...common,
          actorId,
        },
        sha256,
      )
    : makeOperationNow(
        {
          type: 'serviceRequest.create',
          payload: { requestId: newUlid(), tableId, kind: 'water' },
          ...common,
          actorId,
        },
        sha256,
      );
}

async function signIn(
  url: string,
  venueId: string,
  pin: string,
  device: Readonly<Record<string, string>>,
): Promise<string> {
  const res = await fetch(`${url}/v1/auth/staff`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...device },
    body: JSON.stringify({ venueId, pin }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (res.status !== 200) throw new Error(`sign-in ${venueId}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

async function snapshotCursor(
  url: string,
  venueId: string,
  token: string,
): Promise<{ cursor: string; seq: number }> {
  const res = await fetch(`${url}/v1/venues/${venueId}/snapshot`, {
    headers: { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (res.status !== 200) throw new Error(`snapshot ${venueId}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { cursor: string; seq: number };
}

/** A live websocket reader: counts entries, the highest seq seen, and any seq skipped or repeated. */
class Reader {
  entries = 0;
  /** The highest seq this reader has been told about (entries, or a heartbeat's head). */
  seen = 0;
  lastSeq: number;
  outOfOrder = 0;
  gaps = 0;
  frames = 0;
  readonly problems: string[] = [];
  private readonly ws: WebSocket;
  private closing = false;

  constructor(url: string, venueId: string, from: { cursor: string; seq: number }, token: string) {
    const { cursor, seq } = from;
    this.lastSeq = seq;
    this.seen = seq;
    const ws = `${url.replace(/^http/, 'ws')}/v1/venues/${venueId}/live?${new URLSearchParams({ cursor })}`;
    this.ws = new WebSocket(ws, ['hearth.v1', `bearer.${token}`]);
    this.ws.onmessage = (event) => {
      const frame = JSON.parse(String(event.data)) as LiveFrame;
      this.frames++;
      if (frame.type === 'entries') {
        for (const entry of frame.entries as readonly FeedEntry[]) {
          if (entry.seq <= this.lastSeq) this.outOfOrder++;
          else if (entry.seq > this.lastSeq + 1) this.gaps++;
          this.lastSeq = entry.seq;
        }
        this.entries += frame.entries.length;
        this.seen = Math.max(this.seen, this.lastSeq);
      } else if (frame.type === 'heartbeat') {
        this.seen = Math.max(this.seen, frame.head);
      } else if (frame.type === 'error') {
        this.problems.push(JSON.stringify(frame.problem));
      }
    };
    this.ws.onclose = (event) => {
      if (!this.closing) this.problems.push(`closed by the server: ${event.code} ${event.reason}`);
    };
  }

  close(): void {
    this.closing = true;
    this.ws.close();
  }
}

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<boolean> {
  const started = performance.now();
  while (!ok()) {
    if (performance.now() - started > timeoutMs) {
      console.error(`bench: gave up waiting for ${what} after ${timeoutMs} ms`);
      return false;
    }
    await Bun.sleep(5);
  }
  return true;
}

/** Busy and total jiffies of the whole machine, from /proc/stat (null without it). */
function machineCpu(): { busy: number; total: number } | null {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    // idle and iowait are fields 4 and 5.
    return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
  } catch {
    return null;
  }
}

interface LoadResult {
  readonly label: string;
  readonly instances: number;
  readonly applied: number;
  readonly notApplied: number;
  readonly requests: number;
  readonly loadSeconds: number;
  readonly delivered: number;
  /** Load start to the last reader caught up. */
  readonly deliverySeconds: number;
  /** Last write to the last reader caught up. */
  readonly catchUpMs: number;
  readonly caughtUp: boolean;
  readonly outOfOrder: number;
  /** Seqs a reader skipped (every reader here is a manager, who sees every entry). */
  readonly gaps: number;
  readonly problems: readonly string[];
  /** The whole machine's CPU busy share during the load (everything on it, not only ours). */
  readonly cpuBusy: number | null;
  /** The cloud instances' CPU during the load, in cores (1 = one core all the time). */
  readonly instanceCores: number | null;
  /** This load generator's CPU during the load, in cores. */
  readonly generatorCores: number | null;
  /**
   * PostgreSQL only: entity rows read from the schema in the whole phase — venue state reloads,
   * plus the readers' snapshots and each instance's first load of a venue.
   */
  readonly entityRowsRead?: number | undefined;
}

/** A running instance: where it answers, and its pid for CPU accounting (null without /proc). */
interface Instance {
  readonly url: string;
  readonly pid: number | null;
  readonly keysFile: string;
}

/**
 * Where a venue's two writers post: `spread`, the batch writer to instance (venue mod n) and the
 * single-op writer to the next, so every venue is written through both instances; `venue`, both
 * to instance (venue mod n), as a load balancer with venue affinity would route them.
 */
type Placement = 'spread' | 'venue';

/**
 * The load on running instances: per venue one batch writer and one single-op writer placed by
 * `placement`, and READERS_PER_VENUE live readers on instances (venue + r) mod n, for LOAD_MS;
 * then waits for every reader to have received up to the last applied seq of its venue.
 */
async function runLoad(
  label: string,
  instances: readonly Instance[],
  placement: Placement = 'spread',
): Promise<LoadResult> {
  const urls = instances.map((i) => i.url);
  const instanceCpu = (): number | null => {
    const each = instances.map((i) => processCpuMs(i.pid));
    return each.some((ms) => ms === null)
      ? null
      : each.reduce<number>((sum, ms) => sum + (ms ?? 0), 0);
  };
  const pick = (i: number): string => urls[i % urls.length] ?? '';
  const first = pick(0);
  const sessions = await Promise.all(
    VENUES.map(async (venue) => {
      // Staff sign in on a device paired with the venue (decision 034).
      const { header } = await pairWithCloud(first, instances[0]?.keysFile ?? '', venue);
      return {
        venue,
        server: await signIn(first, venue.venueId, DEMO.pins.server, header),
        manager: await signIn(first, venue.venueId, DEMO.pins.manager, header),
      };
    }),
  );
  // Warm-up on every instance: venue state loaded, handlers compiled, before readers open.
  await Promise.all(
    sessions.flatMap(({ venue, server }, v) =>
      urls.map(async (url, u) => {
        const op = createOp(venue, `warm-${u}`, v);
        const res = await postOne(url, venue.venueId, server, op);
        if (res.status !== 'applied') throw new Error(`warm-up: ${JSON.stringify(res)}`);
      }),
    ),
  );
  const readers = await Promise.all(
    sessions.flatMap(({ venue, manager }, v) =>
      Array.from({ length: READERS_PER_VENUE }, async (_, r) => {
        const url = pick(v + r);
        const from = await snapshotCursor(url, venue.venueId, manager);
        return { venueId: venue.venueId, reader: new Reader(url, venue.venueId, from, manager) };
      }),
    ),
  );
  try {
    const opened = await until(
      'every reader’s first frame',
      () => readers.every(({ reader }) => reader.frames > 0 || reader.problems.length > 0),
      10_000,
    );
    if (!opened) throw new Error('live readers did not open');
    const before = new Map(readers.map(({ reader }) => [reader, reader.entries]));

    const lastSeq = new Map<string, number>();
    let applied = 0;
    let notApplied = 0;
    let requests = 0;
    const note = (venueId: string, result: OpResult) => {
      if (result.status === 'applied') {
        applied++;
        lastSeq.set(venueId, Math.max(lastSeq.get(venueId) ?? 0, result.seq));
      } else notApplied++;
    };
    const cpu0 = machineCpu();
    const own0 = instanceCpu();
    const generator0 = processCpuMs(process.pid);
    const started = performance.now();
    const running = () => performance.now() - started < LOAD_MS;
    await Promise.all(
      sessions.flatMap(({ venue, server }, v) => [
        (async () => {
          const url = pick(v);
          const deviceId = `batch-${v}`;
          for (let n = 0; running(); n++) {
            const ops = Array.from({ length: BATCH_SIZE }, (_, i) =>
              createOp(venue, deviceId, n * BATCH_SIZE + i),
            );
            const results = await postBatch(url, venue.venueId, server, deviceId, ops);
            requests++;
            for (const result of results) note(venue.venueId, result);
          }
        })(),
        (async () => {
          const url = pick(placement === 'spread' ? v + 1 : v);
          for (let n = 0; running(); n++) {
            note(
              venue.venueId,
              await postOne(url, venue.venueId, server, createOp(venue, `one-${v}`, n)),
            );
            requests++;
          }
        })(),
      ]),
    );
    const loadEnded = performance.now();
    const cpu1 = machineCpu();
    const own1 = instanceCpu();
    const generator1 = processCpuMs(process.pid);
    const caughtUp = await until(
      'every reader to receive its venue’s last applied seq',
      () => readers.every(({ venueId, reader }) => reader.seen >= (lastSeq.get(venueId) ?? 0)),
      CATCH_UP_MS,
    );
    const done = performance.now();
    return {
      label,
      instances: urls.length,
      applied,
      notApplied,
      requests,
      loadSeconds: (loadEnded - started) / 1000,
      delivered: readers.reduce(
        (sum, { reader }) => sum + reader.entries - (before.get(reader) ?? 0),
        0,
      ),
      deliverySeconds: (done - started) / 1000,
      catchUpMs: done - loadEnded,
      caughtUp,
      outOfOrder: readers.reduce((sum, { reader }) => sum + reader.outOfOrder, 0),
      gaps: readers.reduce((sum, { reader }) => sum + reader.gaps, 0),
      problems: readers.flatMap(({ reader }) => reader.problems),
      generatorCores:
        generator0 !== null && generator1 !== null
          ? (generator1 - generator0) / (loadEnded - started)
          : null,
      instanceCores: own0 !== null && own1 !== null ? (own1 - own0) / (loadEnded - started) : null,
      cpuBusy:
        cpu0 && cpu1 && cpu1.total > cpu0.total
          ? (cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total)
          : null,
    };
  } finally {
    for (const { reader } of readers) reader.close();
  }
}

async function postOne(
  url: string,
  venueId: string,
  token: string,
  op: Operation,
): Promise<OpResult> {
  const res = await fetch(`${url}/v1/venues/${venueId}/ops`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${token}`,
      'Idempotency-Key': op.opId,
    },
    body: JSON.stringify(op),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  if (res.status !== 201 && res.status !== 200) {
    return {
      opId: op.opId,
      status: 'retryable',
      code: 'UNAVAILABLE',
      message: `${res.status} ${text}`,
    };
  }
  return JSON.parse(text) as OpResult;
}

async function postBatch(
  url: string,
  venueId: string,
  token: string,
  deviceId: string,
  ops: readonly Operation[],
): Promise<OpResult[]> {
  const res = await fetch(`${url}/v1/venues/${venueId}/ops/batch`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ deviceId, ops }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  if (res.status !== 200) {
    return ops.map((op) => ({
      opId: op.opId,
      status: 'retryable',
      code: 'UNAVAILABLE',
      message: `${res.status} ${text}`,
    }));
  }
  return (JSON.parse(text) as { results: OpResult[] }).results;
}

/** A shared keys file in `dir`, and its PIN key. */
async function keysIn(dir: string): Promise<{ keysFile: string; pinKey: CryptoKey }> {
  mkdirSync(dir, { recursive: true });
  const keysFile = join(dir, 'cloud-keys.json');
  await writeFile(keysFile, serializeKeys(await generateCloudKeys()), { mode: 0o600 });
  return { keysFile, pinKey: (await importCloudKeys(await loadKeysFile(keysFile))).pinKey };
}

const processes: CloudProcess[] = [];

async function start(dataDir: string, env: Record<string, string>): Promise<Instance> {
  const cloud = await startCloud({ dataDir, env: { ...env, ...LIFTED } });
  processes.push(cloud);
  return { url: cloud.url, pid: cloudPid(dataDir), keysFile: cloud.keysFile };
}

async function stopAll(): Promise<void> {
  await Promise.all(processes.splice(0).map((cloud) => cloud.stop()));
}

/** The single-instance SQLite cloud (its own data dir) under the same load. */
async function sqlitePhase(dir: string): Promise<LoadResult> {
  const dataDir = join(dir, 'sqlite');
  const { keysFile, pinKey } = await keysIn(dataDir);
  const store = SqliteCloudStore.open(join(dataDir, 'cloud.db'));
  try {
    await seedTenants(store, pinKey);
  } finally {
    await store.close();
  }
  const cloud = await start(dataDir, { HEARTH_KEYS_FILE: keysFile, HEARTH_SEED_DEMO: '1' });
  try {
    return await runLoad('sqlite, 1 instance', [cloud]);
  } finally {
    await stopAll();
  }
}

interface PgPhase {
  readonly result: LoadResult;
  readonly schema: string;
}

/**
 * `instances` PostgreSQL instances over a fresh schema, named in `schemas` as soon as it exists
 * (the caller drops it).
 */
async function pgPhase(
  dir: string,
  instances: number,
  placement: Placement,
  schemas: string[],
): Promise<PgPhase> {
  const phaseDir = join(dir, `pg-${instances}-${placement}`);
  mkdirSync(phaseDir, { recursive: true });
  const setup = await preparePgCloud(phaseDir, `bench_${instances}`);
  schemas.push(setup.schema);
  const pinKey = (await importCloudKeys(await loadKeysFile(setup.keysFile))).pinKey;
  const store = await PgCloudStore.open({ url: setup.url, schema: setup.schema });
  try {
    await seedTenants(store, pinKey);
  } finally {
    await store.close();
  }
  let result: LoadResult;
  try {
    const clouds: Instance[] = [];
    for (let i = 0; i < instances; i++) {
      clouds.push(await start(join(phaseDir, `instance-${i}`), setup.env));
    }
    const label =
      instances === 1
        ? 'postgres, 1 instance'
        : `postgres, ${instances} instances, ${placement === 'spread' ? 'writers spread' : 'venue-affine writers'}`;
    result = await runLoad(label, clouds, placement);
  } finally {
    await stopAll();
  }
  return {
    result: { ...result, entityRowsRead: await entityRowsRead(setup.url, setup.schema) },
    schema: setup.schema,
  };
}

/**
 * Rows of the schema's `entities` table read by scans since it was made (PostgreSQL's table
 * statistics, flushed as the instances' connections close): how often venue state was reloaded.
 */
async function entityRowsRead(url: string, schema: string): Promise<number | undefined> {
  // Each backend flushes its counters as it exits; give the closing ones a moment.
  await Bun.sleep(500);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ read: string | null }[]>`
      SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) AS read
      FROM pg_stat_user_tables WHERE schemaname = ${schema} AND relname = 'entities'`;
    return row?.read === null || row?.read === undefined ? undefined : Number(row.read);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

interface RawResult {
  readonly name: string;
  readonly rows: number;
  readonly seconds: number;
  readonly note: string;
}

/**
 * PostgreSQL's raw rate into the cloud's own feed table of `schema` (same indexes, same foreign
 * key), 1 row per autocommit INSERT, from `clients` connections, each into its own venue.
 */
async function rawInsert(schema: string, clients: number): Promise<RawResult> {
  const sql = postgres(TEST_DATABASE_URL, {
    max: clients,
    onnotice: () => {},
    connection: { search_path: schema, application_name: 'hearth bench raw' },
  });
  try {
    const tenantId = 'bench-raw';
    await sql`INSERT INTO tenants (tenant_id, name) VALUES (${tenantId}, 'raw') ON CONFLICT DO NOTHING`;
    const venues = Array.from({ length: clients }, (_, c) => `raw-${clients}-${c}`);
    for (const venueId of venues) {
      await sql`INSERT INTO venues (tenant_id, venue_id, name) VALUES (${tenantId}, ${venueId}, 'raw')`;
    }
    const data = JSON.stringify({
      id: newUlid(),
      tableId: 'table-1',
      status: 'open',
      guestCount: 2,
      lines: [{ lineId: newUlid(), itemId: 'burrata', quantity: 1, price: 1250 }],
      version: 1,
      pad: 'x'.repeat(200),
    });
    const at = new Date().toISOString();
    const insert = (venueId: string, seq: number) => sql`
      INSERT INTO feed (tenant_id, venue_id, seq, entity, entity_id, op, version, data, at, op_id)
      VALUES (${tenantId}, ${venueId}, ${seq}, 'order', ${`o-${seq}`}, 'upsert', 1, ${data}, ${at}, ${newUlid()})`;
    // Warm-up: every connection open and the statement prepared.
    await Promise.all(venues.map((venueId) => insert(venueId, 0)));
    let rows = 0;
    const t0 = performance.now();
    await Promise.all(
      venues.map(async (venueId) => {
        for (let seq = 1; performance.now() - t0 < RAW_BUDGET_MS; seq++) {
          await insert(venueId, seq);
          rows++;
        }
      }),
    );
    return {
      name: `postgres raw: 1 row/tx, ${clients} client${clients > 1 ? 's' : ''}`,
      rows,
      seconds: (performance.now() - t0) / 1000,
      note: `autocommit INSERT into the cloud's feed table (schema ${schema.slice(0, 24)}…)`,
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** "cloud/gen/rest" cores, rest being the machine's busy time less the other two. */
function cpuSplit(r: LoadResult): string {
  if (r.instanceCores === null || r.generatorCores === null || r.cpuBusy === null) return '-';
  const rest = Math.max(
    0,
    r.cpuBusy * navigator.hardwareConcurrency - r.instanceCores - r.generatorCores,
  );
  return `${r.instanceCores.toFixed(2)}/${r.generatorCores.toFixed(2)}/${rest.toFixed(2)}`;
}

/** Rows per op, one decimal (the phase's snapshots and first loads make a small floor). */
const perOp = (rows: number, ops: number): string => (rows / Math.max(1, ops)).toFixed(1);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const rateOf = (count: number, seconds: number): number => (seconds > 0 ? count / seconds : 0);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-pg-'));
  const schemas: string[] = [];
  const deadline = setTimeout(() => {
    console.error('bench: over 240 s, giving up');
    Promise.all(processes.map((c) => c.kill9()))
      .then(() => Promise.all(schemas.map((s) => dropSchema(s))))
      .finally(() => process.exit(1));
  }, 240_000);
  const loadAverage = loadavg()[0] ?? 0;
  try {
    const sqlite = await sqlitePhase(dir);
    const one = await pgPhase(dir, 1, 'spread', schemas);
    const two = await pgPhase(dir, 2, 'spread', schemas);
    const affine = await pgPhase(dir, 2, 'venue', schemas);
    // Raw rates into the two-instance run's schema, with no cloud running.
    const raw = [await rawInsert(two.schema, 1), await rawInsert(two.schema, RAW_CLIENTS)];
    const loads = [sqlite, one.result, two.result, affine.result];
    report(loads, raw, loadAverage);
    reportFigures('cloud-pg', figuresOf(sqlite, one.result, two.result, affine.result, raw));
    const failed = loads.some(
      (r) =>
        r.notApplied > 0 || !r.caughtUp || r.outOfOrder > 0 || r.gaps > 0 || r.problems.length > 0,
    );
    if (failed) process.exitCode = 1;
  } finally {
    clearTimeout(deadline);
    await Promise.all(processes.splice(0).map((c) => c.kill9()));
    for (const schema of schemas) await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The figures for `npm run bench`: ops/s and entries/s delivered per phase (beside PostgreSQL's
 * raw insert rate with as many clients), and two instances against one, with its target.
 */
function figuresOf(
  sqlite: LoadResult,
  one: LoadResult,
  two: LoadResult,
  affine: LoadResult,
  raw: readonly RawResult[],
): BenchFigure[] {
  const ops = (r: LoadResult) => rateOf(r.applied, r.loadSeconds);
  const entries = (r: LoadResult) => rateOf(r.delivered, r.deliverySeconds);
  const phases = [
    { key: 'sqlite', r: sqlite, name: 'SQLite, 1 instance' },
    { key: 'pg-1', r: one, name: 'PostgreSQL, 1 instance' },
    { key: 'pg-2', r: two, name: 'PostgreSQL, 2 instances, writers spread' },
    { key: 'pg-2-affine', r: affine, name: 'PostgreSQL, 2 instances, venue-affine writers' },
  ];
  const ratio = (id: string, label: string, value: number): BenchFigure => ({
    id,
    label,
    value,
    unit: '×',
    better: 'higher',
    target: { op: '>=', value: TARGET_RATIO },
  });
  return [
    ...phases.map(
      ({ key, r, name }): BenchFigure => ({
        id: `cloud-pg.${key}-ops`,
        label: `${name}: ops written`,
        value: ops(r),
        unit: 'ops/s',
        better: 'higher',
        ...(key === 'sqlite' ? {} : { ceilingOf: `cloud-pg.raw-${RAW_CLIENTS}` }),
      }),
    ),
    ...phases.map(
      ({ key, r, name }): BenchFigure => ({
        id: `cloud-pg.${key}-entries`,
        label: `${name}: feed entries delivered to live readers`,
        value: entries(r),
        unit: 'entries/s',
        better: 'higher',
      }),
    ),
    ratio('cloud-pg.two-over-one-ops', 'Two instances (spread) / one: ops/s', ops(two) / ops(one)),
    ratio(
      'cloud-pg.two-over-one-entries',
      'Two instances (spread) / one: entries/s delivered',
      entries(two) / entries(one),
    ),
    ratio(
      'cloud-pg.affine-over-one-ops',
      'Two instances (venue-affine) / one: ops/s',
      ops(affine) / ops(one),
    ),
    ...raw.map(
      (r, i): BenchFigure => ({
        id: i === 0 ? 'cloud-pg.raw-1' : `cloud-pg.raw-${RAW_CLIENTS}`,
        label: `ceiling: ${r.name.replace('postgres raw', 'raw PostgreSQL inserts')}`,
        value: rateOf(r.rows, r.seconds),
        unit: 'ops/s',
        better: 'higher',
      }),
    ),
  ];
}

function report(
  loads: readonly LoadResult[],
  raw: readonly RawResult[],
  loadAverage: number,
): void {
  const writers = VENUES.length * 2;
  const readers = VENUES.length * READERS_PER_VENUE;
  console.log(
    `hearth cloud on PostgreSQL bench — ${navigator.hardwareConcurrency} cores shared by PostgreSQL, the instances and this load generator (and anything else running: load average ${loadAverage.toFixed(1)} at start), Bun ${Bun.version}, PostgreSQL at 127.0.0.1`,
  );
  console.log(
    `load: ${TENANT_COUNT} tenants, ${VENUES.length} venues (demo + ${EXTRA_TENANTS} tenants × ${VENUES_PER_TENANT}); ${writers} writers (per venue one posting ${BATCH_SIZE}-op batches, one posting single ops) and ${readers} live websocket readers (${READERS_PER_VENUE} per venue, one per instance when there are two); ${LOAD_MS / 1000} s per phase; per-caller write limit lifted`,
  );
  const rows = loads.map((r) => [
    r.label,
    String(r.applied),
    r.loadSeconds.toFixed(1),
    fmt(rateOf(r.applied, r.loadSeconds)),
    fmt(rateOf(r.delivered, r.deliverySeconds)),
    `${fmt(r.catchUpMs)} ms`,
    cpuSplit(r),
    [
      `${r.requests} requests, ${r.notApplied} not applied`,
      r.caughtUp ? '' : 'readers NOT caught up',
      r.outOfOrder > 0 ? `${r.outOfOrder} out of order` : '',
      r.gaps > 0 ? `${r.gaps} gaps` : '',
      r.problems.length > 0 ? `${r.problems.length} socket problems` : '',
      r.entityRowsRead === undefined
        ? ''
        : `${perOp(r.entityRowsRead, r.applied)} entity rows read back per op`,
    ]
      .filter((part) => part !== '')
      .join(', '),
  ]);
  for (const r of raw) {
    rows.push([
      r.name,
      String(r.rows),
      r.seconds.toFixed(1),
      fmt(rateOf(r.rows, r.seconds)),
      '-',
      '-',
      '-',
      r.note,
    ]);
  }
  const header = ['phase', 'ops', 'seconds', 'ops/s', 'entries/s delivered', 'catch-up'];
  console.log(textTable([...header, 'cores: cloud/gen/rest', 'note'], rows, [0, 7]));
  console.log(
    'entries/s delivered: entries received by all live readers from load start until the last reader had its venue’s last applied seq (catch-up: how long after the last write). cores: CPU in cores during the load used by the cloud instances / this load generator / everything else (PostgreSQL, and other work on the machine).',
  );
  const [sqlite, one, ...twos] = loads;
  if (!sqlite || !one) return;
  const opsOf = (r: LoadResult) => rateOf(r.applied, r.loadSeconds);
  const entriesOf = (r: LoadResult) => rateOf(r.delivered, r.deliverySeconds);
  const verdict = (ratio: number) => (ratio >= TARGET_RATIO ? 'met' : 'missed');
  let missed = false;
  for (const two of twos) {
    const opsRatio = opsOf(two) / opsOf(one);
    const entriesRatio = entriesOf(two) / entriesOf(one);
    missed ||= opsRatio < TARGET_RATIO || entriesRatio < TARGET_RATIO;
    console.log(
      `${two.label.replace('postgres, ', '')} / 1 instance: ops/s ${opsRatio.toFixed(2)}×, entries/s delivered ${entriesRatio.toFixed(2)}× — target two instances ≥ ${TARGET_RATIO}× one: ops ${verdict(opsRatio)}, delivery ${verdict(entriesRatio)}`,
    );
  }
  console.log(
    `postgres, 1 instance = ${(opsOf(one) / opsOf(sqlite)).toFixed(2)}× the SQLite instance (${fmt(opsOf(one))} vs ${fmt(opsOf(sqlite))} ops/s); PostgreSQL raw 1-row inserts into the same feed table: ${raw.map((r) => `${fmt(rateOf(r.rows, r.seconds))} rows/s with ${r.name.replace(/.*, /, '')}`).join(', ')}`,
  );
  if (missed) {
    const busy = one.cpuBusy === null ? 'unknown' : `${Math.round(one.cpuBusy * 100)}%`;
    const idle =
      one.cpuBusy === null ? '?' : ((1 - one.cpuBusy) * navigator.hardwareConcurrency).toFixed(2);
    const cores = twos
      .map((r) => (r.instanceCores === null ? '' : r.instanceCores.toFixed(2)))
      .filter((c) => c !== '')
      .join(' and ');
    console.log(
      `why missed: on ${navigator.hardwareConcurrency} cores PostgreSQL, the instances, this load generator and any other work share the same cores. With ONE instance the box was already ${busy} busy (cores ${cpuSplit(one)}: cloud/generator/rest), ${idle} of ${navigator.hardwareConcurrency} cores idle; two instances together used ${cores || '?'} cores against one's ${one.instanceCores?.toFixed(2) ?? '?'}, so the second brought little CPU of its own. The target needs instances (and the database) on cores of their own.`,
    );
  }
  const spread = twos.find((r) => r.label.includes('spread'));
  const affine = twos.find((r) => r.label.includes('affine'));
  if (spread?.entityRowsRead !== undefined && affine?.entityRowsRead !== undefined) {
    const spreadRows = spread.entityRowsRead / Math.max(1, spread.applied);
    const affineRows = affine.entityRowsRead / Math.max(1, affine.applied);
    console.log(
      `writers spread vs venue-affine: ${fmt(opsOf(spread))} vs ${fmt(opsOf(affine))} ops/s; ${spreadRows.toFixed(1)} vs ${affineRows.toFixed(1)} entity rows read back per op${
        spreadRows > affineRows + 1
          ? ": a venue written through both instances has its state reloaded from its entities when the other instance wrote last, inside the tenant's lock"
          : ': no venue state reloads when a venue is written through both instances'
      }.`,
    );
  }
}

await main();
