import { css, html, LitElement } from 'lit';
import { formatClock } from '../app/resilience-text.ts';
import { browserTimers, type Timers } from '../app/timers.ts';
import {
  type CallOpState,
  type CallSubmit,
  GuestCallsController,
} from './guest-calls-controller.ts';
import type { CallKind, CallRequest, CallSettings } from './guest-calls-state.ts';

/**
 * `<hearth-guest-calls>`: two big buttons, "Call a waiter" and "Ask for the bill", each with
 * its state under it (called at 20:14, on the way, the cooldown's seconds) and news read out
 * by a live region. Every input is a property; nothing is emitted:
 *
 * ```ts
 * html`<hearth-guest-calls
 *   .tableId=${principal.tableId}
 *   .requests=${view.items('serviceRequest').map((i) => i.entity)}
 *   .settings=${settings}
 *   .submit=${(label, type, payload) => ops.submit(label, type, payload)}
 *   .ops=${ops.ops}
 * ></hearth-guest-calls>`
 * ```
 */
export class GuestCalls extends LitElement {
  static override properties = {
    tableId: { attribute: false },
    requests: { attribute: false },
    settings: { attribute: false },
    submit: { attribute: false },
    ops: { attribute: false },
    clock: { attribute: false },
    timers: { attribute: false },
    formatTime: { attribute: false },
  };

  /** The guest principal's table. */
  declare tableId: string;
  /** The table's service requests, from the local view. */
  declare requests: readonly CallRequest[];
  /** The venue's settings (`guestOrdering.callCooldownSec`); the default cooldown until read. */
  declare settings: CallSettings | undefined;
  declare submit: CallSubmit | undefined;
  declare ops: readonly CallOpState[];
  /** Device time, ms. */
  declare clock: () => number;
  declare timers: Timers;
  declare formatTime: (ms: number) => string;

  readonly #calls = new GuestCallsController(this, () => ({
    tableId: this.tableId,
    requests: this.requests,
    settings: this.settings,
    submit: this.submit,
    ops: this.ops,
    clock: this.clock,
    timers: this.timers,
    formatTime: this.formatTime,
  }));

  constructor() {
    super();
    this.tableId = '';
    this.requests = [];
    this.settings = undefined;
    this.submit = undefined;
    this.ops = [];
    this.clock = () => Date.now();
    this.timers = browserTimers;
    this.formatTime = (ms) => formatClock(ms, this.clock());
  }

  static override styles = css`
    :host {
      display: grid;
      gap: 0.75rem;
      color: var(--hearth-fg, #231411);
    }
    .call {
      display: grid;
      gap: 0.35rem;
    }
    button {
      font: inherit;
      font-size: 1.15rem;
      font-weight: 600;
      min-height: 3.5rem;
      width: 100%;
      padding: 0.75rem 1rem;
      border-radius: var(--hearth-radius, 0.5rem);
      border: 2px solid var(--hearth-accent, #3e1e18);
      background: var(--hearth-accent, #3e1e18);
      color: #fff;
      cursor: pointer;
    }
    button[aria-disabled='true'] {
      background: var(--hearth-surface, #fff);
      color: var(--hearth-accent, #3e1e18);
      border-style: dashed;
      cursor: not-allowed;
    }
    button:focus-visible {
      outline: 3px solid var(--hearth-fg, #231411);
      outline-offset: 2px;
    }
    .status {
      margin: 0;
    }
    .status[hidden] {
      display: none;
    }
    .sync {
      display: block;
      color: var(--hearth-warn, #8a5a00);
      font-size: 0.95em;
    }
    .sync.failed {
      color: var(--hearth-bad, #a12a1b);
    }
    .visually-hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }
  `;

  override render() {
    return html`${this.#calls.views.map(
      (view) => html`<div class="call" data-kind=${view.kind} data-phase=${view.phase}>
        <button
          type="button"
          aria-disabled=${view.available ? 'false' : 'true'}
          aria-describedby="status-${view.kind}"
          @click=${() => this.#press(view.kind)}
        >
          ${view.action}
        </button>
        <p class="status" id="status-${view.kind}" ?hidden=${!view.status && !view.sync}>
          ${view.status}
          ${
            view.sync
              ? html`<span class="sync ${view.sync.startsWith('failed') ? 'failed' : ''}"
                  >${view.sync}</span
                >`
              : null
          }
        </p>
      </div>`,
    )}
      <p class="visually-hidden" role="status">${this.#calls.announcement}</p>`;
  }

  #press(kind: CallKind): void {
    void this.#calls.call(kind);
  }
}

customElements.define('hearth-guest-calls', GuestCalls);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-guest-calls': GuestCalls;
  }
}
