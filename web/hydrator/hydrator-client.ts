import { type Remote, releaseProxy, wrap } from 'comlink';
import type { HydratorApi, HydratorStartOptions } from './hydrator-api.ts';

/** A page's handle on its hydrator worker. */
export interface HydratorHandle {
  /** The worker's API: `await handle.api.status()`. */
  readonly api: Remote<HydratorApi>;
  /** The worker itself (terminating it is what closing the tab does). */
  readonly worker: Worker;
  /** Stops the hydrator (releasing the leader lock) and ends the worker. */
  close(): Promise<void>;
}

/**
 * Starts this tab's hydrator worker. Call once per page load; every tab may: the Web Lock makes
 * one of them the leader that talks to the feed, the rest wait to take over. Screens do not
 * read from the handle: they read the cache through a LocalView, which the hydrator's
 * `entities-changed` broadcasts keep fresh.
 *
 * @example
 * const hydrator = await startHydrator({ venueId: 'demo-bistro', scopes: ['ticket', 'menu', 'settings'] });
 * addEventListener('pagehide', () => void hydrator.close());
 */
export async function startHydrator(options: HydratorStartOptions): Promise<HydratorHandle> {
  const worker = new Worker(new URL('./hydrator-worker.ts', import.meta.url), { type: 'module' });
  const api = wrap<HydratorApi>(worker);
  await api.start(options);
  return {
    api,
    worker,
    async close() {
      try {
        await api.stop();
      } finally {
        api[releaseProxy]();
        worker.terminate();
      }
    },
  };
}
