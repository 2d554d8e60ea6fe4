import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { apiUrl } from '../app/api-url.ts';
import { alwaysVisible, type PageVisibility } from '../app/page-visibility.ts';
import type { ServiceWorkerLink } from '../app/service-worker-link.ts';
import { browserTimers, type Timers } from '../app/timers.ts';
import {
  type DeviceRole,
  type DeviceRow,
  type Pairing,
  parseListing,
  parsePairing,
  problemWords,
  secondsLeft,
} from './devices-state.ts';

/** How often the list is fetched again while the panel is on screen. */
export const DEVICES_POLL_MS = 15_000;

/** The pairing code on screen, or the request for one. */
export type PairingState =
  | { readonly status: 'idle' }
  | { readonly status: 'creating'; readonly role: DeviceRole }
  | { readonly status: 'shown'; readonly role: DeviceRole; readonly pairing: Pairing }
  | { readonly status: 'error'; readonly role: DeviceRole; readonly message: string };

export interface DevicesDeps {
  /** The venue whose devices to list; null while no one is signed in. */
  readonly venueId: () => string | null;
  readonly fetch: typeof fetch;
  readonly serviceWorker: Pick<ServiceWorkerLink, 'controlled'>;
  readonly visibility?: PageVisibility;
  readonly timers?: Timers;
  readonly clock?: () => number;
  readonly intervalMs?: number;
}

const NO_CONNECTION = 'No connection to the venue’s server';

/**
 * The Devices panel's server side: `GET …/v1/venues/:venueId/devices` at once when its host
 * connects, every 15 s while connected and on screen, and when the page comes back on screen
 * (a failed fetch keeps the last list and says why); `POST …/devices/pairings` for a pairing
 * code, with the clock ticking every second while the code is on screen and not yet expired.
 *
 * @example
 * readonly devices = new DevicesController(this, { venueId: () => id, fetch, serviceWorker });
 * // render: this.devices.devices, .error, .pairing, .now; pair('kitchen'), closePairing()
 */
export class DevicesController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #deps: DevicesDeps;
  #stops: (() => void)[] = [];
  #stopTick: (() => void) | undefined;
  #connected = false;
  #inFlight: Promise<void> | undefined;
  /** Each pairing request's number: a "New code" pressed twice shows the last one only. */
  #pairings = 0;

  devices: readonly DeviceRow[] | null = null;
  error: string | null = null;
  loading = false;
  pairing: PairingState = { status: 'idle' };
  /** Device ms the countdown is drawn at. */
  now: number;

  constructor(host: ReactiveControllerHost, deps: DevicesDeps) {
    this.#host = host;
    this.#deps = deps;
    this.now = this.#clock();
    host.addController(this);
  }

  hostConnected(): void {
    const visibility = this.#deps.visibility ?? alwaysVisible;
    const timers = this.#deps.timers ?? browserTimers;
    this.#connected = true;
    this.#stops = [
      visibility.subscribe((visible) => {
        if (visible) void this.refresh();
      }),
      timers.every(this.#deps.intervalMs ?? DEVICES_POLL_MS, () => void this.refresh()),
    ];
    if (this.pairing.status === 'shown') this.#startTicking();
    void this.refresh();
  }

  hostDisconnected(): void {
    this.#connected = false;
    for (const stop of this.#stops) stop();
    this.#stops = [];
    this.#stopTicking();
  }

  /** Fetches the list now, unless a fetch is on its way, the host is gone or the page hidden. */
  refresh(): Promise<void> {
    const visible = (this.#deps.visibility ?? alwaysVisible).visible();
    if (!this.#connected || !visible) return Promise.resolve();
    this.#inFlight ??= this.#fetchList().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** Asks for a pairing code for a device of `role`; the code shows until closed or expired. */
  async pair(role: DeviceRole): Promise<void> {
    const venueId = this.#deps.venueId();
    if (!venueId) return;
    const mine = ++this.#pairings;
    this.#stopTicking();
    this.#setPairing({ status: 'creating', role });
    const path = `/v1/venues/${encodeURIComponent(venueId)}/devices/pairings` as const;
    let next: PairingState;
    try {
      const response = await this.#deps.fetch(this.#url(path), {
        method: 'POST',
        cache: 'no-store',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ role }),
      });
      const body: unknown = await response.json().catch(() => undefined);
      const pairing = response.ok ? parsePairing(body) : null;
      next = pairing
        ? { status: 'shown', role, pairing }
        : {
            status: 'error',
            role,
            message: response.ok
              ? 'The pairing code came back in a shape this app does not read'
              : problemWords(response.status, body, 'No pairing code was made'),
          };
    } catch {
      next = {
        status: 'error',
        role,
        message: `${NO_CONNECTION}: a pairing code needs it. Try again once connected.`,
      };
    }
    if (mine !== this.#pairings) return;
    this.now = this.#clock();
    this.#setPairing(next);
    if (next.status === 'shown' && this.#connected) this.#startTicking();
  }

  /** Puts the code away ("Done"). */
  closePairing(): void {
    this.#pairings += 1;
    this.#stopTicking();
    this.#setPairing({ status: 'idle' });
  }

  async #fetchList(): Promise<void> {
    const venueId = this.#deps.venueId();
    if (!venueId) return;
    this.loading = true;
    this.#host.requestUpdate();
    const path = `/v1/venues/${encodeURIComponent(venueId)}/devices` as const;
    let devices: DeviceRow[] | null = null;
    let error: string | null = null;
    try {
      const response = await this.#deps.fetch(this.#url(path), {
        cache: 'no-store',
        credentials: 'same-origin',
        headers: { accept: 'application/json' },
      });
      const body: unknown = await response.json().catch(() => undefined);
      if (!response.ok)
        error = problemWords(response.status, body, 'The devices could not be listed');
      else {
        devices = parseListing(body);
        if (!devices) error = 'The device list came back in a shape this app does not read';
      }
    } catch {
      error = `${NO_CONNECTION}: the device list could not be loaded`;
    }
    if (!this.#connected) return;
    this.loading = false;
    if (devices) this.devices = devices;
    this.error = error;
    this.#host.requestUpdate();
  }

  #url(path: `/v1/${string}`): string {
    return apiUrl(path, this.#deps.serviceWorker.controlled());
  }

  #clock(): number {
    return (this.#deps.clock ?? Date.now)();
  }

  #setPairing(state: PairingState): void {
    this.pairing = state;
    this.#host.requestUpdate();
  }

  /** Every second while the code is on screen; stops once it has expired. */
  #startTicking(): void {
    this.#stopTicking();
    const timers = this.#deps.timers ?? browserTimers;
    this.#stopTick = timers.every(1000, () => {
      this.now = this.#clock();
      const shown = this.pairing;
      if (shown.status !== 'shown' || secondsLeft(shown.pairing.expiresAt, this.now) === 0)
        this.#stopTicking();
      this.#host.requestUpdate();
    });
  }

  #stopTicking(): void {
    this.#stopTick?.();
    this.#stopTick = undefined;
  }
}
