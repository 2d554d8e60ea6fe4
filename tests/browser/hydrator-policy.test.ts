import { expect } from '@esm-bundle/chai';
import { problem } from '#protocol';
import type { SyncMeta } from '../../web/device/local-db.ts';
import {
  bootstrapReason,
  connectivityOf,
  DEFAULT_BACKOFF,
  delayAfter,
  type Failure,
  failureOfResponse,
  liveEndOf,
  normalizeScopes,
} from '../../web/hydrator/hydrator-policy.ts';

// The hydrator's pure decisions: when a stored cursor is unusable, what each server answer
// means, how long to wait, what the banner says.

const stored: SyncMeta = {
  key: 'sync',
  venueId: 'demo-bistro',
  cursor: 'c',
  scopes: ['menu', 'ticket'],
  target: 'https://relay.test',
  snapshotSeq: 0,
  lastSyncAt: null,
};
const target = { venueId: 'demo-bistro', scopes: ['menu', 'ticket'], origin: 'https://relay.test' };

describe('hydrator policy', () => {
  it('uses a stored cursor only for its venue, scope set and origin', () => {
    expect(bootstrapReason(stored, target)).to.equal(undefined);
    expect(bootstrapReason(undefined, target)).to.equal('no cursor yet');
    expect(bootstrapReason(stored, { ...target, venueId: 'other' })).to.match(/venue/);
    expect(bootstrapReason(stored, { ...target, scopes: ['ticket'] })).to.match(/scopes/);
    expect(bootstrapReason(stored, { ...target, origin: 'https://cloud.test' })).to.match(
      /relay\.test/,
    );
    expect(normalizeScopes(['ticket', 'menu', 'ticket'])).to.deep.equal(['menu', 'ticket']);
  });

  it('re-bootstraps on every cursor problem, whatever kind the origin gave it', () => {
    const cases = [
      [409, problem(409, 'CURSOR_SCOPE_MISMATCH', 'x', { kind: 're_bootstrap' })],
      [410, problem(410, 'CURSOR_EXPIRED', 'x', { kind: 're_bootstrap' })],
      [400, problem(400, 'CURSOR_INVALID', 'x', { kind: 're_bootstrap' })],
      // The cloud calls a foreign cursor (a relay's) a bad request; only a snapshot mends it.
      [400, problem(400, 'CURSOR_INVALID', 'x', { kind: 'fix_request' })],
      [400, problem(400, 'CURSOR_AHEAD', 'x', { kind: 're_bootstrap' })],
    ] as const;
    for (const [status, body] of cases) {
      expect(failureOfResponse(status, body, null).action, body.code).to.equal('re_bootstrap');
    }
    expect(failureOfResponse(410, undefined, null).action).to.equal('re_bootstrap');
  });

  it('backs off on 429/5xx (honouring Retry-After), waits long on 401/403', () => {
    const limited = failureOfResponse(
      429,
      problem(429, 'RATE_LIMITED', 'x', { retryAfter: 7 }),
      null,
    );
    expect(limited).to.deep.include({ action: 'back_off', retryAfterMs: 7000 });
    expect(failureOfResponse(503, undefined, '3')).to.deep.include({
      action: 'back_off',
      retryAfterMs: 3000,
    });
    expect(failureOfResponse(401, problem(401, 'UNAUTHENTICATED', 'x'), null).action).to.equal(
      'sign_in',
    );
    expect(failureOfResponse(403, problem(403, 'SCOPE_FORBIDDEN', 'x'), null).action).to.equal(
      'stop',
    );
    expect(delayAfter(limited, 1, DEFAULT_BACKOFF, 0)).to.equal(7000);
    expect(
      delayAfter({ action: 'sign_in', code: 'x', detail: '' }, 1, DEFAULT_BACKOFF, 0),
    ).to.equal(DEFAULT_BACKOFF.maxMs);
  });

  it('reads a socket’s end: never opened, 4010, 4008, an error frame', () => {
    expect(liveEndOf(false, 1006, undefined)).to.deep.equal({ kind: 'never_opened' });
    expect(liveEndOf(true, 4010, undefined)).to.deep.nested.include({
      'failure.action': 're_bootstrap',
    });
    expect(liveEndOf(true, 4008, undefined)).to.deep.nested.include({ 'failure.action': 'resume' });
    const reset = problem(410, 'CURSOR_EXPIRED', 'x', { kind: 're_bootstrap' });
    expect(liveEndOf(true, 1011, reset)).to.deep.nested.include({
      'failure.action': 're_bootstrap',
    });
    expect(liveEndOf(true, 1006, undefined)).to.deep.nested.include({
      'failure.action': 'back_off',
    });
  });

  it('backs off exponentially from 500 ms to 30 s, the jitter over the upper half', () => {
    const down: Failure = { action: 'back_off', code: 'NETWORK', detail: 'offline' };
    const delayOf = (attempt: number, random: number) =>
      delayAfter(down, attempt, DEFAULT_BACKOFF, random);
    expect([1, 2, 3, 4].map((n) => delayOf(n, 0))).to.deep.equal([250, 500, 1000, 2000]);
    expect([1, 2, 3, 4].map((n) => delayOf(n, 1))).to.deep.equal([500, 1000, 2000, 4000]);
    expect(delayOf(20, 0)).to.equal(15_000);
    expect(delayOf(20, 1)).to.equal(30_000);
    // Retry-After is a floor under the jittered wait, not a replacement for it.
    expect(delayAfter({ ...down, retryAfterMs: 700 }, 3, DEFAULT_BACKOFF, 1)).to.equal(2000);
    expect(delayAfter({ ...down, retryAfterMs: 60_000 }, 3, DEFAULT_BACKOFF, 1)).to.equal(60_000);
    expect(delayAfter({ ...down, action: 'resume' }, 3, DEFAULT_BACKOFF, 1)).to.equal(0);
  });

  it('tells the banner connected, degraded or offline', () => {
    expect(connectivityOf('live', 'relay')).to.equal('connected_relay');
    expect(connectivityOf('live', 'cloud')).to.equal('connected_cloud');
    expect(connectivityOf('polling', 'relay')).to.equal('degraded');
    expect(connectivityOf('down', null)).to.equal('offline');
  });
});
