import { describe, expect, it } from 'vitest';
import { LIVE_CLOSE, problem } from '#protocol';
import {
  answerMeansRevoked,
  closeMeansRevoked,
  DEVICE_REVOKED_CLOSE,
} from '../../web/device/device-revoked.ts';
import { failureOfResponse, liveEndOf } from '../../web/hydrator/hydrator-policy.ts';

// Which answers say a manager revoked this device (decision 034): the person is then signed
// out on every tab. Anything else that ends a session or a socket is not a revoke.

const revokedProblem = problem(401, 'DEVICE_REVOKED', 'Device revoked', {
  kind: 'sign_in',
  detail: 'this device is no longer paired with the venue; ask a manager to pair it again',
});

describe('device revoked', () => {
  it('is a 401 with the problem code DEVICE_REVOKED, nothing else', () => {
    expect(answerMeansRevoked(401, 'DEVICE_REVOKED')).toBe(true);
    expect(answerMeansRevoked(401, 'UNAUTHENTICATED')).toBe(false);
    expect(answerMeansRevoked(401, null)).toBe(false);
    // A refused sign-in: nobody was signed in, the PIN pad says why itself.
    expect(answerMeansRevoked(403, 'DEVICE_REVOKED')).toBe(false);
  });

  it('is a live socket closed 4401, or with the reason DEVICE_REVOKED', () => {
    expect(DEVICE_REVOKED_CLOSE).toBe(LIVE_CLOSE.deviceRevoked);
    expect(closeMeansRevoked(4401, 'DEVICE_REVOKED')).toBe(true);
    expect(closeMeansRevoked(4401, '')).toBe(true);
    expect(closeMeansRevoked(1000, 'DEVICE_REVOKED')).toBe(true);
    for (const code of [1000, 1006, 1011, 4008, 4010])
      expect(closeMeansRevoked(code, '')).toBe(false);
  });

  it('marks the hydrator’s failure revoked for a feed answer', () => {
    expect(failureOfResponse(401, revokedProblem, null)).toMatchObject({
      action: 'sign_in',
      code: 'DEVICE_REVOKED',
      revoked: true,
    });
    const expired = problem(401, 'UNAUTHENTICATED', 'Session expired', { kind: 'sign_in' });
    expect(failureOfResponse(401, expired, null).revoked).toBeUndefined();
    expect(failureOfResponse(401, undefined, null).revoked).toBeUndefined();
  });

  it('marks the hydrator’s failure revoked for a socket closed 4401, with or without its frame', () => {
    for (const [lastProblem, reason] of [
      [revokedProblem, 'DEVICE_REVOKED'],
      [undefined, 'DEVICE_REVOKED'],
      [undefined, ''],
    ] as const) {
      expect(liveEndOf(true, 4401, lastProblem, reason)).toEqual({
        kind: 'closed',
        failure: {
          action: 'sign_in',
          code: 'DEVICE_REVOKED',
          detail: lastProblem?.detail ?? 'this device is no longer paired with the venue',
          revoked: true,
        },
      });
    }
    // Another close, even after an error frame, is no revoke.
    expect(liveEndOf(true, 4010, undefined, '')).toMatchObject({
      failure: { action: 're_bootstrap' },
    });
    expect(liveEndOf(true, 1006, undefined)).not.toHaveProperty('failure.revoked');
  });
});
