/**
 * What a sign-out answer asks the browser to clear (`Clear-Site-Data`): the HTTP cache, where
 * responses a staff member read may sit. Not `"cookies"`: it clears every cookie of the site,
 * the device credential (`hearth_device`) with the session, and would unpair the tablet at each
 * sign-out; the session cookie goes by its own `Set-Cookie`. Not `"storage"`: it would wipe
 * IndexedDB, where the outbox keeps ops not yet sent, and the service worker with it.
 */
export const SIGN_OUT_CLEAR_SITE_DATA = '"cache"';
