import { checkPrincipal, isDeviceId, isUlid } from '#protocol/check/wire-checks.ts';
import { type Broadcast, CHANNEL, type ToServiceWorker } from '../device/messages.ts';
import { OutboxStore } from '../device/outbox-store.ts';
import { OUTBOX_SYNC_TAG } from '../device/outbox-types.ts';
import { handleApi, isApiRequest } from './api-handler.ts';
import { cachedImage } from './image-cache.ts';
import { loadPrecache, type Precache } from './precache.ts';
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
  /** The build's precache list (`assets/precache-<hash>.json`), written in by the build. */
  readonly __HEARTH_PRECACHE: string;
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
/** Pages with a shell of their own; `/pair` too, so a pairing link opened offline says why. */
const ROLE_PAGES = ['guest', 'ops', 'kitchen', 'pair'];

const channel = new BroadcastChannel(CHANNEL);
/** Called at this worker's next `replay-progress`: a pass is about to POST its first batch. */
let atNextProgress: (() => void)[] = [];
const broadcast = (message: Broadcast) => {
  channel.postMessage(message);
  if (message.type !== 'replay-progress') return;
  const waiting = atNextProgress;
  atNextProgress = [];
  for (const run of waiting) run();
};
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

let loaded: Promise<Precache> | undefined;
/** The precache, its list read once per worker start (again after a failed read). */
function precached(): Promise<Precache> {
  loaded ??= loadPrecache(self.__HEARTH_PRECACHE, self.registration.scope).catch((error) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}

/** What the precache may hold: pages and the build's files (all named by extension). */
const mayBePrecached = (url: URL) =>
  url.origin === TARGET && /(\/|\.(html|js|css|json|webmanifest|png|svg))$/.test(url.pathname);

/** The precached page for a path: its role's page (`/ops/…` → `/ops/index.html`), or the index. */
function shellFor(url: URL): string {
  const role = url.pathname.split('/')[1] ?? '';
  return new URL(ROLE_PAGES.includes(role) ? `/${role}/index.html` : '/index.html', url).href;
}

/** Navigations the precache does not answer go to the network, and offline to the shell. */
async function navigate(request: Request, url: URL): Promise<Response> {
  try {
    return await fetch(request);
  } catch (error) {
    const precache = await precached();
    const shell =
      (await precache.match(shellFor(url))) ??
      (await precache.match(new URL('/index.html', url).href));
    if (shell) return shell;
    throw error;
  }
}

/** Menu images: cache first, bounded, never a failed answer (only 200s are stored). */
const isImage = (request: Request, url: URL) =>
  !url.pathname.startsWith('/api/') &&
  (request.destination === 'image' ||
    (url.origin === TARGET && url.pathname.startsWith('/images/')));

self.addEventListener('install', (event) => {
  event.waitUntil(precached().then((precache) => precache.install()));
});

// One router, first match wins: the API, the precache, navigations, images; the rest is
// left to the browser.
self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (!isApiRequest(url, TARGET)) {
    if (request.method !== 'GET') return;
    const navigation = request.mode === 'navigate' && !/^\/(api|v1)\//.test(url.pathname);
    if (navigation || mayBePrecached(url)) {
      event.respondWith(
        precached()
          .then((precache) => precache.match(url.href))
          .catch(() => undefined)
          .then((hit) => hit ?? (navigation ? navigate(request, url) : fetch(request))),
      );
    } else if (isImage(request, url)) {
      event.respondWith(
        cachedImage(request, {
          cacheName: 'hearth-images',
          maxEntries: 300,
          maxAgeMs: 30 * 24 * 60 * 60 * 1000,
          now: Date.now,
          fetch: (r) => fetch(r),
        }),
      );
    }
    return;
  }
  event.respondWith(
    storeReady.then((store) =>
      handleApi(event.request, {
        store,
        fetch: (request) => fetch(request),
        target: TARGET,
        now: Date.now,
        queued: () => {
          const replayed = kick('queued');
          event.waitUntil(Promise.all([registerSync(), replayed]));
          // The pages re-read the outbox once the op is on the wire (or the pass ended without
          // sending it): their read of every entry would hold up the pass's read of the queue.
          const sending = new Promise<void>((resolve) => atNextProgress.push(resolve));
          void Promise.race([sending, replayed]).then(() => broadcast({ type: 'outbox-changed' }));
        },
      }),
    ),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(Promise.all([self.clients.claim(), precached().then((p) => p.activate())]));
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
      const principal = checkPrincipal(message.principal);
      return principal.ok && isDeviceId(message.deviceId)
        ? { type: 'session', principal: principal.value, deviceId: message.deviceId }
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
      try {
        await store.retry(message.opId, Date.now());
      } finally {
        // Refused too (NOT_RETRYABLE, NOT_FOUND): the page that asked shows what the outbox holds.
        broadcast({ type: 'outbox-changed' });
      }
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
