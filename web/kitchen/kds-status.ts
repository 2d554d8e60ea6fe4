import type { ResilienceView } from '../app/resilience-state.ts';
import { formatClock, formatDuration, relayLineOf } from '../app/resilience-text.ts';

/*
 * The kitchen display's connection line, pure: where its tickets come from (live through the
 * venue relay, live through the cloud, or its cached copy, since when), how many of its own
 * actions wait, and the alarm a cook notices from two metres when nothing has been heard for
 * SILENCE_ALARM_MS — never "up to date" over an empty screen while orders wait somewhere else.
 * The feed's heartbeats (every 15 s) keep `lastSyncAt` fresh through a quiet spell.
 */

export const SILENCE_ALARM_MS = 30_000;

export type KdsTone = 'live' | 'warn' | 'alarm';

export interface KdsStatus {
  readonly tone: KdsTone;
  /** "Live via the venue relay", "Cached copy — offline since 19:42". */
  readonly headline: string;
  readonly details: readonly string[];
  /** Shown big and red across the screen when set. */
  readonly alarm: string | null;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/**
 * @param view the device's resilience view (`ResilienceController.view`)
 * @param now device time, ms
 * @param openedAt when the display started listening (a display that never heard anything
 *   alarms 30 s after it opened)
 * @param since when the display's connection last changed (live → cached and back), if known
 */
export function kdsStatusOf(
  view: ResilienceView,
  now: number,
  openedAt: number,
  clock: (ms: number) => string = (ms) => formatClock(ms, now),
  since: number | null = null,
): KdsStatus {
  const heardAt = view.lastSyncAt;
  const silentMs = now - (heardAt ?? openedAt);
  const details: string[] = [];
  if (view.outboxDepth !== null && view.outboxDepth > 0) {
    details.push(`${plural(view.outboxDepth, 'action', 'actions')} of this screen waiting to send`);
  }
  if (view.failedOps > 0) {
    details.push(`${plural(view.failedOps, 'action', 'actions')} refused — see the list`);
  }
  const relay = relayLineOf(view, clock);
  if (relay) details.push(relay);

  let tone: KdsTone;
  let headline: string;
  const lastHeard = heardAt === null ? 'nothing received yet' : `last update ${clock(heardAt)}`;
  const liveSince = since === null ? '' : ` since ${clock(since)}`;
  if (view.mode === 'connected' && view.target === 'relay') {
    tone = view.relay && view.relay.uplink !== 'online' ? 'warn' : 'live';
    headline = `Live via the venue relay${liveSince}`;
  } else if (view.mode === 'connected') {
    tone = 'live';
    headline = `Live via the cloud${liveSince}`;
  } else if (view.mode === 'replaying') {
    tone = 'warn';
    headline = view.replay
      ? `Sending this screen’s actions: ${view.replay.sent} of ${view.replay.total}`
      : 'Sending this screen’s actions…';
  } else {
    tone = 'warn';
    headline = `Cached copy — ${lastHeard}`;
  }

  const alarm =
    silentMs >= SILENCE_ALARM_MS
      ? heardAt === null
        ? `NO TICKETS RECEIVED for ${formatDuration(silentMs)} — this screen may be missing orders. Check the network.`
        : `NO UPDATES for ${formatDuration(silentMs)} (since ${clock(heardAt)}) — new orders may not be showing. Check the network.`
      : null;
  return { tone: alarm ? 'alarm' : tone, headline, details, alarm };
}
