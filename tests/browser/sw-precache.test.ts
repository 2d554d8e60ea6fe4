import { expect } from '@esm-bundle/chai';
import { cachedImage } from '../../web/sw/image-cache.ts';
import { loadPrecache, Precache, urlVariations } from '../../web/sw/precache.ts';

// The service worker's precache and image cache over the page's real Cache API, with an
// in-page fake of the network (a function passed in as `fetch`).

const BASE = 'https://hearth.test/';

function fakeNetwork(bodies: Record<string, string>, failing = new Set<string>()) {
  const requests: Request[] = [];
  const fetcher = async (request: Request): Promise<Response> => {
    requests.push(request);
    if (failing.has(request.url)) throw new TypeError('Failed to fetch');
    const body = bodies[request.url];
    return body === undefined
      ? new Response('missing', { status: 404 })
      : new Response(body, { status: 200, headers: { date: new Date(0).toUTCString() } });
  };
  return { fetcher, requests };
}

describe('precache', () => {
  let cacheName: string;

  beforeEach(() => {
    cacheName = `precache-test-${crypto.randomUUID()}`;
  });

  afterEach(async () => {
    await caches.delete(cacheName);
  });

  it('reads a request URL as the file it means', () => {
    expect(urlVariations(`${BASE}ops/?utm_source=qr&fbclid=1#top`)).to.deep.equal([
      `${BASE}ops/`,
      `${BASE}ops/index.html`,
    ]);
    expect(urlVariations(`${BASE}about?x=1`)).to.deep.equal([
      `${BASE}about?x=1`,
      `${BASE}about.html?x=1`,
    ]);
  });

  it('installs every listed file, answers for them, and fetches only what changed next time', async () => {
    const v1 = fakeNetwork({
      [`${BASE}index.html`]: 'home v1',
      [`${BASE}ops/index.html`]: 'ops v1',
      [`${BASE}assets/app-abcdefgh.js`]: 'js',
    });
    const first = new Precache(
      [
        { url: 'index.html', revision: 'r1' },
        { url: 'ops/index.html', revision: 'r1' },
        { url: 'assets/app-abcdefgh.js', revision: null },
      ],
      BASE,
      cacheName,
    );
    await first.install(v1.fetcher);
    expect(v1.requests.map((r) => r.cache).sort()).to.deep.equal(['default', 'reload', 'reload']);
    expect(await (await first.match(`${BASE}ops/`))?.text()).to.equal('ops v1');
    expect(first.keyFor(`${BASE}images/x.png`)).to.equal(undefined);

    const v2 = fakeNetwork({
      [`${BASE}index.html`]: 'home v2',
      [`${BASE}assets/app-12345678.js`]: 'js2',
    });
    const second = new Precache(
      [
        { url: 'index.html', revision: 'r2' },
        { url: 'ops/index.html', revision: 'r1' },
        'assets/app-12345678.js',
      ],
      BASE,
      cacheName,
    );
    await second.install(v2.fetcher);
    expect(v2.requests.map((r) => r.url).sort()).to.deep.equal([
      `${BASE}assets/app-12345678.js`,
      `${BASE}index.html`,
    ]);
    // Until the new worker activates, the old one still answers from its own entries.
    expect(await (await first.match(`${BASE}index.html`))?.text()).to.equal('home v1');
    await second.activate();
    expect(await (await second.match(`${BASE}index.html`))?.text()).to.equal('home v2');
    expect(await (await second.match(`${BASE}ops/index.html`))?.text()).to.equal('ops v1');
    const cache = await caches.open(cacheName);
    expect((await cache.keys()).length).to.equal(3);
  });

  it('reads the build list from the network once, then from the cache, and keeps it on activate', async () => {
    const list = `${BASE}assets/precache-abcd1234.json`;
    const online = fakeNetwork({
      [list]: JSON.stringify([{ url: 'index.html', revision: 'r1' }, 'assets/app-abcdefgh.js']),
      [`${BASE}index.html`]: 'home',
      [`${BASE}assets/app-abcdefgh.js`]: 'js',
    });
    const installed = await loadPrecache(
      'assets/precache-abcd1234.json',
      BASE,
      cacheName,
      online.fetcher,
    );
    await installed.install(online.fetcher);
    await installed.activate();
    expect(online.requests.map((r) => r.url).filter((url) => url === list)).to.have.length(1);

    // A worker restarted offline reads the same list from the cache.
    const offline = fakeNetwork({}, new Set([list]));
    const restarted = await loadPrecache(
      'assets/precache-abcd1234.json',
      BASE,
      cacheName,
      offline.fetcher,
    );
    expect(offline.requests).to.have.length(0);
    expect(await (await restarted.match(`${BASE}`))?.text()).to.equal('home');
    expect(restarted.keyFor(list)).to.equal(list);
  });

  it('fails to load when the build list cannot be fetched, and stores nothing', async () => {
    const { fetcher } = fakeNetwork({});
    let failed = false;
    await loadPrecache('assets/precache-00000000.json', BASE, cacheName, fetcher).catch(() => {
      failed = true;
    });
    expect(failed).to.equal(true);
    expect(await (await caches.open(cacheName)).keys()).to.have.length(0);
  });

  it('fails the install when a listed file cannot be fetched', async () => {
    const { fetcher } = fakeNetwork({ [`${BASE}index.html`]: 'home' });
    const precache = new Precache(['index.html', 'gone.html'], BASE, cacheName);
    let failed = false;
    await precache.install(fetcher).catch(() => {
      failed = true;
    });
    expect(failed).to.equal(true);
  });
});

describe('image cache', () => {
  const cacheName = 'image-cache-test';
  const url = `${BASE}images/burger.png`;

  afterEach(async () => {
    await caches.delete(cacheName);
  });

  const options = (fetcher: (request: Request) => Promise<Response>, now = 0) => ({
    cacheName,
    maxEntries: 2,
    maxAgeMs: 60_000,
    now: () => now,
    fetch: fetcher,
  });

  it('answers from the cache once stored, and goes back to the network when stale', async () => {
    const network = fakeNetwork({ [url]: 'png' });
    expect(await (await cachedImage(new Request(url), options(network.fetcher))).text()).to.equal(
      'png',
    );
    expect(await (await cachedImage(new Request(url), options(network.fetcher))).text()).to.equal(
      'png',
    );
    expect(network.requests.length).to.equal(1);
    await cachedImage(new Request(url), options(network.fetcher, 120_000));
    expect(network.requests.length).to.equal(2);
  });

  it('never stores a failed answer, and keeps only the newest maxEntries', async () => {
    const urls = [1, 2, 3].map((n) => `${BASE}images/${n}.png`);
    const network = fakeNetwork({
      [urls[0] as string]: '1',
      [urls[1] as string]: '2',
      [urls[2] as string]: '3',
    });
    expect(
      (await cachedImage(new Request(`${BASE}images/none.png`), options(network.fetcher))).status,
    ).to.equal(404);
    for (const each of urls) await cachedImage(new Request(each), options(network.fetcher));
    const cache = await caches.open(cacheName);
    expect((await cache.keys()).map((request) => request.url)).to.deep.equal(urls.slice(1));
  });
});
