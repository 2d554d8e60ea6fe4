import type { ResilienceReport } from '#protocol';
import { formatClock, formatDuration } from '../app/resilience-text.ts';

/*
 * What the manager's resilience view shows, pure: the venue's connection to the cloud now and
 * before, the journal the cloud has not confirmed yet, each relay and each staff device with
 * what it holds, and the depth samples the chart draws, all in words a manager reads at a
 * glance. Times come from the report; ages are measured against the device's `now`.
 */

/** One connectivity state and since when (ISO time). */
export interface ConnectivityPoint {
  readonly state: string;
  readonly at: string;
}

/** A minute of the venue's queues, as the report samples them. */
export interface ResilienceSample {
  readonly at: string;
  readonly journalDepth: number;
  readonly outboxDepth: number;
  readonly replaying: boolean;
}

/** The report with the two fields newer clouds add (absent from older ones). */
export type ResilienceReportView = ResilienceReport & {
  connectivity?: { state: string; since: string; history: { state: string; at: string }[] };
  samples?: { at: string; journalDepth: number; outboxDepth: number; replaying: boolean }[];
};

/** Names to show for ids: staff by member id, devices by device id. */
export type NameBook = ReadonlyMap<string, string>;

/** How a time of day is written ("19:40"); tests pass a fixed one. */
export type ClockText = (ms: number) => string;

/** A relay that has not been heard for this long is flagged (heartbeats come every 15 s). */
export const NODE_STALE_MS = 60_000;
/** A device whose checkpoint is older than this is flagged (they report every minute). */
export const DEVICE_STALE_MS = 5 * 60_000;
/** How far back the chart looks. */
export const CHART_WINDOW_MS = 3 * 60 * 60_000;

const ms = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const value = Date.parse(iso);
  return Number.isNaN(value) ? null : value;
};

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** The venue's link to the cloud in words, for "… since 19:40". */
const STATE_WORDS: Readonly<Record<string, string>> = {
  online: 'Online with the cloud',
  degraded: 'Connection to the cloud unreliable',
  offline_local: 'Offline from the cloud',
  offline: 'Offline from the cloud',
  rescue_uplink: 'Reaching the cloud over the backup connection',
  reconciling: 'Sending the venue’s changes to the cloud',
  recovered: 'Back online with the cloud',
};

/** A state the view does not know is still shown, readably ("some_state" → "Some state"). */
export function stateWords(state: string): string {
  const known = STATE_WORDS[state];
  if (known) return known;
  const plain = state.replace(/_/g, ' ').trim();
  return plain ? plain[0]?.toUpperCase() + plain.slice(1) : 'Unknown';
}

/** Whether the state means the cloud is not getting the venue's changes right now. */
export const isTrouble = (state: string): boolean =>
  state === 'offline_local' || state === 'offline' || state === 'degraded';

/** An age as a manager says it: "just now" under a minute, else "12 min", "3 h". */
export function ageWords(ageMs: number): string {
  return ageMs < 60_000 ? 'just now' : formatDuration(ageMs);
}

/** "Never", "just now", or "19:40 (12 min ago)". */
const lastSeen = (at: number | null, now: number, clock: ClockText): string =>
  at === null
    ? 'Never'
    : now - at < 60_000
      ? 'just now'
      : `${clock(at)} (${formatDuration(now - at)} ago)`;

export interface ConnectivityRow {
  readonly state: string;
  readonly text: string;
  readonly at: number;
  readonly atText: string;
  /** How long it lasted ("12 min"), or "now" for the current one. */
  readonly forText: string;
  readonly trouble: boolean;
}

export interface ConnectivityView {
  /** "Offline from the cloud since 19:40 (12 min)"; null when the report has no connectivity. */
  readonly headline: string | null;
  readonly trouble: boolean;
  /** Newest first. */
  readonly history: readonly ConnectivityRow[];
}

/** The venue's connection now and before, newest first. */
export function connectivityOf(
  report: ResilienceReportView | null,
  now: number,
  clock: ClockText = (t) => formatClock(t, now),
): ConnectivityView {
  const c = report?.connectivity;
  if (!c) return { headline: null, trouble: false, history: [] };
  const since = ms(c.since);
  const headline =
    since === null
      ? stateWords(c.state)
      : `${stateWords(c.state)} since ${clock(since)} (${ageWords(now - since)})`;
  const points = c.history
    .map((p) => ({ state: p.state, at: ms(p.at) }))
    .filter((p): p is { state: string; at: number } => p.at !== null)
    .sort((a, b) => a.at - b.at);
  const rows = points.map((p, i) => {
    const next = points[i + 1];
    return {
      state: p.state,
      text: stateWords(p.state),
      at: p.at,
      atText: clock(p.at),
      forText: next ? formatDuration(next.at - p.at) : `now (${ageWords(now - p.at)})`,
      trouble: isTrouble(p.state),
    };
  });
  return { headline, trouble: isTrouble(c.state), history: rows.reverse() };
}

export interface JournalView {
  readonly head: number;
  /** Ops journaled at the venue that the cloud has not confirmed (every relay's). */
  readonly notInCloud: number;
  readonly oldestText: string | null;
  /** "All the venue’s changes are in the cloud" or "12 changes not in the cloud yet, oldest 19:40 (8 min)". */
  readonly summary: string;
  readonly reportAtText: string;
}

/** The cloud's journal head, and what the venue's relays hold that the cloud does not. */
export function journalOf(
  report: ResilienceReportView,
  now: number,
  clock: ClockText = (t) => formatClock(t, now),
): JournalView {
  const beats = report.nodes.flatMap((n) => (n.heartbeat ? [n.heartbeat] : []));
  const notInCloud = beats.reduce((sum, b) => sum + b.journalDepth, 0);
  const oldest = beats
    .map((b) => ms(b.oldestUnsyncedAt))
    .filter((t): t is number => t !== null)
    .reduce<number | null>((min, t) => (min === null || t < min ? t : min), null);
  const oldestText = oldest === null ? null : `${clock(oldest)} (${ageWords(now - oldest)})`;
  const summary =
    notInCloud === 0
      ? 'All the venue’s changes are in the cloud'
      : `${plural(notInCloud, 'change', 'changes')} not in the cloud yet${oldestText ? `, oldest from ${oldestText}` : ''}`;
  const at = ms(report.at);
  return {
    head: report.journalHead,
    notInCloud,
    oldestText,
    summary,
    reportAtText: lastSeen(at, now, clock),
  };
}

export interface NodeRow {
  readonly nodeId: string;
  readonly name: string;
  readonly statusText: string;
  readonly ackedSeq: number;
  /** "Up to date" or "12 entries behind". */
  readonly lagText: string;
  readonly lastSeenText: string;
  /** The relay's own link to the cloud, from its last heartbeat. */
  readonly uplinkText: string;
  readonly notInCloud: number;
  readonly stale: boolean;
}

const NODE_STATUS: Readonly<Record<string, string>> = {
  pending: 'Not set up yet',
  active: 'Active',
  revoked: 'Removed',
};

/** Each relay: what the cloud sent it, how far behind it is, when it was last heard. */
export function nodeRowsOf(
  report: ResilienceReportView,
  now: number,
  clock: ClockText = (t) => formatClock(t, now),
): NodeRow[] {
  return report.nodes.map((n) => {
    const seen = ms(n.lastSeenAt);
    return {
      nodeId: n.nodeId,
      name: n.name,
      statusText: NODE_STATUS[n.status] ?? n.status,
      ackedSeq: n.ackedSeq,
      lagText: n.lag === 0 ? 'Up to date' : `${plural(n.lag, 'entry', 'entries')} behind`,
      lastSeenText: lastSeen(seen, now, clock),
      uplinkText: n.heartbeat ? stateWords(n.heartbeat.connectivity) : 'No report yet',
      notInCloud: n.heartbeat?.journalDepth ?? 0,
      // A removed relay is expected to be silent.
      stale: n.status === 'active' && (seen === null || now - seen > NODE_STALE_MS),
    };
  });
}

export interface DeviceRow {
  readonly deviceId: string;
  readonly name: string;
  /** "Venue relay “Bar”" or "Cloud". */
  readonly viaText: string;
  readonly outboxDepth: number;
  readonly oldestText: string;
  readonly failedOps: number;
  readonly lastHeardText: string;
  readonly stale: boolean;
  /** Something to look at: failures, ops waiting over a minute, or silent. */
  readonly attention: boolean;
}

/** A device id shortened for people when no name is known ("…7F3A"). */
const shortId = (id: string): string =>
  id.length > 8 ? `Device …${id.slice(-4)}` : `Device ${id}`;

/** Each staff device's outbox, devices that need a look first, then by name. */
export function deviceRowsOf(
  report: ResilienceReportView,
  now: number,
  names: NameBook = new Map(),
  clock: ClockText = (t) => formatClock(t, now),
): DeviceRow[] {
  const nodeNames = new Map(report.nodes.map((n) => [n.nodeId, n.name]));
  const rows = report.devices.map((d) => {
    const heard = ms(d.updatedAt);
    const oldest = ms(d.oldestPendingAt);
    const stale = heard === null || now - heard > DEVICE_STALE_MS;
    const waitingLong = oldest !== null && now - oldest > 60_000;
    return {
      deviceId: d.deviceId,
      name: names.get(d.deviceId) ?? shortId(d.deviceId),
      viaText: d.via === null ? 'Cloud' : `Relay ${nodeNames.get(d.via) ?? d.via}`,
      outboxDepth: d.outboxDepth,
      oldestText: oldest === null || d.outboxDepth === 0 ? '—' : ageWords(now - oldest),
      failedOps: d.failedOps,
      lastHeardText: lastSeen(heard, now, clock),
      stale,
      attention: stale || d.failedOps > 0 || waitingLong,
    };
  });
  return rows.sort(
    (a, b) =>
      Number(b.attention) - Number(a.attention) ||
      b.failedOps - a.failedOps ||
      b.outboxDepth - a.outboxDepth ||
      a.name.localeCompare(b.name),
  );
}

export interface ChartData {
  /** Seconds since the epoch (uPlot's time scale). */
  readonly xs: number[];
  readonly outbox: number[];
  readonly journal: number[];
  /** Replaying stretches, [from, to] in seconds. */
  readonly replaying: [number, number][];
}

/** The samples of the last `windowMs` before `now`, oldest first, as the chart's columns. */
export function chartDataOf(
  samples: readonly ResilienceSample[] | undefined,
  now: number,
  windowMs = CHART_WINDOW_MS,
): ChartData {
  const kept = (samples ?? [])
    .map((s) => ({ ...s, t: ms(s.at) }))
    .filter((s): s is ResilienceSample & { t: number } => s.t !== null && s.t >= now - windowMs)
    .sort((a, b) => a.t - b.t);
  const replaying: [number, number][] = [];
  let from: number | null = null;
  kept.forEach((s, i) => {
    if (!s.replaying) return;
    from ??= s.t / 1000;
    const next = kept[i + 1];
    if (next?.replaying) return;
    // A stretch covers its last sample's minute: it ends at the next sample, or at the last one.
    replaying.push([from, (next ?? s).t / 1000]);
    from = null;
  });
  return {
    xs: kept.map((s) => s.t / 1000),
    outbox: kept.map((s) => s.outboxDepth),
    journal: kept.map((s) => s.journalDepth),
    replaying,
  };
}

/** One series in words: "Peak 42 waiting at 19:48; back to 0 at 19:53" (or "still 3 now"). */
function seriesWords(xs: readonly number[], ys: readonly number[], clock: ClockText): string {
  let peak = 0;
  let peakAt = -1;
  ys.forEach((y, i) => {
    if (y > peak) {
      peak = y;
      peakAt = i;
    }
  });
  if (peakAt === -1) return 'none waiting';
  const at = (i: number) => clock((xs[i] ?? 0) * 1000);
  const afterPeak = ys.findIndex((y, i) => i > peakAt && y === 0);
  const last = ys[ys.length - 1] ?? 0;
  const end =
    afterPeak !== -1 && last === 0
      ? `back to 0 at ${at(afterPeak)}`
      : last === 0
        ? 'back to 0'
        : `${last} still waiting`;
  return `peak ${peak} at ${at(peakAt)}; ${end}`;
}

/** The chart in words, for screen readers and anyone who prefers them. */
export function chartSummaryOf(data: ChartData, clock: ClockText): string {
  if (data.xs.length === 0) return 'No samples from the last 3 hours yet.';
  const replay = data.replaying.map(([from, to]) => `${clock(from * 1000)}–${clock(to * 1000)}`);
  return [
    `Ops waiting on devices: ${seriesWords(data.xs, data.outbox, clock)}.`,
    `Changes not in the cloud: ${seriesWords(data.xs, data.journal, clock)}.`,
    replay.length > 0 ? `Sending queued changes: ${replay.join(', ')}.` : 'No replay in this time.',
  ].join(' ');
}
