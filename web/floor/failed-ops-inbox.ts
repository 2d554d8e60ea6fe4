import { css, html, LitElement, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Order, StaffRole } from '#protocol';
import type { OutboxEntry } from '../device/outbox-types.ts';
import { Announcer } from '../guest/announcer.ts';
import { moneyFormat } from '../guest/money-format.ts';
import {
  countWords,
  DECLINED_LATER_ACTION,
  type FailedRow,
  failedRowsOf,
  type Names,
  type PaymentTaskRow,
  paymentTasksOf,
  type TaskPayment,
  taskCountWords,
} from './failed-ops-state.ts';
import { type FloorOpState, type FloorSubmit, OpMarks } from './floor-ops.ts';
import { floorStyles } from './floor-styles.ts';

/** The local view's card payments with a follow-up task, and the checks they were on. */
export interface PaymentTasksInput {
  readonly payments: readonly TaskPayment[];
  readonly orders: readonly Pick<Order, 'id' | 'totals' | 'paid'>[];
  readonly locale?: string | undefined;
}

/**
 * `<hearth-failed-ops>`: this device's failed ops, oldest first, each with what it was, when,
 * who made it, why it failed in plain words and what to do. Retry (only where sending again can
 * help) fires `hearth-retry`, Discard fires `hearth-discard`; both bubble, are composed and carry
 * the opId as `detail`. The page asks the outbox and passes the entries it then holds.
 *
 * Above them, the venue's card payments declined after an outage (`tasks`, from the local
 * view): a manager sees each check with what to do, "Open the check" (`hearth-open-table` with
 * the table id) and "Mark handled" with a note (`payment.resolveTask` through `submit`); anyone
 * else sees a line saying a manager follows it up.
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
    tasks: { attribute: false },
    staffRole: { attribute: false },
    submit: { attribute: false },
    ops: { attribute: false },
    _handling: { state: true },
  };

  /** The device's outbox entries; only the failed ones show. */
  declare entries: readonly OutboxEntry[];
  /** Display names by id: staff by actor id, tables, orders and dishes by theirs. */
  declare names: Names;
  /** Device time (ms) ages are measured against. */
  declare now: number;
  /** Card payments declined later; the ones with an open task show. */
  declare tasks: PaymentTasksInput | undefined;
  declare staffRole: StaffRole | undefined;
  declare submit: FloorSubmit | undefined;
  declare ops: readonly FloorOpState[];
  /** The task whose note is being written, with the note so far. */
  declare _handling: { paymentId: string; note: string; error: string } | undefined;

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
      section {
        display: grid;
        gap: 0.5rem;
        margin-bottom: 1rem;
      }
      textarea {
        min-height: 4.5rem;
        font: inherit;
        padding: 0.5rem;
        border-radius: 0.5rem;
        border: 2px solid var(--floor-line);
        background: var(--floor-raised);
        color: var(--floor-fg);
      }
      label {
        display: grid;
        gap: 0.25rem;
      }
    `,
  ];

  readonly #announcer = new Announcer(this);
  #rows: FailedRow[] = [];
  #tasks: PaymentTaskRow[] = [];
  readonly #marks = new OpMarks();
  /** The task just marked handled, whose focus is kept (see #keepTaskFocus). */
  #handledTask: string | undefined;
  /** The op whose button was pressed: its card goes, and the focus moves to the next one. */
  #pressedAt: number | undefined;

  constructor() {
    super();
    this.entries = [];
    this.names = new Map();
    this.now = Date.now();
    this.tasks = undefined;
    this.staffRole = undefined;
    this.submit = undefined;
    this.ops = [];
    this._handling = undefined;
  }

  protected override willUpdate(): void {
    this.#rows = failedRowsOf(this.entries, this.names, this.now);
    const tasks = this.tasks;
    const locale = tasks?.locale;
    this.#tasks = tasks
      ? paymentTasksOf(
          tasks.payments,
          tasks.orders,
          this.names,
          (minor, currency) => moneyFormat(locale, currency).price(minor),
          this.now,
        )
      : [];
  }

  protected override updated(): void {
    this.#keepTaskFocus();
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
    return html`${this.#taskSection()}
      <h2 tabindex="-1">Changes that failed to sync</h2>
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

  // Card payments declined later

  get #manager(): boolean {
    return this.staffRole === 'manager' || this.staffRole === 'owner';
  }

  #taskSection() {
    const tasks = this.#tasks;
    if (tasks.length === 0) return nothing;
    return html`<section aria-labelledby="tasks-heading" data-tasks>
      <h2 id="tasks-heading" tabindex="-1">Payments to follow up</h2>
      <p class="muted" data-task-count>${taskCountWords(tasks.length)}</p>
      <ul>
        ${repeat(
          tasks,
          (t) => t.paymentId,
          (t) => (this.#manager ? this.#taskCard(t) : this.#taskLine(t)),
        )}
      </ul>
    </section>`;
  }

  /** What a server sees: that it happened and that a manager deals with it. */
  #taskLine(t: PaymentTaskRow) {
    return html`<li class="card" data-task=${t.paymentId}>
      <p>
        ${t.where}: a card payment of ${t.amountText} was declined after the outage. A manager
        follows it up.
      </p>
    </li>`;
  }

  #taskCard(t: PaymentTaskRow) {
    const id = `task-${t.paymentId}`;
    const handling = this._handling?.paymentId === t.paymentId ? this._handling : undefined;
    const sync = this.#marks.wordsOf(`task:${t.paymentId}`, this.ops);
    return html`<li class="card" data-task=${t.paymentId} aria-labelledby="${id}-what">
      <p class="what" id="${id}-what">${t.where}: card payment declined after the outage</p>
      <p>${t.amountText}${t.cardText ? ` · ${t.cardText}` : ''}${t.dueText ? html` · <strong>${t.dueText}</strong>` : nothing}</p>
      <p class="muted">Taken ${t.whenText} by ${t.who}</p>
      <p class="reason">Declined: ${t.decline}.</p>
      <p class="action">${DECLINED_LATER_ACTION}</p>
      ${sync ? html`<p class="sync ${sync.startsWith('failed') ? 'failed' : ''}" data-sync>${sync}</p>` : nothing}
      ${
        handling
          ? html`<form
              data-handle-form
              @keydown=${(e: KeyboardEvent) => {
                if (e.key === 'Escape') this.#cancelHandling(t);
              }}
              @submit=${(e: Event) => {
                e.preventDefault();
                void this.#markHandled(t);
              }}
            >
              <label for="${id}-note">How it was handled</label>
              <textarea
                id="${id}-note"
                maxlength="500"
                .value=${handling.note}
                aria-invalid=${handling.error ? 'true' : 'false'}
                aria-describedby=${handling.error ? `${id}-note-error` : nothing}
                @input=${(e: Event) => {
                  handling.note = (e.target as HTMLTextAreaElement).value;
                }}
              ></textarea>
              ${handling.error ? html`<p class="error" id="${id}-note-error" role="alert">${handling.error}</p>` : nothing}
              <div class="actions">
                <button type="submit" data-action="save-handled">Save: handled</button>
                <button
                  type="button"
                  class="secondary"
                  data-action="cancel-handled"
                  @click=${() => this.#cancelHandling(t)}
                >
                  Cancel
                </button>
              </div>
            </form>`
          : html`<div class="actions">
              ${
                t.tableId
                  ? html`<button
                      type="button"
                      data-action="open-check"
                      aria-label="Open the check: ${t.where}"
                      @click=${() => this.#openCheck(t)}
                    >
                      Open the check
                    </button>`
                  : nothing
              }
              <button
                type="button"
                class="secondary"
                data-action="mark-handled"
                aria-label="Mark handled: ${t.where}, ${t.amountText}"
                @click=${() => this.#startHandling(t)}
              >
                Mark handled
              </button>
            </div>`
      }
    </li>`;
  }

  /**
   * After Mark handled the note's form goes: the focus goes to the task's buttons, and once
   * the task leaves the list (the local view has it handled) to the next task or the heading.
   */
  #keepTaskFocus(): void {
    const id = this.#handledTask;
    if (id === undefined || this._handling) return;
    const card = this.renderRoot.querySelector<HTMLElement>(`[data-task="${id}"]`);
    const focused = this.shadowRoot?.activeElement;
    if (card) {
      if (!focused) card.querySelector<HTMLElement>('button')?.focus();
      return;
    }
    this.#handledTask = undefined;
    if (focused) return;
    const next =
      this.renderRoot.querySelector<HTMLElement>('[data-task] button') ??
      this.renderRoot.querySelector<HTMLElement>('h2');
    next?.focus();
  }

  #openCheck(t: PaymentTaskRow): void {
    this.dispatchEvent(
      new CustomEvent('hearth-open-table', { detail: t.tableId, bubbles: true, composed: true }),
    );
  }

  async #cancelHandling(t: PaymentTaskRow): Promise<void> {
    this._handling = undefined;
    await this.updateComplete;
    this.renderRoot
      .querySelector<HTMLElement>(`[data-task="${t.paymentId}"] [data-action="mark-handled"]`)
      ?.focus();
  }

  async #startHandling(t: PaymentTaskRow): Promise<void> {
    this._handling = { paymentId: t.paymentId, note: '', error: '' };
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#task-${t.paymentId}-note`)?.focus();
  }

  async #markHandled(t: PaymentTaskRow): Promise<void> {
    const handling = this._handling;
    if (!handling || !this.submit) return;
    const note = handling.note.trim();
    if (note === '') {
      this._handling = {
        ...handling,
        error: 'Say what was done: the guest paid another way, or the loss was recorded.',
      };
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(`#task-${t.paymentId}-note`)?.focus();
      return;
    }
    this._handling = undefined;
    this.#handledTask = t.paymentId;
    const state = await this.#marks.track(
      `task:${t.paymentId}`,
      this.submit,
      `Mark handled: ${t.where}`,
      'payment.resolveTask',
      () => ({ paymentId: t.paymentId, note: note.slice(0, 500) }),
    );
    this.#announcer.say(
      state?.status === 'synced'
        ? `${t.where}: marked handled.`
        : `${t.where}: marked handled here; it will be sent when online.`,
    );
    this.requestUpdate();
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
