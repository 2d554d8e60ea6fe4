import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createTokenSigner, importTokenSigningKey } from '#protocol';
import { processLogger } from '../server/logger.ts';
import { parseRelayConfig, withFlags } from './config.ts';
import { enroll } from './identity/enroll.ts';
import { readIdentity, writeIdentity } from './identity/identity-file.ts';
import { relayKid } from './identity/relay-identity.ts';
import { DeviceCheckpoints, lanHead } from './lan/feed-routes.ts';
import { createLanApp } from './lan/lan-app.ts';
import { RelayLanAuthenticator } from './lan/lan-authenticator.ts';
import { createLanCursors } from './lan/lan-cursors.ts';
import { createLanLiveRoute } from './lan/live-socket.ts';
import { RelayMetrics } from './lan/relay-metrics.ts';
import { ResilienceRecorder } from './lan/resilience-recorder.ts';
import { resilienceReading } from './lan/resilience-route.ts';
import { SqliteRelayStore } from './store/sqlite-relay-store.ts';
import { RelayBus } from './sync/feed-bus.ts';
import { VenueEngine } from './sync/venue-engine.ts';
import { Uplink } from './uplink/uplink.ts';

// The relay's process shell: the only file that reads env, touches the disk and binds a port.

const EXIT_CONFIG = 2;
const EXIT_FATAL = 70;
/** How often the resilience report's per-minute sample is read (it keeps the minute's peak). */
const RESILIENCE_SAMPLE_MS = 15_000;
// JSON lines through pino's asynchronous destination, flushed on every way out.
const { log } = processLogger();
const clock = () => new Date();
const VERSION = z.object({ version: z.string() }).catch({ version: '0.0.0-unknown' });
// A compiled binary has no package.json beside it: scripts/build-relay.mjs defines the version
// at build time (`--define`); `bun relay/main.ts` reads it from the repository's package.json.
declare const HEARTH_RELAY_VERSION: string | undefined;

const parsed = parseRelayConfig(withFlags(process.env, process.argv.slice(2)));
if (!parsed.ok) {
  for (const error of parsed.errors) console.error(`hearth relay: invalid configuration: ${error}`);
  process.exit(EXIT_CONFIG);
}
const config = parsed.config;
mkdirSync(config.dataDir, { recursive: true });
const version =
  typeof HEARTH_RELAY_VERSION === 'string'
    ? HEARTH_RELAY_VERSION
    : VERSION.parse(
        await Bun.file(new URL('../package.json', import.meta.url))
          .json()
          .catch(() => ({})),
      ).version;

let identity = readIdentity(config.dataDir);
if (!identity) {
  if (!config.enrollToken) {
    console.error(
      'hearth relay: not enrolled yet: set HEARTH_ENROLL_TOKEN (or --enroll-token) to the one-time token a manager created',
    );
    process.exit(EXIT_CONFIG);
  }
  identity = await enroll({
    cloudUrl: config.cloudUrl,
    enrollmentToken: config.enrollToken,
    now: clock,
  });
  writeIdentity(config.dataDir, identity);
  log('info', 'enrolled', { nodeId: identity.nodeId, venueId: identity.venueId });
} else if (identity.cloudUrl !== config.cloudUrl) {
  identity = { ...identity, cloudUrl: config.cloudUrl };
  writeIdentity(config.dataDir, identity);
}

const store = SqliteRelayStore.open(join(config.dataDir, 'relay.db'));
const bus = new RelayBus((error) =>
  log('error', 'fan-out listener failed', { error: String(error) }),
);
const fatal = (error: unknown) => {
  // Memory is ahead of disk after a failed commit: restart and reload from disk.
  log('error', 'commit failed; exiting so the service manager restarts the relay', {
    error: String(error),
  });
  process.exit(EXIT_FATAL);
};
const engine = new VenueEngine({
  store,
  bus,
  clock,
  tenantId: identity.tenantId,
  venueId: identity.venueId,
  onFatal: fatal,
});
const signer = createTokenSigner({
  privateKey: await importTokenSigningKey(identity.signingJwk),
  kid: relayKid(identity.nodeId),
});
const authenticator = new RelayLanAuthenticator(identity, clock);
const cursors = await createLanCursors(identity, () => engine.epoch);
const metrics = new RelayMetrics();
const checkpoints = new DeviceCheckpoints();
const resilience = new ResilienceRecorder(clock);
// Pages of the cloud's origin (the guest app) may open live sockets here too.
const live = createLanLiveRoute({
  store,
  bus,
  authenticator,
  cursors,
  log,
  metrics,
  allowedOrigins: [new URL(identity.cloudUrl).origin],
});

const uplink = new Uplink({
  identity,
  engine,
  store,
  signer,
  clock,
  log,
  version,
  ...(config.rescueUrl === undefined ? {} : { rescueUrl: config.rescueUrl }),
  rescueBudgetBytes: config.rescueBudgetBytes,
  connectivity: {
    rescue: { enabled: config.rescueUrl !== undefined, outageThresholdMs: config.rescueAfterMs },
  },
  probeIntervalMs: config.probeIntervalMs,
  heartbeatIntervalMs: config.heartbeatIntervalMs,
  connectedDevices: () => live.connectedCount(),
  devices: () => checkpoints.reports(lanHead(store)),
  onTransition: (transition) => resilience.noteConnectivity(transition.to, transition.at),
});
const status = () => {
  const { state } = uplink.status();
  return { connectivity: state.status, since: new Date(state.since).toISOString() };
};
{
  const now = status();
  resilience.noteConnectivity(now.connectivity, now.since);
}
// Several readings a minute: each minute's sample keeps the deepest queues seen in it. A failed
// read (the journal count) loses that reading only, never the process.
const sampleResilience = () => {
  try {
    resilience.sample(resilienceReading({ store, checkpoints, status }));
  } catch (error) {
    log('warn', 'resilience sample failed', { error: String(error) });
  }
};
sampleResilience();
const resilienceTimer = setInterval(sampleResilience, RESILIENCE_SAMPLE_MS);

const app = createLanApp({
  identity,
  signer,
  store,
  engine,
  gate: uplink,
  clock,
  authenticator,
  bus,
  cursors,
  checkpoints,
  maxBatchOps: 100,
  maxWaitSeconds: 30,
  version,
  log,
  metrics,
  status,
  resilience,
  live,
  webDir: config.webDir,
});

const server = Bun.serve({
  port: config.port,
  fetch: app.fetch,
  websocket: live.websocket,
  idleTimeout: 40,
  ...(config.tls
    ? { tls: { cert: Bun.file(config.tls.cert), key: Bun.file(config.tls.key) } }
    : {}),
});
if (!config.tls) {
  log(
    'warn',
    'serving plain HTTP: devices on other machines get no service worker (no outbox) without HTTPS; set HEARTH_TLS_CERT and HEARTH_TLS_KEY',
    {},
  );
}
await uplink.start();
log('info', 'relay listening', {
  port: server.port,
  venueId: identity.venueId,
  nodeId: identity.nodeId,
  tls: Boolean(config.tls),
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('info', 'relay stopping', { signal });
  uplink.stop();
  clearInterval(resilienceTimer);
  await server.stop(true);
  store.close();
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
