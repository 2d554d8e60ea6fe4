import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { createCursorCodec, publicJwkOf } from '#protocol';
import { FeedBus } from '../server/feed-bus.ts';
import { processLogger } from '../server/logger.ts';
import { ServerMetrics } from '../server/metrics.ts';
import { ProcessorClient } from '../server/payments/processor-client.ts';
import { createApp } from './app.ts';
import { DEFAULT_LIMITS } from './app-deps.ts';
import { DEFAULT_TOKEN_TTL_SECONDS } from './auth/auth-routes.ts';
import {
  CLOUD_SIGNING_KID,
  type CloudKeys,
  CloudKeysError,
  importCloudKeys,
  loadKeysFile,
  loadOrCreateKeys,
} from './auth/keys.ts';
import { TokenAuthenticator } from './auth/token-authenticator.ts';
import { parseCloudConfig } from './config.ts';
import { checkingDevices } from './devices/device-check.ts';
import { DeviceRegistry } from './devices/device-registry.ts';
import { PairingCodes } from './devices/pairing-codes.ts';
import { DEFAULT_EDGE } from './edge/edge-routes.ts';
import { createCursorService } from './feed/cursor-service.ts';
import { ForeignCommits } from './feed/foreign-commits.ts';
import { createLiveRoute } from './feed/live-socket.ts';
import { cleanUpIdempotencyKeys } from './ops/idempotency-retention.ts';
import { opWriterFor } from './ops/ops-routes.ts';
import { RefundSender } from './payments/refund-sender.ts';
import { isEmpty, seedDemo } from './seed/demo-seed.ts';
import type { CloudStore } from './store/cloud-store.ts';
import { PgCloudStore, PgStoreError } from './store/pg-store.ts';
import { SqliteCloudStore } from './store/sqlite-store.ts';

// The cloud's process shell: the only file that reads env, touches the disk and binds a port.

/** Exit code for a configuration the operator must fix; retrying unchanged cannot help. */
const EXIT_CONFIG = 2;
const HOUR_MS = 3600 * 1000;

const PackageJson = z.object({ version: z.string() });
// JSON lines through pino's asynchronous destination, flushed on every way out.
const { log, drain } = processLogger();

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
const { port, dataDir, dependencyHoldMs, callerOpsPerSecond, callerBurst, database } =
  parsed.config;

// The PWA is served when its directory exists at start (web/dist once built); not otherwise.
const webDir = statSync(parsed.config.webDir, { throwIfNoEntry: false })?.isDirectory()
  ? resolve(parsed.config.webDir)
  : undefined;

mkdirSync(dataDir, { recursive: true });
let keys: CloudKeys;
try {
  // Several instances share one keys file; a lone instance keeps its own in its data dir.
  keys = parsed.config.keysFile
    ? await loadKeysFile(parsed.config.keysFile)
    : await loadOrCreateKeys(dataDir);
} catch (error) {
  if (!(error instanceof CloudKeysError)) throw error;
  console.error(`hearth cloud: invalid configuration: ${error.message}`);
  process.exit(EXIT_CONFIG);
}
const imported = await importCloudKeys(keys);
// PostgreSQL when several instances share one database; otherwise SQLite in the data dir.
const store: CloudStore = database
  ? await PgCloudStore.open({
      url: database.url,
      schema: database.schema,
      writeConnections: database.connections,
      readConnections: database.connections,
    })
  : SqliteCloudStore.open(join(dataDir, 'cloud.db'));
const clock = () => new Date();
/** How long a charge waits for the reader and the processor before it is timed_out (asked again). */
const PROCESSOR_TIMEOUT_MS = 20_000;

if (parsed.config.seedDemo && (await isEmpty(store))) {
  try {
    await seedDemo(
      store,
      { pinKey: imported.pinKey, now: clock().toISOString() },
      { tables: parsed.config.demoTables },
    );
    log('info', 'demo venue seeded', { tenantId: 'demo', venueId: 'demo-bistro' });
  } catch (error) {
    // Instances starting together on an empty database: one seeds, the others find it done.
    if (!(error instanceof PgStoreError && error.code === 'VENUE_EXISTS')) throw error;
    log('info', 'demo venue seeded by another instance', { venueId: 'demo-bistro' });
  }
}

const metrics = new ServerMetrics();
const bus = new FeedBus((error) => log('error', 'feed listener failed', { error: String(error) }));
metrics.gauge('hearth_feed_subscribers', 'Live feed subscribers (long-polls and sockets).', () =>
  bus.subscriberCount(),
);
// The venues' paired devices, kept current by the feed: a revoked device's tokens fail at once.
const devices = new DeviceRegistry({ store, bus, clock });
const processorConfig = parsed.config.processor;
const processor =
  processorConfig &&
  new ProcessorClient({ url: processorConfig.url, timeoutMs: PROCESSOR_TIMEOUT_MS });
const deps = {
  store,
  clock,
  version: await readVersion(),
  log,
  authenticator: checkingDevices(
    new TokenAuthenticator({ store, cloudVerifyKey: imported.verifyKey, clock, log }),
    devices,
  ),
  devices,
  pairingCodes: new PairingCodes({ cloudVerifyKey: imported.verifyKey, store, clock }),
  bus,
  metrics,
  limits: {
    ...DEFAULT_LIMITS,
    dependencyHoldMs,
    callerOpsPerSecond,
    callerBurst,
    addressRequestsPerSecond: parsed.config.addressRequestsPerSecond,
    addressBurst: parsed.config.addressBurst,
  },
  trustedProxies: new Set(parsed.config.trustedProxies),
  metricsToken: parsed.config.metricsToken,
  tokens: { signer: imported.signer, ttlSeconds: DEFAULT_TOKEN_TTL_SECONDS },
  pinKey: imported.pinKey,
  cursors: createCursorService(await createCursorCodec(imported.cursorSecret)),
  edge: {
    ...DEFAULT_EDGE,
    verificationKeys: [{ kid: CLOUD_SIGNING_KID, jwk: publicJwkOf(keys.signingJwk) }],
  },
  webDir,
  publicOrigin: parsed.config.publicOrigin,
  payments: processor && processorConfig && { port: processor, ...processorConfig },
};
const app = createApp(deps);
// Approved card refunds go to the processor from here (never from a relay).
const refunds =
  processor && new RefundSender({ ...deps, port: processor, writer: opWriterFor(deps) });
refunds?.start();
const live = createLiveRoute(deps);
live.route(app);
// Entries other instances commit reach this instance's live readers (PostgreSQL only).
const foreign = new ForeignCommits({ store, bus, log });
await foreign.start();

const server = Bun.serve({
  port,
  fetch: app.fetch,
  websocket: live.websocket,
  // Long-polls wait up to maxWaitSeconds; Bun would close an idle request after 10 s.
  idleTimeout: DEFAULT_LIMITS.maxWaitSeconds + 10,
});
log('info', 'cloud listening', {
  port: server.port,
  store: database ? 'postgres' : 'sqlite',
  ...(database ? { schema: database.schema } : { dataDir }),
  webDir: webDir ?? null,
});
if (webDir === undefined) {
  // Named when asked for; the default (an unbuilt checkout) only says so.
  log(process.env.HEARTH_WEB_DIR === undefined ? 'info' : 'warn', 'the PWA is not served', {
    webDir: parsed.config.webDir,
    reason: 'no such directory (npm run build:web writes web/dist)',
  });
}

async function cleanUp(): Promise<void> {
  const deleted = await cleanUpIdempotencyKeys(
    store,
    clock(),
    DEFAULT_LIMITS.idempotencyRetentionDays,
  );
  if (deleted > 0)
    log('info', 'idempotency keys expired', {
      deleted,
      retentionDays: DEFAULT_LIMITS.idempotencyRetentionDays,
    });
}
const cleanup = setInterval(() => {
  cleanUp().catch((error: unknown) =>
    log('error', 'idempotency cleanup failed', { error: String(error) }),
  );
}, HOUR_MS);

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('info', 'cloud stopping', { signal });
  clearInterval(cleanup);
  await refunds?.stop();
  await server.stop(true);
  await foreign.close();
  await store.close();
  await drain();
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
