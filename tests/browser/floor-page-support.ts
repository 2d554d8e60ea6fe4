import type { EntityKind, Operation, Principal, TeamMember } from '#protocol';
import type { AppServices } from '../../web/app/app-services.ts';
import { broadcastChannelSource } from '../../web/app/broadcast-source.ts';
import type { HeldOutbox } from '../../web/app/held-outbox.ts';
import type { LocalSnapshot, LocalViewSource } from '../../web/app/local-view-controller.ts';
import { alwaysVisible } from '../../web/app/page-visibility.ts';
import { SessionStore } from '../../web/app/session-store.ts';
import type { OutboxEntry } from '../../web/device/outbox-types.ts';
import '../../web/floor/floor-page.ts';
import type { FloorPage } from '../../web/floor/floor-page.ts';
import { waitFor } from '../support/wait-for.ts';
import { section, table } from '../web/floor-fixtures.ts';
import { type Entities, menuEntities, snapshotOf, VENUE_ID } from '../web/guest-fixtures.ts';

// Mounts <hearth-floor-page> in Chromium with small in-memory adapters of its own ports: a
// fetch that answers staff sign-in by PIN and ops as the service worker would (202, queued), a
// local view fed the test's entities, and an outbox the test fills with other people's ops.

const member = (id: string, name: string, role: TeamMember['role']): TeamMember => ({
  id,
  name,
  role,
  sectionId: null,
  active: true,
  version: 1,
});

export const SAM = member('member-sam', 'Sam', 'server');
export const MIA = member('member-mia', 'Mia', 'manager');

/** PIN → who it signs in. */
const PINS: Record<string, TeamMember> = { '1111': SAM, '3333': MIA };

const staff = (m: TeamMember): Principal => ({
  kind: 'staff',
  tenantId: 'demo',
  venueId: VENUE_ID,
  actorId: m.id,
  role: m.role,
});

export interface FloorWorld {
  entities: Entities;
  saved: Principal | undefined;
  readonly ops: Operation[];
  /** The device's outbox as the held-ops list reads it. */
  outbox: OutboxEntry[];
  readonly discarded: string[][];
  /** What `GET …/resilience` answers (a manager's Sync view asks). */
  report: unknown;
  /** Messages the page posted to the service worker. */
  readonly posted: unknown[];
  readonly channel: string;
  readonly views: Set<(snapshot: LocalSnapshot) => void>;
}

export function floorEntities(): Entities {
  const tables = ['1', '2', '3', '4'].map((label) => table(label));
  return {
    ...menuEntities(),
    table: tables,
    teamMember: [SAM, MIA],
    teamSection: [
      section(
        'section-main',
        'Main room',
        tables.map((t) => t.id),
      ),
    ],
  };
}

export function floorWorld(patch: Partial<FloorWorld> = {}): FloorWorld {
  return {
    entities: floorEntities(),
    saved: undefined,
    ops: [],
    outbox: [],
    discarded: [],
    report: undefined,
    posted: [],
    channel: `hearth-floor-test-${crypto.randomUUID()}`,
    views: new Set(),
    ...patch,
  };
}

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** An op another person queued on this device, still waiting to be sent. */
export function queuedBy(actorId: string, seq: number): OutboxEntry {
  return {
    seq,
    opId: `01JQ0000000000000000000${seq.toString().padStart(3, '0')}`,
    op: { actorId } as OutboxEntry['op'],
    lane: 'default',
    status: 'pending',
    tries: 0,
    nextAttemptAt: 0,
    lastError: null,
    result: null,
    createdAt: Date.now() - 5 * 60_000,
    settledAt: null,
  };
}

function services(w: FloorWorld): AppServices {
  const fetchFake: typeof fetch = async (input, init) => {
    const url = String(input);
    const body: unknown = init?.body ? JSON.parse(String(init.body)) : undefined;
    if (url.endsWith('/v1/auth/staff')) {
      const who = PINS[(body as { pin: string }).pin];
      return who
        ? json(200, {
            token: 'SECRET',
            expiresAt: '2026-12-07T02:00:00.000Z',
            principal: staff(who),
          })
        : json(401, { title: 'Wrong PIN', status: 401, kind: 'fix', code: 'UNAUTHENTICATED' });
    }
    if (url.endsWith(`/v1/venues/${VENUE_ID}/resilience`))
      return w.report ? json(200, w.report) : json(403, { title: 'Forbidden', status: 403 });
    if (url.endsWith('/v1/auth/logout')) return new Response(null, { status: 204 });
    if (url.endsWith(`/v1/venues/${VENUE_ID}/ops`)) {
      const op = body as Operation;
      w.ops.push(op);
      return json(202, { op, status: 'pending' });
    }
    return json(404, { title: 'Not found' });
  };
  return {
    venueId: VENUE_ID,
    clock: () => Date.now(),
    fetch: fetchFake,
    broadcasts: broadcastChannelSource(w.channel),
    network: { online: () => true, subscribe: () => () => undefined },
    visibility: alwaysVisible,
    serviceWorker: {
      controlled: () => true,
      post: (message) => {
        w.posted.push(message);
        return true;
      },
    },
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
      summary: async () => ({ depth: 0, oldestPendingAt: null, failedOps: 0 }),
      stateOf: async () => ({ status: 'pending' }),
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

function heldOutbox(w: FloorWorld): HeldOutbox {
  return {
    entries: async () => w.outbox,
    discardHeld: async (opIds) => {
      w.discarded.push([...opIds]);
      w.outbox = w.outbox.filter((e) => !opIds.includes(e.opId));
      return opIds.length;
    },
  };
}

export function mountFloor(w: FloorWorld, width = 1280): FloorPage {
  const frame = document.createElement('main');
  frame.className = 'floor-page-frame';
  frame.setAttribute('style', `width:${width}px;font-family:system-ui,sans-serif;font-size:16px;`);
  document.body.append(frame);
  const page = document.createElement('hearth-floor-page');
  page.services = services(w);
  page.heldOutbox = heldOutbox(w);
  frame.append(page);
  return page;
}

export function unmountFloorPage(): void {
  for (const frame of document.querySelectorAll('.floor-page-frame')) frame.remove();
  history.replaceState(null, '', location.pathname + location.search);
}

/**
 * The first element matching `selector` anywhere under the page's shadow roots; `a >> b` finds
 * `b` inside the shadow root of the first `a` (panels keep their markup in their own roots).
 */
export function deep<E extends Element = HTMLElement>(root: Element, selector: string): E | null {
  const [first, ...rest] = selector.split(' >> ');
  const found = search(root, first ?? selector);
  if (!found || rest.length === 0) return found as E | null;
  return deep<E>(found, rest.join(' >> '));
}

function search(root: Element, selector: string): Element | null {
  const direct = root.shadowRoot?.querySelector(selector);
  if (direct) return direct;
  for (const el of root.shadowRoot?.querySelectorAll('*') ?? []) {
    if (el.shadowRoot) {
      const found = search(el, selector);
      if (found) return found;
    }
  }
  return null;
}

export async function typePin(page: FloorPage, pin: string): Promise<void> {
  for (const digit of pin) {
    const key = await waitFor(`key ${digit}`, () =>
      deep<HTMLButtonElement>(page, `hearth-pin-pad >> [data-key="${digit}"]`),
    );
    key.click();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  (
    await waitFor('sign in', () =>
      deep<HTMLButtonElement>(page, 'hearth-pin-pad >> [data-sign-in]'),
    )
  ).click();
}
