import { css, html, LitElement, nothing } from 'lit';
import type { BasketLineView, BasketView } from './basket-pricing.ts';
import { guestStyles } from './guest-styles.ts';

/** A quantity the guest set on a basket line (0 removes it). */
export interface QuantityChange {
  readonly lineId: string;
  readonly quantity: number;
}

/**
 * `<hearth-guest-basket .view=${…} .notice=${…} .placing=${…}>`: the basket's lines with
 * +/− and Remove, a line that cannot be ordered flagged with what to do, the running subtotal,
 * tax and total, and one Place button with the total — off, with the reason, while anything
 * blocks it. Events: `hearth-basket-quantity`, `-remove`, `-place`, `-dismiss`.
 */
export class GuestBasket extends LitElement {
  static override properties = {
    view: { attribute: false },
    notice: { attribute: false },
    placing: { type: Boolean },
  };

  declare view: BasketView | undefined;
  /** Why lines came back from a refused order ("Chips sold out …"). */
  declare notice: string | undefined;
  declare placing: boolean;

  constructor() {
    super();
    this.placing = false;
  }

  static override styles = [
    guestStyles,
    css`
      section {
        display: grid;
        gap: 0.75rem;
        padding: 1rem;
        border-radius: var(--hearth-radius, 0.5rem);
        background: var(--hearth-surface, #fff);
      }
      h2:focus {
        outline: none;
      }
      .notice {
        display: flex;
        gap: 0.75rem;
        align-items: center;
        justify-content: space-between;
        padding: 0.75rem;
        border-radius: var(--hearth-radius, 0.5rem);
        border-left: 0.4rem solid var(--hearth-bad, #a12a1b);
        background: #fbeeec;
      }
      .notice p {
        margin: 0;
      }
      .lines {
        display: grid;
        gap: 0.75rem;
      }
      .line {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 0.25rem 0.75rem;
        padding-bottom: 0.75rem;
        border-bottom: 1px solid #e0d8d3;
      }
      .line[data-problem] {
        border-left: 0.3rem solid var(--hearth-bad, #a12a1b);
        padding-left: 0.5rem;
      }
      .name {
        font-weight: 600;
      }
      .details {
        grid-column: 1 / -1;
        color: var(--hearth-muted, #6b5a55);
        font-size: 0.95rem;
      }
      .line .problem {
        grid-column: 1 / -1;
      }
      .price {
        font-variant-numeric: tabular-nums;
      }
      .controls {
        grid-column: 1 / -1;
        display: flex;
        justify-content: space-between;
        align-items: center;
      }
      dl {
        display: grid;
        gap: 0.25rem;
        margin: 0;
      }
      dl div {
        display: flex;
        justify-content: space-between;
      }
      dt,
      dd {
        margin: 0;
      }
      dd {
        font-variant-numeric: tabular-nums;
      }
      .total {
        font-weight: 700;
        font-size: 1.1rem;
      }
      .place {
        width: 100%;
        min-height: 52px;
        font-size: 1.05rem;
      }
      .why {
        margin: 0;
      }
    `,
  ];

  /** Puts the keyboard (and a screen reader) on the basket, after "View basket". */
  focusHeading(): void {
    const heading = this.renderRoot.querySelector<HTMLElement>('h2');
    heading?.scrollIntoView({ block: 'start' });
    heading?.focus();
  }

  override render() {
    const v = this.view;
    return html`<section aria-labelledby="basket-title">
      <h2 id="basket-title" tabindex="-1">Your basket</h2>
      ${
        this.notice
          ? html`<div class="notice" role="alert">
              <p>${this.notice}</p>
              <button type="button" @click=${() => this.#fire('hearth-basket-dismiss')}>OK</button>
            </div>`
          : nothing
      }
      ${
        !v
          ? html`<p class="muted">Reading the menu…</p>`
          : v.lines.length === 0
            ? html`<p class="muted">Nothing yet — tap a dish to add it.</p>`
            : this.#lines(v)
      }
    </section>`;
  }

  #lines(v: BasketView) {
    return html`<ul class="lines">
        ${v.lines.map((line) => this.#line(line))}
      </ul>
      <dl>
        <div><dt>Subtotal</dt><dd data-total="subtotal">${v.subtotal}</dd></div>
        <div><dt>${v.taxLabel}</dt><dd data-total="tax">${v.tax}</dd></div>
        <div class="total"><dt>Total</dt><dd data-total="total">${v.total}</dd></div>
      </dl>
      ${v.blocked ? html`<p id="place-why" class="why problem">${v.blocked}</p>` : nothing}
      <button
        type="button"
        class="primary place"
        ?disabled=${!v.canPlace || this.placing}
        aria-describedby=${v.blocked ? 'place-why' : nothing}
        @click=${() => this.#fire('hearth-basket-place')}
      >
        ${this.placing ? 'Sending your order…' : v.placeLabel}
      </button>`;
  }

  #line(line: BasketLineView) {
    return html`<li class="line" data-line=${line.lineId} ?data-problem=${line.problem !== null}>
      <span class="name">${line.quantity} × ${line.name}</span>
      <span class="price">${line.price}</span>
      ${line.details ? html`<span class="details">${line.details}</span>` : nothing}
      ${line.problem ? html`<span class="problem">${line.problem}</span>` : nothing}
      <div class="controls">
        <span class="stepper" role="group" aria-label="Quantity of ${line.name}">
          <button
            type="button"
            aria-label="One fewer ${line.name}"
            @click=${() => this.#quantity(line, line.quantity - 1)}
          >
            −
          </button>
          <span class="count">${line.quantity}</span>
          <button
            type="button"
            aria-label="One more ${line.name}"
            ?disabled=${line.quantity >= 99 || line.problem !== null}
            @click=${() => this.#quantity(line, line.quantity + 1)}
          >
            +
          </button>
        </span>
        <button
          type="button"
          class="remove"
          aria-label="Remove ${line.name}"
          @click=${() => this.#fire('hearth-basket-remove', line.lineId)}
        >
          Remove
        </button>
      </div>
    </li>`;
  }

  #quantity(line: BasketLineView, quantity: number): void {
    this.#fire<QuantityChange>('hearth-basket-quantity', { lineId: line.lineId, quantity });
  }

  #fire<T>(type: string, detail?: T): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

customElements.define('hearth-guest-basket', GuestBasket);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-guest-basket': GuestBasket;
  }
}
