import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { findCardNumbers, type ScanHit, scanStores } from './card-scan.ts';
import type { PageLike } from './card-scan-browser.ts';
import {
  dropSchema,
  freshSchemaName,
  postgresRequired,
  postgresUnavailable,
  TEST_DATABASE_URL,
} from './postgres.ts';

// The positive controls behind every "no card numbers stored" check: the scanner finds the
// processors' test cards however they are written and wherever they are kept (text, JSON, binary,
// a real SQLite database and its WAL, PostgreSQL), and stays quiet about the ids, timestamps,
// amounts, phone numbers and hashes Hearth does keep.

const BUN_BIN = fileURLToPath(new URL('../../node_modules/.bin/bun', import.meta.url));

const VISA = '4242424242424242';
const MASTERCARD = '5555555555554444';
const AMEX = '378282246310005';
const DISCOVER = '6011111111111117';
/** A Luhn-valid 19-digit number on a Visa prefix. */
const NINETEEN = '4000000000000000006';
const TEST_CARDS = [VISA, MASTERCARD, AMEX, DISCOVER, NINETEEN];

const masked = (text: string) => findCardNumbers(text).map((m) => m.masked);

describe('findCardNumbers', () => {
  it.each(TEST_CARDS)('finds %s with its offsets, masked to the first six and last four', (pan) => {
    const text = `card ${pan} taken`;
    const [match, ...rest] = findCardNumbers(text);
    expect(rest).toEqual([]);
    expect(match).toEqual({
      start: 5,
      end: 5 + pan.length,
      digits: pan.length,
      masked: `${pan.slice(0, 6)}${'*'.repeat(pan.length - 10)}${pan.slice(-4)}`,
    });
    expect(JSON.stringify(match)).not.toContain(pan);
  });

  it('finds numbers printed in groups, with spaces or dashes', () => {
    expect(masked('4242 4242 4242 4242')).toEqual(['424242******4242']);
    expect(masked('pan=5555-5555-5555-4444;')).toEqual(['555555******4444']);
    expect(masked('amex 3782 822463 10005.')).toEqual(['378282*****0005']);
    expect(masked('4000 0000 0000 0000 006')).toEqual(['400000*********0006']);
    // A short number before the card is its own group, not part of the card.
    expect(findCardNumbers('table 12 4242 4242 4242 4242')).toEqual([
      { start: 9, end: 28, digits: 16, masked: '424242******4242' },
    ]);
  });

  it('finds numbers inside JSON, as strings or numbers', () => {
    const json = JSON.stringify({ card: { pan: MASTERCARD }, list: [1, Number(DISCOVER)] });
    expect(masked(json)).toEqual(['555555******4444', '601111******1117']);
  });

  it('finds a number inside binary data read as latin1', () => {
    const bytes = Buffer.concat([
      Buffer.from([0x00, 0x0d, 0xff, 0x81, 0x07]),
      Buffer.from(AMEX, 'latin1'),
      Buffer.from([0x00, 0x00, 0x9c, 0x13]),
    ]);
    const found = findCardNumbers(bytes.toString('latin1'));
    expect(found).toEqual([{ start: 5, end: 20, digits: 15, masked: '378282*****0005' }]);
  });

  it.each([
    ['a Luhn-invalid run', '4242424242424240'],
    ['a 12-digit Luhn-valid run', '424242424242'],
    ['a card inside a longer digit run', `1234567890${VISA}`],
    ['digits inside a ULID', `01JEK${VISA}QZ3AB`],
    ['digits inside a hex string', `ab${VISA}cd`],
    ['digits ending a word', `"ch_${VISA}"`],
    ['digits starting a word', `"${VISA}ms"`],
    ['a hex hash', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['a millisecond timestamp', '1733612345678'],
    ['a Luhn-valid millisecond timestamp', '{"at":1733612345608}'],
    ['a Luhn-valid microsecond timestamp', '1765108528123452'],
    ['an ISO date and time', '2026-12-07T13:15:28.123Z 2026-12-07 13:15:28'],
    ['amounts in minor units', '{"amount":125000,"tip":1250,"currency":"EUR","paid":99999999}'],
    ['a Luhn-valid international phone number', '+4915112345678'],
    ['a phone number in groups', '+44 20 7946 0958, (555) 123-4567'],
    ['a decimal', `${VISA}.5`],
    ['a list of short numbers', 'seats 42 42 42 42 42 42 42 42'],
    ['a run of zeros', '0000000000000000'],
  ])('finds nothing in %s', (_, text) => {
    expect(findCardNumbers(text)).toEqual([]);
  });
});

/**
 * Runs a Bun script that gets the database path as HEARTH_DB. With `killed`, the process then
 * dies with SIGKILL, its connection open, leaving the -wal and -shm as a killed relay does.
 */
function bunSqlite(dbPath: string, script: string, { killed = false } = {}): void {
  const source = `import { Database } from 'bun:sqlite';\n${script}\n${killed ? "process.kill(process.pid, 'SIGKILL');" : ''}`;
  const run = spawnSync(BUN_BIN, ['-e', source], {
    env: { ...process.env, HEARTH_DB: dbPath },
    encoding: 'utf8',
  });
  const ended = killed ? run.signal === 'SIGKILL' : run.status === 0;
  if (!ended) throw new Error(`bun failed (${run.status ?? run.signal}): ${run.stderr}`);
}

// A relay-like database in WAL mode, never checkpointed while it runs.
const CREATE = `
const db = new Database(process.env.HEARTH_DB, { create: true });
db.run('PRAGMA journal_mode = WAL');
db.run('PRAGMA wal_autocheckpoint = 0');
db.run('CREATE TABLE confirmed (kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL) STRICT');
db.run('CREATE TABLE card (id TEXT, reference TEXT, brand TEXT, amount INTEGER, pan INTEGER) STRICT');
const payment = { id: '01JEKX7Q8ZC4M2R6T9V3W5Y1AB', amount: 125000, tip: 1250, currency: 'EUR',
  takenAt: '2026-12-07T13:15:28.123Z', card: { reference: 'ch_3f9a81c2e7b44d0e', brand: 'visa', last4: '4242' } };
db.run("INSERT INTO confirmed VALUES ('payment', ?, ?)", [payment.id, JSON.stringify(payment)]);
`;

describe('scanStores', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-card-scan-test-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const where = (hits: readonly ScanHit[]) => hits.map((h) => `${h.by} ${h.where} ${h.masked}`);

  it('reads a SQLite database without card numbers, and finds none', async () => {
    mkdirSync(join(dir, 'clean'));
    bunSqlite(join(dir, 'clean', 'relay.db'), CREATE, { killed: true });
    const report = await scanStores([{ kind: 'dir', path: join(dir, 'clean') }], {
      canaries: TEST_CARDS,
    });
    expect(report.hits).toEqual([]);
    // relay.db, relay.db-shm, relay.db-wal; the two tables through the -wal.
    expect(report.scanned).toMatchObject({ files: 3, tables: 2, rows: 1 });
    expect(report.scanned.bytes).toBeGreaterThan(4096);
  });

  it('finds a card number in a SQLite row: in the -wal’s bytes and in the table', async () => {
    mkdirSync(join(dir, 'json', 'data'), { recursive: true });
    const db = join(dir, 'json', 'data', 'relay.db');
    bunSqlite(
      db,
      `${CREATE}
db.run("INSERT INTO confirmed VALUES ('payment', 'p2', ?)", [JSON.stringify({ pan: '${VISA}' })]);`,
      { killed: true },
    );
    const report = await scanStores([{ kind: 'dir', path: join(dir, 'json') }]);
    // Never checkpointed: the row is only in the -wal, which the table-by-table read goes through.
    expect(where(report.hits)).toEqual([
      `luhn sqlite ${db} confirmed row 2 424242******4242`,
      `luhn file ${db}-wal 424242******4242`,
    ]);
    expect(report.hits[0]?.context).toBe('payment.p#.{"pan":"424242******4242"}');
  });

  it('finds card numbers SQLite packs against other columns or stores as integers', async () => {
    mkdirSync(join(dir, 'packed'));
    const db = join(dir, 'packed', 'relay.db');
    bunSqlite(
      db,
      `${CREATE}
db.run("INSERT INTO card VALUES ('p1', ?, 'visa', 1200, NULL)", ['${VISA}']);
db.run("INSERT INTO card VALUES ('p2', 'r2', 'mc', 1200, ${MASTERCARD})");
db.run('PRAGMA wal_checkpoint(TRUNCATE)');`,
    );
    const report = await scanStores([{ kind: 'dir', path: join(dir, 'packed') }], {
      canaries: [VISA],
    });
    expect(where(report.hits)).toEqual([
      // The row's bytes are `p1` `4242…` `visa` side by side: only the canary sees it there.
      `canary file ${db} 424242******4242`,
      `luhn sqlite ${db} card row 1 424242******4242`,
      `luhn sqlite ${db} card row 2 555555******4444`,
    ]);
  });

  it('finds card numbers in PostgreSQL rows: text, jsonb, bytea, numeric', async (context) => {
    const unavailable = await postgresUnavailable();
    if (unavailable !== undefined) {
      if (postgresRequired()) throw new Error(unavailable);
      context.skip(unavailable);
    }
    const schema = freshSchemaName('card_scan');
    const sql = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
    try {
      await sql`CREATE SCHEMA ${sql(schema)}`;
      await sql.unsafe(`
        CREATE TABLE ${schema}.payments (id text PRIMARY KEY, data jsonb NOT NULL);
        CREATE TABLE ${schema}.blobs (id text PRIMARY KEY, body bytea, n numeric(20));
        CREATE TABLE ${schema}.clean (id text, at timestamptz, amount bigint, hash text);
        INSERT INTO ${schema}.payments VALUES
          ('01JEKX7Q8ZC4M2R6T9V3W5Y1AB', '{"last4": "4242", "amount": 125000}'),
          ('01JEKX7Q8ZC4M2R6T9V3W5Y1AC', '{"card": {"number": "5555 5555 5555 4444"}}');
        INSERT INTO ${schema}.blobs VALUES
          ('b1', convert_to('x:${AMEX};', 'UTF8'), NULL),
          ('b2', '\\x00ff'::bytea, ${DISCOVER});
        INSERT INTO ${schema}.clean VALUES
          ('01JEKX7Q8ZC4M2R6T9V3W5Y1AD', now(), 1733612345608, md5('x'));
      `);
      const report = await scanStores([
        { kind: 'postgres', url: TEST_DATABASE_URL, schemas: [schema] },
      ]);
      expect(report.scanned).toMatchObject({ tables: 3, rows: 5 });
      expect(report.scanned.bytes).toBeGreaterThan(0);
      expect(where(report.hits)).toEqual([
        `luhn postgres ${schema}.blobs row 1 378282*****0005`,
        `luhn postgres ${schema}.blobs row 2 601111******1117`,
        `luhn postgres ${schema}.payments row 2 555555******4444`,
      ]);
    } finally {
      await sql.end({ timeout: 1 });
      await dropSchema(schema);
    }
  });

  it('scans captured logs, and only canaries find a number glued to letters', async () => {
    const log = `{"level":30,"msg":"charge","ref":"ch_${VISA}x"}\n{"msg":"pan ${AMEX}"}`;
    const plain = await scanStores([{ kind: 'text', label: 'relay log', text: log }]);
    expect(where(plain.hits)).toEqual(['luhn text relay log 378282*****0005']);
    expect(plain.scanned).toEqual({ files: 0, bytes: log.length, tables: 0, rows: 0 });
    const canaries = await scanStores([{ kind: 'text', label: 'relay log', text: log }], {
      canaries: [VISA, AMEX],
    });
    expect(where(canaries.hits)).toEqual([
      'luhn text relay log 378282*****0005',
      'canary text relay log 424242******4242',
    ]);
    expect(JSON.stringify(canaries)).not.toMatch(new RegExp(`${VISA}|${AMEX}`));
  });

  it('refuses a canary that is not a card-length number, without echoing it', async () => {
    await expect(scanStores([], { canaries: ['4242-x'] })).rejects.toThrow(
      'a canary is 12 to 19 digits, nothing else',
    );
  });

  it('fails, rather than passes, when a database cannot be read', async () => {
    const broken = join(dir, 'broken.db');
    // The SQLite header, then garbage.
    writeFileSync(broken, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(200, 7)]));
    await expect(scanStores([{ kind: 'file', path: broken }])).rejects.toThrow(
      /reading the SQLite database failed/,
    );
  });

  it('takes a Playwright page as the page handle of the browser dump', () => {
    expectTypeOf<Page>().toExtend<PageLike>();
  });
});
