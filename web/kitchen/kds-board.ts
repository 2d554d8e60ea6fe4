import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import type { Settings, Ticket } from '#protocol';
import { type Board, boardOf, type Card, formatAge, type StationChoice } from './board.ts';
import { KdsController, KEY_ACTIONS, type Submit } from './kds-controller.ts';
import type { KdsStatus } from './kds-status.ts';
import './ticket-card.ts';
import type { LineTap } from './ticket-card.ts';

/** A card's width on the grid; the page holds as many columns as fit. */
export const CARD_MIN_WIDTH = 280;
/** A card's least height: a row of cards per this much of the board's height. */
export const CARD_MIN_HEIGHT = 320;

/** Columns and rows of cards that fit a board of this size. */
export function gridFor(width: number, height: number): { columns: number; rows: number } {
  return {
    columns: Math.max(1, Math.floor(width / CARD_MIN_WIDTH)),
    rows: Math.max(1, Math.min(3, Math.floor(height / CARD_MIN_HEIGHT))),
  };
}

/**
 * `<hearth-kds-board>`: the station's tickets as pages of cards (as many as the screen holds;
 * PgUp/PgDn or the page buttons move between them), the status line, the all-day panel, the
 * recently bumped list and the undo offer. Given the tickets, settings, station and venue time;
 * its actions go to `submit`. Keys work from anywhere on the page (a bump bar types them).
 */
export class KdsBoard extends LitElement {
  static override properties = {
    tickets: { attribute: false },
    settings: { attribute: false },
    station: { attribute: false },
    now: { type: Number },
    status: { attribute: false },
    submit: { attribute: false },
    clock: { attribute: false },
    stationLabel: { type: String },
    openedAt: { type: Number },
  };

  declare tickets: readonly Ticket[];
  declare settings: Pick<Settings, 'kitchenTimers' | 'stations'> | undefined;
  declare station: StationChoice;
  /** Venue time, ms. */
  declare now: number;
  declare status: KdsStatus | undefined;
  declare submit: Submit;
  /** Device time, ms (undo windows). */
  declare clock: () => number;
  declare stationLabel: string;
  /** Venue time (ms) the display opened: tickets fired since are news (they flash). */
  declare openedAt: number;

  readonly kds: KdsController;
  #columns = 4;
  /** The cards of the page on screen, by key, as last rendered. */
  #rendered = new Map<string, { json: string; card: Card }>();
  #resize: ResizeObserver | undefined;
  readonly #onKey = (event: KeyboardEvent) => this.#key(event);
  /** Kiosk: a long press opens no menu (and so no "open in new tab" off the board). */
  readonly #noMenu = (event: Event) => event.preventDefault();

  constructor() {
    super();
    this.tickets = [];
    this.settings = undefined;
    this.station = { kind: 'expo' };
    this.now = Date.now();
    this.status = undefined;
    this.submit = async () => undefined;
    this.clock = () => Date.now();
    this.stationLabel = '';
    this.openedAt = Number.NEGATIVE_INFINITY;
    this.kds = new KdsController(this, {
      submit: (label, type, payload) => this.submit(label, type, payload),
      clock: () => this.clock(),
      chime,
    });
  }

  static override styles = css`
    :host {
      display: grid;
      grid-template-rows: auto auto 1fr auto;
      gap: 0.5rem;
      height: 100%;
      min-height: 0;
      color: #f4f1ee;
      user-select: none;
      -webkit-user-select: none;
      -webkit-touch-callout: none;
    }
    .bar {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: center;
      font-size: 0.85rem;
    }
    .bar h2 {
      margin: 0 auto 0 0;
      font-size: 1.25rem;
    }
    button {
      min-height: 48px;
      min-width: 48px;
      padding: 0 0.8rem;
      font: inherit;
      font-weight: 700;
      border-radius: 0.4rem;
      border: 0.15rem solid #f4f1ee;
      background: #2b2b2b;
      color: #f4f1ee;
      cursor: pointer;
      touch-action: manipulation;
    }
    kbd {
      font: inherit;
      font-size: 0.75em;
      padding: 0 0.25rem;
      border: 0.1rem solid currentColor;
      border-radius: 0.2rem;
    }
    button:disabled {
      opacity: 0.6;
      cursor: default;
    }
    button[aria-pressed='true'] {
      background: #f4f1ee;
      color: #101010;
    }
    .status {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem 1rem;
      padding: 0.4rem 0.7rem;
      border-radius: 0.4rem;
      border-left: 0.5rem solid #58c27d;
      background: #1d1d1d;
    }
    .status[data-tone='warn'] {
      border-left-color: #f0b429;
    }
    .status[data-tone='alarm'] {
      border-left-color: #ff6b5b;
    }
    .status .headline {
      font-weight: 800;
    }
    .alarm {
      flex-basis: 100%;
      padding: 0.6rem;
      border-radius: 0.3rem;
      background: #ff6b5b;
      color: #101010;
      font-size: 1.5rem;
      font-weight: 900;
    }
    .grid {
      /* Rows by number: without a status line the cards still take the 1fr row. */
      grid-row: 3;
      display: grid;
      gap: 0.6rem;
      min-height: 0;
    }
    .empty {
      display: grid;
      place-items: center;
      font-size: 1.6rem;
      color: #cfc8c3;
    }
    .side {
      grid-row: 4;
      display: grid;
      grid-template-columns: 1fr;
      gap: 0.5rem;
    }
    .panel {
      padding: 0.5rem 0.8rem;
      border-radius: 0.4rem;
      background: #1d1d1d;
    }
    .panel h3 {
      margin: 0 0 0.3rem;
      font-size: 1rem;
    }
    .all-day {
      display: flex;
      flex-wrap: wrap;
      gap: 0.3rem 1.2rem;
      margin: 0;
      padding: 0;
      list-style: none;
      font-size: 1.15rem;
      font-weight: 700;
    }
    .recent {
      margin: 0;
      padding: 0;
      list-style: none;
      display: grid;
      gap: 0.3rem;
      max-height: 40vh;
      overflow-y: auto;
    }
    .recent button {
      width: 100%;
      text-align: left;
    }
    .undo {
      display: flex;
      gap: 1rem;
      align-items: center;
      justify-content: space-between;
      padding: 0.4rem 0.7rem;
      border-radius: 0.4rem;
      background: #f4f1ee;
      color: #101010;
      font-weight: 800;
    }
    .undo button {
      background: #101010;
      color: #f4f1ee;
    }
    .pages {
      font-variant-numeric: tabular-nums;
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.#onKey);
    window.addEventListener('contextmenu', this.#noMenu);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.#onKey);
    window.removeEventListener('contextmenu', this.#noMenu);
    this.#resize?.disconnect();
    this.#resize = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (
      changed.has('tickets') ||
      changed.has('settings') ||
      changed.has('station') ||
      changed.has('now')
    ) {
      this.kds.setBoard(
        boardOf({
          tickets: this.tickets,
          station: this.station,
          settings: this.settings,
          now: this.now,
        }),
        this.station,
        this.openedAt,
      );
    }
  }

  protected override firstUpdated(): void {
    const grid = this.renderRoot.querySelector<HTMLElement>('.grid');
    if (!grid || typeof ResizeObserver === 'undefined') return;
    this.#resize = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const { columns, rows } = gridFor(entry.contentRect.width, entry.contentRect.height);
      this.#columns = columns;
      this.kds.setPageSize(columns * rows);
    });
    this.#resize.observe(grid);
  }

  /** The board the display shows now (for tests and the screenshot script). */
  get board(): Board {
    return this.kds.board;
  }

  #key(event: KeyboardEvent): void {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.composedPath()[0];
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return;
    const digit = /^[1-9]$/.test(event.key) ? Number(event.key) : 0;
    if (digit > 0) {
      const card = this.kds.selected;
      // Numbered as the card shows them: each share's lines, its add-ons last.
      const line = card?.sections.flatMap((s) => [
        ...s.lines.filter((l) => !l.addOn),
        ...s.lines.filter((l) => l.addOn),
      ])[digit - 1];
      if (card && line) void this.kds.bumpLine(card, line);
      event.preventDefault();
      return;
    }
    const action = KEY_ACTIONS[event.key];
    if (!action) return;
    // Enter and Space on a focused button press that button instead.
    if ((event.key === 'Enter' || event.key === ' ') && target instanceof HTMLButtonElement) return;
    if (this.kds.key(action, this.#columns)) event.preventDefault();
  }

  override render() {
    const kds = this.kds;
    const board = kds.board;
    const cards = kds.pageCards;
    const onPage = new Set(cards.map((card) => card.key));
    for (const key of this.#rendered.keys()) if (!onPage.has(key)) this.#rendered.delete(key);
    const undo = kds.undo;
    const columns = Math.max(1, Math.min(this.#columns, kds.pageSize));
    const rows = Math.max(1, Math.ceil(kds.pageSize / columns));
    return html`
      <div class="bar">
        <h2>${this.stationLabel} <span class="pages">· ${board.cards.length} open</span></h2>
        <button type="button" aria-pressed=${kds.allDayOpen ? 'true' : 'false'} @click=${() => kds.key('allDay', 0)}>
          All day <kbd>S</kbd>
        </button>
        <button type="button" aria-pressed=${kds.recentOpen ? 'true' : 'false'} @click=${() => kds.key('recent', 0)}>
          Bumped <kbd>L</kbd>
        </button>
        <button type="button" ?disabled=${board.recent.length === 0} @click=${() => void kds.recall()}>
          Recall <kbd>R</kbd>
        </button>
        <button type="button" aria-pressed=${kds.soundOn ? 'true' : 'false'} @click=${() => kds.key('sound', 0)}>
          Sound
        </button>
        <button type="button" aria-label="Previous page" ?disabled=${kds.page === 0} @click=${() => kds.key('pageUp', 0)}>◀</button>
        <span class="pages" data-page=${kds.page + 1}>${kds.page + 1}/${kds.pageCount}</span>
        <button type="button" aria-label="Next page" ?disabled=${kds.page + 1 >= kds.pageCount} @click=${() => kds.key('pageDown', 0)}>▶</button>
        <slot name="actions"></slot>
      </div>
      ${this.#status()}
      <!-- One grid element whether empty or not: the ResizeObserver (firstUpdated) watches it;
           a replaced one would report 0×0 once detached, and the page would hold one card. -->
      <div
        class=${board.cards.length === 0 ? 'grid empty' : 'grid'}
        data-tickets=${board.cards.length}
        style=${
          board.cards.length === 0
            ? ''
            : `grid-template-columns: repeat(${columns}, minmax(0, 1fr)); grid-template-rows: repeat(${rows}, minmax(0, 1fr));`
        }
      >
        ${
          board.cards.length === 0
            ? html`<p>No open tickets</p>`
            : cards.map((card) => this.#card(this.#stable(card)))
        }
      </div>
      <div class="side">
        ${
          undo
            ? html`<div class="undo" role="status">
                <span>${undo.label} — undo for ${Math.max(0, Math.ceil((undo.until - this.clock()) / 1000))} s</span>
                <button type="button" @click=${() => void kds.undoLast()}>Undo (U)</button>
              </div>`
            : nothing
        }
        ${kds.allDayOpen ? this.#allDay() : nothing}
        ${kds.recentOpen ? this.#recent() : nothing}
      </div>
    `;
  }

  #status() {
    const status = this.status;
    if (!status) return nothing;
    return html`<div class="status" role="status" aria-live="polite" data-tone=${status.tone}>
      <span class="headline">${status.headline}</span>
      ${status.details.map((d) => html`<span>${d}</span>`)}
      ${status.alarm ? html`<div class="alarm" role="alert">${status.alarm}</div>` : nothing}
    </div>`;
  }

  #card(card: Card) {
    const kds = this.kds;
    return html`<hearth-ticket-card
      .card=${card}
      .unseen=${card.sections
        .flatMap((section) => section.lines)
        .filter((line) => line.addOn && kds.isUnseen(line))
        .map((line) => `${line.ticketId}/${line.lineId}`)
        .join(' ')}
      ?selected=${kds.selected?.key === card.key}
      ?fresh=${kds.isNew(card)}
      ?expo=${this.station.kind === 'expo'}
      @hearth-touch=${() => kds.touch(card)}
      @hearth-bump=${() => void kds.bump(card)}
      @hearth-start=${() => void kds.start(card)}
      @hearth-ack=${() => void kds.acknowledge(card)}
      @hearth-fire=${() => void kds.fire(card)}
      @hearth-line=${(e: CustomEvent<LineTap>) => void kds.bumpLine(e.detail.card, e.detail.line)}
    ></hearth-ticket-card>`;
  }

  /**
   * The card object last rendered for this key when nothing on it changed: the board is rebuilt
   * on every update, and a new but equal object would render every card of the page again.
   */
  #stable(card: Card): Card {
    const previous = this.#rendered.get(card.key);
    // boardOf reuses the objects of unchanged cards: most of a page is this cheap check.
    if (previous?.card === card) return card;
    const json = JSON.stringify(card);
    if (previous?.json === json) return previous.card;
    this.#rendered.set(card.key, { json, card });
    return card;
  }

  #allDay() {
    const counts = this.kds.board.allDay;
    return html`<section class="panel" aria-label="All day">
      <h3>All day</h3>
      ${
        counts.length === 0
          ? html`<p>Nothing to cook.</p>`
          : html`<ul class="all-day">
              ${counts.map((c) => html`<li data-item=${c.name}>${c.quantity} × ${c.name}</li>`)}
            </ul>`
      }
    </section>`;
  }

  #recent() {
    const recent = this.kds.board.recent;
    return html`<section class="panel" aria-label="Recently bumped">
      <h3>Recently bumped (last ${recent.length}, 15 min)</h3>
      ${
        recent.length === 0
          ? html`<p>Nothing bumped in the last 15 minutes.</p>`
          : html`<ol class="recent">
              ${recent.map(
                (entry) => html`<li>
                  <button type="button" data-recall=${entry.key} @click=${() => void this.kds.recall(entry)}>
                    Recall #${entry.number} ${entry.table ? `· Table ${entry.table}` : ''} ·
                    ${formatAge(this.now - entry.at)} ago — ${entry.summary}
                  </button>
                </li>`,
              )}
            </ol>`
      }
    </section>`;
  }
}

/** A short two-tone chime for a new ticket (Web Audio; no file to load). */
function chime(): void {
  const Context = window.AudioContext;
  if (!Context) return;
  const context = new Context();
  const at = context.currentTime;
  for (const [i, freq] of [880, 1320].entries()) {
    const osc = context.createOscillator();
    const gain = context.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.2, at + i * 0.15);
    gain.gain.exponentialRampToValueAtTime(0.001, at + i * 0.15 + 0.14);
    osc.connect(gain).connect(context.destination);
    osc.start(at + i * 0.15);
    osc.stop(at + i * 0.15 + 0.15);
  }
  setTimeout(() => void context.close(), 500);
}

customElements.define('hearth-kds-board', KdsBoard);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-kds-board': KdsBoard;
  }
}
