import { css, html, LitElement, nothing, type SVGTemplateResult, svg, unsafeCSS } from 'lit';
import type { Order, ServiceRequest, Table, TeamSection, Ticket } from '#protocol';
import { browserTimers, type Timers } from '../app/timers.ts';
import { MinuteClock } from './minute-clock.ts';
import {
  type FloorGroup,
  formatSeated,
  groupsOf,
  REQUEST_WORDS,
  STATE_PRECEDENCE,
  STATE_WORDS,
  type TableState,
  type TableView,
  tableViewsOf,
} from './table-state.ts';

/**
 * Each state's colour on the plan's dark surface: the tile's edge, icon and word. Every one is
 * at least 4.5:1 against its tile, and always comes with the word and an icon of its own shape.
 */
export const STATE_COLOURS: Readonly<Record<TableState, string>> = {
  attention: 'rgb(255, 180, 171)',
  bill: 'rgb(208, 166, 255)',
  food_out: 'rgb(126, 226, 160)',
  ordered: 'rgb(255, 194, 102)',
  seated: 'rgb(138, 180, 248)',
  free: 'rgb(176, 176, 176)',
};

/** The tile's own background: dark grey, and a dark red when the table needs someone. */
export const TILE_BACKGROUND = 'rgb(31, 31, 31)';
export const ATTENTION_BACKGROUND = 'rgb(74, 18, 18)';

const stroke = (paths: SVGTemplateResult) =>
  svg`<svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false"
    fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round"
    stroke-linejoin="round">${paths}</svg>`;

/** A shape per state, so two states never differ by colour alone. */
const ICONS: Readonly<Record<TableState, SVGTemplateResult>> = {
  free: stroke(svg`<circle cx="12" cy="12" r="8" />`),
  seated: stroke(svg`<circle cx="12" cy="12" r="8" fill="currentColor" />`),
  ordered: stroke(svg`<circle cx="12" cy="12" r="8.5" /><path d="M12 7.5V12l3 2.5" />`),
  food_out: stroke(svg`<path d="M4.5 12.5 9.5 17.5 19.5 6.5" />`),
  bill: stroke(svg`<path d="M6 3h12v18l-3-2-3 2-3-2-3 2Z" /><path d="M9 8h6M9 12h6" />`),
  attention: stroke(svg`<path d="M12 3 22 20H2Z" /><path d="M12 9.5v4.5M12 17v.01" />`),
};

const stateRules = STATE_PRECEDENCE.map(
  (state) => `[data-state='${state}'] { --tone: ${STATE_COLOURS[state]}; }`,
).join('\n');

/**
 * `<hearth-floor-plan>`: the venue's tables as large tiles grouped by section, each with its
 * state (word, colour and icon), seated minutes, covers and a badge for a waiting request or a
 * guest order to approve. Given the entities, the device's clock and the server's section; a
 * tile's tap or Enter fires `hearth-open-table` with the table's id. "My section" narrows the
 * plan to `sectionId`'s tables.
 */
export class FloorPlan extends LitElement {
  static override properties = {
    tables: { attribute: false },
    orders: { attribute: false },
    tickets: { attribute: false },
    requests: { attribute: false },
    sections: { attribute: false },
    approval: { type: Boolean },
    sectionId: { attribute: false },
    mine: { type: Boolean, reflect: true },
    clock: { attribute: false },
    timers: { attribute: false },
  };

  declare tables: readonly Table[];
  declare orders: readonly Order[];
  declare tickets: readonly Ticket[];
  declare requests: readonly ServiceRequest[];
  declare sections: readonly TeamSection[];
  /** `guestOrderingOf(settings).approval`: unsent guest lines wait for staff. */
  declare approval: boolean;
  /** The signed-in server's section (TeamMember.sectionId); null offers no "My section". */
  declare sectionId: string | null;
  /** Show only `sectionId`'s tables. */
  declare mine: boolean;
  /** Device time, ms. */
  declare clock: () => number;
  declare timers: Timers;

  constructor() {
    super();
    this.tables = [];
    this.orders = [];
    this.tickets = [];
    this.requests = [];
    this.sections = [];
    this.approval = false;
    this.sectionId = null;
    this.mine = false;
    this.clock = () => Date.now();
    this.timers = browserTimers;
    new MinuteClock(this, () => this.timers);
  }

  static override styles = [
    css`
      :host {
        display: grid;
        gap: 1rem;
        padding: 0.75rem;
        background: var(--hearth-floor-bg, #121212);
        color: #f4f1ee;
        font-family: system-ui, sans-serif;
        line-height: 1.3;
      }
      .bar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: 0.5rem 1rem;
      }
      .summary {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        margin: 0;
        padding: 0;
        list-style: none;
      }
      .summary li {
        display: inline-flex;
        align-items: center;
        gap: 0.3rem;
        color: var(--tone);
      }
      .filter {
        min-height: 44px;
        min-width: 44px;
        padding: 0.5rem 1rem;
        font: inherit;
        font-weight: 600;
        color: #f4f1ee;
        background: #2a2a2a;
        border: 2px solid #8a8a8a;
        border-radius: 0.5rem;
        cursor: pointer;
      }
      .filter[aria-pressed='true'] {
        background: #f4f1ee;
        color: #121212;
        border-color: #f4f1ee;
      }
      section {
        display: grid;
        gap: 0.5rem;
      }
      h2 {
        margin: 0;
        font-size: 1.05rem;
        color: #d6d0cb;
      }
      ul.grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr));
        gap: 0.6rem;
        margin: 0;
        padding: 0;
        list-style: none;
      }
      /* Tiles of a row as tall as the tallest. */
      ul.grid > li {
        display: grid;
      }
      .tile {
        --tone: #b0b0b0;
        box-sizing: border-box;
        width: 100%;
        min-height: 7rem;
        display: grid;
        align-content: start;
        justify-items: start;
        gap: 0.25rem;
        padding: 0.6rem 0.7rem 0.6rem 0.9rem;
        font: inherit;
        text-align: start;
        color: #f4f1ee;
        background: ${unsafeCSS(TILE_BACKGROUND)};
        border: 2px solid #3a3a3a;
        border-inline-start: 8px solid var(--tone);
        border-radius: 0.6rem;
        cursor: pointer;
      }
      .tile:focus-visible {
        outline: 3px solid #f4f1ee;
        outline-offset: 2px;
      }
      .tile[data-state='attention'] {
        background: ${unsafeCSS(ATTENTION_BACKGROUND)};
        border-color: var(--tone);
      }
      .label {
        font-size: 1.6rem;
        font-weight: 700;
        line-height: 1.1;
      }
      .state {
        display: inline-flex;
        align-items: center;
        gap: 0.3rem;
        font-weight: 700;
        color: var(--tone);
      }
      .meta {
        color: #e2ddd8;
        font-size: 0.95rem;
      }
      .badges {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem;
      }
      .badge {
        padding: 0.1rem 0.45rem;
        border-radius: 0.3rem;
        font-size: 0.85rem;
        font-weight: 700;
        background: #ffc266;
        color: #1b1b1b;
      }
      .badge.guest {
        background: #8ab4f8;
      }
      .muted {
        margin: 0;
        color: #c9c2bc;
      }
      .vh {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
        white-space: nowrap;
      }
    `,
    unsafeCSS(stateRules),
  ];

  /** The section "My section" would show, when the server has one the venue still lists. */
  get #mySection(): TeamSection | undefined {
    return this.sectionId === null ? undefined : this.sections.find((s) => s.id === this.sectionId);
  }

  override render() {
    const views = tableViewsOf(
      {
        tables: this.tables,
        orders: this.orders,
        tickets: this.tickets,
        requests: this.requests,
        approval: this.approval,
      },
      this.clock(),
    );
    const mySection = this.#mySection;
    const only = this.mine && mySection ? mySection.id : null;
    const groups = groupsOf(views, this.sections, only);
    const shown = groups.flatMap((g) => g.tables);
    return html`<div class="bar">
        ${this.#summary(shown)}
        ${
          mySection
            ? html`<button
                type="button"
                class="filter"
                aria-pressed=${only !== null ? 'true' : 'false'}
                @click=${() => {
                  this.mine = !this.mine;
                }}
              >
                My section: ${mySection.name}
              </button>`
            : nothing
        }
      </div>
      ${
        this.tables.length === 0
          ? html`<p class="muted">No tables on this device yet: they arrive with the first sync.</p>`
          : shown.length === 0
            ? html`<p class="muted">No tables in your section.</p>`
            : groups.map((group, i) => this.#group(group, i))
      }`;
  }

  /** How many tables are in each state, most urgent first (states with none left out). */
  #summary(views: readonly TableView[]) {
    const counts = STATE_PRECEDENCE.map(
      (state) => [state, views.filter((v) => v.state === state).length] as const,
    ).filter(([, n]) => n > 0);
    return html`<ul class="summary" aria-label="Tables by state">
      ${counts.map(
        ([state, n]) =>
          html`<li data-state=${state}>${ICONS[state]}${STATE_WORDS[state]}: ${n}</li>`,
      )}
    </ul>`;
  }

  #group(group: FloorGroup, index: number) {
    const id = `group-${index}`;
    return html`<section aria-labelledby=${id}>
      <h2 id=${id}>${group.name}</h2>
      <ul class="grid">
        ${group.tables.map((view) => html`<li>${this.#tile(view)}</li>`)}
      </ul>
    </section>`;
  }

  #tile(view: TableView) {
    const { table, state } = view;
    const meta =
      view.minutes === null
        ? `${table.seats} ${table.seats === 1 ? 'seat' : 'seats'}`
        : [
            formatSeated(view.minutes),
            view.covers > 0 ? `${view.covers} ${view.covers === 1 ? 'cover' : 'covers'}` : null,
          ]
            .filter(Boolean)
            .join(' · ');
    const badges = [
      ...view.requestKinds.map((kind) => html`<span class="badge">${REQUEST_WORDS[kind]}</span>`),
      view.guestOrderWaiting ? html`<span class="badge guest">Guest order to approve</span>` : null,
    ].filter(Boolean);
    return html`<button
      type="button"
      class="tile"
      data-table=${table.id}
      data-state=${state}
      @click=${() => this.#open(table.id)}
    >
      <span class="label"><span class="vh">Table </span>${table.label}</span>
      <span class="state">${ICONS[state]}${STATE_WORDS[state]}</span>
      <span class="meta" data-meta>${meta}</span>
      ${badges.length > 0 ? html`<span class="badges">${badges}</span>` : nothing}
    </button>`;
  }

  #open(tableId: string): void {
    this.dispatchEvent(
      new CustomEvent('hearth-open-table', { detail: tableId, bubbles: true, composed: true }),
    );
  }
}

customElements.define('hearth-floor-plan', FloorPlan);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-floor-plan': FloorPlan;
  }
}
