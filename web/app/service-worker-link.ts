import type { ToServiceWorker } from '../device/messages.ts';

/** The page's line to its service worker. */
export interface ServiceWorkerLink {
  /** True once a service worker controls this page (so `/api/…` reaches it). */
  controlled(): boolean;
  /** Posts to the controlling worker; false when none controls the page yet. */
  post(message: ToServiceWorker): boolean;
}

export function browserServiceWorkerLink(container = navigator.serviceWorker): ServiceWorkerLink {
  return {
    controlled: () => Boolean(container?.controller),
    post(message) {
      const controller = container?.controller;
      if (!controller) return false;
      controller.postMessage(message);
      return true;
    },
  };
}
