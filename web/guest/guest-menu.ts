import { css, html, LitElement, nothing } from 'lit';
import type { MenuCard, MenuSection } from './guest-data.ts';
import { guestStyles } from './guest-styles.ts';

/**
 * `<hearth-guest-menu .sections=${…}>`: the menu by category, with a sticky row of category
 * buttons that jump to each. A dish is one button that opens its sheet (`hearth-open-item`,
 * detail: the item id); a sold-out dish is greyed, says "Sold out" and cannot be opened.
 */
export class GuestMenu extends LitElement {
  static override properties = { sections: { attribute: false } };

  declare sections: readonly MenuSection[];

  constructor() {
    super();
    this.sections = [];
  }

  static override styles = [
    guestStyles,
    css`
      nav {
        position: sticky;
        top: 0;
        z-index: 1;
        margin: 0 -1rem;
        padding: 0.5rem 1rem;
        background: var(--hearth-bg, #fbf7f4);
        box-shadow: 0 1px 0 rgb(0 0 0 / 0.12);
      }
      nav ul {
        display: flex;
        gap: 0.5rem;
        overflow-x: auto;
        scrollbar-width: none;
      }
      nav button {
        white-space: nowrap;
        border-radius: 999px;
      }
      section {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 0.5rem;
        padding-top: 1rem;
        scroll-margin-top: 4rem;
      }
      h3:focus {
        outline: none;
      }
      .items {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 0.5rem;
      }
      .item {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 0.2rem 0.75rem;
        width: 100%;
        padding: 0.75rem;
        text-align: start;
        border: 1px solid #d9cfca;
        background: var(--hearth-surface, #fff);
      }
      .item[disabled] {
        background: #f1ece8;
        border-color: #e0d8d3;
        color: #5c4d48;
      }
      .name {
        font-weight: 600;
      }
      .price {
        font-weight: 600;
        font-variant-numeric: tabular-nums;
      }
      .desc,
      .tags,
      .allergens {
        grid-column: 1 / -1;
        font-size: 0.95rem;
      }
      .desc,
      .allergens {
        color: var(--hearth-muted, #6b5a55);
      }
      .item[disabled] .desc,
      .item[disabled] .allergens {
        color: #5c4d48;
      }
      .tags {
        color: var(--hearth-ok, #1d6b3a);
        font-weight: 600;
      }
      .cta {
        grid-column: 1 / -1;
        justify-self: end;
        font-weight: 600;
      }
      .sold-out {
        color: var(--hearth-bad, #a12a1b);
      }
    `,
  ];

  override render() {
    return html`<nav aria-label="Menu categories">
        <ul>
          ${this.sections.map(
            (s) => html`<li>
              <button type="button" data-category=${s.id} @click=${() => this.#jump(s.id)}>
                ${s.name}
              </button>
            </li>`,
          )}
        </ul>
      </nav>
      ${this.sections.map(
        (s, i) => html`<section data-section=${s.id} aria-labelledby="cat-${i}">
          <h3 id="cat-${i}" tabindex="-1">${s.name}</h3>
          <ul class="items">
            ${s.items.map((item) => this.#card(item))}
          </ul>
        </section>`,
      )}`;
  }

  #card(item: MenuCard) {
    return html`<li>
      <button
        type="button"
        class="item"
        data-item=${item.id}
        ?disabled=${item.soldOut}
        @click=${() => this.#open(item.id)}
      >
        <span class="name">${item.name}</span>
        <span class="price">${item.price}</span>
        ${item.description ? html`<span class="desc">${item.description}</span>` : nothing}
        ${item.tags.length > 0 ? html`<span class="tags">${item.tags.join(' · ')}</span>` : nothing}
        ${item.allergens ? html`<span class="allergens">${item.allergens}</span>` : nothing}
        ${
          item.soldOut
            ? html`<span class="cta sold-out">Sold out</span>`
            : html`<span class="cta">Add</span>`
        }
      </button>
    </li>`;
  }

  /** Scrolls to the category and puts the keyboard there too. */
  #jump(id: string): void {
    const section = [...this.renderRoot.querySelectorAll<HTMLElement>('section')].find(
      (s) => s.dataset.section === id,
    );
    const reduce = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
    section?.scrollIntoView({ behavior: reduce ? 'auto' : 'smooth', block: 'start' });
    section?.querySelector<HTMLElement>('h3')?.focus({ preventScroll: true });
  }

  #open(itemId: string): void {
    this.dispatchEvent(
      new CustomEvent<string>('hearth-open-item', {
        detail: itemId,
        bubbles: true,
        composed: true,
      }),
    );
  }
}

customElements.define('hearth-guest-menu', GuestMenu);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-guest-menu': GuestMenu;
  }
}
