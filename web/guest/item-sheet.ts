import { css, html, LitElement, nothing } from 'lit';
import { guestStyles } from './guest-styles.ts';
import type { GroupView, OptionView, SheetView } from './item-selection.ts';

/** A tap on a modifier: its group (null for a free one) and the modifier (null: "None"). */
export interface SheetToggle {
  readonly groupId: string | null;
  readonly modifierId: string | null;
}

/**
 * `<hearth-item-sheet .view=${…}>`: one dish in a modal dialog (full height on a phone): its
 * modifier groups (radios when one may be picked, checkboxes up to the group's max), free
 * extras, quantity, a note where the venue takes them, and Add with the line's price — off,
 * with the reason in words, until every group's rule holds. Renders what the controller says;
 * each control fires an event (`hearth-sheet-toggle`, `-quantity`, `-note`, `-add`, `-close`).
 */
export class ItemSheet extends LitElement {
  static override properties = { view: { attribute: false } };

  declare view: SheetView | undefined;

  static override styles = [
    guestStyles,
    css`
      dialog {
        box-sizing: border-box;
        width: 100%;
        max-width: 34rem;
        max-height: 100dvh;
        margin: auto auto 0;
        padding: 0;
        border: 0;
        border-radius: 1rem 1rem 0 0;
        background: var(--hearth-surface, #fff);
        color: var(--hearth-fg, #231411);
      }
      dialog::backdrop {
        background: rgb(35 20 17 / 0.55);
      }
      form {
        display: grid;
        gap: 1rem;
        padding: 1rem 1rem 0;
      }
      .head {
        display: flex;
        align-items: start;
        justify-content: space-between;
        gap: 0.5rem;
      }
      .close {
        font-size: 1.4rem;
        line-height: 1;
        padding: 0;
      }
      .about {
        display: grid;
        gap: 0.25rem;
      }
      .about p {
        margin: 0;
      }
      .tags {
        color: var(--hearth-ok, #1d6b3a);
        font-weight: 600;
      }
      fieldset {
        display: grid;
        gap: 0.25rem;
        margin: 0;
        padding: 0.5rem 0 0;
        border: 0;
        border-top: 1px solid #e0d8d3;
      }
      legend {
        display: flex;
        gap: 0.5rem;
        align-items: baseline;
        padding: 0;
        font-weight: 600;
      }
      .rule {
        font-weight: 400;
        color: var(--hearth-muted, #6b5a55);
      }
      .rule.unmet {
        color: var(--hearth-bad, #a12a1b);
        font-weight: 600;
      }
      label.option {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        min-height: 44px;
        cursor: pointer;
      }
      label.option input {
        width: 1.4rem;
        height: 1.4rem;
        margin: 0;
        accent-color: var(--hearth-accent, #3e1e18);
      }
      label.option .name {
        flex: 1;
      }
      label.option.off {
        color: #5c4d48;
        cursor: not-allowed;
      }
      .qty {
        display: flex;
        align-items: center;
        justify-content: space-between;
      }
      .note {
        display: grid;
        gap: 0.25rem;
      }
      textarea {
        min-height: 3.5rem;
        padding: 0.5rem;
        border-radius: var(--hearth-radius, 0.5rem);
        border: 1px solid var(--hearth-muted, #6b5a55);
      }
      .foot {
        position: sticky;
        bottom: 0;
        display: grid;
        gap: 0.5rem;
        margin: 0 -1rem;
        padding: 0.75rem 1rem calc(0.75rem + env(safe-area-inset-bottom, 0px));
        background: var(--hearth-surface, #fff);
        box-shadow: 0 -1px 0 rgb(0 0 0 / 0.12);
      }
      .foot p {
        margin: 0;
      }
      .add {
        width: 100%;
        min-height: 52px;
      }
    `,
  ];

  override render() {
    const v = this.view;
    return html`<dialog
      aria-labelledby="sheet-title"
      @cancel=${this.#cancel}
      @close=${this.#closed}
    >
      ${v ? this.#sheet(v) : nothing}
    </dialog>`;
  }

  override updated(): void {
    const dialog = this.renderRoot.querySelector('dialog');
    if (!dialog) return;
    if (this.view && !dialog.open) dialog.showModal();
    else if (!this.view && dialog.open) dialog.close();
  }

  #sheet(v: SheetView) {
    return html`<form @submit=${this.#submit}>
      <div class="head">
        <h2 id="sheet-title">${v.name}</h2>
        <button type="button" class="close" aria-label="Close" @click=${this.#close}>×</button>
      </div>
      <div class="about">
        ${v.description ? html`<p>${v.description}</p>` : nothing}
        <p><strong>${v.price}</strong>${v.soldOut ? html` · <span class="problem">Sold out</span>` : nothing}</p>
        ${v.tags.length > 0 ? html`<p class="tags">${v.tags.join(' · ')}</p>` : nothing}
        ${v.allergens ? html`<p class="muted">${v.allergens}</p>` : nothing}
      </div>
      ${v.groups.map((g) => this.#group(g))}
      ${
        v.extras.length > 0
          ? html`<fieldset data-group="extras">
              <legend>Anything else? <span class="rule">Optional</span></legend>
              ${v.extras.map((o) => this.#option('checkbox', 'extras', null, o))}
            </fieldset>`
          : nothing
      }
      <div class="qty">
        <span id="qty-label">Quantity</span>
        <span class="stepper" role="group" aria-labelledby="qty-label">
          <button
            type="button"
            aria-label="One fewer"
            ?disabled=${v.quantity <= 1}
            @click=${() => this.#quantity(v.quantity - 1)}
          >
            −
          </button>
          <span class="count" aria-live="polite">${v.quantity}</span>
          <button
            type="button"
            aria-label="One more"
            ?disabled=${v.quantity >= 99}
            @click=${() => this.#quantity(v.quantity + 1)}
          >
            +
          </button>
        </span>
      </div>
      ${
        v.note === null
          ? nothing
          : html`<label class="note"
              >Note for the kitchen (optional)
              <textarea
                name="note"
                maxlength="200"
                placeholder="For example: no ice, nut allergy"
                .value=${v.note}
                @input=${this.#note}
              ></textarea>
            </label>`
      }
      <div class="foot">
        ${v.reason ? html`<p id="add-reason" class="problem">${v.reason}</p>` : nothing}
        <button
          type="submit"
          class="primary add"
          ?disabled=${!v.canAdd}
          aria-describedby=${v.reason ? 'add-reason' : nothing}
        >
          ${v.addLabel}
        </button>
      </div>
    </form>`;
  }

  #group(g: GroupView) {
    return html`<fieldset data-group=${g.id}>
      <legend>${g.name} <span class="rule ${g.satisfied ? '' : 'unmet'}">${g.rule}</span></legend>
      ${
        g.none
          ? html`<label class="option">
              <input
                type="radio"
                name=${g.id}
                .checked=${g.none.checked}
                @change=${() => this.#toggle(g.id, null)}
              />
              <span class="name">None</span>
            </label>`
          : nothing
      }
      ${g.options.map((o) => this.#option(g.kind, g.id, g.id, o))}
    </fieldset>`;
  }

  #option(kind: 'radio' | 'checkbox', name: string, groupId: string | null, o: OptionView) {
    return html`<label class="option ${o.disabled ? 'off' : ''}" data-modifier=${o.id}>
      <input
        type=${kind}
        name=${name}
        .checked=${o.checked}
        ?disabled=${o.disabled}
        @change=${(e: Event) => {
          // The controller decides; the control shows what it decided.
          (e.target as HTMLInputElement).checked = o.checked;
          this.#toggle(groupId, o.id);
        }}
      />
      <span class="name">${o.name}${o.soldOut ? ' — sold out' : ''}</span>
      <span class="delta">${o.delta}</span>
    </label>`;
  }

  #fire<T>(type: string, detail?: T): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  #toggle(groupId: string | null, modifierId: string | null): void {
    this.#fire<SheetToggle>('hearth-sheet-toggle', { groupId, modifierId });
  }

  #quantity(quantity: number): void {
    this.#fire<number>('hearth-sheet-quantity', quantity);
  }

  #note(event: InputEvent): void {
    this.#fire<string>('hearth-sheet-note', (event.target as HTMLTextAreaElement).value);
  }

  #submit(event: SubmitEvent): void {
    event.preventDefault();
    if (this.view?.canAdd) this.#fire('hearth-sheet-add');
  }

  #close(): void {
    this.#fire('hearth-sheet-close');
  }

  /** Escape: the page closes the sheet (the dialog follows its view). */
  #cancel(event: Event): void {
    event.preventDefault();
    this.#close();
  }

  /** Closed by the browser itself (a second Escape): the page follows. A close event that
   * arrives after the sheet was opened again (for the next dish) is stale and changes nothing. */
  #closed(event: Event): void {
    if (this.view && !(event.currentTarget as HTMLDialogElement).open) this.#close();
  }
}

customElements.define('hearth-item-sheet', ItemSheet);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-item-sheet': ItemSheet;
  }
}
