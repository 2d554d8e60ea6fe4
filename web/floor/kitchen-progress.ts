import { css, html, LitElement, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import type { Role } from '#protocol';
import { mayPerform } from '#protocol/auth/permissions.ts';
import { browserTimers, type Timers } from '../app/timers.ts';
import { Announcer } from '../guest/announcer.ts';
import { type FloorOpState, type FloorSubmit, OpMarks } from './floor-ops.ts';
import { floorStyles } from './floor-styles.ts';
import {
  assignPayload,
  cooksFor,
  type OrderProgress,
  type ProgressMember,
  type ProgressOrder,
  type ProgressSection,
  type ProgressTicket,
  progressOf,
  type StationName,
  type TicketRow,
} from './kitchen-progress-state.ts';
import { MinuteClock } from './minute-clock.ts';

const NOBODY = '';

/**
 * `<hearth-kitchen-progress>`: the kitchen's work on one order (`orderId`) or on every open
 * order at a section's tables (`section` with `orders`): each ticket's station, status, minutes
 * since fired, lines done, and its cook — a select for roles that may `ticket.assign`.
 *
 * ```ts
 * html`<hearth-kitchen-progress
 *   .orderId=${orderId}
 *   .tickets=${view.items('ticket').map((i) => i.entity)}
 *   .members=${view.items('teamMember').map((i) => i.entity)}
 *   .stations=${settings.stations} .staffRole=${principal.role}
 *   .submit=${(label, type, payload) => ops.submit(label, type, payload)} .ops=${ops.ops}
 * ></hearth-kitchen-progress>`
 * ```
 */
export class KitchenProgress extends LitElement {
  static override properties = {
    orderId: { attribute: false },
    section: { attribute: false },
    orders: { attribute: false },
    tickets: { attribute: false },
    members: { attribute: false },
    stations: { attribute: false },
    staffRole: { attribute: false },
    submit: { attribute: false },
    ops: { attribute: false },
    clock: { attribute: false },
    timers: { attribute: false },
  };

  /** One order to follow; wins over `section`. */
  declare orderId: string | undefined;
  /** A section whose open orders to follow (with `orders`, to find them). */
  declare section: ProgressSection | undefined;
  declare orders: readonly ProgressOrder[];
  declare tickets: readonly ProgressTicket[];
  declare members: readonly ProgressMember[];
  declare stations: readonly StationName[];
  declare staffRole: Role | undefined;
  declare submit: FloorSubmit | undefined;
  declare ops: readonly FloorOpState[];
  declare clock: () => number;
  declare timers: Timers;

  static override styles = [
    floorStyles,
    css`
      p {
        margin: 0;
      }
      .ticket {
        display: grid;
        gap: 0.3rem;
      }
      .status {
        font-weight: 700;
      }
      .ticket[data-status='ready'] .status::before {
        content: '✓ ';
      }
      select {
        width: 100%;
      }
    `,
  ];

  readonly #announcer = new Announcer(this);
  readonly #marks = new OpMarks();
  /** Ticket → the cook chosen here, while the local copy has not caught up. */
  readonly #chosen = new Map<string, string | null>();

  constructor() {
    super();
    this.orderId = undefined;
    this.section = undefined;
    this.orders = [];
    this.tickets = [];
    this.members = [];
    this.stations = [];
    this.staffRole = undefined;
    this.submit = undefined;
    this.ops = [];
    this.clock = () => Date.now();
    this.timers = browserTimers;
    new MinuteClock(this, () => this.timers);
  }

  #progress(): OrderProgress[] {
    const scope = this.orderId
      ? { orderId: this.orderId }
      : this.section
        ? { section: this.section, orders: this.orders }
        : undefined;
    if (!scope) return [];
    return progressOf({
      tickets: this.tickets,
      scope,
      stations: this.stations,
      members: this.members,
      now: this.clock(),
    });
  }

  override render() {
    const progress = this.#progress();
    const mayAssign = !!this.staffRole && mayPerform(this.staffRole, 'ticket.assign');
    const title = this.section && !this.orderId ? `Kitchen — ${this.section.name}` : 'Kitchen';
    return html`<h2>${title}</h2>
      ${
        progress.length === 0
          ? html`<p class="muted">Nothing with the kitchen yet.</p>`
          : progress.map(
              (order) => html`<section class="order" data-order=${order.orderId}
                aria-label="Table ${order.tableLabel}">
                <h3>Table ${order.tableLabel}</h3>
                <ul>
                  ${order.tickets.map((t) => this.#ticket(order, t, mayAssign))}
                </ul>
              </section>`,
            )
      }
      <p class="visually-hidden" role="status" aria-live="polite">${this.#announcer.text}</p>`;
  }

  /** The cook shown: the one just chosen here until the copy agrees or the op fails. */
  #shownAssignee(row: TicketRow): string | null {
    if (!this.#chosen.has(row.id)) return row.assigneeId;
    const chosen = this.#chosen.get(row.id) ?? null;
    const state = this.#marks.stateOf(`ticket:${row.id}`, this.ops);
    if (chosen === row.assigneeId || state?.status === 'failed') {
      this.#chosen.delete(row.id);
      return row.assigneeId;
    }
    return chosen;
  }

  #ticket(order: OrderProgress, row: TicketRow, mayAssign: boolean) {
    const sync = this.#marks.wordsOf(`ticket:${row.id}`, this.ops);
    const assigneeId = this.#shownAssignee(row);
    const id = `cook-${row.id}`;
    return html`<li class="card ticket" data-ticket=${row.id} data-status=${row.status}>
      <p>
        <strong>${row.station}</strong>${row.course > 1 ? ` · course ${row.course}` : ''} ·
        <span class="status">${row.statusText}</span>
      </p>
      <p class="muted">
        ${row.firedText ? html`<span class="fired">${row.firedText}</span> · ` : nothing}
        <span class="lines">${row.linesText}</span>
      </p>
      ${
        mayAssign
          ? html`<label for=${id}>Cook</label>
              <select
                id=${id}
                @change=${(e: Event) => this.#assign(order, row, (e.target as HTMLSelectElement).value)}
              >
                <option value=${NOBODY} .selected=${live(assigneeId === null)}>Nobody</option>
                ${cooksFor(this.members, assigneeId).map(
                  (cook) =>
                    html`<option value=${cook.id} .selected=${live(cook.id === assigneeId)}>
                      ${cook.name}
                    </option>`,
                )}
              </select>`
          : html`<p class="cook">Cook: ${row.assigneeName}</p>`
      }
      ${sync ? html`<p class="sync ${sync.startsWith('failed') ? 'failed' : ''}">${sync}</p>` : nothing}
    </li>`;
  }

  async #assign(order: OrderProgress, row: TicketRow, value: string): Promise<void> {
    if (!this.submit) return;
    const assigneeId = value === NOBODY ? null : value;
    this.#chosen.set(row.id, assigneeId);
    const name = assigneeId
      ? (this.members.find((m) => m.id === assigneeId)?.name ?? assigneeId)
      : 'nobody';
    const what = `Table ${order.tableLabel}, ${row.station}`;
    await this.#marks.track(
      `ticket:${row.id}`,
      this.submit,
      `${what}: ${assigneeId ? `to ${name}` : 'unassigned'}`,
      'ticket.assign',
      () => assignPayload(row.id, assigneeId),
    );
    this.#announcer.say(assigneeId ? `${what} assigned to ${name}` : `${what} now with nobody`);
  }
}

customElements.define('hearth-kitchen-progress', KitchenProgress);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-kitchen-progress': KitchenProgress;
  }
}
