import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createApp } from './app.ts';
import { parseCloudConfig } from './config.ts';
import { openSqliteDatabase } from './store/sqlite-database.ts';

// The cloud's process shell: the only file that reads env, touches the disk and binds a port.

/** Exit code for a configuration the operator must fix; retrying unchanged cannot help. */
const EXIT_CONFIG = 2;

const PackageJson = z.object({ version: z.string() });

function log(level: 'info' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === 'error') console.error(line);
  else console.log(line);
}

async function readVersion(): Promise<string> {
  const raw: unknown = await Bun.file(new URL('../package.json', import.meta.url)).json();
  const parsed = PackageJson.safeParse(raw);
  return parsed.success ? parsed.data.version : '0.0.0-unknown';
}

const parsed = parseCloudConfig(process.env);
if (!parsed.ok) {
  for (const error of parsed.errors) console.error(`hearth cloud: invalid configuration: ${error}`);
  process.exit(EXIT_CONFIG);
}
const { port, dataDir } = parsed.config;

mkdirSync(dataDir, { recursive: true });
const db = openSqliteDatabase(join(dataDir, 'cloud.db'));
const app = createApp({ clock: () => new Date(), version: await readVersion() });
const server = Bun.serve({ port, fetch: app.fetch });
log('info', 'cloud listening', { port: server.port });

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('info', 'cloud stopping', { signal });
  await server.stop(true);
  db.close();
  process.exit(0);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    shutdown(signal).catch((error: unknown) => {
      log('error', 'shutdown failed', { error: String(error) });
      process.exit(1);
    });
  });
}
