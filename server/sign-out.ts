/**
 * What a sign-out answer asks the browser to clear (`Clear-Site-Data`): the session cookie, and
 * nothing else. `"storage"` would also wipe IndexedDB, where the device's outbox keeps ops not
 * yet sent — they wait for their owner to sign in again — and the service worker with it.
 */
export const SIGN_OUT_CLEAR_SITE_DATA = '"cookies"';
