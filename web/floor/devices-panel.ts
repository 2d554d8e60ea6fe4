import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import type { StaffRole } from '#protocol';
import type { AppServices } from '../app/app-services.ts';
import type { Timers } from '../app/timers.ts';
import { Announcer } from '../guest/announcer.ts';
import { DevicesController, type PairingState } from './devices-controller.ts';
import {
  countdownSpoken,
  countdownWords,
  DEVICE_ROLE_WORDS,
  DEVICE_ROLES,
  type DeviceRole,
  type DeviceRow,
  type LocalDevice,
  outboxWords,
  relativeTime,
  rowsOf,
  secondsLeft,
  sortDevices,
  statusWords,
} from './devices-state.ts';
import { type FloorOpState, type FloorSubmit, OpMarks } from './floor-ops.ts';
import { floorStyles } from './floor-styles.ts';
import { loadQr, type RenderSvg } from './qr-svg.ts';

export type { LocalDevice };

/**
 * `<hearth-floor-devices>`: the venue's paired devices for managers and owners — each with its
 * name, role, last seen, waiting ops and status — "Pair a device" (a floor tablet or a kitchen
 * display: a single-use code as a QR code and a link, with the minutes left), and Revoke after
 * a confirmation naming the device (`device.revoke` through the outbox, so it works offline,
 * its sync state beside the device). The list is fetched every 15 s while on screen, and again
 * when the local view's devices change (`localDevices`).
 *
 * ```ts
 * html`<hearth-floor-devices .services=${services} .staffRole=${principal.role}
 *   .localDevices=${devices} .submit=${submit} .ops=${ops.ops}></hearth-floor-devices>`
 * ```
 */
export class FloorDevices extends LitElement {
  static override properties = {
    services: { attribute: false },
    staffRole: { attribute: false },
    localDevices: { attribute: false },
    submit: { attribute: false },
    ops: { attribute: false },
    timers: { attribute: false },
    confirming: { state: true },
    _svg: { state: true },
    _qrError: { state: true },
  };

  declare services: Pick<AppServices, 'venueId' | 'fetch' | 'serviceWorker' | 'visibility'> &
    Partial<Pick<AppServices, 'clock'>>;
  declare staffRole: StaffRole | undefined;
  /** The devices in the local view, when it carries them: a change refreshes the list. */
  declare localDevices: readonly LocalDevice[] | undefined;
  declare submit: FloorSubmit | undefined;
  declare ops: readonly FloorOpState[];
  /** The polling and countdown timers; the browser's when not given (tests give their own). */
  declare timers: Timers | undefined;
  /** The device a Revoke waits to be confirmed for. */
  declare confirming: DeviceRow | undefined;
  declare _svg: RenderSvg | undefined;
  declare _qrError: string | null;

  #devices: DevicesController | undefined;
  readonly #announcer = new Announcer(this);
  readonly #marks = new OpMarks();
  #localKey = '';
  /** The Revoke button to focus once the dialog closes. */
  #returnTo: string | undefined;
  #spoken = '';

  static override styles = [
    floorStyles,
    css`
      p {
        margin: 0;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: 0.5rem 0.75rem;
      }
      .facts {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        margin: 0;
      }
      .facts div {
        display: flex;
        gap: 0.35rem;
      }
      .facts dt {
        color: var(--floor-muted);
      }
      .facts dd {
        margin: 0;
      }
      .revoked {
        opacity: 0.85;
        border-style: dashed;
      }
      .status-paired {
        color: var(--floor-ok);
        font-weight: 700;
      }
      .status-revoked {
        color: var(--floor-bad);
        font-weight: 700;
      }
      .code-card {
        justify-items: center;
        text-align: center;
      }
      /* Big enough for a tablet held an arm's length away; black on white whatever the theme. */
      .qr {
        width: min(100%, 26rem);
        aspect-ratio: 1;
        background: #fff;
        border-radius: 0.5rem;
      }
      .qr svg {
        display: block;
        width: 100%;
        height: 100%;
      }
      /* Headings take the focus to say where it went, not to be operated. */
      h3[tabindex='-1']:focus {
        outline: none;
      }
      .countdown {
        font-size: 1.6rem;
        font-weight: 700;
        font-variant-numeric: tabular-nums;
      }
      .link {
        font-size: 0.85rem;
        word-break: break-all;
        color: var(--floor-muted);
      }
      a {
        color: var(--floor-accent);
      }
      dialog {
        max-width: min(92vw, 28rem);
        padding: 1rem;
        border: 2px solid var(--floor-line);
        border-radius: 0.75rem;
        background: var(--floor-surface);
        color: var(--floor-fg);
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 0.6);
      }
      dialog form {
        display: grid;
        gap: 0.75rem;
      }
      button.danger {
        background: var(--floor-bad);
        border-color: var(--floor-bad);
        color: #1a0500;
      }
    `,
  ];

  constructor() {
    super();
    this.staffRole = undefined;
    this.localDevices = undefined;
    this.submit = undefined;
    this.ops = [];
    this.timers = undefined;
    this.confirming = undefined;
    this._svg = undefined;
    this._qrError = null;
  }

  get #manager(): boolean {
    return this.staffRole === 'manager' || this.staffRole === 'owner';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // The controller is a manager's only: a server's panel asks the server nothing.
    if (this.#manager && this.services && !this.#devices) {
      const services = this.services;
      this.#devices = new DevicesController(this, {
        venueId: () => services.venueId,
        fetch: services.fetch,
        serviceWorker: services.serviceWorker,
        visibility: services.visibility,
        ...(services.clock ? { clock: services.clock } : {}),
        ...(this.timers ? { timers: this.timers } : {}),
      });
    }
    if (changed.has('localDevices')) {
      const key = (this.localDevices ?? []).map((d) => `${d.id}:${d.name}:${d.revoked}`).join();
      if (key !== this.#localKey) {
        const first = this.#localKey === '' && changed.get('localDevices') === undefined;
        this.#localKey = key;
        // The feed brought a device paired, renamed or revoked: the list says so at once.
        if (!first) void this.#devices?.refresh();
      }
    }
    this.#sayCountdown();
  }

  /** The countdown for a screen reader: said once a minute (and near the end), not every second. */
  #sayCountdown(): void {
    const pairing = this.#devices?.pairing;
    if (pairing?.status !== 'shown') {
      this.#spoken = '';
      return;
    }
    const spoken = countdownSpoken(pairing.pairing.expiresAt, this.#devices?.now ?? Date.now());
    if (spoken === this.#spoken) return;
    // The first words come with the code itself (#pair).
    if (this.#spoken !== '') this.#announcer.say(spoken);
    this.#spoken = spoken;
  }

  protected override updated(): void {
    const dialog = this.renderRoot.querySelector('dialog');
    if (dialog && this.confirming && !dialog.open) {
      dialog.showModal();
      dialog.querySelector<HTMLButtonElement>('[data-action="cancel-revoke"]')?.focus();
    } else if (dialog && !this.confirming && dialog.open) dialog.close();
  }

  override render() {
    if (!this.#manager)
      return html`<h2>Devices</h2>
        <p class="muted">Only managers and owners see and pair the venue’s devices.</p>`;
    const devices = this.#devices;
    return html`<h2>Devices</h2>
      ${devices ? this.#pairPart(devices.pairing, devices.now) : nothing}
      ${devices ? this.#listPart(devices) : nothing} ${this.#dialog()}
      <p class="visually-hidden" role="status" aria-live="polite">${this.#announcer.text}</p>`;
  }

  // The list

  /** Devices revoked here and not refused: shown revoked before the list says so. */
  #revokedHere(rows: readonly DeviceRow[]): Set<string> {
    const ids = new Set<string>();
    for (const row of rows) {
      const state = this.#marks.stateOf(`device:${row.id}`, this.ops);
      if (state && state.status !== 'failed') ids.add(row.id);
    }
    for (const local of this.localDevices ?? []) if (local.revoked) ids.add(local.id);
    return ids;
  }

  #listPart(devices: DevicesController) {
    const rows = rowsOf(devices.devices, this.localDevices ?? []);
    const now = (this.services.clock ?? Date.now)();
    const status = devices.error
      ? html`<p class="error" role="alert" data-list-error>${devices.error}</p>`
      : nothing;
    if (!rows)
      return html`<section aria-labelledby="devices-heading">
        <h3 id="devices-heading">Paired devices</h3>
        ${status}
        ${devices.error ? nothing : html`<p class="muted" role="status">Loading the devices…</p>`}
      </section>`;
    const revokedHere = this.#revokedHere(rows);
    const sorted = sortDevices(rows, revokedHere);
    const paired = sorted.filter((r) => !revokedHere.has(r.id) && !r.revoked).length;
    return html`<section aria-labelledby="devices-heading">
      <div class="row">
        <h3 id="devices-heading" tabindex="-1">Paired devices (${paired})</h3>
        <button
          type="button"
          class="secondary"
          data-action="refresh"
          ?disabled=${devices.loading}
          @click=${() => void devices.refresh()}
        >
          ${devices.loading ? 'Checking…' : 'Check now'}
        </button>
      </div>
      ${status}
      ${
        sorted.length === 0
          ? html`<p class="muted">No devices paired yet: pair this venue’s tablets and kitchen displays above.</p>`
          : html`<ul>
              ${sorted.map((row) => this.#deviceRow(row, revokedHere, now))}
            </ul>`
      }
    </section>`;
  }

  #deviceRow(row: DeviceRow, revokedHere: ReadonlySet<string>, now: number) {
    const revoked = row.revoked || revokedHere.has(row.id);
    const sync = this.#marks.wordsOf(`device:${row.id}`, this.ops);
    return html`<li class="card ${revoked ? 'revoked' : ''}" data-device=${row.id}>
      <div class="row">
        <p><strong>${row.name}</strong> · ${DEVICE_ROLE_WORDS[row.role]}</p>
        <p class="status-${revoked ? 'revoked' : 'paired'}" data-status>${statusWords(row, revokedHere)}</p>
      </div>
      <dl class="facts">
        <div>
          <dt>Last seen</dt>
          <dd data-seen>${relativeTime(row.lastSeenAt, now)}</dd>
        </div>
        <div>
          <dt>Outbox</dt>
          <dd data-outbox>${outboxWords(row.outboxDepth)}</dd>
        </div>
      </dl>
      ${sync ? html`<p class="sync ${sync.startsWith('failed') ? 'failed' : ''}" data-sync>${sync}</p>` : nothing}
      ${
        revoked
          ? nothing
          : html`<div class="actions">
              <button
                type="button"
                class="secondary"
                data-revoke=${row.id}
                aria-label="Revoke ${row.name}"
                @click=${() => this.#askRevoke(row)}
              >
                Revoke
              </button>
            </div>`
      }
    </li>`;
  }

  // Pairing

  #pairPart(pairing: PairingState, now: number) {
    if (pairing.status === 'shown') return this.#codePart(pairing, now);
    const creating = pairing.status === 'creating';
    return html`<section class="card" aria-labelledby="pair-heading">
      <h3 id="pair-heading">Pair a device</h3>
      <p class="muted">
        A paired device can sign staff in with their PIN. The code works once, for 10 minutes.
      </p>
      <div class="actions" role="group" aria-label="Pair a">
        ${DEVICE_ROLES.map((role) => {
          const busy = creating && pairing.role === role;
          return html`<button
            type="button"
            data-pair=${role}
            ?disabled=${creating}
            aria-busy=${busy ? 'true' : 'false'}
            @click=${() => void this.#pair(role)}
          >
            ${busy ? 'Making a code…' : `Pair a ${DEVICE_ROLE_WORDS[role].toLowerCase()}`}
          </button>`;
        })}
      </div>
      ${
        pairing.status === 'error'
          ? html`<p class="error" role="alert" data-pair-error>${pairing.message}</p>`
          : nothing
      }
    </section>`;
  }

  #codePart(pairing: Extract<PairingState, { status: 'shown' }>, now: number) {
    const { pairUrl, expiresAt } = pairing.pairing;
    const expired = secondsLeft(expiresAt, now) === 0;
    const what = DEVICE_ROLE_WORDS[pairing.role].toLowerCase();
    return html`<section class="card code-card" aria-labelledby="code-heading" data-code>
      <h3 id="code-heading" tabindex="-1">Pair a ${what}</h3>
      ${
        expired
          ? html`<p class="error" data-expired>This code has expired. Make a new one.</p>`
          : html`<p>On the ${what}, scan this code with the camera, or open the link below.</p>
              <div class="qr" role="img" aria-label="QR code to pair a ${what}" data-qr>
                ${this._svg ? unsafeHTML(this._svg(pairUrl)) : nothing}
              </div>
              ${
                this._qrError
                  ? html`<p class="error">The QR code could not be drawn (${this._qrError}): use the link.</p>`
                  : nothing
              }
              <p>
                <span class="muted">Expires in</span>
                <span class="countdown" data-countdown>${countdownWords(expiresAt, now)}</span>
              </p>
              <p class="link"><a href=${pairUrl} data-link>${pairUrl}</a></p>`
      }
      <div class="actions">
        <button type="button" data-action="done" @click=${this.#done}>Done</button>
        <button
          type="button"
          class="secondary"
          data-action="new-code"
          @click=${() => void this.#pair(pairing.role)}
        >
          New code
        </button>
      </div>
    </section>`;
  }

  async #pair(role: DeviceRole): Promise<void> {
    const devices = this.#devices;
    if (!devices) return;
    if (!this._svg) void this.#loadQr();
    await devices.pair(role);
    const state = devices.pairing;
    if (state.status === 'shown') {
      this.#announcer.say(
        `Pairing code for a ${DEVICE_ROLE_WORDS[role].toLowerCase()} shown. ${countdownSpoken(state.pairing.expiresAt, devices.now)}.`,
      );
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#code-heading')?.focus();
    }
  }

  async #loadQr(): Promise<void> {
    this._qrError = null;
    try {
      this._svg = await loadQr('L');
    } catch (error) {
      this._qrError = error instanceof Error ? error.message : String(error);
    }
  }

  readonly #done = async (): Promise<void> => {
    const shown = this.#devices?.pairing;
    const role = shown && shown.status !== 'idle' ? shown.role : 'floor';
    this.#devices?.closePairing();
    // The device paired (or not): the list says so now rather than in 15 s.
    void this.#devices?.refresh();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`[data-pair="${role}"]`)?.focus();
  };

  // Revoking

  #askRevoke(row: DeviceRow): void {
    this.#returnTo = row.id;
    this.confirming = row;
  }

  #dialog() {
    const row = this.confirming;
    return html`<dialog
      aria-labelledby="revoke-title"
      aria-describedby="revoke-what"
      @cancel=${(e: Event) => {
        e.preventDefault();
        this.#closeDialog();
      }}
    >
      ${
        row
          ? html`<form method="dialog" @submit=${this.#confirmRevoke}>
              <h3 id="revoke-title">Revoke ${row.name}?</h3>
              <p id="revoke-what">
                Whoever is signed in on this ${DEVICE_ROLE_WORDS[row.role].toLowerCase()} is signed
                out within seconds, and no one can sign in on it until it is paired again.
              </p>
              <div class="actions">
                <button type="submit" class="danger" data-action="confirm-revoke">Revoke ${row.name}</button>
                <button type="button" class="secondary" data-action="cancel-revoke" @click=${this.#closeDialog}>
                  Cancel
                </button>
              </div>
            </form>`
          : nothing
      }
    </dialog>`;
  }

  readonly #closeDialog = async (): Promise<void> => {
    this.confirming = undefined;
    await this.updateComplete;
    const back = this.#returnTo;
    this.#returnTo = undefined;
    if (back) this.renderRoot.querySelector<HTMLElement>(`[data-revoke="${back}"]`)?.focus();
  };

  readonly #confirmRevoke = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const row = this.confirming;
    this.confirming = undefined;
    this.#returnTo = undefined;
    if (!row || !this.submit) return;
    await this.#marks.track(
      `device:${row.id}`,
      this.submit,
      `Revoke ${row.name}`,
      'device.revoke',
      () => ({
        deviceId: row.id,
      }),
    );
    this.requestUpdate();
    this.#announcer.say(`${row.name} revoked`);
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#devices-heading')?.focus();
  };
}

customElements.define('hearth-floor-devices', FloorDevices);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-floor-devices': FloorDevices;
  }
}
