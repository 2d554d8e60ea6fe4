// Whether this page can keep working offline: that needs a service worker, which browsers give
// only to secure contexts (https:, or localhost). On a LAN address over plain http the page
// loads but nothing is kept offline, and every screen must say so.

/** What the browser says of this page. */
export interface OfflineReading {
  /** `window.isSecureContext`. */
  readonly secureContext: boolean;
  /** `'serviceWorker' in navigator`. */
  readonly serviceWorker: boolean;
}

/**
 * Why offline use is off: the connection is not secure (plain http on a LAN address), the
 * browser offers no service worker here (a private window), or it refused to install ours
 * (most often an untrusted venue certificate).
 */
export type OfflineOff = 'insecure' | 'no-service-worker' | 'registration-failed';

/**
 * Null when offline use can work here, else why not. Pure.
 *
 * @example
 * offlineOffReason({ secureContext: false, serviceWorker: false }); // 'insecure'
 */
export function offlineOffReason(reading: OfflineReading): OfflineOff | null {
  if (!reading.secureContext) return 'insecure';
  if (!reading.serviceWorker) return 'no-service-worker';
  return null;
}

export function browserOfflineReading(target: Window = window): OfflineReading {
  return {
    secureContext: target.isSecureContext,
    serviceWorker: 'serviceWorker' in target.navigator,
  };
}
