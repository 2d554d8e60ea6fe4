import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Timers } from '../app/timers.ts';

/** How often the floor plan renders again on its own: seated minutes move at most this late. */
export const FLOOR_TICK_MS = 15_000;

/**
 * Renders the host again every {@link FLOOR_TICK_MS} while it is connected, so times read from
 * its clock move on with nothing else changing. Timers are a port: tests drive them by hand.
 */
export class MinuteClock implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #timers: () => Timers;
  #stop: (() => void) | undefined;

  constructor(host: ReactiveControllerHost, timers: () => Timers) {
    this.#host = host;
    this.#timers = timers;
    host.addController(this);
  }

  hostConnected(): void {
    this.#stop?.();
    this.#stop = this.#timers().every(FLOOR_TICK_MS, () => this.#host.requestUpdate());
  }

  hostDisconnected(): void {
    this.#stop?.();
    this.#stop = undefined;
  }
}
