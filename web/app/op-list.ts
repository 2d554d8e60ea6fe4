import { css, html, LitElement } from 'lit';
import type { TrackedOp } from './op-controller.ts';
import { OP_STATUS_LABEL, WAITING_LABEL } from './sync-labels.ts';

/**
 * `<hearth-op-list .ops=${ops.ops}>`: the ops this screen made, each with its badge ("not sent
 * yet", "saved in the venue — not in the cloud yet", "synced", "failed"). A failed one shows
 * why, and offers retry (unless the failure is final) and discard: `hearth-retry` /
 * `hearth-discard` events with the opId.
 */
export class OpList extends LitElement {
  static override properties = { ops: { attribute: false } };

  declare ops: readonly TrackedOp[];

  constructor() {
    super();
    this.ops = [];
  }

  static override styles = css`
    ul {
      list-style: none;
      padding: 0;
      margin: 0;
      display: grid;
      gap: 0.4rem;
    }
    li {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: baseline;
    }
    .badge {
      font-size: 0.8em;
      padding: 0.1rem 0.5rem;
      border-radius: 1rem;
      border: 1px solid currentColor;
    }
    .synced {
      color: var(--hearth-ok, #1d6b3a);
    }
    .pending,
    .sending,
    .delivered_local {
      color: var(--hearth-warn, #8a5a00);
    }
    .failed {
      color: var(--hearth-bad, #a12a1b);
    }
    .detail {
      color: var(--hearth-muted, #6b5a55);
      font-size: 0.9em;
    }
    button {
      font: inherit;
      font-size: 0.9em;
    }
  `;

  override render() {
    if (this.ops.length === 0) return null;
    return html`<ul aria-label="Your recent changes">
      ${this.ops.map(
        (op) => html`<li data-op=${op.opId} data-status=${op.status}>
          <span>${op.label}</span>
          <span class="badge ${op.status}">${op.waiting ? WAITING_LABEL : OP_STATUS_LABEL[op.status]}</span>
          ${op.status === 'failed' && op.detail ? html`<span class="detail">${op.detail}</span>` : null}
          ${
            op.status === 'failed'
              ? html`${
                  op.final
                    ? null
                    : html`<button type="button" @click=${() => this.#emit('hearth-retry', op.opId)}>
                        Retry
                      </button>`
                }<button type="button" @click=${() => this.#emit('hearth-discard', op.opId)}>
                    Discard
                  </button>`
              : null
          }
        </li>`,
      )}
    </ul>`;
  }

  #emit(type: 'hearth-retry' | 'hearth-discard', opId: string): void {
    this.dispatchEvent(
      new CustomEvent<string>(type, { detail: opId, bubbles: true, composed: true }),
    );
  }
}

customElements.define('hearth-op-list', OpList);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-op-list': OpList;
  }
}
