import { spawn } from 'node:child_process';
import { copyFile, lstat, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';

// Proof that Hearth keeps no card numbers: finds anything shaped like a payment card number
// (PAN) in files, SQLite databases, PostgreSQL schemas and captured logs. A scan reports how much
// it read, so a test can assert it read something real and found nothing; results carry only
// masked numbers (first six and last four digits), never a whole one.

const BUN_BIN = fileURLToPath(new URL('../../node_modules/.bin/bun', import.meta.url));

/** One card-like number in a text. Offsets are string indices; `end` is exclusive. */
export interface CardNumberMatch {
  readonly start: number;
  readonly end: number;
  /** How many digits (13–19), separators not counted. */
  readonly digits: number;
  /** First six and last four digits, the rest `*`: `424242******4242`. */
  readonly masked: string;
}

// Digit groups joined by single spaces or dashes, as card numbers are printed.
const DIGIT_RUN = /[0-9]+(?:[ -][0-9]+)*/g;
const WORD_CHAR = /[A-Za-z0-9_]/;

/** The Luhn (mod 10) check every payment card number passes. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** First six and last four digits; the middle starred. */
export function maskCardNumber(digits: string): string {
  return `${digits.slice(0, 6)}${'*'.repeat(Math.max(0, digits.length - 10))}${digits.slice(-4)}`;
}

/**
 * 13–19 digits, Luhn-valid, an issuer's first digit: never 0, and 1 only for 15 digits (UATP),
 * so millisecond, microsecond and nanosecond timestamps (13, 16, 19 digits from 1…) are not cards.
 */
function cardLike(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  if (digits[0] === '0' || (digits[0] === '1' && digits.length !== 15)) return false;
  return luhnValid(digits);
}

/** True when a number may start at `at`: not inside a word, a decimal, or a `+` phone number. */
function cleanStart(text: string, at: number): boolean {
  const before = text[at - 1];
  if (before === undefined) return true;
  if (WORD_CHAR.test(before) || before === '+') return false;
  return !(before === '.' && /[0-9]/.test(text[at - 2] ?? ''));
}

/** True when a number may end at `at` (exclusive): not inside a word or a decimal. */
function cleanEnd(text: string, at: number): boolean {
  const after = text[at];
  if (after === undefined) return true;
  if (WORD_CHAR.test(after)) return false;
  return !(after === '.' && /[0-9]/.test(text[at + 1] ?? ''));
}

/**
 * Every card-like number in `text`. In a line: whole digit runs, or whole print groups joined by
 * single spaces/dashes, of 13–19 Luhn-valid digits not starting with 0 (nor 1 unless 15 long),
 * touching no letter, digit, `_`, decimal point or leading `+`.
 *
 * The rule: a candidate is either one whole run of contiguous digits, or consecutive digit groups
 * joined by single spaces/dashes where every group but the last has 4–6 digits and the last 1–6
 * (4242 4242 4242 4242, 3782 822463 10005); digits are never taken from the middle of a longer
 * digit run, and a candidate touching a letter, digit or `_`, a decimal point, or a leading `+`
 * (a phone number) is not one, so ULIDs, hex hashes and long numbers are never split into cards;
 * it counts when it has 13–19 digits, passes Luhn, and does not start with 0 (nor 1 unless it
 * has 15 digits). In a run of groups the longest candidate from the leftmost group wins.
 */
export function findCardNumbers(text: string): CardNumberMatch[] {
  const found: CardNumberMatch[] = [];
  for (const run of text.matchAll(DIGIT_RUN)) {
    const groups: { start: number; end: number }[] = [];
    const base = run.index;
    for (const group of run[0].matchAll(/[0-9]+/g))
      groups.push({ start: base + group.index, end: base + group.index + group[0].length });
    let first = 0;
    while (first < groups.length) {
      const hit = longestFrom(text, groups, first);
      if (hit === undefined) first += 1;
      else {
        found.push(hit.match);
        first = hit.next;
      }
    }
  }
  return found;
}

function longestFrom(
  text: string,
  groups: readonly { start: number; end: number }[],
  first: number,
): { match: CardNumberMatch; next: number } | undefined {
  const start = groups[first]?.start ?? 0;
  if (!cleanStart(text, start)) return undefined;
  let best: { match: CardNumberMatch; next: number } | undefined;
  let digits = '';
  for (let last = first; last < groups.length; last += 1) {
    const group = groups[last];
    if (group === undefined) break;
    // Groups before the last must look like a printed card's (4–6 digits).
    if (last > first) {
      const previous = groups[last - 1];
      const size = previous ? previous.end - previous.start : 0;
      if (size < 4 || size > 6) break;
      if (group.end - group.start > 6) break;
    }
    digits += text.slice(group.start, group.end);
    if (digits.length > 19) break;
    if (cardLike(digits) && cleanEnd(text, group.end))
      best = {
        match: { start, end: group.end, digits: digits.length, masked: maskCardNumber(digits) },
        next: last + 1,
      };
  }
  return best;
}

/** What to scan. */
export type ScanTarget =
  /** Any file, read as latin1 so binary files (SQLite pages, -wal, -shm) are scanned byte by byte. */
  | { readonly kind: 'file'; readonly path: string }
  /** Every file under a directory, recursively (symbolic links are not followed). */
  | { readonly kind: 'dir'; readonly path: string }
  /** Every table of every non-system schema (or only `schemas`), row by row as text. */
  | { readonly kind: 'postgres'; readonly url: string; readonly schemas?: readonly string[] }
  /** A captured text, such as a process's log. */
  | { readonly kind: 'text'; readonly label: string; readonly text: string };

export interface ScanHit {
  /** `file <path>`, `sqlite <path> <table> row <n>`, `postgres <schema>.<table> row <n>`, `text <label>`. */
  readonly where: string;
  /** Offset in that file, row text, or text. */
  readonly offset: number;
  readonly digits: number;
  readonly masked: string;
  /** The text around it, the number masked and every other digit shown as `#`. */
  readonly context: string;
  /** `luhn`: found by {@link findCardNumbers}; `canary`: one of the given numbers, anywhere. */
  readonly by: 'luhn' | 'canary';
}

export interface ScanReport {
  readonly scanned: {
    readonly files: number;
    /** File bytes, plus the characters of texts, SQLite rows and PostgreSQL rows. */
    readonly bytes: number;
    /** SQLite and PostgreSQL tables read. */
    readonly tables: number;
    readonly rows: number;
  };
  readonly hits: readonly ScanHit[];
}

export interface ScanOptions {
  /**
   * Numbers known to have been used (the test processor's cards): each is also looked for
   * anywhere, even glued to other characters (SQLite packs a row's columns side by side),
   * its digits optionally separated by single spaces or dashes.
   */
  readonly canaries?: readonly string[];
}

const SQLITE_MAGIC = 'SQLite format 3\u0000';

/**
 * Scans every target. SQLite database files are scanned twice: byte by byte, which also sees what
 * free pages may still hold, and table by table through a copy opened by Bun
 * (with its -wal), which finds numbers stored as integers or packed next to other columns.
 * Anything it cannot read fails the scan rather than passing it.
 */
export async function scanStores(
  targets: readonly ScanTarget[],
  options: ScanOptions = {},
): Promise<ScanReport> {
  const canaries = (options.canaries ?? []).map(canaryPattern);
  const scanned = { files: 0, bytes: 0, tables: 0, rows: 0 };
  const hits: ScanHit[] = [];
  const scanText = (where: string, text: string) => {
    scanned.bytes += text.length;
    hits.push(...scanOne(where, text, canaries));
  };
  for (const target of targets) {
    if (target.kind === 'text') scanText(`text ${target.label}`, target.text);
    else if (target.kind === 'postgres') {
      const counts = await dumpPostgres(target.url, target.schemas, scanText);
      scanned.tables += counts.tables;
      scanned.rows += counts.rows;
    } else {
      const files = target.kind === 'file' ? [target.path] : await filesUnder(target.path);
      for (const path of files) {
        const bytes = await readFile(path);
        scanned.files += 1;
        scanned.bytes += bytes.length;
        const text = bytes.toString('latin1');
        hits.push(...scanOne(`file ${path}`, text, canaries));
        if (text.startsWith(SQLITE_MAGIC)) {
          const counts = await dumpSqlite(path, scanText);
          scanned.tables += counts.tables;
          scanned.rows += counts.rows;
        }
      }
    }
  }
  return { scanned, hits };
}

function canaryPattern(canary: string): RegExp {
  if (!/^[0-9]{12,19}$/.test(canary)) throw new Error('a canary is 12 to 19 digits, nothing else');
  return new RegExp(canary.split('').join('[ -]?'), 'g');
}

function scanOne(where: string, text: string, canaries: readonly RegExp[]): ScanHit[] {
  const found = findCardNumbers(text);
  const hits: ScanHit[] = found.map((m) => hitAt(where, text, m, 'luhn'));
  for (const pattern of canaries)
    for (const m of text.matchAll(pattern)) {
      const start = m.index;
      const end = start + m[0].length;
      // Already reported as a card-like number.
      if (found.some((f) => f.start < end && start < f.end)) continue;
      const digits = m[0].replace(/[ -]/g, '');
      hits.push(
        hitAt(
          where,
          text,
          { start, end, digits: digits.length, masked: maskCardNumber(digits) },
          'canary',
        ),
      );
    }
  return hits;
}

function hitAt(where: string, text: string, m: CardNumberMatch, by: ScanHit['by']): ScanHit {
  const around = (s: string) => s.replace(/[0-9]/g, '#').replace(/[^\x20-\x7e]/g, '.');
  const context = `${around(text.slice(Math.max(0, m.start - 32), m.start))}${m.masked}${around(text.slice(m.end, m.end + 32))}`;
  return { where, offset: m.start, digits: m.digits, masked: m.masked, context, by };
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Every row of every table, each as its columns' text joined by tabs. */
async function dumpPostgres(
  url: string,
  schemas: readonly string[] | undefined,
  scanText: (where: string, text: string) => void,
): Promise<{ tables: number; rows: number }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const tables = await sql<{ schema: string; table: string; oid: number }[]>`
      SELECT n.nspname AS schema, c.relname AS table, c.oid::int AS oid
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'm')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_%'
        ${schemas === undefined ? sql`` : sql`AND n.nspname = ANY(${[...schemas]})`}
      ORDER BY 1, 2`;
    let rows = 0;
    for (const { schema, table, oid } of tables) {
      const columns = await sql<{ name: string; bytea: boolean }[]>`
        SELECT attname AS name, atttypid = 'bytea'::regtype AS bytea
        FROM pg_attribute WHERE attrelid = ${oid} AND attnum > 0 AND NOT attisdropped
        ORDER BY attnum`;
      // bytea as escaped text keeps printable bytes (digits) readable; everything else as ::text.
      const list = columns.map(({ name, bytea }, i) =>
        bytea
          ? `encode(${quoteIdent(name)}, 'escape') AS c${i}`
          : `${quoteIdent(name)}::text AS c${i}`,
      );
      const query = `SELECT ${list.length > 0 ? list.join(', ') : "'' AS c0"} FROM ${quoteIdent(schema)}.${quoteIdent(table)}`;
      let n = 0;
      for await (const batch of sql.unsafe(query).cursor(500))
        for (const row of batch) {
          n += 1;
          const text = Object.values(row as Record<string, string | null>)
            .map((v) => v ?? '')
            .join('\t');
          scanText(`postgres ${schema}.${table} row ${n}`, text);
        }
      rows += n;
    }
    return { tables: tables.length, rows };
  } finally {
    await sql.end({ timeout: 1 });
  }
}

// Run by Bun on a copy of the database: one JSON line per table, then one per row (its columns'
// text joined by tabs; blobs as latin1, integers exact).
const SQLITE_DUMP = `import { Database } from 'bun:sqlite';
const db = new Database(process.env.HEARTH_SCAN_DB, { safeIntegers: true });
const text = (v) => v === null ? '' : v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : String(v);
const tables = db.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").values();
for (const [name] of tables) {
  process.stdout.write(JSON.stringify({ table: name }) + '\\n');
  const quoted = '"' + name.replaceAll('"', '""') + '"';
  for (const row of db.query('SELECT * FROM ' + quoted).values())
    process.stdout.write(JSON.stringify({ row: row.map(text).join('\\t') }) + '\\n');
}
db.close();
`;

/** Every row of every table of a SQLite database (with its -wal), read through a copy. */
async function dumpSqlite(
  path: string,
  scanText: (where: string, text: string) => void,
): Promise<{ tables: number; rows: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-card-scan-'));
  try {
    const copy = join(dir, 'copy.db');
    await copyFile(path, copy);
    const wal = await lstat(`${path}-wal`).catch(() => undefined);
    if (wal?.isFile()) await copyFile(`${path}-wal`, `${copy}-wal`);
    const script = join(dir, 'dump.ts');
    await writeFile(script, SQLITE_DUMP);
    const output = await runBun(script, { HEARTH_SCAN_DB: copy });
    let tables = 0;
    let rows = 0;
    let table = '';
    let row = 0;
    for (const line of output.split('\n')) {
      if (line === '') continue;
      const parsed = JSON.parse(line) as { table?: string; row?: string };
      if (parsed.table !== undefined) {
        table = parsed.table;
        tables += 1;
        row = 0;
      } else {
        row += 1;
        rows += 1;
        scanText(`sqlite ${path} ${table} row ${row}`, parsed.row ?? '');
      }
    }
    return { tables, rows };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runBun(script: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(BUN_BIN, [script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else
        reject(
          new Error(
            `reading the SQLite database failed (exit ${code}): ${Buffer.concat(err)
              .toString('utf8')
              .replace(/[0-9]{13,}/g, '<digits>')
              .slice(0, 500)}`,
          ),
        );
    });
  });
}
