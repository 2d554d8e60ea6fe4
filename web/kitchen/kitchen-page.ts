import { css, html, LitElement, nothing } from 'lit';
import type { Settings, Station, Ticket } from '#protocol';
import { appServices } from '../app/app-services.ts';
import { CacheSyncController } from '../app/cache-sync-controller.ts';
import { LocalViewController } from '../app/local-view-controller.ts';
import { OpController } from '../app/op-controller.ts';
import { ResilienceController } from '../app/resilience-controller.ts';
import { SessionController, type SignInInput } from '../app/session-controller.ts';
import '../app/sign-in-form.ts';
import { browserTimers } from '../app/timers.ts';
import type { StationChoice } from './board.ts';
import { ClockOffsetController } from './clock-offset.ts';
import './kds-board.ts';
import { kdsStatusOf } from './kds-status.ts';
import { browserStationStore, mayChooseStation, stationKey } from './station-store.ts';

/** What the kitchen display reads: its tickets and the settings (stations, timers). */
export const KITCHEN_SCOPES = ['settings', 'ticket'] as const;

/**
 * Venue time to the second: the clocks show no finer, and a board given the same second reuses
 * every card whose tickets did not change.
 */
const wholeSecond = (ms: number): number => Math.floor(ms / 1000) * 1000;

/**
 * `<hearth-kitchen-page>`: the kitchen display. Sign in (kitchen PIN), pick the station once
 * (kept on the device; a manager can change it), then the board: the station's tickets from
 * the local cache with this screen's own actions on top, clocks in venue time ticking every
 * second, offline or not. Kiosk: full screen, kept awake, no selection, no context menu.
 */
export class KitchenPage extends LitElement {
  static override styles = css`
    :host {
      display: flex;
      flex-direction: column;
      gap: 0.5rem;
      height: 100%;
      min-height: 0;
    }
    hearth-kds-board {
      flex: 1;
      min-height: 0;
    }
    header {
      display: flex;
      gap: 0.75rem;
      align-items: center;
      justify-content: space-between;
    }
    h1 {
      margin: 0;
      font-size: 1.2rem;
    }
    button,
    select {
      min-height: 48px;
      min-width: 48px;
      padding: 0 0.7rem;
      font: inherit;
      font-weight: 700;
      border-radius: 0.4rem;
      border: 0.15rem solid #f4f1ee;
      background: #2b2b2b;
      color: #f4f1ee;
      cursor: pointer;
    }
    .stations {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr));
      gap: 0.75rem;
    }
    .stations button {
      min-height: 6rem;
      font-size: 1.4rem;
    }
    section {
      display: grid;
      gap: 0.75rem;
      align-content: start;
      padding: 1rem;
      border-radius: 0.5rem;
      background: #1d1d1d;
    }
    h2 {
      margin: 0;
      font-size: 1.2rem;
    }
    .refused {
      padding: 0.5rem 1rem;
      background: #3b1512;
    }
    .refused p {
      margin: 0;
      display: flex;
      gap: 1rem;
      align-items: center;
      justify-content: space-between;
    }
    .muted {
      color: #cfc8c3;
    }
    .error {
      color: #ff9a8f;
    }
  `;

  readonly #services = appServices();
  readonly #session = new SessionController(this, {
    ...this.#services,
    accepts: (principal) => principal.kind === 'staff',
  });
  readonly #resilience = new ResilienceController(this, this.#services);
  readonly #sync = new CacheSyncController(this, { ...this.#services, scopes: KITCHEN_SCOPES });
  readonly #view = new LocalViewController(this, {
    ...this.#services,
    kinds: ['ticket', 'settings'],
  });
  readonly #ops = new OpController(this, this.#services);
  readonly #offset = new ClockOffsetController(this, this.#services);
  readonly #stations = browserStationStore();
  readonly #openedAt = this.#services.clock();
  #station: StationChoice | undefined = this.#stations.load();
  #choosing = false;
  /** The connection the display is on ('connected:relay', 'offline:null'…) and since when. */
  #link: { key: string; at: number } | undefined;
  #stopTick: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    // The clocks tick on the device, every second, with or without a network.
    this.#stopTick = browserTimers.every(1_000, () => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopTick?.();
  }

  override render() {
    const principal = this.#session.principal;
    if (principal?.kind !== 'staff') {
      return html`<header><h1>Kitchen</h1></header>
        <section>
          <h2>Sign in</h2>
          <hearth-sign-in-form
            mode="staff"
            .status=${this.#session.status}
            .problem=${this.#session.failure?.problem}
            @hearth-sign-in=${(e: CustomEvent<SignInInput>) => void this.#session.signIn(e.detail)}
          ></hearth-sign-in-form>
        </section>`;
    }
    const mayChange = mayChooseStation(principal.role, this.#station);
    const snapshot = this.#view.status;
    const settings =
      snapshot.status === 'complete' ? snapshot.value.items('settings')[0]?.entity : undefined;
    const stations = settings?.stations ?? [];
    const name = this.#stationName(stations);
    const actions = html`${
      this.#station && mayChange
        ? html`<button type="button" @click=${() => this.#choose(true)}>Change station</button>`
        : nothing
    }
      <button type="button" @click=${() => void this.#fullScreen()}>Full screen</button>
      <button type="button" @click=${() => void this.#session.signOut()}>Sign out</button>`;
    if (!this.#station || this.#choosing) {
      return html`<header>
          <h1>Kitchen · ${name ?? 'choose a station'}</h1>
          <span>${actions}</span>
        </header>
        ${this.#picker(stations, mayChange)}`;
    }
    return this.#board(
      snapshot.status === 'complete' ? snapshot.value : undefined,
      settings,
      name,
      actions,
    );
  }

  #stationName(stations: readonly Station[]): string | undefined {
    const station = this.#station;
    if (!station) return undefined;
    if (station.kind === 'expo') return 'Expo';
    return stations.find((s) => s.id === station.id)?.name ?? station.id;
  }

  #picker(stations: readonly Station[], mayChange: boolean) {
    if (!mayChange) {
      return html`<section><p>Ask a manager to change this display’s station.</p></section>`;
    }
    const choices: { choice: StationChoice; label: string }[] = [
      ...stations.map((s) => ({ choice: { kind: 'prep', id: s.id } as const, label: s.name })),
      { choice: { kind: 'expo' }, label: 'Expo (every station, to the pass)' },
    ];
    return html`<section aria-label="Choose a station">
      <h2>Which station is this display?</h2>
      ${
        stations.length === 0
          ? html`<p class="muted">Reading the venue’s stations…</p>`
          : html`<div class="stations">
              ${choices.map(
                ({ choice, label }) => html`<button
                  type="button"
                  data-station=${stationKey(choice)}
                  @click=${() => this.#pick(choice)}
                >
                  ${label}
                </button>`,
              )}
            </div>`
      }
      ${this.#station ? html`<button type="button" @click=${() => this.#choose(false)}>Cancel</button>` : nothing}
    </section>`;
  }

  #board(
    snapshot: { items(kind: 'ticket'): { entity: Ticket }[] } | undefined,
    settings: Settings | undefined,
    name: string | undefined,
    actions: unknown,
  ) {
    const station = this.#station;
    if (!station) return nothing;
    const view = this.#view.status;
    if (view.status === 'error') {
      return html`<section><p class="error">The local copy could not be read: ${view.message}</p></section>`;
    }
    // The board counts what it first shows as already seen: it waits for the cached copy, or
    // every cached ticket would flash (and chime) as new.
    if (view.status !== 'complete') {
      return html`<section><p class="muted">Reading this display’s tickets…</p></section>`;
    }
    const tickets = snapshot ? snapshot.items('ticket').map(({ entity }) => entity) : [];
    const now = this.#services.clock();
    const resilience = this.#resilience.view;
    const key = `${resilience.mode}:${resilience.target}`;
    if (this.#link?.key !== key) this.#link = { key, at: now };
    const failed = this.#ops.ops.filter((op) => op.status === 'failed');
    return html`<hearth-kds-board
      .tickets=${tickets}
      .settings=${settings}
      .station=${station}
      .now=${wholeSecond(this.#offset.now())}
      .status=${kdsStatusOf(resilience, now, this.#openedAt, undefined, this.#link.at)}
      .submit=${(
        label: string,
        type: Parameters<OpController['submit']>[1],
        payload: () => unknown,
      ) => this.#ops.submit(label, type, payload)}
      .clock=${this.#services.clock}
      stationLabel=${name ?? ''}
      .openedAt=${this.#openedAt + this.#offset.offsetMs}
    >
      <span slot="actions">${actions}</span>
    </hearth-kds-board>
    ${
      failed.length > 0
        ? html`<section class="refused" role="alert" aria-label="Refused actions">
            ${failed.map(
              (op) => html`<p>
                <strong>${op.label}</strong> was refused: ${op.detail ?? 'no reason given'}
                <button type="button" @click=${() => this.#ops.discard(op.opId)}>Dismiss</button>
              </p>`,
            )}
          </section>`
        : nothing
    }
    ${this.#sync.error ? html`<p class="error">Offline copy unavailable: ${this.#sync.error}</p>` : nothing}`;
  }

  #choose(open: boolean): void {
    this.#choosing = open;
    this.requestUpdate();
  }

  #pick(choice: StationChoice): void {
    this.#station = choice;
    this.#stations.save(choice);
    this.#choosing = false;
    this.requestUpdate();
  }

  async #fullScreen(): Promise<void> {
    try {
      await document.documentElement.requestFullscreen?.();
    } catch {
      // Refused (not from a tap, or not allowed here): the installed app is full screen anyway.
    }
  }
}

customElements.define('hearth-kitchen-page', KitchenPage);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-kitchen-page': KitchenPage;
  }
}
