import { build as esbuild } from 'esbuild';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';
import type { AnyEntity } from '#protocol';
import { enterPin, showView, tiles } from '../e2e/support/floor-steps.ts';
import { giveDeviceCookie, PINS, pairAtRelay, unversioned } from '../e2e/support/relay-process.ts';
import {
  buildWeb,
  CHROMIUM,
  CHROMIUM_ARGS,
  REPO_ROOT,
  webDistIsStale,
} from '../e2e/support/web-build.ts';

// The real Chromium pages of the venue day: a server's floor app, the grill's and expo's
// kitchen displays (all on the venue's Wi-Fi: the relay through a fault proxy) and a guest's
// phone on mobile data (the cloud). Each works through its screen, as a person would: taps on
// the floor plan, the order pad and the pay panel; Bump on the kitchen's cards; the guest
// menu's sheet, basket and Place. Nothing here posts an op itself.
//
// Every action is bounded (Playwright's per-call timeout, and a cap on the whole action); a
// failed one is counted and the loop goes on. Readings (outbox depth, the screen's connection
// state, the device cache) come from the pages' own IndexedDB and banners.

export interface BrowserActorsOptions {
  /** The relay as devices reach it (a Wi-Fi fault proxy in front of the relay); floor and kitchen pages load from here. */
  readonly lanUrl: string;
  /** The relay process (for `relay/main.ts pair` setup links on its data dir). */
  readonly relay: { readonly dataDir: string; readonly url: string };
  /** The cloud as phones reach it on mobile data; it serves the PWA (HEARTH_WEB_DIR). */
  readonly cloudUrl: string;
  /** Table labels the Chromium floor app serves (scripted devices never touch these). */
  readonly floorTables: readonly string[];
  /** The table the Chromium guest phone orders at. */
  readonly guestTable: string;
  /** Kitchen stations of the two Chromium kitchen displays, e.g. ['grill', 'expo']. */
  readonly kitchenStations: readonly [string, string];
  /** Real ms between a page's actions (the day's pace). */
  readonly paceMs: number;
  readonly log: (line: string) => void;
}

export type ActorRole = 'floor' | 'kitchen' | 'guest';

export interface ActorCounts {
  readonly done: number;
  readonly failed: number;
  /** Done actions per kind (`send`, `close-cash`, `start`, `bump`, `guest-order`); failures as `failed:<kind>`. */
  readonly kinds: Record<string, number>;
}

export interface BrowserActors {
  /** Page name → role, e.g. { 'chromium-floor': 'floor', 'chromium-kds-grill': 'kitchen', 'chromium-kds-expo': 'kitchen', 'chromium-guest': 'guest' }. */
  readonly pages: Readonly<Record<string, ActorRole>>;
  /** Starts each page's work loop: floor: open one of its tables, add 2–4 dishes, send, later close it with cash through the pay panel, repeat over its tables; kitchen: bump/advance the tickets its screen shows; guest: order 1–2 items through the menu now and then. */
  start(): void;
  /** Stops starting new actions; resolves when the current ones end (bounded). */
  stop(): Promise<void>;
  /** Each page's outbox depth now (from the page's IndexedDB outbox or what its screen shows), by page name. */
  outboxDepths(): Promise<Record<string, number>>;
  /** Each page's connectivity as its screen shows it (e.g. 'live', 'offline', 'replaying'), by page name. */
  states(): Promise<Record<string, string>>;
  /** Actions done / failed per page, by kind (e.g. 'send', 'close-cash', 'bump', 'guest-order'). */
  counts(): Record<string, ActorCounts>;
  /** Each page's cached entities: `kind/id` → unversioned canonical JSON, exactly like `flatten()` in tests/e2e/support/relay-process.ts does for an EntitySet (read the page's IndexedDB cache; see web/ for its layout, decision docs/decisions/023-device-cache-bucket-records.md). */
  caches(): Promise<Record<string, Map<string, string>>>;
  close(): Promise<void>;
}

/** Playwright's bound on each call (a click, a wait). */
const STEP_MS = 10_000;
/** The bound on one whole action; past it the loop counts it failed and goes on. */
const ACTION_MS = 60_000;
/** How long stop() waits for the actions under way. */
const STOP_MS = 30_000;
/** The bound on one reading of a page (outbox, banner, cache). */
const READ_MS = 10_000;
const SETUP_MS = 60_000;

const VIEWPORTS = {
  floor: { width: 1280, height: 800 },
  kitchen: { width: 1920, height: 1080 },
  guest: { width: 390, height: 844 },
} as const;

/** Guest dishes that need no choice (the demo menu's): the sheet's Add is on at once. */
const GUEST_DISHES = [
  'fries',
  'burrata',
  'salmon',
  'calamari',
  'sorbet',
  'lemonade',
  'house-red',
  'creme-brulee',
] as const;

// ---------------------------------------------------------------------------------------------
// The page-side reader: the app's own stores, bundled by esbuild and evaluated on demand (never
// at load, so it costs the pages nothing while they work).

const READER_SOURCE = `
import { ENTITY_KINDS } from '#protocol';
import { OutboxStore } from './web/device/outbox-store.ts';
import { outboxCounts } from './web/device/outbox-types.ts';
import { openLocalDb, readRecords } from './web/device/local-db.ts';

globalThis.hearthActorReader = {
  async outboxDepth() {
    const store = await OutboxStore.open();
    try {
      return outboxCounts(await store.list(), Date.now()).depth;
    } finally {
      store.close();
    }
  },
  async cache() {
    const names = (await indexedDB.databases()).map((d) => d.name);
    // Not hydrated yet: nothing cached (opening would create the database).
    if (!names.includes('hearth-cache')) return [];
    const db = await openLocalDb();
    try {
      const out = [];
      for (const kind of ENTITY_KINDS)
        for (const record of await readRecords(db, kind)) out.push([kind, record.id, record.data]);
      return out;
    } finally {
      db.close();
    }
  },
};
`;

async function bundleReader(): Promise<string> {
  const result = await esbuild({
    stdin: {
      contents: READER_SOURCE,
      resolveDir: REPO_ROOT,
      loader: 'ts',
      sourcefile: 'browser-actors-reader.ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  const code = result.outputFiles[0]?.text;
  if (!code) throw new Error('esbuild produced no reader bundle');
  return code;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const messageOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

/** `work` or a rejection after `ms` (the work is not cancelled: the bound keeps the caller going). */
async function bounded<T>(what: string, ms: number, work: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no end after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work(), late]);
  } finally {
    clearTimeout(timer);
  }
}

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)] as T;
const between = (lo: number, hi: number): number => lo + Math.floor(Math.random() * (hi - lo + 1));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A tap as a finger makes it (Playwright's click: scrolled into view, actionable, bounded). */
const tap = (locator: Locator) => locator.click({ timeout: STEP_MS });

/** Runs one step of an action; its failure says which step. */
async function step<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new Error(`${what}: ${messageOf(error)}`);
  }
}

/** Loads a page and waits until its service worker controls it (the outbox is in play). */
async function openControlled(page: Page, url: string): Promise<void> {
  await page.goto(url, { timeout: SETUP_MS });
  await page.waitForFunction('navigator.serviceWorker.ready.then(() => true)', undefined, {
    timeout: SETUP_MS,
  });
  if (!(await page.evaluate('navigator.serviceWorker.controller !== null'))) await page.reload();
  await page.waitForFunction('navigator.serviceWorker.controller !== null', undefined, {
    timeout: SETUP_MS,
  });
}

// ---------------------------------------------------------------------------------------------
// One page and its loop

interface Tally {
  done: number;
  failed: number;
  kinds: Record<string, number>;
}

abstract class Actor {
  readonly tally: Tally = { done: 0, failed: 0, kinds: {} };
  #stopping = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #lastFailure = '';
  /** Bumped at each action: an action that outlived its bound is not counted again when it ends. */
  #generation = 0;

  readonly name: string;
  readonly role: ActorRole;
  readonly context: BrowserContext;
  readonly page: Page;
  protected readonly options: BrowserActorsOptions;

  constructor(
    name: string,
    role: ActorRole,
    context: BrowserContext,
    page: Page,
    options: BrowserActorsOptions,
  ) {
    this.name = name;
    this.role = role;
    this.context = context;
    this.page = page;
    this.options = options;
  }

  /** One action: its kind, or undefined when there was nothing to do. Throws when it failed. */
  protected abstract act(): Promise<string | undefined>;
  /** Puts the screen back where the loop can work (signed in, station chosen), after a failure. */
  protected abstract recover(): Promise<void>;
  /** What the screen says of its connection. */
  abstract state(): Promise<string>;

  start(): void {
    if (this.#loop) return;
    this.#stopping = false;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    const loop = this.#loop;
    this.#loop = undefined;
    if (loop) await bounded(`${this.name} stopping`, STOP_MS, () => loop).catch(() => undefined);
  }

  /** Counts an action (done, or failed with its reason: logged once per new reason). */
  protected count(kind: string, error?: unknown): void {
    if (error === undefined) {
      this.tally.done++;
      this.tally.kinds[kind] = (this.tally.kinds[kind] ?? 0) + 1;
      return;
    }
    this.tally.failed++;
    const key = `failed:${kind}`;
    this.tally.kinds[key] = (this.tally.kinds[key] ?? 0) + 1;
    const reason = messageOf(error);
    if (reason !== this.#lastFailure)
      this.options.log(`${this.name}: ${kind} failed: ${reason.slice(0, 300)}`);
    this.#lastFailure = reason;
  }

  async #pause(ms: number): Promise<void> {
    if (this.#stopping) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
  }

  async #run(): Promise<void> {
    const pace = Math.max(50, this.options.paceMs);
    // The pages do not all start on the same beat.
    await this.#pause(Math.random() * pace);
    while (!this.#stopping) {
      if (this.page.isClosed()) {
        this.options.log(`${this.name}: the page closed; its loop ends`);
        return;
      }
      this.#generation++;
      try {
        await bounded(`${this.name} action`, ACTION_MS, () => this.act());
      } catch (error) {
        // act() counted it; a failure that escaped its own counting is counted here.
        if (!(error instanceof CountedFailure)) this.count('action', error);
        await bounded(`${this.name} recovery`, ACTION_MS, () => this.recover()).catch(
          (recoverError: unknown) =>
            this.options.log(`${this.name}: recovery failed: ${messageOf(recoverError)}`),
        );
      }
      await this.#pause(pace * (0.75 + Math.random() * 0.5));
    }
  }

  /** Runs one kind of action: counted done, or counted failed and rethrown (for recovery). */
  protected async attempt(kind: string, work: () => Promise<void>): Promise<string> {
    const generation = this.#generation;
    try {
      await work();
    } catch (error) {
      if (generation === this.#generation) this.count(kind, error);
      throw new CountedFailure(messageOf(error));
    }
    if (generation === this.#generation) this.count(kind);
    return kind;
  }

  async outboxDepth(reader: string): Promise<number> {
    return bounded(`${this.name} outbox`, READ_MS, async () => {
      await this.#ensureReader(reader);
      return (await this.page.evaluate('(globalThis.hearthActorReader.outboxDepth())')) as number;
    });
  }

  async cache(reader: string): Promise<Map<string, string>> {
    const rows = await bounded(`${this.name} cache`, READ_MS * 3, async () => {
      await this.#ensureReader(reader);
      return (await this.page.evaluate('(globalThis.hearthActorReader.cache())')) as [
        string,
        string,
        AnyEntity,
      ][];
    });
    const out = new Map<string, string>();
    for (const [kind, id, data] of rows) out.set(`${kind}/${id}`, unversioned(data));
    return out;
  }

  async #ensureReader(code: string): Promise<void> {
    if (await this.page.evaluate('typeof globalThis.hearthActorReader === "object"')) return;
    await this.page.evaluate(code);
  }
}

/** A failure already counted by `attempt`. */
class CountedFailure extends Error {}

/** The floor and guest pages' banner: connected → 'live', else its mode. */
async function bannerState(page: Page): Promise<string> {
  const mode = await page
    .locator('hearth-resilience-banner .banner')
    .first()
    .getAttribute('data-mode', { timeout: 2_000 });
  return mode === 'connected' ? 'live' : (mode ?? 'unknown');
}

// ---------------------------------------------------------------------------------------------
// The floor app: a server working their tables

type TableState = 'free' | 'open';

class FloorActor extends Actor {
  readonly #tables = new Map<string, { state: TableState; since: number }>();

  constructor(name: string, context: BrowserContext, page: Page, options: BrowserActorsOptions) {
    super(name, 'floor', context, page, options);
    for (const label of options.floorTables) this.#tables.set(label, { state: 'free', since: 0 });
  }

  async setUp(): Promise<void> {
    await openControlled(this.page, `${this.options.lanUrl}/ops/`);
    await enterPin(this.page, PINS.server);
    await this.page.locator('hearth-floor-page [data-signed-in]').waitFor({ timeout: SETUP_MS });
    await tiles(this.page).first().waitFor({ timeout: SETUP_MS });
  }

  protected async act(): Promise<string | undefined> {
    await this.#signedIn();
    const open = [...this.#tables].filter(([, t]) => t.state === 'open');
    const free = [...this.#tables].filter(([, t]) => t.state === 'free').map(([label]) => label);
    open.sort((a, b) => a[1].since - b[1].since);
    const oldest = open[0];
    // A table eats for a few of the server's rounds before it pays.
    const ripe = oldest !== undefined && Date.now() - oldest[1].since > 4 * this.options.paceMs;
    if (oldest && (free.length === 0 || (ripe && Math.random() < 0.5)))
      return this.#close(oldest[0]);
    if (free.length > 0) return this.#order(pick(free));
    return undefined;
  }

  protected async recover(): Promise<void> {
    await this.#signedIn();
    await showView(this.page, 'floor').catch(() => undefined);
  }

  state(): Promise<string> {
    return bannerState(this.page);
  }

  /**
   * The PIN again when the pad asks for it: signed out, or "Sign in again" after the session
   * ended (the changes wait on the tablet meanwhile). This page never asks for a switch itself.
   */
  async #signedIn(): Promise<void> {
    const pad = this.page.locator('hearth-floor-page hearth-pin-pad');
    if (!(await pad.isVisible())) return;
    this.options.log(`${this.name}: signing in again`);
    await enterPin(this.page, PINS.server);
    await pad.waitFor({ state: 'hidden', timeout: STEP_MS });
  }

  /** Opens the table's tile on the floor plan. */
  async #openTable(label: string): Promise<void> {
    await step('the floor view', () => showView(this.page, 'floor'));
    const tile = tiles(this.page).filter({
      has: this.page.locator('span.label', {
        hasText: new RegExp(`^\\s*Table\\s*${escapeRegExp(label)}\\s*$`),
      }),
    });
    await step(`table ${label}'s tile`, () => tap(tile.first()));
    await step(`table ${label}'s pad`, () =>
      this.page.locator('hearth-order-pad').waitFor({ timeout: STEP_MS }),
    );
    // A check paid here earlier still shows on its table until the next order is started.
    const next = this.page.locator('hearth-order-pad [data-action="next-order"]');
    if (await next.isVisible()) await tap(next);
  }

  /** Opens a table, adds 2–4 dishes from the menu's categories and sends them. */
  async #order(label: string): Promise<string> {
    const table = this.#tables.get(label);
    const page = this.page;
    let sent = false;
    try {
      return await this.attempt('send', async () => {
        await this.#openTable(label);
        const drafts = page.locator('hearth-order-pad li.line[data-where="draft"]');
        const wanted = between(2, 4);
        for (let n = 0; n < wanted; n++) {
          const categories = page.locator('hearth-order-pad [data-category]');
          const count = await categories.count();
          if (count > 0)
            await step('a category', () => tap(categories.nth(Math.floor(Math.random() * count))));
          // Dishes without a required choice go straight onto the check.
          const dishes = page
            .locator('hearth-order-pad button.dish:not([disabled])')
            .filter({ hasNotText: 'choices' });
          const available = await dishes.count();
          if (available === 0) continue;
          const before = await drafts.count();
          const dish = dishes.nth(Math.floor(Math.random() * available));
          // The pad's rules load just after it paints: a tap before then adds nothing.
          const deadline = Date.now() + 5_000;
          for (;;) {
            await step('a dish', () => tap(dish));
            if ((await drafts.count()) > before) break;
            if (Date.now() > deadline) throw new Error(`table ${label}: the pad took no dish`);
            await sleep(150);
          }
          await sleep(between(100, 300));
        }
        if ((await drafts.count()) === 0) throw new Error(`table ${label}: no dish to send`);
        await step('Send', () => tap(page.locator('hearth-order-pad [data-action="send-all"]')));
        sent = true;
        // Sent: the draft is gone and the lines are the order's (synced or in the outbox).
        const deadline = Date.now() + STEP_MS;
        while ((await drafts.count()) > 0) {
          if (Date.now() > deadline) throw new Error(`table ${label}: the draft was not sent`);
          await sleep(100);
        }
      });
    } finally {
      // A send tapped is on the check (in the outbox at worst): the table has to be paid.
      if (table && (sent || (await this.#hasOrderLines().catch(() => false)))) {
        table.state = 'open';
        table.since = Date.now();
      }
    }
  }

  async #hasOrderLines(): Promise<boolean> {
    return (await this.page.locator('hearth-order-pad li.line[data-where="order"]').count()) > 0;
  }

  /** Opens a table with a check and takes the whole balance in cash through the pay panel. */
  async #close(label: string): Promise<string> {
    const table = this.#tables.get(label);
    const page = this.page;
    return this.attempt('close-cash', async () => {
      await this.#openTable(label);
      const panel = page.locator('hearth-order-pad hearth-pay-panel');
      const payCash = panel.locator('[data-action="pay-cash"]');
      try {
        await step('the pay panel', () => payCash.waitFor({ timeout: STEP_MS }));
      } catch (error) {
        // Nothing to pay on it (the order never got there): the table is free again.
        if (table && !(await this.#hasOrderLines())) table.state = 'free';
        throw error;
      }
      await step('Cash', () => tap(panel.locator('button[data-method="cash"]')));
      await step('All', () => tap(panel.locator('[data-amount-choice="balance"]')));
      // Exact, or a rounder note now and then (change due).
      const tenders = panel.locator('button[data-tender]');
      const quick = await tenders.count();
      await step('a tender', () => tap(tenders.nth(quick > 1 && Math.random() < 0.3 ? 1 : 0)));
      await step('the change', () => panel.locator('[data-change]').waitFor({ timeout: STEP_MS }));
      await step('Take cash', () => tap(payCash));
      await step('paid', () => panel.locator('[data-check="paid"]').waitFor({ timeout: STEP_MS }));
      if (table) table.state = 'free';
      // The next guests: the table starts afresh.
      const next = page.locator('hearth-order-pad [data-action="next-order"]');
      await tap(next).catch(() => undefined);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// A kitchen display: the cook bumps the oldest card on the screen

class KitchenActor extends Actor {
  readonly station: string;

  constructor(
    name: string,
    station: string,
    context: BrowserContext,
    page: Page,
    options: BrowserActorsOptions,
  ) {
    super(name, 'kitchen', context, page, options);
    this.station = station;
  }

  async setUp(): Promise<void> {
    await openControlled(this.page, `${this.options.lanUrl}/kitchen/`);
    await this.#signIn(SETUP_MS);
    await this.page.locator('hearth-kitchen-page [data-tickets]').waitFor({ timeout: SETUP_MS });
  }

  async #signIn(timeout: number): Promise<void> {
    const page = this.page;
    const pin = page.locator('hearth-sign-in-form input[name="pin"]');
    if (await pin.isVisible()) {
      await pin.fill(PINS.kitchen, { timeout });
      await tap(page.locator('hearth-sign-in-form button[type="submit"]'));
    }
    const station = page.locator(`hearth-kitchen-page [data-station="${this.station}"]`);
    const board = page.locator('hearth-kitchen-page [data-tickets]');
    // The station picker once signed in (a display keeps its choice after that).
    await Promise.race([
      station.waitFor({ timeout }).then(() => tap(station)),
      board.waitFor({ timeout }),
    ]);
  }

  /** When this display first showed each card (expo waits on the stations for a while). */
  readonly #firstSeen = new Map<string, number>();

  /**
   * The card the cook takes next: a prep station its oldest card (the board lays them out
   * oldest first); expo the oldest whose every station says ready, else the oldest that has
   * waited six beats (a station without a screen here never says so). None: nothing to do.
   */
  async #next(): Promise<string | undefined> {
    const shownCards = (await this.page
      .locator('hearth-ticket-card article[data-card]')
      .evaluateAll((articles) =>
        articles.map((a) => ({
          key: a.getAttribute('data-card') ?? '',
          held: a.querySelector('.flag.held') !== null,
          stations: [...a.querySelectorAll('li.station')].map((li) =>
            li.getAttribute('data-status'),
          ),
        })),
      )) as { key: string; held: boolean; stations: (string | null)[] }[];
    const now = Date.now();
    // A held course waits for the server's word to fire: not the cook's to bump.
    const cards = shownCards.filter((c) => !c.held);
    const shown = new Set(cards.map((c) => c.key));
    for (const key of this.#firstSeen.keys()) if (!shown.has(key)) this.#firstSeen.delete(key);
    for (const { key } of cards) if (!this.#firstSeen.has(key)) this.#firstSeen.set(key, now);
    if (this.station !== 'expo') return cards[0]?.key || undefined;
    const ready = cards.find(
      (c) => c.stations.length > 0 && c.stations.every((s) => s === 'ready' || s === 'bumped'),
    );
    if (ready) return ready.key;
    const waited = cards.find(
      (c) => now - (this.#firstSeen.get(c.key) ?? now) > 6 * this.options.paceMs,
    );
    return waited?.key || undefined;
  }

  protected async act(): Promise<string | undefined> {
    const page = this.page;
    const key = await this.#next().catch(() => undefined);
    if (!key) return undefined;
    const card = page.locator(`hearth-ticket-card article[data-card="${key}"]`);
    // A prep station starts a ticket now and then before it bumps it (expo has no Start).
    const start = card.locator('button.start');
    if (Math.random() < 0.4 && (await start.isVisible()))
      return this.attempt('start', async () => {
        await step('Start', () => tap(start));
        await step('the card started', () =>
          start.waitFor({ state: 'detached', timeout: STEP_MS }),
        );
      });
    return this.attempt('bump', async () => {
      // A change or a void the card flags is seen first, as the cook would.
      const seen = card.locator('.flag.void button, .flag.change button');
      if (await seen.isVisible()) await tap(seen);
      if (!(await card.isVisible())) return;
      await step('Bump', () => tap(card.locator('button.bump')));
      await step('the card leaving', async () => {
        try {
          await card.waitFor({ state: 'detached', timeout: STEP_MS });
        } catch (error) {
          // What the card and the board said, for the log.
          const said = await card
            .evaluate((a) => a.textContent?.replace(/\s+/g, ' ').trim().slice(0, 200))
            .catch(() => '');
          const status = await page
            .locator('hearth-kitchen-page hearth-kds-board .status')
            .first()
            .textContent({ timeout: 1_000 })
            .catch(() => '');
          throw new Error(
            `${messageOf(error)} (card ${key}: "${said}"; board: "${status?.replace(/\s+/g, ' ').trim()}")`,
          );
        }
      });
    });
  }

  protected async recover(): Promise<void> {
    await this.#signIn(STEP_MS);
  }

  async state(): Promise<string> {
    const headline =
      (await this.page
        .locator('hearth-kitchen-page hearth-kds-board .status .headline')
        .first()
        .textContent({ timeout: 2_000 })) ?? '';
    if (headline.startsWith('Live')) return 'live';
    if (headline.startsWith('Sending')) return 'replaying';
    if (headline.startsWith('Cached copy')) return 'offline';
    return headline.trim() || 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------
// The guest's phone: a dish or two now and then, from the menu through the basket

class GuestActor extends Actor {
  #rounds = 0;

  async setUp(): Promise<void> {
    const url = `${this.options.cloudUrl}/guest/?venue=demo-bistro&table=${encodeURIComponent(this.options.guestTable)}`;
    await this.page.goto(url, { timeout: SETUP_MS });
    await this.page.locator('[data-item="fries"]').first().waitFor({ timeout: SETUP_MS });
  }

  protected async act(): Promise<string | undefined> {
    // A guest orders now and then, not on every beat.
    if (this.#rounds++ % 4 !== 0) return undefined;
    const page = this.page;
    return this.attempt('guest-order', async () => {
      const lines = page.locator('hearth-guest-status article[data-order] li[data-line]');
      const before = await lines.count();
      // Two different dishes (the same one twice is one line of two).
      const first = pick(GUEST_DISHES);
      const dishes =
        Math.random() < 0.5 ? [first] : [first, pick(GUEST_DISHES.filter((d) => d !== first))];
      const wanted = dishes.length;
      for (const dish of dishes) {
        await step(`the dish ${dish}`, () => tap(page.locator(`[data-item="${dish}"]`).first()));
        const add = page.locator('hearth-item-sheet button.add');
        await step('the sheet', () => add.waitFor({ timeout: STEP_MS }));
        const deadline = Date.now() + STEP_MS;
        while (!(await add.isEnabled())) {
          if (Date.now() > deadline) throw new Error('the sheet’s Add stayed off');
          await sleep(100);
        }
        await step('Add', () => tap(add));
        await sleep(between(200, 500));
      }
      // The bar shows while the basket is off screen; Place is in the basket either way.
      const bar = page.locator('[data-action="view-basket"]');
      if (await bar.isVisible()) await tap(bar).catch(() => undefined);
      await step('Place', () => tap(page.locator('hearth-guest-basket button.place')));
      // The table's tab shows the new dishes once the order is in (it may wait in the outbox).
      const deadline = Date.now() + 3 * STEP_MS;
      while ((await lines.count()) < before + wanted) {
        if (Date.now() > deadline) throw new Error('the order did not show on the table’s tab');
        await sleep(200);
      }
    });
  }

  protected async recover(): Promise<void> {
    // A sheet left open closes with Escape; a basket that did not go stays for the next round.
    await this.page.keyboard.press('Escape').catch(() => undefined);
  }

  state(): Promise<string> {
    return bannerState(this.page);
  }
}

// ---------------------------------------------------------------------------------------------

export async function startBrowserActors(options: BrowserActorsOptions): Promise<BrowserActors> {
  if (webDistIsStale()) {
    options.log('browser actors: web/dist is stale; building it');
    await buildWeb();
  }
  const reader = await bundleReader();
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
    timeout: SETUP_MS,
  });
  const actors: (FloorActor | KitchenActor | GuestActor)[] = [];
  const close = async () => {
    await Promise.all(actors.map((a) => a.stop()));
    await bounded('closing Chromium', STOP_MS, () => browser.close()).catch(() => undefined);
  };
  try {
    /** A context of its own per page, its device paired at the relay (decision 034). */
    const newPage = async (name: string, role: ActorRole) => {
      const context = await browser.newContext({
        viewport: VIEWPORTS[role],
        serviceWorkers: 'allow',
        ...(role === 'guest' ? { isMobile: true, hasTouch: true } : {}),
      });
      if (role !== 'guest') {
        const device = await pairAtRelay(
          options.relay,
          `${name}-${Date.now().toString(36)}`,
          role === 'kitchen' ? 'kitchen' : 'floor',
        );
        await giveDeviceCookie(context, options.lanUrl, device);
      }
      const page = await context.newPage();
      page.setDefaultTimeout(STEP_MS);
      page.on('pageerror', (error) => options.log(`${name}: page error: ${messageOf(error)}`));
      page.on('crash', () => options.log(`${name}: the page crashed`));
      return { context, page };
    };

    const floor = await newPage('chromium-floor', 'floor');
    actors.push(new FloorActor('chromium-floor', floor.context, floor.page, options));
    for (const station of options.kitchenStations) {
      const name = `chromium-kds-${station}`;
      const kds = await newPage(name, 'kitchen');
      actors.push(new KitchenActor(name, station, kds.context, kds.page, options));
    }
    const guest = await newPage('chromium-guest', 'guest');
    actors.push(new GuestActor('chromium-guest', 'guest', guest.context, guest.page, options));

    // Set up together (each loads, signs in and hydrates), bounded.
    const started = Date.now();
    await Promise.all(
      actors.map((a) => bounded(`${a.name} setting up`, 2 * SETUP_MS, () => a.setUp())),
    );
    options.log(`browser actors: ${actors.length} pages ready in ${Date.now() - started} ms`);
  } catch (error) {
    await close();
    throw error;
  }

  const byName = <T>(values: readonly T[]): Record<string, T> =>
    Object.fromEntries(actors.map((a, i) => [a.name, values[i] as T]));

  return {
    pages: Object.fromEntries(actors.map((a) => [a.name, a.role])),
    start() {
      for (const a of actors) a.start();
    },
    async stop() {
      await Promise.all(actors.map((a) => a.stop()));
    },
    async outboxDepths() {
      return byName(
        await Promise.all(
          actors.map((a) =>
            a.outboxDepth(reader).catch((error: unknown) => {
              options.log(`${a.name}: outbox not read: ${messageOf(error)}`);
              return -1;
            }),
          ),
        ),
      );
    },
    async states() {
      return byName(
        await Promise.all(
          actors.map((a) =>
            bounded(`${a.name} state`, READ_MS, () => a.state()).catch(() => 'unknown'),
          ),
        ),
      );
    },
    counts() {
      return Object.fromEntries(
        actors.map((a) => [
          a.name,
          { done: a.tally.done, failed: a.tally.failed, kinds: { ...a.tally.kinds } },
        ]),
      );
    },
    async caches() {
      return byName(
        await Promise.all(
          actors.map((a) =>
            a.cache(reader).catch((error: unknown) => {
              options.log(`${a.name}: cache not read: ${messageOf(error)}`);
              return new Map<string, string>();
            }),
          ),
        ),
      );
    },
    close,
  };
}
