import { css, html, LitElement, nothing } from 'lit';
import type { Role } from '#protocol';
import { Announcer } from '../guest/announcer.ts';
import { floorStyles } from './floor-styles.ts';
import { discardingLine, discardQuestion, type HeldGroup, heldLine } from './held-ops.ts';

/** What `hearth-discard-held` carries: the person and the ops the confirm step named. */
export interface DiscardHeldDetail {
  readonly actorId: string;
  readonly opIds: readonly string[];
}

/** Who may drop another person's waiting changes. */
const mayDiscard = (role: Role | undefined) => role === 'manager' || role === 'owner';

/**
 * `<hearth-held-ops>`: the changes on this device waiting for the person who made them, one
 * line per person. A manager or owner may discard a person's: "Discard", then a second tap on
 * "Discard 3 changes for good?" fires `hearth-discard-held` (bubbling, composed) with the
 * opIds that were counted; "Keep" or Escape backs out.
 *
 * ```ts
 * html`<hearth-held-ops .groups=${switcher.groups} .staffRole=${principal.role}
 *   @hearth-discard-held=${(e) => switcher.discard(e.detail)}></hearth-held-ops>`
 * ```
 */
export class HeldOpsList extends LitElement {
  static override properties = {
    groups: { attribute: false },
    staffRole: { attribute: false },
    confirming: { state: true },
  };

  declare groups: readonly HeldGroup[];
  declare staffRole: Role | undefined;
  /** The group asked about at the first tap, as it was then. */
  declare confirming: HeldGroup | undefined;
  readonly #announcer = new Announcer(this);

  constructor() {
    super();
    this.groups = [];
    this.staffRole = undefined;
    this.confirming = undefined;
  }

  static override styles = [
    floorStyles,
    css`
      :host([hidden]) {
        display: none;
      }
      p {
        margin: 0;
      }
      button.danger {
        background: var(--floor-raised);
        color: var(--floor-bad);
        border-color: var(--floor-bad);
      }
    `,
  ];

  override willUpdate(): void {
    // The person's ops went (sent, or discarded elsewhere): nothing left to confirm.
    const asked = this.confirming;
    if (asked && !this.groups.some((group) => group.actorId === asked.actorId))
      this.confirming = undefined;
  }

  override render() {
    const live = html`<p class="visually-hidden" role="status" aria-live="polite">
      ${this.#announcer.text}
    </p>`;
    if (this.groups.length === 0) return live;
    return html`<section aria-labelledby="held-title">
        <h2 id="held-title">Waiting for their person</h2>
        <ul>
          ${this.groups.map((group) => this.#row(group))}
        </ul>
      </section>
      ${live}`;
  }

  #row(group: HeldGroup) {
    const asking = this.confirming?.actorId === group.actorId ? this.confirming : undefined;
    return html`<li class="card" data-actor=${group.actorId}>
      <p>${heldLine(group)}</p>
      ${
        mayDiscard(this.staffRole)
          ? html`<div class="actions" @keydown=${this.#escape}>
              <button
                type="button"
                class="danger"
                data-discard=${group.actorId}
                @click=${() => this.#tap(group)}
              >
                ${asking ? discardQuestion(asking.count) : 'Discard'}
              </button>
              ${
                asking
                  ? html`<button type="button" class="secondary" data-keep @click=${this.#keep}>
                      Keep
                    </button>`
                  : nothing
              }
            </div>`
          : nothing
      }
    </li>`;
  }

  #tap(group: HeldGroup): void {
    const asked = this.confirming;
    if (asked?.actorId !== group.actorId) {
      this.confirming = group;
      return;
    }
    this.confirming = undefined;
    this.#announcer.say(discardingLine(asked.count, asked.name));
    this.dispatchEvent(
      new CustomEvent<DiscardHeldDetail>('hearth-discard-held', {
        detail: { actorId: asked.actorId, opIds: asked.opIds },
        bubbles: true,
        composed: true,
      }),
    );
  }

  #keep = (): void => {
    const actorId = this.confirming?.actorId;
    this.confirming = undefined;
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>(`[data-discard="${actorId}"]`)?.focus(),
    );
  };

  #escape = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this.confirming) this.#keep();
  };
}

customElements.define('hearth-held-ops', HeldOpsList);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-held-ops': HeldOpsList;
  }
  interface HTMLElementEventMap {
    'hearth-discard-held': CustomEvent<DiscardHeldDetail>;
  }
}
