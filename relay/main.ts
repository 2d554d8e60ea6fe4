import { mkdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createTokenSigner, importTokenSigningKey } from '#protocol';
import { processLogger } from '../server/logger.ts';
import { ProcessorClient } from '../server/payments/processor-client.ts';
import { parseRelayConfig, withFlags } from './config.ts';
import { enroll } from './identity/enroll.ts';
import { readIdentity, writeIdentity } from './identity/identity-file.ts';
import { relayKid } from './identity/relay-identity.ts';
import { DeviceCheckpoints, lanHead } from './lan/feed-routes.ts';
import { createLanApp } from './lan/lan-app.ts';
import { RelayLanAuthenticator } from './lan/lan-authenticator.ts';
import { createLanCursors } from './lan/lan-cursors.ts';
import { LanDevices } from './lan/lan-devices.ts';
import { createLanLiveRoute } from './lan/live-socket.ts';
import { RelayMetrics } from './lan/relay-metrics.ts';
import { ResilienceRecorder } from './lan/resilience-recorder.ts';
import { resilienceReading } from './lan/resilience-route.ts';
import { MdnsResponder } from './mdns/mdns-responder.ts';
import {
  createOnboardingApp,
  createTrustCheckApp,
  TRUST_CHECK_PATH,
} from './onboarding/onboarding-app.ts';
import { runPairCommand } from './pair.ts';
import { SqliteRelayStore } from './store/sqlite-relay-store.ts';
import { RelayBus } from './sync/feed-bus.ts';
import { VenueEngine } from './sync/venue-engine.ts';
import { TlsFileError } from './tls/cert-store.ts';
import {
  ensureVenueTls,
  lanSubjectNames,
  readOperatorPair,
  type ServedCertificate,
  type VenueTlsState,
} from './tls/relay-tls.ts';
import { assertPortFree, type ServeListener, TlsListener } from './tls/tls-listener.ts';
import { createTlsRotation, type LoadCertificate, watchFiles } from './tls/tls-rotation.ts';
import { caDownload, venueMdnsName } from './tls/venue-ca.ts';
import { Uplink } from './uplink/uplink.ts';

// The relay's process shell: the only file that reads env, touches the disk and binds a port.

const EXIT_CONFIG = 2;
const EXIT_FATAL = 70;
/** How often the resilience report's per-minute sample is read (it keeps the minute's peak). */
const RESILIENCE_SAMPLE_MS = 15_000;
/** How often the machine's addresses are compared with the venue certificate's names. */
const ADDRESS_POLL_MS = 60_000;
/** How long a charge waits for the reader and the processor before it is timed_out (asked again). */
const PROCESSOR_TIMEOUT_MS = 20_000;
// JSON lines through pino's asynchronous destination, flushed on every way out.
const { log, drain } = processLogger();
const clock = () => new Date();
const VERSION = z.object({ version: z.string() }).catch({ version: '0.0.0-unknown' });
// A compiled binary has no package.json beside it: scripts/build-relay.mjs defines the version
// at build time (`--define`); `bun relay/main.ts` reads it from the repository's package.json.
declare const HEARTH_RELAY_VERSION: string | undefined;

// `pair [--role floor|kitchen]`: print a setup pairing link and exit (relay/pair.ts).
if (process.argv[2] === 'pair')
  process.exit(await runPairCommand(process.argv.slice(3), process.env));

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
// The venue's paired devices (in what devices see): sign-in, revoked sessions, the device list.
const devices = new LanDevices({
  visible: () => engine.visible,
  bus,
  venueId: identity.venueId,
  clock,
});
const authenticator = new RelayLanAuthenticator(identity, clock, devices);
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
  devices,
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

// What /healthz says of TLS: the mode and the served certificate's expiry (set once serving).
let tlsStatus = (): { mode: string; notAfter: string | null } => ({
  mode: config.tls.mode,
  notAfter: null,
});
// Card payments while the uplink is down go to the processor from here (relay/payments).
const payments = config.processor && {
  port: new ProcessorClient({ url: config.processor.url, timeoutMs: PROCESSOR_TIMEOUT_MS }),
  reader: config.processor.reader,
};
const app = createLanApp({
  payments,
  identity,
  signer,
  store,
  engine,
  gate: uplink,
  clock,
  authenticator,
  devices,
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
  tls: () => tlsStatus(),
});

// HTTPS on the LAN (decision 033): the venue CA's certificate, or the operator's, checked
// again on a timer and on SIGHUP and swapped in without a restart; plain HTTP only if asked.
const tlsConfig = config.tls;
const currentNames = () =>
  lanSubjectNames(
    networkInterfaces(),
    identity.venueId,
    tlsConfig.mode === 'venue-ca' ? tlsConfig.extraNames : undefined,
  );
const fail = (message: string): never => {
  console.error(`hearth relay: ${message}`);
  process.exit(EXIT_CONFIG);
};
let venueTls: VenueTlsState | undefined;
let initialTls: ServedCertificate | undefined;
let loadTls: LoadCertificate | undefined;
if (tlsConfig.mode === 'venue-ca') {
  venueTls = await ensureVenueTls({
    dataDir: config.dataDir,
    venueId: identity.venueId,
    names: currentNames(),
    now: clock(),
  }).catch((error: unknown) => {
    // Incomplete files or a key others can read: a person must look (decision 030).
    if (error instanceof TlsFileError) return fail(`venue TLS: ${error.message}`);
    throw error;
  });
  initialTls = venueTls.served;
  const caFingerprint = venueTls.ca.fingerprint;
  log('info', 'tls venue certificate', {
    outcome: typeof venueTls.outcome === 'string' ? venueTls.outcome : 'reissued',
    reason: typeof venueTls.outcome === 'string' ? undefined : venueTls.outcome.reissued,
    serial: initialTls.serial,
    notAfter: initialTls.notAfter.toISOString(),
    caFingerprint,
  });
  loadTls = async () => {
    const next = await ensureVenueTls({
      dataDir: config.dataDir,
      venueId: identity.venueId,
      names: currentNames(),
      now: clock(),
    });
    // The CA devices trust and the onboarding page offers stays the one this process started with.
    if (next.ca.fingerprint !== caFingerprint)
      throw new Error('the venue CA on disk changed; restart the relay to serve the new one');
    return {
      served: next.served,
      reason: typeof next.outcome === 'string' ? next.outcome : next.outcome.reissued,
    };
  };
} else if (tlsConfig.mode === 'operator') {
  const paths = { cert: tlsConfig.cert, key: tlsConfig.key };
  try {
    initialTls = readOperatorPair(paths);
  } catch (error) {
    fail(`HEARTH_TLS_CERT/HEARTH_TLS_KEY: ${(error as Error).message}`);
  }
  log('info', 'tls operator certificate', {
    serial: initialTls?.serial,
    notAfter: initialTls?.notAfter.toISOString(),
  });
  loadTls = async () => ({ served: readOperatorPair(paths), reason: 'operator_files' });
} else {
  log(
    'warn',
    'serving plain HTTP (HEARTH_PLAIN_HTTP): offline use is off for devices other than localhost; browsers register no service worker (no outbox) without HTTPS',
    {},
  );
}

const onboardingPort = tlsConfig.mode === 'venue-ca' ? tlsConfig.onboardingPort : undefined;
const trustCheck =
  onboardingPort === undefined ? undefined : createTrustCheckApp({ onboardingPort });
const serveLan = ({ port, reusePort, tls }: Parameters<ServeListener<unknown>>[0]) =>
  Bun.serve({
    port,
    reusePort,
    fetch: (request, bunServer) =>
      trustCheck &&
      request.url.includes(TRUST_CHECK_PATH) &&
      new URL(request.url).pathname === TRUST_CHECK_PATH
        ? trustCheck.fetch(request)
        : app.fetch(request, bunServer),
    websocket: live.websocket,
    idleTimeout: 40,
    ...(tls ? { tls: { cert: tls.certPem, key: tls.keyPem } } : {}),
  });
// reusePort lets a swap bind beside the running listener; nothing else may share the port.
// Exit 1, not 2: whatever holds the port may let go, and the service manager tries again.
await assertPortFree(config.port).catch((error: unknown) => {
  console.error(`hearth relay: PORT ${config.port} is taken: ${(error as Error).message}`);
  process.exit(1);
});
const listener = TlsListener.start(serveLan, { port: config.port, tls: initialTls });
tlsStatus = () => ({
  mode: tlsConfig.mode,
  notAfter: listener.tls?.notAfter.toISOString() ?? null,
});

const stopTls: (() => void)[] = [];
if (loadTls !== undefined && tlsConfig.mode !== 'plain') {
  const rotation = createTlsRotation({ listener, load: loadTls, log });
  const timer = setInterval(() => void rotation.check('timer'), tlsConfig.checkIntervalMs);
  stopTls.push(() => clearInterval(timer));
  process.on('SIGHUP', () => void rotation.check('sighup'));
  if (tlsConfig.mode === 'venue-ca') {
    // A new LAN address (DHCP, another network) is covered within a minute, not a day.
    let lastNames = JSON.stringify(currentNames());
    const poll = setInterval(() => {
      const names = JSON.stringify(currentNames());
      if (names === lastNames) return;
      lastNames = names;
      void rotation.check('addresses');
    }, ADDRESS_POLL_MS);
    stopTls.push(() => clearInterval(poll));
  }
  if (tlsConfig.mode === 'operator')
    stopTls.push(watchFiles([tlsConfig.cert, tlsConfig.key], () => void rotation.check('files')));
} else {
  process.on('SIGHUP', () => log('info', 'SIGHUP: plain HTTP, no certificate to reload', {}));
}

let onboarding: ReturnType<typeof Bun.serve> | undefined;
if (venueTls !== undefined && onboardingPort !== undefined) {
  const names = currentNames();
  const lanHost = names.ipAddresses.find((a) => !a.includes(':') && a !== '127.0.0.1');
  const onboardingApp = createOnboardingApp({
    venueId: identity.venueId,
    ca: caDownload(venueTls.ca),
    httpsPort: listener.port,
    lanHost: lanHost ?? names.dnsNames[0] ?? 'localhost',
  });
  try {
    onboarding = Bun.serve({ port: onboardingPort, fetch: onboardingApp.fetch });
  } catch (error) {
    // The venue is served without it; devices can still get the CA file another way.
    log('error', 'onboarding page not served', {
      port: onboardingPort,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

// hearth-<venue>.local answered on the LAN (decision 035); its failures are logged, never fatal.
const mdns = config.mdns
  ? MdnsResponder.start({
      name: venueMdnsName(identity.venueId),
      interfaces: networkInterfaces,
      log,
    })
  : undefined;

await uplink.start();
log('info', 'relay listening', {
  port: listener.port,
  venueId: identity.venueId,
  nodeId: identity.nodeId,
  tls: tlsConfig.mode,
  url: `${listener.tls ? 'https' : 'http'}://localhost:${listener.port}/`,
  ...(onboarding ? { onboardingUrl: `http://localhost:${onboarding.port}/` } : {}),
  ...(mdns
    ? { lanUrl: `${listener.tls ? 'https' : 'http'}://${mdns.name}:${listener.port}/` }
    : {}),
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('info', 'relay stopping', { signal });
  uplink.stop();
  clearInterval(resilienceTimer);
  for (const stop of stopTls) stop();
  await Promise.all([listener.stop(true), onboarding?.stop(true), mdns?.stop()]);
  store.close();
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
