import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { opList, orderAndSend, showView, signIn, tiles } from './support/floor-steps.ts';
import { giveDeviceCookie, type VenueHarness, venueHarness } from './support/relay-process.ts';
import {
  BUILD_TIMEOUT_MS,
  buildWeb,
  CHROMIUM,
  CHROMIUM_ARGS,
  WEB_DIST,
} from './support/web-build.ts';

// The PWA as a person gets it: built with `npm run build:web`, served by a real venue relay
// (`bun relay/main.ts`, enrolled to a real cloud), opened in Debian's Chromium with a fresh
// profile. Chromium itself says the floor and kitchen pages are installable; then the network
// goes away and a reload still shows the page, with its banner saying so.

const STEP_TIMEOUT_MS = 20_000;

interface ManifestAnswer {
  readonly url: string;
  readonly errors: readonly { readonly message: string; readonly critical: number }[];
  readonly data?: string;
}

interface InstallabilityAnswer {
  readonly installabilityErrors: readonly { readonly errorId: string }[];
}

/** The banner's text, through both shadow roots (Playwright's CSS engine pierces them). */
async function bannerText(page: Page): Promise<string> {
  const text = await page.locator('hearth-resilience-banner [role="status"]').textContent();
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/** How long and how often a wait (vi.waitFor) looks at the page again. */
const POLL = { timeout: STEP_TIMEOUT_MS, interval: 100 } as const;

async function bannerMatches(page: Page, pattern: RegExp): Promise<void> {
  await vi.waitFor(async () => expect(await bannerText(page), 'the banner').toMatch(pattern), POLL);
}

async function waitForAttribute(
  locator: ReturnType<Page['locator']>,
  name: string,
  value: string,
): Promise<void> {
  await vi.waitFor(async () => expect(await locator.getAttribute(name), name).toBe(value), POLL);
}

describe('the PWA from a venue relay, in Chromium', () => {
  let harness: VenueHarness;
  let context: BrowserContext;
  let profile: string;
  let page: Page;
  const consoleLines: string[] = [];

  beforeAll(async () => {
    await buildWeb();
    harness = await venueHarness({ relayEnv: { HEARTH_WEB_DIR: WEB_DIST } });
    profile = mkdtempSync(join(tmpdir(), 'hearth-pwa-profile-'));
    // A persistent (not incognito) profile: Chromium never calls an off-the-record page installable.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
      timeout: 60_000,
    });
    // A paired tablet: staff sign in only on one (decision 034).
    await giveDeviceCookie(context, harness.relay.url, harness.tablet);
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => consoleLines.push(`pageerror: ${error.message}`));
  }, BUILD_TIMEOUT_MS + 120_000);

  afterAll(async () => {
    await context?.close();
    await harness?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  }, 60_000);

  const origin = () => harness.relay.url;
  const manifestOf = (path: string) =>
    path.startsWith('/kitchen/') ? '/kitchen.webmanifest' : '/manifest.webmanifest';

  async function checkInstallable(path: string, display: string, startUrl: string) {
    await page.goto(`${origin()}${path}`);
    const cdp = await context.newCDPSession(page);
    try {
      const manifest = (await cdp.send('Page.getAppManifest')) as unknown as ManifestAnswer;
      expect(manifest.url).toBe(`${origin()}${manifestOf(path)}`);
      expect(manifest.errors, JSON.stringify(manifest.errors)).toEqual([]);
      const parsed = JSON.parse(manifest.data ?? '{}') as { display?: string; start_url?: string };
      expect(parsed.display).toBe(display);
      expect(parsed.start_url).toBe(startUrl);
      // The verdict can lag the page's load (icons fetched, worker checked): ask until settled.
      await vi.waitFor(
        async () => {
          const answer = (await cdp.send(
            'Page.getInstallabilityErrors',
          )) as unknown as InstallabilityAnswer;
          expect(answer.installabilityErrors, `installability errors for ${path}`).toEqual([]);
        },
        { timeout: STEP_TIMEOUT_MS, interval: 250 },
      );
    } finally {
      await cdp.detach();
    }
  }

  it('loads the floor page and its service worker takes control', async () => {
    await page.goto(`${origin()}/ops/`);
    await page.waitForFunction('navigator.serviceWorker.ready.then(() => true)');
    // The worker claims open pages on activation; a reload covers a worker that did not yet.
    const controlled = await page.evaluate('navigator.serviceWorker.controller !== null');
    if (!controlled) await page.reload();
    await page.waitForFunction('navigator.serviceWorker.controller !== null');
    expect(await page.evaluate('navigator.serviceWorker.controller.scriptURL')).toBe(
      `${origin()}/sw.js`,
    );
    await page.locator('hearth-pin-pad [data-sign-in]').waitFor();
    expect(await bannerText(page)).not.toBe('');
  }, 60_000);

  it('is installable: /ops/ standalone, /kitchen/ fullscreen (Chromium’s own verdict)', async () => {
    await checkInstallable('/ops/', 'standalone', '/ops/');
    await checkInstallable('/kitchen/', 'fullscreen', '/kitchen/');
  }, 60_000);

  it('signs in with a PIN, syncs from the relay and sends an order through the outbox', async () => {
    await page.goto(`${origin()}/ops/`);
    await page.waitForFunction('navigator.serviceWorker.controller !== null');
    await signIn(page, '1111');
    await bannerMatches(page, /^Connected to the venue relay/);
    // No token anywhere a script can read: the session is an HttpOnly cookie.
    expect(await page.evaluate('document.cookie')).toBe('');
    const cookies = await context.cookies(origin());
    expect(cookies.find((c) => c.name === 'hearth_session')?.httpOnly).toBe(true);

    // The floor plan: tap a table, a dish, send (one order.create with its send).
    await orderAndSend(page, 0);
    await showView(page, 'sync');
    await expect.poll(() => opList(page).count(), { timeout: STEP_TIMEOUT_MS }).toBe(1);
    for (const badge of await opList(page).all()) {
      await waitForAttribute(badge, 'data-status', 'synced');
      const inCloud = await harness.cloudOp((await badge.getAttribute('data-op')) ?? '');
      expect(inCloud.status, inCloud.text).toBe(200);
    }
    await showView(page, 'floor');
    await waitForAttribute(tiles(page).first(), 'data-state', 'ordered');
  }, 60_000);

  it('reloads offline from the precache, and the banner says it is offline', async () => {
    await page.goto(`${origin()}/ops/`);
    await page.waitForFunction('navigator.serviceWorker.controller !== null');
    await context.setOffline(true);
    try {
      await page.reload();
      expect(await page.title()).toBe('Hearth — floor');
      // The last sync is the cache's, not "not synced yet": the banner reads it from IndexedDB.
      await bannerMatches(page, /^Offline — showing cached data Last sync (just now|\d+ s ago)/);
      // The session outlived the reload (the principal in IndexedDB, the cookie in the jar),
      // and the floor plan still shows every table: read from the device's cache.
      await tiles(page).first().waitFor();
      expect(await tiles(page).count()).toBe(12);

      await page.goto(`${origin()}/kitchen/`);
      expect(await page.title()).toBe('Hearth — kitchen display');
      // The venue's stations come from the cache too: this display becomes the grill's.
      await page.locator('hearth-kitchen-page [data-station="grill"]').click();
      await page.locator('hearth-kitchen-page [data-tickets]').waitFor();
      const status = page.locator('hearth-kds-board .status .headline');
      await expect
        .poll(async () => (await status.textContent()) ?? '', { timeout: STEP_TIMEOUT_MS })
        .toMatch(/^Cached copy — last update/);
    } finally {
      await context.setOffline(false);
    }
    const errors = consoleLines.filter((line) => line.startsWith('pageerror'));
    expect(errors, errors.join('\n')).toEqual([]);
  }, 60_000);

  it('keeps an order made offline in the outbox, shows it pending, and syncs it when back online', async () => {
    await page.goto(`${origin()}/ops/`);
    await tiles(page).first().waitFor();
    await context.setOffline(true);
    const opIds: string[] = [];
    try {
      await bannerMatches(page, /^Offline/);
      // The order is on the floor at once, decided on top of the cache.
      await orderAndSend(page, 1);
      await showView(page, 'floor');
      await waitForAttribute(tiles(page).nth(1), 'data-state', 'ordered');
      await showView(page, 'sync');
      const mine = opList(page);
      await expect.poll(() => mine.count(), { timeout: STEP_TIMEOUT_MS }).toBeGreaterThanOrEqual(1);
      // Newest first: this order's one op, kept in the outbox, not in the cloud.
      for (const badge of (await mine.all()).slice(0, 1)) {
        await waitForAttribute(badge, 'data-status', 'pending');
        opIds.push((await badge.getAttribute('data-op')) ?? '');
      }
      for (const opId of opIds) expect((await harness.cloudOp(opId)).status).toBe(404);
    } finally {
      await context.setOffline(false);
    }
    for (const opId of opIds) {
      await waitForAttribute(
        page.locator(`hearth-op-list li[data-op="${opId}"]`),
        'data-status',
        'synced',
      );
      expect((await harness.cloudOp(opId)).status).toBe(200);
    }
    await bannerMatches(page, /^Connected to the venue relay/);
  }, 60_000);
});
