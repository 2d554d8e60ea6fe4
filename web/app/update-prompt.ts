import { css, html, LitElement } from 'lit';

/**
 * `<hearth-update-prompt>`: "A new version is ready — reload". Fires `hearth-reload` when the
 * person chooses to; the bootstrap then activates the waiting service worker and reloads.
 */
export class UpdatePrompt extends LitElement {
  static override styles = css`
    :host {
      position: fixed;
      inset: auto 1rem 1rem 1rem;
      z-index: 10;
      display: flex;
      justify-content: center;
    }
    div {
      display: flex;
      gap: 1rem;
      align-items: center;
      padding: 0.75rem 1rem;
      border-radius: var(--hearth-radius, 0.5rem);
      background: var(--hearth-accent, #3e1e18);
      color: var(--hearth-on-accent, #fff);
      box-shadow: 0 2px 8px rgb(0 0 0 / 0.3);
    }
    button {
      font: inherit;
      padding: 0.4rem 0.9rem;
      border-radius: var(--hearth-radius, 0.5rem);
      border: 0;
      cursor: pointer;
    }
  `;

  override render() {
    return html`<div role="alert">
      <span>A new version is ready</span>
      <button type="button" @click=${this.#reload}>Reload</button>
    </div>`;
  }

  #reload(): void {
    this.dispatchEvent(new Event('hearth-reload', { bubbles: true, composed: true }));
  }
}

customElements.define('hearth-update-prompt', UpdatePrompt);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-update-prompt': UpdatePrompt;
  }
}
