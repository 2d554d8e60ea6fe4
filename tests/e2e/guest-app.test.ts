import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FeedEntry, listEntities, newUlid } from '#protocol';
import { opAs, signIn } from '../support/kitchen-orders.ts';
import { type VenueHarness, venueHarness, venueOp } from './support/relay-process.ts';
import {
  BUILD_TIMEOUT_MS,
  buildWeb,
  CHROMIUM,
  CHROMIUM_ARGS,
  WEB_DIST,
  webDistIsStale,
} from './support/web-build.ts';

// The guest app end to end: a real cloud serving the built PWA, a real venue relay enrolled to
// it through the shipped fault proxy, and a guest's phone (Chromium at 390×844) on "mobile
// data" — the cloud's origin.
//
//   guest phone (Chromium) ──▶ cloud ◀── fault proxy ◀── relay ◀── kitchen (the API)
//
// 1. The relay's uplink cut; the guest orders fries and burrata at table 5 from the cloud.
//    The cloud routes the tickets at once; the kitchen on the relay has none yet.
// 2. The uplink back: each ticket reaches the relay's kitchen exactly once, and when the fry
//    station marks its ticket ready at the relay, the guest's phone shows it ready.
// 3. A booking whose answer is lost is sent again with the same key: one booking. An edit sent
//    under a key the cloud already booked is refused, and the guest is shown an error.
// 4. A guest on the venue's Wi-Fi (the relay's origin) orders with the uplink cut: the relay
//    signs them in and decides the order; when the uplink returns the cloud has it once.

const STEP_TIMEOUT_MS = 20_000;
const TABLE = { label: '5', id: 'table-5' } as const;
const VIEWPORT = { width: 390, height: 844 } as const;
const OPS_PATH = '/v1/venues/demo-bistro/ops';

let harness: VenueHarness;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

async function guestPage(
  options: { serviceWorkers?: 'allow' | 'block'; origin?: string; table?: string } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: VIEWPORT,
    serviceWorkers: options.serviceWorkers ?? 'allow',
  });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const origin = options.origin ?? harness.cloud.url;
  await page.goto(`${origin}/guest/?venue=demo-bistro&table=${options.table ?? TABLE.label}`);
  await page.locator('[data-item="fries"]').first().waitFor();
  return page;
}

/** Opens a dish's sheet and adds it as it comes (no required choice). */
async function addDish(page: Page, itemId: string): Promise<void> {
  await page.locator(`[data-item="${itemId}"]`).first().click();
  const add = page.locator('hearth-item-sheet button.add');
  await expect.poll(() => add.isEnabled()).toBe(true);
  await add.click();
}

/** Ticket creations (version 1) per ticket id, in a feed. */
function creations(entries: readonly FeedEntry[], orderId: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of entries) {
    if (e.entity !== 'ticket' || e.op !== 'upsert' || e.version !== 1) continue;
    if (e.data.orderId !== orderId) continue;
    counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
  }
  return counts;
}

/**
 * Writes a marker op at the cloud and waits for it at the relay. The relay reads the cloud's
 * feed in order: whatever the cloud published before the marker (a doubled delivery too) is at
 * the relay by then.
 */
async function relayCaughtUp(): Promise<void> {
  const marker = await venueOp(
    'serviceRequest.create',
    { requestId: newUlid(), tableId: 'table-1', kind: 'water' },
    'guest-e2e-marker',
    'demo-manager',
  );
  const http = await harness.postCloud(marker, 'manager');
  expect(http.status, http.text).toBe(201);
  await vi.waitFor(
    async () =>
      expect(
        (await harness.relayFeed()).some((e) => e.opId === marker.opId),
        'the marker op at the relay',
      ).toBe(true),
    { timeout: STEP_TIMEOUT_MS, interval: 50 },
  );
}

describe('the guest app, on mobile data, with the venue relay cut off and back', () => {
  beforeAll(async () => {
    if (webDistIsStale()) await buildWeb();
    harness = await venueHarness({
      cloudEnv: { HEARTH_WEB_DIR: WEB_DIST },
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
    await harness?.close();
    expect(pageErrors).toEqual([]);
  }, 30_000);

  let orderId = '';

  it('1. orders from the cloud while the relay is cut off: the cloud has the tickets, the venue not yet', async () => {
    const page = await guestPage();
    harness.proxy.cut();
    await harness.relay.waitForConnectivity('offline_local', 10_000);

    await addDish(page, 'fries');
    await addDish(page, 'burrata');
    await page.locator('[data-action="view-basket"]').click();
    await page.locator('hearth-guest-basket button.place').click();
    // The order leaves the basket and shows on the table's tab.
    await page.locator('hearth-guest-status [data-order]').first().waitFor();

    const cloud = await harness.cloudEntities();
    const orders = listEntities(cloud, 'order').filter((o) => o.tableId === TABLE.id);
    expect(orders.map((o) => o.source)).toEqual(['guest']);
    orderId = orders[0]?.id ?? '';
    const tickets = listEntities(cloud, 'ticket').filter((t) => t.orderId === orderId);
    expect(tickets.map((t) => t.station).sort()).toEqual(['cold', 'fry']);

    const venue = await harness.relayEntities();
    expect(listEntities(venue, 'order').filter((o) => o.id === orderId)).toEqual([]);
  }, 60_000);

  it('2. the uplink back: each ticket reaches the kitchen once; a bump at the venue shows on the phone', async () => {
    expect(orderId).not.toBe('');
    harness.proxy.restore();
    await harness.waitSettled();
    await vi.waitFor(
      async () =>
        expect(creations(await harness.relayFeed(), orderId).size, 'tickets in the relay').toBe(2),
      { timeout: STEP_TIMEOUT_MS, interval: 50 },
    );
    await relayCaughtUp();
    const atVenue = creations(await harness.relayFeed(), orderId);
    expect([...atVenue.values()]).toEqual([1, 1]);
    const atCloud = creations(await harness.cloudFeed(), orderId);
    expect([...atCloud.keys()].sort()).toEqual([...atVenue.keys()].sort());
    expect([...atCloud.values()]).toEqual([1, 1]);
    const kitchen = listEntities(await harness.relayEntities(), 'ticket').filter(
      (t) => t.orderId === orderId,
    );
    expect(kitchen.map((t) => [t.station, t.tableLabel, t.server])).toEqual(
      expect.arrayContaining([
        ['fry', TABLE.label, 'guest'],
        ['cold', TABLE.label, 'guest'],
      ]),
    );

    // The fry station finishes at the venue; the guest on the cloud sees the fries ready.
    const fry = kitchen.find((t) => t.station === 'fry');
    const page = await guestPage();
    const cook = await signIn(harness.relay.url, 'kitchen', harness.tablet.header);
    for (const action of ['start', 'ready']) {
      const op = await opAs(cook, 'e2e-fry-display', 'ticket.transition', {
        ticketId: fry?.id,
        action,
      });
      const answer = await harness.postRelay(op, { token: cook.token });
      expect(answer.status, answer.text).toBeLessThan(300);
    }
    const friesLine = page.locator(
      `hearth-guest-status [data-order="${orderId}"] li[data-stage="ready"]`,
    );
    await expect.poll(() => friesLine.count(), { timeout: STEP_TIMEOUT_MS }).toBe(1);
    expect(await friesLine.innerText()).toMatch(/Fries/);
  }, 60_000);

  it('3. a booking retried under its key books once; an edit under a used key is an error, not a success', async () => {
    // No service worker: the booking goes to the network itself, where the test loses answers.
    const page = await guestPage({ serviceWorkers: 'block' });
    const form = page.locator('hearth-booking-form');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const fill = async (name: string, party: string) => {
      await form.locator('[data-field="date"]').fill(tomorrow);
      await form.locator('[data-field="time"]').fill('19:30');
      await form.locator('[data-field="partySize"]').fill(party);
      await form.locator('[data-field="name"]').fill(name);
    };
    const bookingsNamed = async (name: string) =>
      listEntities(await harness.cloudEntities(), 'booking').filter((b) => b.guestName === name);
    /** Lets the next booking POST reach the cloud, then loses its answer. */
    const loseNextAnswer = async () => {
      let lost = false;
      await page.route(`**${OPS_PATH}`, async (route) => {
        if (lost) return route.continue();
        lost = true;
        await route.fetch();
        await route.abort('failed');
      });
    };

    await fill('Ada Lovelace', '4');
    await loseNextAnswer();
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => form.locator('button[type="submit"]').innerText()).toBe('Try again');
    expect(await bookingsNamed('Ada Lovelace')).toHaveLength(1);
    await page.unroute(`**${OPS_PATH}`);
    await form.locator('button[type="submit"]').click();
    const booked = form.locator('section[aria-labelledby="booked"]');
    await booked.waitFor();
    expect(await booked.innerText()).toMatch(/Ada Lovelace/);
    expect(await bookingsNamed('Ada Lovelace')).toHaveLength(1);

    // Another booking, its answer lost; the guest changes the party size and sends again.
    await form.getByRole('button', { name: 'Book another table' }).click();
    await fill('Grace Hopper', '2');
    await loseNextAnswer();
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => form.locator('button[type="submit"]').innerText()).toBe('Try again');
    await page.unroute(`**${OPS_PATH}`);
    await form.locator('[data-field="partySize"]').fill('3');
    await form.locator('button[type="submit"]').click();
    const notice = form.locator('p.notice');
    await expect.poll(() => notice.getAttribute('class')).toMatch(/error/);
    expect(await form.locator('#booked').count()).toBe(0);
    const grace = await bookingsNamed('Grace Hopper');
    // The refused edit booked nothing more.
    expect(grace.map((b) => b.partySize)).toEqual([2]);
  }, 60_000);

  it("4. on the venue's Wi-Fi with the uplink cut: the relay takes the order, the cloud gets it once", async () => {
    harness.proxy.cut();
    await harness.relay.waitForConnectivity('offline_local', 10_000);
    const page = await guestPage({ origin: harness.relay.url, table: '7' });
    await addDish(page, 'fries');
    await page.locator('[data-action="view-basket"]').click();
    await page.locator('hearth-guest-basket button.place').click();
    await page.locator('hearth-guest-status [data-order]').first().waitFor();

    const atVenue = listEntities(await harness.relayEntities(), 'order').filter(
      (o) => o.tableId === 'table-7',
    );
    expect(atVenue.map((o) => o.source)).toEqual(['guest']);
    const venueOrder = atVenue[0]?.id ?? '';
    expect(creations(await harness.relayFeed(), venueOrder).size).toBe(1);

    harness.proxy.restore();
    await harness.waitSettled();
    await vi.waitFor(
      async () =>
        expect(
          creations(await harness.cloudFeed(), venueOrder).size,
          'the order’s creations in the cloud',
        ).toBe(1),
      { timeout: STEP_TIMEOUT_MS, interval: 50 },
    );
    expect([...creations(await harness.cloudFeed(), venueOrder).values()]).toEqual([1]);
    const inCloud = listEntities(await harness.cloudEntities(), 'order').filter(
      (o) => o.tableId === 'table-7',
    );
    expect(inCloud.map((o) => [o.id, o.lines.map((l) => l.itemId)])).toEqual([
      [venueOrder, ['fries']],
    ]);
  }, 60_000);
});
