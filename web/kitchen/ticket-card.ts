import { css, html, LitElement, nothing } from 'lit';
import { classMap } from 'lit/directives/class-map.js';
import { type Card, type CardLine, type CardSection, formatAge, type Tone } from './board.ts';

/** The word beside the colour: a tone is never told by colour alone. */
export const TONE_WORD: Readonly<Record<Tone, string>> = {
  held: 'HELD',
  ok: '',
  warn: 'WARN',
  late: 'LATE',
  ready: 'READY',
};

export interface LineTap {
  readonly card: Card;
  readonly line: CardLine;
}

/**
 * `<hearth-ticket-card .card .selected .fresh .unseen>`: one ticket (prep) or one order (expo).
 * Every property is a value that changes only when what it shows does, so of a page of cards
 * only the changed one renders again.
 * Number, table, server, covers, course, the two clocks with their minutes in words, items with
 * modifiers and notes (allergy notes with a ⚠ and the word), ADD-ON lines, struck-through voids,
 * VOID / CHANGED / HELD across the card. Every action is a ≥ 48 px button that fires an event
 * the board turns into an op: `hearth-bump`, `hearth-start`, `hearth-line`, `hearth-ack`,
 * `hearth-fire`, `hearth-touch`.
 */
export class TicketCard extends LitElement {
  static override properties = {
    card: { attribute: false },
    selected: { type: Boolean, reflect: true },
    fresh: { type: Boolean, reflect: true },
    unseen: { attribute: false },
    expo: { type: Boolean },
  };

  declare card: Card | undefined;
  declare selected: boolean;
  /** A new ticket no one has touched: it flashes. */
  declare fresh: boolean;
  /** Keys (`ticketId/lineId`) of add-on lines no one has touched yet, joined by spaces. */
  declare unseen: string;
  declare expo: boolean;

  constructor() {
    super();
    this.selected = false;
    this.fresh = false;
    this.expo = false;
    this.unseen = '';
  }

  static override styles = css`
    :host {
      display: block;
      min-width: 0;
      min-height: 0;
    }
    article {
      box-sizing: border-box;
      height: 100%;
      display: flex;
      flex-direction: column;
      border-radius: 0.5rem;
      background: #1d1d1d;
      color: #f4f1ee;
      border: 0.3rem solid #3a3a3a;
      border-top-width: 0.9rem;
      overflow: hidden;
      position: relative;
    }
    :host([selected]) article {
      outline: 0.25rem solid #ffffff;
      outline-offset: 0.15rem;
    }
    :host([fresh]) article {
      animation: flash 1s steps(2, jump-none) infinite;
    }
    @keyframes flash {
      from {
        box-shadow: 0 0 0 0.35rem #5bc0ff;
      }
      to {
        box-shadow: none;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      :host([fresh]) article {
        animation: none;
        box-shadow: 0 0 0 0.35rem #5bc0ff;
      }
    }
    .tone-ok {
      border-color: #2f8f55;
    }
    .tone-warn {
      border-color: #f0b429;
    }
    .tone-late {
      border-color: #ff6b5b;
      border-style: solid;
      border-width: 0.45rem;
      border-top-width: 0.9rem;
    }
    .tone-ready {
      border-color: #58c27d;
      background: #123b22;
    }
    .tone-held {
      border-color: #6e6e6e;
      border-style: dashed;
      color: #c9c4c0;
      background: #262626;
    }
    header {
      display: grid;
      grid-template-columns: auto 1fr auto;
      align-items: baseline;
      gap: 0.5rem;
      padding: 0.4rem 0.6rem 0.2rem;
    }
    .number {
      font-size: 1.3rem;
      font-weight: 800;
    }
    .table {
      font-size: 1.15rem;
      font-weight: 700;
    }
    .age {
      font-variant-numeric: tabular-nums;
      font-size: 1.3rem;
      font-weight: 800;
      text-align: right;
    }
    .tone-word {
      display: inline-block;
      margin-left: 0.3rem;
      padding: 0 0.3rem;
      border-radius: 0.2rem;
      font-size: 0.85rem;
      background: #f4f1ee;
      color: #101010;
    }
    .meta,
    .also {
      padding: 0 0.6rem;
      font-size: 0.85rem;
      color: #cfc8c3;
    }
    .also {
      font-weight: 700;
      color: #ffd7a8;
    }
    .flag {
      margin: 0.3rem 0.6rem;
      padding: 0.3rem 0.5rem;
      border-radius: 0.3rem;
      font-weight: 800;
      display: flex;
      justify-content: space-between;
      align-items: center;
      gap: 0.5rem;
    }
    .flag.void {
      background: #ff6b5b;
      color: #101010;
      font-size: 1.4rem;
      letter-spacing: 0.2em;
    }
    .flag.change {
      background: #f0b429;
      color: #101010;
    }
    .flag.held {
      background: #3a3a3a;
      color: #f4f1ee;
    }
    .lines {
      flex: 1;
      overflow-y: auto;
      margin: 0;
      padding: 0.2rem 0.4rem;
      list-style: none;
      overscroll-behavior: contain;
    }
    .station {
      margin: 0.4rem 0.2rem 0.1rem;
      font-size: 0.8rem;
      font-weight: 800;
      letter-spacing: 0.08em;
      text-transform: uppercase;
      color: #cfc8c3;
    }
    .station[data-status='ready'],
    .station[data-status='bumped'] {
      color: #8fe0a9;
    }
    .addon {
      margin: 0.3rem 0.2rem;
      border-top: 0.15rem dashed #5bc0ff;
      color: #5bc0ff;
      font-weight: 800;
      font-size: 0.8rem;
      letter-spacing: 0.1em;
    }
    button.line {
      all: unset;
      box-sizing: border-box;
      display: grid;
      grid-template-columns: 1.6rem 1fr;
      gap: 0.3rem;
      width: 100%;
      min-height: 48px;
      padding: 0.3rem 0.3rem;
      border-radius: 0.3rem;
      cursor: pointer;
      font-size: 1.05rem;
    }
    button.line:focus-visible {
      outline: 0.2rem solid #5bc0ff;
    }
    .tick {
      font-weight: 800;
    }
    .line.ready .name {
      text-decoration: line-through;
      text-decoration-thickness: 0.1rem;
      opacity: 0.75;
    }
    .line.voided .name {
      text-decoration: line-through;
      text-decoration-thickness: 0.2rem;
      color: #ff9a8f;
    }
    /* An add-on no one has touched yet flashes, as a new ticket does. */
    .line.unseen {
      background: #0d3550;
      animation: flash-line 1s steps(2, jump-none) infinite;
    }
    @keyframes flash-line {
      from {
        box-shadow: inset 0 0 0 0.2rem #5bc0ff;
      }
      to {
        box-shadow: none;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .line.unseen {
        animation: none;
        box-shadow: inset 0 0 0 0.2rem #5bc0ff;
      }
    }
    .qty {
      font-weight: 800;
    }
    .mods {
      display: block;
      font-size: 0.9rem;
      color: #cfc8c3;
    }
    .note {
      display: block;
      font-size: 0.9rem;
      font-style: italic;
    }
    .note.allergy {
      font-style: normal;
      font-weight: 800;
      color: #101010;
      background: #ffd23f;
      border: 0.15rem solid #101010;
      border-radius: 0.2rem;
      padding: 0 0.25rem;
    }
    .more {
      display: none;
      padding: 0.15rem 0.6rem;
      font-size: 0.85rem;
      font-weight: 800;
      color: #101010;
      background: #cfc8c3;
    }
    :host([overflowing]) .more {
      display: block;
    }
    footer {
      display: flex;
      gap: 0.4rem;
      padding: 0.4rem;
    }
    footer button,
    .flag button {
      flex: 1;
      min-height: 48px;
      min-width: 48px;
      font: inherit;
      font-weight: 800;
      border-radius: 0.4rem;
      border: 0.15rem solid #f4f1ee;
      background: #2b2b2b;
      color: #f4f1ee;
      cursor: pointer;
      touch-action: manipulation;
    }
    .flag button {
      flex: 0 0 auto;
      padding: 0 0.6rem;
      border-color: #101010;
      background: #101010;
    }
    footer button.bump {
      background: #f4f1ee;
      color: #101010;
    }
  `;

  #measuring = 0;

  protected override updated(): void {
    // Measured in the next frame, where the layout is the one the frame paints anyway (in
    // updated() it would force one more layout per card).
    if (this.#measuring) return;
    this.#measuring = requestAnimationFrame(() => {
      this.#measuring = 0;
      this.#measure();
    });
  }

  /** Marks a card whose items do not all fit (`[overflowing]`): "▼ more items" shows. */
  #measure(): void {
    const list = this.renderRoot.querySelector<HTMLElement>('.lines');
    if (!list) return;
    const hidden = list.scrollHeight - list.scrollTop - list.clientHeight > 2;
    if (hidden !== this.hasAttribute('overflowing')) this.toggleAttribute('overflowing', hidden);
  }

  #emit(name: string, detail: unknown = this.card): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  override render() {
    const card = this.card;
    if (!card) return nothing;
    const word = TONE_WORD[card.tone];
    const ageLabel = card.held
      ? `held ${formatAge(card.sinceFiredMs)}`
      : formatAge(card.sinceFiredMs);
    const label = [
      `Ticket ${card.number}`,
      card.table ? `table ${card.table}` : 'no table',
      card.held ? 'held' : `${formatAge(card.sinceFiredMs)} since fired`,
      word ? word.toLowerCase() : '',
    ]
      .filter(Boolean)
      .join(', ');
    return html`<article
      class=${`tone-${card.tone}`}
      aria-label=${label}
      data-card=${card.key}
      data-tone=${card.tone}
      @pointerdown=${() => this.#emit('hearth-touch')}
    >
      <header>
        <span class="number">#${card.number}</span>
        <span class="table">${card.table ? `Table ${card.table}` : 'No table'}</span>
        <span class="age" data-clock="fired">${ageLabel}${
          word && !card.held ? html`<span class="tone-word">${word}</span>` : nothing
        }</span>
      </header>
      <div class="meta">
        ${[
          card.server,
          card.covers === null ? null : `${card.covers} ${card.covers === 1 ? 'cover' : 'covers'}`,
          `Course ${card.course}`,
        ]
          .filter(Boolean)
          .join(' · ')}
        · <span data-clock="started">${
          card.sinceStartedMs === null ? 'not started' : `started ${formatAge(card.sinceStartedMs)}`
        }</span>
      </div>
      ${card.alsoAt.length > 0 ? html`<div class="also">ALSO AT: ${card.alsoAt.join(', ')}</div>` : nothing}
      ${this.#flag(card)}
      <ol class="lines" @scroll=${() => this.#measure()}>
        ${card.sections.map((section) => this.#section(card, section))}
      </ol>
      <div class="more" aria-hidden="true">▼ more items — scroll</div>
      ${this.#actions(card)}
    </article>`;
  }

  #flag(card: Card) {
    if (card.attention === 'void' || (card.voided && card.attention)) {
      return html`<div class="flag void" role="alert">
        VOID
        <button type="button" @click=${() => this.#emit('hearth-ack')}>Seen</button>
      </div>`;
    }
    if (card.attention === 'change') {
      return html`<div class="flag change" role="alert">
        CHANGED — a line was voided
        <button type="button" @click=${() => this.#emit('hearth-ack')}>Seen</button>
      </div>`;
    }
    if (card.held) {
      return html`<div class="flag held">
        HELD — course ${card.course}
        <button type="button" @click=${() => this.#emit('hearth-fire')}>Fire</button>
      </div>`;
    }
    return nothing;
  }

  #section(card: Card, section: CardSection) {
    const heading = this.expo
      ? html`<li class="station" data-status=${section.status}>
          ${section.stationName}${section.status === 'ready' || section.status === 'bumped' ? ' ✓ ready' : ''}
        </li>`
      : nothing;
    const first = section.lines.filter((l) => !l.addOn);
    const added = section.lines.filter((l) => l.addOn);
    return html`${heading}${first.map((line) => this.#line(card, line))}
    ${added.length > 0 ? html`<li class="addon">ADD-ON</li>${added.map((line) => this.#line(card, line))}` : nothing}`;
  }

  #line(card: Card, line: CardLine) {
    const unseen = line.addOn && this.unseen.split(' ').includes(`${line.ticketId}/${line.lineId}`);
    return html`<li>
      <button
        type="button"
        class=${classMap({ line: true, ready: line.ready, voided: line.voided, unseen })}
        data-line=${line.lineId}
        aria-pressed=${line.ready ? 'true' : 'false'}
        ?disabled=${line.voided || card.held}
        @click=${() => this.#emit('hearth-line', { card, line } satisfies LineTap)}
      >
        <span class="tick" aria-hidden="true">${line.voided ? '✕' : line.ready ? '✓' : '○'}</span>
        <span>
          <span class="name"><span class="qty">${line.quantity} ×</span> ${line.name}</span>
          ${line.voided ? html`<strong> VOIDED</strong>` : nothing}
          ${line.modifiers.length > 0 ? html`<span class="mods">${line.modifiers.join(', ')}</span>` : nothing}
          ${
            line.note
              ? html`<span class=${classMap({ note: true, allergy: line.allergy })}
                  >${line.allergy ? '⚠ ALLERGY: ' : ''}${line.note}</span
                >`
              : nothing
          }
        </span>
      </button>
    </li>`;
  }

  #actions(card: Card) {
    // A voided card's only action is the VOID flag's "Seen".
    if (card.held || card.voided) return nothing;
    const startable = card.sections.some((s) => s.status === 'queued');
    return html`<footer>
      ${
        startable && !this.expo
          ? html`<button type="button" class="start" @click=${() => this.#emit('hearth-start')}>
              Start
            </button>`
          : nothing
      }
      <button type="button" class="bump" @click=${() => this.#emit('hearth-bump')}>Bump</button>
    </footer>`;
  }
}

customElements.define('hearth-ticket-card', TicketCard);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-ticket-card': TicketCard;
  }
}
