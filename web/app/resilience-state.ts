import type { DeviceConnectivity } from '#protocol';
import type { Broadcast } from '../device/messages.ts';
import type { RelayHealth } from './relay-health.ts';

// What the resilience banner shows, as a pure function of what the page has heard (channel
// broadcasts, the browser's online flag, the outbox summary) and the time now.
//
//   navigator offline ──────────────────────────────▶ offline (cached)
//   replay-progress sent < total (fresh) ───────────▶ replaying n of m
//   connectivity connected_relay | connected_cloud ─▶ connected (relay | cloud)
//   connectivity degraded | offline | replaying ────▶ degraded | offline | replaying
//   nothing heard yet ──────────────────────────────▶ connecting
//
// Beside the mode, the venue relay's own uplink (its `/healthz`: online, degraded,
// offline_local, rescue_uplink, reconciling, recovered; since when; how many ops the cloud
// lacks), shown while the device's target is the relay, the mode is not offline, and the
// relay answered within RELAY_HEALTH_STALE_MS. "Connected to the venue relay" says nothing
// about the cloud: this does.

/** What the device's outbox holds, as its store reports it. */
export interface OutboxSummary {
  /** Ops not yet settled by the target (pending or in flight). */
  readonly depth: number;
  /** Device time (ms) the oldest of them was made; null when there are none. */
  readonly oldestPendingAt: number | null;
  /** Ops the target rejected, waiting for the user to retry or discard. */
  readonly failedOps: number;
}

export interface ResilienceInputs {
  readonly online: boolean;
  readonly connectivity: {
    readonly state: DeviceConnectivity;
    readonly target: 'relay' | 'cloud' | null;
    /** When it was heard (ms). */
    readonly at: number;
  } | null;
  readonly replay: { readonly sent: number; readonly total: number; readonly at: number } | null;
  /** The latest successful sync (ms): reported by the service worker, or seen on the channel. */
  readonly lastSyncAt: number | null;
  readonly outbox: OutboxSummary | null;
  /** The relay's last `/healthz` answer, and when it was heard (ms). */
  readonly relay: { readonly health: RelayHealth; readonly at: number } | null;
}

export const INITIAL_INPUTS: ResilienceInputs = {
  online: true,
  connectivity: null,
  replay: null,
  lastSyncAt: null,
  outbox: null,
  relay: null,
};

export const RESILIENCE_MODES = [
  'connecting',
  'connected',
  'degraded',
  'offline',
  'replaying',
] as const;
export type ResilienceMode = (typeof RESILIENCE_MODES)[number];

/** Everything a screen needs to render the device's resilience, ages already computed. */
export interface ResilienceView {
  readonly mode: ResilienceMode;
  readonly target: 'relay' | 'cloud' | null;
  /** Progress of the replay under way (mode `replaying`), when the worker reported numbers. */
  readonly replay: { readonly sent: number; readonly total: number } | null;
  readonly lastSyncAt: number | null;
  /** ms since the last successful sync. */
  readonly sinceSyncMs: number | null;
  /** Ops waiting to be sent; null when unknown (no outbox report yet). */
  readonly outboxDepth: number | null;
  readonly oldestPendingAt: number | null;
  /** ms the oldest pending op has waited. */
  readonly oldestPendingMs: number | null;
  readonly failedOps: number;
  /**
   * The venue relay's uplink to the cloud, while the device's target is the relay and the
   * relay's answer is fresh; null otherwise (not on the relay, offline, or not heard lately).
   */
  readonly relay: RelayHealth | null;
}

/** A replay that reported no progress for this long is over (its worker was stopped). */
export const REPLAY_STALE_MS = 60_000;

/**
 * A relay health answer older than this is not shown (four missed polls of 5 s): what the
 * relay said then about its uplink may no longer hold.
 */
export const RELAY_HEALTH_STALE_MS = 20_000;

const latest = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.max(a, b);

/**
 * The inputs after one channel broadcast heard at `now`.
 *
 * @example
 * let inputs = INITIAL_INPUTS;
 * inputs = applyBroadcast(inputs, { type: 'replay-progress', sent: 2, total: 5 }, Date.now());
 * deriveResilience(inputs, Date.now()).mode; // 'replaying'
 */
export function applyBroadcast(
  inputs: ResilienceInputs,
  message: Broadcast,
  now: number,
): ResilienceInputs {
  switch (message.type) {
    case 'connectivity':
      return {
        ...inputs,
        connectivity: { state: message.state, target: message.target, at: now },
        lastSyncAt: latest(inputs.lastSyncAt, message.lastSyncAt),
      };
    case 'replay-progress': {
      // A finished replay is a successful sync: everything this device had was delivered.
      const finished = message.total > 0 && message.sent >= message.total;
      return {
        ...inputs,
        replay: { sent: message.sent, total: message.total, at: now },
        lastSyncAt: finished ? latest(inputs.lastSyncAt, now) : inputs.lastSyncAt,
      };
    }
    case 'entities-changed':
      // The hydrator applied feed entries: the device just read from its target.
      return { ...inputs, lastSyncAt: latest(inputs.lastSyncAt, now) };
    case 'outbox-changed':
      // Carries no numbers: the controller re-reads the outbox and calls withOutbox.
      return inputs;
    case 'signed-out':
    case 'device-revoked':
      return inputs;
  }
}

export function withOnline(inputs: ResilienceInputs, online: boolean): ResilienceInputs {
  return inputs.online === online ? inputs : { ...inputs, online };
}

/** A sync the page learnt of another way (the cache's meta after a reload). */
export function withLastSync(inputs: ResilienceInputs, at: number | null): ResilienceInputs {
  const lastSyncAt = latest(inputs.lastSyncAt, at);
  return lastSyncAt === inputs.lastSyncAt ? inputs : { ...inputs, lastSyncAt };
}

export function withOutbox(inputs: ResilienceInputs, outbox: OutboxSummary): ResilienceInputs {
  return { ...inputs, outbox };
}

/**
 * The relay's `/healthz` answer heard at `now`. No answer (null: unreachable, not a relay)
 * changes nothing: the last one goes stale after RELAY_HEALTH_STALE_MS.
 */
export function withRelayHealth(
  inputs: ResilienceInputs,
  health: RelayHealth | null,
  now: number,
): ResilienceInputs {
  return health === null ? inputs : { ...inputs, relay: { health, at: now } };
}

function modeOf(inputs: ResilienceInputs, replaying: boolean): ResilienceMode {
  if (!inputs.online) return 'offline';
  if (replaying) return 'replaying';
  switch (inputs.connectivity?.state) {
    case undefined:
      return 'connecting';
    case 'connected_relay':
    case 'connected_cloud':
      return 'connected';
    case 'degraded':
      return 'degraded';
    case 'offline':
      return 'offline';
    case 'replaying':
      return 'replaying';
  }
}

/** The view of the inputs at `now`. Pure: the same inputs and time give the same view. */
export function deriveResilience(inputs: ResilienceInputs, now: number): ResilienceView {
  const replay = inputs.replay;
  const replaying =
    replay !== null && replay.sent < replay.total && now - replay.at < REPLAY_STALE_MS;
  const mode = modeOf(inputs, replaying);
  const connectivity = inputs.connectivity;
  const target =
    connectivity?.state === 'connected_relay'
      ? 'relay'
      : connectivity?.state === 'connected_cloud'
        ? 'cloud'
        : (connectivity?.target ?? null);
  const outboxDepth =
    inputs.outbox?.depth ?? (replaying && replay ? replay.total - replay.sent : null);
  const oldestPendingAt = inputs.outbox?.oldestPendingAt ?? null;
  const shownTarget = mode === 'offline' ? null : target;
  const relay = inputs.relay;
  return {
    mode,
    target: shownTarget,
    replay:
      mode === 'replaying' && replaying && replay
        ? { sent: replay.sent, total: replay.total }
        : null,
    lastSyncAt: inputs.lastSyncAt,
    sinceSyncMs: inputs.lastSyncAt === null ? null : Math.max(0, now - inputs.lastSyncAt),
    outboxDepth,
    oldestPendingAt,
    oldestPendingMs: oldestPendingAt === null ? null : Math.max(0, now - oldestPendingAt),
    failedOps: inputs.outbox?.failedOps ?? 0,
    relay:
      shownTarget === 'relay' && relay !== null && now - relay.at < RELAY_HEALTH_STALE_MS
        ? relay.health
        : null,
  };
}
