import { css, html, LitElement, nothing } from 'lit';
import type { PlacedView } from './basket-controller.ts';
import { guestStyles } from './guest-styles.ts';
import type { OrderStatusView } from './order-status.ts';

/**
 * `<hearth-guest-status .orders=${…} .placed=${…}>`: the table's order as it stands, live —
 * this phone's orders not on the tab yet (sending, "Not sent yet — will send when you're back
 * online"), then every dish on the table's tab, from any phone at the table, with its stage
 * (Received, In the kitchen, Ready, Served, Removed by staff). Events: `hearth-placed-retry`
 * and `hearth-placed-put-back` (detail: the placed order's key).
 */
export class GuestStatus extends LitElement {
  static override properties = {
    orders: { attribute: false },
    placed: { attribute: false },
  };

  declare orders: readonly OrderStatusView[];
  declare placed: readonly PlacedView[];

  constructor() {
    super();
    this.orders = [];
    this.placed = [];
  }

  static override styles = [
    guestStyles,
    css`
      h2:focus {
        outline: none;
      }
      section {
        display: grid;
        gap: 0.75rem;
        padding: 1rem;
        border-radius: var(--hearth-radius, 0.5rem);
        background: var(--hearth-surface, #fff);
      }
      article {
        display: grid;
        gap: 0.5rem;
      }
      article + article {
        padding-top: 0.75rem;
        border-top: 1px solid #e0d8d3;
      }
      .state {
        margin: 0;
        font-weight: 600;
      }
      .placed[data-phase='not_sent'] .state,
      .placed[data-phase='retrying'] .state,
      .placed[data-phase='unknown'] .state {
        color: var(--hearth-warn, #8a5a00);
      }
      li {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 0 0.75rem;
        padding: 0.35rem 0;
      }
      .details {
        grid-column: 1 / -1;
        font-size: 0.95rem;
        color: var(--hearth-muted, #6b5a55);
      }
      .stage {
        font-weight: 600;
        text-align: end;
      }
      [data-stage='ready'] .stage {
        color: var(--hearth-ok, #1d6b3a);
      }
      [data-stage='removed'] .what {
        text-decoration: line-through;
      }
      [data-stage='removed'] .stage {
        color: var(--hearth-bad, #a12a1b);
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
      .total {
        margin: 0;
        text-align: end;
        font-weight: 600;
      }
    `,
  ];

  /** Brings the table's order into view, with the keyboard on it (after Place). */
  focusHeading(): void {
    const heading = this.renderRoot.querySelector<HTMLElement>('h2');
    heading?.scrollIntoView({ block: 'start' });
    heading?.focus({ preventScroll: true });
  }

  override render() {
    return html`<section aria-labelledby="status-title">
      <h2 id="status-title" tabindex="-1">Your table’s order</h2>
      ${this.placed.map((p) => this.#placed(p))}
      ${this.orders.map((o) => this.#order(o))}
    </section>`;
  }

  #placed(p: PlacedView) {
    return html`<article class="placed" data-placed=${p.key} data-phase=${p.phase}>
      <p class="state">${p.words}</p>
      <ul>
        ${p.lines.map(
          (l) => html`<li>
            <span class="what">${l.quantity} × ${l.name}</span>
            ${l.details ? html`<span class="details">${l.details}</span>` : nothing}
          </li>`,
        )}
      </ul>
      ${
        p.canRetry || p.canPutBack
          ? html`<div class="actions">
              ${p.canRetry ? html`<button type="button" class="primary" @click=${() => this.#fire('hearth-placed-retry', p.key)}>Try again</button>` : nothing}
              ${p.canPutBack ? html`<button type="button" @click=${() => this.#fire('hearth-placed-put-back', p.key)}>Put back in my basket</button>` : nothing}
            </div>`
          : nothing
      }
    </article>`;
  }

  #order(o: OrderStatusView) {
    return html`<article data-order=${o.orderId}>
      <ul>
        ${o.lines.map(
          (l) => html`<li data-line=${l.lineId} data-stage=${l.stage}>
            <span class="what">${l.quantity} × ${l.name}</span>
            <span class="stage">${l.words}</span>
            ${l.details ? html`<span class="details">${l.details}</span>` : nothing}
          </li>`,
        )}
      </ul>
      ${o.total ? html`<p class="total">Total so far ${o.total}</p>` : nothing}
    </article>`;
  }

  #fire(type: string, key: string): void {
    this.dispatchEvent(new CustomEvent(type, { detail: key, bubbles: true, composed: true }));
  }
}

customElements.define('hearth-guest-status', GuestStatus);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-guest-status': GuestStatus;
  }
}
