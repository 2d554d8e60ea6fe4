import type { RelayConnectivity } from '#protocol';
import type { ResilienceView } from './resilience-state.ts';

// The words of the resilience banner, apart from its markup so they can be checked as text.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A duration as people say it: "12 s", "2 min", "3 h", "2 days".
 *
 * @example
 * formatDuration(125_000); // '2 min'
 */
export function formatDuration(ms: number): string {
  if (ms < MINUTE) return `${Math.max(0, Math.floor(ms / SECOND))} s`;
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min`;
  if (ms < 2 * DAY) return `${Math.floor(ms / HOUR)} h`;
  return `${Math.floor(ms / DAY)} days`;
}

/** "just now" under five seconds, else "2 min ago". */
export function formatAgo(ms: number): string {
  return ms < 5 * SECOND ? 'just now' : `${formatDuration(ms)} ago`;
}

export function headlineOf(view: ResilienceView): string {
  switch (view.mode) {
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      return view.target === 'relay'
        ? 'Connected to the venue relay'
        : view.target === 'cloud'
          ? 'Connected to the cloud'
          : 'Connected';
    case 'degraded':
      return 'Connection degraded — changes are kept on this device';
    case 'offline':
      return 'Offline — showing cached data';
    case 'replaying':
      return view.replay
        ? `Sending changes: ${view.replay.sent} of ${view.replay.total}`
        : 'Sending changes…';
  }
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** The secondary facts: last sync, what waits in the outbox, what failed. */
export function detailsOf(view: ResilienceView): string[] {
  const details = [
    view.sinceSyncMs === null ? 'Not synced yet' : `Last sync ${formatAgo(view.sinceSyncMs)}`,
  ];
  if (view.outboxDepth !== null && view.outboxDepth > 0) {
    const waiting = `${plural(view.outboxDepth, 'change', 'changes')} waiting`;
    details.push(
      view.oldestPendingMs === null
        ? waiting
        : `${waiting}, oldest ${formatDuration(view.oldestPendingMs)}`,
    );
  }
  if (view.failedOps > 0) details.push(`${plural(view.failedOps, 'change', 'changes')} failed`);
  return details;
}

/**
 * A time of day as this device says it ("19:40"), with the date when it is not today's. The
 * relay's clock, shown on the device's: fine for display.
 */
export function formatClock(ms: number, now: number = Date.now()): string {
  const at = new Date(ms);
  const sameDay = at.toDateString() === new Date(now).toDateString();
  return sameDay
    ? at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : at.toLocaleString(undefined, {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      });
}

/** The relay's uplink, in words. */
export const UPLINK_TEXT: Readonly<Record<RelayConnectivity, string>> = {
  online: 'online with the cloud',
  degraded: 'connection to the cloud degraded',
  offline_local: 'offline from cloud',
  rescue_uplink: 'reaching the cloud over its rescue uplink',
  reconciling: 'sending the venue’s changes to the cloud',
  recovered: 'back online with the cloud',
};

/**
 * The venue relay's uplink, for every screen on the relay: "Venue relay: offline from cloud
 * since 19:40 · 12 changes not in the cloud yet". Null when the view has none (not on the
 * relay, offline, or the relay not heard lately).
 */
export function relayLineOf(
  view: ResilienceView,
  clock: (ms: number) => string = (ms) => formatClock(ms),
): string | null {
  const relay = view.relay;
  if (!relay) return null;
  const since =
    relay.since !== null && relay.uplink !== 'online' ? ` since ${clock(relay.since)}` : '';
  const waiting =
    relay.journalDepth > 0
      ? ` · ${plural(relay.journalDepth, 'change', 'changes')} not in the cloud yet`
      : '';
  return `Venue relay: ${UPLINK_TEXT[relay.uplink]}${since}${waiting}`;
}
