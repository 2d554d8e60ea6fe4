/*
 * Menu images: cache first, bounded (what Workbox's CacheFirst + ExpirationPlugin did here).
 *
 *   hit, Date header younger than maxAgeMs (or none) ─▶ the cached copy
 *   else ─▶ the network; a 200 is stored, then the oldest entries past maxEntries are dropped
 *
 * Entries leave in the order they were stored (the Cache API keeps insertion order), not by
 * last use; on a quota error the whole image cache goes. Never a failed answer cached.
 */

export interface ImageCacheOptions {
  readonly cacheName: string;
  readonly maxEntries: number;
  readonly maxAgeMs: number;
  readonly now: () => number;
  readonly fetch: (request: Request) => Promise<Response>;
}

function isFresh(response: Response, options: ImageCacheOptions): boolean {
  const date = Date.parse(response.headers.get('date') ?? '');
  return Number.isNaN(date) || options.now() - date < options.maxAgeMs;
}

async function store(
  cache: Cache,
  request: Request,
  response: Response,
  options: ImageCacheOptions,
) {
  try {
    await cache.put(request, response);
    const keys = await cache.keys();
    for (const old of keys.slice(0, Math.max(0, keys.length - options.maxEntries))) {
      await cache.delete(old);
    }
  } catch (error) {
    if (!(error instanceof DOMException && error.name === 'QuotaExceededError')) throw error;
    await caches.delete(options.cacheName);
  }
}

/** Answers an image request from the cache, or the network (storing a 200). */
export async function cachedImage(request: Request, options: ImageCacheOptions): Promise<Response> {
  const cache = await caches.open(options.cacheName);
  const hit = await cache.match(request);
  if (hit && isFresh(hit, options)) return hit;
  const response = await options.fetch(request);
  if (response.status === 200) await store(cache, request, response.clone(), options);
  return response;
}
