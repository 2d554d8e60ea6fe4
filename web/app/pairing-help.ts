import { css, html, nothing, type TemplateResult } from 'lit';

/*
 * A sign-in refused because of the device, not the PIN (decision 034): no PIN works until a
 * manager pairs it. The floor's PIN pad and the kitchen display's sign-in form both show the
 * server's message and, under it, how to pair the device.
 */

/** The words for each refusal about the device, for when the server sent none. */
const DEVICE_PROBLEMS: Readonly<Record<string, string>> = {
  DEVICE_NOT_PAIRED:
    'This device is not paired with the venue. Ask a manager to pair it: Floor › Devices › Pair a device.',
  DEVICE_REVOKED:
    'This device’s pairing was revoked. Ask a manager to pair it again: Floor › Devices › Pair a device.',
};

/** The words for a refusal about this device, or '' when `problem` is about something else. */
export function deviceProblemText(problem: string | undefined): string {
  return problem ? (DEVICE_PROBLEMS[problem] ?? '') : '';
}

/** What pairing takes, for whoever is standing at an unpaired device; nothing for other codes. */
export function pairingHelp(problem: string | undefined): TemplateResult | typeof nothing {
  if (!deviceProblemText(problem)) return nothing;
  return html`<div class="device-problem" data-device-problem=${problem ?? ''}>
    <details>
      <summary>How to pair this device</summary>
      <ol>
        <li>On a paired tablet, a manager opens Floor › Devices.</li>
        <li>They choose Floor tablet or Kitchen display and press “Show a pairing code”.</li>
        <li>Scan that code with this device’s camera, or open its link here.</li>
        <li>Name this device and press Pair. Then sign in with your PIN.</li>
      </ol>
    </details>
  </div>`;
}

/** The help's look; its border is `--pairing-help-border` (the screen's colour for trouble). */
export const pairingHelpStyles = css`
  .device-problem {
    display: grid;
    gap: 0.5rem;
    padding: 0.75rem;
    border: 2px solid var(--pairing-help-border, currentColor);
    border-radius: 0.5rem;
  }
  .device-problem summary {
    min-height: 44px;
    display: flex;
    align-items: center;
    cursor: pointer;
    font-weight: 700;
  }
  .device-problem ol {
    margin: 0;
    padding-left: 1.25rem;
  }
`;
