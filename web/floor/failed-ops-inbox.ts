import { css, html, LitElement, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { OutboxEntry } from '../device/outbox-types.ts';
import { Announcer } from '../guest/announcer.ts';
import { countWords, type FailedRow, failedRowsOf, type Names } from './failed-ops-state.ts';
import { floorStyles } from './floor-styles.ts';

/**
 * `<hearth-failed-ops>`: this device's failed ops, oldest first, each with what it was, when,
 * who made it, why it failed in plain words and what to do. Retry (only where sending again can
 * help) fires `hearth-retry`, Discard fires `hearth-discard`; both bubble, are composed and carry
 * the opId as `detail`. The page asks the outbox and passes the entries it then holds.
 *
 * ```ts
 * html`<hearth-failed-ops
 *   .entries=${entries} .names=${names} .now=${Date.now()}
 *   @hearth-retry=${(e: CustomEvent<string>) => outbox.retry(e.detail)}
 *   @hearth-discard=${(e: CustomEvent<string>) => outbox.discard(e.detail)}
 * ></hearth-failed-ops>`
 * ```
 */
export class FailedOpsInbox extends LitElement {
  static override properties = {
    entries: { attribute: false },
    names: { attribute: false },
    now: { attribute: false },
  };

  /** The device's outbox entries; only the failed ones show. */
  declare entries: readonly OutboxEntry[];
  /** Display names by id: staff by actor id, tables, orders and dishes by theirs. */
  declare names: Names;
  /** Device time (ms) ages are measured against. */
  declare now: number;

  static override styles = [
    floorStyles,
    css`
      p {
        margin: 0;
      }
      .what {
        font-weight: 700;
        font-size: 1.05rem;
      }
      .reason {
        color: var(--floor-bad);
        font-weight: 700;
      }
      .action {
        font-weight: 600;
      }
    `,
  ];

  readonly #announcer = new Announcer(this);
  #rows: FailedRow[] = [];
  /** The op whose button was pressed: its card goes, and the focus moves to the next one. */
  #pressedAt: number | undefined;

  constructor() {
    super();
    this.entries = [];
    this.names = new Map();
    this.now = Date.now();
  }

  protected override willUpdate(): void {
    this.#rows = failedRowsOf(this.entries, this.names, this.now);
  }

  protected override updated(): void {
    if (this.#pressedAt === undefined) return;
    const cards = [...this.renderRoot.querySelectorAll<HTMLElement>('[data-op]')];
    const pressed = this.shadowRoot?.activeElement;
    // Still there (the page has not answered yet): leave the focus where it is.
    if (pressed && pressed !== this) return;
    const at = Math.min(this.#pressedAt, cards.length - 1);
    this.#pressedAt = undefined;
    const target =
      cards[at]?.querySelector<HTMLElement>('button') ??
      this.renderRoot.querySelector<HTMLElement>('h2');
    target?.focus();
  }

  override render() {
    const rows = this.#rows;
    return html`<h2 tabindex="-1">Changes that failed to sync</h2>
      <p class="muted" data-count>${countWords(rows.length)}</p>
      ${
        rows.length === 0
          ? html`<p data-empty>Every change this device made has gone through or is waiting to go: there is nothing to fix.</p>`
          : html`<ul>
              ${repeat(
                rows,
                (row) => row.opId,
                (row, i) => this.#card(row, i),
              )}
            </ul>`
      }
      <p class="visually-hidden" role="status" aria-live="polite">${this.#announcer.text}</p>`;
  }

  #card(row: FailedRow, index: number) {
    const id = `op-${row.opId}`;
    return html`<li class="card" data-op=${row.opId} aria-labelledby="${id}-what">
      <p class="what" id="${id}-what">${row.what}</p>
      <p class="muted">${row.whenText} · by ${row.who}</p>
      <p class="reason" id="${id}-reason">${row.reason}.</p>
      <p class="action">${row.action}</p>
      ${
        row.detail && row.detail !== row.code
          ? html`<p class="muted">The server said: “${row.detail}”</p>`
          : nothing
      }
      <div class="actions">
        ${
          row.retryable
            ? html`<button
                type="button"
                data-action="retry"
                aria-label="Retry: ${row.what}"
                @click=${() => this.#fire('hearth-retry', row, index, 'sent again')}
              >
                Retry
              </button>`
            : nothing
        }
        <button
          type="button"
          class="secondary"
          data-action="discard"
          aria-label="Discard: ${row.what}"
          @click=${() => this.#fire('hearth-discard', row, index, 'discarded')}
        >
          Discard
        </button>
      </div>
    </li>`;
  }

  #fire(type: 'hearth-retry' | 'hearth-discard', row: FailedRow, index: number, done: string) {
    this.#pressedAt = index;
    this.dispatchEvent(new CustomEvent(type, { detail: row.opId, bubbles: true, composed: true }));
    this.#announcer.say(`${row.what}: ${done}`);
  }
}

customElements.define('hearth-failed-ops', FailedOpsInbox);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-failed-ops': FailedOpsInbox;
  }
  interface HTMLElementEventMap {
    'hearth-retry': CustomEvent<string>;
    'hearth-discard': CustomEvent<string>;
  }
}
