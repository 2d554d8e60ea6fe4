import './zod-jitless.ts';
import type { Workbox } from 'workbox-window';
import {
  browserOfflineReading,
  type OfflineOff,
  type OfflineReading,
  offlineOffReason,
} from './offline-use.ts';

export interface BootOptions {
  /** Keep the screen on while the page is visible (the kitchen display). */
  readonly keepAwake?: boolean;
  readonly serviceWorkerUrl?: string;
  /** What the browser says of this page (tests give their own). */
  readonly offlineReading?: OfflineReading;
}

/** The message the service worker takes to activate a waiting version now. */
const SKIP_WAITING = { type: 'skip-waiting' } as const;

/**
 * Starts a page of the PWA: registers the service worker (scope `/`), offers a reload when a new
 * version waits, asks for persistent storage (the outbox and cache must not be evicted), and on
 * the kitchen display keeps the screen awake. Where offline use cannot work, the page says so.
 */
export function boot(options: BootOptions = {}): void {
  void requestPersistentStorage();
  // Loaded after the page's own code: none of it is needed for the first paint.
  if (options.keepAwake) void import('./wake-lock.ts').then((m) => m.keepScreenAwake());
  void startOfflineUse(options.serviceWorkerUrl ?? '/sw.js', options.offlineReading);
}

/**
 * Registers the service worker, or (no secure context, no service worker, registration
 * refused) puts the "offline use is off" notice first on the page. Resolves with why it is
 * off, or null once the worker is registered.
 */
export async function startOfflineUse(
  url: string,
  reading: OfflineReading = browserOfflineReading(),
): Promise<OfflineOff | null> {
  const off =
    offlineOffReason(reading) ??
    ((await registerServiceWorker(url)) ? null : 'registration-failed');
  if (off) {
    // Plain HTTP on a LAN address: the page loads, but no worker, so no outbox.
    console.warn(`offline use is off here (${off}): changes are not kept offline`);
    (await import('./offline-notice.ts')).showOfflineNotice(off);
  }
  return off;
}

/** True once the worker is registered. */
async function registerServiceWorker(url: string): Promise<boolean> {
  const { Workbox } = await import('workbox-window');
  const workbox = new Workbox(url, { scope: '/' });
  workbox.addEventListener('waiting', (event) => {
    const waiting = event.sw;
    if (waiting) void offerUpdate(workbox, waiting);
  });
  try {
    await workbox.register();
    return true;
  } catch (error) {
    console.error('service worker registration failed', error);
    return false;
  }
}

let prompt: HTMLElement | undefined;

async function offerUpdate(workbox: Workbox, waiting: ServiceWorker): Promise<void> {
  await import('./update-prompt.ts');
  prompt?.remove();
  prompt = document.createElement('hearth-update-prompt');
  prompt.addEventListener('hearth-reload', () => {
    // Reload once the new worker has taken control, so the page and its worker match.
    workbox.addEventListener('controlling', () => window.location.reload());
    waiting.postMessage(SKIP_WAITING);
  });
  document.body.append(prompt);
}

async function requestPersistentStorage(): Promise<void> {
  const storage = navigator.storage;
  if (!storage?.persist) return;
  try {
    if (await storage.persisted()) return;
    const granted = await storage.persist();
    if (!granted) console.info('persistent storage not granted: the browser may evict the cache');
  } catch (error) {
    console.warn('persistent storage request failed', error);
  }
}
