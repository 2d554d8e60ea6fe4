import { css, html, LitElement } from 'lit';
import type { OfflineOff } from './offline-use.ts';

/** The notice's words for each reason: what is off, why, and what to do. */
export function offlineNoticeText(reason: OfflineOff): {
  readonly headline: string;
  readonly why: string;
  readonly todo: string;
} {
  const headline = 'Offline use is off on this device';
  switch (reason) {
    case 'insecure':
      return {
        headline,
        why: 'The connection to the venue relay is not secure (http), so changes made while the network is down are not kept.',
        todo: 'Open the venue’s set-up page, or ask a manager to trust the venue certificate on this device, then open Hearth over https.',
      };
    case 'registration-failed':
      return {
        headline,
        why: 'This browser refused to set up offline use here, most often because it does not trust the venue certificate.',
        todo: 'Open the venue’s set-up page, or ask a manager to trust the venue certificate on this device, then reload.',
      };
    case 'no-service-worker':
      return {
        headline,
        why: 'This browser offers no offline support on this page (a private window does not).',
        todo: 'Open Hearth in a normal window, or ask a manager which browser to use.',
      };
  }
}

/**
 * `<hearth-offline-notice reason="insecure">`: on every screen while offline use is off. It
 * stays (nothing to dismiss: the device really will lose changes made offline) and is a
 * polite status, read once without taking the reader's place.
 */
export class OfflineNotice extends LitElement {
  static override properties = { reason: {} };

  declare reason: OfflineOff;

  constructor() {
    super();
    this.reason = 'insecure';
  }

  static override styles = css`
    :host {
      display: block;
      padding: 0.5rem 0.75rem;
      border-left: 0.4rem solid var(--hearth-bad, #a12a1b);
      background: var(--hearth-surface, #fff);
      color: var(--hearth-fg, #231411);
    }
    strong {
      display: block;
    }
    p {
      margin: 0.25rem 0 0;
    }
  `;

  override render() {
    const text = offlineNoticeText(this.reason);
    return html`<div role="status" aria-live="polite">
      <strong>${text.headline}</strong>
      <p>${text.why}</p>
      <p>${text.todo}</p>
    </div>`;
  }
}

customElements.define('hearth-offline-notice', OfflineNotice);

/** Puts the notice first in the page's main landmark (once), or changes its reason. */
export function showOfflineNotice(reason: OfflineOff, doc: Document = document): OfflineNotice {
  const notice =
    doc.querySelector('hearth-offline-notice') ?? doc.createElement('hearth-offline-notice');
  notice.reason = reason;
  if (!notice.isConnected) (doc.querySelector('main') ?? doc.body).prepend(notice);
  return notice;
}

declare global {
  interface HTMLElementTagNameMap {
    'hearth-offline-notice': OfflineNotice;
  }
}
