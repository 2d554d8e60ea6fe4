import { css, html, LitElement, nothing } from 'lit';
import type { Role } from '#protocol';
import { mayPerform } from '#protocol/auth/permissions.ts';
import { browserTimers, type Timers } from '../app/timers.ts';
import { Announcer } from '../guest/announcer.ts';
import { type FloorOpState, type FloorSubmit, OpMarks } from './floor-ops.ts';
import { floorStyles } from './floor-styles.ts';
import { MinuteClock } from './minute-clock.ts';
import {
  ACTION_WORDS,
  type ApprovalOrder,
  type ApprovalRow,
  type ApprovalSettings,
  approvalsOf,
  arrivalsOf,
  type FloorRequest,
  REJECT_EXPLAINED,
  type RequestRow,
  requestRowsOf,
  type TableLabel,
  transitionPayload,
  type WaitingLine,
} from './service-requests-state.ts';

/** Ages move on by the minute; a tick every 15 s keeps them within a quarter of one. */

/**
 * `<hearth-service-requests>`: the venue's open calls and bill requests, oldest first, with
 * "On the way" and "Done"; and guest orders waiting for approval with Approve and Reject per
 * dish. Properties in, ops out through `submit`:
 *
 * ```ts
 * html`<hearth-service-requests
 *   .requests=${view.items('serviceRequest').map((i) => i.entity)}
 *   .orders=${view.items('order').map((i) => i.entity)}
 *   .tables=${tables} .settings=${settings} .staffRole=${principal.role}
 *   .submit=${(label, type, payload) => ops.submit(label, type, payload)}
 *   .ops=${ops.ops}
 * ></hearth-service-requests>`
 * ```
 */
export class ServiceRequests extends LitElement {
  static override properties = {
    requests: { attribute: false },
    orders: { attribute: false },
    tables: { attribute: false },
    settings: { attribute: false },
    staffRole: { attribute: false },
    names: { attribute: false },
    submit: { attribute: false },
    ops: { attribute: false },
    clock: { attribute: false },
    timers: { attribute: false },
  };

  declare requests: readonly FloorRequest[];
  declare orders: readonly ApprovalOrder[];
  declare tables: readonly TableLabel[];
  declare settings: ApprovalSettings | undefined;
  /** The signed-in staff member's role: the buttons show only for roles that may use them. */
  declare staffRole: Role | undefined;
  /** Staff names by actor id, for who acknowledged a call. */
  declare names: ReadonlyMap<string, string>;
  declare submit: FloorSubmit | undefined;
  declare ops: readonly FloorOpState[];
  /** Device time, ms. */
  declare clock: () => number;
  declare timers: Timers;

  static override styles = [
    floorStyles,
    css`
      p {
        margin: 0;
      }
      .request.late {
        border-width: 4px;
        border-color: var(--floor-bad);
      }
      .flag {
        display: inline-block;
        margin-left: 0.25rem;
        padding: 0 0.4rem;
        border: 2px solid currentColor;
        border-radius: 0.25rem;
        color: var(--floor-bad);
        font-weight: 700;
        text-transform: uppercase;
        font-size: 0.9em;
      }
      .late .age {
        font-weight: 700;
      }
      .waiting-line {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: 0.5rem;
      }
    `,
  ];

  readonly #announcer = new Announcer(this);
  readonly #marks = new OpMarks();
  #seen: { requests: string[]; orders: string[] } | undefined;
  #rows: RequestRow[] = [];
  #approvals: ApprovalRow[] = [];
  /** `data-focus` of the control to focus after the next render, when a press removed its own. */
  #focusNext: string | undefined;

  constructor() {
    super();
    this.requests = [];
    this.orders = [];
    this.tables = [];
    this.settings = undefined;
    this.staffRole = undefined;
    this.names = new Map();
    this.submit = undefined;
    this.ops = [];
    this.clock = () => Date.now();
    this.timers = browserTimers;
    new MinuteClock(this, () => this.timers);
  }

  protected override willUpdate(): void {
    const now = this.clock();
    this.#rows = requestRowsOf(this.requests, this.tables, now, this.names);
    this.#approvals = approvalsOf(this.orders, this.tables, this.settings, now);
    // Calls and orders that arrived since the last look are news (none on the first).
    const news = arrivalsOf(this.#seen, this.#rows, this.#approvals);
    this.#seen = {
      requests: this.#rows.map((r) => r.id),
      orders: this.#approvals.map((a) => a.orderId),
    };
    if (news) this.#announcer.say(news);
  }

  protected override updated(): void {
    if (!this.#focusNext) return;
    const key = this.#focusNext;
    this.#focusNext = undefined;
    const target =
      this.renderRoot.querySelector<HTMLElement>(`[data-focus="${key}"]`) ??
      this.renderRoot.querySelector<HTMLElement>('h2');
    target?.focus();
  }

  override render() {
    const rows = this.#rows;
    const approvals = this.#approvals;
    const mayAnswer = !!this.staffRole && mayPerform(this.staffRole, 'serviceRequest.transition');
    const mayApprove =
      !!this.staffRole &&
      mayPerform(this.staffRole, 'order.sendToKitchen') &&
      mayPerform(this.staffRole, 'order.removeLine');
    return html`<section aria-labelledby="calls-heading">
        <h2 id="calls-heading" tabindex="-1">Calls from tables (${rows.length})</h2>
        ${
          rows.length === 0
            ? html`<p class="muted">No table is waiting.</p>`
            : html`<ul>
                ${rows.map((row) => this.#request(row, mayAnswer))}
              </ul>`
        }
        ${mayAnswer ? nothing : html`<p class="muted">Only floor staff and managers answer calls.</p>`}
      </section>
      ${
        approvals.length > 0 || this.settings?.guestOrdering?.approval
          ? html`<section aria-labelledby="approvals-heading">
              <h2 id="approvals-heading" tabindex="-1">
                Guest orders to approve (${approvals.length})
              </h2>
              ${
                approvals.length === 0
                  ? html`<p class="muted">No guest order is waiting.</p>`
                  : html`<p class="muted" id="reject-explained">${REJECT_EXPLAINED}</p>
                      <ul>
                        ${approvals.map((row) => this.#approval(row, mayApprove))}
                      </ul>`
              }
            </section>`
          : nothing
      }
      <p class="visually-hidden" role="status" aria-live="polite">${this.#announcer.text}</p>`;
  }

  #request(row: RequestRow, mayAnswer: boolean) {
    const sync = this.#marks.wordsOf(`request:${row.id}`, this.ops);
    return html`<li
      class="card request ${row.late ? 'late' : ''}"
      data-request=${row.id}
      data-late=${row.late ? 'true' : 'false'}
    >
      <p class="line">
        <strong>Table ${row.tableLabel}</strong> · ${row.kindText}
        ${row.late ? html`<span class="flag">Waiting long</span>` : nothing}
      </p>
      <p class="meta">
        <span class="age">${row.ageText}</span> · <span class="state">${row.statusText}</span>
      </p>
      ${row.note ? html`<p class="note">Note: ${row.note}</p>` : nothing}
      ${sync ? html`<p class="sync ${sync.startsWith('failed') ? 'failed' : ''}">${sync}</p>` : nothing}
      ${
        mayAnswer
          ? html`<div class="actions">
              ${
                row.acknowledged
                  ? nothing
                  : html`<button
                      type="button"
                      data-action="acknowledge"
                      data-focus="ack:${row.id}"
                      aria-label="On the way: table ${row.tableLabel}, ${row.kindText}"
                      @click=${() => this.#answer(row, 'acknowledge')}
                    >
                      On the way
                    </button>`
              }
              <button
                type="button"
                class="secondary"
                data-action="complete"
                data-focus="done:${row.id}"
                aria-label="Done: table ${row.tableLabel}, ${row.kindText}"
                @click=${() => this.#answer(row, 'complete')}
              >
                Done
              </button>
            </div>`
          : nothing
      }
    </li>`;
  }

  #approval(row: ApprovalRow, mayApprove: boolean) {
    const sync = this.#marks.wordsOf(`order:${row.orderId}`, this.ops);
    return html`<li class="card approval" data-order=${row.orderId}>
      <p class="line">
        <strong>Table ${row.tableLabel}</strong> · guest order ·
        <span class="age">${row.ageText}</span>
      </p>
      <ul class="lines">
        ${row.lines.map((line) => this.#waitingLine(row, line, mayApprove))}
      </ul>
      ${sync ? html`<p class="sync ${sync.startsWith('failed') ? 'failed' : ''}">${sync}</p>` : nothing}
      ${
        mayApprove
          ? html`<div class="actions">
              <button
                type="button"
                data-action="approve"
                data-focus="approve:${row.orderId}"
                aria-label="Approve — send to kitchen: table ${row.tableLabel}"
                @click=${() => this.#approve(row)}
              >
                Approve — send to kitchen
              </button>
            </div>`
          : html`<p class="muted">Only floor staff and managers approve guest orders.</p>`
      }
    </li>`;
  }

  #waitingLine(row: ApprovalRow, line: WaitingLine, mayApprove: boolean) {
    const sync = this.#marks.wordsOf(`line:${line.id}`, this.ops);
    return html`<li class="waiting-line" data-line=${line.id}>
      <span>${line.text}${line.detail ? html` <span class="muted">(${line.detail})</span>` : nothing}</span>
      ${sync ? html`<span class="sync ${sync.startsWith('failed') ? 'failed' : ''}">${sync}</span>` : nothing}
      ${
        mayApprove
          ? html`<button
              type="button"
              class="secondary"
              data-action="reject"
              aria-label="Reject ${line.text} for table ${row.tableLabel}"
              aria-describedby="reject-explained"
              @click=${() => this.#reject(row, line)}
            >
              Reject
            </button>`
          : nothing
      }
    </li>`;
  }

  async #answer(row: RequestRow, action: 'acknowledge' | 'complete'): Promise<void> {
    if (!this.submit) return;
    // The pressed button goes once the request moves on: keep the focus in the card.
    this.#focusNext = action === 'acknowledge' ? `done:${row.id}` : undefined;
    const label = `Table ${row.tableLabel}: ${action === 'acknowledge' ? 'on the way' : 'done'}`;
    await this.#marks.track(
      `request:${row.id}`,
      this.submit,
      label,
      'serviceRequest.transition',
      () => transitionPayload(row.id, action),
    );
    this.#announcer.say(ACTION_WORDS[action](row));
  }

  async #approve(row: ApprovalRow): Promise<void> {
    if (!this.submit) return;
    await this.#marks.track(
      `order:${row.orderId}`,
      this.submit,
      `Table ${row.tableLabel}: guest order approved`,
      'order.sendToKitchen',
      () => ({ orderId: row.orderId }),
    );
    this.#announcer.say(ACTION_WORDS.approve(row));
  }

  async #reject(row: ApprovalRow, line: WaitingLine): Promise<void> {
    if (!this.submit) return;
    this.#focusNext = `approve:${row.orderId}`;
    await this.#marks.track(
      `line:${line.id}`,
      this.submit,
      `Table ${row.tableLabel}: ${line.text} rejected`,
      'order.removeLine',
      () => ({ orderId: row.orderId, lineId: line.id }),
    );
    this.#announcer.say(ACTION_WORDS.reject(row.tableLabel, line));
  }
}

customElements.define('hearth-service-requests', ServiceRequests);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-service-requests': ServiceRequests;
  }
}
