/*
 * The app shell, precached: what Workbox's precaching did for this worker, in the few lines
 * it needs (Workbox's runtime would not fit the worker's budget, decision 015; `workbox-build`
 * still lists the files, and pages keep `workbox-window`). The list is its own content-hashed
 * file (`assets/precache-<hash>.json`) whose name the build writes into the worker: the worker
 * changes whenever a file does, without carrying the list (decision 007).
 *
 *   load     ─▶ the list from the cache (kept there as one of its own entries), else the network
 *   install  ─▶ every listed URL not yet cached (revisioned ones past the HTTP cache) is
 *               fetched and stored under its key (url + revision); one failure fails install
 *   activate ─▶ keys no longer listed are deleted, and the caches Workbox's runtime kept
 *   fetch    ─▶ a GET whose URL names a listed file (`/ops/` → `/ops/index.html`, `/x` →
 *               `/x.html`, utm_* and fbclid ignored) is answered from the cache, else the network
 *
 * A new worker installs beside the old one in the same cache (keys carry the revision), so the
 * old worker keeps answering from its entries until the new one activates.
 */

/** One file of the build, as `workbox-build`'s injectManifest lists it. */
export interface PrecacheEntry {
  readonly url: string;
  /** Null (or absent) for a file whose name carries its content hash. */
  readonly revision?: string | null;
}

export const PRECACHE_NAME = 'hearth-precache';

/** Carries the revision in a cache key (a fragment would not: the Cache API ignores it). */
const REVISION_PARAM = '__hearth_revision';

/** Query parameters that never change a precached file (Workbox's defaults). */
const IGNORED_PARAMS = [/^utm_/, /^fbclid$/];

/** The URLs a request may mean, most specific first: itself, its directory index, clean URL. */
export function urlVariations(href: string): string[] {
  const url = new URL(href);
  url.hash = '';
  const ignored: string[] = [];
  url.searchParams.forEach((_value, name) => {
    if (IGNORED_PARAMS.some((pattern) => pattern.test(name))) ignored.push(name);
  });
  for (const name of ignored) url.searchParams.delete(name);
  const variations = [url.href];
  if (url.pathname.endsWith('/')) {
    variations.push(new URL('index.html', url).href);
  } else {
    const clean = new URL(url);
    clean.pathname += '.html';
    variations.push(clean.href);
  }
  return variations;
}

export class Precache {
  /** Absolute URL → cache key (the URL, with its revision when it has one). */
  private readonly keys = new Map<string, string>();
  private readonly cacheName: string;

  /** `base` resolves the manifest's relative URLs: the registration's scope. */
  constructor(
    entries: readonly (PrecacheEntry | string)[],
    base: string,
    cacheName = PRECACHE_NAME,
  ) {
    this.cacheName = cacheName;
    for (const entry of entries) {
      const { url, revision } = typeof entry === 'string' ? { url: entry, revision: null } : entry;
      const href = new URL(url, base).href;
      const key = new URL(href);
      if (revision) key.searchParams.set(REVISION_PARAM, revision);
      this.keys.set(href, key.href);
    }
  }

  /** Stores every listed file not stored yet; rejects (failing the install) when one fails. */
  async install(fetcher: (request: Request) => Promise<Response> = fetch): Promise<void> {
    const cache = await caches.open(this.cacheName);
    await Promise.all(
      [...this.keys].map(async ([href, key]) => {
        if (await cache.match(key)) return;
        // A revisioned file's URL does not change with it: skip the HTTP cache.
        const response = await fetcher(
          new Request(href, {
            cache: key === href ? 'default' : 'reload',
            credentials: 'same-origin',
          }),
        );
        if (!response.ok) throw new Error(`precache: ${href} answered ${response.status}`);
        // A redirected response may not answer a navigation: keep its body and headers only.
        await cache.put(
          key,
          response.redirected
            ? new Response(response.body, { status: 200, headers: response.headers })
            : response,
        );
      }),
    );
  }

  /** Drops what the manifest no longer lists, and what Workbox's runtime kept. */
  async activate(): Promise<void> {
    const current = new Set(this.keys.values());
    const cache = await caches.open(this.cacheName);
    for (const request of await cache.keys()) {
      if (!current.has(request.url)) await cache.delete(request);
    }
    for (const name of await caches.keys()) {
      if (name.startsWith('workbox-')) await caches.delete(name);
    }
    // The image cache's timestamps under Workbox's ExpirationPlugin: nothing reads them now.
    indexedDB.deleteDatabase('workbox-expiration');
  }

  /** The cache key for a request URL, when it names a listed file. */
  keyFor(href: string): string | undefined {
    for (const variation of urlVariations(href)) {
      const key = this.keys.get(variation);
      if (key) return key;
    }
    return undefined;
  }

  /** The stored answer for a listed file (or a URL that means one). */
  async match(href: string): Promise<Response | undefined> {
    const key = this.keyFor(href);
    return key ? (await caches.open(this.cacheName)).match(key) : undefined;
  }
}

/**
 * The precache the build's list describes: read from the cache once stored there, else fetched
 * (and stored, so a worker restarted offline finds it). The list is one of its own entries, so
 * install keeps it and activate does not delete it.
 */
export async function loadPrecache(
  listUrl: string,
  base: string,
  cacheName = PRECACHE_NAME,
  fetcher: (request: Request) => Promise<Response> = fetch,
): Promise<Precache> {
  const href = new URL(listUrl, base).href;
  const cache = await caches.open(cacheName);
  let response = await cache.match(href);
  if (!response) {
    response = await fetcher(new Request(href, { credentials: 'same-origin' }));
    if (!response.ok) throw new Error(`precache: ${href} answered ${response.status}`);
    await cache.put(href, response.clone());
  }
  const entries = (await response.json()) as PrecacheEntry[];
  return new Precache([...entries, href], base, cacheName);
}
