import './zod-jitless.ts';
import type { Workbox } from 'workbox-window';

export interface BootOptions {
  /** Keep the screen on while the page is visible (the kitchen display). */
  readonly keepAwake?: boolean;
  readonly serviceWorkerUrl?: string;
}

/** The message the service worker takes to activate a waiting version now. */
const SKIP_WAITING = { type: 'skip-waiting' } as const;

/**
 * Starts a page of the PWA: registers the service worker (scope `/`), offers a reload when a new
 * version waits, asks for persistent storage (the outbox and cache must not be evicted), and on
 * the kitchen display keeps the screen awake.
 */
export function boot(options: BootOptions = {}): void {
  void requestPersistentStorage();
  // Loaded after the page's own code: none of it is needed for the first paint.
  if (options.keepAwake) void import('./wake-lock.ts').then((m) => m.keepScreenAwake());
  void registerServiceWorker(options.serviceWorkerUrl ?? '/sw.js');
}

async function registerServiceWorker(url: string): Promise<void> {
  if (!('serviceWorker' in navigator)) {
    // Plain HTTP on a LAN address: the page loads, but no worker, so no outbox.
    console.warn('no service worker here (insecure context?): changes are not kept offline');
    return;
  }
  const { Workbox } = await import('workbox-window');
  const workbox = new Workbox(url, { scope: '/' });
  workbox.addEventListener('waiting', (event) => {
    const waiting = event.sw;
    if (waiting) void offerUpdate(workbox, waiting);
  });
  try {
    await workbox.register();
  } catch (error) {
    console.error('service worker registration failed', error);
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
