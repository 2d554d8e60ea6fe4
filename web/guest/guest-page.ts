import { html, LitElement, nothing } from 'lit';
import { type AppServices, appServices } from '../app/app-services.ts';
import { INITIAL, PENDING } from '../app/async-status.ts';
import { CacheSyncController } from '../app/cache-sync-controller.ts';
import { type LocalSnapshot, LocalViewController } from '../app/local-view-controller.ts';
import { OpController } from '../app/op-controller.ts';
import '../app/resilience-banner.ts';
import { ResilienceController } from '../app/resilience-controller.ts';
import { SessionController, type SignInInput } from '../app/session-controller.ts';
import { Announcer } from './announcer.ts';
import { browserBasketStorage } from './basket.ts';
import { BasketController } from './basket-controller.ts';
import { GUEST_KINDS, type GuestData, guestDataOf, menuSectionsOf } from './guest-data.ts';
import {
  browserTableMemory,
  type GuestEntry,
  GuestEntryController,
  type GuestPrincipal,
} from './guest-entry.ts';
import './guest-basket.ts';
import type { GuestBasket, QuantityChange } from './guest-basket.ts';
import './guest-menu.ts';
import type { GuestRules } from './guest-rules.ts';
import './guest-status.ts';
import { guestPageStyles } from './guest-page-styles.ts';
import type { GuestStatus } from './guest-status.ts';
import { guestStyles } from './guest-styles.ts';
import './item-sheet.ts';
import type { SheetToggle } from './item-sheet.ts';
import { ItemSheetController } from './item-sheet-controller.ts';
import { type MenuCopy, readMenuCopy, writeMenuCopy } from './menu-copy.ts';
import { type LineStage, stageNews, stagesOf, tableStatusOf } from './order-status.ts';

/** The table label the QR code's URL carries (`/guest/?venue=demo-bistro&table=5`). */
export const tableOfPage = (location: Location = window.location): string | null =>
  new URLSearchParams(location.search).get('table')?.trim() || null;

/** The page's controllers, built on first connection. */
interface Parts {
  readonly services: AppServices;
  readonly ops: OpController;
  readonly session: SessionController;
  readonly entry: GuestEntryController;
  readonly resilience: ResilienceController;
  readonly sync: CacheSyncController;
  readonly view: LocalViewController;
  readonly announcer: Announcer;
  readonly basket: BasketController;
  readonly sheet: ItemSheetController;
}

/*
 * <hearth-guest-page>: a diner at their table, on their own phone. The QR code's URL signs them
 * in; the menu, their table's orders and tickets come from the local view (live from the feed,
 * and there offline); the basket stays on the phone; an order goes through the outbox, so it is
 * kept offline and sent when the phone is back. What the protocol must decide (prices, modifier
 * rules) loads after the first paint, with the zod schemas (guest-rules.ts).
 */
export class GuestPage extends LitElement {
  static override properties = {
    services: { attribute: false },
    table: { attribute: false },
    storage: { attribute: false },
  };

  /** The page's services; `appServices()` when not given (tests give their own). */
  declare services: AppServices | undefined;
  /** The table label; the URL's when not given. */
  declare table: string | null | undefined;
  /** Where the basket and the table's label are kept; localStorage when not given. */
  declare storage: Storage | undefined;

  #parts: Parts | undefined;
  #rules: GuestRules | undefined;
  #memo: { snapshot: LocalSnapshot; tableId: string | undefined; data: GuestData } | undefined;
  #stages: Map<string, LineStage> | undefined;
  /** The basket is on screen: the "View basket" bar would only cover it. */
  #basketSeen = false;
  #menuMarked = false;
  /** The menu as this phone last showed it: painted until the live one is read. */
  #copy: MenuCopy | undefined;
  /** The live menu last rendered, and the one last kept as the copy. */
  #shown: MenuCopy | undefined;
  #kept: MenuCopy | undefined;
  #watcher: { readonly target: Element; readonly observer: IntersectionObserver } | undefined;

  static override styles = [guestStyles, guestPageStyles];

  override connectedCallback(): void {
    const services = this.services ?? appServices();
    this.#copy ??= readMenuCopy(this.storage ?? window.localStorage, services.venueId);
    super.connectedCallback();
    // A reopened page paints the menu it kept first; the controllers (session, IndexedDB copy,
    // feed), the protocol's code and the sections below the menu start after that first frame,
    // so nothing they load stands between the guest and the menu. Controllers are built on
    // first connection, so a test can hand the page its services.
    const rest = () => {
      this.#parts ??= this.#build(services);
      this.requestUpdate();
      this.#loadTheRest();
    };
    if (this.#copy && !this.#parts) requestAnimationFrame(() => setTimeout(rest, 0));
    else {
      this.#parts ??= this.#build(services);
      requestAnimationFrame(() => setTimeout(() => this.#loadTheRest(), 0));
    }
  }

  #loadTheRest(): void {
    // The form for typing a table number: only a page opened without a table needs it.
    void import('../app/sign-in-form.ts');
    void import('./guest-calls.ts');
    void import('./booking-form.ts');
    void import('./guest-pay.ts');
    if (this.#rules) return;
    void import('./guest-rules.ts').then(
      (rules) => {
        this.#rules = rules;
        this.requestUpdate();
      },
      (error: unknown) => console.error('the ordering rules could not load', error),
    );
  }

  #build(services: AppServices): Parts {
    const storage = this.storage ?? window.localStorage;
    const table = this.table === undefined ? tableOfPage() : this.table;
    const session = new SessionController(this, {
      ...services,
      accepts: (principal) => principal.kind === 'guest',
    });
    const entry = new GuestEntryController(this, {
      venueId: services.venueId,
      table,
      session,
      memory: browserTableMemory(storage),
      network: services.network,
    });
    const resilience = new ResilienceController(this, services);
    const sync = new CacheSyncController(this, { ...services, scopes: [] });
    const view = new LocalViewController(this, { ...services, kinds: GUEST_KINDS });
    const ops = new OpController(this, services);
    const announcer = new Announcer(this);
    const principal = (): GuestPrincipal | undefined => {
      const e = entry.entry;
      return e.kind === 'signed_in' ? e.principal : undefined;
    };
    const data = () => this.#data(view, principal());
    const rules = () => this.#rules;
    const basket = new BasketController(this, {
      venueId: services.venueId,
      storage: browserBasketStorage(storage),
      principal,
      data,
      rules,
      submit: (label, type, payload) => ops.submit(label, type, payload),
      retry: (opId) => ops.retry(opId),
      tracked: (opId) => ops.ops.find((op) => op.opId === opId),
      makeError: () => ops.error,
      outbox: services.outbox,
      broadcasts: services.broadcasts,
      network: services.network,
      offline: () => resilience.view.mode === 'offline',
      announce: (text) => announcer.say(text),
      clock: services.clock,
    });
    const sheet = new ItemSheetController(this, {
      data,
      rules,
      add: (line) => basket.add(line),
    });
    return { services, ops, session, entry, resilience, sync, view, announcer, basket, sheet };
  }

  /** The local view as this table reads it, once per snapshot. */
  #data(view: LocalViewController, principal: GuestPrincipal | undefined): GuestData | undefined {
    const status = view.status;
    if (status.status !== 'complete') return undefined;
    const tableId = principal?.tableId;
    const memo = this.#memo;
    if (memo?.snapshot === status.value && memo.tableId === tableId) return memo.data;
    const data = guestDataOf(status.value, tableId);
    this.#memo = { snapshot: status.value, tableId, data };
    return data;
  }

  override render() {
    const parts = this.#parts;
    if (!parts) return this.#copy ? this.#firstFrame(this.#copy) : nothing;
    const entry = parts.entry.entry;
    const data = this.#data(parts.view, entry.kind === 'signed_in' ? entry.principal : undefined);
    const table = entry.kind === 'no_table' ? null : entry.table;
    return html`<header>
        <h1>${data?.venue?.name ?? this.#copy?.venueName ?? 'Your table'}</h1>
        ${table ? html`<p>Table ${table}</p>` : nothing}
      </header>
      <hearth-resilience-banner .view=${parts.resilience.view}></hearth-resilience-banner>
      ${entry.kind === 'signed_in' ? this.#ordering(data) : this.#entry(entry)}
      ${entry.kind === 'opening' && this.#copy ? this.#copiedMenu(this.#copy) : nothing}
      <p class="sr-only" role="status" aria-live="polite" aria-atomic="true">
        ${parts.announcer.text}
      </p>`;
  }

  #entry(entry: Exclude<GuestEntry, { kind: 'signed_in' }>) {
    const parts = this.#parts;
    if (!parts) return nothing;
    // The form shows only its own progress: the refusal is said above it, in words.
    const pending = parts.session.status.status === 'pending';
    const form = html`<hearth-sign-in-form
      mode="guest"
      .status=${pending ? PENDING : INITIAL}
      @hearth-sign-in=${(e: CustomEvent<SignInInput>) => {
        if (e.detail.kind === 'guest') void parts.entry.signIn(e.detail.table);
      }}
    ></hearth-sign-in-form>`;
    const retry = (table: string) => html`<button
      type="button"
      class="primary"
      @click=${() => void parts.entry.signIn(table)}
    >
      Try again
    </button>`;
    switch (entry.kind) {
      case 'opening':
        return html`<section class="panel" aria-busy="true">
          <p>${entry.table ? `Opening table ${entry.table}…` : 'Opening your table…'}</p>
        </section>`;
      case 'no_table':
        return html`<section class="panel" aria-labelledby="entry-title">
          <h2 id="entry-title">Which table are you at?</h2>
          <p>
            Scan the QR code on your table with your phone’s camera: it opens this page for your
            table. Or type the table number printed on the card.
          </p>
          ${form}
        </section>`;
      case 'not_found':
        return html`<section class="panel alert" role="alert" aria-labelledby="entry-title">
          <h2 id="entry-title">We can’t find this table</h2>
          <p>
            This QR code is for a table we can’t find (table “${entry.table}”). Please ask a member
            of staff — they can give you the right code. Or type the number on your table’s card.
          </p>
          ${form}
        </section>`;
      case 'offline':
        return html`<section class="panel alert" role="alert" aria-labelledby="entry-title">
          <h2 id="entry-title">You’re offline</h2>
          <p>
            We couldn’t reach the restaurant to open table ${entry.table}. Check your Wi-Fi or
            mobile data — we’ll try again as soon as you’re back online.
          </p>
          ${retry(entry.table)}
        </section>`;
      case 'failed':
        return html`<section class="panel alert" role="alert" aria-labelledby="entry-title">
          <h2 id="entry-title">Your table couldn’t be opened</h2>
          <p>${entry.message}. Try again, or ask a member of staff.</p>
          ${retry(entry.table)}
        </section>`;
    }
  }

  #ordering(data: GuestData | undefined) {
    const parts = this.#parts;
    if (!parts) return nothing;
    const { basket, sheet } = parts;
    const rules = this.#rules;
    const placed = basket.placedViews();
    const orders =
      data && rules && data.settings
        ? tableStatusOf(data.orders, data.tickets, {
            approval: rules.orderingOf(data.settings).approval,
            money: data.money,
          })
        : [];
    const basketView = basket.view();
    return html`${
      placed.length > 0 || orders.length > 0
        ? html`<hearth-guest-status
            .orders=${orders}
            .placed=${placed}
            @hearth-placed-retry=${(e: CustomEvent<string>) => void basket.retry(e.detail)}
            @hearth-placed-put-back=${(e: CustomEvent<string>) => basket.putBack(e.detail)}
          ></hearth-guest-status>`
        : nothing
    }
      <hearth-guest-pay hidden .data=${data} .services=${parts.services}></hearth-guest-pay>
      ${this.#calls(data)}
      <section class="menu" aria-labelledby="menu-title">
        <h2 id="menu-title">Menu</h2>
        ${this.#menu(data)}
      </section>
      <hearth-guest-basket
        .view=${basketView}
        .notice=${basket.basket.notice}
        .placing=${basket.placing}
        @hearth-basket-quantity=${(e: CustomEvent<QuantityChange>) =>
          basket.setQuantity(e.detail.lineId, e.detail.quantity)}
        @hearth-basket-remove=${(e: CustomEvent<string>) => basket.remove(e.detail)}
        @hearth-basket-place=${() => void this.#place()}
        @hearth-basket-dismiss=${() => basket.dismissNotice()}
      ></hearth-guest-basket>
      ${this.#booking(data)}
      <hearth-item-sheet
        .view=${sheet.view()}
        @hearth-sheet-toggle=${(e: CustomEvent<SheetToggle>) =>
          sheet.toggle(e.detail.groupId, e.detail.modifierId)}
        @hearth-sheet-quantity=${(e: CustomEvent<number>) => sheet.setQuantity(e.detail)}
        @hearth-sheet-note=${(e: CustomEvent<string>) => sheet.setNote(e.detail)}
        @hearth-sheet-add=${() => sheet.add()}
        @hearth-sheet-close=${() => sheet.close()}
      ></hearth-item-sheet>
      ${
        basketView && basketView.count > 0 && !this.#basketSeen
          ? html`<div class="bar">
              <button type="button" class="primary" data-action="view-basket" @click=${this.#showBasket}>
                View basket · ${basketView.count} ${basketView.count === 1 ? 'item' : 'items'}
                ${basketView.total ? `· ${basketView.total}` : ''}
              </button>
            </div>`
          : nothing
      }`;
  }

  /** Call a waiter, ask for the bill (`<hearth-guest-calls>`, through the same outbox). */
  #calls(data: GuestData | undefined) {
    const parts = this.#parts;
    const entry = parts?.entry.entry;
    if (!parts || entry?.kind !== 'signed_in') return nothing;
    return html`<section class="panel" aria-labelledby="calls-title">
      <h2 id="calls-title">Need a hand?</h2>
      <hearth-guest-calls
        .tableId=${entry.principal.tableId}
        .requests=${data?.requests ?? []}
        .settings=${data?.settings}
        .submit=${(
          label: string,
          type: 'serviceRequest.create',
          payload: (newId: () => string) => unknown,
        ) => parts.ops.submit(label, type, payload)}
        .ops=${parts.ops.ops}
      ></hearth-guest-calls>
    </section>`;
  }

  /** Book a table for another day (`<hearth-booking-form>`). */
  #booking(data: GuestData | undefined) {
    const parts = this.#parts;
    const entry = parts?.entry.entry;
    if (!parts || entry?.kind !== 'signed_in' || !data?.venue) return nothing;
    return html`<section class="panel" aria-labelledby="booking-title">
      <h2 id="booking-title">Book a table</h2>
      <hearth-booking-form
        .principal=${entry.principal}
        .timeZone=${data.venue.timezone}
        .locale=${data.locale}
        .services=${parts.services}
      ></hearth-booking-form>
    </section>`;
  }

  #menu(data: GuestData | undefined) {
    const parts = this.#parts;
    if (!parts) return nothing;
    const status = parts.view.status;
    if (status.status === 'error')
      return html`<p class="problem">
        The menu couldn’t be read on this phone (${status.message}). Reload the page, or ask a
        member of staff for a paper menu.
      </p>`;
    if (!data)
      return this.#copy
        ? this.#copiedList(this.#copy)
        : html`<p class="muted">Loading the menu…</p>`;
    if (data.items.length === 0)
      return html`<p class="muted">
        ${
          parts.sync.error
            ? `The menu can’t be kept on this phone (${parts.sync.error}).`
            : 'The menu is on its way — it arrives as soon as your phone is connected.'
        }
      </p>`;
    const sections = menuSectionsOf(data);
    // Kept as the next visit's first frame once prices can be shown (the settings are read).
    if (data.money) this.#shown = { venueName: data.venue?.name ?? '', sections };
    return html`<hearth-guest-menu
      .sections=${sections}
      @hearth-open-item=${(e: CustomEvent<string>) => parts.sheet.open(e.detail)}
    ></hearth-guest-menu>`;
  }

  /** A reopened page's first frame: the venue, the table and the menu as last shown. */
  #firstFrame(copy: MenuCopy) {
    const table = this.table === undefined ? tableOfPage() : this.table;
    return html`<header>
        <h1>${copy.venueName || 'Your table'}</h1>
        ${table ? html`<p>Table ${table}</p>` : nothing}
      </header>
      ${this.#copiedMenu(copy)}`;
  }

  /** The menu this phone showed last time, while the live one is read. */
  #copiedMenu(copy: MenuCopy) {
    return html`<section class="menu" aria-labelledby="menu-title">
      <h2 id="menu-title">Menu</h2>
      ${this.#copiedList(copy)}
    </section>`;
  }

  #copiedList(copy: MenuCopy) {
    const parts = this.#parts;
    return html`<hearth-guest-menu
      .sections=${copy.sections}
      @hearth-open-item=${(e: CustomEvent<string>) => parts?.sheet.open(e.detail)}
    ></hearth-guest-menu>`;
  }

  /** Keeps the live menu as the copy when it changed (a JSON compare, not every render). */
  #keepMenu(): void {
    const shown = this.#shown;
    if (!shown || shown === this.#kept || !this.#parts) return;
    this.#kept = shown;
    if (JSON.stringify(shown) === JSON.stringify(this.#copy)) return;
    this.#copy = shown;
    writeMenuCopy(this.storage ?? window.localStorage, this.#parts.services.venueId, shown);
  }

  /** Announces what changed on the table's order since the last render ("1 × Fries: Ready"). */
  override willUpdate(): void {
    const parts = this.#parts;
    const entry = parts?.entry.entry;
    const rules = this.#rules;
    if (!parts || entry?.kind !== 'signed_in' || !rules) return;
    const data = this.#data(parts.view, entry.principal);
    if (!data?.settings) return;
    const orders = tableStatusOf(data.orders, data.tickets, {
      approval: rules.orderingOf(data.settings).approval,
    });
    const news = stageNews(this.#stages, orders);
    this.#stages = stagesOf(orders);
    if (news.length > 0) parts.announcer.say(news.join('. '));
  }

  override updated(): void {
    this.#watchBasket();
    this.#markMenuPainted();
    this.#keepMenu();
  }

  /** Marks the first frame with the menu in it: the figure `npm run bench:guest` reads. */
  #markMenuPainted(): void {
    if (this.#menuMarked) return;
    const menu = this.renderRoot.querySelector('hearth-guest-menu');
    if (!menu) return;
    this.#menuMarked = true;
    void menu.updateComplete.then(() =>
      requestAnimationFrame(() => performance.mark('hearth:menu-painted')),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#watcher?.observer.disconnect();
    this.#watcher = undefined;
  }

  /** Follows whether the basket is on screen (the bar hides while it is). */
  #watchBasket(): void {
    const basket = this.renderRoot.querySelector('hearth-guest-basket');
    if (basket === (this.#watcher?.target ?? null)) return;
    this.#watcher?.observer.disconnect();
    this.#watcher = undefined;
    if (!basket || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      const seen = entries.at(-1)?.isIntersecting ?? false;
      if (seen === this.#basketSeen) return;
      this.#basketSeen = seen;
      this.requestUpdate();
    });
    observer.observe(basket);
    this.#watcher = { target: basket, observer };
  }

  /** Place, then show where the order stands (the table's order, at the top). */
  async #place(): Promise<void> {
    if (!(await this.#parts?.basket.place())) return;
    await this.updateComplete;
    this.renderRoot.querySelector<GuestStatus>('hearth-guest-status')?.focusHeading();
  }

  #showBasket(): void {
    this.renderRoot.querySelector<GuestBasket>('hearth-guest-basket')?.focusHeading();
  }
}

customElements.define('hearth-guest-page', GuestPage);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-guest-page': GuestPage;
  }
}
