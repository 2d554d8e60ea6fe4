import { html, LitElement } from 'lit';
import type { Principal } from '#protocol';
import { appServices } from './app-services.ts';
import { CacheSyncController } from './cache-sync-controller.ts';
import { LocalViewController } from './local-view-controller.ts';
import { OpController } from './op-controller.ts';
import './op-list.ts';
import { pageStyles } from './page-styles.ts';
import './resilience-banner.ts';
import { ResilienceController } from './resilience-controller.ts';
import { SessionController, type SignInInput } from './session-controller.ts';
import './sign-in-form.ts';

type GuestPrincipal = Extract<Principal, { kind: 'guest' }>;

/**
 * `<hearth-guest-page>`: a guest at a table (from the QR code's `?table=`). For now one action,
 * "call a waiter" (`serviceRequest.create`), through the outbox with its status.
 */
export class GuestPage extends LitElement {
  static override styles = pageStyles;

  readonly #services = appServices();
  readonly #table = new URLSearchParams(window.location.search).get('table') ?? '';
  readonly #session = new SessionController(this, {
    ...this.#services,
    accepts: (principal) => principal.kind === 'guest',
  });
  readonly #resilience = new ResilienceController(this, this.#services);
  readonly #ops = new OpController(this, this.#services);
  readonly #sync = new CacheSyncController(this, { ...this.#services, scopes: [] });
  readonly #view = new LocalViewController(this, { ...this.#services, kinds: ['menuItem'] });

  override render() {
    const principal = this.#session.principal;
    return html`<header><h1>Your table</h1></header>
      <hearth-resilience-banner .view=${this.#resilience.view}></hearth-resilience-banner>
      ${
        principal?.kind === 'guest'
          ? this.#signedIn(principal)
          : html`<section>
              <h2>Welcome</h2>
              <hearth-sign-in-form
                mode="guest"
                .table=${this.#table}
                .status=${this.#session.status}
                @hearth-sign-in=${this.#signIn}
              ></hearth-sign-in-form>
            </section>`
      }`;
  }

  #signedIn(principal: GuestPrincipal) {
    const view = this.#view.status;
    return html`<section>
        <h2>Table ${this.#table || principal.tableId}</h2>
        <button type="button" class="primary" @click=${() => this.#callWaiter(principal)}>
          Call a waiter
        </button>
        ${this.#ops.error ? html`<p class="error" role="alert">${this.#ops.error}</p>` : null}
        <hearth-op-list
          .ops=${this.#ops.ops}
          @hearth-retry=${(e: CustomEvent<string>) => void this.#ops.retry(e.detail)}
          @hearth-discard=${(e: CustomEvent<string>) => this.#ops.discard(e.detail)}
        ></hearth-op-list>
      </section>
      <p class="muted">
        ${
          view.status === 'complete'
            ? `The menu on this phone: ${view.value.items('menuItem').length} dishes.`
            : view.status === 'error'
              ? `The menu could not be read: ${view.message}`
              : 'Reading the menu…'
        }
        ${this.#sync.error ? html`<br />Offline copy unavailable: ${this.#sync.error}` : null}
      </p>`;
  }

  #signIn(event: CustomEvent<SignInInput>): void {
    void this.#session.signIn(event.detail);
  }

  #callWaiter(principal: GuestPrincipal): void {
    void this.#ops.submit('Call a waiter', 'serviceRequest.create', (newId) => ({
      requestId: newId(),
      tableId: principal.tableId,
      kind: 'call_waiter',
    }));
  }
}

customElements.define('hearth-guest-page', GuestPage);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-guest-page': GuestPage;
  }
}
