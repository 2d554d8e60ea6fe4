/*
 *    online ─fail─▶ degraded ─3rd fail in a row─▶ offline_local ──rescue_ok*──▶ rescue_uplink
 *       ▲ ◀─2 oks───┘  ▲                            │   ▲   ▲                       │  │  │
 *       │              │ fail                 2 oks │   │   └──── rescue_failed ────┘  │  │ 2 oks
 *       │              │                            ▼   │ fail                         │  │
 *       │ hold over    │                         reconciling ◀─── journal not empty ───┘  │
 *       │              │     journal_drained        │                                     │
 *       └───────── recovered ◀──────────────────────┘                                     │
 *                      ▲ ◀──────── 2 oks, journal empty (also from offline_local) ────────┘
 *
 *   * rescue_ok opens the rescue uplink only when rescue is enabled and the outage (measured from
 *     when offline_local began) has lasted at least the threshold. From online or recovered,
 *     journal_pending goes to reconciling. "2 oks" = `successesToRecover` consecutive probe_ok;
 *     "3rd fail" = `failuresToOffline` consecutive failures (probe_failed or request_failed).
 *
 * The relay's connectivity manager: a pure state machine. `connectivityStep(state, event, now,
 * config)` returns the next state, the transition (if the status changed) and the effects the
 * shell runs. No timers, no I/O: time comes in as `now` (ms since the epoch).
 *
 * Decisions:
 * - degraded → online needs `successesToRecover` consecutive probe_ok too, so a flapping link
 *   sits in degraded instead of flickering online/degraded.
 * - Any uplink failure while reconciling goes straight back to offline_local: the journal is not
 *   drained, so the relay must stay the local authority and keep journaling new ops behind the
 *   old ones; forwarding them (degraded) would let them overtake journaled ops.
 * - outageStartedAt survives offline_local → reconciling/rescue_uplink → offline_local: the outage
 *   is over only once the journal has drained (recovered) or the uplink was never lost (online).
 *   A link that comes back for two probes and drops again does not restart the rescue clock.
 * - One rescue_failed in rescue_uplink → offline_local (the rescue link is metered and best
 *   effort). rescue_uplink also falls back to offline_local on a tick if policy disabled rescue.
 * - online/recovered + journal_pending → reconciling (e.g. a journal left by a restart).
 *   degraded + journal_pending only remembers it; leaving degraded then goes to reconciling.
 */
import type { ConnectivityTransition, RelayConnectivity } from '#protocol';

export interface ConnectivityConfig {
  /** Consecutive uplink failures that turn online into degraded. */
  readonly failuresToDegrade: number;
  /** Consecutive uplink failures that turn online/degraded into offline_local. */
  readonly failuresToOffline: number;
  /** Consecutive probe_ok needed to leave degraded, offline_local or rescue_uplink. */
  readonly successesToRecover: number;
  /** How long `recovered` is held (checked on tick) before `online`. */
  readonly recoveredHoldMs: number;
  readonly rescue: {
    /** The rescue uplink is dormant by default. */
    readonly enabled: boolean;
    /** Outage length (from when offline_local began) after which rescue may open. */
    readonly outageThresholdMs: number;
  };
}

export const DEFAULT_CONNECTIVITY_CONFIG: ConnectivityConfig = {
  failuresToDegrade: 1,
  failuresToOffline: 3,
  successesToRecover: 2,
  recoveredHoldMs: 30_000,
  rescue: { enabled: false, outageThresholdMs: 300_000 },
};

export interface ConnectivityState {
  readonly status: RelayConnectivity;
  /** When the current status began (ms). */
  readonly since: number;
  /** Consecutive primary-uplink failures (probe_failed, request_failed); reset by probe_ok. */
  readonly consecutiveFailures: number;
  /** Consecutive probe_ok; reset by any primary-uplink failure. */
  readonly consecutiveSuccesses: number;
  /** When the current outage began (entering offline_local); null when there is none. */
  readonly outageStartedAt: number | null;
  /** Whether the journal holds ops to replay (journal_pending sets, journal_drained clears). */
  readonly journalPending: boolean;
}

export const CONNECTIVITY_EVENT_TYPES = [
  'probe_ok',
  'probe_failed',
  'request_failed',
  'journal_drained',
  'journal_pending',
  'tick',
  'rescue_ok',
  'rescue_failed',
] as const;
export type ConnectivityEventType = (typeof CONNECTIVITY_EVENT_TYPES)[number];

export type ConnectivityEvent =
  /** The primary uplink answered a probe. */
  | { readonly type: 'probe_ok' }
  /** A probe of the primary uplink timed out or was refused. */
  | { readonly type: 'probe_failed'; readonly detail?: string }
  /** A real request over the primary uplink failed with a network error or a 5xx. */
  | { readonly type: 'request_failed'; readonly detail?: string }
  /** Reconciliation replayed every journaled op and caught up. */
  | { readonly type: 'journal_drained' }
  /** The journal holds ops to replay. */
  | { readonly type: 'journal_pending'; readonly ops?: number }
  /** Time passes. */
  | { readonly type: 'tick' }
  /** The rescue link answered its probe. */
  | { readonly type: 'rescue_ok' }
  /** The rescue link's probe failed. */
  | { readonly type: 'rescue_failed'; readonly detail?: string };

export type ReplayVia = 'primary' | 'rescue';

export type ConnectivityEffect =
  | { readonly kind: 'start_replay'; readonly via: ReplayVia }
  | { readonly kind: 'stop_replay' }
  | { readonly kind: 'pull_feed' }
  | { readonly kind: 'pause_feed' }
  | { readonly kind: 'open_rescue' }
  | { readonly kind: 'close_rescue' };

export interface ConnectivityStepResult {
  readonly state: ConnectivityState;
  /** Present only when the status changed. */
  readonly transition?: ConnectivityTransition;
  readonly effects: readonly ConnectivityEffect[];
}

/** What the shell should be doing in a status; effects are the difference between two of these. */
export interface ConnectivityActivity {
  readonly feed: 'pull' | 'paused';
  readonly replay: 'none' | ReplayVia;
  readonly rescueLink: 'open' | 'closed';
}

const ACTIVITY: Readonly<Record<RelayConnectivity, ConnectivityActivity>> = {
  online: { feed: 'pull', replay: 'none', rescueLink: 'closed' },
  degraded: { feed: 'pull', replay: 'none', rescueLink: 'closed' },
  offline_local: { feed: 'paused', replay: 'none', rescueLink: 'closed' },
  rescue_uplink: { feed: 'paused', replay: 'rescue', rescueLink: 'open' },
  reconciling: { feed: 'pull', replay: 'primary', rescueLink: 'closed' },
  recovered: { feed: 'pull', replay: 'none', rescueLink: 'closed' },
};

/**
 * What the shell should be doing in `status` (feed, replay, rescue link). Use it at start-up
 * to bring the shell in line with the initial state; afterwards the step's effects keep it so.
 */
export function activityOf(status: RelayConnectivity): ConnectivityActivity {
  return ACTIVITY[status];
}

/**
 * A fresh state. The relay starts `online` (optimistic; the first probes correct it) unless told
 * otherwise; `offline_local` and `rescue_uplink` start their outage at `now`.
 */
export function initialConnectivityState(
  now: number,
  options: { readonly status?: RelayConnectivity; readonly journalPending?: boolean } = {},
): ConnectivityState {
  const status = options.status ?? 'online';
  return {
    status,
    since: now,
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    outageStartedAt: status === 'offline_local' || status === 'rescue_uplink' ? now : null,
    journalPending: options.journalPending ?? false,
  };
}

/**
 * Whether a rescue_ok would open the rescue uplink now: offline_local, rescue enabled, and the
 * outage has lasted at least the threshold. The shell uses it to decide when to probe the
 * rescue link at all.
 */
export function rescueEligible(
  state: ConnectivityState,
  now: number,
  config: ConnectivityConfig = DEFAULT_CONNECTIVITY_CONFIG,
): boolean {
  return (
    state.status === 'offline_local' &&
    config.rescue.enabled &&
    outageMs(state, now) >= config.rescue.outageThresholdMs
  );
}

/**
 * One step of the connectivity manager. Pure and total: every status accepts every event
 * (an event that does not apply changes counters at most).
 *
 * @example
 * let s = initialConnectivityState(now);
 * const r = connectivityStep(s, { type: 'probe_failed', detail: 'timeout' }, now);
 * // r.state.status === 'degraded'; r.transition?.reason === 'probe failed: timeout (1 consecutive failure)'
 * s = r.state; for (const e of r.effects) shell.run(e);
 */
export function connectivityStep(
  state: ConnectivityState,
  event: ConnectivityEvent,
  now: number,
  config: ConnectivityConfig = DEFAULT_CONNECTIVITY_CONFIG,
): ConnectivityStepResult {
  const counted = count(state, event);
  const target = decide(counted, event, now, config);
  if (target === null || target.to === state.status) return { state: counted, effects: [] };
  return enter(counted, target.to, target.reason, now);
}

interface Target {
  readonly to: RelayConnectivity;
  readonly reason: string;
}

function count(state: ConnectivityState, event: ConnectivityEvent): ConnectivityState {
  switch (event.type) {
    case 'probe_ok':
      return {
        ...state,
        consecutiveSuccesses: state.consecutiveSuccesses + 1,
        consecutiveFailures: 0,
      };
    case 'probe_failed':
    case 'request_failed':
      return {
        ...state,
        consecutiveFailures: state.consecutiveFailures + 1,
        consecutiveSuccesses: 0,
      };
    case 'journal_pending':
      return state.journalPending ? state : { ...state, journalPending: true };
    case 'journal_drained':
      return state.journalPending ? { ...state, journalPending: false } : state;
    case 'tick':
    case 'rescue_ok':
    case 'rescue_failed':
      return state;
  }
}

function decide(
  state: ConnectivityState,
  event: ConnectivityEvent,
  now: number,
  config: ConnectivityConfig,
): Target | null {
  switch (event.type) {
    case 'probe_ok':
      return onProbeOk(state, config);
    case 'probe_failed':
    case 'request_failed':
      return onFailure(state, event, config);
    case 'journal_pending':
      if (state.status === 'online' || state.status === 'recovered') {
        const what = event.ops === undefined ? 'journaled ops' : plural(event.ops, 'journaled op');
        return { to: 'reconciling', reason: `${what} to replay over the uplink` };
      }
      return null;
    case 'journal_drained':
      return state.status === 'reconciling'
        ? { to: 'recovered', reason: 'journal replayed and caught up' }
        : null;
    case 'tick':
      return onTick(state, now, config);
    case 'rescue_ok':
      if (!rescueEligible(state, now, config)) return null;
      return {
        to: 'rescue_uplink',
        reason: `outage ${formatDuration(outageMs(state, now))} past the ${formatDuration(
          config.rescue.outageThresholdMs,
        )} threshold; rescue link answered`,
      };
    case 'rescue_failed':
      return state.status === 'rescue_uplink'
        ? { to: 'offline_local', reason: `rescue link failed${detailOf(event.detail)}` }
        : null;
  }
}

function onProbeOk(state: ConnectivityState, config: ConnectivityConfig): Target | null {
  const { status, consecutiveSuccesses: n, journalPending } = state;
  if (status !== 'degraded' && status !== 'offline_local' && status !== 'rescue_uplink') {
    return null;
  }
  if (n < config.successesToRecover) return null;
  const oks = plural(n, 'consecutive probe success', 'consecutive probe successes');
  if (journalPending)
    return { to: 'reconciling', reason: `uplink back: ${oks}; journal to replay` };
  if (status === 'degraded') return { to: 'online', reason: `uplink steady: ${oks}` };
  return { to: 'recovered', reason: `uplink back: ${oks}; journal empty` };
}

function onFailure(
  state: ConnectivityState,
  event: { readonly type: 'probe_failed' | 'request_failed'; readonly detail?: string },
  config: ConnectivityConfig,
): Target | null {
  const n = state.consecutiveFailures;
  const what =
    (event.type === 'probe_failed' ? 'probe failed' : 'uplink request failed') +
    detailOf(event.detail);
  const streak = plural(n, 'consecutive failure');
  switch (state.status) {
    case 'online':
    case 'degraded':
      if (n >= config.failuresToOffline) {
        return { to: 'offline_local', reason: `${streak} (last: ${what})` };
      }
      if (state.status === 'online' && n >= config.failuresToDegrade) {
        return { to: 'degraded', reason: `${what} (${streak})` };
      }
      return null;
    case 'reconciling':
      return { to: 'offline_local', reason: `${what} while reconciling; journal not drained` };
    case 'recovered':
      return n >= config.failuresToOffline
        ? { to: 'offline_local', reason: `${streak} (last: ${what})` }
        : { to: 'degraded', reason: `${what} during the recovered hold` };
    case 'offline_local':
    case 'rescue_uplink':
      return null;
  }
}

function onTick(state: ConnectivityState, now: number, config: ConnectivityConfig): Target | null {
  if (state.status === 'recovered' && now - state.since >= config.recoveredHoldMs) {
    return {
      to: 'online',
      reason: `recovered and steady for ${formatDuration(now - state.since)}`,
    };
  }
  if (state.status === 'rescue_uplink' && !config.rescue.enabled) {
    return { to: 'offline_local', reason: 'rescue uplink disabled by policy' };
  }
  return null;
}

function enter(
  state: ConnectivityState,
  to: RelayConnectivity,
  reason: string,
  now: number,
): ConnectivityStepResult {
  const from = state.status;
  const outageStartedAt =
    to === 'online' || to === 'recovered'
      ? null
      : to === 'offline_local'
        ? (state.outageStartedAt ?? now)
        : state.outageStartedAt;
  return {
    state: { ...state, status: to, since: now, outageStartedAt },
    transition: { from, to, at: new Date(now).toISOString(), reason: clip(reason) },
    effects: effectsBetween(ACTIVITY[from], ACTIVITY[to]),
  };
}

// Stop before start, and replay before the feed: on the rescue link op replay goes first.
function effectsBetween(
  from: ConnectivityActivity,
  to: ConnectivityActivity,
): ConnectivityEffect[] {
  const effects: ConnectivityEffect[] = [];
  const replayChanges = from.replay !== to.replay;
  if (replayChanges && from.replay !== 'none') effects.push({ kind: 'stop_replay' });
  if (from.feed === 'pull' && to.feed === 'paused') effects.push({ kind: 'pause_feed' });
  if (from.rescueLink === 'open' && to.rescueLink === 'closed') {
    effects.push({ kind: 'close_rescue' });
  }
  if (from.rescueLink === 'closed' && to.rescueLink === 'open') {
    effects.push({ kind: 'open_rescue' });
  }
  if (replayChanges && to.replay !== 'none') effects.push({ kind: 'start_replay', via: to.replay });
  if (from.feed === 'paused' && to.feed === 'pull') effects.push({ kind: 'pull_feed' });
  return effects;
}

function outageMs(state: ConnectivityState, now: number): number {
  return state.outageStartedAt === null ? 0 : Math.max(0, now - state.outageStartedAt);
}

/** `5m00s`, `45s`, `1h05m00s`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (x: number): string => String(x).padStart(2, '0');
  if (h > 0) return `${h}h${pad(m)}m${pad(s)}s`;
  if (m > 0) return `${m}m${pad(s)}s`;
  return `${s}s`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function detailOf(detail: string | undefined): string {
  return detail === undefined || detail === '' ? '' : `: ${detail}`;
}

// The protocol's ConnectivityTransition caps reason at 200 characters.
function clip(reason: string): string {
  return reason.length <= 200 ? reason : `${reason.slice(0, 199)}…`;
}
