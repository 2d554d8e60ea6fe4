import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEPENDENCY_HOLD_MS } from '#protocol';
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
  /**
   * The keys every instance shares (token signing, PIN digests, cursors); when unset, the
   * instance keeps its own `keys.json` in `dataDir`, made on first start.
   */
  keysFile: string | undefined;
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

const Milliseconds = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(0));

/**
 * Parses `PORT` (default 8787), `HEARTH_DATA_DIR` (default ./data),
 * `HEARTH_DEPENDENCY_HOLD_MS` (default one hour), `HEARTH_WEB_DIR` (default this checkout's
 * web/dist), and the per-caller write limits `HEARTH_CALLER_OPS_PER_SECOND` (default 200) and
 * `HEARTH_CALLER_BURST` (default 1000), and `HEARTH_KEYS_FILE` (optional: the keys several
 * instances share). Every invalid variable yields one message naming it, so the operator can fix them
 * all at once.
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
  const rawKeysFile = env.HEARTH_KEYS_FILE;
  const keysFile = rawKeysFile === undefined ? undefined : Dir.safeParse(rawKeysFile);
  if (keysFile !== undefined && !keysFile.success)
    errors.push(`HEARTH_KEYS_FILE must be a file path, got ${JSON.stringify(rawKeysFile)}`);
  if (
    !port.success ||
    !dataDir.success ||
    !hold.success ||
    !webDir.success ||
    callerOpsPerSecond === undefined ||
    callerBurst === undefined ||
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
      keysFile: keysFile?.data,
    },
  };
}
