import type { OpResult } from '#protocol';
import { kindForStatus } from '#protocol/check/problem-body.ts';
import { backoffDelay } from '#protocol/retry/backoff.ts';
import type { OutboxEntry, OutboxErrorInfo } from '../device/outbox-types.ts';

/*
 * What becomes of an in-flight op when the target answers: a pure function of the entry, the
 * answer, the time and a random draw (the jitter). The replayer runs it; the store keeps the
 * result.
 *
 *                     ┌─ applied, duplicate(applied) ───────────────────────▶ synced
 *                     ├─ accepted_local, duplicate(accepted_local) ─────────▶ delivered_local
 *   sending ──answer──┼─ rejected, duplicate(rejected), 400/413/422, 403/404 ▶ failed (never retried)
 *                     ├─ 409, retryable IN_FLIGHT/DEPENDENCY_PENDING/NOT_PROCESSED,
 *                     │  no result for it ──────────▶ pending after Retry-After (1 s), no try counted
 *                     ├─ 401 ───────────────────────▶ pending, SIGN_IN, no try counted; replay stops
 *                     └─ 429, 5xx, 410, network, not a batch answer, retryable RATE_LIMITED/
 *                        UNAVAILABLE ─▶ try + 1: pending after max(backoff, Retry-After),
 *                                       or failed RETRIES_EXHAUSTED at the 10th try
 *
 * Backoff before the next try: the first send is immediate; after n failed tries the op waits
 * between half and all of min(5 s · 2^(n−1), 4 min) (protocol's `backoffDelay`), so the
 * devices of a venue that failed together do not all retry together. Ten tries span 9 to 17
 * minutes of failures (13 on average), enough to outlast a restart of the server. An entry that is not `sending` is left as it is: the answer is stale
 * (a replay that lost its lease), and the op is, or will be, sent again.
 *
 * Why 401 is not "failed": the op is not at fault and the person will sign in again; failing
 * it would make them retry every op by hand, and could break their order. It waits, marked
 * SIGN_IN (the banner says "sign in"), and goes as soon as a replay finds a session.
 */

/** What the target said about one op of a batch. */
export type SendOutcome =
  /** A 200 batch answer's result for this op. */
  | { readonly kind: 'result'; readonly result: OpResult }
  /** A 200 batch answer without a result for this op (treated as not processed). */
  | { readonly kind: 'missing' }
  /** The whole batch got a non-2xx answer. */
  | {
      readonly kind: 'http';
      readonly status: number;
      /** The problem's code, when the body was problem+json. */
      readonly code: string | null;
      readonly message: string;
      readonly retryAfterMs: number | null;
    }
  /** No answer: offline, DNS, TLS, timeout, a redirect (captive portal). */
  | { readonly kind: 'network'; readonly message: string }
  /** A 2xx whose body is not a batch answer (a captive portal's page, a proxy). */
  | { readonly kind: 'bad_response'; readonly message: string };

/** What the answer means for the rest of the replay pass. */
export type Verdict = 'settled' | 'retry_later' | 'back_off' | 'sign_in' | 'failed';

export interface PolicyOptions {
  readonly maxTries?: number;
  /** Wait for "try again later" answers that carry no Retry-After. */
  readonly retryLaterMs?: number;
}

/**
 * The backoff's first ceiling and its cap: longer than the hydrator's or the relay's, since an
 * op is tried only ten times, and those must outlast a restart of the target.
 */
export const BACKOFF_BASE_MS = 5_000;
export const BACKOFF_MAX_MS = 240_000;
export const MAX_TRIES = 10;
export const RETRY_LATER_MS = 1_000;

const RETRY_LATER_CODES: ReadonlySet<string> = new Set([
  'IN_FLIGHT',
  'DEPENDENCY_PENDING',
  'NOT_PROCESSED',
]);

/** The replay policy: answers → next entry states, and whether a replay pass goes on. */
export class ReplayPolicy {
  readonly maxTries: number;
  readonly retryLaterMs: number;

  constructor(options: PolicyOptions = {}) {
    this.maxTries = options.maxTries ?? MAX_TRIES;
    this.retryLaterMs = options.retryLaterMs ?? RETRY_LATER_MS;
  }

  /** How an answer is treated (the second column of the table above). */
  verdict(outcome: SendOutcome): Verdict {
    switch (outcome.kind) {
      case 'result':
        return resultVerdict(outcome.result);
      case 'missing':
        return 'retry_later';
      case 'network':
      case 'bad_response':
        return 'back_off';
      case 'http':
        switch (kindForStatus(outcome.status)) {
          case 'sign_in':
            return 'sign_in';
          case 'retry_later':
            return 'retry_later';
          case 'fix_request':
          case 'stop':
            return 'failed';
          // 410 means nothing for ops; like any unexpected answer it is retried, with backoff.
          case 're_bootstrap':
          case 'back_off':
            return 'back_off';
        }
    }
  }

  /**
   * The entry after the target's answer, at `now`. Pure: `random` (in [0, 1]) places a backoff
   * within its jitter range.
   */
  next(entry: OutboxEntry, outcome: SendOutcome, now: number, random: number): OutboxEntry {
    if (entry.status !== 'sending') return entry;
    const result = outcome.kind === 'result' ? outcome.result : entry.result;
    const error = errorOf(outcome);
    switch (this.verdict(outcome)) {
      case 'settled': {
        const delivered = settledStatus(outcome.kind === 'result' ? outcome.result : null);
        return { ...entry, status: delivered, lastError: null, result, settledAt: now };
      }
      case 'failed':
        return { ...entry, status: 'failed', lastError: error, result, settledAt: now };
      case 'sign_in':
        return { ...entry, status: 'pending', lastError: error, result, nextAttemptAt: now };
      case 'retry_later':
        return {
          ...entry,
          status: 'pending',
          lastError: error,
          result,
          nextAttemptAt: now + (retryAfterOf(outcome) ?? this.retryLaterMs),
        };
      case 'back_off': {
        const tries = entry.tries + 1;
        if (tries >= this.maxTries) {
          return {
            ...entry,
            status: 'failed',
            tries,
            result,
            settledAt: now,
            lastError: {
              code: 'RETRIES_EXHAUSTED',
              message: `gave up after ${tries} tries; last: ${error.code} ${error.message}`,
            },
          };
        }
        return {
          ...entry,
          status: 'pending',
          tries,
          lastError: error,
          result,
          nextAttemptAt:
            now +
            backoffDelay(tries, BACKOFF_BASE_MS, BACKOFF_MAX_MS, random, retryAfterOf(outcome)),
        };
      }
    }
  }

  /**
   * Whether the replay pass stops after this answer. A whole-batch answer that is not final
   * (401, 409, 429, 5xx, network) stops it: the next batch would meet the same; the browser,
   * a page's timer or the backoff time brings the next pass.
   */
  stopsPass(outcome: SendOutcome): boolean {
    if (outcome.kind === 'result') return this.verdict(outcome) === 'back_off';
    if (outcome.kind === 'missing') return false;
    const verdict = this.verdict(outcome);
    return verdict !== 'failed' && verdict !== 'settled';
  }
}

function resultVerdict(result: OpResult): Verdict {
  switch (result.status) {
    case 'applied':
    case 'accepted_local':
      return 'settled';
    case 'rejected':
      return 'failed';
    case 'duplicate':
      return result.first.status === 'rejected' ? 'failed' : 'settled';
    case 'retryable':
      return RETRY_LATER_CODES.has(result.code) ? 'retry_later' : 'back_off';
  }
}

function settledStatus(result: OpResult | null): 'synced' | 'delivered_local' {
  const decided = result?.status === 'duplicate' ? result.first : result;
  return decided?.status === 'accepted_local' ? 'delivered_local' : 'synced';
}

function retryAfterOf(outcome: SendOutcome): number | null {
  if (outcome.kind === 'http') return outcome.retryAfterMs;
  if (outcome.kind === 'result' && outcome.result.status === 'retryable') {
    return outcome.result.retryAfterMs ?? null;
  }
  return null;
}

function errorOf(outcome: SendOutcome): OutboxErrorInfo {
  switch (outcome.kind) {
    case 'result': {
      const result = outcome.result;
      if (result.status === 'rejected' || result.status === 'retryable') {
        return { code: result.code, message: result.message };
      }
      if (result.status === 'duplicate' && result.first.status === 'rejected') {
        return { code: result.first.code, message: result.first.message };
      }
      return { code: 'OK', message: result.status };
    }
    case 'missing':
      return { code: 'NOT_PROCESSED', message: 'the answer had no result for this op' };
    case 'http':
      if (outcome.status === 401) return { code: 'SIGN_IN', message: 'sign in again to send' };
      return { code: outcome.code ?? `HTTP_${outcome.status}`, message: outcome.message };
    case 'network':
      return { code: 'NETWORK', message: outcome.message };
    case 'bad_response':
      return { code: 'BAD_RESPONSE', message: outcome.message };
  }
}
