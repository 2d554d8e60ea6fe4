import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEPENDENCY_HOLD_MS } from '#protocol';
import { parseOrigin } from '../server/origin-policy.ts';
import { DEFAULT_LIMITS } from './app-deps.ts';

/** The cloud process's settings, read once from the environment at start-up. */
export interface CloudConfig {
  port: number;
  dataDir: string;
  /** How long an op whose dependency no one sent is held before DEPENDENCY_UNKNOWN. */
  dependencyHoldMs: number;
  /** The built PWA to serve to guests; served only if it exists when the cloud starts. */
  webDir: string;
  /** Sustained ops per second per caller, and the burst above it (429 past it). */
  callerOpsPerSecond: number;
  callerBurst: number;
  /** Sustained write requests per second per caller address, and the burst above it. */
  addressRequestsPerSecond: number;
  addressBurst: number;
  /**
   * Peer addresses of our own reverse proxies (`HEARTH_TRUSTED_PROXIES`, comma-separated IPs):
   * only from them is `X-Forwarded-For` read for a caller's address. Empty by default.
   */
  trustedProxies: string[];
  /** The bearer token `/metrics` takes from other machines (`HEARTH_METRICS_TOKEN`); unset: none do. */
  metricsToken: string | undefined;
  /**
   * The keys every instance shares (token signing, PIN digests, cursors); when unset, the
   * instance keeps its own `keys.json` in `dataDir`, made on first start.
   */
  keysFile: string | undefined;
  /** PostgreSQL for several instances (`DATABASE_URL`); unset, the cloud keeps SQLite in `dataDir`. */
  database: DatabaseConfig | undefined;
  /** Whether an empty store gets the demo tenant: on for SQLite, off on PostgreSQL unless asked. */
  seedDemo: boolean;
  /** How many tables the demo venue is seeded with (`HEARTH_DEMO_TABLES`, 1–500, default 12). */
  demoTables: number;
  /**
   * The origin guests' browsers load the cloud from (`HEARTH_PUBLIC_ORIGIN`): the one origin
   * CORS is answered for, and allowed to open live sockets besides the request's own.
   */
  publicOrigin: string | undefined;
  /**
   * The card processor (`HEARTH_PROCESSOR_URL`, its events' `HEARTH_PROCESSOR_SECRET`, the
   * venue's reader `HEARTH_READER`, default counter-1); unset: card payments answer 503.
   */
  processor: ProcessorConfig | undefined;
}

export interface ProcessorConfig {
  readonly url: string;
  readonly secret: string;
  readonly reader: string;
}

export interface DatabaseConfig {
  readonly url: string;
  /** The schema holding the tables (`HEARTH_DATABASE_SCHEMA`, default public). */
  readonly schema: string;
  /** Connections per pool (`HEARTH_DATABASE_CONNECTIONS`, default 8): one for writes, one for reads. */
  readonly connections: number;
}

export type CloudConfigResult = { ok: true; config: CloudConfig } | { ok: false; errors: string[] };

const DEFAULT_PORT = 8787;
const DEFAULT_DATA_DIR = './data';
/** This checkout's `web/dist` (what `npm run build:web` writes), wherever the cloud runs from. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../web/dist', import.meta.url));

const Port = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(0).max(65535, 'must be at most 65535'));

const Dir = z.string().trim().min(1, 'must not be empty');

const Count = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(1));

/** The demo venue's tables unless `HEARTH_DEMO_TABLES` asks for more (a day of service: 32). */
const DEMO_TABLES = 12;
const TableCount = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(1).max(500));

const DatabaseUrl = z
  .string()
  .trim()
  .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL');

const SchemaName = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a plain lower-case name');

const Milliseconds = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(0));

/**
 * Parses `PORT` (default 8787), `HEARTH_DATA_DIR` (default ./data),
 * `HEARTH_DEPENDENCY_HOLD_MS` (default one hour), `HEARTH_WEB_DIR` (default this checkout's
 * web/dist), and the per-caller write limits `HEARTH_CALLER_OPS_PER_SECOND` (default 200) and
 * `HEARTH_CALLER_BURST` (default 1000), the per-address ones `HEARTH_ADDRESS_REQUESTS_PER_SECOND`
 * (2000) and `HEARTH_ADDRESS_BURST` (5000), `HEARTH_TRUSTED_PROXIES`, `HEARTH_KEYS_FILE` (optional: the keys several
 * instances share), `DATABASE_URL` (optional: PostgreSQL; needs `HEARTH_KEYS_FILE`) with
 * `HEARTH_DATABASE_SCHEMA` and `HEARTH_DATABASE_CONNECTIONS`, `HEARTH_SEED_DEMO` (1 or 0) with
 * `HEARTH_DEMO_TABLES` (the demo venue's table count, default 12), and
 * `HEARTH_PUBLIC_ORIGIN` (optional: `https://host[:port]`, the origin browsers load it from), and
 * the card processor: `HEARTH_PROCESSOR_URL` (optional) with `HEARTH_PROCESSOR_SECRET` and
 * `HEARTH_READER` (default counter-1).
 * Every invalid variable yields one message naming it, so the operator can fix them all at once.
 *
 * @example
 * const result = parseCloudConfig(process.env);
 * if (!result.ok) console.error(result.errors.join('\n'));
 */
export function parseCloudConfig(env: Record<string, string | undefined>): CloudConfigResult {
  const errors: string[] = [];
  const rawPort = env.PORT ?? String(DEFAULT_PORT);
  const port = Port.safeParse(rawPort);
  if (!port.success) {
    const reason = port.error.issues[0]?.message ?? 'is invalid';
    errors.push(
      `PORT ${reason}: expected an integer from 0 to 65535, got ${JSON.stringify(rawPort)}`,
    );
  }
  const rawDataDir = env.HEARTH_DATA_DIR ?? DEFAULT_DATA_DIR;
  const dataDir = Dir.safeParse(rawDataDir);
  if (!dataDir.success) {
    errors.push(`HEARTH_DATA_DIR must be a directory path, got ${JSON.stringify(rawDataDir)}`);
  }
  const rawHold = env.HEARTH_DEPENDENCY_HOLD_MS ?? String(DEPENDENCY_HOLD_MS);
  const hold = Milliseconds.safeParse(rawHold);
  if (!hold.success) {
    errors.push(
      `HEARTH_DEPENDENCY_HOLD_MS must be a whole number of milliseconds, got ${JSON.stringify(rawHold)}`,
    );
  }
  const rawWebDir = env.HEARTH_WEB_DIR ?? DEFAULT_WEB_DIR;
  const webDir = Dir.safeParse(rawWebDir);
  if (!webDir.success) {
    errors.push(`HEARTH_WEB_DIR must be a directory path, got ${JSON.stringify(rawWebDir)}`);
  }
  const limit = (name: string, fallback: number): number | undefined => {
    const raw = env[name] ?? String(fallback);
    const parsed = Count.safeParse(raw);
    if (parsed.success) return parsed.data;
    errors.push(`${name} must be a whole number of at least 1, got ${JSON.stringify(raw)}`);
    return undefined;
  };
  const callerOpsPerSecond = limit(
    'HEARTH_CALLER_OPS_PER_SECOND',
    DEFAULT_LIMITS.callerOpsPerSecond,
  );
  const callerBurst = limit('HEARTH_CALLER_BURST', DEFAULT_LIMITS.callerBurst);
  const addressRequestsPerSecond = limit(
    'HEARTH_ADDRESS_REQUESTS_PER_SECOND',
    DEFAULT_LIMITS.addressRequestsPerSecond,
  );
  const addressBurst = limit('HEARTH_ADDRESS_BURST', DEFAULT_LIMITS.addressBurst);
  const trustedProxies = (env.HEARTH_TRUSTED_PROXIES ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const notIp = trustedProxies.filter((entry) => isIP(entry) === 0);
  const metricsToken = env.HEARTH_METRICS_TOKEN === '' ? undefined : env.HEARTH_METRICS_TOKEN;
  if (metricsToken !== undefined && metricsToken.length < 16)
    errors.push('HEARTH_METRICS_TOKEN must be at least 16 characters (a random secret)');
  if (notIp.length > 0)
    errors.push(
      `HEARTH_TRUSTED_PROXIES must be comma-separated IP addresses, got ${notIp.map((e) => JSON.stringify(e)).join(', ')}`,
    );
  const rawKeysFile = env.HEARTH_KEYS_FILE;
  const keysFile = rawKeysFile === undefined ? undefined : Dir.safeParse(rawKeysFile);
  if (keysFile !== undefined && !keysFile.success)
    errors.push(`HEARTH_KEYS_FILE must be a file path, got ${JSON.stringify(rawKeysFile)}`);
  const database = parseDatabase(env, errors);
  if (database !== undefined && rawKeysFile === undefined)
    errors.push(
      'DATABASE_URL needs HEARTH_KEYS_FILE: every instance over one database must share its keys (npm run keys -- <file> writes a new set)',
    );
  const rawSeed = env.HEARTH_SEED_DEMO;
  if (rawSeed !== undefined && rawSeed !== '0' && rawSeed !== '1')
    errors.push(`HEARTH_SEED_DEMO must be 1 or 0, got ${JSON.stringify(rawSeed)}`);
  const rawTables = env.HEARTH_DEMO_TABLES ?? String(DEMO_TABLES);
  const demoTables = TableCount.safeParse(rawTables);
  if (!demoTables.success)
    errors.push(
      `HEARTH_DEMO_TABLES must be a whole number from 1 to 500, got ${JSON.stringify(rawTables)}`,
    );
  const rawOrigin = env.HEARTH_PUBLIC_ORIGIN;
  const publicOrigin = rawOrigin ? parseOrigin(rawOrigin.trim()) : undefined;
  if (rawOrigin && publicOrigin === undefined)
    errors.push(
      `HEARTH_PUBLIC_ORIGIN must be an origin, http(s)://host[:port] without a path, got ${JSON.stringify(rawOrigin)}`,
    );
  const processor = parseProcessor(env, errors);
  if (
    errors.length > 0 ||
    !port.success ||
    !demoTables.success ||
    !dataDir.success ||
    !hold.success ||
    !webDir.success ||
    callerOpsPerSecond === undefined ||
    callerBurst === undefined ||
    addressRequestsPerSecond === undefined ||
    addressBurst === undefined ||
    (keysFile !== undefined && !keysFile.success)
  )
    return { ok: false, errors };
  return {
    ok: true,
    config: {
      port: port.data,
      dataDir: dataDir.data,
      dependencyHoldMs: hold.data,
      webDir: webDir.data,
      callerOpsPerSecond,
      callerBurst,
      addressRequestsPerSecond,
      addressBurst,
      trustedProxies,
      metricsToken,
      keysFile: keysFile?.data,
      database,
      seedDemo: rawSeed === undefined ? database === undefined : rawSeed === '1',
      demoTables: demoTables.data,
      publicOrigin,
      processor,
    },
  };
}

const ProcessorUrl = z
  .string()
  .trim()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');
const Reader = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/);

/** `HEARTH_PROCESSOR_URL` (optional), `HEARTH_PROCESSOR_SECRET` (with it), `HEARTH_READER`. */
function parseProcessor(
  env: Record<string, string | undefined>,
  errors: string[],
): ProcessorConfig | undefined {
  const rawReader = env.HEARTH_READER || 'counter-1';
  if (!Reader.safeParse(rawReader).success)
    errors.push(
      `HEARTH_READER must be the reader's id, 1-64 letters, digits or ._:- (got ${JSON.stringify(rawReader)})`,
    );
  const rawUrl = env.HEARTH_PROCESSOR_URL;
  if (rawUrl === undefined || rawUrl === '') return undefined;
  const url = ProcessorUrl.safeParse(rawUrl);
  if (!url.success)
    errors.push(`HEARTH_PROCESSOR_URL must be an http(s) URL, got ${JSON.stringify(rawUrl)}`);
  // The secret is never echoed.
  const secret = env.HEARTH_PROCESSOR_SECRET ?? '';
  if (secret === '')
    errors.push(
      "HEARTH_PROCESSOR_SECRET is required with HEARTH_PROCESSOR_URL: the processor's events are signed with it",
    );
  else if (secret.length < 16)
    errors.push('HEARTH_PROCESSOR_SECRET must be at least 16 characters (a random secret)');
  if (!url.success || secret.length < 16) return undefined;
  return { url: url.data, secret, reader: rawReader };
}

function parseDatabase(
  env: Record<string, string | undefined>,
  errors: string[],
): DatabaseConfig | undefined {
  const rawUrl = env.DATABASE_URL;
  if (rawUrl === undefined || rawUrl === '') return undefined;
  const url = DatabaseUrl.safeParse(rawUrl);
  // The URL may carry a password: the message names the variable, never its value.
  if (!url.success) errors.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  const rawSchema = env.HEARTH_DATABASE_SCHEMA ?? 'public';
  const schema = SchemaName.safeParse(rawSchema);
  if (!schema.success)
    errors.push(
      `HEARTH_DATABASE_SCHEMA must be a plain lower-case name, got ${JSON.stringify(rawSchema)}`,
    );
  const rawConnections = env.HEARTH_DATABASE_CONNECTIONS ?? '8';
  const connections = Count.safeParse(rawConnections);
  if (!connections.success)
    errors.push(
      `HEARTH_DATABASE_CONNECTIONS must be a whole number of at least 1, got ${JSON.stringify(rawConnections)}`,
    );
  if (!url.success || !schema.success || !connections.success) return undefined;
  return { url: url.data, schema: schema.data, connections: connections.data };
}
