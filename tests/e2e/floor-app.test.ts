import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type EntitySet, type FeedEntry, getEntity, listEntities, type Order } from '#protocol';
import {
  addDish,
  enterPin,
  openTable,
  opList,
  orderAndSend,
  sendAll,
  showView,
  signIn,
  tiles,
} from './support/floor-steps.ts';
import {
  giveDeviceCookie,
  PINS,
  type VenueHarness,
  venueHarness,
  venueOp,
} from './support/relay-process.ts';
import {
  BUILD_TIMEOUT_MS,
  buildWeb,
  CHROMIUM,
  CHROMIUM_ARGS,
  WEB_DIST,
  webDistIsStale,
} from './support/web-build.ts';

// The floor app's drills, end to end: a real cloud, the shipped fault proxy, a real venue relay
// serving the built PWA, and Chromium tablets on the relay's origin — a server's floor app and
// the kitchen's expo display.
//
//   floor tablet ─┐
//                 ├──▶ relay ──▶ fault proxy ──▶ cloud
//   expo display ─┘
//
// 1. The uplink cut: a server opens a table, adds two dishes and sends; expo shows the ticket
//    (how soon: npm run bench:floor); the uplink back, the cloud has the order and its ticket
//    once, and the floor, expo, the relay and the cloud agree.
// 2. The tablet off the network (neither relay nor cloud): orders keep going into its outbox,
//    marked "not sent yet"; back on, they replay, each once.
// 3. An op the relay accepted offline that the cloud then refuses (the dish was 86'd at the
//    cloud meanwhile) lands in the failed-operations inbox with its reason, and the pad shows
//    the cloud's state.
// 4. The browser killed while its outbox is replaying, and started again on the same profile:
//    every order arrives, none twice.

const STEP_TIMEOUT_MS = 20_000;
const TABLET = { width: 1280, height: 800 } as const;

let harness: VenueHarness;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

async function tablet(path: string): Promise<Page> {
  const context = await browser.newContext({ viewport: TABLET, serviceWorkers: 'allow' });
  contexts.push(context);
  // A paired tablet: staff sign in only on one (decision 034).
  await giveDeviceCookie(context, harness.relay.url, harness.tablet);
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await openControlled(page, `${harness.relay.url}${path}`);
  return page;
}

/** Loads a page and waits until its service worker controls it (the outbox is in play). */
async function openControlled(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction('navigator.serviceWorker.ready.then(() => true)');
  if (!(await page.evaluate('navigator.serviceWorker.controller !== null'))) await page.reload();
  await page.waitForFunction('navigator.serviceWorker.controller !== null');
}

/** `find`'s value once it has one (vi.waitFor tries again while it throws). */
function found<T>(what: string, value: T | undefined): T {
  if (value === undefined) throw new Error(`not yet: ${what}`);
  return value;
}

/**
 * Every op the floor lists is synced: the tablet holds nothing it could send again, so what the
 * cloud holds now is final.
 */
async function outboxDrained(page: Page, timeout = STEP_TIMEOUT_MS): Promise<void> {
  await showView(page, 'sync');
  await vi.waitFor(
    async () => {
      const statuses = await opList(page).evaluateAll((lis) =>
        lis.map((li) => li.getAttribute('data-status')),
      );
      expect(statuses.length, 'ops listed').toBeGreaterThan(0);
      expect(statuses, 'the ops listed on the tablet').toEqual(statuses.map(() => 'synced'));
    },
    { timeout, interval: 100 },
  );
}

async function tableIdAt(page: Page, nth: number): Promise<string> {
  await showView(page, 'floor');
  return (await tiles(page).nth(nth).getAttribute('data-table')) ?? '';
}

/**
 * Arms a watch in a kitchen display for the first frame with a card it did not show before;
 * the returned function answers that card's key and the time (ms since the epoch) it showed.
 */
async function armNewCard(page: Page): Promise<() => Promise<{ key: string; at: number }>> {
  // A string: the page's DOM types are not in this (Node) project's libs.
  await page.evaluate(`(() => {
    const keys = (root, into = []) => {
      for (const el of root.querySelectorAll('*')) {
        const key = el.getAttribute('data-card');
        if (key) into.push(key);
        if (el.shadowRoot) keys(el.shadowRoot, into);
      }
      return into;
    };
    const before = new Set(keys(document));
    globalThis.newCard = new Promise((resolve) => {
      const frame = () => {
        const key = keys(document).find((k) => !before.has(k));
        if (key) resolve({ key, at: Date.now() });
        else requestAnimationFrame(frame);
      };
      frame();
    });
  })()`);
  return () =>
    page.evaluate(
      () => (globalThis as unknown as { newCard: Promise<{ key: string; at: number }> }).newCard,
    );
}

const openOrdersAt = (entities: EntitySet, tableId: string): Order[] =>
  listEntities(entities, 'order').filter(
    (o) => o.tableId === tableId && o.status !== 'closed' && o.status !== 'voided',
  );

/** Creations (version 1) per entity id of a kind, in a feed. */
function creations(entries: readonly FeedEntry[], entity: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of entries) {
    if (e.entity !== entity || e.op !== 'upsert' || e.version !== 1) continue;
    counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
  }
  return counts;
}

/** An entity as the screens compare it: without the version each store stamps. */
const stripped = (value: object | undefined) => {
  if (!value) return value;
  const { version: _version, ...rest } = value as { version?: number };
  return rest;
};

describe('the floor app with the relay and the cloud cut off and back', () => {
  let floor: Page;
  let expo: Page;

  beforeAll(async () => {
    if (webDistIsStale()) await buildWeb();
    harness = await venueHarness({ relayEnv: { HEARTH_WEB_DIR: WEB_DIST } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
      timeout: 60_000,
    });
    floor = await tablet('/ops/');
    await signIn(floor, PINS.server);
    await tiles(floor).first().waitFor();
    expo = await tablet('/kitchen/');
    await expo.locator('hearth-sign-in-form input[name="pin"]').fill(PINS.kitchen);
    await expo.locator('hearth-sign-in-form button[type="submit"]').click();
    await expo.locator('hearth-kitchen-page [data-station="expo"]').click();
    await expo.locator('hearth-kitchen-page [data-tickets]').waitFor();
  }, BUILD_TIMEOUT_MS + 90_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await harness?.close();
    expect(pageErrors).toEqual([]);
  }, 30_000);

  it('1. uplink cut: the order reaches expo over the LAN; back up, the cloud has it once and every screen agrees', async () => {
    harness.proxy.cut();
    await harness.relay.waitForConnectivity('offline_local', 10_000);
    const tableId = await openTable(floor, 0);
    await addDish(floor, 0);
    await addDish(floor, 1);
    const shown = await armNewCard(expo);
    await sendAll(floor);
    // The order's id comes from the relay, which decided it; its expo card is keyed by it.
    // (How fast it gets there: npm run bench:floor.)
    const order = await vi.waitFor(
      async () =>
        found('the order at the relay', openOrdersAt(await harness.relayEntities(), tableId)[0]),
      { timeout: STEP_TIMEOUT_MS, interval: 50 },
    );
    const card = expo.locator(`hearth-ticket-card [data-card="order:${order.id}#1"]`);
    const first = await shown();
    expect(first.key).toBe(`order:${order.id}#1`);
    // The lines say where they are: in the venue, not in the cloud yet.
    await expect
      .poll(() =>
        floor.locator('hearth-order-pad li.line [data-sync]').first().getAttribute('data-sync'),
      )
      .toMatch(/^(delivered_local|pending|sending)$/);

    harness.proxy.restore();
    await harness.waitSettled();
    // The floor says synced: nothing is left to send, here or at the relay.
    await expect
      .poll(
        async () =>
          floor
            .locator('hearth-order-pad li.line [data-sync]')
            .evaluateAll((els) => els.map((el) => el.getAttribute('data-sync'))),
        { timeout: STEP_TIMEOUT_MS },
      )
      .toEqual(['synced', 'synced']);
    expect(openOrdersAt(await harness.cloudEntities(), tableId)).toHaveLength(1);
    const cloudFeed = await harness.cloudFeed();
    expect(creations(cloudFeed, 'order').get(order.id)).toBe(1);
    const cloudTickets = listEntities(await harness.cloudEntities(), 'ticket').filter(
      (t) => t.orderId === order.id,
    );
    expect(cloudTickets.length).toBeGreaterThan(0);
    for (const t of cloudTickets) expect(creations(cloudFeed, 'ticket').get(t.id)).toBe(1);
    // Relay and cloud hold the same order and tickets.
    const [cloud, venue] = [await harness.cloudEntities(), await harness.relayEntities()];
    expect(stripped(getEntity(venue, 'order', order.id))).toEqual(
      stripped(getEntity(cloud, 'order', order.id)),
    );
    for (const t of cloudTickets)
      expect(stripped(getEntity(venue, 'ticket', t.id))).toEqual(stripped(t));
    // The floor shows the table ordered; expo still shows the card.
    await showView(floor, 'floor');
    expect(await tiles(floor).first().getAttribute('data-state')).toBe('ordered');
    expect(await card.count()).toBe(1);
  }, 90_000);

  it('2. tablet off the network: orders queue as "not sent yet"; back on, each is applied once', async () => {
    const context = floor.context();
    const tables = [
      await tableIdAt(floor, 1),
      await tableIdAt(floor, 2),
      await tableIdAt(floor, 3),
    ];
    await context.setOffline(true);
    try {
      for (const nth of [1, 2, 3]) {
        await orderAndSend(floor, nth);
        await expect
          .poll(() =>
            floor.locator('hearth-order-pad li.line [data-sync]').first().getAttribute('data-sync'),
          )
          .toBe('pending');
        expect(
          await floor.locator('hearth-order-pad li.line [data-sync]').first().textContent(),
        ).toMatch(/not sent yet/i);
      }
      await showView(floor, 'floor');
      for (const nth of [1, 2, 3])
        expect(await tiles(floor).nth(nth).getAttribute('data-state')).toBe('ordered');
      const venue = await harness.relayEntities();
      for (const tableId of tables) expect(openOrdersAt(venue, tableId)).toEqual([]);
    } finally {
      await context.setOffline(false);
    }
    await outboxDrained(floor, 30_000);
    await harness.waitSettled();
    const cloud = await harness.cloudEntities();
    const open = tables.map((id) => openOrdersAt(cloud, id));
    expect(open.map((o) => o.length)).toEqual([1, 1, 1]);
    const orders = open.map((o) => o[0] as Order);
    const feed = await harness.cloudFeed();
    const created = creations(feed, 'order');
    // Each once. Not necessarily in the order they were made: orders at different tables are
    // unrelated, and each goes when its own (jittered) backoff ends (web/device/outbox-due.ts,
    // rule 4); an order's own ops keep their order (its lines and send are one op).
    for (const o of orders) expect(created.get(o.id)).toBe(1);
    for (const o of orders) expect(o.status).toBe('sent');
  }, 90_000);

  it('3. an op the cloud refuses after the relay took it shows in the failed-ops inbox, and the pad shows the cloud’s state', async () => {
    harness.proxy.cut();
    await harness.relay.waitForConnectivity('offline_local', 10_000);
    const tableId = await openTable(floor, 4);
    const itemId = await addDish(floor, 0);
    await sendAll(floor);
    await vi.waitFor(
      async () =>
        expect(
          openOrdersAt(await harness.relayEntities(), tableId),
          'open orders at the relay',
        ).toHaveLength(1),
      { timeout: STEP_TIMEOUT_MS, interval: 50 },
    );
    // Meanwhile a manager at the cloud marks that dish sold out.
    const soldOut = await harness.postCloud(
      await venueOp(
        'menu.item.setAvailability',
        { itemId, available: false },
        'floor-e2e-manager',
        'demo-manager',
      ),
      'manager',
    );
    expect(soldOut.status, soldOut.text).toBeLessThan(300);
    harness.proxy.restore();
    await harness.waitSettled();
    // The cloud never had the order; the relay takes the cloud's word, and so does the tablet.
    await vi.waitFor(
      async () =>
        expect(
          [
            openOrdersAt(await harness.cloudEntities(), tableId),
            openOrdersAt(await harness.relayEntities(), tableId),
          ],
          'open orders at the cloud and the relay',
        ).toEqual([[], []]),
      { timeout: 30_000, interval: 50 },
    );
    await showView(floor, 'sync');
    const inbox = floor.locator('hearth-failed-ops');
    const inboxText = () => inbox.evaluate((el) => el.shadowRoot?.textContent ?? '');
    await expect.poll(inboxText, { timeout: 30_000 }).toMatch(/sold out/i);
    expect(await inboxText()).toMatch(/guest/i);
    await openTable(floor, 4);
    await expect
      .poll(() =>
        floor.locator(`hearth-order-pad button.dish[data-item="${itemId}"]`).textContent(),
      )
      .toMatch(/Sold out/);
    expect(await floor.locator('hearth-order-pad li.line[data-where="order"]').count()).toBe(0);
  }, 90_000);

  // 4. A tablet of its own: a Chromium process on a profile that outlives it.

  let profile: string;
  let chrome: ChildProcess | undefined;

  /**
   * Kills Chromium and every process it started (its own process group: renderers and the
   * network service go too, as when a tablet loses power), and waits for the browser to be gone.
   */
  async function stopChromium(): Promise<void> {
    const child = chrome;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
    await gone;
  }

  /** Chromium as its own process (so it can be killed outright), driven over CDP. */
  async function startChromium(): Promise<{ browser: Browser; page: Page }> {
    const child = spawn(
      CHROMIUM,
      [
        ...CHROMIUM_ARGS,
        '--headless=new',
        `--user-data-dir=${profile}`,
        '--remote-debugging-port=0',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    chrome = child;
    const ws = await new Promise<string>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`no DevTools address: ${seen}`)), 30_000);
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        seen += chunk;
        const match = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    const cdp = await chromium.connectOverCDP(ws);
    const context = cdp.contexts()[0] ?? (await cdp.newContext());
    // Paired (again after a kill: Chromium writes cookies to disk now and then).
    await giveDeviceCookie(context, harness.relay.url, harness.tablet);
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    await page.setViewportSize(TABLET);
    return { browser: cdp, page };
  }

  it('4. every order made offline arrives once after the browser is killed mid-replay', async () => {
    profile = mkdtempSync(join(tmpdir(), 'hearth-floor-profile-'));
    try {
      await killedMidReplay();
    } finally {
      await stopChromium();
      // A straggling child may still be writing: a profile left in the temp dir is harmless.
      try {
        rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
      } catch (error) {
        console.warn(`left ${profile}: ${String(error)}`);
      }
    }
  }, 120_000);

  async function killedMidReplay(): Promise<void> {
    const first = await startChromium();
    await openControlled(first.page, `${harness.relay.url}/ops/`);
    await signIn(first.page, PINS.server);
    await tiles(first.page).first().waitFor();
    const picks = [5, 6, 7, 8, 9, 10];
    const tables = await Promise.all(picks.map((nth) => tableIdAt(first.page, nth)));
    await first.page.context().setOffline(true);
    for (const nth of picks) await orderAndSend(first.page, nth);
    const before = (await harness.relayFeed()).length;
    await first.page.context().setOffline(false);
    // Killed as soon as the relay has seen the first op: the outbox's answers are not stored.
    await vi.waitFor(
      async () =>
        expect((await harness.relayFeed()).length, 'relay feed entries').toBeGreaterThan(before),
      { timeout: STEP_TIMEOUT_MS, interval: 10 },
    );
    await stopChromium();
    await first.browser.close().catch(() => undefined);

    const second = await startChromium();
    await openControlled(second.page, `${harness.relay.url}/ops/`);
    // The outbox outlived the kill. The session cookie may not have (Chromium writes cookies
    // to disk now and then): then the ops wait, marked SIGN_IN, and the floor asks the server
    // for their PIN again; the replay finishes under the new session.
    const again = second.page.locator('hearth-floor-page [aria-label="Sign in again"]');
    let signedInAgain = false;
    const orders = await vi.waitFor(
      async () => {
        if (!signedInAgain && (await again.isVisible())) {
          expect(await again.textContent()).toMatch(/changes wait on this tablet/);
          await enterPin(second.page, PINS.server);
          signedInAgain = true;
        }
        const cloud = await harness.cloudEntities();
        const open = tables.map((id) => openOrdersAt(cloud, id));
        expect(
          open.map((o) => o.length),
          'open orders per table in the cloud',
        ).toEqual(tables.map(() => 1));
        return open.map((o) => o[0] as Order);
      },
      { timeout: 45_000, interval: 200 },
    );
    // A last order, queued behind whatever the outbox still held: once the cloud has it, every
    // op before it has been sent again and answered, so the cloud's feed below is final.
    const lastTable = await tableIdAt(second.page, 11);
    await orderAndSend(second.page, 11);
    await vi.waitFor(
      async () =>
        expect(
          openOrdersAt(await harness.cloudEntities(), lastTable),
          'the last order in the cloud',
        ).toHaveLength(1),
      { timeout: STEP_TIMEOUT_MS, interval: 100 },
    );
    const feed = await harness.cloudFeed();
    for (const o of orders) {
      expect(creations(feed, 'order').get(o.id)).toBe(1);
      expect(o.status).toBe('sent');
      expect(o.lines).toHaveLength(1);
    }
    const tickets = listEntities(await harness.cloudEntities(), 'ticket');
    for (const o of orders) expect(tickets.filter((t) => t.orderId === o.id)).toHaveLength(1);
    await second.browser.close().catch(() => undefined);
    await stopChromium();
  }
});
