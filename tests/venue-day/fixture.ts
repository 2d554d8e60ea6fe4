import type {
  ConnectivitySpan,
  ConnectivityTrack,
  DepthSample,
  Invariant,
  LatencyWindow,
  OpsMinute,
  OutageResult,
  VenueDayResult,
} from './result.ts';

// A made-up but plausible venue day, for the report's test and for looking at a report without
// running the day: a Saturday 17:00–23:00 with the three outages of the real run (a 45 s Wi-Fi
// blip at 19:05, the WAN down 19:40–19:52, overnight 21:30 → 09:00), deterministic from a seed.

export interface FixtureOptions {
  /** Make one invariant fail ("ops duplicated": 2). */
  readonly failing?: boolean;
  /** Scripted devices (floor tablets, kitchen displays, guest phones); 20 by default. */
  readonly devices?: number;
  /** The overnight outage never replayed (replaySeconds null). */
  readonly neverReplayed?: boolean;
  readonly seed?: number;
}

const OPEN = 17 * 60;
const CLOSE = 23 * 60;
const MORNING = 24 * 60 + 9 * 60;
const END = MORNING + 20;

const WIFI_BLIP = { from: 19 * 60 + 5, to: 19 * 60 + 5.75 };
const WAN_DOWN = { from: 19 * 60 + 40, to: 19 * 60 + 52 };
const OVERNIGHT = { from: 21 * 60 + 30, to: MORNING };

/** Small deterministic PRNG (mulberry32): the same seed, the same day. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Op kinds and their share of the load. */
const KINDS: readonly [string, number][] = [
  ['order.item.add', 0.3],
  ['kitchen.send', 0.14],
  ['kitchen.bump', 0.14],
  ['order.create', 0.08],
  ['table.seat', 0.06],
  ['check.close', 0.06],
  ['payment.card', 0.05],
  ['tip.add', 0.04],
  ['payment.cash', 0.02],
  ['order.item.void', 0.01],
  ['table.move', 0.01],
  ['check.split', 0.005],
];

const within = (minute: number, window: { from: number; to: number }) =>
  minute >= window.from && minute < window.to;

function deviceNames(n: number): { name: string; kind: string }[] {
  const floor = Math.max(1, Math.round(n * 0.3));
  const kds = Math.min(2, Math.max(0, n - floor));
  return Array.from({ length: n }, (_, i) => {
    if (i < floor) return { name: `floor-${i + 1}`, kind: 'floor' };
    if (i < floor + kds) return { name: i === floor ? 'kds-grill' : 'kds-expo', kind: 'kds' };
    return { name: `guest-${i - floor - kds + 1}`, kind: 'guest' };
  });
}

export function fixtureVenueDay(options: FixtureOptions = {}): VenueDayResult {
  const rand = random(options.seed ?? 7);
  const devices = deviceNames(options.devices ?? 20);

  // Load: two peaks (19:30 and 20:45), quiet at the doors' opening and at close.
  const load = (minute: number) =>
    Math.max(
      0,
      45 * Math.exp(-(((minute - 1170) / 40) ** 2)) +
        35 * Math.exp(-(((minute - 1245) / 35) ** 2)) +
        6,
    );
  const opsPerMinute: OpsMinute[] = [];
  const perMinute = new Map<number, number>();
  for (let minute = OPEN; minute < CLOSE; minute++) {
    const byKind: Record<string, number> = {};
    let total = 0;
    for (const [kind, share] of KINDS) {
      const n = Math.round(load(minute) * share * (0.6 + rand() * 0.8));
      if (n > 0) {
        byKind[kind] = n;
        total += n;
      }
    }
    perMinute.set(minute, total);
    opsPerMinute.push({ minute, byKind });
  }
  // The morning: a few ops as the kitchen opens, the night's queue replaying.
  for (let minute = MORNING; minute < END; minute++)
    opsPerMinute.push({ minute, byKind: { 'kitchen.bump': 1 + Math.floor(rand() * 3) } });

  const latency: LatencyWindow[] = [];
  for (let minute = OPEN; minute < CLOSE; minute += 5) {
    const blip = within(WIFI_BLIP.from, { from: minute, to: minute + 5 });
    const wan = within(minute, WAN_DOWN) || within(WAN_DOWN.from, { from: minute, to: minute + 5 });
    const night = minute >= OVERNIGHT.from;
    const n = Math.round(load(minute) * 5);
    const kitchenP50 = 18 + rand() * 12;
    latency.push({
      minute,
      toKitchen: {
        p50: kitchenP50,
        p99: blip ? 2_400 + rand() * 800 : kitchenP50 * (3 + rand() * 2),
        n,
      },
      toCloud: night
        ? { p50: 560_000 + (CLOSE - minute) * 800, p99: 640_000 + (CLOSE - minute) * 900, n }
        : wan
          ? { p50: 7_000 + rand() * 2_000, p99: 12_500 + rand() * 1_500, n }
          : { p50: 45 + rand() * 20, p99: 140 + rand() * 90, n },
    });
  }

  // Depths each minute of service, each 10 min overnight, each minute of the morning.
  const minutes: number[] = [];
  for (let m = OPEN; m < CLOSE; m++) minutes.push(m);
  for (let m = CLOSE; m < MORNING; m += 10) minutes.push(m);
  for (let m = MORNING; m <= END; m++) minutes.push(m);
  let journal = 0;
  const depths: DepthSample[] = minutes.map((minute) => {
    const ops = perMinute.get(minute) ?? 0;
    if (within(minute, WAN_DOWN) || within(minute, OVERNIGHT)) journal += ops;
    else journal = Math.max(0, Math.floor(journal * 0.15) - 3);
    const outbox: Record<string, number> = {};
    devices.forEach(({ name, kind }, i) => {
      const busy = kind === 'floor' ? 4 : kind === 'kds' ? 2 : 0.5;
      const blip = minute === Math.floor(WIFI_BLIP.from);
      outbox[name] = blip ? Math.round(busy * (1 + (i % 5)) + rand() * 3) : rand() < 0.08 ? 1 : 0;
    });
    return { minute, journal, outbox };
  });

  const relaySpans: ConnectivitySpan[] = [
    { from: OPEN, to: WAN_DOWN.from - 0.5, state: 'online' },
    { from: WAN_DOWN.from - 0.5, to: WAN_DOWN.from, state: 'degraded' },
    { from: WAN_DOWN.from, to: WAN_DOWN.to, state: 'offline' },
    { from: WAN_DOWN.to, to: WAN_DOWN.to + 1, state: 'recovering' },
    { from: WAN_DOWN.to + 1, to: WAN_DOWN.to + 3, state: 'recovered' },
    { from: WAN_DOWN.to + 3, to: OVERNIGHT.from, state: 'online' },
    { from: OVERNIGHT.from, to: OVERNIGHT.to, state: 'offline' },
    { from: OVERNIGHT.to, to: OVERNIGHT.to + 2, state: 'recovering' },
    { from: OVERNIGHT.to + 2, to: END, state: 'online' },
  ];
  const connectivity: ConnectivityTrack[] = [
    { party: 'relay', spans: relaySpans },
    ...devices.map(({ name, kind }, i) => {
      // Guest phones come and go with their table; the staff's devices stay all evening.
      const from = kind === 'guest' ? OPEN + 20 + ((i * 7) % 240) : OPEN;
      const to = kind === 'guest' ? Math.min(CLOSE, from + 90 + (i % 4) * 15) : END;
      const spans: ConnectivitySpan[] = [];
      if (from < WIFI_BLIP.from && to > WIFI_BLIP.to) {
        const back = WIFI_BLIP.to + (i % 3) * 0.25;
        spans.push(
          { from, to: WIFI_BLIP.from, state: 'live' },
          { from: WIFI_BLIP.from, to: back, state: 'offline' },
          { from: back, to: back + 0.5, state: 'replaying' },
          { from: back + 0.5, to, state: 'live' },
        );
      } else spans.push({ from, to, state: 'live' });
      return { party: name, spans };
    }),
  ];

  const opsIn = (window: { from: number; to: number }) => {
    let n = 0;
    for (const [minute, ops] of perMinute) if (within(minute, window)) n += ops;
    // A blip shorter than a minute: its share of that minute's load.
    return n || Math.max(1, Math.round(load(window.from) * (window.to - window.from)));
  };
  const outages: OutageResult[] = [
    {
      name: 'Wi-Fi blip',
      link: 'wifi',
      ...WIFI_BLIP,
      replaySeconds: 2.4,
      opsDuring: opsIn(WIFI_BLIP),
    },
    {
      name: 'WAN down at the payment peak',
      link: 'wan',
      ...WAN_DOWN,
      replaySeconds: 11.8,
      opsDuring: opsIn(WAN_DOWN),
    },
    {
      name: 'Overnight',
      link: 'wan',
      ...OVERNIGHT,
      replaySeconds: options.neverReplayed ? null : 46.3,
      opsDuring: opsIn(OVERNIGHT),
    },
  ];

  const invariants: Invariant[] = [
    {
      name: 'ops lost',
      value: 0,
      means: 'Ops a device saw accepted that are missing from the cloud at the end.',
      examples: [],
    },
    {
      name: 'ops duplicated',
      value: options.failing ? 2 : 0,
      means: 'Ops that appear more than once in the cloud (same op id).',
      examples: options.failing
        ? ['floor-3 op 01JF…A7 order.item.add ×2', 'guest-4 op 01JF…Q2 tip.add ×2']
        : [],
    },
    {
      name: 'kitchen tickets missing',
      value: 0,
      means: 'Kitchen sends that no kitchen display showed.',
      examples: [],
    },
    {
      name: 'money mismatch',
      value: 0,
      means: 'Minor units between the closed checks and the end-of-day report.',
      examples: [],
    },
    {
      name: 'outboxes not drained',
      value: 0,
      means: 'Devices whose outbox still held ops at the end of the run.',
      examples: [],
    },
  ];

  const ops = [...perMinute.values()].reduce((a, b) => a + b, 0);
  const byKind = (kind: string) => devices.filter((d) => d.kind === kind).length;
  return {
    title: 'Venue day: Saturday service, short variant (fixture)',
    startedAt: '2026-12-07T16:00:00.000Z',
    realSeconds: 412.6,
    machine: { cores: 2, memoryGb: 7.8, cpu: 'Example CPU @ 2.2GHz', platform: 'linux x64' },
    options: { compression: 60, rate: 1, seed: options.seed ?? 7, variant: 'short' },
    totals: {
      covers: 306,
      parties: 104,
      ops,
      kitchenSends: Math.round(ops * 0.14),
      devices: { floor: byKind('floor'), kds: byKind('kds'), guest: byKind('guest') },
      browserPages: { floor: 1, kitchen: 2, guest: 1 },
      money: {
        currency: 'EUR',
        checksTotal: 1_523_450,
        reportTotal: 1_523_450,
        cash: 312_040,
        card: 1_211_410,
        tips: 141_275,
      },
    },
    opsPerMinute,
    latency,
    depths,
    connectivity,
    outages,
    invariants,
  };
}
