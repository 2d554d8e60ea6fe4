import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/support/web-build.ts';
import {
  type ConnectivitySpan,
  type ConnectivityTrack,
  invariantsHold,
  type OutageResult,
  type ServiceMinute,
  type VenueDayResult,
} from './result.ts';

// The venue-day report: `index.html` (the day in words and tables, for the owner and the
// engineer alike), five chart PNGs beside it, and `result.json` (the run's data as measured).
// The charts are uPlot, drawn in headless Chromium from specs shaped here (report-charts.js
// turns them into uPlot options) and screenshotted one element at a time. Node APIs only: the
// driver runs under Bun, tests under Node.

const resolveModule = createRequire(import.meta.url);
const CHARTS_SCRIPT = new URL('./report-charts.js', import.meta.url);

/** Chart width and plot height, in CSS pixels (the PNG adds the title and the legend). */
const CHART_WIDTH = 1176;
const PLOT_HEIGHT = 340;
/** Beyond this many op kinds the rarest are drawn together as "other". */
const MAX_KINDS = 7;
/** Beyond this many devices the outbox chart draws the fullest few, the rest summed. */
const MAX_OUTBOX_LINES = 5;
/** Beyond this many parties the connectivity timeline draws the most troubled devices. */
const MAX_TIMELINE_ROWS = 12;
/** How many minutes' width a shortened night takes on the time charts. */
const NIGHT_WIDTH = 120;
/** Height of one party's row on the connectivity timeline. */
const TIMELINE_ROW = 24;

const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** Connectivity states' colours; a state not listed takes the next unused palette colour. */
const STATE_COLOURS: Readonly<Record<string, string>> = {
  online: '#2e7d32',
  live: '#2e7d32',
  recovered: '#81c784',
  recovering: '#1e88e5',
  replaying: '#1e88e5',
  degraded: '#f9a825',
  offline: '#c62828',
};
/** How bad a state is, for drawing many devices as one row: the worst of them shows. */
const STATE_SEVERITY: Readonly<Record<string, number>> = {
  online: 0,
  live: 0,
  recovered: 0,
  recovering: 2,
  replaying: 2,
  degraded: 3,
  offline: 4,
};
const severityOf = (state: string): number => STATE_SEVERITY[state] ?? 1;

/** Device names in natural order: floor-2 before floor-10. */
const byName = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

// --- words and numbers ---------------------------------------------------------------------

const numberFormat = new Intl.NumberFormat('en-GB');
const count = (n: number): string => numberFormat.format(n);

/** Minor units of `currency` as money, e.g. 123456 EUR → €1,234.56. */
export function formatMoney(minor: number, currency: string): string {
  const format = new Intl.NumberFormat('en-GB', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

/** A service minute as a clock time: 19:40, or 19:05:45 when it is not on a whole minute. */
export function clockTime(minute: ServiceMinute): string {
  const seconds = Math.round(minute * 60);
  const daySeconds = ((seconds % 86_400) + 86_400) % 86_400;
  const hh = String(Math.floor(daySeconds / 3600)).padStart(2, '0');
  const mm = String(Math.floor(daySeconds / 60) % 60).padStart(2, '0');
  const ss = daySeconds % 60;
  return ss === 0 ? `${hh}:${mm}` : `${hh}:${mm}:${String(ss).padStart(2, '0')}`;
}

/** From–to as clock times: "19:40–19:52", or "21:30 → 09:00 next day" across midnight. */
export function clockSpan(from: ServiceMinute, to: ServiceMinute): string {
  const days = Math.floor(to / 1440) - Math.floor(from / 1440);
  if (days === 0) return `${clockTime(from)}–${clockTime(to)}`;
  const later = days === 1 ? 'next day' : `${days} days later`;
  return `${clockTime(from)} → ${clockTime(to)} ${later}`;
}

/** Simulated minutes as a length of time: "45 s", "12 min", "11 h 30 min". */
export function lengthOf(minutes: number): string {
  const seconds = Math.round(minutes * 60);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) {
    const rest = seconds % 60;
    return rest ? `${Math.floor(seconds / 60)} min ${rest} s` : `${seconds / 60} min`;
  }
  const m = Math.round(seconds / 60);
  return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m / 60} h`;
}

/** Real seconds of a replay: "3.2 s", "41 s", or "never". */
export function replayText(seconds: number | null): string {
  if (seconds === null) return 'never';
  return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
}

const msText = (ms: number): string =>
  ms < 1000
    ? `${Math.round(ms)} ms`
    : ms < 60_000
      ? `${(ms / 1000).toFixed(1)} s`
      : lengthOf(ms / 60_000);

/** The real start of the run, e.g. "7 December 2026 at 16:00 UTC" (as given if unreadable). */
const startedText = (iso: string): string => {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const format = new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'UTC',
  });
  return `${format.format(date)} UTC`;
};

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** "a, b and c". */
const listText = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

const sum = (values: Iterable<number>): number => {
  let total = 0;
  for (const v of values) total += v;
  return total;
};

// --- chart specs (what report-charts.js draws) ---------------------------------------------

interface Shade {
  readonly from: number;
  readonly to: number;
  readonly link: 'wifi' | 'wan';
  readonly label: string;
}

interface LineSeries {
  readonly label: string;
  readonly color: string;
  readonly data: readonly (number | null)[];
  readonly width?: number;
  readonly dash?: readonly number[];
  readonly fill?: string;
}

interface SeriesSpec {
  readonly kind: 'series';
  readonly xs: readonly number[];
  readonly y: { readonly label: string; readonly unit: 'count' | 'ms'; readonly log?: boolean };
  readonly series: readonly LineSeries[];
}

interface TimelineSpec {
  readonly kind: 'timeline';
  readonly rows: readonly string[];
  readonly rowLabelWidth: number;
  readonly spans: readonly {
    readonly row: number;
    readonly from: number;
    readonly to: number;
    readonly state: string;
    readonly healthy: boolean;
  }[];
  /** The legend: states drawn in one colour share an entry ("live / online"). */
  readonly states: readonly {
    readonly label: string;
    readonly names: readonly string[];
    readonly color: string;
  }[];
}

interface BarSpec {
  readonly kind: 'bars';
  readonly categories: readonly string[];
  readonly labels: readonly string[];
  readonly y: { readonly label: string };
  readonly series: readonly LineSeries[];
}

type ChartSpec = (SeriesSpec | TimelineSpec | BarSpec) & {
  readonly id: string;
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly range: readonly [number, number];
  readonly outages: readonly Shade[];
  readonly night?: Night;
};

/** Quiet night minutes the time charts draw shortened, to `width` minutes' worth. */
interface Night {
  readonly from: number;
  readonly to: number;
  readonly width: number;
}

/** A chart as the report shows it: its file, its words, and what to draw. */
interface Chart {
  readonly file: string;
  readonly title: string;
  readonly caption: string;
  readonly alt: string;
  readonly spec: ChartSpec;
}

/** The simulated time every time chart spans: all data and every outage. */
function timeRange(result: VenueDayResult): [number, number] {
  const minutes = [
    ...result.opsPerMinute.map((m) => m.minute),
    ...result.latency.map((w) => w.minute),
    ...result.depths.map((d) => d.minute),
    ...result.connectivity.flatMap((t) => t.spans.flatMap((s) => [s.from, s.to])),
    ...result.outages.flatMap((o) => [o.from, o.to]),
  ];
  if (minutes.length === 0) return [1020, 1380];
  const from = Math.min(...minutes);
  const to = Math.max(...minutes);
  return to > from ? [from, to] : [from, from + 60];
}

/**
 * The night with no op, whole hours half an hour clear of the last and the next op, when it
 * lasts 3 hours or more: a real night left at full width would squeeze the evening into a third
 * of each chart.
 */
export function quietNight(result: VenueDayResult): Night | undefined {
  const active = [
    ...new Set(
      result.opsPerMinute
        .filter((m) => sum(Object.values(m.byKind)) > 0)
        .map((m) => Math.floor(m.minute)),
    ),
  ].sort((a, b) => a - b);
  let night: Night | undefined;
  for (let i = 0; i + 1 < active.length; i++) {
    const from = Math.ceil(((active[i] ?? 0) + 30) / 60) * 60;
    const to = Math.floor(((active[i + 1] ?? 0) - 30) / 60) * 60;
    if (to - from >= 180 && to - from > (night ? night.to - night.from : 0))
      night = { from, to, width: NIGHT_WIDTH };
  }
  return night;
}

/** What a time chart's caption says of the shortened night, if any. */
const nightWords = (result: VenueDayResult): string => {
  const night = quietNight(result);
  return night
    ? ` The quiet night, ${clockSpan(night.from, night.to)}, is drawn shortened, between the dashed lines.`
    : '';
};

function common(result: VenueDayResult, id: string, title: string, height = PLOT_HEIGHT) {
  return {
    night: quietNight(result),
    id,
    title,
    width: CHART_WIDTH,
    height,
    range: timeRange(result),
    outages: result.outages.map((o) => ({ from: o.from, to: o.to, link: o.link, label: o.name })),
  };
}

const peakOf = <T>(items: readonly T[], value: (item: T) => number): T | undefined =>
  items.reduce<T | undefined>(
    (best, item) => (best === undefined || value(item) > value(best) ? item : best),
    undefined,
  );

function opsChart(result: VenueDayResult): Chart {
  const totals = new Map<string, number>();
  for (const m of result.opsPerMinute)
    for (const [kind, n] of Object.entries(m.byKind)) totals.set(kind, (totals.get(kind) ?? 0) + n);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = ranked.length > MAX_KINDS + 1 ? ranked.slice(0, MAX_KINDS) : ranked;
  const rest = ranked.slice(shown.length);
  const groups = shown.map(([kind]) => ({ label: kind, kinds: [kind] }));
  if (rest.length)
    groups.push({ label: `other (${rest.length} kinds)`, kinds: rest.map(([kind]) => kind) });

  // Every whole minute of the day, zero where nothing was counted.
  const byMinute = new Map(result.opsPerMinute.map((m) => [Math.round(m.minute), m.byKind]));
  const minutes = [...byMinute.keys()];
  const xs: number[] = [];
  if (minutes.length) for (let m = Math.min(...minutes); m <= Math.max(...minutes); m++) xs.push(m);
  const perGroup = groups.map((g) =>
    xs.map((x) => sum(g.kinds.map((kind) => byMinute.get(x)?.[kind] ?? 0))),
  );
  // Stacked: each band is drawn down to zero, the tallest (every kind) first, so each later,
  // lower one paints over it and what shows is its own share.
  const stacked = perGroup.map((_g, i) =>
    xs.map((_x, j) => sum(perGroup.slice(0, i + 1).map((column) => column[j] ?? 0))),
  );
  const series: LineSeries[] = groups
    .map((g, i) => ({
      label: g.label,
      color: PALETTE[i % PALETTE.length] ?? '#888',
      fill: PALETTE[i % PALETTE.length] ?? '#888',
      width: 1,
      data: stacked[i] ?? [],
    }))
    .reverse();
  const all = stacked.at(-1) ?? [];
  const peakAt = peakOf(
    xs.map((x, j) => ({ x, n: all[j] ?? 0 })),
    (p) => p.n,
  );
  const title = 'Ops per minute, by kind (stacked)';
  return {
    file: 'ops-per-minute.png',
    title,
    caption:
      'Ops the devices made in each simulated minute, stacked by kind: the top edge is the total. ' +
      `The ${groups.length > MAX_KINDS ? 'rarest kinds are drawn together as “other”; the ' : ''}` +
      `shaded windows are the outages.${nightWords(result)}`,
    alt:
      `Stacked area chart of ops per simulated minute from ${clockTime(xs[0] ?? 0)} to ` +
      `${clockTime(xs.at(-1) ?? 0)}. By kind, over the day: ` +
      `${listText(groups.map((g) => `${g.label} ${count(sum(g.kinds.map((k) => totals.get(k) ?? 0)))}`))}. ` +
      (peakAt ? `The busiest minute was ${clockTime(peakAt.x)} with ${count(peakAt.n)} ops.` : ''),
    spec: {
      ...common(result, 'ops', title),
      kind: 'series',
      xs,
      y: { label: 'ops per minute', unit: 'count' },
      series,
    },
  };
}

function latencyChart(result: VenueDayResult): Chart {
  const windows = [...result.latency].sort((a, b) => a.minute - b.minute);
  // A log scale cannot show 0: a sub-millisecond latency is drawn at 0.1 ms.
  const ms = (v: number | null) => (v === null ? null : Math.max(v, 0.1));
  const series: LineSeries[] = [
    {
      label: 'to kitchen display, p50',
      color: '#1f5fa6',
      width: 2,
      data: windows.map((w) => ms(w.toKitchen.p50)),
    },
    {
      label: 'to kitchen display, p99',
      color: '#1f5fa6',
      width: 2,
      dash: [8, 5],
      data: windows.map((w) => ms(w.toKitchen.p99)),
    },
    {
      label: 'to cloud, p50',
      color: '#d35400',
      width: 2,
      data: windows.map((w) => ms(w.toCloud.p50)),
    },
    {
      label: 'to cloud, p99',
      color: '#d35400',
      width: 2,
      dash: [8, 5],
      data: windows.map((w) => ms(w.toCloud.p99)),
    },
  ];
  const worst = (pick: (w: (typeof windows)[number]) => number | null) =>
    peakOf(
      windows.filter((w) => pick(w) !== null),
      (w) => pick(w) ?? 0,
    );
  const kitchen = worst((w) => w.toKitchen.p99);
  const cloud = worst((w) => w.toCloud.p99);
  const title = 'Latency: a device’s op → kitchen display and → cloud (p50, p99)';
  return {
    file: 'latency.png',
    title,
    caption:
      'How long, in real time, an op a device made took to reach the kitchen display (through ' +
      'the relay) and the cloud, by window of simulated time: the median (p50, solid) and the ' +
      'slowest 1 % (p99, dashed). The scale is logarithmic: each grid line is ten times the one ' +
      `below. A gap means no op in that window reached it.${nightWords(result)}`,
    alt:
      'Line chart of latency on a logarithmic scale over the day. ' +
      (kitchen
        ? `To the kitchen display the worst p99 was ${msText(kitchen.toKitchen.p99 ?? 0)} at ${clockTime(kitchen.minute)}. `
        : 'No op reached a kitchen display. ') +
      (cloud
        ? `To the cloud the worst p99 was ${msText(cloud.toCloud.p99 ?? 0)} at ${clockTime(cloud.minute)}.`
        : 'No op reached the cloud.'),
    spec: {
      ...common(result, 'latency', title),
      kind: 'series',
      xs: windows.map((w) => w.minute),
      y: { label: 'real time', unit: 'ms', log: true },
      series,
    },
  };
}

function depthsChart(result: VenueDayResult): Chart {
  const samples = [...result.depths].sort((a, b) => a.minute - b.minute);
  const peaks = new Map<string, number>();
  for (const s of samples)
    for (const [device, n] of Object.entries(s.outbox))
      peaks.set(device, Math.max(peaks.get(device) ?? 0, n));
  const ranked = [...peaks.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const grouped = ranked.length > MAX_OUTBOX_LINES + 1;
  const shown = grouped ? ranked.slice(0, MAX_OUTBOX_LINES) : ranked;
  const series: LineSeries[] = [
    {
      label: 'relay journal (not yet in the cloud)',
      color: '#222222',
      width: 3,
      data: samples.map((s) => s.journal),
    },
    ...shown.map(([device], i) => ({
      label: `outbox: ${device}`,
      color: PALETTE[i % PALETTE.length] ?? '#888',
      width: 2,
      data: samples.map((s) => s.outbox[device] ?? 0),
    })),
  ];
  if (grouped) {
    const others = ranked.slice(shown.length).map(([device]) => device);
    series.push(
      {
        label: `outboxes: the other ${others.length} devices (sum)`,
        color: PALETTE[MAX_OUTBOX_LINES] ?? '#888',
        width: 2,
        dash: [3, 3],
        data: samples.map((s) => sum(others.map((d) => s.outbox[d] ?? 0))),
      },
      {
        label: `outboxes: all ${ranked.length} devices (total)`,
        color: '#7a7a7a',
        width: 2,
        dash: [10, 5],
        data: samples.map((s) => sum(Object.values(s.outbox))),
      },
    );
  }
  const journalPeak = peakOf(samples, (s) => s.journal);
  const outboxPeak = peakOf(samples, (s) => sum(Object.values(s.outbox)));
  const last = samples.at(-1);
  const title = 'Waiting to be sent: relay journal and device outboxes';
  return {
    file: 'depths.png',
    title,
    caption:
      'Ops waiting: the relay’s journal (ops not yet in the cloud) and each device’s outbox ' +
      '(ops not yet at the relay). ' +
      (grouped
        ? `With ${ranked.length} devices, the ${MAX_OUTBOX_LINES} whose outbox grew most are drawn alone, the others summed, and a total of all. `
        : '') +
      `Both should fall back to zero after each outage.${nightWords(result)}`,
    alt:
      'Line chart of queue depths over the day. ' +
      (journalPeak
        ? `The relay journal peaked at ${count(journalPeak.journal)} ops at ${clockTime(journalPeak.minute)}. `
        : '') +
      (outboxPeak
        ? `Device outboxes peaked at ${count(sum(Object.values(outboxPeak.outbox)))} ops in all at ${clockTime(outboxPeak.minute)}. `
        : '') +
      (last
        ? `At the last sample, ${clockTime(last.minute)}, the journal held ${count(last.journal)} and the outboxes ${count(sum(Object.values(last.outbox)))}.`
        : 'No depth was sampled.'),
    spec: {
      ...common(result, 'depths', title),
      kind: 'series',
      xs: samples.map((s) => s.minute),
      y: { label: 'ops waiting', unit: 'count' },
      series,
    },
  };
}

/** Minutes a track spent in states worse than online/live/recovered. */
const troubledMinutes = (track: ConnectivityTrack): number =>
  sum(track.spans.filter((s) => severityOf(s.state) > 0).map((s) => s.to - s.from));

/** Many tracks as one: at each moment the worst state any of them was in. */
export function worstOf(tracks: readonly ConnectivityTrack[]): ConnectivitySpan[] {
  const edges = [...new Set(tracks.flatMap((t) => t.spans.flatMap((s) => [s.from, s.to])))].sort(
    (a, b) => a - b,
  );
  const sorted = tracks.map((t) => [...t.spans].sort((a, b) => a.from - b.from));
  const cursor = sorted.map(() => 0);
  const out: ConnectivitySpan[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const from = edges[i] ?? 0;
    const to = edges[i + 1] ?? 0;
    const mid = (from + to) / 2;
    let worst: string | undefined;
    sorted.forEach((spans, t) => {
      let c = cursor[t] ?? 0;
      while (c < spans.length && (spans[c]?.to ?? 0) <= mid) c++;
      cursor[t] = c;
      const span = spans[c];
      if (
        span &&
        span.from <= mid &&
        (worst === undefined || severityOf(span.state) > severityOf(worst))
      )
        worst = span.state;
    });
    if (worst === undefined) continue;
    const previous = out.at(-1);
    if (previous && previous.state === worst && previous.to === from)
      out[out.length - 1] = { ...previous, to };
    else out.push({ from, to, state: worst });
  }
  return out;
}

function connectivityChart(result: VenueDayResult): Chart {
  const relay = result.connectivity.filter((t) => t.party === 'relay');
  const devices = result.connectivity.filter((t) => t.party !== 'relay');
  const room = MAX_TIMELINE_ROWS - relay.length;
  const rows: { label: string; spans: readonly ConnectivitySpan[] }[] = relay.map((t) => ({
    label: 'relay',
    spans: t.spans,
  }));
  if (devices.length <= room) {
    rows.push(
      ...[...devices]
        .sort((a, b) => byName(a.party, b.party))
        .map((t) => ({ label: t.party, spans: t.spans })),
    );
  } else {
    const ranked = [...devices].sort(
      (a, b) => troubledMinutes(b) - troubledMinutes(a) || a.party.localeCompare(b.party),
    );
    const alone = ranked.slice(0, room - 1).sort((a, b) => byName(a.party, b.party));
    const rest = ranked.slice(room - 1);
    rows.push(...alone.map((t) => ({ label: t.party, spans: t.spans })));
    rows.push({ label: `${rest.length} more devices (worst)`, spans: worstOf(rest) });
  }
  const names = [...new Set(rows.flatMap((r) => r.spans.map((s) => s.state)))].sort(
    (a, b) => severityOf(a) - severityOf(b) || a.localeCompare(b),
  );
  let spare = 0;
  const byColour = new Map<string, string[]>();
  for (const name of names) {
    const color = STATE_COLOURS[name] ?? PALETTE[(6 + spare++) % PALETTE.length] ?? '#888';
    byColour.set(color, [...(byColour.get(color) ?? []), name]);
  }
  const states = [...byColour].map(([color, stateNames]) => ({
    label: stateNames.join(' / '),
    names: stateNames,
    color,
  }));
  const longest = Math.max(8, ...rows.map((r) => r.label.length));
  const relayTrouble = relay.flatMap((t) => t.spans.filter((s) => severityOf(s.state) > 0));
  const troubled = devices.filter((t) => troubledMinutes(t) > 0);
  const title = 'Connectivity: the relay’s and each device’s state';
  return {
    file: 'connectivity.png',
    title,
    caption:
      'Which state the relay (its link to the cloud) and each device (its link to the relay) was ' +
      'in, over the day: one row each, a coloured band per state. ' +
      (devices.length > room
        ? `With ${devices.length} devices, those offline longest have a row each and the last row shows, for the rest, the worst state any of them was in. `
        : '') +
      `The shaded windows are the outages.${nightWords(result)}`,
    alt:
      `Timeline of connectivity states for the relay and ${devices.length} devices. ` +
      (relayTrouble.length
        ? `The relay was ${listText(relayTrouble.map((s) => `${s.state} ${clockSpan(s.from, s.to)}`))}. `
        : 'The relay stayed online. ') +
      `${troubled.length} of ${devices.length} devices were out of the live state at some time.`,
    spec: {
      ...common(
        result,
        'connectivity',
        title,
        Math.max(PLOT_HEIGHT, rows.length * TIMELINE_ROW + 90),
      ),
      kind: 'timeline',
      rows: rows.map((r) => r.label),
      rowLabelWidth: Math.min(260, 20 + longest * 8),
      spans: rows
        .flatMap((r, row) =>
          r.spans.map((s) => ({ row, ...s, healthy: severityOf(s.state) === 0 })),
        )
        .sort((a, b) => severityOf(a.state) - severityOf(b.state)),
      states,
    },
  };
}

function replayChart(result: VenueDayResult): Chart {
  const outages = result.outages;
  const only = (link: OutageResult['link']) =>
    outages.map((o) => (o.link === link && o.replaySeconds !== null ? o.replaySeconds : null));
  const series: LineSeries[] = [];
  if (outages.some((o) => o.link === 'wifi'))
    series.push({ label: 'Wi-Fi (devices ↔ relay)', color: '#e08e0b', data: only('wifi') });
  if (outages.some((o) => o.link === 'wan'))
    series.push({ label: 'WAN (relay ↔ cloud)', color: '#6a3fb5', data: only('wan') });
  const title = 'Replay time after each outage';
  return {
    file: 'replay.png',
    title,
    caption:
      'Real seconds from the link coming back to every op made during the outage being in the ' +
      'cloud. “never” means some op made during it had not reached the cloud when the run ended.',
    alt:
      'Bar chart of replay time per outage: ' +
      `${listText(outages.map((o) => `${o.name} ${replayText(o.replaySeconds)}`))}.`,
    spec: {
      ...common(result, 'replay', title),
      kind: 'bars',
      categories: outages.map((o) => `${o.name}\n${clockSpan(o.from, o.to)}`),
      labels: outages.map((o) => replayText(o.replaySeconds)),
      y: { label: 'seconds (real)' },
      series,
    },
  };
}

/** The five charts the report shows, in order. */
export function chartsOf(result: VenueDayResult): Chart[] {
  return [
    opsChart(result),
    latencyChart(result),
    depthsChart(result),
    connectivityChart(result),
    replayChart(result),
  ];
}

// --- drawing -------------------------------------------------------------------------------

/** Width and height of a PNG, from its IHDR chunk; undefined when `png` is not a PNG. */
export function pngSize(png: Uint8Array): { width: number; height: number } | undefined {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || signature.some((byte, i) => png[i] !== byte)) return undefined;
  if (String.fromCharCode(...png.subarray(12, 16)) !== 'IHDR') return undefined;
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function chartPage(): string {
  const css = readFileSync(resolveModule.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  const uplot = readFileSync(resolveModule.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const charts = readFileSync(CHARTS_SCRIPT, 'utf8');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><style>${css}
body { margin: 0; background: #fff; color: #222; font: 14px "DejaVu Sans", sans-serif; }
.chart { display: inline-block; padding: 8px 12px; background: #fff; }
.uplot .u-title { font-size: 17px; font-weight: bold; text-align: left; padding-left: 8px; }
.uplot .u-legend { font-size: 13px; }
</style><script>${uplot}</script><script>${charts}</script></head>
<body><div id="charts"></div></body></html>`;
}

/** Draws every chart in one headless Chromium page and writes each as a PNG into `dir`. */
async function drawCharts(charts: readonly Chart[], dir: string): Promise<void> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Everything the page needs is inline: nothing may be fetched.
    await page.route('**/*', (route) => route.abort());
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.setContent(chartPage());
    await page.evaluate(`drawCharts(${JSON.stringify(charts.map((c) => c.spec))})`);
    if (errors.length) throw new Error(`drawing the charts failed: ${errors.join('; ')}`);
    for (const chart of charts)
      await page.locator(`#chart-${chart.spec.id}`).screenshot({ path: join(dir, chart.file) });
  } finally {
    await browser.close();
  }
}

// --- the page ------------------------------------------------------------------------------

const STYLE = `
:root { color-scheme: light; }
body { margin: 0; font: 16px/1.5 system-ui, "DejaVu Sans", sans-serif; color: #1d1d1d; background: #fafafa; }
main { max-width: 1240px; margin: 0 auto; padding: 1.5rem; }
h1 { margin: 0 0 0.25rem; font-size: 1.8rem; }
h2 { margin-top: 2.5rem; border-bottom: 2px solid #ddd; padding-bottom: 0.25rem; }
.meta { color: #4a4a4a; margin: 0; }
.verdict { padding: 1rem 1.25rem; border-radius: 6px; font-size: 1.25rem; margin: 1.5rem 0 0.5rem; color: #fff; }
.verdict.held { background: #1b5e20; }
.verdict.failed { background: #a4161a; }
.verdict p { margin: 0.25rem 0; }
.verdict .small { font-size: 1rem; }
table { border-collapse: collapse; width: 100%; background: #fff; margin: 0.5rem 0; }
caption { text-align: left; font-weight: bold; padding: 0.25rem 0; }
th, td { border: 1px solid #d6d6d6; padding: 0.4rem 0.6rem; text-align: left; vertical-align: top; }
thead th { background: #eeeeee; }
#numbers { width: auto; min-width: 60%; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ok { color: #1b5e20; font-weight: bold; }
.bad { color: #a4161a; font-weight: bold; }
tr.failed td, tr.failed th { background: #fdecea; }
ul.examples { margin: 0; padding-left: 1.2rem; font-family: "DejaVu Sans Mono", monospace; font-size: 0.85rem; }
figure { margin: 1.5rem 0; background: #fff; border: 1px solid #ddd; padding: 0.5rem; }
figure img { display: block; max-width: 100%; height: auto; }
figcaption { margin-top: 0.5rem; color: #333; }
dl.run { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dl.run dt { font-weight: bold; }
dl.run dd { margin: 0; }
`;

const recordText = (record: Readonly<Record<string, number>>): string => {
  const entries = Object.entries(record);
  if (entries.length === 0) return 'none';
  return `${count(sum(entries.map(([, n]) => n)))} (${entries.map(([kind, n]) => `${count(n)} ${escapeHtml(kind)}`).join(', ')})`;
};

function verdictHtml(result: VenueDayResult): string {
  const failed = result.invariants.filter((i) => i.value !== 0);
  const t = result.totals;
  const longest = peakOf(
    result.outages.filter((o) => o.replaySeconds !== null),
    (o) => o.replaySeconds ?? 0,
  );
  const never = result.outages.filter((o) => o.replaySeconds === null);
  const day =
    `${count(t.covers)} covers in ${count(t.parties)} parties, ${count(t.ops)} ops, ` +
    `${result.outages.length} outage${result.outages.length === 1 ? '' : 's'}` +
    (longest ? `; the longest replay took ${replayText(longest.replaySeconds)}` : '') +
    (never.length ? `; never replayed: ${escapeHtml(listText(never.map((o) => o.name)))}` : '') +
    '.';
  if (result.invariants.length === 0)
    return `<div class="verdict failed" id="verdict"><p><strong>No check was counted</strong>: this run cannot say whether the day held.</p><p class="small">${day}</p></div>`;
  if (invariantsHold(result))
    return `<div class="verdict held" id="verdict"><p><strong>Every check held.</strong> All ${result.invariants.length} checks counted 0.</p><p class="small">${day}</p></div>`;
  const which = listText(failed.map((i) => `${escapeHtml(i.name)} (${count(i.value)})`));
  return `<div class="verdict failed" id="verdict"><p><strong>The day did not hold: ${failed.length} of ${result.invariants.length} checks failed</strong> — ${which}.</p><p class="small">${day}</p></div>`;
}

function invariantsHtml(result: VenueDayResult): string {
  const rows = result.invariants.map((i) => {
    const held = i.value === 0;
    const examples = i.examples.length
      ? `<ul class="examples">${i.examples.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>`
      : '—';
    return `<tr class="${held ? 'held' : 'failed'}"><th scope="row">${escapeHtml(i.name)}</th><td class="num">${count(i.value)}</td><td class="${held ? 'ok' : 'bad'}">${held ? 'held' : 'FAILED'}</td><td>${escapeHtml(i.means)}</td><td>${examples}</td></tr>`;
  });
  return `<table id="invariants"><caption>Each check counts what went wrong; every one must be 0.</caption>
<thead><tr><th scope="col">Check</th><th scope="col">Count</th><th scope="col">Result</th><th scope="col">What it counts</th><th scope="col">First examples</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function numbersHtml(result: VenueDayResult): string {
  const t = result.totals;
  const money = (minor: number) => escapeHtml(formatMoney(minor, t.money.currency));
  const difference = t.money.reportTotal - t.money.checksTotal;
  const agreement =
    difference === 0
      ? '<span class="ok">agrees with the closed checks</span>'
      : `<span class="bad">differs from the closed checks by ${money(difference)}</span>`;
  const row = (name: string, value: string, id?: string) =>
    `<tr${id ? ` id="${id}"` : ''}><th scope="row">${name}</th><td>${value}</td></tr>`;
  return `<table id="numbers"><caption>What the day held.</caption>
<thead><tr><th scope="col">What</th><th scope="col">How much</th></tr></thead><tbody>
${row('Covers (guests)', count(t.covers))}
${row('Parties (tables seated)', count(t.parties))}
${row('Ops (every change a device made)', count(t.ops))}
${row('Kitchen sends (orders fired to the kitchen)', count(t.kitchenSends))}
${row('Devices, by kind', recordText(t.devices))}
${row('Real Chromium pages, by role', recordText(t.browserPages))}
${row('Closed checks, total', money(t.money.checksTotal), 'money-checks')}
${row('End-of-day report, total', `${money(t.money.reportTotal)} — ${agreement}`, 'money-report')}
${row('Paid in cash', money(t.money.cash), 'money-cash')}
${row('Paid by card', money(t.money.card), 'money-card')}
${row('Tips', money(t.money.tips), 'money-tips')}
</tbody></table>`;
}

function outagesHtml(result: VenueDayResult): string {
  if (result.outages.length === 0) return '<p>There was no outage in this run.</p>';
  const rows = result.outages.map(
    (o) =>
      `<tr><th scope="row">${escapeHtml(o.name)}</th><td>${o.link === 'wifi' ? 'Wi-Fi (devices ↔ relay)' : 'WAN (relay ↔ cloud)'}</td><td>${escapeHtml(clockSpan(o.from, o.to))}</td><td class="num">${lengthOf(o.to - o.from)}</td><td class="num">${count(o.opsDuring)}</td><td class="num${o.replaySeconds === null ? ' bad' : ''}">${replayText(o.replaySeconds)}</td></tr>`,
  );
  return `<table id="outages"><caption>Links cut on purpose, and how long the system took to catch up once each came back.</caption>
<thead><tr><th scope="col">Outage</th><th scope="col">Link down</th><th scope="col">From–to (simulated)</th><th scope="col">Lasted</th><th scope="col">Ops made meanwhile</th><th scope="col">Replay (real time)</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function figureHtml(chart: Chart, size: { width: number; height: number } | undefined): string {
  const dims = size ? ` width="${size.width}" height="${size.height}"` : '';
  return `<figure><img src="${chart.file}"${dims} alt="${escapeHtml(chart.alt)}"><figcaption><strong>${escapeHtml(chart.title)}.</strong> ${escapeHtml(chart.caption)}</figcaption></figure>`;
}

function runHtml(result: VenueDayResult): string {
  const m = result.machine;
  const o = result.options;
  return `<dl class="run">
<dt>Started</dt><dd>${escapeHtml(startedText(result.startedAt))}</dd>
<dt>Took</dt><dd>${count(Math.round(result.realSeconds))} s of real time</dd>
<dt>Variant</dt><dd>${escapeHtml(o.variant)}: ${count(o.compression)}× time compression, ${count(o.rate)}× load, seed ${o.seed}</dd>
<dt>Machine</dt><dd>${escapeHtml(m.cpu)}, ${m.cores} cores, ${count(m.memoryGb)} GB, ${escapeHtml(m.platform)}</dd>
<dt>Data</dt><dd><a href="result.json">result.json</a> holds everything this page shows.</dd>
</dl>`;
}

/** The whole report page; `sizes` are the charts' PNG sizes when they were drawn. */
export function reportHtml(
  result: VenueDayResult,
  charts: readonly Chart[],
  sizes: ReadonlyMap<string, { width: number; height: number }>,
  chartError?: string,
): string {
  const figures = chartError
    ? `<p class="bad">The charts could not be drawn: ${escapeHtml(chartError)}</p>`
    : charts.map((chart) => figureHtml(chart, sizes.get(chart.file))).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(result.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(result.title)}</h1>
<p class="meta">A simulated service day through the real cloud, relay and devices, run ${escapeHtml(startedText(result.startedAt))}. Times of day are on the simulated clock.</p>
<h2 id="did-the-day-hold">Did the day hold?</h2>
${verdictHtml(result)}
<h2 id="checks">The checks</h2>
${invariantsHtml(result)}
<h2 id="numbers-heading">The day in numbers</h2>
${numbersHtml(result)}
<h2 id="outages-heading">Outages</h2>
${outagesHtml(result)}
<h2 id="charts">Charts</h2>
${figures}
<h2 id="run">The run</h2>
${runHtml(result)}
</main>
</body>
</html>
`;
}

/**
 * Writes the report for `result` into `dir` (created if missing): index.html, the five chart
 * PNGs and result.json. Returns the paths of index.html and of the PNGs. When the charts cannot
 * be drawn the page and the data are still written, saying so, and the error is thrown after.
 */
export async function writeReport(
  result: VenueDayResult,
  dir: string,
): Promise<{ html: string; pngs: string[] }> {
  const out = resolve(dir);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  const charts = chartsOf(result);
  let failure: unknown;
  const sizes = new Map<string, { width: number; height: number }>();
  try {
    await drawCharts(charts, out);
    for (const chart of charts) {
      const size = pngSize(readFileSync(join(out, chart.file)));
      if (size) sizes.set(chart.file, size);
    }
  } catch (error) {
    failure = error;
  }
  const html = join(out, 'index.html');
  const message = failure === undefined ? undefined : String((failure as Error).message ?? failure);
  writeFileSync(html, reportHtml(result, charts, sizes, message));
  if (failure !== undefined) throw failure;
  return { html, pngs: charts.map((chart) => join(out, chart.file)) };
}
