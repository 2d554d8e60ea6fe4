import { expect } from '@esm-bundle/chai';
import type { OpResult } from '#protocol';
import type { OutboxEntry, OutboxStatus } from '../../web/device/outbox-types.ts';
import { ReplayPolicy, type SendOutcome, type Verdict } from '../../web/sw/outbox-policy.ts';
import { createOrder, entryFor, T0 } from './outbox-fixtures.ts';

// The replay policy's whole transition table, literally: every kind of answer the target can
// give (the ops API's statuses plus the batch results), for an op in flight, at the first and
// the last allowed try; and every answer for an op that is not in flight (stale: nothing
// changes). The table's waits are the backoff's ceilings (random 1); its jitter is below.

const OP_ID = '01JD0000000000000000000001';
const NOW = T0 + 60_000;
const policy = new ReplayPolicy();

const applied: OpResult = {
  opId: OP_ID,
  status: 'applied',
  seq: 7,
  changed: [],
  at: '2026-11-22T18:00:00.000Z',
};
const acceptedLocal: OpResult = { ...applied, status: 'accepted_local' };
const rejected: OpResult = {
  opId: OP_ID,
  status: 'rejected',
  code: 'INVALID_STATE_TRANSITION',
  message: 'order is closed',
};
const retryable = (
  code: Extract<OpResult, { status: 'retryable' }>['code'],
  retryAfterMs?: number,
): SendOutcome => ({
  kind: 'result',
  result: { opId: OP_ID, status: 'retryable', code, message: code, retryAfterMs },
});
const result = (r: OpResult): SendOutcome => ({ kind: 'result', result: r });
const http = (
  status: number,
  retryAfterMs: number | null = null,
  code: string | null = null,
): SendOutcome => ({
  kind: 'http',
  status,
  code,
  message: `HTTP ${status}`,
  retryAfterMs,
});
const network: SendOutcome = { kind: 'network', message: 'TypeError: Failed to fetch' };
const badResponse: SendOutcome = { kind: 'bad_response', message: 'the answer is not JSON' };

interface Expected {
  readonly verdict: Verdict;
  readonly status: OutboxStatus;
  readonly tries: number;
  /** nextAttemptAt − now; null: left as it was. */
  readonly waitMs: number | null;
  readonly error: string | null;
  /** Whether the replay pass stops after this answer. */
  readonly stops: boolean;
}

const x = (
  verdict: Verdict,
  status: OutboxStatus,
  tries: number,
  waitMs: number | null,
  error: string | null,
  stops: boolean,
): Expected => ({ verdict, status, tries, waitMs, error, stops });

// [answer, outcome, tries before, expected]
const TABLE: readonly (readonly [string, SendOutcome, number, Expected])[] = [
  // 200 with a result for the op
  ['applied', result(applied), 0, x('settled', 'synced', 0, null, null, false)],
  [
    'applied after 9 failed tries',
    result(applied),
    9,
    x('settled', 'synced', 9, null, null, false),
  ],
  [
    'accepted_local (relay offline)',
    result(acceptedLocal),
    0,
    x('settled', 'delivered_local', 0, null, null, false),
  ],
  [
    'duplicate of applied',
    result({ opId: OP_ID, status: 'duplicate', first: applied }),
    3,
    x('settled', 'synced', 3, null, null, false),
  ],
  [
    'duplicate of accepted_local',
    result({ opId: OP_ID, status: 'duplicate', first: acceptedLocal }),
    0,
    x('settled', 'delivered_local', 0, null, null, false),
  ],
  [
    'duplicate of rejected',
    result({ opId: OP_ID, status: 'duplicate', first: rejected }),
    0,
    x('failed', 'failed', 0, null, 'INVALID_STATE_TRANSITION', false),
  ],
  [
    'rejected',
    result(rejected),
    0,
    x('failed', 'failed', 0, null, 'INVALID_STATE_TRANSITION', false),
  ],
  [
    'rejected DEPENDENCY_REJECTED',
    result({ ...rejected, code: 'DEPENDENCY_REJECTED' }),
    2,
    x('failed', 'failed', 2, null, 'DEPENDENCY_REJECTED', false),
  ],
  [
    'retryable IN_FLIGHT 1.5 s',
    retryable('IN_FLIGHT', 1500),
    0,
    x('retry_later', 'pending', 0, 1500, 'IN_FLIGHT', false),
  ],
  [
    'retryable DEPENDENCY_PENDING 2 s',
    retryable('DEPENDENCY_PENDING', 2000),
    4,
    x('retry_later', 'pending', 4, 2000, 'DEPENDENCY_PENDING', false),
  ],
  [
    'retryable NOT_PROCESSED, no delay given',
    retryable('NOT_PROCESSED'),
    9,
    x('retry_later', 'pending', 9, 1000, 'NOT_PROCESSED', false),
  ],
  [
    'retryable RATE_LIMITED 30 s',
    retryable('RATE_LIMITED', 30_000),
    0,
    x('back_off', 'pending', 1, 30_000, 'RATE_LIMITED', true),
  ],
  [
    'retryable UNAVAILABLE',
    retryable('UNAVAILABLE'),
    2,
    x('back_off', 'pending', 3, 20_000, 'UNAVAILABLE', true),
  ],
  [
    'retryable UNAVAILABLE at the 10th try',
    retryable('UNAVAILABLE'),
    9,
    x('back_off', 'failed', 10, null, 'RETRIES_EXHAUSTED', true),
  ],
  [
    '200 without a result for the op',
    { kind: 'missing' },
    0,
    x('retry_later', 'pending', 0, 1000, 'NOT_PROCESSED', false),
  ],
  // the whole batch answered with a status (the ops API)
  [
    '400 bad request',
    http(400, null, 'VALIDATION'),
    0,
    x('failed', 'failed', 0, null, 'VALIDATION', false),
  ],
  ['401 session expired', http(401), 3, x('sign_in', 'pending', 3, 0, 'SIGN_IN', true)],
  [
    '403 forbidden',
    http(403, null, 'FORBIDDEN'),
    0,
    x('failed', 'failed', 0, null, 'FORBIDDEN', false),
  ],
  ['404 no such venue', http(404), 0, x('failed', 'failed', 0, null, 'HTTP_404', false)],
  [
    '409 in flight, Retry-After 3 s',
    http(409, 3000),
    2,
    x('retry_later', 'pending', 2, 3000, 'HTTP_409', true),
  ],
  ['409 without Retry-After', http(409), 0, x('retry_later', 'pending', 0, 1000, 'HTTP_409', true)],
  ['410 (unexpected for ops)', http(410), 0, x('back_off', 'pending', 1, 5000, 'HTTP_410', true)],
  [
    '413 batch too large',
    http(413, null, 'BATCH_TOO_LARGE'),
    0,
    x('failed', 'failed', 0, null, 'BATCH_TOO_LARGE', false),
  ],
  ['418 any other 4xx', http(418), 0, x('failed', 'failed', 0, null, 'HTTP_418', false)],
  [
    '422 key reused',
    http(422, null, 'IDEMPOTENCY_KEY_REUSED'),
    0,
    x('failed', 'failed', 0, null, 'IDEMPOTENCY_KEY_REUSED', false),
  ],
  ['429 first time', http(429), 0, x('back_off', 'pending', 1, 5000, 'HTTP_429', true)],
  [
    '429 Retry-After 60 s beats 5 s',
    http(429, 60_000),
    0,
    x('back_off', 'pending', 1, 60_000, 'HTTP_429', true),
  ],
  [
    '429 Retry-After 1 s loses to 40 s',
    http(429, 1000),
    3,
    x('back_off', 'pending', 4, 40_000, 'HTTP_429', true),
  ],
  ['500 after 0 tries', http(500), 0, x('back_off', 'pending', 1, 5000, 'HTTP_500', true)],
  ['502 after 1 try', http(502), 1, x('back_off', 'pending', 2, 10_000, 'HTTP_502', true)],
  ['503 after 2 tries', http(503), 2, x('back_off', 'pending', 3, 20_000, 'HTTP_503', true)],
  ['504 after 3 tries', http(504), 3, x('back_off', 'pending', 4, 40_000, 'HTTP_504', true)],
  ['503 after 8 tries', http(503), 8, x('back_off', 'pending', 9, 240_000, 'HTTP_503', true)],
  [
    '503 at the 10th try',
    http(503),
    9,
    x('back_off', 'failed', 10, null, 'RETRIES_EXHAUSTED', true),
  ],
  ['network error', network, 0, x('back_off', 'pending', 1, 5000, 'NETWORK', true)],
  [
    'network error at the 10th try',
    network,
    9,
    x('back_off', 'failed', 10, null, 'RETRIES_EXHAUSTED', true),
  ],
  [
    '2xx that is not a batch answer',
    badResponse,
    4,
    x('back_off', 'pending', 5, 80_000, 'BAD_RESPONSE', true),
  ],
];

let base: OutboxEntry;

before(async () => {
  base = entryFor({ ...(await createOrder('order-1')), opId: OP_ID }, { status: 'sending' });
});

describe('outbox policy: an op in flight, every answer', () => {
  for (const [answer, outcome, triesBefore, want] of TABLE) {
    it(`${answer} (tries ${triesBefore}) → ${want.status}`, () => {
      const entry: OutboxEntry = { ...base, tries: triesBefore };
      const next = policy.next(entry, outcome, NOW, 1);

      expect(policy.verdict(outcome)).to.equal(want.verdict);
      expect(next.status).to.equal(want.status);
      expect(next.tries).to.equal(want.tries);
      expect(next.nextAttemptAt).to.equal(
        want.waitMs === null ? entry.nextAttemptAt : NOW + want.waitMs,
      );
      expect(next.lastError?.code ?? null).to.equal(want.error);
      expect(policy.stopsPass(outcome)).to.equal(want.stops);
      const settled = want.status !== 'pending';
      expect(next.settledAt).to.equal(settled ? NOW : null);
      expect(next.opId, 'the key never changes').to.equal(OP_ID);
      expect(next.op).to.equal(entry.op);
      if (outcome.kind === 'result') expect(next.result).to.deep.equal(outcome.result);
    });
  }

  it('says why it gave up after the 10th try', () => {
    const next = policy.next({ ...base, tries: 9 }, http(503, null, 'UNAVAILABLE'), NOW, 1);
    expect(next.lastError?.message).to.equal('gave up after 10 tries; last: UNAVAILABLE HTTP 503');
  });

  it('covers every HTTP error status with the class the table gives it', () => {
    for (let status = 400; status < 600; status++) {
      const verdict = policy.verdict(http(status));
      const want: Verdict =
        status === 401
          ? 'sign_in'
          : status === 409
            ? 'retry_later'
            : status === 410 || status === 429 || status >= 500
              ? 'back_off'
              : 'failed';
      expect(verdict, `HTTP ${status}`).to.equal(want);
    }
  });
});

describe('outbox policy: backoff schedule', () => {
  // [failed tries so far, the longest wait before the next try]: 5 s doubling, capped at 4 min.
  const CEILINGS: readonly (readonly [number, number])[] = [
    [1, 5_000],
    [2, 10_000],
    [3, 20_000],
    [4, 40_000],
    [5, 80_000],
    [6, 160_000],
    [7, 240_000],
    [9, 240_000],
  ];
  const waitAfter = (tries: number, random: number, retryAfterMs: number | null = null) => {
    const entry: OutboxEntry = { ...base, tries: tries - 1 };
    return policy.next(entry, http(503, retryAfterMs), NOW, random).nextAttemptAt - NOW;
  };
  for (const [tries, ceiling] of CEILINGS) {
    it(`waits ${ceiling / 2000}–${ceiling / 1000} s after ${tries} failed tries, as random places it`, () => {
      expect(waitAfter(tries, 0)).to.equal(ceiling / 2);
      expect(waitAfter(tries, 0.5)).to.equal((ceiling * 3) / 4);
      expect(waitAfter(tries, 1)).to.equal(ceiling);
    });
  }

  it('takes the longer of the jittered wait and Retry-After', () => {
    expect(waitAfter(1, 1, 2_000)).to.equal(5_000);
    expect(waitAfter(1, 0, 90_000)).to.equal(90_000);
    expect(waitAfter(9, 1, 300_000)).to.equal(300_000);
  });
});

describe('outbox policy: an op not in flight (a stale answer)', () => {
  const others: readonly OutboxStatus[] = ['pending', 'delivered_local', 'synced', 'failed'];
  for (const status of others) {
    it(`leaves a ${status} op exactly as it was, whatever the answer`, () => {
      for (const [answer, outcome, tries] of TABLE) {
        const entry: OutboxEntry = { ...base, status, tries };
        expect(policy.next(entry, outcome, NOW, 0.5), answer).to.equal(entry);
      }
    });
  }
});
