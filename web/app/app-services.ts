import type { EntityKind, Principal } from '#protocol';
import type { HydratorHandle } from '../hydrator/hydrator-client.ts';
import { type BroadcastSource, broadcastChannelSource } from './broadcast-source.ts';
import type { DeviceSource } from './device-source.ts';
import type { LocalViewSource } from './local-view-controller.ts';
import { browserNetworkStatus, type NetworkStatus } from './network-status.ts';
import type { OutboxReader } from './outbox-reader.ts';
import { browserPageVisibility, type PageVisibility } from './page-visibility.ts';
import { browserServiceWorkerLink, type ServiceWorkerLink } from './service-worker-link.ts';
import { type SessionPersistence, SessionStore } from './session-store.ts';

/** Keeps the local cache current for the signed-in principal (the hydrator worker). */
export interface CacheSync {
  /** Starts, or restarts with these options; scopes empty for the role's default. */
  start(principal: Principal, scopes: readonly string[]): Promise<void>;
  /**
   * Sign-out: stops keeping the cache and drops the venue data in it (entities, cursor,
   * session); the device id and the outbox stay.
   */
  forget(): Promise<void>;
}

/** Everything the screens' controllers are built from: the only place that names the browser. */
export interface AppServices {
  readonly venueId: string;
  readonly clock: () => number;
  readonly fetch: typeof fetch;
  readonly broadcasts: BroadcastSource;
  readonly network: NetworkStatus;
  readonly visibility: PageVisibility;
  readonly serviceWorker: ServiceWorkerLink;
  readonly session: SessionStore;
  readonly persistence: SessionPersistence;
  readonly device: DeviceSource;
  readonly outbox: OutboxReader;
  readonly openLocalView: (kinds?: readonly EntityKind[]) => Promise<LocalViewSource>;
  readonly cacheSync: CacheSync;
}

/**
 * The venue this page works for: `?venue=` (a guest's QR code may carry it), else the page's
 * `<meta name="hearth:venue">`, which a deployment sets (the demo's is `demo-bistro`).
 */
export function venueOfPage(
  location: Location = window.location,
  doc: Document = document,
): string {
  const fromUrl = new URLSearchParams(location.search).get('venue');
  const fromMeta = doc.querySelector<HTMLMetaElement>('meta[name="hearth:venue"]')?.content;
  return fromUrl || fromMeta || 'demo-bistro';
}

/** Loads once, on first use. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}

// The cache, outbox and view modules bring zod, the schemas and `decide` with them: they load
// after the first paint, so a page shows its banner with Lit alone.
const cacheAdapters = once(() => import('./cache-adapters.ts'));
const cacheDb = once(async () => (await cacheAdapters()).openLocalDb());
const outboxModule = once(() => import('./outbox-store-reader.ts'));
const outboxStore = once(async () => (await outboxModule()).openOutboxStore());

function hydratorSync(): CacheSync {
  let handle: Promise<HydratorHandle> | undefined;
  return {
    async start(principal, scopes) {
      const options = { venueId: principal.venueId, scopes, principal };
      if (handle) {
        await (await handle).api.start(options);
        return;
      }
      handle = import('../hydrator/hydrator-client.ts').then((m) => m.startHydrator(options));
      const started = await handle;
      window.addEventListener('pagehide', () => void started.close(), { once: true });
    },
    async forget() {
      // The worker writes the cache: it stops first, so no batch lands after the drop. A page
      // that never started one drops it itself.
      const started = await handle?.catch(() => undefined);
      if (started) await started.api.forget();
      else await (await cacheAdapters()).forgetVenueData(await cacheDb());
    },
  };
}

let services: AppServices | undefined;

/** The page's services (one set per page). */
export function appServices(): AppServices {
  if (services) return services;
  const clock = () => Date.now();
  const cache = async () => {
    const adapters = await cacheAdapters();
    return {
      device: adapters.cacheDeviceSource(cacheDb()),
      session: adapters.cacheSessionPersistence(cacheDb()),
    };
  };
  const outbox = async () => (await outboxModule()).outboxStoreReader(outboxStore(), clock);
  services = {
    venueId: venueOfPage(),
    clock,
    fetch: (input, init) => window.fetch(input, init),
    broadcasts: broadcastChannelSource(),
    network: browserNetworkStatus(),
    visibility: browserPageVisibility(),
    serviceWorker: browserServiceWorkerLink(),
    session: new SessionStore(),
    persistence: {
      load: async () => (await cache()).session.load(),
      save: async (principal) => (await cache()).session.save(principal),
    },
    device: {
      deviceId: async () => (await cache()).device.deviceId(),
      cursor: async () => (await cache()).device.cursor(),
      lastSyncAt: async () => (await cache()).device.lastSyncAt(),
    },
    outbox: {
      summary: async () => (await outbox()).summary(),
      stateOf: async (opId) => (await outbox()).stateOf(opId),
    },
    async openLocalView(kinds) {
      const [view, db, store] = await Promise.all([
        import('./local-view-source.ts'),
        cacheDb(),
        outboxStore(),
      ]);
      return view.localViewSource(db, store, kinds);
    },
    cacheSync: hydratorSync(),
  };
  return services;
}
