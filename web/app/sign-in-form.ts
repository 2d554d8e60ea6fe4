import { css, html, LitElement } from 'lit';
import type { AsyncStatus } from './async-status.ts';
import { deviceProblemText, pairingHelp, pairingHelpStyles } from './pairing-help.ts';
import type { SignInInput } from './session-controller.ts';

/**
 * `<hearth-sign-in-form mode="staff">` asks for a PIN; `mode="guest"` for the table (given by
 * the QR code's `?table=`, or typed). Fires `hearth-sign-in` with the input; the page's
 * SessionController does the signing in and hands back `status`, and `problem` (its
 * `failure?.problem`): a refusal about the device (`DEVICE_NOT_PAIRED`, `DEVICE_REVOKED`) shows
 * the server's message with how to pair the device, as the floor's PIN pad does.
 */
export class SignInForm extends LitElement {
  static override properties = {
    mode: {},
    table: {},
    status: { attribute: false },
    problem: { attribute: false },
  };

  declare mode: 'staff' | 'guest';
  /** The guest's table label from the URL; empty when the guest must type it. */
  declare table: string;
  declare status: AsyncStatus<unknown>;
  /** The last refusal's problem code (`SessionController.failure?.problem`). */
  declare problem: string | undefined;

  constructor() {
    super();
    this.mode = 'staff';
    this.table = '';
    this.status = { status: 'initial' };
    this.problem = undefined;
  }

  static override styles = [
    pairingHelpStyles,
    css`
    :host {
      --pairing-help-border: var(--hearth-bad, #a12a1b);
    }
    form {
      display: grid;
      gap: 0.75rem;
      max-width: 20rem;
    }
    label {
      display: grid;
      gap: 0.25rem;
    }
    input,
    button {
      font: inherit;
      min-height: 44px;
      padding: 0.6rem;
      border-radius: var(--hearth-radius, 0.5rem);
      border: 1px solid var(--hearth-muted, #6b5a55);
    }
    button {
      background: var(--hearth-accent, #3e1e18);
      color: var(--hearth-on-accent, #fff);
      border: 0;
      cursor: pointer;
    }
    button[disabled] {
      opacity: 0.6;
      cursor: progress;
    }
    .error {
      color: var(--hearth-bad, #a12a1b);
    }
  `,
  ];

  override render() {
    const pending = this.status.status === 'pending';
    const failed = this.status.status === 'error';
    const device = failed ? deviceProblemText(this.problem) : '';
    return html`<form @submit=${this.#submit} aria-busy=${pending ? 'true' : 'false'}>
        ${this.mode === 'staff' ? this.#pinField() : this.#tableField()}
        <button type="submit" ?disabled=${pending}>${pending ? 'Signing in…' : 'Sign in'}</button>
        ${
          this.status.status === 'error'
            ? html`<p class="error" role="alert">${this.status.message || device}</p>`
            : null
        }
        ${device ? pairingHelp(this.problem) : null}
      </form>`;
  }

  #pinField() {
    return html`<label
      >Staff PIN
      <input
        name="pin"
        type="password"
        inputmode="numeric"
        autocomplete="current-password"
        pattern="[0-9]{4,8}"
        required
    /></label>`;
  }

  #tableField() {
    return this.table
      ? html`<p>You are at table <strong>${this.table}</strong>.</p>
          <input type="hidden" name="table" .value=${this.table} />`
      : html`<label
          >Table number (on the card on your table)
          <input name="table" inputmode="numeric" maxlength="20" required
        /></label>`;
  }

  #submit(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const detail: SignInInput =
      this.mode === 'staff'
        ? { kind: 'staff', pin: String(data.get('pin') ?? '') }
        : { kind: 'guest', table: String(data.get('table') ?? '').trim() };
    this.dispatchEvent(
      new CustomEvent<SignInInput>('hearth-sign-in', { detail, bubbles: true, composed: true }),
    );
  }
}

customElements.define('hearth-sign-in-form', SignInForm);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-sign-in-form': SignInForm;
  }
}
