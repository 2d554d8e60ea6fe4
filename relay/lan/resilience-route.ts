import type { Hono } from 'hono';
import type { RelayConnectivity, ResilienceReport } from '#protocol';
import { activityOf } from '../connectivity/connectivity-machine.ts';
import type { RelayIdentity } from '../identity/relay-identity.ts';
import type { RelayStore } from '../store/relay-store.ts';
import type { VenueEngine } from '../sync/venue-engine.ts';
import { type DeviceCheckpoints, lanHead } from './feed-routes.ts';
import {
  forbidOtherVenue,
  forbidUnlessStaff,
  type LanAuthenticator,
  type LanEnv,
  requireLanCaller,
} from './lan-caller.ts';
import type { ResilienceReading, ResilienceRecorder } from './resilience-recorder.ts';

export interface LanResilienceDeps {
  readonly identity: RelayIdentity;
  readonly store: RelayStore;
  readonly engine: VenueEngine;
  readonly authenticator: LanAuthenticator;
  readonly checkpoints: DeviceCheckpoints;
  readonly clock: () => Date;
  /** The uplink's state now and since when (ISO), as `/healthz` shows it. */
  readonly status: () => { readonly connectivity: RelayConnectivity; readonly since?: string };
  readonly resilience: ResilienceRecorder;
}

/** What the relay's queues are now: the reading its recorder samples once a minute or more. */
export function resilienceReading(
  deps: Pick<LanResilienceDeps, 'store' | 'checkpoints' | 'status'>,
): ResilienceReading {
  let outboxDepth = 0;
  for (const { checkpoint } of deps.checkpoints.list()) outboxDepth += checkpoint.outboxDepth;
  return {
    journalDepth: deps.store.journalDepth().pending,
    outboxDepth,
    replaying: activityOf(deps.status().connectivity).replay !== 'none',
  };
}

/**
 * `GET /v1/venues/:venueId/resilience` on the LAN (manager and owner): the cloud's report, built
 * from what this relay knows, so a manager's tablet sees the venue's posture while the cloud
 * is out of reach. Positions are the relay's: `journalHead` is its LAN stream's head, the one
 * node is this relay (`ackedSeq` the cloud's stream as far as it holds it, `lag` its journaled
 * ops the cloud has not accepted yet), and devices report through it.
 */
export function registerLanResilienceRoute(app: Hono<LanEnv>, deps: LanResilienceDeps): void {
  const auth = requireLanCaller(deps.authenticator);

  app.get('/v1/venues/:venueId/resilience', auth, (c) => {
    const denied = forbidOtherVenue(c) ?? forbidUnlessStaff(c, ['manager', 'owner']);
    if (denied) return denied;
    const status = deps.status();
    // The recorder may not have heard of the state the uplink is in now.
    deps.resilience.noteConnectivity(status.connectivity, status.since);
    const head = lanHead(deps.store);
    const nodeId = deps.identity.nodeId;
    const report: ResilienceReport = {
      venueId: deps.identity.venueId,
      journalHead: head,
      at: deps.clock().toISOString(),
      nodes: [
        {
          nodeId,
          // The relay is not told the name a manager gave it when creating the node.
          name: nodeId,
          status: 'active',
          ackedSeq: deps.engine.cloudPosition.seq,
          lag: deps.store.journalDepth().pending,
          lastSeenAt: deps.clock().toISOString(),
          // Heartbeats are what the cloud received; the relay's own view is below.
          heartbeat: null,
        },
      ],
      devices: deps.checkpoints.list().map(({ deviceId, checkpoint }) => ({
        deviceId,
        seq: checkpoint.seq,
        lag: Math.max(0, head - checkpoint.seq),
        outboxDepth: checkpoint.outboxDepth,
        oldestPendingAt: checkpoint.oldestPendingAt,
        failedOps: checkpoint.failedOps,
        updatedAt: checkpoint.updatedAt,
        via: nodeId,
      })),
      samples: deps.resilience.samples(),
    };
    const connectivity = deps.resilience.connectivity();
    if (connectivity) report.connectivity = connectivity;
    c.header('Cache-Control', 'no-store');
    return c.json(report);
  });
}
