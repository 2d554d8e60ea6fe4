import { API_PREFIX } from '../device/messages.ts';

/**
 * The URL a page calls for an API path: `/api/v1/…` once the service worker controls the page
 * (it is the page's local server and forwards to the relay or the cloud), `/v1/…` straight to
 * the origin before that (the first visit, while the worker installs).
 *
 * @example
 * apiUrl('/v1/auth/staff', link.controlled()); // '/api/v1/auth/staff' when controlled
 */
export function apiUrl(path: `/v1/${string}`, controlled: boolean): string {
  return controlled ? `${API_PREFIX}${path}` : path;
}
