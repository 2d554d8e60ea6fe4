import type { RelayConnectivity } from '#protocol';
import { RELAY_CONNECTIVITY_STATES } from '#protocol/connectivity/relay-states.ts';

// The venue relay's `GET /healthz`, as a page reads it: the relay's own uplink to the cloud,
// and how much it holds that the cloud does not have yet. Checked here by hand (no zod on the
// page's first paint); anything that does not fit is no answer.

export const RELAY_UPLINK_STATES: readonly RelayConnectivity[] = RELAY_CONNECTIVITY_STATES;

/** What the relay says about its uplink (times in ms of the relay's clock). */
export interface RelayHealth {
  readonly uplink: RelayConnectivity;
  /** Since when the uplink has been in this state; null when the relay does not say. */
  readonly since: number | null;
  /** Ops the relay journaled that the cloud has not confirmed yet. */
  readonly journalDepth: number;
  /** When the oldest of them reached the relay; null when there is none. */
  readonly oldestUnsyncedAt: number | null;
}

const timeOf = (value: unknown): number | null | undefined => {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
};

/**
 * The relay's health from its `/healthz` body; null for anything else (the cloud's `/healthz`,
 * which has no `connectivity`, a proxy's page, a field out of shape).
 *
 * @example
 * parseRelayHealth({ status: 'ok', connectivity: 'offline_local',
 *   connectivitySince: '2026-11-23T19:40:00Z', journalDepth: 12, oldestUnsyncedAt: null });
 * // { uplink: 'offline_local', since: 1795…, journalDepth: 12, oldestUnsyncedAt: null }
 */
export function parseRelayHealth(body: unknown): RelayHealth | null {
  if (typeof body !== 'object' || body === null) return null;
  const { connectivity, connectivitySince, journalDepth, oldestUnsyncedAt } = body as Record<
    string,
    unknown
  >;
  const uplink = RELAY_UPLINK_STATES.find((state) => state === connectivity);
  const since = timeOf(connectivitySince);
  const oldest = timeOf(oldestUnsyncedAt);
  const depth = journalDepth ?? 0;
  if (!uplink || since === undefined || oldest === undefined) return null;
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 0) return null;
  return { uplink, since, journalDepth: depth, oldestUnsyncedAt: oldest };
}

/** `GET /healthz` on the page's origin (the relay, when it serves the app). Null on any failure. */
export async function fetchRelayHealth(
  fetch: typeof globalThis.fetch,
  url = '/healthz',
): Promise<RelayHealth | null> {
  try {
    const response = await fetch(url, {
      cache: 'no-store',
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
    if (!response.ok) return null;
    return parseRelayHealth(await response.json());
  } catch {
    return null;
  }
}
