import type { DeviceConnectivity, Problem } from '#protocol';
import { backoffDelay } from '#protocol/retry/backoff.ts';
import { answerMeansRevoked, closeMeansRevoked, DEVICE_REVOKED } from '../device/device-revoked.ts';
import type { SyncMeta } from '../device/local-db.ts';

/*
 * The hydrator's sync policy, pure: what to do about a stored cursor, a failed request, a
 * closed socket; how long to wait; what to tell the banner. hydrator.ts runs the effects.
 *
 *            ┌─────────── re_bootstrap (409, 410, CURSOR_…, 4010) ◀──────┐
 *            ▼                                                            │
 *   start ─▶ bootstrap ─▶ live socket ──(never opened)──▶ long-poll /feed ─┤
 *     │   (no usable      │  ▲     │                         │  (retry the │
 *     │    cursor)        │  └─────┘ 4008 / clean close:     │   socket    │
 *     └─▶ resume ─────────┘          resume from the cursor  │   later)    │
 *                          network / 429 / 5xx: back off, keep the cache ──┘
 */

/** What the hydrator asks the target for: one venue's stream, with these scopes, from there. */
export interface SyncTarget {
  readonly venueId: string;
  /** Sorted, without repeats; empty means "the server's default for my role". */
  readonly scopes: readonly string[];
  /** The origin requests go to (the relay's or the cloud's). */
  readonly origin: string;
}

/** What to do after a failure. */
export type FailureAction =
  /** Drop the cursor's claim: load a snapshot (written over the cache in one transaction). */
  | 're_bootstrap'
  /** Reconnect from the stored cursor at once. */
  | 'resume'
  /** Wait (exponential backoff, or the server's Retry-After), then resume. */
  | 'back_off'
  /** The session is gone: keep the cache, wait long, try again (sign-in happens in a page). */
  | 'sign_in'
  /** Not allowed or not there: keep the cache, wait long, try again. */
  | 'stop';

export interface Failure {
  readonly action: FailureAction;
  readonly code: string;
  readonly detail: string;
  readonly retryAfterMs?: number;
  /** True when the target could not be reached at all (the banner says offline). */
  readonly unreachable?: boolean;
  /** True when a manager revoked this device: the person is signed out on every tab. */
  readonly revoked?: boolean;
}

/** Sorted scopes without repeats: the form scopes are stored and compared in. */
export function normalizeScopes(scopes: readonly string[]): string[] {
  return [...new Set(scopes)].sort();
}

/**
 * Why the stored cursor cannot be used for `target`, or undefined when it can. A cursor is
 * bound to its venue, its scope set and the origin that signed it (a relay's cursor means
 * nothing to the cloud, and the other way round).
 */
export function bootstrapReason(
  stored: SyncMeta | undefined,
  target: SyncTarget,
): string | undefined {
  if (!stored) return 'no cursor yet';
  if (stored.venueId !== target.venueId) return `cursor is for venue ${stored.venueId}`;
  if (stored.scopes.join(',') !== target.scopes.join(',')) return 'cursor is for other scopes';
  if (stored.target !== target.origin) return `cursor came from ${stored.target}`;
  return undefined;
}

/**
 * Classifies an HTTP problem from the feed or snapshot routes. Every cursor problem ends in a
 * re-bootstrap: a cursor the server will not take is only ever replaced by a snapshot's (the
 * cloud marks a foreign or forged cursor `fix_request`, but retrying it as is cannot help).
 */
export function failureOfResponse(
  status: number,
  problem: Problem | undefined,
  retryAfterHeader: string | null,
): Failure {
  const code = problem?.code ?? `HTTP_${status}`;
  const detail = problem?.detail ?? problem?.title ?? `HTTP ${status}`;
  const retryAfterMs = retryAfterOf(problem?.retryAfter, retryAfterHeader);
  const base = { code, detail, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  if (answerMeansRevoked(status, problem?.code))
    return { action: 'sign_in', ...base, revoked: true };
  if (problem?.kind === 're_bootstrap' || code.startsWith('CURSOR_')) {
    return { action: 're_bootstrap', ...base };
  }
  if (!problem && (status === 409 || status === 410)) return { action: 're_bootstrap', ...base };
  if (status === 401 || problem?.kind === 'sign_in') return { action: 'sign_in', ...base };
  if (status === 429 || status >= 500 || problem?.kind === 'back_off') {
    return { action: 'back_off', ...base };
  }
  if (problem?.kind === 'retry_later') return { action: 'back_off', ...base };
  return { action: 'stop', ...base };
}

/** A fetch or socket that never reached the server. */
export function failureOfNetwork(error: unknown): Failure {
  const detail = error instanceof Error ? error.message : String(error);
  return { action: 'back_off', code: 'NETWORK', detail, unreachable: true };
}

/** A body that did not parse as what the route promises. */
export function failureOfBody(what: string, detail: string): Failure {
  return { action: 'back_off', code: 'BAD_RESPONSE', detail: `${what}: ${detail}` };
}

/** How a live socket ended, and so what comes next. */
export type LiveEnd =
  | { readonly kind: 'never_opened' }
  | { readonly kind: 'closed'; readonly failure: Failure };

/**
 * What a live socket's close means. A socket that never opened tells nothing (browsers hide
 * the HTTP answer to a refused upgrade): the caller asks `/feed`, whose answer says why.
 * Otherwise the last error frame's problem decides, then the close code: 4010 re-bootstrap,
 * 4008 (too slow) resume at once, anything else back off and resume. 4401 (or the reason
 * `DEVICE_REVOKED`) says the device was revoked, with or without its error frame.
 */
export function liveEndOf(
  opened: boolean,
  code: number,
  lastProblem: Problem | undefined,
  reason = '',
): LiveEnd {
  if (closeMeansRevoked(code, reason)) {
    const detail = lastProblem?.detail ?? 'this device is no longer paired with the venue';
    return {
      kind: 'closed',
      failure: { action: 'sign_in', code: DEVICE_REVOKED, detail, revoked: true },
    };
  }
  if (!opened) return { kind: 'never_opened' };
  if (lastProblem?.kind === 're_bootstrap' || code === 4010) {
    return {
      kind: 'closed',
      failure: {
        action: 're_bootstrap',
        code: lastProblem?.code ?? 'STREAM_RESET',
        detail: lastProblem?.detail ?? 'the stream was reset',
      },
    };
  }
  if (code === 4008) {
    return {
      kind: 'closed',
      failure: { action: 'resume', code: 'SLOW_CONSUMER', detail: 'resume from the cursor' },
    };
  }
  if (lastProblem)
    return { kind: 'closed', failure: failureOfResponse(lastProblem.status, lastProblem, null) };
  return {
    kind: 'closed',
    failure: { action: 'back_off', code: `CLOSED_${code}`, detail: 'the live socket closed' },
  };
}

/** A backoff's first ceiling and its cap, for protocol's `backoffDelay`. */
export interface BackoffSettings {
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * Shorter than the outbox's: the hydrator retries for as long as it runs (no try limit), so a
 * screen is current again within a second of a blip and at most 30 s after a long outage.
 */
export const DEFAULT_BACKOFF: BackoffSettings = { baseMs: 500, maxMs: 30_000 };

/**
 * The wait after failure number `attempt` (1, 2, …): protocol's jittered `backoffDelay`, or the
 * server's Retry-After when longer; the cap for sign-in/stop, nothing before a resume.
 */
export function delayAfter(
  failure: Failure,
  attempt: number,
  settings: BackoffSettings,
  random: number,
): number {
  if (failure.action === 'resume') return 0;
  if (failure.action === 'sign_in' || failure.action === 'stop') return settings.maxMs;
  return backoffDelay(attempt, settings.baseMs, settings.maxMs, random, failure.retryAfterMs);
}

/** How the hydrator is receiving the feed now. */
export type FeedMode = 'live' | 'polling' | 'down';

/**
 * The banner's state: pushed over a socket → connected to the relay or the cloud; only
 * long-polling → degraded; nothing answers → offline (the cache still shows).
 */
export function connectivityOf(
  mode: FeedMode,
  target: 'relay' | 'cloud' | null,
): DeviceConnectivity {
  if (mode === 'down') return 'offline';
  if (mode === 'polling') return 'degraded';
  return target === 'relay' ? 'connected_relay' : 'connected_cloud';
}

function retryAfterOf(seconds: number | undefined, header: string | null): number | undefined {
  if (seconds !== undefined) return seconds * 1000;
  if (header === null) return undefined;
  const n = Number(header);
  return Number.isFinite(n) && n >= 0 ? n * 1000 : undefined;
}
