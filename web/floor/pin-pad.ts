import { css, html, LitElement, nothing } from 'lit';
import type { AsyncStatus } from '../app/async-status.ts';
import { deviceProblemText, pairingHelp, pairingHelpStyles } from '../app/pairing-help.ts';
import type { SignInInput } from '../app/session-controller.ts';
import { floorStyles } from './floor-styles.ts';

/** The venue's PIN length when none is given; the sign-in route takes 4 to 8 digits. */
export const DEFAULT_PIN_LENGTH = 4;
const MIN_PIN = 4;
const MAX_PIN = 8;

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** A key typed into an editable field elsewhere on the page is that field's, not the pad's. */
function typedElsewhere(event: KeyboardEvent, pad: HTMLElement): boolean {
  const target = event.composedPath()[0];
  if (!(target instanceof HTMLElement) || event.composedPath().includes(pad)) return false;
  return target.isContentEditable || target.matches('input, textarea, select');
}

/**
 * `<hearth-pin-pad>`: a staff member signs in on a shared tablet with their PIN. Big digit
 * buttons, the digits hidden as dots, and the physical keyboard (digits, Backspace, Enter)
 * while the pad is on screen. "Sign in" (or Enter) fires `hearth-sign-in` (bubbling,
 * composed) with `{ kind: 'staff', pin }`, the input SessionController.signIn takes, once
 * `length` digits are in; the digits are then cleared. The route knows the person by the PIN
 * alone. With `signedInName` it reads "Switch from Sam" and offers Cancel (`hearth-pin-cancel`).
 *
 * ```ts
 * html`<hearth-pin-pad .status=${session.status} .signedInName=${name}
 *   @hearth-sign-in=${(e) => switcher.signIn(e.detail)}></hearth-pin-pad>`
 * ```
 */
export class PinPad extends LitElement {
  static override properties = {
    length: { type: Number },
    status: { attribute: false },
    signedInName: { attribute: false },
    problem: { attribute: false },
    digits: { state: true },
  };

  /** How many digits the venue's PINs have (4 to 8). */
  declare length: number;
  /** The sign-in under way or its outcome, as the page's SessionController reports it. */
  declare status: AsyncStatus<unknown>;
  /** Who is signed in now, when this pad switches to someone else. */
  declare signedInName: string | undefined;
  /** The last refusal's problem code (`SessionController.failure?.problem`). */
  declare problem: string | undefined;
  declare digits: string;

  constructor() {
    super();
    this.length = DEFAULT_PIN_LENGTH;
    this.status = { status: 'initial' };
    this.signedInName = undefined;
    this.problem = undefined;
    this.digits = '';
  }

  static override styles = [
    floorStyles,
    pairingHelpStyles,
    css`
      :host {
        --pairing-help-border: var(--floor-bad);
        max-width: 22rem;
        justify-items: stretch;
      }
      :host([hidden]) {
        display: none;
      }
      p {
        margin: 0;
      }
      .dots {
        display: flex;
        justify-content: center;
        gap: 0.75rem;
        font-size: 1.6rem;
        letter-spacing: 0.1em;
        min-height: 2.2rem;
      }
      .keys {
        display: grid;
        grid-template-columns: repeat(3, 1fr);
        gap: 0.5rem;
      }
      .keys button {
        min-height: 64px;
        min-width: 64px;
        font-size: 1.5rem;
      }
      .keys button.secondary {
        font-size: 1rem;
      }
      .sign-in {
        min-height: 56px;
        font-size: 1.15rem;
      }
      button[disabled] {
        opacity: 0.55;
        cursor: not-allowed;
      }
    `,
  ];

  get #pinLength(): number {
    const n = Math.trunc(Number(this.length));
    return Number.isFinite(n) ? Math.min(MAX_PIN, Math.max(MIN_PIN, n)) : DEFAULT_PIN_LENGTH;
  }

  get #pending(): boolean {
    return this.status.status === 'pending';
  }

  get #ready(): boolean {
    return this.digits.length === this.#pinLength && !this.#pending;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('keydown', this.#onKey);
  }

  override disconnectedCallback(): void {
    document.removeEventListener('keydown', this.#onKey);
    super.disconnectedCallback();
  }

  override render() {
    const length = this.#pinLength;
    const pending = this.#pending;
    const dots = Array.from({ length }, (_, i) => (i < this.digits.length ? '●' : '○'));
    const device = this.#deviceProblem;
    const message =
      this.status.status === 'pending'
        ? 'Checking…'
        : this.status.status === 'error'
          ? this.status.message || device
          : '';
    return html`
      <h2 id="pin-title">
        ${this.signedInName ? `Switch from ${this.signedInName}` : 'Sign in with your PIN'}
      </h2>
      <p class="muted" id="pin-hint">Enter your ${length}-digit PIN.</p>
      <div class="dots" aria-hidden="true">${dots.map((dot) => html`<span>${dot}</span>`)}</div>
      <p class="visually-hidden" aria-live="polite" data-count>
        ${this.digits.length} of ${length} digits entered
      </p>
      <div class="keys" role="group" aria-labelledby="pin-title" aria-describedby="pin-hint">
        ${DIGITS.map((d) => this.#key(d, pending))}
        <button
          type="button"
          class="secondary"
          data-key="clear"
          ?disabled=${pending || this.digits.length === 0}
          @click=${this.#clear}
        >
          Clear
        </button>
        ${this.#key('0', pending)}
        <button
          type="button"
          class="secondary"
          data-key="back"
          aria-label="Delete last digit"
          ?disabled=${pending || this.digits.length === 0}
          @click=${this.#back}
        >
          ⌫
        </button>
      </div>
      <button
        type="button"
        class="sign-in"
        data-sign-in
        ?disabled=${!this.#ready}
        aria-busy=${pending ? 'true' : 'false'}
        @click=${this.#submit}
      >
        ${pending ? 'Checking…' : 'Sign in'}
      </button>
      ${
        this.signedInName
          ? html`<button type="button" class="secondary" data-cancel @click=${this.#cancel}>
              Cancel
            </button>`
          : nothing
      }
      <p
        class=${this.status.status === 'error' ? 'error' : 'muted'}
        role="status"
        aria-live="polite"
        data-status
      >
        ${message}
      </p>
      ${device ? pairingHelp(this.problem) : nothing}
    `;
  }

  /** The words for a refusal about this device (not its PIN), or '' for any other outcome. */
  get #deviceProblem(): string {
    return this.status.status === 'error' ? deviceProblemText(this.problem) : '';
  }

  #key(digit: string, disabled: boolean) {
    return html`<button
      type="button"
      data-key=${digit}
      ?disabled=${disabled}
      @click=${() => this.#type(digit)}
    >
      ${digit}
    </button>`;
  }

  /** A digit past the PIN's length is not taken (the keys stay enabled: focus stays put). */
  #type(digit: string): void {
    if (this.#pending || this.digits.length >= this.#pinLength) return;
    this.digits += digit;
  }

  #back = (): void => {
    this.digits = this.digits.slice(0, -1);
  };

  #clear = (): void => {
    this.digits = '';
  };

  #submit = (): void => {
    if (!this.#ready) return;
    const detail: SignInInput = { kind: 'staff', pin: this.digits };
    this.digits = '';
    this.dispatchEvent(
      new CustomEvent<SignInInput>('hearth-sign-in', { detail, bubbles: true, composed: true }),
    );
  };

  #cancel = (): void => {
    this.digits = '';
    this.dispatchEvent(new CustomEvent('hearth-pin-cancel', { bubbles: true, composed: true }));
  };

  #onKey = (event: KeyboardEvent): void => {
    if (this.hidden || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typedElsewhere(event, this)) return;
    if (/^[0-9]$/.test(event.key)) {
      event.preventDefault();
      this.#type(event.key);
    } else if (event.key === 'Backspace') {
      event.preventDefault();
      if (!this.#pending) this.#back();
    } else if (event.key === 'Enter') {
      // A focused button other than a digit (Cancel, Clear, one elsewhere) does its own thing.
      const target = event.composedPath()[0];
      if (target instanceof HTMLButtonElement && !/^[0-9]$/.test(target.dataset.key ?? '')) return;
      // Not also a click on the focused digit.
      event.preventDefault();
      this.#submit();
    } else if (event.key === 'Escape' && this.signedInName) {
      this.#cancel();
    }
  };
}

customElements.define('hearth-pin-pad', PinPad);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-pin-pad': PinPad;
  }
  interface HTMLElementEventMap {
    'hearth-pin-cancel': CustomEvent<undefined>;
  }
}
