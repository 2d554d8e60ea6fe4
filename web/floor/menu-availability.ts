import { css, html, LitElement, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Role } from '#protocol';
import { mayPerform } from '#protocol/auth/permissions.ts';
import { Announcer } from '../guest/announcer.ts';
import { type FloorOpState, type FloorSubmit, OpMarks } from './floor-ops.ts';
import { floorStyles } from './floor-styles.ts';
import {
  type AvailabilityCategory,
  type AvailabilityItem,
  countText,
  type DishRow,
  groupsOf,
  SOLD_OUT_GROUP,
  togglePayload,
  toggleWords,
} from './menu-availability-state.ts';

/**
 * `<hearth-menu-availability>`: the 86 board. The menu by category, sold-out dishes first in
 * "Sold out now", a search field, and a big "86" / "Back on" toggle per dish that sends
 * `menu.item.setAvailability` (only for roles that may), each with its op's sync state.
 *
 * ```ts
 * html`<hearth-menu-availability
 *   .items=${view.items('menuItem').map((i) => i.entity)}
 *   .categories=${view.items('menuCategory').map((i) => i.entity)}
 *   .staffRole=${principal.role}
 *   .submit=${(label, type, payload) => ops.submit(label, type, payload)} .ops=${ops.ops}
 * ></hearth-menu-availability>`
 * ```
 */
export class MenuAvailability extends LitElement {
  static override properties = {
    items: { attribute: false },
    categories: { attribute: false },
    staffRole: { attribute: false },
    submit: { attribute: false },
    ops: { attribute: false },
    query: { state: true },
  };

  declare items: readonly AvailabilityItem[];
  declare categories: readonly AvailabilityCategory[];
  declare staffRole: Role | undefined;
  declare submit: FloorSubmit | undefined;
  declare ops: readonly FloorOpState[];
  declare query: string;

  static override styles = [
    floorStyles,
    css`
      p {
        margin: 0;
      }
      .dish {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 0.75rem;
      }
      .dish[data-available='false'] {
        border-style: dashed;
      }
      .dish .name {
        font-weight: 600;
      }
      .toggle {
        min-width: 7rem;
        min-height: 52px;
        font-size: 1.1rem;
      }
      .state {
        font-weight: 700;
      }
      .dish[data-available='false'] .state {
        color: var(--floor-bad);
      }
      input[type='search'] {
        width: 100%;
      }
    `,
  ];

  readonly #announcer = new Announcer(this);
  readonly #marks = new OpMarks();
  /**
   * The dish whose toggle has the focus: a toggled dish moves between groups, its button with
   * it, and the focus follows instead of falling to the page.
   */
  #focused: string | undefined;

  constructor() {
    super();
    this.items = [];
    this.categories = [];
    this.staffRole = undefined;
    this.submit = undefined;
    this.ops = [];
    this.query = '';
    this.addEventListener('focusin', (e) => {
      const toggle = e.composedPath().find((n) => n instanceof HTMLElement && n.dataset.toggle);
      this.#focused = toggle instanceof HTMLElement ? toggle.dataset.toggle : undefined;
    });
    this.addEventListener('focusout', (e) => {
      const target = e.composedPath()[0];
      // Left for somewhere else (not a toggle removed by a re-render): stop following.
      if (e.relatedTarget) this.#focused = undefined;
      else
        queueMicrotask(() => {
          if (target instanceof Node && target.isConnected) this.#focused = undefined;
        });
    });
  }

  protected override updated(): void {
    if (!this.#focused || this.shadowRoot?.activeElement) return;
    this.renderRoot.querySelector<HTMLElement>(`[data-toggle="${this.#focused}"]`)?.focus();
  }

  override render() {
    const groups = groupsOf(this.items, this.categories, this.query);
    const mayToggle = !!this.staffRole && mayPerform(this.staffRole, 'menu.item.setAvailability');
    return html`<h2>Sold out (86)</h2>
      <label>
        Find a dish
        <input
          type="search"
          .value=${this.query}
          autocomplete="off"
          aria-describedby="count"
          @input=${(e: Event) => {
            this.query = (e.target as HTMLInputElement).value;
          }}
        />
      </label>
      <p class="muted" id="count">${countText(groups, this.query)}</p>
      ${
        mayToggle
          ? nothing
          : html`<p class="muted">Only the kitchen and managers mark dishes sold out.</p>`
      }
      ${groups.map(
        (group) => html`<section
          class="group"
          data-group=${group.id}
          aria-labelledby="group-${group.id}"
        >
          <h3 id="group-${group.id}">${group.title} (${group.dishes.length})</h3>
          <ul>
            ${repeat(
              group.dishes,
              (dish) => dish.id,
              (dish) => this.#dish(dish, group.id === SOLD_OUT_GROUP, mayToggle),
            )}
          </ul>
        </section>`,
      )}
      <p class="visually-hidden" role="status" aria-live="polite">${this.#announcer.text}</p>`;
  }

  #dish(dish: DishRow, soldOutGroup: boolean, mayToggle: boolean) {
    const sync = this.#marks.wordsOf(dish.id, this.ops);
    return html`<li class="card dish" data-item=${dish.id} data-available=${String(dish.available)}>
      <div>
        <p class="name">${dish.name}</p>
        <p>
          <span class="state">${dish.stateText}</span>${
            soldOutGroup ? html` <span class="muted">· ${dish.categoryName}</span>` : nothing
          }
        </p>
        ${sync ? html`<p class="sync ${sync.startsWith('failed') ? 'failed' : ''}">${sync}</p>` : nothing}
      </div>
      ${
        mayToggle
          ? html`<button
              type="button"
              class="toggle ${dish.available ? '' : 'secondary'}"
              data-toggle=${dish.id}
              aria-label="${dish.action}: ${dish.name}"
              @click=${() => this.#toggle(dish)}
            >
              ${dish.action}
            </button>`
          : nothing
      }
    </li>`;
  }

  async #toggle(dish: DishRow): Promise<void> {
    if (!this.submit) return;
    await this.#marks.track(
      dish.id,
      this.submit,
      dish.available ? `86 ${dish.name}` : `${dish.name} back on`,
      'menu.item.setAvailability',
      () => togglePayload(dish),
    );
    this.#announcer.say(toggleWords(dish));
  }
}

customElements.define('hearth-menu-availability', MenuAvailability);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-menu-availability': MenuAvailability;
  }
}
