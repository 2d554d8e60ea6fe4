import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newUlid } from '#protocol';
import { STRICT_TRANSPORT_SECURITY } from '../../server/security-headers.ts';
import { opAs, post, signIn as signInByApi } from '../support/kitchen-orders.ts';
import { openTable, signIn } from './support/floor-steps.ts';
import {
  giveDeviceCookie,
  PINS,
  type VenueHarness,
  venueHarness,
} from './support/relay-process.ts';
import {
  BUILD_TIMEOUT_MS,
  buildWeb,
  CHROMIUM,
  CHROMIUM_ARGS,
  WEB_DIST,
  webDistIsStale,
} from './support/web-build.ts';

// The security headers on both servers as real processes, and the PWA under their
// Content-Security-Policy in Chromium: the floor app and the kitchen display on the relay's
// origin, the guest app on the cloud's. Every answer carries the headers; no page meets a
// policy violation and each renders its main component (signed in where there is more to
// render) with its worker's feed connection made. The cloud has an https: public origin (TLS
// ends at a proxy in front), so it sends HSTS on every answer; the plain-HTTP relay never does.

const STEP_TIMEOUT_MS = 15_000;

let h: VenueHarness;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  if (webDistIsStale()) await buildWeb();
  h = await venueHarness({
    cloudEnv: { HEARTH_WEB_DIR: WEB_DIST, HEARTH_PUBLIC_ORIGIN: 'https://guests.example' },
    relayEnv: { HEARTH_WEB_DIR: WEB_DIST },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
    timeout: 60_000,
  });
}, BUILD_TIMEOUT_MS + 60_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await h?.close();
}, 30_000);

/** The policy, directive by directive. */
function directives(policy: string | null): Record<string, string[]> {
  const parsed: Record<string, string[]> = {};
  for (const part of (policy ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) parsed[name] = sources;
  }
  return parsed;
}

describe.each([
  ['cloud', () => h.cloud.url, STRICT_TRANSPORT_SECURITY],
  ['relay', () => h.relay.url, null],
])('every answer of the %s', (_, base, hsts) => {
  it.each([
    ['/ops/', 200, 'text/html'],
    ['/kitchen/', 200, 'text/html'],
    ['/guest/?venue=demo-bistro&table=5', 200, 'text/html'],
    ['/sw.js', 200, 'javascript'],
    ['/healthz', 200, 'application/json'],
    ['/v1/venues/demo-bistro/snapshot', 401, 'application/problem+json'],
    ['/v1/no-such-route', 404, 'application/problem+json'],
  ])('%s carries the security headers', async (path, status, type) => {
    const res = await fetch(`${base()}${path}`);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain(type);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('strict-transport-security')).toBe(hsts);
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['worker-src']).toEqual(["'self'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    for (const [name, sources] of Object.entries(csp)) {
      expect(sources, name).not.toContain("'unsafe-eval'");
      if (name !== 'style-src-attr') expect(sources, name).not.toContain("'unsafe-inline'");
    }
    if (path === '/sw.js') expect(res.headers.get('cache-control')).toBe('no-cache');
    await res.arrayBuffer();
  });
});

/** Opens the pad's item sheet for the burger, a dish with choices (the sheet has a style attribute). */
async function openDishSheet(page: Page): Promise<void> {
  await page.locator('hearth-order-pad [data-category="mains"]').click();
  await page.locator('hearth-order-pad button.dish[data-item="burger"]').click();
  await page.locator('hearth-order-pad #sheet-title').waitFor();
}

/**
 * Violations the page saw: its `securitypolicyviolation` events and Chromium's console
 * reports. A worker's own violations reach neither; the tests check its connection instead.
 */
interface Watched {
  readonly page: Page;
  violations(): Promise<string[]>;
}

async function open(url: string): Promise<Watched> {
  const context = await browser.newContext({ serviceWorkers: 'allow' });
  contexts.push(context);
  // A paired tablet: staff sign in only on one (decision 034).
  await giveDeviceCookie(context, h.relay.url, h.tablet);
  // Before any of the page's own scripts: every violation event in the document is kept.
  await context.addInitScript(`(() => {
    const seen = (globalThis.__violations = []);
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber),
    );
  })()`);
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  const reported: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|Refused to/i.test(text)) reported.push(text);
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('worker', (worker) => {
    worker.on('console', (message) => {
      const text = message.text();
      if (/Content Security Policy|Refused to/i.test(text)) reported.push(`worker: ${text}`);
    });
  });
  await page.goto(url);
  await page.waitForFunction('navigator.serviceWorker.ready.then(() => true)');
  return {
    page,
    violations: async () => [
      ...((await page.evaluate('globalThis.__violations')) as string[]),
      ...reported,
    ],
  };
}

/** The cloud's `hearth_feed_subscribers` gauge (live sockets and long-polls). */
async function cloudFeedSubscribers(): Promise<number> {
  const text = await (await fetch(`${h.cloud.url}/metrics`)).text();
  return Number(/^hearth_feed_subscribers (\d+)$/m.exec(text)?.[1] ?? 0);
}

describe('the PWA under the policy, in Chromium', () => {
  it('the floor app on the relay: signed in, a table open, a dish sheet shown, live; no violation', async () => {
    const w = await open(`${h.relay.url}/ops/`);
    await signIn(w.page, PINS.server);
    await openTable(w.page, 0);
    await openDishSheet(w.page);
    // The hydrator worker's websocket to the relay ('self' covers ws: to the same host).
    await vi.waitFor(
      async () => expect((await h.relay.health()).connectedDevices).toBeGreaterThan(0),
      { timeout: STEP_TIMEOUT_MS, interval: 100 },
    );
    expect(await w.violations()).toEqual([]);
  }, 40_000);

  it('the kitchen display on the relay: signed in, a station picked, a ticket shown; no violation', async () => {
    const server = await signInByApi(h.relay.url, 'server', h.tablet.header);
    const orderId = newUlid();
    const create = await opAs(server, 'csp-e2e-server', 'order.create', {
      orderId,
      tableId: 'table-2',
      guestCount: 2,
      lines: [{ lineId: newUlid(), itemId: 'burger', quantity: 1, modifierIds: [] }],
    });
    await post(h.relay.url, server, create);
    await post(
      h.relay.url,
      server,
      await opAs(server, 'csp-e2e-server', 'order.sendToKitchen', { orderId }, [create.opId]),
    );

    const socketsBefore = (await h.relay.health()).connectedDevices;
    const w = await open(`${h.relay.url}/kitchen/`);
    await w.page.locator('hearth-sign-in-form input[name="pin"]').fill(PINS.kitchen);
    await w.page.locator('hearth-sign-in-form button[type="submit"]').click();
    await w.page.locator('hearth-kitchen-page [data-station="grill"]').click();
    // A ticket on the board: its grid sizes itself through a style attribute.
    await w.page.locator('hearth-kds-board hearth-ticket-card').first().waitFor();
    // Its worker's live socket too (a violation in a worker never reaches the page's listeners).
    await vi.waitFor(
      async () => expect((await h.relay.health()).connectedDevices).toBeGreaterThan(socketsBefore),
      { timeout: STEP_TIMEOUT_MS, interval: 100 },
    );
    expect(await w.violations()).toEqual([]);
  }, 40_000);

  it('the guest app on the cloud: the menu shown; no violation', async () => {
    const w = await open(`${h.cloud.url}/guest/?venue=demo-bistro&table=5`);
    await w.page.locator('[data-item="fries"]').first().waitFor();
    // Its worker reads the cloud's feed (socket or long-poll): a subscriber at the cloud.
    await vi.waitFor(async () => expect(await cloudFeedSubscribers()).toBeGreaterThan(0), {
      timeout: STEP_TIMEOUT_MS,
      interval: 100,
    });
    expect(await w.violations()).toEqual([]);
  }, 40_000);

  it('no page error anywhere', () => {
    expect(pageErrors).toEqual([]);
  });
});
