import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Drawer, Order, PaymentRecord, Refund } from '#protocol';
import type { LocalSnapshot } from '../app/local-view-controller.ts';
import type { ItemBadge } from '../device/local-overlay.ts';

// What paying a check and the cash drawer read from the page, in one object: the payments,
// refunds and drawers of the local view (scope `payment`) with their sync marks, this install's
// deviceId (whose drawer is "this tablet's"), the card route's fetch, and the checks paid here
// that stay on their table until the server starts the next one. Types only: first paint.

/** An entity of the local view with its sync mark. */
export interface Marked<T> {
  readonly entity: T;
  readonly badge: ItemBadge;
}

/** `fetch` as the card route is called (tests give a stub). */
export type CardFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface PayContext {
  readonly venueId: string;
  /** This install's deviceId; undefined until read from the cache. */
  readonly deviceId: string | undefined;
  readonly payments: readonly Marked<PaymentRecord>[];
  readonly refunds: readonly Refund[];
  readonly drawers: readonly Marked<Drawer>[];
  readonly fetcher: CardFetch;
  /** Whether the service worker controls the page (`/api/…`) or not yet (`/v1/…`). */
  readonly controlled: () => boolean;
  /** Keeps a check paid here on its table (closed orders leave the table otherwise). */
  readonly keep: (tableId: string, orderId: string) => void;
  /** The table is done with its paid check: the pad starts a new one. */
  readonly forget: (tableId: string) => void;
}

/** This device's open drawer, if it has one. */
export function openDrawerOf(
  drawers: readonly Marked<Drawer>[],
  deviceId: string | undefined,
): Marked<Drawer> | undefined {
  if (!deviceId) return undefined;
  return drawers.find((d) => d.entity.deviceId === deviceId && d.entity.status === 'open');
}

/** A paid check stays on its table this long after it was paid here. */
const KEEP_MS = 30 * 60_000;

export interface PayContextDeps {
  readonly device: { deviceId(): Promise<string> };
  readonly fetch: typeof fetch;
  readonly serviceWorker: { controlled(): boolean };
  readonly clock?: () => number;
}

/** The floor page's pay context: read once per local-view snapshot. */
export class PayContextController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #deps: PayContextDeps;
  #deviceId: string | undefined;
  #memo: { snapshot: LocalSnapshot; venueId: string; context: PayContext } | undefined;
  readonly #kept = new Map<string, { orderId: string; at: number }>();

  constructor(host: ReactiveControllerHost, deps: PayContextDeps) {
    this.#host = host;
    this.#deps = deps;
    host.addController(this);
  }

  hostConnected(): void {
    if (this.#deviceId) return;
    this.#deps.device.deviceId().then(
      (id) => {
        this.#deviceId = id;
        this.#memo = undefined;
        this.#host.requestUpdate();
      },
      (error: unknown) => console.warn('pay: this device’s id could not be read', error),
    );
  }

  #now(): number {
    return (this.#deps.clock ?? Date.now)();
  }

  /** The context for this snapshot (the same object until the snapshot or the device changes). */
  contextOf(snapshot: LocalSnapshot, venueId: string): PayContext {
    const memo = this.#memo;
    if (memo && memo.snapshot === snapshot && memo.venueId === venueId) return memo.context;
    const context: PayContext = {
      venueId,
      deviceId: this.#deviceId,
      payments: snapshot.items('payment'),
      refunds: snapshot.items('refund').map(({ entity }) => entity),
      drawers: snapshot.items('drawer'),
      fetcher: (url, init) => this.#deps.fetch(url, init),
      controlled: () => this.#deps.serviceWorker.controlled(),
      keep: (tableId, orderId) => {
        this.#kept.set(tableId, { orderId, at: this.#now() });
      },
      forget: (tableId) => {
        this.#kept.delete(tableId);
        this.#host.requestUpdate();
      },
    };
    this.#memo = { snapshot, venueId, context };
    return context;
  }

  /** The check paid here that still shows on the table, once closed (else none). */
  keptOrder(orders: readonly Order[], tableId: string): Order | undefined {
    const kept = this.#kept.get(tableId);
    if (!kept) return undefined;
    if (this.#now() - kept.at > KEEP_MS) {
      this.#kept.delete(tableId);
      return undefined;
    }
    const order = orders.find((o) => o.id === kept.orderId);
    return order?.status === 'closed' && order.tableId === tableId ? order : undefined;
  }
}
