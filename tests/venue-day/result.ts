// What one venue-day run measured: the driver (`run.ts`) fills it, the report (`report.ts`)
// draws it, and `result.json` beside the report keeps it. Times of day are "service minutes":
// minutes after local midnight of the service day (17:00 is 1020, 09:00 the next day is 1980),
// on the simulated clock; latencies and replay times are real milliseconds and seconds.

export type ServiceMinute = number;

export interface MachineInfo {
  readonly cores: number;
  readonly memoryGb: number;
  readonly cpu: string;
  readonly platform: string;
}

export interface VenueDayOptions {
  /** Simulated seconds per real second. */
  readonly compression: number;
  /** Multiplier of the day's load (1 = ~300 covers; 10 = the 10× day). */
  readonly rate: number;
  readonly seed: number;
  /** 'short' (in `npm test`), 'full' or 'ten-x'. */
  readonly variant: 'short' | 'full' | 'ten-x';
}

/** Ops counted per simulated minute, by op type (`order.create`, `payment.card`, …). */
export interface OpsMinute {
  readonly minute: ServiceMinute;
  readonly byKind: Readonly<Record<string, number>>;
}

/** Latency percentiles (real ms) of the ops sent in one window of simulated time; null: none. */
export interface LatencyWindow {
  readonly minute: ServiceMinute;
  /** A device's op accepted → the entry seen by a kitchen display on the relay's live feed. */
  readonly toKitchen: {
    readonly p50: number | null;
    readonly p99: number | null;
    readonly n: number;
  };
  /** A device's op accepted → the op in the cloud's feed. */
  readonly toCloud: {
    readonly p50: number | null;
    readonly p99: number | null;
    readonly n: number;
  };
}

/** Depths sampled at one moment. */
export interface DepthSample {
  readonly minute: ServiceMinute;
  /** The relay's journal depth (ops not yet in the cloud), from its /healthz. */
  readonly journal: number;
  /** Each device's outbox depth, by device name. */
  readonly outbox: Readonly<Record<string, number>>;
}

/** A span during which a party (the relay, or a device) was in one connectivity state. */
export interface ConnectivitySpan {
  readonly from: ServiceMinute;
  readonly to: ServiceMinute;
  /** The relay: online, degraded, offline, recovering, recovered; a device: live, offline, … */
  readonly state: string;
}

export interface ConnectivityTrack {
  /** `relay`, or a device name. */
  readonly party: string;
  readonly spans: readonly ConnectivitySpan[];
}

export interface OutageResult {
  /** e.g. "Wi-Fi blip", "WAN down at the payment peak", "Overnight". */
  readonly name: string;
  /** `wifi` (devices ↔ relay) or `wan` (relay ↔ cloud). */
  readonly link: 'wifi' | 'wan';
  readonly from: ServiceMinute;
  readonly to: ServiceMinute;
  /** Real seconds from the link restored to every op made meanwhile in the cloud; null: never. */
  readonly replaySeconds: number | null;
  /** Ops made while the link was down. */
  readonly opsDuring: number;
}

export interface Invariant {
  /** e.g. "ops lost". */
  readonly name: string;
  /** Must be 0. */
  readonly value: number;
  /** What was counted, in a sentence. */
  readonly means: string;
  /** The first few offenders, readable. */
  readonly examples: readonly string[];
}

export interface VenueDayResult {
  readonly title: string;
  /** Real ISO time the run started. */
  readonly startedAt: string;
  readonly realSeconds: number;
  readonly machine: MachineInfo;
  readonly options: VenueDayOptions;
  /** What the day held. */
  readonly totals: {
    readonly covers: number;
    readonly parties: number;
    readonly ops: number;
    readonly kitchenSends: number;
    readonly devices: Readonly<Record<string, number>>;
    /** Real Chromium pages that took part, by role. */
    readonly browserPages: Readonly<Record<string, number>>;
    /** Money in minor units: closed checks' totals, and the end-of-day report's sum. */
    readonly money: {
      readonly currency: string;
      readonly checksTotal: number;
      readonly reportTotal: number;
      readonly cash: number;
      readonly card: number;
      readonly tips: number;
    };
  };
  readonly opsPerMinute: readonly OpsMinute[];
  readonly latency: readonly LatencyWindow[];
  readonly depths: readonly DepthSample[];
  readonly connectivity: readonly ConnectivityTrack[];
  readonly outages: readonly OutageResult[];
  readonly invariants: readonly Invariant[];
}

/** True when every invariant is 0. */
export const invariantsHold = (result: Pick<VenueDayResult, 'invariants'>): boolean =>
  result.invariants.every((invariant) => invariant.value === 0);
