import type { ReactiveController, ReactiveControllerHost } from 'lit';

// Where the floor app is: one of its views, and for a table the table (and the order this
// device opened there). Kept in the URL's hash, so a reload, the back button and a shared
// tablet's next person land where the last one was.

export const FLOOR_VIEWS = [
  'floor',
  'table',
  'requests',
  'kitchen',
  'menu',
  'team',
  'qr',
  'devices',
  'payments',
  'sync',
  'drawer',
] as const;
export type FloorView = (typeof FLOOR_VIEWS)[number];

export interface FloorRoute {
  readonly view: FloorView;
  /** The open table, for the 'table' view. */
  readonly tableId?: string;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The route a hash names (`#table/t5`, `#requests`); the floor plan for anything else. */
export function parseRoute(hash: string): FloorRoute {
  const [view, id] = hash.replace(/^#\/?/, '').split('/');
  if (view === 'table') return id && ID.test(id) ? { view, tableId: id } : { view: 'floor' };
  return FLOOR_VIEWS.includes(view as FloorView) ? { view: view as FloorView } : { view: 'floor' };
}

export function routeHash(route: FloorRoute): string {
  return route.view === 'table' && route.tableId ? `#table/${route.tableId}` : `#${route.view}`;
}

/** The views only a manager or owner sees. */
const MANAGER_VIEWS: readonly FloorView[] = ['team', 'qr', 'devices', 'payments'];

/** Which views a role sees: the team, the QR sheet, the devices and payments are a manager's. */
export function viewsFor(role: string | undefined): readonly FloorView[] {
  const manager = role === 'manager' || role === 'owner';
  return FLOOR_VIEWS.filter((v) => v !== 'table' && (manager || !MANAGER_VIEWS.includes(v)));
}

/** The route from `location.hash`, updated on `hashchange`; `go` pushes a history entry. */
export class FloorNavController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  #route: FloorRoute = parseRoute(location.hash);
  readonly #onHash = () => {
    this.#route = parseRoute(location.hash);
    this.#host.requestUpdate();
  };

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  get route(): FloorRoute {
    return this.#route;
  }

  go(route: FloorRoute): void {
    this.#route = route;
    const hash = routeHash(route);
    if (location.hash !== hash) history.pushState(null, '', hash);
    this.#host.requestUpdate();
  }

  hostConnected(): void {
    window.addEventListener('hashchange', this.#onHash);
    window.addEventListener('popstate', this.#onHash);
  }

  hostDisconnected(): void {
    window.removeEventListener('hashchange', this.#onHash);
    window.removeEventListener('popstate', this.#onHash);
  }
}
