import type { EntityKind, Operation, Principal } from '#protocol';
import type { AppServices } from '../../web/app/app-services.ts';
import { broadcastChannelSource } from '../../web/app/broadcast-source.ts';
import type { LocalSnapshot, LocalViewSource } from '../../web/app/local-view-controller.ts';
import type { NetworkStatus } from '../../web/app/network-status.ts';
import type { OpState } from '../../web/app/outbox-reader.ts';
import { alwaysVisible } from '../../web/app/page-visibility.ts';
import { SessionStore } from '../../web/app/session-store.ts';
import '../../web/guest/guest-page.ts';
import type { GuestPage } from '../../web/guest/guest-page.ts';
import { waitFor } from '../support/wait-for.ts';
import {
  type Entities,
  memoryStorage,
  menuEntities,
  snapshotOf,
  TABLE_ID,
  VENUE_ID,
} from '../web/guest-fixtures.ts';
import { phoneFrame } from './guest-support.ts';

// Mounts <hearth-guest-page> in Chromium at a phone's width with small in-memory adapters of
// the page's own ports: a fetch that answers sign-in and ops as the origin or the service
// worker would, an outbox whose states the test sets, a local view fed the test's entities, a
// network the test switches off and on. The page's code runs as it does on a phone.

export const GUEST: Principal = {
  kind: 'guest',
  tenantId: 'demo',
  venueId: VENUE_ID,
  sessionId: 'session-1',
  tableId: TABLE_ID,
};

/** What the fake origin does with an op: the worker's 202 (queued) unless the test says. */
export type OpAnswer = (op: Operation) => Response | Promise<Response>;

export interface World {
  /** The entities the local view shows; `set` emits a new snapshot to every open view. */
  entities: Entities;
  readonly storage: Storage;
  /** The principal kept for a reload (the cache's meta). */
  saved: Principal | undefined;
  readonly outbox: Map<string, OpState>;
  readonly requests: { url: string; body: unknown }[];
  readonly ops: Operation[];
  online: boolean;
  /** Whether a service worker controls the page (its outbox queues the ops). */
  controlled: boolean;
  /** How sign-in is answered: a principal for table 5, 404 for others, or no answer. */
  signIn: 'ok' | 'no-answer';
  opAnswer: OpAnswer;
  readonly channel: string;
  readonly views: Set<(snapshot: LocalSnapshot) => void>;
  readonly networkListeners: Set<(online: boolean) => void>;
}

export const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** A Storage in memory, shared by the mounts of one test (a reload keeps it). */
export { memoryStorage };

export function world(patch: Partial<World> = {}): World {
  return {
    entities: menuEntities(),
    storage: memoryStorage(),
    saved: undefined,
    outbox: new Map(),
    requests: [],
    ops: [],
    online: true,
    controlled: true,
    signIn: 'ok',
    opAnswer: (op) => json(202, { op, status: 'pending' }),
    channel: `hearth-guest-test-${crypto.randomUUID()}`,
    views: new Set(),
    networkListeners: new Set(),
    ...patch,
  };
}

function services(w: World): AppServices {
  const network: NetworkStatus = {
    online: () => w.online,
    subscribe(listener) {
      w.networkListeners.add(listener);
      return () => w.networkListeners.delete(listener);
    },
  };
  const fetchFake: typeof fetch = async (input, init) => {
    const url = String(input);
    const body: unknown = init?.body ? JSON.parse(String(init.body)) : undefined;
    w.requests.push({ url, body });
    if (url.endsWith('/v1/auth/guest')) {
      if (w.signIn === 'no-answer' || !w.online) throw new TypeError('Failed to fetch');
      const { table } = body as { table: string };
      return table === '5'
        ? json(200, { token: 'SECRET', expiresAt: '2026-11-23T23:30:00.000Z', principal: GUEST })
        : json(404, {
            type: 'https://hearth.dev/problems/table-not-found',
            title: 'No such table',
            status: 404,
            kind: 'stop',
            code: 'TABLE_NOT_FOUND',
            detail: 'this venue has no table with that label; scan the QR card again',
          });
    }
    if (url.endsWith(`/v1/venues/${VENUE_ID}/ops`)) {
      const op = body as Operation;
      w.ops.push(op);
      // Through the worker the op is queued whatever the network; without one it needs it.
      if (!w.controlled && !w.online) throw new TypeError('Failed to fetch');
      if (w.controlled && !w.outbox.has(op.opId)) w.outbox.set(op.opId, { status: 'pending' });
      return w.opAnswer(op);
    }
    return json(404, { title: 'Not found' });
  };
  return {
    venueId: VENUE_ID,
    clock: () => Date.now(),
    fetch: fetchFake,
    broadcasts: broadcastChannelSource(w.channel),
    network,
    visibility: alwaysVisible,
    serviceWorker: { controlled: () => w.controlled, post: () => w.controlled },
    session: new SessionStore(),
    persistence: {
      load: async () => w.saved,
      save: async (principal) => {
        w.saved = principal ?? undefined;
      },
    },
    device: {
      deviceId: async () => 'device-1',
      cursor: async () => 'cursor-1',
      lastSyncAt: async () => Date.now(),
    },
    outbox: {
      summary: async () => {
        const states = [...w.outbox.values()];
        return {
          depth: states.filter((s) => s.status === 'pending').length,
          oldestPendingAt: null,
          failedOps: states.filter((s) => s.status === 'failed').length,
        };
      },
      stateOf: async (opId) => w.outbox.get(opId),
    },
    openLocalView: async (_kinds?: readonly EntityKind[]): Promise<LocalViewSource> => {
      let mine: ((s: LocalSnapshot) => void) | undefined;
      return {
        subscribe(listener) {
          mine = listener;
          w.views.add(listener);
          listener(snapshotOf(w.entities));
          return () => w.views.delete(listener);
        },
        close() {
          if (mine) w.views.delete(mine);
        },
      };
    },
    cacheSync: { start: async () => undefined, forget: async () => undefined },
  };
}

/** The feed brings new entities: every open view reads them. */
export function setEntities(w: World, entities: Entities): void {
  w.entities = entities;
  for (const listener of w.views) listener(snapshotOf(entities));
}

/** The phone goes off or on line (`online`/`offline` events). */
export function setOnline(w: World, online: boolean): void {
  w.online = online;
  for (const listener of w.networkListeners) listener(online);
}

/** The worker says its outbox changed. */
export function outboxChanged(w: World): void {
  const sender = new BroadcastChannel(w.channel);
  sender.postMessage({ type: 'outbox-changed' });
  sender.close();
}

export async function mount(w: World, table: string | null = '5'): Promise<GuestPage> {
  const page = attach(w, table);
  await settle(page);
  return page;
}

/** Puts the page on the phone and returns at once: its first frame is still to come. */
export function attach(w: World, table: string | null = '5'): GuestPage {
  const page = document.createElement('hearth-guest-page');
  page.services = services(w);
  page.storage = w.storage;
  page.table = table;
  phoneFrame().append(page);
  return page;
}

export { serious, unmountFrames as unmountAll } from './guest-support.ts';

/** The narrowest phone the page is made for (guest-support.ts's frame). */
export const PHONE_WIDTH = 360;

/** Every element matching `selector` in `root` and the shadow roots under it. */
export function deepAll<E extends Element = HTMLElement>(
  root: Element | ShadowRoot,
  selector: string,
): E[] {
  const found: E[] = [];
  const walk = (node: Element | ShadowRoot): void => {
    found.push(...node.querySelectorAll<E>(selector));
    for (const el of node.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
  };
  walk(root instanceof Element && root.shadowRoot ? root.shadowRoot : root);
  return found;
}

export function deep<E extends Element = HTMLElement>(
  root: Element | ShadowRoot,
  selector: string,
): E {
  const [first] = deepAll<E>(root, selector);
  if (!first) throw new Error(`nothing matches ${selector}`);
  return first;
}

export const maybe = <E extends Element = HTMLElement>(
  root: Element,
  selector: string,
): E | undefined => deepAll<E>(root, selector)[0];

/** Text as a guest reads it: whitespace collapsed (through the element's shadow root). */
export const text = (node: Element | undefined): string =>
  (node?.shadowRoot ?? node)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

/** Lets the page and its components render (and its promises and broadcasts land). */
export async function settle(page: GuestPage): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await page.updateComplete;
    for (const el of deepAll(page, '*')) {
      const lit = el as Element & { updateComplete?: Promise<unknown> };
      if (lit.updateComplete) await lit.updateComplete;
    }
  }
}

/** What the live region last said. */
export const announced = (page: GuestPage): string =>
  text(deep(page, '[role="status"][aria-live]'));

export const menuButton = (page: GuestPage, itemId: string): HTMLButtonElement | null =>
  maybe(page, 'hearth-guest-menu')?.shadowRoot?.querySelector<HTMLButtonElement>(
    `button[data-item="${itemId}"]`,
  ) ?? null;

/** Opens a dish's sheet from the menu and waits for it. */
export async function openItem(page: GuestPage, itemId: string): Promise<HTMLDialogElement> {
  await waitFor(`the menu's ${itemId}`, () => menuButton(page, itemId) !== null);
  menuButton(page, itemId)?.click();
  await waitFor(
    'the item sheet',
    () =>
      maybe<HTMLDialogElement>(page, 'hearth-item-sheet')?.shadowRoot?.querySelector('dialog')
        ?.open === true,
  );
  return deep<HTMLDialogElement>(page, 'dialog');
}

/** The sheet's Add button. */
export const addButton = (page: GuestPage) => deep<HTMLButtonElement>(page, 'button.add');

/** Adds a dish with no required choice from the menu. */
export async function addItem(page: GuestPage, itemId: string): Promise<void> {
  await openItem(page, itemId);
  addButton(page).click();
  await settle(page);
}

export const basketLines = (page: GuestPage): HTMLElement[] => {
  const basket = maybe(page, 'hearth-guest-basket');
  return basket ? deepAll(basket, 'li.line') : [];
};

export const placeButton = (page: GuestPage) => deep<HTMLButtonElement>(page, 'button.place');
