import { ExpirationPlugin } from 'workbox-expiration';
import {
  cleanupOutdatedCaches,
  matchPrecache,
  type PrecacheEntry,
  precacheAndRoute,
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';
import { DeviceId, isUlid, Principal } from '#protocol';
import { type Broadcast, CHANNEL, type ToServiceWorker } from '../shared/messages.ts';
import { OutboxStore } from '../shared/outbox-store.ts';
import { OUTBOX_SYNC_TAG } from '../shared/outbox-types.ts';
import { handleApi, isApiRequest } from './api-handler.ts';
import { type ReplayReason, ReplayTrigger } from './replay-trigger.ts';
import { Replayer, type ReplayReport } from './replayer.ts';

/*
 * The service worker: the app shell offline, and the pages' local server for `/api/*` with
 * the outbox behind it.
 *
 * Target: ops and reads go to this worker's own origin. Staff devices load the app from the
 * venue relay, so their target is the relay (which answers accepted_local while the WAN is
 * down); guests load it from the cloud. Switching targets would be safe for the outbox (an
 * opId is the idempotency key wherever it lands, and the relay forwards with the same key),
 * but a feed cursor belongs to one target: the hydrator re-bootstraps from a snapshot when
 * the target changes.
 *
 * Replays start on: Background Sync ('hearth-outbox'), the worker starting, activation, a
 * page's {type:'replay'} (on reconnect and on a timer), a new op, 'online', and a wake-up timer
 * for the next op's backoff. One at a time: see replayer.ts.
 */

declare const self: ServiceWorkerGlobalScope & {
  readonly __WB_MANIFEST: (PrecacheEntry | string)[];
};

/** Background Sync (not in TypeScript's libs): https://wicg.github.io/background-sync/spec/ */
interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
  readonly lastChance: boolean;
}
interface SyncRegistration {
  readonly sync?: { register(tag: string): Promise<void> };
}

const TARGET = self.location.origin;
const ROLE_PAGES = ['guest', 'ops', 'kitchen'];

const channel = new BroadcastChannel(CHANNEL);
const broadcast = (message: Broadcast) => channel.postMessage(message);
const storeReady = OutboxStore.open();
const trigger = new ReplayTrigger({
  replay: async () => new Replayer({ store: await storeReady, target: TARGET, broadcast }).replay(),
  now: Date.now,
  setTimer: (run, ms) => setTimeout(run, ms),
  maxTimerMs: 5 * 60_000,
});

function kick(reason: ReplayReason): Promise<ReplayReport | undefined> {
  return trigger.request(reason).catch((error: unknown) => {
    console.error(`outbox: replay (${reason}) failed`, error);
    return undefined;
  });
}

function registerSync(): Promise<void> {
  const sync = (self.registration as SyncRegistration).sync;
  if (!sync) return Promise.resolve();
  return sync.register(OUTBOX_SYNC_TAG).catch((error: unknown) => {
    // Background Sync refused (disabled by the user): the other triggers still replay.
    console.warn('outbox: background sync not registered', error);
  });
}

// The API first: its listener must answer /api/* before Workbox's router looks at anything.
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (!isApiRequest(url, TARGET)) return;
  event.respondWith(
    storeReady.then((store) =>
      handleApi(event.request, {
        store,
        fetch: (request) => fetch(request),
        target: TARGET,
        now: Date.now,
        queued: () => {
          broadcast({ type: 'outbox-changed' });
          event.waitUntil(Promise.all([registerSync(), kick('queued')]));
        },
      }),
    ),
  );
});

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

/** The precached page for a path: its role's page (`/ops/…` → `/ops/index.html`), or the index. */
function shellFor(url: URL): string {
  const role = url.pathname.split('/')[1] ?? '';
  return ROLE_PAGES.includes(role) ? `/${role}/index.html` : '/index.html';
}

// Navigations the precache does not answer go to the network, and offline to the shell.
registerRoute(
  new NavigationRoute(
    async ({ request, url }) => {
      try {
        return await fetch(request);
      } catch (error) {
        const shell = (await matchPrecache(shellFor(url))) ?? (await matchPrecache('/index.html'));
        if (shell) return shell;
        throw error;
      }
    },
    { denylist: [/^\/api\//, /^\/v1\//] },
  ),
);

// Menu images: cache first, bounded, never a failed answer (CacheFirst keeps only 200s).
registerRoute(
  ({ request, url }) =>
    !url.pathname.startsWith('/api/') &&
    (request.destination === 'image' ||
      (url.origin === TARGET && url.pathname.startsWith('/images/'))),
  new CacheFirst({
    cacheName: 'hearth-images',
    plugins: [
      new ExpirationPlugin({
        maxEntries: 300,
        maxAgeSeconds: 30 * 24 * 60 * 60,
        purgeOnQuotaError: true,
      }),
    ],
  }),
);

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
  // Not inside waitUntil: activation must not wait for a replay.
  void kick('activate');
});

self.addEventListener('sync', (event) => {
  const sync = event as SyncEvent;
  if (sync.tag !== OUTBOX_SYNC_TAG) return;
  sync.waitUntil(
    trigger.request('sync').then((report) => {
      // Rejecting asks the browser to fire the sync again later (with its own backoff).
      if (report.remaining > 0 && report.reason !== 'sign_in' && !sync.lastChance) {
        throw new Error(`outbox: ${report.remaining} ops still waiting (${report.outcome})`);
      }
    }),
  );
});

self.addEventListener('online', () => {
  void kick('online');
});

type Incoming = ToServiceWorker | { readonly type: 'skip-waiting' };

/** A page's message, checked: it crosses a boundary. */
function parseMessage(data: unknown): Incoming | null {
  if (typeof data !== 'object' || data === null) return null;
  const message = data as Record<string, unknown>;
  switch (message.type) {
    case 'replay':
      return { type: 'replay' };
    case 'skip-waiting':
    case 'SKIP_WAITING': // what workbox-window's messageSkipWaiting() sends
      return { type: 'skip-waiting' };
    case 'retry':
    case 'discard':
      return isUlid(message.opId) ? { type: message.type, opId: message.opId } : null;
    case 'session': {
      const principal = Principal.safeParse(message.principal);
      const deviceId = DeviceId.safeParse(message.deviceId);
      return principal.success && deviceId.success
        ? { type: 'session', principal: principal.data, deviceId: deviceId.data }
        : null;
    }
    default:
      return null;
  }
}

async function onMessage(message: Incoming): Promise<unknown> {
  const store = await storeReady;
  switch (message.type) {
    case 'skip-waiting':
      return self.skipWaiting();
    case 'replay':
      return kick('message');
    case 'session':
      // A new session may be what ops held back by a 401 (SIGN_IN) were waiting for.
      await store.rememberDevice(message.deviceId, message.principal);
      return kick('message');
    case 'retry':
      await store.retry(message.opId, Date.now());
      broadcast({ type: 'outbox-changed' });
      return kick('message');
    case 'discard':
      await store.discard(message.opId);
      broadcast({ type: 'outbox-changed' });
      return undefined;
  }
}

self.addEventListener('message', (event) => {
  const message = parseMessage(event.data);
  if (!message) {
    console.warn('outbox: unknown message ignored', event.data);
    return;
  }
  event.waitUntil(
    onMessage(message).catch((error: unknown) => {
      console.warn(`outbox: ${message.type} not done`, error);
    }),
  );
});

// The worker starting is a trigger too: it may have been stopped with ops queued.
void kick('start');
