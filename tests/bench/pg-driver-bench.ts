import { loadavg } from 'node:os';
import pg from 'pg';
import postgres from 'postgres';
import { dropSchema, freshSchemaName, TEST_DATABASE_URL } from '../support/postgres.ts';
import { type BenchFigure, quickOr, reportFigures } from './bench-figures.ts';
import { textTable } from './text-table.ts';

// The raw rates of the two PostgreSQL drivers under Bun, side by side on the same server and
// tables: postgres.js (`postgres`, the cloud's driver) and node-postgres (`pg`). A script:
//   npm run bench:pg-driver        (or: npx bun tests/bench/pg-driver-bench.ts)
// Works in a fresh schema, dropped at the end. Every phase stops at its count or its time budget.

/**
 * Odd, so the median is a run's own figure; several, because a shared machine is noisy. Under
 * `npm run bench` (HEARTH_BENCH_QUICK=1), which repeats the whole bench, two: one each order.
 */
const RUNS = quickOr(5, 2);
/** Each phase of each run stops after this long even if its count is not reached. */
const PHASE_BUDGET_MS = 1_500;
const PHASE_COUNT = { insert: 20_000, tx: 20_000, read: 20_000 } as const;
/** Clients of the transaction phase; each has its own tenant row, as tenants have in the cloud. */
const TX_CLIENTS = [1, 8] as const;
const READ_ROWS = 500;
/** Rows in the venue the read phase pages through (several pages, so reads are not all one). */
const READ_FILL = 10_000;

/** The four measures; each driver implements them over one pool. */
interface Driver {
  readonly name: string;
  /** One single-row INSERT, autocommit. */
  insertOne(seq: number, payload: string): Promise<void>;
  /** The cloud's write: lock the tenant row, insert 3 feed rows, move the head, COMMIT. */
  writeTx(tenant: string, payloads: readonly string[]): Promise<void>;
  /** Up to 500 rows of one venue after `afterSeq`, by primary key. */
  readPage(afterSeq: number): Promise<number>;
  end(): Promise<void>;
}

interface Sample {
  readonly count: number;
  readonly seconds: number;
}

/** A JSON payload of about 400 bytes, like a feed entry's data. */
function payloadOf(seq: number): string {
  const text = JSON.stringify({
    entity: 'order',
    id: `order-${seq}`,
    op: 'upsert',
    version: 1,
    at: new Date(1_800_000_000_000 + seq).toISOString(),
    data: { tableId: `table-${1 + (seq % 12)}`, status: 'open', guestCount: 2, lines: [] },
  });
  return `${text.slice(0, -1)},"pad":"${'x'.repeat(Math.max(0, 390 - text.length))}"}`;
}

const PAYLOADS = Array.from({ length: 1_000 }, (_, i) => payloadOf(i));
const payload = (i: number): string => PAYLOADS[i % PAYLOADS.length] ?? '';

const DDL = [
  'CREATE TABLE tenants (tenant_id text PRIMARY KEY, head bigint NOT NULL DEFAULT 0)',
  `CREATE TABLE feed (
    tenant_id text NOT NULL,
    venue_id text NOT NULL,
    seq bigint NOT NULL,
    data text NOT NULL,
    PRIMARY KEY (tenant_id, venue_id, seq)
  )`,
  // The single-row INSERT phase writes here, so its rows never collide with the tx phase's.
  `CREATE TABLE inserts (
    venue_id text NOT NULL,
    seq bigint NOT NULL,
    data text NOT NULL,
    PRIMARY KEY (venue_id, seq)
  )`,
];

function postgresJs(schema: string, max: number, run: number): Driver {
  const sql = postgres(TEST_DATABASE_URL, {
    max,
    onnotice: () => {},
    connection: { search_path: schema, application_name: 'hearth bench postgres.js' },
  });
  const venue = `postgres-${run}`;
  return {
    name: 'postgres.js',
    async insertOne(seq, data) {
      await sql`INSERT INTO inserts (venue_id, seq, data) VALUES (${venue}, ${seq}, ${data})`;
    },
    async writeTx(tenant, payloads) {
      await sql.begin(async (tx) => {
        const [row] = await tx<{ head: string }[]>`
          SELECT head FROM tenants WHERE tenant_id = ${tenant} FOR UPDATE`;
        const head = Number(row?.head ?? 0);
        const rows = payloads.map((data, i) => ({
          tenant_id: tenant,
          venue_id: 'v',
          seq: head + i + 1,
          data,
        }));
        await tx`INSERT INTO feed ${tx(rows)}`;
        await tx`UPDATE tenants SET head = ${head + payloads.length} WHERE tenant_id = ${tenant}`;
      });
    },
    async readPage(afterSeq) {
      const rows = await sql`
        SELECT seq, data FROM feed WHERE tenant_id = 'read' AND venue_id = 'v' AND seq > ${afterSeq}
        ORDER BY seq LIMIT ${READ_ROWS}`;
      return rows.length;
    },
    end: () => sql.end({ timeout: 5 }),
  };
}

/** node-postgres as commonly used: parameterised queries, a client checked out for a transaction. */
function nodePostgres(schema: string, max: number, run: number): Driver {
  const pool = new pg.Pool({
    connectionString: TEST_DATABASE_URL,
    max,
    options: `-c search_path=${schema}`,
    application_name: 'hearth bench pg',
  });
  const venue = `pg-${run}`;
  return {
    name: 'pg',
    async insertOne(seq, data) {
      await pool.query({
        name: 'insert-one',
        text: 'INSERT INTO inserts (venue_id, seq, data) VALUES ($1, $2, $3)',
        values: [venue, seq, data],
      });
    },
    async writeTx(tenant, payloads) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ head: string }>({
          name: 'lock-tenant',
          text: 'SELECT head FROM tenants WHERE tenant_id = $1 FOR UPDATE',
          values: [tenant],
        });
        const head = Number(rows[0]?.head ?? 0);
        const values: unknown[] = [];
        const tuples = payloads.map((data, i) => {
          values.push(tenant, 'v', head + i + 1, data);
          const at = i * 4;
          return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4})`;
        });
        await client.query({
          name: `insert-${payloads.length}`,
          text: `INSERT INTO feed (tenant_id, venue_id, seq, data) VALUES ${tuples.join(', ')}`,
          values,
        });
        await client.query({
          name: 'move-head',
          text: 'UPDATE tenants SET head = $1 WHERE tenant_id = $2',
          values: [head + payloads.length, tenant],
        });
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async readPage(afterSeq) {
      const { rows } = await pool.query({
        name: 'read-page',
        text: `SELECT seq, data FROM feed WHERE tenant_id = 'read' AND venue_id = 'v' AND seq > $1
               ORDER BY seq LIMIT ${READ_ROWS}`,
        values: [afterSeq],
      });
      return rows.length;
    },
    end: () => pool.end(),
  };
}

/** Runs `step(i)` on `clients` loops until `count` steps are done or the budget is spent. */
async function phase(
  clients: number,
  count: number,
  step: (client: number, i: number) => Promise<void>,
): Promise<Sample> {
  let next = 0;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (next < count && performance.now() - started < PHASE_BUDGET_MS) {
        const i = next++;
        await step(client, i);
        done++;
      }
    }),
  );
  return { count: done, seconds: (performance.now() - started) / 1000 };
}

type Measure = 'insert' | 'tx1' | 'tx8' | 'tx8one' | 'read';

/** One run of every measure with one driver; its own rows, so runs never collide. */
async function runDriver(
  make: (max: number) => Driver,
  run: number,
): Promise<Record<Measure, Sample>> {
  const single = make(1);
  const pool = make(8);
  try {
    // Warm-up: connections open, statements prepared, before any clock starts.
    await single.insertOne(-1, payload(0));
    await single.readPage(0);
    await single.writeTx(`${single.name}-${run}-warm`, [payload(0)]);
    await Promise.all(Array.from({ length: 8 }, () => pool.readPage(0)));
    const insert = await phase(1, PHASE_COUNT.insert, (_, i) => single.insertOne(i, payload(i)));
    const tenant = (clients: number, client: number) =>
      `${single.name}-${run}-${clients}-${client}`;
    const tx1 = await phase(1, PHASE_COUNT.tx, (c, i) =>
      single.writeTx(tenant(1, c), [payload(i), payload(i + 1), payload(i + 2)]),
    );
    const tx8 = await phase(TX_CLIENTS[1], PHASE_COUNT.tx, (c, i) =>
      pool.writeTx(tenant(8, c), [payload(i), payload(i + 1), payload(i + 2)]),
    );
    // The same 8 clients on one tenant: they queue on its row lock, as one tenant's writers do.
    const tx8one = await phase(TX_CLIENTS[1], PHASE_COUNT.tx, (_, i) =>
      pool.writeTx(tenant(1, 0), [payload(i), payload(i + 1), payload(i + 2)]),
    );
    let after = 0;
    const read = await phase(1, PHASE_COUNT.read, async () => {
      const got = await single.readPage(after);
      if (got !== READ_ROWS) throw new Error(`read ${got} rows after ${after}`);
      after = after + READ_ROWS >= READ_FILL ? 0 : after + READ_ROWS;
    });
    return { insert, tx1, tx8, tx8one, read };
  } finally {
    await Promise.all([single.end(), pool.end()]);
  }
}

const rate = (s: Sample): number => (s.seconds > 0 ? s.count / s.seconds : 0);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

/** "median (min–max, ±spread%)" of the runs' rates. */
function summary(rates: readonly number[]): string {
  const m = median(rates);
  const spread = m > 0 ? ((Math.max(...rates) - Math.min(...rates)) / 2 / m) * 100 : 0;
  return `${fmt(m)} (${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))}, ±${spread.toFixed(0)}%)`;
}

async function main(): Promise<void> {
  const schema = freshSchemaName('bench_driver');
  const loadAverage = loadavg()[0] ?? 0;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  const deadline = setTimeout(() => {
    console.error('bench: over 180 s, giving up');
    dropSchema(schema).finally(() => process.exit(1));
  }, 180_000);
  try {
    await admin`CREATE SCHEMA ${admin(schema)}`;
    await admin.begin(async (sql) => {
      await sql`SET LOCAL search_path = ${sql(schema)}`;
      for (const statement of DDL) await sql.unsafe(statement);
      // Tenant rows for every run's transaction clients, and the venue the read phase pages.
      const tenants = ['postgres.js', 'pg'].flatMap((driver) =>
        Array.from({ length: RUNS }, (_, run) => [
          `${driver}-${run}-warm`,
          `${driver}-${run}-1-0`,
          ...Array.from({ length: 8 }, (_, c) => `${driver}-${run}-8-${c}`),
        ]).flat(),
      );
      await sql`INSERT INTO tenants ${sql(tenants.map((tenant_id) => ({ tenant_id })))}`;
      for (let from = 0; from < READ_FILL; from += 1_000) {
        const rows = Array.from({ length: 1_000 }, (_, i) => ({
          tenant_id: 'read',
          venue_id: 'v',
          seq: from + i + 1,
          data: payload(from + i),
        }));
        await sql`INSERT INTO feed ${sql(rows)}`;
      }
    });
    await admin`VACUUM ANALYZE ${admin(schema)}.feed`;
    const [settings] = await admin<{ sc: string; fsync: string; version: string }[]>`
      SELECT current_setting('synchronous_commit') AS sc, current_setting('fsync') AS fsync,
             split_part(current_setting('server_version'), ' ', 1) AS version`;

    const results: Record<string, Record<Measure, Sample>[]> = { 'postgres.js': [], pg: [] };
    for (let run = 0; run < RUNS; run++) {
      // Alternating which driver goes first evens out a machine that warms or tires.
      const order = run % 2 === 0 ? ['postgres.js', 'pg'] : ['pg', 'postgres.js'];
      for (const name of order) {
        const make =
          name === 'pg'
            ? (max: number) => nodePostgres(schema, max, run)
            : (max: number) => postgresJs(schema, max, run);
        results[name]?.push(await runDriver(make, run));
      }
    }

    const measures: { key: Measure; label: string; unit: string }[] = [
      { key: 'insert', label: 'single-row INSERT, autocommit, 1 client', unit: 'rows/s' },
      { key: 'tx1', label: 'write tx (lock, 3-row INSERT, UPDATE), 1 client', unit: 'tx/s' },
      { key: 'tx8', label: 'write tx, 8 clients (8 tenants)', unit: 'tx/s' },
      { key: 'tx8one', label: 'write tx, 8 clients (1 tenant: its row lock)', unit: 'tx/s' },
      { key: 'read', label: `${READ_ROWS}-row SELECT by key range, 1 client`, unit: 'reads/s' },
    ];
    const rows = measures.map(({ key, label, unit }) => {
      const js = (results['postgres.js'] ?? []).map((r) => rate(r[key]));
      const npg = (results.pg ?? []).map((r) => rate(r[key]));
      return [label, unit, summary(js), summary(npg), `${(median(npg) / median(js)).toFixed(2)}×`];
    });
    console.log(
      `hearth pg driver bench — ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}, PostgreSQL ${settings?.version} at 127.0.0.1 (synchronous_commit ${settings?.sc}, fsync ${settings?.fsync}); load average ${loadAverage.toFixed(1)} at start; ${RUNS} runs of ≤${PHASE_BUDGET_MS / 1000} s per measure, median (min–max, ±half-range)`,
    );
    console.log(
      textTable(
        ['measure', 'unit', 'postgres.js', 'pg (node-postgres)', 'pg / postgres.js'],
        rows,
        [0, 1],
      ),
    );
    console.log(
      'postgres.js: tagged templates (prepared by default); pg: named prepared statements, a pooled client per transaction.',
    );
    // Each figure is the median of this run's own runs; node-postgres is postgres.js's peer.
    const figures: BenchFigure[] = measures.flatMap(({ key, label, unit }) => [
      {
        id: `pg-driver.postgres-js.${key}`,
        label: `postgres.js: ${label}`,
        value: median((results['postgres.js'] ?? []).map((r) => rate(r[key]))),
        unit,
        better: 'higher' as const,
        ceilingOf: `pg-driver.pg.${key}`,
      },
      {
        id: `pg-driver.pg.${key}`,
        label: `peer: pg (node-postgres): ${label}`,
        value: median((results.pg ?? []).map((r) => rate(r[key]))),
        unit,
        better: 'higher' as const,
      },
    ]);
    reportFigures('pg-driver', figures);
  } finally {
    clearTimeout(deadline);
    await admin.end({ timeout: 1 });
    await dropSchema(schema);
  }
}

await main();
