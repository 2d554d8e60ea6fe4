// The floor app's screenshots for `npm run screenshots` (scripts/screenshots.ts): /ops/ from the
// venue relay, on a tablet in landscape (1280×800) and a phone (390×844), saved as
// docs/screenshots/floor-<size>-<name>.png. First an evening is set up through the relay's API:
// tables seated with orders in the kitchen (some cooking, some ready, some served), a guest's
// call and a bill request open, a dish 86'd, two sections. Then each device, driven as staff
// would:
//
//   pair       the pair page a setup link opens: each device is paired before anyone signs in
//   sign-in    the PIN pad
//   plan       the floor plan: free, seated, ordered, food out, bill asked, needs attention
//   table      table 1's order pad: lines sent to the kitchen, a draft line, the totals
//   requests   the call and the bill request waiting, with their age
//   kitchen    every order's tickets and where they are
//   menu       the 86 list, the sold-out dish first
//   team       sections and members (the manager, after Switch user)
//   qr         the tables' QR codes (tablet only)
//   devices    the venue's paired devices (the manager); devices-code a kitchen display's
//              pairing code, its QR and countdown (tablet only)
//   requests-offline  the device offline, the manager's "On the way" waiting in the outbox
//   sync       the manager's Sync view: that tap refused (a colleague had closed the call), the
//              venue's resilience report and its chart
//   offline    the relay's uplink cut: the banner says the relay is offline from the cloud,
//              a change made since waits in the relay's journal
//
// Then payments, on the tablet, with the test card processor (scripts/screenshots.ts starts
// it; its link to the card networks scripted down, so cards are stored offline). Cards on
// other checks are taken through the relay's API first: table 9's is declined later.
//
//   pay               table 4's pay panel: part paid, one cash payment (into the drawer the
//                     server opened with a float) and one card stored offline; on the phone too
//   pay-card-waiting  table 1's card on the counter reader, the processor slow to answer
//   drawer            the drawer open: float, the cash sale, a payout
//   drawer-close      the drawer's close form: counted short of expected, the reason typed
//   pay-limit         the uplink cut: a 212.00 card over the offline per-payment limit, refused
//                     for a server, "Manager PIN…" offered
//   payments          the manager's Payments view four and a half hours later (the browser's
//                     clock set ahead): stored cards with their countdowns, the 4 h banner
//   payments-report   the same view's end-of-day report
//   sync-payment      the Sync view's inbox: table 9's card declined after the outage, a task

import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { listEntities, newUlid, type Order, ticketIdFor } from '#protocol';
import { showView, switchUser } from '../tests/e2e/support/floor-steps.ts';
import { takeCard } from '../tests/e2e/support/payments-drill.ts';
import {
  PINS,
  type RelayProcess,
  setupLinkAtRelay,
  type VenueHarness,
} from '../tests/e2e/support/relay-process.ts';
import { REPO_ROOT } from '../tests/e2e/support/web-build.ts';
import {
  type OrderSpec,
  opAs,
  orderOps,
  post,
  type Staff,
  signIn as staffSignIn,
  VENUE,
} from '../tests/support/kitchen-orders.ts';
import type { ProcessorProcess } from '../tests/support/processor-process.ts';

const SIZES = [
  { name: '1280x800', width: 1280, height: 800 },
  { name: '390x844', width: 390, height: 844 },
] as const;
type Size = (typeof SIZES)[number];
const WAIT_MS = 30_000;
const DEVICE = 'screenshots-floor-api';
/** The 86'd dish of the evening. */
const SOLD_OUT = 'soup-of-the-day';

/** The evening's orders; `sent: false` is a table seated with its order not sent yet. */
const EVENING: readonly (OrderSpec & { readonly sent: boolean })[] = [
  {
    table: 1,
    guests: 2,
    sent: true,
    lines: [
      { itemId: 'burger', modifierIds: ['medium-rare', 'extra-cheese'] },
      { itemId: 'fries', quantity: 2 },
      { itemId: 'burrata' },
    ],
  },
  {
    table: 2,
    guests: 4,
    sent: true,
    lines: [
      { itemId: 'steak-frites', quantity: 2, modifierIds: ['medium-rare'] },
      { itemId: 'caesar', note: 'nut allergy — no croutons' },
    ],
  },
  { table: 3, guests: 2, sent: false, lines: [{ itemId: 'oysters' }] },
  {
    table: 4,
    guests: 3,
    sent: true,
    lines: [
      { itemId: 'fish-and-chips', quantity: 2 },
      { itemId: 'chicken', modifierIds: ['side-fries'] },
    ],
  },
  { table: 6, guests: 2, sent: true, lines: [{ itemId: 'risotto' }, { itemId: 'calamari' }] },
  {
    table: 7,
    guests: 5,
    sent: true,
    lines: [
      { itemId: 'burger', quantity: 3 },
      { itemId: 'fries', quantity: 3 },
    ],
  },
  {
    table: 9,
    guests: 2,
    sent: true,
    lines: [{ itemId: 'beet-salad' }, { itemId: 'salmon' }],
  },
  {
    table: 10,
    guests: 6,
    sent: true,
    lines: [
      { itemId: 'burger', quantity: 2 },
      { itemId: 'salmon', quantity: 2 },
      { itemId: 'calamari', quantity: 2 },
    ],
  },
];

/** What the kitchen has done per table: every ticket taken through these actions. */
const KITCHEN: Readonly<Record<number, readonly string[]>> = {
  1: ['start'],
  2: ['start', 'ready', 'bump'],
  6: ['start', 'ready'],
  7: ['start', 'ready', 'bump'],
  10: ['start'],
};

/** Signs a guest in at a table (as the QR code's page does) and opens a request for staff. */
async function guestRequest(
  base: string,
  table: number,
  kind: 'call_waiter' | 'bill',
): Promise<string> {
  const response = await fetch(`${base}/v1/auth/guest`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ venueId: VENUE, table: String(table) }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`guest sign-in at table ${table}: ${response.status}`);
  // A guest acts as their session (the guest app's ops carry it as the actor).
  const body = (await response.json()) as { token: string; principal: { sessionId: string } };
  const guest: Staff = { token: body.token, actorId: body.principal.sessionId };
  const requestId = crypto.randomUUID().replaceAll('-', '');
  await post(
    base,
    guest,
    await opAs(guest, `screenshots-guest-${table}`, 'serviceRequest.create', {
      requestId,
      tableId: `table-${table}`,
      kind,
    }),
  );
  return requestId;
}

/** The evening's open requests: the waiter called at table 4, the bill asked at table 7. */
interface Evening {
  readonly call: string;
  readonly bill: string;
}

/** The evening, through the relay's API: orders, the kitchen's progress, requests, an 86. */
async function setUpEvening(venue: VenueHarness): Promise<Evening> {
  const base = venue.relay.url;
  // Staff sign in only on a paired device: the harness's tablet.
  const tablet = venue.tablet.header;
  const server = await staffSignIn(base, 'server', tablet);
  const kitchen = await staffSignIn(base, 'kitchen', tablet);
  const manager = await staffSignIn(base, 'manager', tablet);
  // Two sections of the room, Ana (the server) working the dining room.
  const sections = [
    { sectionId: 'terrace', name: 'Terrace', tables: [1, 2, 3, 4, 5, 6] },
    { sectionId: 'dining-room', name: 'Dining room', tables: [7, 8, 9, 10, 11, 12] },
  ];
  for (const { sectionId, name, tables } of sections)
    await post(
      base,
      manager,
      await opAs(manager, DEVICE, 'team.section.create', {
        sectionId,
        name,
        tableIds: tables.map((t) => `table-${t}`),
      }),
    );
  for (const member of [
    { memberId: 'demo-server', name: 'Ana', role: 'server', sectionId: 'dining-room' },
    { memberId: 'screenshots-server', name: 'Joaquim', role: 'server', sectionId: 'terrace' },
  ])
    await post(base, manager, await opAs(manager, DEVICE, 'team.member.upsert', member));
  const sends = new Map<number, string>();
  for (const spec of EVENING) {
    const { create, send } = await orderOps(server, DEVICE, spec);
    await post(base, server, create);
    if (!spec.sent) continue;
    await post(base, server, send);
    sends.set(spec.table, send.opId);
  }
  for (const [table, actions] of Object.entries(KITCHEN)) {
    const sendOpId = sends.get(Number(table)) as string;
    const spec = EVENING.find((s) => s.table === Number(table)) as OrderSpec;
    const stations = await stationsOf(venue, sendOpId, spec);
    for (const station of stations)
      for (const action of actions)
        await post(
          base,
          kitchen,
          await opAs(kitchen, 'screenshots-kitchen', 'ticket.transition', {
            ticketId: ticketIdFor(sendOpId, station),
            action,
          }),
        );
  }
  const call = await guestRequest(base, 4, 'call_waiter');
  const bill = await guestRequest(base, 7, 'bill');
  await post(
    base,
    manager,
    await opAs(manager, DEVICE, 'menu.item.setAvailability', {
      itemId: SOLD_OUT,
      available: false,
    }),
  );
  await venue.waitSettled(30_000);
  return { call, bill };
}

/** The stations an order's send made tickets for (read back from the relay). */
async function stationsOf(venue: VenueHarness, sendOpId: string, spec: OrderSpec) {
  const snapshot = await venue.relaySnapshot('kitchen', 'ticket');
  const stations = snapshot.records
    .filter((r) => r.entity === 'ticket')
    .map((r) => r.data as { id: string; station: string })
    .filter((t) => t.id.startsWith(ticketIdFor(sendOpId, '')))
    .map((t) => t.station);
  if (stations.length === 0) throw new Error(`no tickets for table ${spec.table}'s order`);
  return stations;
}

// ---------------------------------------------------------------------------------------------
// The page

/**
 * Page-side helpers (plain JavaScript, added before the page's scripts): the text of the page
 * through its shadow roots, and whether every Lit element in it has rendered.
 */
const PAGE_HELPERS = `
window.__floor = {
  walk(root, visit) {
    for (const el of root.querySelectorAll('*')) {
      visit(el);
      if (el.shadowRoot) this.walk(el.shadowRoot, visit);
    }
  },
  text() {
    const parts = [];
    this.walk(document, (el) => { if (el.shadowRoot) parts.push(el.shadowRoot.textContent); });
    return parts.join(' ').replace(/\\s+/g, ' ');
  },
  find(selector, root = document) {
    // "hearth-x rest": rest is looked for inside hearth-x's shadow root.
    const [first, ...rest] = selector.split(' ');
    const inside = first.startsWith('hearth-') && rest.length > 0;
    let found = null;
    this.walk(root, (el) => { if (!found && el.matches(inside ? first : selector)) found = el; });
    if (!inside || !found) return found;
    return found.shadowRoot ? this.find(rest.join(' '), found.shadowRoot) : null;
  },
  settled(absent, present) {
    let pending = false;
    this.walk(document, (el) => {
      if (el.localName.startsWith('hearth-') && (!customElements.get(el.localName) || el.isUpdatePending)) pending = true;
    });
    if (pending) return false;
    const text = this.text();
    if (absent.some((words) => text.includes(words))) return false;
    return present.every((selector) => this.find(selector) !== null);
  },
};
`;

/** Words a view shows while it is still loading or reading. */
const LOADING = [
  'Reading the floor…',
  'Loading the devices…',
  'Making a code…',
  'Loading the venue’s sync report…',
  'Making the QR codes…',
  'Checking…',
  'Connecting…',
];

interface Device {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly size: Size;
}

/**
 * A browser at `size`, paired with the relay as a new tablet is: the operator's setup link (the
 * relay's `pair` command) opens the pair page, which is shot with its name filled in; Pair
 * then opens the floor app.
 */
async function openDevice(
  browser: Browser,
  relay: RelayProcess,
  size: Size,
  out: string,
  written: string[],
): Promise<Device> {
  const context = await browser.newContext({
    viewport: { width: size.width, height: size.height },
    deviceScaleFactor: 1,
    reducedMotion: 'reduce',
    serviceWorkers: 'allow',
    // The pages' CSP (script-src 'self') would refuse the string predicates that settle polls.
    bypassCSP: true,
  });
  await context.addInitScript(PAGE_HELPERS);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on('pageerror', (error) =>
    console.error(`floor page error (${size.name}): ${error.message}`),
  );
  const link = setupLinkAtRelay(relay, 'floor');
  if (!link.pairUrl) throw new Error(`the relay printed no pairing link: ${link.stderr}`);
  await page.goto(link.pairUrl);
  await page
    .locator('hearth-pair-page input[name="device-name"]')
    .fill(size.width < 600 ? 'Terrace phone' : 'Bar tablet');
  await page.evaluate('document.fonts.ready');
  written.push(await shoot({ context, page, size }, out, 'pair'));
  await page.locator('hearth-pair-page [data-action="pair"]').click();
  await page.waitForURL(`${relay.url}/ops/`);
  await page.waitForFunction('navigator.serviceWorker.ready.then(() => true)');
  if (!(await page.evaluate('navigator.serviceWorker.controller !== null'))) await page.reload();
  await page.waitForFunction('navigator.serviceWorker.controller !== null');
  await page.locator('hearth-pin-pad [data-key="1"]').waitFor();
  return { context, page, size };
}

/**
 * Waits until every element has rendered, no loading words show, each of `present` (selectors,
 * searched through shadow roots) is there and the network has been quiet; then two frames.
 */
async function settle(device: Device, present: readonly string[] = [], absent = LOADING) {
  await device.page.waitForLoadState('networkidle').catch(() => undefined);
  try {
    await device.page.waitForFunction(
      `window.__floor.settled(${JSON.stringify(absent)}, ${JSON.stringify(present)})`,
      undefined,
      { polling: 100, timeout: WAIT_MS },
    );
  } catch (error) {
    const text = await device.page.evaluate('window.__floor.text()').catch(() => '');
    throw new Error(
      `the ${device.size.name} floor app did not settle on ${present.join(', ') || 'its view'} (page says: ${String(text).slice(0, 400)}): ${String(error)}`,
    );
  }
  await device.page.evaluate(
    'new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))',
  );
}

/** Where a shot's picture comes from: the viewport, the whole page, or a part of the page. */
type Frame = 'viewport' | 'page' | { readonly from: string; readonly to: string };

async function shoot(device: Device, out: string, name: string, frame: Frame = 'viewport') {
  const file = join(out, `floor-${device.size.name}-${name}.png`);
  const options = { path: file, animations: 'disabled', caret: 'hide' } as const;
  if (frame === 'viewport') await device.page.screenshot(options);
  else if (frame === 'page') await device.page.screenshot({ ...options, fullPage: true });
  else {
    // From the top of one element to the bottom of another, across the page's column.
    const top = await device.page.locator(frame.from).boundingBox();
    const bottom = await device.page.locator(frame.to).boundingBox();
    const column = await device.page.locator('hearth-floor-page').boundingBox();
    if (!top || !bottom || !column)
      throw new Error(`${name}: ${frame.from} or ${frame.to} not on screen`);
    const scroll = Number(await device.page.evaluate('window.scrollY'));
    const y = Math.max(0, top.y + scroll - 12);
    await device.page.screenshot({
      ...options,
      fullPage: true,
      clip: {
        x: column.x,
        y,
        width: column.width,
        height: bottom.y + scroll + bottom.height + 12 - y,
      },
    });
  }
  console.log(`${file.slice(REPO_ROOT.length)}  ${(statSync(file).size / 1024).toFixed(0)} KB`);
  return file;
}

const PHONE = (device: Device) => device.size.width < 600;

/** The floor app's screens at both sizes, in order; every file written is returned. */
export async function floorScreens(
  venue: VenueHarness,
  browser: Browser,
  out: string,
  processor: ProcessorProcess,
): Promise<string[]> {
  const evening = await setUpEvening(venue);
  // The relay says "back online" for 30 s after it first reaches the cloud: wait for "online".
  await venue.relay.waitForConnectivity('online', 60_000);
  const written: string[] = [];
  const devices: Device[] = [];
  try {
    for (const size of SIZES)
      devices.push(await openDevice(browser, venue.relay, size, out, written));
    for (const device of devices) {
      // Two digits in: the dots show the pad is taking a PIN.
      await device.page.locator('hearth-pin-pad [data-key="1"]').click();
      await device.page.locator('hearth-pin-pad [data-key="1"]').click();
      // Before anyone signs in the banner has heard nothing yet: it says "Connecting…".
      await settle(
        device,
        ['hearth-pin-pad'],
        LOADING.filter((words) => words !== 'Connecting…'),
      );
      written.push(await shoot(device, out, 'sign-in'));
      await device.page.locator('hearth-pin-pad [data-key="1"]').click();
      await device.page.locator('hearth-pin-pad [data-key="1"]').click();
      await device.page.locator('hearth-pin-pad [data-sign-in]').click();
      await device.page.locator('hearth-floor-page [data-signed-in]').waitFor();
    }
    for (const device of devices) await floorAsServer(device, out, written);
    for (const device of devices) await floorAsManager(device, out, written);
    await refusedOp(venue, devices, evening, out, written);

    // The manager's Sync view: the refused op in the inbox, the venue's report and its chart.
    for (const device of devices) {
      await showView(device.page, 'sync');
      await settle(device, ['hearth-resilience-view', 'hearth-failed-ops']);
      await chartDrawn(device);
      written.push(await shoot(device, out, 'sync', 'page'));
    }

    // The internet goes: the relay's uplink is cut, a server's order waits in its journal.
    venue.proxy.cut();
    await venue.relay.waitForConnectivity('offline_local', 30_000);
    const server = await staffSignIn(venue.relay.url, 'server', venue.tablet.header);
    const { create, send } = await orderOps(server, DEVICE, {
      table: 12,
      guests: 2,
      lines: [{ itemId: 'risotto' }, { itemId: 'lemonade', quantity: 2 }],
    });
    await post(venue.relay.url, server, create);
    await post(venue.relay.url, server, send);
    for (const device of devices) {
      await showView(device.page, 'floor');
      await settle(device, [
        'hearth-floor-plan button[data-table]',
        'hearth-resilience-banner .uplink[data-uplink="offline_local"]',
      ]);
      await device.page.waitForFunction(
        `window.__floor.text().includes('not in the cloud yet') && window.__floor.find('hearth-floor-plan button[data-table="table-12"]')?.textContent.includes('Ordered')`,
      );
      written.push(await shoot(device, out, 'offline'));
    }
    venue.proxy.restore();
    await venue.waitSettled(60_000);
    await paymentScreens(venue, processor, devices, out, written);
  } finally {
    venue.proxy.restore();
    for (const device of devices) await device.context.close().catch(() => undefined);
  }
  await venue.waitSettled(60_000);
  return written;
}

/** The server's screens: the plan, a table's pad, requests, kitchen, menu. */
async function floorAsServer(device: Device, out: string, written: string[]) {
  const { page } = device;
  await showView(page, 'floor');
  await settle(device, ['hearth-floor-plan button[data-table="table-12"]']);
  // The tablet shows every table; the phone what fits, as it is held.
  written.push(await shoot(device, out, 'plan', PHONE(device) ? 'viewport' : 'page'));

  await page.locator('hearth-floor-plan button[data-table="table-1"]').click();
  await page.locator('hearth-order-pad li.line[data-stage]').first().waitFor();
  // A draft line the server has not sent yet: a lemonade, from the drinks. (The pad's rules
  // load just after it paints: a tap before then adds nothing, so tap again.)
  const draft = page.locator('hearth-order-pad li.line[data-where="draft"]');
  await page.locator('hearth-order-pad button[data-category="drinks"]').click();
  const dish = page.locator('hearth-order-pad button.dish[data-item="lemonade"]');
  for (let tries = 0; tries < 50 && (await draft.count()) === 0; tries++) {
    await dish.click();
    if ((await draft.count()) === 0) await page.waitForTimeout(100);
  }
  await draft.first().waitFor();
  await settle(device, ['hearth-order-pad li.line[data-where="draft"]', 'hearth-kitchen-progress']);
  // The order and its bill: the lines sent, the draft, the totals.
  written.push(
    await shoot(device, out, 'table', {
      from: 'hearth-order-pad section[aria-labelledby="lines-title"]',
      to: 'hearth-order-pad section[aria-labelledby="totals-title"]',
    }),
  );

  await showView(page, 'requests');
  await settle(device, ['hearth-service-requests']);
  written.push(await shoot(device, out, 'requests'));

  await showView(page, 'kitchen');
  await settle(device, ['hearth-kitchen-progress']);
  written.push(await shoot(device, out, 'kitchen'));

  await showView(page, 'menu');
  await settle(device, ['hearth-menu-availability']);
  written.push(await shoot(device, out, 'menu'));
}

/** The manager's screens, after Switch user: team, the QR codes (tablet) and the devices. */
async function floorAsManager(device: Device, out: string, written: string[]) {
  const { page } = device;
  await switchUser(page, PINS.manager);
  await showView(page, 'team');
  await settle(device, ['hearth-team-admin']);
  // The tablet shows the sections and the members below them; the phone its first screen.
  written.push(await shoot(device, out, 'team', PHONE(device) ? 'viewport' : 'page'));

  if (!PHONE(device)) {
    await showView(page, 'qr');
    await settle(device, ['hearth-table-qr .code svg']);
    written.push(await shoot(device, out, 'qr'));
  }

  // The devices this evening's screenshots paired (and the harness's own tablet).
  await showView(page, 'devices');
  await settle(device, ['hearth-floor-devices li[data-device]']);
  written.push(await shoot(device, out, 'devices', PHONE(device) ? 'viewport' : 'page'));
  if (!PHONE(device)) {
    await page.locator('hearth-floor-devices [data-pair="kitchen"]').click();
    await settle(device, ['hearth-floor-devices [data-qr] svg']);
    written.push(await shoot(device, out, 'devices-code'));
    await page.locator('hearth-floor-devices [data-action="done"]').click();
  }
}

/**
 * The device loses its network; the manager taps "On the way" for table 4's call, which waits
 * in the outbox ("Offline" in the banner). Meanwhile a colleague on another device marks the
 * call done. Back online, the outbox sends the tap and the venue refuses it: one failed op.
 */
async function refusedOp(
  venue: VenueHarness,
  devices: readonly Device[],
  evening: Evening,
  out: string,
  written: string[],
) {
  for (const device of devices) {
    await showView(device.page, 'requests');
    await settle(device, [`hearth-service-requests [data-request="${evening.call}"]`]);
    await device.context.setOffline(true);
    await device.page
      .locator(
        `hearth-service-requests [data-request="${evening.call}"] [data-action="acknowledge"]`,
      )
      .click();
    await settle(device, ['hearth-resilience-banner [data-mode="offline"]'], LOADING);
    await device.page.waitForFunction(`window.__floor.text().includes('1 change waiting')`);
    written.push(await shoot(device, out, 'requests-offline'));
  }
  const server = await staffSignIn(venue.relay.url, 'server', venue.tablet.header);
  await post(
    venue.relay.url,
    server,
    await opAs(server, 'screenshots-floor-colleague', 'serviceRequest.transition', {
      requestId: evening.call,
      action: 'complete',
    }),
  );
  for (const device of devices) {
    await device.context.setOffline(false);
    // The outbox sends when the page is back online; a nudge to the worker in case it waits.
    await device.page
      .evaluate("navigator.serviceWorker.controller?.postMessage({ type: 'replay' })")
      .catch(() => undefined);
    await device.page
      .locator('hearth-floor-page nav [data-view="sync"] .count')
      .waitFor()
      .catch(() =>
        console.error(`floor (${device.size.name}): the refused op did not reach the inbox`),
      );
  }
}
/** The report's chart drawn (uPlot loads on first draw), when the report has samples to draw. */
async function chartDrawn(device: Device): Promise<void> {
  await device.page
    .waitForFunction(
      `(() => { const chart = window.__floor.find('hearth-resilience-chart'); return !chart || Boolean(chart.shadowRoot?.querySelector('canvas, .error')); })()`,
      undefined,
      { polling: 100, timeout: 10_000 },
    )
    .catch(() => console.error(`floor (${device.size.name}): the resilience chart was not drawn`));
}

// ---------------------------------------------------------------------------------------------
// Payments

const text = (device: Device, selector: string) =>
  device.page.locator(selector).first().innerText();

/** The relay's open check at a table. */
async function checkAt(venue: VenueHarness, table: number): Promise<Order> {
  const orders = listEntities(await venue.relayEntities(), 'order').filter(
    (o) => o.tableId === `table-${table}` && o.status !== 'closed' && o.status !== 'voided',
  );
  const order = orders[0];
  if (!order) throw new Error(`no open check at table ${table}`);
  return order;
}

/** Cards taken at the relay through its API, as a till would (the harness's tablet). */
async function cardAtRelay(
  venue: VenueHarness,
  server: Staff,
  order: Order,
  amount: number,
  tip: number,
): Promise<string> {
  const paymentId = newUlid();
  const http = await takeCard(venue.relay.url, server.token, venue.tablet, {
    paymentId,
    orderId: order.id,
    amount,
    tip,
    deviceId: venue.tablet.deviceId,
  });
  if (http.status !== 200) throw new Error(`card at ${order.tableId}: ${http.status} ${http.text}`);
  return paymentId;
}

/** Opens a table's pad and waits for its pay panel. */
async function openPad(device: Device, table: number) {
  await showView(device.page, 'floor');
  await device.page.locator(`hearth-floor-plan button[data-table="table-${table}"]`).click();
  await device.page.locator('hearth-pay-panel [data-balance]').waitFor();
}

/** A table from its heading to the end of the pay panel: the dishes, the order, the bill, Pay. */
const PAD_AND_PAY = {
  from: 'hearth-floor-page .table-head',
  to: 'hearth-order-pad hearth-pay-panel',
} as const;

const panel = (device: Device, selector: string) =>
  device.page.locator(`hearth-order-pad hearth-pay-panel ${selector}`);

/** "Other amount" in the pay panel, typed. */
async function typedAmount(device: Device, amount: string) {
  await panel(device, '[data-amount-choice="typed"]').click();
  await panel(device, '#pay-amount').fill(amount);
}

/**
 * The evening's payments: cards stored offline through the relay's API (one declined later),
 * then the tablet's server taking cash and a card at the pad, the drawer, a card over the
 * offline limit, and the manager's Payments and Sync views.
 */
async function paymentScreens(
  venue: VenueHarness,
  processor: ProcessorProcess,
  devices: readonly Device[],
  out: string,
  written: string[],
) {
  const [device, phone] = devices as [Device, Device];
  const { page } = device;
  const base = venue.relay.url;
  const server = await staffSignIn(base, 'server', venue.tablet.header);
  // The processor's link to the card networks down: cards are stored, to be authorised later.
  await processor.script({ networkDown: true });
  // Table 9's card, stored and then declined when the processor forwards it.
  const nine = await checkAt(venue, 9);
  const declined = await cardAtRelay(venue, server, nine, nine.totals.total, 0);
  await processor.script({ declineLater: [declined], networkDown: false });
  await processor.forward();
  await processor.script({ networkDown: true });
  // Cards still stored: table 2 with a tip, table 7 in full, part of table 6.
  const two = await checkAt(venue, 2);
  await cardAtRelay(venue, server, two, two.totals.total, 800);
  const seven = await checkAt(venue, 7);
  await cardAtRelay(venue, server, seven, seven.totals.total, 0);
  const six = await checkAt(venue, 6);
  await cardAtRelay(venue, server, six, Math.round(six.totals.total / 2), 0);
  // A party of eight at table 11: a check over the offline per-payment limit (200.00).
  const { create, send } = await orderOps(server, DEVICE, {
    table: 11,
    guests: 8,
    lines: [{ itemId: 'steak-frites', quantity: 8 }],
  });
  await post(base, server, create);
  await post(base, server, send);
  await venue.waitSettled(30_000);
  // The relay says "back online" for 30 s after the last cut: wait for "online".
  await venue.relay.waitForConnectivity('online', 60_000);

  // The server on the tablet opens its drawer with a float.
  await switchUser(page, PINS.server);
  await showView(page, 'drawer');
  await page.locator('hearth-drawer-view #float').fill('150');
  await page.locator('hearth-drawer-view [data-action="drawer-open"]').click();
  await page.locator('hearth-drawer-view [data-drawer]').waitFor();

  // Table 4: 20.00 in cash, then 30.00 and a 10 % tip on a card, stored offline.
  await openPad(device, 4);
  await typedAmount(device, '20');
  await panel(device, '[data-tender]').first().click();
  await panel(device, '[data-action="pay-cash"]').click();
  await panel(device, '[data-payment][data-method="cash"]').waitFor();
  await panel(device, '[data-method="card"]').first().click();
  await typedAmount(device, '30');
  await panel(device, '[data-tip="10"]').click();
  await panel(device, '[data-action="pay-card"]').click();
  await panel(device, '[data-phase="stored"]').waitFor();
  await panel(device, '[data-action="card-done"]').click();
  await panel(device, '[data-payment][data-method="card"]').waitFor();
  await settle(device, ['hearth-pay-panel [data-payment][data-method="card"]']);
  written.push(await shoot(device, out, 'pay', PAD_AND_PAY));

  // The same check on a phone (the manager's, signed in since the team shots): the pay panel.
  await openPad(phone, 4);
  await settle(phone, ['hearth-pay-panel [data-payment][data-method="card"]']);
  written.push(
    await shoot(phone, out, 'pay', {
      from: 'hearth-order-pad hearth-pay-panel',
      to: 'hearth-order-pad hearth-pay-panel',
    }),
  );

  // Table 1: the whole check on a card, the processor taking its time to answer.
  await processor.script({ networkDown: false, latencyMs: 8_000 });
  await openPad(device, 1);
  await panel(device, '[data-method="card"]').first().click();
  await panel(device, '[data-action="pay-card"]').click();
  await panel(device, '[data-phase="waiting"]').waitFor();
  await page.waitForFunction(
    `Number(window.__floor.find('hearth-pay-panel [data-waited]')?.textContent.trim().split(' ')[0]) >= 3`,
  );
  written.push(await shoot(device, out, 'pay-card-waiting', PAD_AND_PAY));
  await panel(device, '[data-phase="approved"]').waitFor({ timeout: 20_000 });
  await panel(device, '[data-action="card-done"]').click();
  await processor.script({ networkDown: true, latencyMs: 0 });

  // The drawer: a payout, then the close form counted short.
  await showView(page, 'drawer');
  await page.locator('hearth-drawer-view #payout-amount').fill('12.50');
  await page.locator('hearth-drawer-view #payout-reason').fill('Ice from the corner shop');
  await page.locator('hearth-drawer-view [data-action="drawer-payout"]').click();
  await page.locator('hearth-drawer-view [data-payout]').waitFor();
  await settle(device, ['hearth-drawer-view [data-payout]']);
  written.push(await shoot(device, out, 'drawer', 'page'));
  const expected = Number(
    (await text(device, 'hearth-drawer-view [data-sum="expected"]')).replace(/[^0-9.]/g, ''),
  );
  await page.locator('hearth-drawer-view #counted').fill((expected - 3.2).toFixed(2));
  await page
    .locator('hearth-drawer-view #close-reason')
    .fill('Change given twice at table 4; counted with Mia');
  await settle(device, ['hearth-drawer-view #difference span.error']);
  written.push(
    await shoot(device, out, 'drawer-close', {
      from: 'hearth-drawer-view section[aria-labelledby="close-title"]',
      to: 'hearth-drawer-view section[aria-labelledby="close-title"]',
    }),
  );

  // The internet goes again: a card over the offline limit is refused for a server.
  venue.proxy.cut();
  await venue.relay.waitForConnectivity('offline_local', 30_000);
  await openPad(device, 11);
  await panel(device, '[data-method="card"]').first().click();
  await panel(device, '[data-action="pay-card"]').click();
  await panel(device, '[data-action="card-manager"]').waitFor();
  await settle(device, [
    'hearth-pay-panel [data-phase="refused"]',
    'hearth-resilience-banner .uplink[data-uplink="offline_local"]',
  ]);
  // From the banner down: the relay offline from the cloud is why the limit applies.
  written.push(
    await shoot(device, out, 'pay-limit', { ...PAD_AND_PAY, from: 'hearth-resilience-banner' }),
  );
  await panel(device, '[data-action="card-cancel"]').click();
  venue.proxy.restore();
  await venue.waitSettled(60_000);
  await venue.relay.waitForConnectivity('online', 60_000);

  // The rest of tables 4 and 6 on cards (stored): every check paid is closed for the report.
  for (const table of [4, 6]) {
    const check = await checkAt(venue, table);
    await cardAtRelay(venue, server, check, check.totals.total - (check.paid ?? 0), 0);
  }
  await venue.waitSettled(30_000);

  // The manager: the declined card's task in the inbox.
  await switchUser(page, PINS.manager);
  await showView(page, 'sync');
  await settle(device, [`hearth-failed-ops [data-task="${declined}"]`]);
  written.push(
    await shoot(device, out, 'sync-payment', {
      from: 'hearth-failed-ops',
      to: 'hearth-failed-ops',
    }),
  );

  // Four and a half hours on (the browser's clock): the stored cards' countdowns, the banner.
  await page.clock.setFixedTime(Date.now() + 4.5 * 3_600_000);
  await showView(page, 'payments');
  await settle(device, [
    'hearth-floor-payments [data-banner]',
    'hearth-floor-payments [data-report]',
  ]);
  written.push(await shoot(device, out, 'payments'));
  written.push(
    await shoot(device, out, 'payments-report', {
      from: 'hearth-floor-payments section[data-report]',
      to: 'hearth-floor-payments section[data-report]',
    }),
  );
}
