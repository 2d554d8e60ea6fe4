// `npm run screenshots`: the kitchen display as a cook sees it, saved as PNGs under
// docs/screenshots/. A real cloud and a real venue relay (temporary data directories; the
// relay's uplink through the fault proxy so it can be cut) serve the built PWA (web/dist, built
// by the npm script first); Chromium opens /kitchen/ from the relay, signs in with the kitchen
// PIN and shows the grill station (preset in localStorage), at 1280×800 and 1920×1080:
//
//   online      live via the relay, the relay online with the cloud
//   relay-only  the relay's uplink cut: the status says the relay is offline from the cloud
//   cached      the page's own network cut (context.setOffline): "Cached copy"
//
// each with 0, 12 and 1,000 tickets on the grill (orders placed through the relay's API), then
// expo with 12 orders (some stations' shares ready) and the all-day panel open. Every shot waits
// for a settled screen: the cards painted, their clocks counting. Before it, the guest app on a
// phone (scripts/guest-screenshots.ts); first of all, on a venue of its own, the floor app on a
// tablet and a phone (scripts/floor-screenshots.ts). Card payments go to the test card processor
// (server/payments/test-processor), started here for the run. Nothing outlives the run.
//
//   npm run screenshots            (or: bun scripts/screenshots.ts, with web/dist built)
//   npm run screenshots -- --only floor      (or guest, or kitchen): one app's shots

import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type Operation, ticketIdFor } from '#protocol';
import {
  type RelayProcess,
  setupLinkAtRelay,
  type VenueHarness,
  venueHarness,
} from '../tests/e2e/support/relay-process.ts';
import { CHROMIUM, CHROMIUM_ARGS, REPO_ROOT, WEB_DIST } from '../tests/e2e/support/web-build.ts';
import {
  type OrderSpec,
  opAs,
  orderOps,
  post,
  SAMPLE_ORDERS,
  type Staff,
  signIn,
  VENUE,
} from '../tests/support/kitchen-orders.ts';
import { type ProcessorProcess, startProcessor } from '../tests/support/processor-process.ts';
import { guardRun } from '../tests/support/run-guard.ts';
import { floorScreens } from './floor-screenshots.ts';
import { guestScreens } from './guest-screenshots.ts';

const OUT = join(REPO_ROOT, 'docs/screenshots');
const ONLY = onlyArgument(process.argv.slice(2));
const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;
const COUNTS = [0, 12, 1_000] as const;
const STATION_KEY = 'hearth.kitchen.station';
const DEADLINE_MS = 15 * 60_000;
const WAIT_MS = 60_000;

/** The demo menu's grill dishes (cloud/seed/demo-menu.ts). */
const GRILL = new Set(['burger', 'steak-frites', 'chicken', 'salmon', 'risotto', 'veggie-burger']);
/**
 * The sample lunch mix, every order with a grill dish (table 11's Caesar gets a half chicken),
 * so N orders put N tickets on the grill; the other stations get their shares too (expo).
 */
const ORDERS: readonly OrderSpec[] = SAMPLE_ORDERS.map((spec) =>
  spec.lines.some((l) => GRILL.has(l.itemId))
    ? spec
    : {
        ...spec,
        lines: [...spec.lines, { itemId: 'chicken', modifierIds: ['side-salad'], note: 'no jus' }],
      },
);

const began = performance.now();
const progress = (what: string) =>
  console.error(`screenshots: ${((performance.now() - began) / 1000).toFixed(1)} s ${what}`);

// ---------------------------------------------------------------------------------------------
// Orders, through the relay's API

interface Placed {
  readonly orderId: string;
  readonly sendOpId: string;
}

/** Places `count` orders in batches (one device per batch: its ops in order, create → send). */
async function placeOrders(
  base: string,
  server: Staff,
  count: number,
  from: number,
): Promise<Placed[]> {
  const placed: Placed[] = [];
  const perBatch = 50; // two ops an order, 100 ops a batch (the relay's and the cloud's limit)
  for (let start = 0; start < count; start += perBatch) {
    const deviceId = `screenshots-${from + start}`;
    const ops: Operation[] = [];
    for (let i = start; i < Math.min(count, start + perBatch); i++) {
      const { orderId, create, send } = await orderOps(
        server,
        deviceId,
        ORDERS[(from + i) % ORDERS.length] as OrderSpec,
      );
      ops.push(create, send);
      placed.push({ orderId, sendOpId: send.opId });
    }
    const send = () =>
      fetch(`${base}/v1/venues/${VENUE}/ops/batch`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` },
        body: JSON.stringify({ deviceId, ops }),
        signal: AbortSignal.timeout(30_000),
      });
    let response = await send();
    // The relay limits a device's writes (decision 032): wait as it says, then the same batch
    // again (its ops' ids make a resend change nothing twice).
    while (response.status === 429) {
      const seconds = Number(response.headers.get('Retry-After') ?? '1');
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, seconds) * 1000));
      response = await send();
    }
    const body = (await response.json().catch(() => undefined)) as
      | { results?: { status: string }[] }
      | undefined;
    const refused = (body?.results ?? []).filter(
      (r) => r.status !== 'applied' && r.status !== 'duplicate',
    );
    if (!response.ok || !body?.results || refused.length > 0) {
      throw new Error(
        `batch at ${base}: ${response.status} ${JSON.stringify(refused.length > 0 ? refused[0] : body).slice(0, 400)}`,
      );
    }
  }
  return placed;
}

async function transition(
  base: string,
  kitchen: Staff,
  type: 'ticket.transition' | 'ticket.markLine',
  payload: unknown,
) {
  await post(base, kitchen, await opAs(kitchen, 'screenshots-kitchen', type, payload));
}

// ---------------------------------------------------------------------------------------------
// The page

interface Screen {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly size: (typeof SIZES)[number];
}

/**
 * Page-side helpers (plain JavaScript, added to every page before its scripts): the board of
 * `<hearth-kitchen-page>`, and whether the screen has settled.
 */
const PAGE_HELPERS = `
window.__shots = {
  board() {
    return document.querySelector('hearth-kitchen-page')?.shadowRoot?.querySelector('hearth-kds-board') ?? null;
  },
  seen() {
    const board = this.board();
    return {
      cards: board?.board.cards.length ?? null,
      status: board?.shadowRoot?.querySelector('.status')?.textContent.replace(/\\s+/g, ' ').trim() ?? null,
    };
  },
  settled(tickets, status) {
    const board = this.board();
    if (!board || board.isUpdatePending || board.board.cards.length !== tickets) return false;
    const line = board.shadowRoot?.querySelector('.status')?.textContent ?? '';
    if (!new RegExp(status).test(line.replace(/\\s+/g, ' '))) return false;
    const cards = [...board.shadowRoot.querySelectorAll('hearth-ticket-card')];
    if (tickets > 0 && cards.length === 0) return false;
    return cards.every(
      (card) => !card.isUpdatePending && card.shadowRoot?.querySelector('article') && (card.card?.sinceFiredMs ?? 0) >= 1000,
    );
  },
  frames(n) {
    return new Promise((resolve) => {
      const next = (left) => (left === 0 ? resolve(true) : requestAnimationFrame(() => next(left - 1)));
      next(n);
    });
  },
};
`;

/**
 * A kitchen display at `size`: paired with the relay through its setup link and pair page (as a
 * new display is), signed in, showing `station`.
 */
async function openDisplay(
  browser: Browser,
  relay: Pick<RelayProcess, 'dataDir' | 'url'>,
  size: (typeof SIZES)[number],
  station: string,
): Promise<Screen> {
  const context = await browser.newContext({
    viewport: size,
    deviceScaleFactor: 1,
    // The flash of a new ticket holds still (its reduced-motion look) for a stable picture.
    reducedMotion: 'reduce',
    serviceWorkers: 'allow',
    // The pages' CSP (script-src 'self') would refuse the string predicates that settle polls.
    bypassCSP: true,
  });
  await context.addInitScript(
    `window.localStorage.setItem(${JSON.stringify(STATION_KEY)}, ${JSON.stringify(station)});${PAGE_HELPERS}`,
  );
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on('pageerror', (error) => console.error(`page error (${size.width}): ${error.message}`));
  const link = setupLinkAtRelay(relay, 'kitchen');
  if (!link.pairUrl) throw new Error(`the relay printed no pairing link: ${link.stderr}`);
  await page.goto(link.pairUrl);
  await page.locator('hearth-pair-page [data-action="pair"]').click();
  await page.waitForURL(`${relay.url}/kitchen/`);
  await page.locator('hearth-sign-in-form input[name="pin"]').fill('2222');
  await page.locator('hearth-sign-in-form button[type="submit"]').click();
  await page.waitForFunction('window.__shots.board() !== null');
  // The cached shots need the app's files from the service worker's cache.
  await page.waitForFunction('navigator.serviceWorker.ready.then(() => true)');
  return { context, page, size };
}

/**
 * Waits until the board holds `tickets` cards, every card of the page is painted with its clock
 * past zero, the status line reads `status`, and two frames have gone by.
 */
async function settle(screen: Screen, tickets: number, status: RegExp): Promise<void> {
  try {
    await screen.page.waitForFunction(
      `window.__shots.settled(${tickets}, ${JSON.stringify(status.source)})`,
      undefined,
      { polling: 100, timeout: WAIT_MS },
    );
  } catch (error) {
    const seen = await screen.page.evaluate('window.__shots.seen()').catch(() => undefined);
    throw new Error(
      `the ${screen.size.width}×${screen.size.height} display did not settle on ${tickets} tickets and /${status.source}/ (saw ${JSON.stringify(seen)}): ${String(error)}`,
    );
  }
  await screen.page.evaluate('window.__shots.frames(2)');
}

const written: string[] = [];

async function shoot(screen: Screen, name: string): Promise<void> {
  const file = join(OUT, `kds-${screen.size.width}x${screen.size.height}-${name}.png`);
  await screen.page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  written.push(file);
  console.log(`${file.slice(REPO_ROOT.length)}  ${(statSync(file).size / 1024).toFixed(0)} KB`);
}

const ONLINE = /Live via the venue relay.*Venue relay: online with the cloud/;
const RELAY_ONLY = /Live via the venue relay.*Venue relay: offline from cloud/;
const CACHED = /Cached copy/;

/** The three states at both sizes, for the tickets on the board now. */
async function states(venue: VenueHarness, browser: Browser, tickets: number): Promise<void> {
  const screens: Screen[] = [];
  try {
    for (const size of SIZES) screens.push(await openDisplay(browser, venue.relay, size, 'grill'));
    for (const screen of screens) await settle(screen, tickets, ONLINE);
    for (const screen of screens) await shoot(screen, `online-${tickets}`);

    // The page's own network gone: its cached copy, the relay's last word kept.
    for (const screen of screens) await screen.context.setOffline(true);
    for (const screen of screens) await settle(screen, tickets, CACHED);
    for (const screen of screens) await shoot(screen, `cached-${tickets}`);
    for (const screen of screens) await screen.context.setOffline(false);

    // The relay's uplink cut: the display still live through the relay. (Cut last: the relay
    // holds `recovered` for 30 s after the uplink returns before it says `online` again.)
    venue.proxy.cut();
    await venue.relay.waitForConnectivity('offline_local', 30_000);
    for (const screen of screens) await settle(screen, tickets, RELAY_ONLY);
    for (const screen of screens) await shoot(screen, `relay-only-${tickets}`);
    venue.proxy.restore();
    await venue.waitSettled(30_000);
  } finally {
    venue.proxy.restore();
    for (const screen of screens) await screen.context.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * A cloud and a relay (its uplink through the fault proxy), both serving the built PWA, their
 * card payments at the test processor, whose events go to this cloud.
 */
async function startVenue(processor: ProcessorProcess): Promise<VenueHarness> {
  const cards = {
    HEARTH_PROCESSOR_URL: processor.url,
    HEARTH_PROCESSOR_SECRET: processor.secret,
  };
  await processor.reset();
  const venue = await venueHarness({
    cloudEnv: { HEARTH_WEB_DIR: WEB_DIST, ...cards },
    relayEnv: { HEARTH_WEB_DIR: WEB_DIST, ...cards },
  });
  await processor.setWebhook(`${venue.cloud.url}/v1/payments/processor-events`);
  return venue;
}

async function main(): Promise<void> {
  statSync(join(WEB_DIST, 'kitchen/index.html')); // built by `npm run screenshots` first
  mkdirSync(OUT, { recursive: true });
  let venue: VenueHarness | undefined;
  let browser: Browser | undefined;
  let processor: ProcessorProcess | undefined;
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    await venue?.close().catch(() => undefined);
    await processor?.stop().catch(() => undefined);
  };
  const disarm = guardRun('screenshots', DEADLINE_MS, stop);
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
    // The test card processor, for the floor's and the guest's payments.
    processor = await startProcessor();
    if (ONLY === undefined || ONLY === 'floor') {
      // A venue of its own: the kitchen's shots count every grill ticket on the board.
      venue = await startVenue(processor);
      progress(`floor: cloud ${venue.cloud.url}, relay ${venue.relay.url}`);
      written.push(...(await floorScreens(venue, browser, OUT, processor)));
      await venue.close();
      venue = undefined;
      progress('floor screens');
    }
    if (ONLY !== 'floor') {
      venue = await startVenue(processor);
      progress(`cloud ${venue.cloud.url}, relay ${venue.relay.url}`);
      if (ONLY !== 'kitchen') {
        written.push(...(await guestScreens(venue, browser, OUT)));
        progress('guest screens');
      }
      // Staff sign in only on a paired device: the harness's tablet.
      const server = await signIn(venue.relay.url, 'server', venue.tablet.header);
      const kitchen = await signIn(venue.relay.url, 'kitchen', venue.tablet.header);

      let placed: Placed[] = [];
      for (const count of ONLY === 'guest' ? [] : COUNTS) {
        const more = await placeOrders(
          venue.relay.url,
          server,
          count - placed.length,
          placed.length,
        );
        placed = [...placed, ...more];
        if (count === 12) {
          // A board mid-service: three tickets being cooked, one of them with a dish done.
          for (const { sendOpId } of placed.slice(0, 3))
            await transition(venue.relay.url, kitchen, 'ticket.transition', {
              ticketId: ticketIdFor(sendOpId, 'grill'),
              action: 'start',
            });
        }
        await venue.waitSettled(60_000);
        progress(`${count} orders placed`);
        await states(venue, browser, count);

        if (count === 12) {
          await extras(venue, browser, kitchen, placed);
        }
      }
    }
  } finally {
    disarm();
    await stop();
  }
  const total = written.reduce((sum, file) => sum + statSync(file).size, 0);
  console.log(`${written.length} screenshots, ${(total / 1024).toFixed(0)} KB in all`);
}

/** Expo with some shares ready; the grill with its all-day panel open. */
async function extras(
  venue: VenueHarness,
  browser: Browser,
  kitchen: Staff,
  placed: readonly Placed[],
) {
  const base = venue.relay.url;
  // Fry and cold have sent their shares of a few orders to the pass; two orders are all ready.
  const snapshot = await venue.relaySnapshot('kitchen', 'ticket');
  const tickets = snapshot.records
    .filter((r) => r.entity === 'ticket')
    .map((r) => r.data as { id: string; orderId: string; station: string });
  const ready = (orderIndex: number, stations: readonly string[]) =>
    tickets.filter(
      (t) => t.orderId === placed[orderIndex]?.orderId && stations.includes(t.station),
    );
  const toReady = [
    ...ready(0, ['grill', 'fry']),
    ...ready(1, ['fry', 'cold']),
    ...ready(3, ['fry']),
    ...ready(5, ['cold']),
    ...ready(8, ['grill', 'cold']),
  ];
  for (const t of toReady)
    await transition(base, kitchen, 'ticket.transition', { ticketId: t.id, action: 'ready' });
  await venue.waitSettled(30_000);

  const expo = await openDisplay(browser, venue.relay, SIZES[1], 'expo');
  try {
    await settle(expo, 12, ONLINE);
    await shoot(expo, 'expo-12');
  } finally {
    await expo.context.close().catch(() => undefined);
  }

  const grillLeft = 12 - toReady.filter((t) => t.station === 'grill').length;
  const grill = await openDisplay(browser, venue.relay, SIZES[0], 'grill');
  try {
    await settle(grill, grillLeft, ONLINE);
    await grill.page.keyboard.press('s');
    await grill.page.waitForFunction(
      `Boolean(window.__shots.board()?.shadowRoot.querySelector('section[aria-label="All day"]'))`,
    );
    await settle(grill, grillLeft, ONLINE);
    await shoot(grill, `all-day-${grillLeft}`);
  } finally {
    await grill.context.close().catch(() => undefined);
  }
  // Back to cooking, so the grill holds one ticket per order again for the next count.
  for (const t of toReady)
    await transition(base, kitchen, 'ticket.transition', { ticketId: t.id, action: 'recall' });
}

/** `--only guest`, `--only kitchen` or `--only floor`; undefined for every screen. */
function onlyArgument(args: readonly string[]): 'guest' | 'kitchen' | 'floor' | undefined {
  const at = args.indexOf('--only');
  if (at === -1) return undefined;
  const value = args[at + 1];
  if (value === 'guest' || value === 'kitchen' || value === 'floor') return value;
  throw new Error(`--only takes guest, kitchen or floor, not ${value ?? 'nothing'}`);
}

try {
  await main();
} catch (error) {
  console.error(
    `screenshots failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exitCode = 1;
}
