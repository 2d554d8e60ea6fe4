import { html, LitElement } from 'lit';
import type { MenuItem, Principal, Table } from '#protocol';
import { appServices } from './app-services.ts';
import { CacheSyncController } from './cache-sync-controller.ts';
import { type LocalSnapshot, LocalViewController } from './local-view-controller.ts';
import { OpController } from './op-controller.ts';
import './op-list.ts';
import { pageStyles } from './page-styles.ts';
import './resilience-banner.ts';
import { ResilienceController } from './resilience-controller.ts';
import { SessionController, type SignInInput } from './session-controller.ts';
import './sign-in-form.ts';
import { ITEM_BADGE_LABEL } from './sync-labels.ts';

interface FloorData {
  readonly tables: readonly Table[];
  readonly items: readonly MenuItem[];
}

const byLabel = (a: Table, b: Table): number =>
  a.label.localeCompare(b.label, undefined, { numeric: true });

const OPEN_ORDERS_SHOWN = 8;

/**
 * `<hearth-ops-page>`: the floor. For now one action: open an order for a table with one item
 * (`order.create`), through the outbox with its status; tables and dishes from the local cache.
 */
export class OpsPage extends LitElement {
  static override styles = pageStyles;

  readonly #services = appServices();
  readonly #session = new SessionController(this, {
    ...this.#services,
    accepts: (principal) => principal.kind === 'staff',
  });
  readonly #resilience = new ResilienceController(this, this.#services);
  readonly #ops = new OpController(this, this.#services);
  readonly #sync = new CacheSyncController(this, { ...this.#services, scopes: [] });
  // Every kind: the floor's own orders are decided on top of the cache, menu and settings too.
  readonly #view = new LocalViewController(this, this.#services);

  override render() {
    const principal = this.#session.principal;
    return html`<header>
        <h1>Floor</h1>
        ${
          principal
            ? html`<button type="button" class="link" @click=${() => void this.#session.signOut()}>
                Sign out
              </button>`
            : null
        }
      </header>
      <hearth-resilience-banner .view=${this.#resilience.view}></hearth-resilience-banner>
      ${
        principal?.kind === 'staff'
          ? this.#signedIn(principal)
          : html`<section>
              <h2>Sign in</h2>
              <hearth-sign-in-form
                mode="staff"
                .status=${this.#session.status}
                @hearth-sign-in=${(e: CustomEvent<SignInInput>) => void this.#session.signIn(e.detail)}
              ></hearth-sign-in-form>
            </section>`
      }`;
  }

  #signedIn(principal: Extract<Principal, { kind: 'staff' }>) {
    return html`<p class="muted">Signed in as ${principal.actorId} (${principal.role})</p>
      <section>
        <h2>Open an order</h2>
        ${this.#orderForm()}
        ${this.#ops.error ? html`<p class="error" role="alert">${this.#ops.error}</p>` : null}
        <hearth-op-list
          .ops=${this.#ops.ops}
          @hearth-retry=${(e: CustomEvent<string>) => void this.#ops.retry(e.detail)}
          @hearth-discard=${(e: CustomEvent<string>) => this.#ops.discard(e.detail)}
        ></hearth-op-list>
      </section>
      ${this.#openOrders()}
      ${this.#sync.error ? html`<p class="error">Offline copy unavailable: ${this.#sync.error}</p>` : null}`;
  }

  #floor(snapshot: LocalSnapshot): FloorData {
    return {
      tables: snapshot
        .items('table')
        .map(({ entity }) => entity)
        .sort(byLabel),
      items: snapshot
        .items('menuItem')
        .map(({ entity }) => entity)
        // This one-dish form picks no modifiers: a dish that needs a choice ("choose 1 side")
        // waits for the order screen that offers it.
        .filter((item) => item.available && !item.modifierGroups?.some((g) => g.min > 0)),
    };
  }

  #orderForm() {
    const view = this.#view.status;
    if (view.status === 'error')
      return html`<p class="error">The local copy could not be read: ${view.message}</p>`;
    if (view.status !== 'complete') return html`<p class="muted">Reading tables and menu…</p>`;
    const floor = this.#floor(view.value);
    if (floor.tables.length === 0 || floor.items.length === 0)
      return html`<p class="muted">No tables and menu on this device yet: they arrive with the first sync.</p>`;
    const { tables, items } = floor;
    return html`<form @submit=${(e: SubmitEvent) => this.#openOrder(e, floor)}>
      <label
        >Table
        <select name="table" required>
          ${tables.map((t) => html`<option value=${t.id}>${t.label}</option>`)}
        </select>
      </label>
      <label
        >Dish
        <select name="item" required>
          ${items.map((item) => html`<option value=${item.id}>${item.name}</option>`)}
        </select>
      </label>
      <button type="submit" class="primary">Open order</button>
    </form>`;
  }

  /** Open orders as this device sees them: cached, plus its own not yet confirmed. */
  #openOrders() {
    const view = this.#view.status;
    if (view.status !== 'complete') return null;
    const labels = new Map(
      view.value.items('table').map(({ entity }) => [entity.id, entity.label]),
    );
    const open = view.value
      .items('order')
      .filter(({ entity }) => entity.status === 'open' || entity.status === 'sent')
      .reverse()
      .slice(0, OPEN_ORDERS_SHOWN);
    return html`<section>
      <h2>Open orders</h2>
      ${
        open.length === 0
          ? html`<p class="muted">None.</p>`
          : html`<ul>
              ${open.map(
                ({ entity, badge }) => html`<li data-order=${entity.id} data-badge=${badge.state}>
                  Table ${entity.tableId ? (labels.get(entity.tableId) ?? entity.tableId) : '—'}:
                  ${entity.lines.length} ${entity.lines.length === 1 ? 'line' : 'lines'},
                  ${entity.status} <span class="muted">(${ITEM_BADGE_LABEL[badge.state]})</span>
                </li>`,
              )}
            </ul>`
      }
    </section>`;
  }

  #openOrder(event: SubmitEvent, floor: FloorData): void {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const table = floor.tables.find((t) => t.id === data.get('table'));
    const item = floor.items.find((i) => i.id === data.get('item'));
    if (!table || !item) return;
    void this.#ops.submit(`Table ${table.label}: ${item.name}`, 'order.create', (newId) => ({
      orderId: newId(),
      tableId: table.id,
      lines: [{ lineId: newId(), itemId: item.id, quantity: 1 }],
    }));
  }
}

customElements.define('hearth-ops-page', OpsPage);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-ops-page': OpsPage;
  }
}
