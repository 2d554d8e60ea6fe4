import { css, html, LitElement } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { ResilienceView } from './resilience-state.ts';
import { detailsOf, headlineOf, relayLineOf } from './resilience-text.ts';

/**
 * `<hearth-resilience-banner .view=${controller.view}>`: the device's connection, last sync and
 * what waits to be sent, on every screen; on the venue relay, the relay's own uplink to the
 * cloud too ("Venue relay: offline from cloud since 19:40 · 12 changes not in the cloud yet").
 * A polite live region, so a screen reader hears "Offline — showing cached data" without
 * losing its place.
 */
export class ResilienceBanner extends LitElement {
  static override properties = { view: { attribute: false } };

  declare view: ResilienceView | undefined;

  static override styles = css`
    :host {
      display: block;
    }
    .banner {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 0.25rem 1rem;
      padding: 0.5rem 0.75rem;
      border-radius: var(--hearth-radius, 0.5rem);
      border-left: 0.4rem solid currentColor;
      background: var(--hearth-surface, #fff);
      color: var(--hearth-fg, #231411);
    }
    .headline {
      font-weight: 600;
    }
    .details {
      color: var(--hearth-muted, #6b5a55);
      font-size: 0.9em;
    }
    .uplink {
      flex-basis: 100%;
      font-size: 0.9em;
    }
    .uplink:not([data-uplink='online']) {
      color: var(--hearth-warn, #8a5a00);
      font-weight: 600;
    }
    [data-mode='connected'] {
      border-left-color: var(--hearth-ok, #1d6b3a);
    }
    [data-mode='degraded'],
    [data-mode='replaying'],
    [data-mode='connecting'] {
      border-left-color: var(--hearth-warn, #8a5a00);
    }
    [data-mode='offline'] {
      border-left-color: var(--hearth-bad, #a12a1b);
    }
    /* Connected to the relay, but the relay is not in step with the cloud. */
    [data-mode='connected'][data-uplink]:not([data-uplink='online']) {
      border-left-color: var(--hearth-warn, #8a5a00);
    }
  `;

  override render() {
    const view = this.view;
    const uplink = view ? relayLineOf(view) : null;
    return html`<div
      class="banner"
      role="status"
      aria-live="polite"
      data-mode=${view?.mode ?? 'connecting'}
      data-uplink=${ifDefined(view?.relay?.uplink)}
    >
      ${
        view
          ? html`<span class="headline">${headlineOf(view)}</span>
            <span class="details">${detailsOf(view).join(' · ')}</span>
            ${
              uplink && view.relay
                ? html`<span class="uplink" data-uplink=${view.relay.uplink}>${uplink}</span>`
                : null
            }`
          : html`<span class="headline">Connecting…</span>`
      }
    </div>`;
  }
}

customElements.define('hearth-resilience-banner', ResilienceBanner);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-resilience-banner': ResilienceBanner;
  }
}
