/*
 * How a server says a manager revoked this device (decision 034): 401 `DEVICE_REVOKED` on a
 * request, a live socket closed 4401 with reason `DEVICE_REVOKED`. The person is then signed
 * out on every tab. Free of imports: the service worker reads it too, within its budget.
 */

/** The problem code, and a live socket's close reason. */
export const DEVICE_REVOKED = 'DEVICE_REVOKED';

/** The close code of a revoked device's live socket (protocol's `LIVE_CLOSE.deviceRevoked`). */
export const DEVICE_REVOKED_CLOSE = 4401;

/** What the screen says once a revoke signed the person out. */
export const DEVICE_REVOKED_MESSAGE =
  'This device was removed from the venue by a manager. Ask a manager to pair it again.';

/**
 * Whether an HTTP answer means revoked: 401 with the problem code. A sign-in refused 403
 * `DEVICE_REVOKED` is not: nobody was signed in, and the PIN pad says why itself.
 */
export function answerMeansRevoked(status: number, code: string | null | undefined): boolean {
  return status === 401 && code === DEVICE_REVOKED;
}

/** Whether a live socket's close means revoked: its code, or its reason alone. */
export function closeMeansRevoked(code: number, reason: string): boolean {
  return code === DEVICE_REVOKED_CLOSE || reason === DEVICE_REVOKED;
}
