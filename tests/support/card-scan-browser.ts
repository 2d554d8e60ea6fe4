// What a page keeps on the device, as text for the card-number scan (card-scan.ts): every
// IndexedDB database and object store of its origin, record by record, localStorage,
// sessionStorage, the page's cookies and the request URLs in Cache Storage.
//
// `dumpPageStorage` runs inside the page: a Playwright page's `evaluate` sends its source, so it
// must use nothing from this module's scope (types excepted). The interfaces below are the few
// browser APIs it needs, so this file also type-checks without the DOM library.

/** A page handle as the end-to-end tests hold one (Playwright's `Page`). */
export interface PageLike {
  evaluate(pageFunction: () => Promise<string>): Promise<string>;
}

/** The page's storage as text: one line per record, key and stored value. */
export function dumpBrowserStorage(page: PageLike): Promise<string> {
  return page.evaluate(dumpPageStorage);
}

interface IdbRequest<T> {
  readonly result: T;
  readonly error: unknown;
  readonly transaction: { abort(): void } | null;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
  onupgradeneeded?: (() => void) | null;
}

interface IdbDatabase {
  readonly version: number;
  readonly objectStoreNames: ArrayLike<string>;
  transaction(
    store: string,
    mode: 'readonly',
  ): {
    objectStore(name: string): {
      getAll(): IdbRequest<unknown[]>;
      getAllKeys(): IdbRequest<unknown[]>;
    };
  };
  close(): void;
}

interface StorageLike {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
}

interface PageGlobals {
  readonly indexedDB: {
    databases(): Promise<{ name?: string; version?: number }[]>;
    open(name: string): IdbRequest<IdbDatabase>;
  };
  readonly localStorage: StorageLike;
  readonly sessionStorage: StorageLike;
  readonly document?: { readonly cookie: string };
  readonly caches?: {
    keys(): Promise<string[]>;
    open(name: string): Promise<{ keys(): Promise<{ readonly url: string }[]> }>;
  };
  readonly Blob: { new (): { arrayBuffer(): Promise<ArrayBuffer> } };
}

/**
 * Runs in the page. Binary values (ArrayBuffer, typed arrays, Blob and File) become latin1 text
 * so digits stored in them stay readable; Map and Set become arrays, Date its ISO form, BigInt
 * its digits.
 */
export async function dumpPageStorage(): Promise<string> {
  const g = globalThis as unknown as PageGlobals;
  const lines: string[] = [];

  const latin1 = (bytes: Uint8Array): string => {
    let out = '';
    for (let i = 0; i < bytes.length; i += 4096)
      out += String.fromCharCode(...bytes.subarray(i, i + 4096));
    return out;
  };
  const plain = async (value: unknown, path: readonly unknown[]): Promise<unknown> => {
    if (typeof value === 'bigint') return value.toString();
    if (value === null || typeof value !== 'object') return value;
    if (path.includes(value)) return '[cycle]';
    const inner = [...path, value];
    if (value instanceof Date)
      return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (value instanceof ArrayBuffer) return latin1(new Uint8Array(value));
    if (ArrayBuffer.isView(value))
      return latin1(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    if (value instanceof g.Blob) return latin1(new Uint8Array(await value.arrayBuffer()));
    if (value instanceof Map)
      return Promise.all(
        [...value].map(async ([k, v]) => [await plain(k, inner), await plain(v, inner)]),
      );
    if (value instanceof Set) return Promise.all([...value].map((v) => plain(v, inner)));
    if (Array.isArray(value)) return Promise.all(value.map((v) => plain(v, inner)));
    if (value instanceof Error) return { name: value.name, message: value.message };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await plain(v, inner);
    return out;
  };
  const done = <T>(request: IdbRequest<T>): Promise<T> =>
    new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  const text = async (value: unknown) => JSON.stringify(await plain(value, [])) ?? 'undefined';

  const databases = await g.indexedDB.databases();
  lines.push(`indexeddb: ${databases.length} databases`);
  for (const info of databases) {
    const name = info.name;
    if (name === undefined) continue;
    const request = g.indexedDB.open(name);
    // Gone since it was listed: opening would create it; abort that instead.
    request.onupgradeneeded = () => request.transaction?.abort();
    const db = await done(request).catch(() => undefined);
    if (db === undefined) {
      lines.push(`indexeddb ${name}: gone`);
      continue;
    }
    const stores: { store: string; keys: unknown[]; values: unknown[] }[] = [];
    try {
      for (const store of Array.from(db.objectStoreNames)) {
        const os = db.transaction(store, 'readonly').objectStore(store);
        const [keys, values] = await Promise.all([done(os.getAllKeys()), done(os.getAll())]);
        stores.push({ store, keys, values });
      }
    } finally {
      db.close();
    }
    for (const { store, keys, values } of stores) {
      lines.push(`indexeddb ${name} v${db.version} ${store}: ${values.length} records`);
      for (const [i, value] of values.entries())
        lines.push(`indexeddb ${name} ${store} ${await text(keys[i])} ${await text(value)}`);
    }
  }
  for (const [label, storage] of [
    ['localStorage', g.localStorage],
    ['sessionStorage', g.sessionStorage],
  ] as const) {
    lines.push(`${label}: ${storage.length} items`);
    for (let i = 0; i < storage.length; i += 1) {
      const key = storage.key(i);
      if (key !== null) lines.push(`${label} ${JSON.stringify(key)} ${storage.getItem(key)}`);
    }
  }
  lines.push(`cookie ${g.document?.cookie ?? ''}`);
  const cacheNames = g.caches === undefined ? [] : await g.caches.keys();
  lines.push(`Cache Storage: ${cacheNames.length} caches`);
  if (g.caches !== undefined)
    for (const cacheName of cacheNames) {
      const requests = await (await g.caches.open(cacheName)).keys();
      lines.push(`cache ${cacheName}: ${requests.length} requests`);
      for (const request of requests) lines.push(`cache ${cacheName} ${request.url}`);
    }
  return lines.join('\n');
}
