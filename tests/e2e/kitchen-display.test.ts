import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build as esbuild } from 'esbuild';
import { type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type FeedEntry,
  listEntities,
  newUlid,
  type Operation,
  onThePass,
  type Ticket,
  ticketIdFor,
} from '#protocol';
import { opAs, PINS, post, type Staff, signIn } from '../support/kitchen-orders.ts';
import type { PairedDevice } from './support/cloud-client.ts';
import { giveDeviceCookie, type VenueHarness, venueHarness } from './support/relay-process.ts';
import {
  BUILD_TIMEOUT_MS,
  buildWeb,
  CHROMIUM,
  CHROMIUM_ARGS,
  REPO_ROOT,
  WEB_DIST,
  webDistIsStale,
} from './support/web-build.ts';

// The kitchen display's drill, end to end: a real cloud, a real venue relay (its uplink through
// the shipped fault proxy) serving the built PWA, and two Chromium profiles on /kitchen/ — the
// grill's wall screen and expo's.
//
//   server (this file, the API) ──▶ relay ──▶ fault proxy ──▶ cloud
//   grill display (Chromium) ─────▶   ▲
//   expo display (Chromium) ──────────┘
//
// 1. Both displays signed in with the kitchen PIN, stations picked, worker in control, live.
// 2. The relay's uplink cut; a server sends an order for two stations (burger + fries).
// 3. Both displays show it (how soon after the send's answer: npm run bench:kds).
// 4. The grill bumps it with the relay still offline from the cloud; expo sees the grill ✓.
// 5. The uplink back: the relay reconciles, the displays' outboxes settle.
// 6. The cloud has every op exactly once, and its tickets are what both displays show.
// 7. The grill display's own network cut with 10 tickets cached: 3 bumps leave the screen at
//    once and wait in the outbox, the clocks keep ticking; the network back, the outbox drains,
//    the cloud has exactly 3 ready transitions, nothing doubled, 7 cards left.

const STEP_TIMEOUT_MS = 20_000;
const VIEWPORT = { width: 1920, height: 1080 };
const LIVE_HEADLINE = 'Live via the venue relay';
const SYNC_TAG = 'hearth-outbox';
const SERVER_DEVICE = 'kds-e2e-server-tablet';

// ---------------------------------------------------------------------------------------------
// The page helper: read the display as a cook sees it (through the shadow roots) and the
// device's outbox through the app's own store. Browser code, bundled by esbuild.

interface ShownCard {
  readonly key: string;
  readonly sections: readonly { ticketId: string; station: string; status: string }[];
}

interface ShownBoard {
  /** `[data-tickets]` of the grid: every open card, on any page. */
  readonly count: number | null;
  /** The board's cards (every page), as the display computed them. */
  readonly cards: readonly ShownCard[];
  /** The cards rendered on screen now (`article[data-card]`). */
  readonly rendered: readonly string[];
  readonly headline: string | null;
  readonly details: readonly string[];
  readonly tone: string | null;
  /** Cards per page, and the grid's size (for a failure message). */
  readonly pageSize: number | null;
  readonly grid: { width: number; height: number } | null;
}

interface OutboxView {
  readonly opId: string;
  readonly type: string;
  readonly payload: Record<string, unknown>;
  readonly status: string;
  readonly result: string | null;
}

type Probe =
  | { readonly kind: 'shown'; readonly key: string }
  | { readonly kind: 'gone'; readonly key: string }
  | { readonly kind: 'sectionReady'; readonly key: string; readonly station: string };

const HELPER_SOURCE = `
import { OutboxStore } from './web/device/outbox-store.ts';

const boardEl = () =>
  document.querySelector('hearth-kitchen-page')?.shadowRoot?.querySelector('hearth-kds-board') ?? null;

const articles = () => {
  const board = boardEl();
  if (!board || !board.shadowRoot) return [];
  return [...board.shadowRoot.querySelectorAll('hearth-ticket-card')]
    .map((card) => card.shadowRoot?.querySelector('article[data-card]'))
    .filter(Boolean);
};

const article = (key) => articles().find((a) => a.getAttribute('data-card') === key) ?? null;

const probes = {
  shown: ({ key }) => article(key) !== null,
  gone: ({ key }) => boardEl() !== null && article(key) === null,
  // Expo's card: the station's section heading says ✓ ready.
  sectionReady: ({ key, station }) => {
    const a = article(key);
    if (!a) return false;
    return [...a.querySelectorAll('li.station')].some(
      (li) =>
        li.textContent.toLowerCase().includes(station.toLowerCase()) &&
        li.getAttribute('data-status') === 'ready' &&
        li.textContent.includes('✓ ready'),
    );
  },
};

globalThis.hearthKds = {
  board() {
    const board = boardEl();
    const root = board?.shadowRoot;
    const grid = root?.querySelector('[data-tickets]');
    const status = root?.querySelector('.status');
    const model = board?.board;
    return {
      count: grid ? Number(grid.getAttribute('data-tickets')) : null,
      cards: (model?.cards ?? []).map((card) => ({
        key: card.key,
        sections: card.sections.map((s) => ({
          ticketId: s.ticketId,
          station: s.station,
          status: s.status,
        })),
      })),
      rendered: articles().map((a) => a.getAttribute('data-card')),
      headline: status?.querySelector('.headline')?.textContent?.trim() ?? null,
      details: status
        ? [...status.querySelectorAll(':scope > span:not(.headline)')].map((s) => s.textContent.trim())
        : [],
      tone: status?.getAttribute('data-tone') ?? null,
      pageSize: board?.kds?.pageSize ?? null,
      grid: grid ? (({ width, height }) => ({ width, height }))(grid.getBoundingClientRect()) : null,
    };
  },
  firedClock(key) {
    return article(key)?.querySelector('[data-clock="fired"]')?.textContent?.trim() ?? null;
  },
  // Resolves with Date.now() the first time the probe holds (checked every 5 ms).
  waitFor(probe, timeoutMs) {
    const check = probes[probe.kind];
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const tick = () => {
        let ok = false;
        try {
          ok = check(probe);
        } catch {}
        if (ok) return resolve(Date.now());
        if (Date.now() > deadline)
          return reject(new Error('timed out after ' + timeoutMs + ' ms: ' + JSON.stringify(probe)));
        setTimeout(tick, 5);
      };
      tick();
    });
  },
  // Arms a watch now (so it sees the first frame that changes) and keeps its promise by name.
  armed: {},
  arm(name, probe, timeoutMs) {
    const watching = globalThis.hearthKds.waitFor(probe, timeoutMs);
    watching.catch(() => undefined);
    globalThis.hearthKds.armed[name] = watching;
    return true;
  },
  collect(name) {
    return globalThis.hearthKds.armed[name];
  },
  async outbox() {
    const store = await OutboxStore.open();
    try {
      return (await store.list()).map((entry) => ({
        opId: entry.op.opId,
        type: entry.op.type,
        payload: entry.op.payload,
        status: entry.status,
        result: entry.result ? entry.result.status : null,
      }));
    } finally {
      store.close();
    }
  },
};
`;

async function bundleHelper(): Promise<string> {
  const result = await esbuild({
    stdin: {
      contents: HELPER_SOURCE,
      resolveDir: REPO_ROOT,
      loader: 'ts',
      sourcefile: 'kitchen-display-helper.ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  const code = result.outputFiles[0]?.text;
  if (!code) throw new Error('esbuild produced no helper bundle');
  return code;
}

// ---------------------------------------------------------------------------------------------
// Polling (vi.waitFor): a failed look is an assertion, so the failure shows what was last seen

/** How long and how often a wait looks at a display again. */
const POLL = { timeout: STEP_TIMEOUT_MS, interval: 100 } as const;

// ---------------------------------------------------------------------------------------------
// A display: one Chromium profile on /kitchen/

interface Display {
  readonly name: string;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly profile: string;
  readonly cdp: CDPSession;
  readonly registrations: Map<string, string>;
  readonly consoleLines: string[];
}

async function openDisplay(
  name: string,
  origin: string,
  helperCode: string,
  device: PairedDevice,
): Promise<Display> {
  const profile = mkdtempSync(join(tmpdir(), `hearth-kds-${name}-profile-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport: VIEWPORT,
    timeout: 60_000,
  });
  try {
    await context.addInitScript({ content: helperCode });
    // A paired kitchen display: staff sign in only on one (decision 034).
    await giveDeviceCookie(context, origin, device);
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    // The ServiceWorker domain, for its registration id (Background Sync through CDP).
    const cdp = await context.newCDPSession(page);
    const registrations = new Map<string, string>();
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: list }) => {
      for (const r of list) {
        if (r.isDeleted) registrations.delete(r.scopeURL);
        else registrations.set(r.scopeURL, r.registrationId);
      }
    });
    await cdp.send('ServiceWorker.enable');
    await page.goto(`${origin}/kitchen/`);
    await page.waitForFunction('navigator.serviceWorker.ready.then(() => true)');
    if (!(await page.evaluate('navigator.serviceWorker.controller !== null'))) await page.reload();
    await page.waitForFunction('navigator.serviceWorker.controller !== null');
    return { name, context, page, profile, cdp, registrations, consoleLines };
  } catch (error) {
    await context.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

const boardOf = (d: Display): Promise<ShownBoard> =>
  d.page.evaluate('globalThis.hearthKds.board()') as Promise<ShownBoard>;

const outboxOf = (d: Display): Promise<OutboxView[]> =>
  d.page.evaluate('globalThis.hearthKds.outbox()') as Promise<OutboxView[]>;

let watches = 0;

/**
 * Arms a page-side watch (it is checking before this returns) and gives back its result: the
 * page's Date.now() when the probe first held (the page and this process share the clock).
 */
async function watch(
  d: Display,
  probe: Probe,
  timeoutMs = STEP_TIMEOUT_MS,
): Promise<() => Promise<number>> {
  const name = `w${++watches}`;
  await d.page.evaluate(
    ({ name, probe, timeoutMs }) =>
      (
        globalThis as unknown as {
          hearthKds: { arm(n: string, p: unknown, t: number): boolean };
        }
      ).hearthKds.arm(name, probe, timeoutMs),
    { name, probe, timeoutMs },
  );
  return () =>
    d.page.evaluate(
      (name) =>
        (
          globalThis as unknown as { hearthKds: { collect(n: string): Promise<number> } }
        ).hearthKds.collect(name),
      name,
    );
}

async function waitLive(d: Display): Promise<ShownBoard> {
  return vi.waitFor(async () => {
    const board = await boardOf(d);
    expect(board.headline, `${d.name}: the status headline`).toMatch(
      new RegExp(`^${LIVE_HEADLINE}`),
    );
    return board;
  }, POLL);
}

/** Ticket id → status, over every section of the display's cards. */
function shownStatuses(board: ShownBoard): Map<string, string> {
  const out = new Map<string, string>();
  for (const card of board.cards)
    for (const section of card.sections) out.set(section.ticketId, section.status);
  return out;
}

const sorted = (map: Map<string, string>): [string, string][] =>
  [...map].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

// ---------------------------------------------------------------------------------------------

describe('the kitchen display through an uplink cut and its own network cut (real cloud, relay, Chromium)', () => {
  let harness: VenueHarness;
  let server: Staff;
  let grill: Display | undefined;
  let expo: Display | undefined;
  /** Every op the server made, in order. */
  const serverOps: Operation[] = [];
  /** The two-station order of steps 2–6. */
  let firstOrder: { orderId: string; send: Operation; grillTicket: string } | undefined;
  const first = () => {
    if (!firstOrder) throw new Error('step 2 did not place its order');
    return firstOrder;
  };

  const origin = () => harness.relay.url;

  beforeAll(async () => {
    const started = Date.now();
    if (webDistIsStale()) await buildWeb();
    const helperCode = await bundleHelper();
    harness = await venueHarness({ relayEnv: { HEARTH_WEB_DIR: WEB_DIST } });
    server = await signIn(harness.relay.url, 'server', harness.tablet.header);
    const opened = await Promise.allSettled([
      openDisplay('grill', origin(), helperCode, harness.tablet),
      openDisplay('expo', origin(), helperCode, harness.tablet),
    ]);
    // Kept even when the other failed, so afterAll closes it.
    grill = opened[0].status === 'fulfilled' ? opened[0].value : undefined;
    expo = opened[1].status === 'fulfilled' ? opened[1].value : undefined;
    for (const result of opened) if (result.status === 'rejected') throw result.reason;
    console.info(`[kds e2e] set up in ${Date.now() - started} ms`);
  }, BUILD_TIMEOUT_MS + 120_000);

  afterAll(async () => {
    for (const d of [grill, expo]) {
      if (!d) continue;
      const errors = d.consoleLines.filter((l) => l.startsWith('pageerror'));
      if (errors.length > 0) console.warn(`[kds e2e] ${d.name} page errors:\n${errors.join('\n')}`);
      await d.context.close().catch(() => undefined);
      rmSync(d.profile, { recursive: true, force: true });
    }
    await harness?.close();
  }, 60_000);

  const displays = (): [Display, Display] => {
    if (!grill || !expo) throw new Error('the displays did not open');
    return [grill, expo];
  };

  /** Makes an order and its send as the server, posting the create; the send is not posted. */
  async function createOrder(table: number, items: readonly string[]) {
    const orderId = newUlid();
    const create = await opAs(server, SERVER_DEVICE, 'order.create', {
      orderId,
      tableId: `table-${table}`,
      guestCount: 2,
      lines: items.map((itemId) => ({ lineId: newUlid(), itemId, quantity: 1, modifierIds: [] })),
    });
    await post(harness.relay.url, server, create);
    serverOps.push(create);
    const send = await opAs(server, SERVER_DEVICE, 'order.sendToKitchen', { orderId }, [
      create.opId,
    ]);
    return { orderId, create, send };
  }

  async function sendOrder(send: Operation): Promise<number> {
    const answer = await post(harness.relay.url, server, send);
    const at = Date.now();
    serverOps.push(send);
    expect(answer.status).toBeLessThan(300);
    return at;
  }

  /** The cloud's tickets now (start snapshot + its feed since). */
  async function cloudTickets(): Promise<Map<string, Ticket>> {
    const set = await harness.cloudEntities();
    return new Map(listEntities(set, 'ticket').map((t) => [t.id, t as Ticket]));
  }

  /**
   * What each display should show, from the cloud's tickets: the grill its own tickets still to
   * cook; expo every ticket on the pass. Waits until both displays agree with the cloud.
   */
  async function displaysAgreeWithCloud(): Promise<{ grill: ShownBoard; expo: ShownBoard }> {
    const [g, e] = displays();
    const tickets = await cloudTickets();
    const wantGrill = new Map<string, string>();
    const wantExpo = new Map<string, string>();
    for (const t of tickets.values()) {
      if (!onThePass(t)) continue;
      wantExpo.set(t.id, t.status);
      if (t.station === 'grill' && (t.status !== 'ready' || t.attention))
        wantGrill.set(t.id, t.status);
    }
    return vi.waitFor(async () => {
      const [gb, eb] = await Promise.all([boardOf(g), boardOf(e)]);
      expect(
        { grill: sorted(shownStatuses(gb)), expo: sorted(shownStatuses(eb)) },
        'both displays showing the cloud’s tickets',
      ).toEqual({ grill: sorted(wantGrill), expo: sorted(wantExpo) });
      return { grill: gb, expo: eb };
    }, POLL);
  }

  /** Cloud feed entries per opId, and whether any op changed the same entity twice. */
  async function cloudEffects(): Promise<{
    byOp: Map<string, FeedEntry[]>;
    doubled: string[];
  }> {
    const byOp = await harness.countInCloud();
    const doubled: string[] = [];
    for (const [opId, entries] of byOp) {
      const ids = entries.map((e) => `${e.entity}/${e.id}`);
      const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
      if (repeated.length > 0) doubled.push(`${opId}: ${repeated.join(', ')}`);
    }
    return { byOp, doubled };
  }

  async function cloudResult(opId: string): Promise<string | undefined> {
    const http = await harness.cloudOp(opId);
    if (http.status !== 200) return undefined;
    const body = JSON.parse(http.text) as { status?: string; result?: { status?: string } };
    return body.status ?? body.result?.status;
  }

  /** Waits until every entry of the display's outbox is synced; returns them. */
  async function outboxSynced(d: Display, timeoutMs = STEP_TIMEOUT_MS): Promise<OutboxView[]> {
    return vi.waitFor(
      async () => {
        const views = await outboxOf(d);
        expect(
          views.filter((v) => v.status !== 'synced').map((v) => `${v.type} ${v.opId} ${v.status}`),
          `${d.name}: outbox entries not synced`,
        ).toEqual([]);
        return views;
      },
      { timeout: timeoutMs, interval: 100 },
    );
  }

  /** Fires a Background Sync event on the display's service worker through CDP. */
  async function fireSync(d: Display): Promise<void> {
    const registrationId = d.registrations.get(`${origin()}/`);
    if (!registrationId) throw new Error(`${d.name}: no service-worker registration`);
    await d.cdp.send('ServiceWorker.dispatchSyncEvent', {
      origin: origin(),
      registrationId,
      tag: SYNC_TAG,
      lastChance: false,
    });
  }

  it('1. both displays signed in with the kitchen PIN, stations set, the worker in control, live', async () => {
    const [g, e] = displays();
    for (const [d, station] of [
      [g, 'grill'],
      [e, 'expo'],
    ] as const) {
      await d.page.locator('hearth-sign-in-form input[name="pin"]').fill(PINS.kitchen);
      await d.page.locator('hearth-sign-in-form button[type="submit"]').click();
      // The station picker lists the venue's stations once the settings are in the cache.
      await d.page.locator(`hearth-kitchen-page [data-station="${station}"]`).click();
      expect(await d.page.evaluate('localStorage.getItem("hearth.kitchen.station")')).toBe(station);
    }
    const [gb, eb] = await Promise.all([waitLive(g), waitLive(e)]);
    for (const d of [g, e])
      expect(await d.page.evaluate('navigator.serviceWorker.controller !== null')).toBe(true);
    console.info(
      `[kds e2e] live: grill ${gb.count} open, expo ${eb.count} open; status "${gb.headline}" (${gb.tone}) ${JSON.stringify(gb.details)}; relay ${(await harness.relay.health()).connectivity}`,
    );
  }, 60_000);

  it('2–4. with the uplink cut, a two-station order shows on both displays; the grill bumps it and expo sees ✓', async () => {
    const [g, e] = displays();
    harness.proxy.cut();
    await harness.relay.waitForConnectivity('offline_local', 10_000);

    const { orderId, send } = await createOrder(1, ['burger', 'fries']);
    const grillTicket = ticketIdFor(send.opId, 'grill');
    firstOrder = { orderId, send, grillTicket };
    const grillKey = `ticket:${grillTicket}`;
    const expoKey = `order:${orderId}#1`;

    // The page-side watches start before the send, so they see the first frame that shows it.
    const onGrill = await watch(g, { kind: 'shown', key: grillKey });
    const onExpo = await watch(e, { kind: 'shown', key: expoKey });
    const sentAt = Date.now();
    const answeredAt = await sendOrder(send);
    const [grillAt, expoAt] = await Promise.all([onGrill(), onExpo()]);
    const grillMs = grillAt - answeredAt;
    const expoMs = expoAt - answeredAt;
    console.info(
      `[kds e2e] send answered in ${answeredAt - sentAt} ms (uplink cut); shown ${grillMs} ms after the answer on the grill, ${expoMs} ms on expo`,
    );

    // Expo's card has both stations, neither ready; the grill's card only its own.
    const eb = await boardOf(e);
    const expoCard = eb.cards.find((c) => c.key === expoKey);
    expect(expoCard?.sections.map((s) => [s.station, s.status]).sort()).toEqual([
      ['fry', 'queued'],
      ['grill', 'queued'],
    ]);
    const gb = await boardOf(g);
    expect(gb.cards.find((c) => c.key === grillKey)?.sections.map((s) => s.station)).toEqual([
      'grill',
    ]);

    // 4. The grill bumps it; the relay is still offline from the cloud.
    expect((await harness.relay.health()).connectivity).toBe('offline_local');
    const leaves = await watch(g, { kind: 'gone', key: grillKey });
    const ticked = await watch(e, { kind: 'sectionReady', key: expoKey, station: 'grill' });
    const clickAt = Date.now();
    await g.page.locator(`hearth-ticket-card [data-card="${grillKey}"] button.bump`).click();
    const [goneAt, readyAt] = await Promise.all([leaves(), ticked()]);
    console.info(
      `[kds e2e] grill bump (relay offline from the cloud): off the grill ${goneAt - clickAt} ms after the click, expo shows the grill ✓ ready ${readyAt - clickAt} ms after it`,
    );
    const after = await boardOf(e);
    expect(
      after.cards
        .find((c) => c.key === expoKey)
        ?.sections.map((s) => [s.station, s.status])
        .sort(),
    ).toEqual([
      ['fry', 'queued'],
      ['grill', 'ready'],
    ]);
    // Still offline: the relay decided it alone.
    expect((await harness.relay.health()).connectivity).toBe('offline_local');
  }, 60_000);

  it('5–6. the uplink back: the relay reconciles, the outboxes settle, the cloud has each op once and agrees with both displays', async () => {
    const [g, e] = displays();
    const restoredAt = Date.now();
    harness.proxy.restore();
    const health = await harness.waitSettled(30_000);
    const settledAt = Date.now();
    const [grillOutbox, expoOutbox] = await Promise.all([outboxSynced(g), outboxSynced(e)]);
    console.info(
      `[kds e2e] uplink restored: relay ${health.connectivity} with journal ${health.journalDepth} after ${settledAt - restoredAt} ms; outboxes synced after ${Date.now() - restoredAt} ms (grill ${grillOutbox.length} ops, expo ${expoOutbox.length})`,
    );

    // The grill's bump is one ticket.transition 'ready' for its ticket; expo made nothing.
    const bumps = grillOutbox.filter((v) => v.type === 'ticket.transition');
    expect(bumps.map((v) => v.payload)).toEqual([
      { ticketId: first().grillTicket, action: 'ready' },
    ]);
    expect(grillOutbox.map((v) => v.type)).toEqual(['ticket.transition']);
    expect(expoOutbox).toEqual([]);

    // Every op the server and the displays made: decided by the cloud, its effects there once.
    const opIds = [...serverOps.map((op) => op.opId), ...grillOutbox.map((v) => v.opId)];
    const results = await Promise.all(opIds.map(cloudResult));
    expect(results, 'the cloud’s result per op').toEqual(opIds.map(() => 'applied'));
    const { byOp, doubled } = await cloudEffects();
    expect(doubled, 'an entity changed twice by one op').toEqual([]);
    expect(
      opIds.map((id) => (byOp.get(id)?.length ?? 0) > 0),
      'every op has its effects in the cloud feed',
    ).toEqual(opIds.map(() => true));
    const bumpEntries = byOp.get(bumps[0]?.opId ?? '') ?? [];
    expect(bumpEntries.map((en) => `${en.entity}/${en.id}`)).toEqual([
      `ticket/${first().grillTicket}`,
    ]);

    // The cloud's tickets: the grill's ready, the fry's still queued; both screens say so.
    const tickets = await cloudTickets();
    expect(tickets.get(first().grillTicket)?.status).toBe('ready');
    expect(tickets.get(ticketIdFor(first().send.opId, 'fry'))?.status).toBe('queued');
    const shown = await displaysAgreeWithCloud();
    expect(shown.grill.cards.map((c) => c.key)).not.toContain(`ticket:${first().grillTicket}`);
    const [gb, eb] = await Promise.all([waitLive(g), waitLive(e)]);
    expect(gb.details.join(' ')).not.toMatch(/waiting/);
    expect(eb.details.join(' ')).not.toMatch(/waiting/);
  }, 90_000);

  it('7. the grill display’s own network cut with 10 tickets cached: 3 bumps wait in the outbox, clocks tick, then each is applied once', async () => {
    const [g] = displays();
    const before = await boardOf(g);
    const openBefore = before.count ?? 0;

    // Ten grill-only orders, while everything is online.
    const orders: { orderId: string; ticketId: string }[] = [];
    for (let i = 0; i < 10; i++) {
      const { orderId, send } = await createOrder(i + 2, ['burger']);
      await sendOrder(send);
      orders.push({ orderId, ticketId: ticketIdFor(send.opId, 'grill') });
    }
    const wanted = orders.map((o) => o.ticketId);
    const last = await vi.waitFor(async () => {
      const board = await boardOf(g);
      // On screen, not only in the board's model: a 1920×1080 display holds them on one page.
      const rendered = new Set(board.rendered);
      expect(
        wanted.filter((id) => !rendered.has(`ticket:${id}`)),
        'new tickets not rendered on the grill display',
      ).toEqual([]);
      expect(board.count, 'open tickets on the grill display').toBe(openBefore + 10);
      return board;
    }, POLL);
    console.info(
      `[kds e2e] grill shows ${last?.count} open, ${last?.rendered.length} rendered (page size ${last?.pageSize}, grid ${JSON.stringify(last?.grid)})`,
    );
    // Cached on the device: the display's rendering is from its local copy from here on.
    const outboxBefore = new Set((await outboxOf(g)).map((v) => v.opId));

    const offlineAt = Date.now();
    await g.context.setOffline(true);
    const bumpedIds: string[] = [];
    try {
      await vi.waitFor(
        async () =>
          expect((await boardOf(g)).headline, 'the grill display’s status').toMatch(/^Cached copy/),
        POLL,
      );

      // Bump three, one after the other: each leaves the screen at once (the local view applies
      // the unsent op on top of the cache).
      const leaveMs: number[] = [];
      for (const { ticketId } of orders.slice(0, 3)) {
        const key = `ticket:${ticketId}`;
        const gone = await watch(g, { kind: 'gone', key }, 5_000);
        const clickAt = Date.now();
        await g.page.locator(`hearth-ticket-card [data-card="${key}"] button.bump`).click();
        leaveMs.push((await gone()) - clickAt);
        bumpedIds.push(ticketId);
      }
      const seen = await vi.waitFor(async () => {
        const board = await boardOf(g);
        expect(
          {
            cached: board.headline?.startsWith('Cached copy'),
            waiting: board.details.some((d) => /^3 actions .*waiting/.test(d)),
            open: board.count,
          },
          `the status counting 3 actions waiting (${JSON.stringify(board.details)})`,
        ).toEqual({ cached: true, waiting: true, open: openBefore + 7 });
        return board;
      }, POLL);
      console.info(
        `[kds e2e] grill offline: 3 bumps off the screen in ${leaveMs.join(', ')} ms after each click; status "${seen?.headline}" / ${JSON.stringify(seen?.details)}`,
      );

      // Nothing of them reached anyone: the outbox holds them, not sent.
      const waiting = (await outboxOf(g)).filter((v) => !outboxBefore.has(v.opId));
      expect(waiting.map((v) => v.payload)).toEqual(
        bumpedIds.map((ticketId) => ({ ticketId, action: 'ready' })),
      );
      expect(waiting.map((v) => v.status)).not.toContain('synced');
      for (const v of waiting) expect(await cloudResult(v.opId)).toBeUndefined();

      // The clocks keep ticking on the device, offline.
      const remaining = orders.slice(3).map((o) => `ticket:${o.ticketId}`);
      const clockKey = remaining[0] ?? '';
      const clockBefore = await g.page.evaluate(
        (key) =>
          (
            globalThis as unknown as { hearthKds: { firedClock(k: string): string | null } }
          ).hearthKds.firedClock(key),
        clockKey,
      );
      const clockFrom = Date.now();
      const clockAfter = await vi.waitFor(
        async () => {
          const now = await g.page.evaluate(
            (key) =>
              (
                globalThis as unknown as { hearthKds: { firedClock(k: string): string | null } }
              ).hearthKds.firedClock(key),
            clockKey,
          );
          // Two seconds on, so the clock has had its tick whatever second it started in.
          if (now === null || now === clockBefore || Date.now() - clockFrom < 2_000)
            throw new Error(`the fired clock still at "${now}" (was "${clockBefore}")`);
          return now;
        },
        { timeout: 10_000, interval: 100 },
      );
      console.info(
        `[kds e2e] fired clock offline: "${clockBefore}" → "${clockAfter}" over ${Date.now() - clockFrom} ms`,
      );
      expect(clockBefore).not.toBeNull();
      expect((await boardOf(g)).headline?.startsWith('Cached copy')).toBe(true);
    } finally {
      await g.context.setOffline(false);
    }
    const onlineAt = Date.now();
    console.info(`[kds e2e] grill display offline for ${onlineAt - offlineAt} ms`);

    // The network back: the worker drains the outbox (a Background Sync event if it waits).
    let synced: OutboxView[];
    let fired = false;
    try {
      synced = await outboxSynced(g, 10_000);
    } catch {
      fired = true;
      await fireSync(g);
      synced = await outboxSynced(g, STEP_TIMEOUT_MS);
    }
    console.info(
      `[kds e2e] grill outbox drained ${Date.now() - onlineAt} ms after the network came back${fired ? ' (after a Background Sync event fired through CDP)' : ' (no sync event needed)'}`,
    );

    const bumps = synced.filter((v) => !outboxBefore.has(v.opId));
    expect(bumps.map((v) => v.payload)).toEqual(
      bumpedIds.map((ticketId) => ({ ticketId, action: 'ready' })),
    );
    await harness.waitSettled(30_000);

    // The cloud: each of the three once, applied; exactly one transition to ready per ticket;
    // nothing doubled anywhere since the harness started.
    const bumpOpIds = bumps.map((v) => v.opId);
    expect(await Promise.all(bumpOpIds.map(cloudResult))).toEqual(bumpOpIds.map(() => 'applied'));
    const { byOp, doubled } = await cloudEffects();
    expect(doubled, 'an entity changed twice by one op').toEqual([]);
    expect(
      bumpOpIds.map((id) => (byOp.get(id) ?? []).map((en) => `${en.entity}/${en.id}`)),
    ).toEqual(bumpedIds.map((id) => [`ticket/${id}`]));
    const feed = await harness.cloudFeed();
    const readyTransitions = (ticketId: string) => {
      let status: string | undefined;
      let n = 0;
      for (const entry of feed) {
        if (entry.entity !== 'ticket' || entry.id !== ticketId || entry.op !== 'upsert') continue;
        const next = (entry.data as Ticket).status;
        if (next === 'ready' && status !== 'ready') n++;
        status = next;
      }
      return n;
    };
    expect(bumpedIds.map(readyTransitions), 'ready transitions per bumped ticket').toEqual([
      1, 1, 1,
    ]);
    const tickets = await cloudTickets();
    expect(wanted.map((id) => tickets.get(id)?.status)).toEqual([
      ...bumpedIds.map(() => 'ready'),
      ...wanted.slice(3).map(() => 'queued'),
    ]);

    // The grill display: 7 open cards, live again, nothing waiting; both displays = the cloud.
    await displaysAgreeWithCloud();
    const gb = await waitLive(g);
    expect(gb.count).toBe(openBefore + 7);
    expect(gb.count).toBe(7);
    expect(gb.details.join(' ')).not.toMatch(/waiting/);
  }, 120_000);
});
