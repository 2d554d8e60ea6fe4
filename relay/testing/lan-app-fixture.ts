import { memoryLogger } from '../../server/logger.ts';
import { NOW } from '../../tests/protocol/support/venue-fixture.ts';
import { DeviceCheckpoints } from '../lan/feed-routes.ts';
import { createLanApp } from '../lan/lan-app.ts';
import { RelayLanAuthenticator } from '../lan/lan-authenticator.ts';
import { createLanCursors } from '../lan/lan-cursors.ts';
import { RelayMetrics } from '../lan/relay-metrics.ts';
import { MemoryRelayStore } from '../store/memory-relay-store.ts';
import { RelayBus } from '../sync/feed-bus.ts';
import type { UplinkGate } from '../uplink/uplink-gate.ts';
import {
  bootstrappedEngine,
  lanDevices,
  offlineGate,
  pairDevice,
  staffWithPins,
  testRelayKeys,
} from './lan-fixture.ts';

// The relay's LAN app over a memory store, offline, with one manager (PIN 3333) and one paired
// tablet (its credential in `tablet.headers`): for tests of its routes over HTTP (app.request),
// without a process.

/** A memory store whose journal counts can be made to fail. */
export class FlakyStore extends MemoryRelayStore {
  failDepth = false;
  override journalDepth() {
    if (this.failDepth) throw new Error('disk on fire');
    return super.journalDepth();
  }
}

/**
 * The LAN app, offline unless `gate` says otherwise, over a fresh store and engine; `webDir`
 * serves PWA files.
 */
export async function makeRelay(options: { webDir?: string; gate?: UplinkGate } = {}) {
  const { identity, signer } = await testRelayKeys;
  const store = new FlakyStore();
  const bus = new RelayBus();
  const clock = () => new Date(NOW);
  const engine = await bootstrappedEngine(store, bus, clock);
  store.replaceStaff(
    await staffWithPins(identity, [
      { memberId: 'manager-1', name: 'Mia', role: 'manager', pin: '3333' },
    ]),
  );
  const devices = lanDevices(engine, bus, clock);
  const tablet = await pairDevice(engine);
  const checkpoints = new DeviceCheckpoints();
  const { log, lines: logLines } = memoryLogger();
  const app = createLanApp({
    identity,
    signer,
    store,
    engine,
    bus,
    gate: offlineGate,
    clock,
    authenticator: new RelayLanAuthenticator(identity, clock, devices),
    devices,
    cursors: await createLanCursors(identity, () => store.load().epoch),
    checkpoints,
    maxBatchOps: 100,
    maxWaitSeconds: 30,
    version: '1.2.3-test',
    log,
    metrics: new RelayMetrics(),
    status: () => ({ connectivity: 'offline_local', since: NOW }),
    ...options,
  });
  return { app, store, engine, bus, devices, tablet, checkpoints, logLines };
}

export type Relay = Awaited<ReturnType<typeof makeRelay>>;
