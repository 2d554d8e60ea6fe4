import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEPENDENCY_HOLD_MS } from '#protocol';

/** The cloud process's settings, read once from the environment at start-up. */
export interface CloudConfig {
  port: number;
  dataDir: string;
  /** How long an op whose dependency no one sent is held before DEPENDENCY_UNKNOWN. */
  dependencyHoldMs: number;
  /** The built PWA to serve to guests; served only if it exists when the cloud starts. */
  webDir: string;
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

const Milliseconds = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(0));

/**
 * Parses `PORT` (default 8787), `HEARTH_DATA_DIR` (default ./data),
 * `HEARTH_DEPENDENCY_HOLD_MS` (default one hour) and `HEARTH_WEB_DIR` (default this checkout's
 * web/dist). Every invalid variable yields one message naming it, so the operator can fix them
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
  if (!port.success || !dataDir.success || !hold.success || !webDir.success)
    return { ok: false, errors };
  return {
    ok: true,
    config: {
      port: port.data,
      dataDir: dataDir.data,
      dependencyHoldMs: hold.data,
      webDir: webDir.data,
    },
  };
}
