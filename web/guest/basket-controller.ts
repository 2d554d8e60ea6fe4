import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { BroadcastSource } from '../app/broadcast-source.ts';
import type { NetworkStatus } from '../app/network-status.ts';
import type { NewId, TrackedOp } from '../app/op-controller.ts';
import type { OpState, OutboxReader } from '../app/outbox-reader.ts';
import {
  addLine,
  type BasketLine,
  type BasketStorage,
  dismissNotice,
  EMPTY_BASKET,
  type PlacedOrder,
  placeBasket,
  removeLine,
  returnPlaced,
  setQuantity,
  settlePlaced,
  type TableBasket,
  withOpId,
} from './basket.ts';
import type { BasketView } from './basket-pricing.ts';
import type { GuestData } from './guest-data.ts';
import type { GuestPrincipal } from './guest-entry.ts';
import type { GuestRules } from './guest-rules.ts';
import { refusalNotice } from './order-advice.ts';
import { detailsOf, orderedLineIds, type PlacedPhase, placedPhaseOf } from './order-status.ts';

/*
 * The guest's basket and the orders this phone placed, kept on the phone (basket.ts) per venue
 * and table. Place sends one `order.create` through the outbox (OpController): online it goes
 * at once, offline it waits there and goes when the phone is back. Each placed order follows
 * its op in the outbox until the table's tab shows its lines; a refused one comes back to the
 * basket with the reason, never dropped.
 */

export interface BasketDeps {
  readonly venueId: string;
  readonly storage: BasketStorage;
  readonly principal: () => GuestPrincipal | undefined;
  /** The local view as the guest reads it, when read. */
  readonly data: () => GuestData | undefined;
  /** The protocol half of the screen, once loaded. */
  readonly rules: () => GuestRules | undefined;
  /** OpController.submit: makes the op and sends it through the outbox. */
  readonly submit: (
    label: string,
    type: 'order.create',
    payload: (newId: NewId) => unknown,
  ) => Promise<TrackedOp | undefined>;
  /** OpController.retry, for an op it tracks. */
  readonly retry: (opId: string) => Promise<void>;
  /** The op as OpController tracks it (this page made it). */
  readonly tracked: (opId: string) => TrackedOp | undefined;
  /** Why the last op could not be made (OpController.error). */
  readonly makeError: () => string | undefined;
  readonly outbox: OutboxReader;
  readonly broadcasts: BroadcastSource;
  readonly network: NetworkStatus;
  /** The device has no connection (the resilience view says offline). */
  readonly offline: () => boolean;
  readonly announce: (text: string) => void;
  readonly clock: () => number;
}

type Known = OpState | { readonly status: 'sending' } | 'unknown';

export interface PlacedView {
  readonly key: string;
  readonly lines: readonly {
    readonly name: string;
    readonly quantity: number;
    readonly details: string;
  }[];
  readonly phase: PlacedPhase;
  readonly words: string;
  /** Send it again now (the connection dropped, and this page still holds the op). */
  readonly canRetry: boolean;
  /** Take its lines back into the basket (its fate is unknown, or it keeps failing). */
  readonly canPutBack: boolean;
}

const stateOfTracked = (t: TrackedOp): Known => {
  const { status, detail, code, final, waiting } = t;
  return {
    status,
    ...(detail === undefined ? {} : { detail }),
    ...(code === undefined ? {} : { code }),
    ...(final === undefined ? {} : { final }),
    ...(waiting === undefined ? {} : { waiting }),
  } as Known;
};

const isSent = (k: Known | undefined): boolean =>
  k !== undefined && k !== 'unknown' && (k.status === 'synced' || k.status === 'delivered_local');

export class BasketController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #deps: BasketDeps;
  #key: string | undefined;
  #basket: TableBasket = EMPTY_BASKET;
  /** Each placed order's op state, by its key; absent while it is being read. */
  readonly #known = new Map<string, Known>();
  #placing = false;
  #stops: (() => void)[] = [];

  constructor(host: ReactiveControllerHost, deps: BasketDeps) {
    this.#host = host;
    this.#deps = deps;
    host.addController(this);
  }

  get basket(): TableBasket {
    this.#load();
    return this.#basket;
  }

  /** An order is being made and handed to the outbox. */
  get placing(): boolean {
    return this.#placing;
  }

  hostConnected(): void {
    this.#stops = [
      this.#deps.broadcasts.subscribe((message) => {
        if (message.type === 'outbox-changed') void this.#refresh();
      }),
      this.#deps.network.subscribe((online) => {
        if (online) void this.#retryDropped();
        this.#host.requestUpdate();
      }),
    ];
    this.#load();
    void this.#refresh();
  }

  hostDisconnected(): void {
    for (const stop of this.#stops) stop();
    this.#stops = [];
  }

  /** Before each render: placed orders the table's tab now shows are done here. */
  hostUpdate(): void {
    this.#load();
    const data = this.#deps.data();
    if (data && this.#basket.placed.length > 0) {
      const settled = settlePlaced(this.#basket, orderedLineIds(data));
      if (settled !== this.#basket) this.#save(settled, false);
    }
  }

  /** The basket priced, once the menu and the protocol are on the phone. */
  view(): BasketView | undefined {
    const data = this.#deps.data();
    const rules = this.#deps.rules();
    if (!data?.settings || !data.money || !rules) return undefined;
    return rules.basketViewOf(this.basket.lines, {
      entities: rules.menuEntitiesOf(data.items, data.modifierById.values()),
      settings: data.settings,
      itemById: data.itemById,
      modifierById: data.modifierById,
      money: data.money,
      lineNotes: rules.orderingOf(data.settings).lineNotes,
    });
  }

  /** The orders placed here that the tab does not show yet, with where each stands. */
  placedViews(): PlacedView[] {
    const data = this.#deps.data();
    const offline = this.#deps.offline() || !this.#deps.network.online();
    return this.basket.placed.map((placed) => {
      const known = this.#known.get(placed.key);
      // Not read yet: it is on its way to the outbox, or being read from it.
      const state = known === 'unknown' ? undefined : (known ?? { status: 'sending' as const });
      const { phase, words } = placedPhaseOf(state, offline);
      const held = placed.opId ? this.#deps.tracked(placed.opId) : undefined;
      return {
        key: placed.key,
        lines: placed.lines.map((line) => {
          const item = data?.itemById.get(line.itemId);
          return {
            name: item?.name ?? line.name,
            quantity: line.quantity,
            details: detailsOf(
              line.modifierIds.flatMap((id) => data?.modifierById.get(id)?.name ?? []),
              line.note,
            ),
          };
        }),
        phase,
        words,
        canRetry: phase === 'retrying' && held !== undefined,
        canPutBack: phase === 'unknown' || (phase === 'retrying' && held === undefined),
      };
    });
  }

  add(line: BasketLine): void {
    const before = this.basket;
    const after = addLine(before, line);
    if (after === before) {
      this.#deps.announce('Your basket is full — place this order first');
      return;
    }
    this.#save(after);
    this.#deps.announce(`Added ${line.quantity} × ${line.name} to your basket`);
  }

  setQuantity(lineId: string, quantity: number): void {
    const line = this.basket.lines.find((l) => l.lineId === lineId);
    if (!line) return;
    this.#save(setQuantity(this.basket, lineId, quantity));
    this.#deps.announce(
      quantity < 1
        ? `Removed ${this.#nameOf(line)} from your basket`
        : `${this.#nameOf(line)}: ${Math.min(quantity, 99)} in your basket`,
    );
  }

  remove(lineId: string): void {
    const line = this.basket.lines.find((l) => l.lineId === lineId);
    if (!line) return;
    this.#save(removeLine(this.basket, lineId));
    this.#deps.announce(`Removed ${this.#nameOf(line)} from your basket`);
  }

  dismissNotice(): void {
    this.#save(dismissNotice(this.basket));
  }

  /** Sends the basket as one order; true once it is made and handed to the outbox. */
  async place(): Promise<boolean> {
    const principal = this.#deps.principal();
    const rules = this.#deps.rules();
    const view = this.view();
    if (!principal || !rules || !view || this.#placing) return false;
    if (!view.canPlace) {
      this.#deps.announce(view.blocked ?? 'This order can’t be placed yet');
      return false;
    }
    const lines = this.basket.lines;
    const key = rules.newId();
    this.#save(placeBasket(this.basket, key, this.#deps.clock()));
    this.#known.set(key, { status: 'sending' });
    this.#placing = true;
    this.#deps.announce('Sending your order…');
    let tracked: TrackedOp | undefined;
    try {
      tracked = await this.#deps.submit('Your order', 'order.create', (newId) => ({
        orderId: newId(),
        tableId: principal.tableId,
        guestCount: 0,
        lines: lines.map(rules.inputOf),
      }));
    } finally {
      this.#placing = false;
    }
    if (!tracked) {
      const why = this.#deps.makeError() ?? 'it could not be made on this phone';
      this.#returnLines(key, `Your order wasn’t sent: ${why}. Try again, or ask a member of staff`);
      return false;
    }
    this.#save(withOpId(this.basket, key, tracked.opId));
    this.#apply(key, stateOfTracked(tracked));
    // The outbox may have moved on while the answer was on its way.
    void this.#refresh();
    return this.#placed(key) !== undefined;
  }

  /** Try again for a placed order whose send failed without a decision. */
  async retry(key: string): Promise<void> {
    const placed = this.#placed(key);
    if (!placed?.opId || !this.#deps.tracked(placed.opId)) return;
    this.#known.set(key, { status: 'sending' });
    this.#host.requestUpdate();
    await this.#deps.retry(placed.opId);
    const tracked = this.#deps.tracked(placed.opId);
    if (tracked) this.#apply(key, stateOfTracked(tracked));
  }

  /** A placed order whose fate is unknown goes back to the basket, to be sent again. */
  putBack(key: string): void {
    this.#returnLines(key, 'Your order is back in your basket — send it again when you’re ready');
  }

  #placed(key: string): PlacedOrder | undefined {
    return this.basket.placed.find((p) => p.key === key);
  }

  #nameOf(line: BasketLine): string {
    return this.#deps.data()?.itemById.get(line.itemId)?.name ?? line.name;
  }

  /** Takes a state for a placed order: a final refusal returns its lines; news is announced. */
  #apply(key: string, next: Known): void {
    const placed = this.#placed(key);
    if (!placed) return;
    if (next !== 'unknown' && next.status === 'failed' && next.final) {
      const data = this.#deps.data();
      const notice = refusalNotice(
        {
          ...(next.code ? { code: next.code } : {}),
          ...(next.detail ? { detail: next.detail } : {}),
        },
        placed.lines,
        data ?? { itemById: new Map(), modifierById: new Map() },
      );
      this.#returnLines(key, notice);
      return;
    }
    const before = this.#known.get(key);
    this.#known.set(key, next);
    this.#host.requestUpdate();
    if (next === 'unknown' || before === undefined || sameKnown(before, next)) return;
    const offline = this.#deps.offline() || !this.#deps.network.online();
    if (isSent(next) && !isSent(before)) this.#deps.announce('Order sent');
    else if (next.status === 'pending' && offline)
      this.#deps.announce('Order saved — will send when you’re back online');
    else if (next.status === 'failed')
      this.#deps.announce(
        offline
          ? 'Order saved — will send when you’re back online'
          : 'Your order didn’t go — try again',
      );
  }

  #returnLines(key: string, notice: string): void {
    const data = this.#deps.data();
    this.#known.delete(key);
    this.#save(returnPlaced(this.basket, key, notice, data ? orderedLineIds(data) : new Set()));
    this.#deps.announce(notice);
  }

  /** Reads each placed order's op from the outbox (or this page's own send, with no worker). */
  async #refresh(): Promise<void> {
    const placed = this.basket.placed.filter((p) => p.opId !== undefined);
    await Promise.all(
      placed.map(async ({ key, opId }) => {
        if (!opId) return;
        const held = await this.#deps.outbox.stateOf(opId).catch(() => undefined);
        const tracked = this.#deps.tracked(opId);
        this.#apply(key, held ?? (tracked ? stateOfTracked(tracked) : 'unknown'));
      }),
    );
    for (const p of this.basket.placed)
      if (!p.opId && !this.#placing && !this.#known.has(p.key)) this.#known.set(p.key, 'unknown');
    this.#host.requestUpdate();
  }

  /** Back online: a send that failed for want of a connection (no worker) goes again. */
  async #retryDropped(): Promise<void> {
    for (const placed of this.basket.placed) {
      const known = this.#known.get(placed.key);
      if (known !== undefined && known !== 'unknown' && known.status === 'failed')
        await this.retry(placed.key);
    }
  }

  /** Reads the basket of the signed-in table the first time it is asked for. */
  #load(): void {
    const principal = this.#deps.principal();
    const key = principal ? `${this.#deps.venueId}:${principal.tableId}` : undefined;
    if (key === this.#key) return;
    this.#key = key;
    this.#known.clear();
    this.#basket = principal
      ? this.#deps.storage.load(this.#deps.venueId, principal.tableId)
      : EMPTY_BASKET;
    if (principal && this.#basket.placed.length > 0) void this.#refresh();
  }

  #save(basket: TableBasket, update = true): void {
    this.#basket = basket;
    const principal = this.#deps.principal();
    if (principal) this.#deps.storage.save(this.#deps.venueId, principal.tableId, basket);
    if (update) this.#host.requestUpdate();
  }
}

function sameKnown(a: Known, b: Known): boolean {
  if (a === 'unknown' || b === 'unknown') return a === b;
  return a.status === b.status;
}
