import { html, LitElement } from 'lit';
import { appServices } from './app-services.ts';
import { CacheSyncController } from './cache-sync-controller.ts';
import { LocalViewController } from './local-view-controller.ts';
import { pageStyles } from './page-styles.ts';
import './resilience-banner.ts';
import { ResilienceController } from './resilience-controller.ts';
import { SessionController, type SignInInput } from './session-controller.ts';
import './sign-in-form.ts';

/** What the kitchen display reads: its tickets, the menu (names, stations), the timer settings. */
export const KITCHEN_SCOPES = ['menu', 'settings', 'ticket'] as const;

/**
 * `<hearth-kitchen-page>`: the kitchen display, full-screen with the screen kept awake. Nothing
 * to write yet: it shows how many tickets the device holds, read from its local cache.
 */
export class KitchenPage extends LitElement {
  static override styles = pageStyles;

  readonly #services = appServices();
  readonly #session = new SessionController(this, {
    ...this.#services,
    accepts: (principal) => principal.kind === 'staff',
  });
  readonly #resilience = new ResilienceController(this, this.#services);
  readonly #sync = new CacheSyncController(this, { ...this.#services, scopes: KITCHEN_SCOPES });
  readonly #view = new LocalViewController(this, { ...this.#services, kinds: ['ticket'] });

  override render() {
    const principal = this.#session.principal;
    return html`<header>
        <h1>Kitchen</h1>
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
          ? html`<section>
              <h2>Tickets</h2>
              ${this.#ticketCount()}
              ${this.#sync.error ? html`<p class="error">Offline copy unavailable: ${this.#sync.error}</p>` : null}
            </section>`
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

  #ticketCount() {
    const view = this.#view.status;
    if (view.status === 'error')
      return html`<p class="error">The local copy could not be read: ${view.message}</p>`;
    if (view.status !== 'complete') return html`<p class="muted">Reading tickets…</p>`;
    const tickets = view.value.items('ticket');
    const total = tickets.length;
    // Not yet bumped: what is on the pass.
    const open = tickets.filter(({ entity }) => entity.status !== 'bumped').length;
    return html`<p data-tickets=${total}>
      <strong>${open}</strong> open ${open === 1 ? 'ticket' : 'tickets'} on this display
      <span class="muted">(${total} cached)</span>
    </p>`;
  }
}

customElements.define('hearth-kitchen-page', KitchenPage);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-kitchen-page': KitchenPage;
  }
}
