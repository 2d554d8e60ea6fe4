import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Timers } from '../app/timers.ts';

/** How often a floor panel renders again on its own: minutes shown move at most this late. */
export const FLOOR_TICK_MS = 15_000;

/**
 * Renders the host again every {@link FLOOR_TICK_MS} while it is connected, so times read from
 * its clock move on with nothing else changing. Timers are a port: tests drive them by hand, and
 * a host given other timers ticks on those from its next update.
 */
export class MinuteClock implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #timers: () => Timers;
  #stop: (() => void) | undefined;
  #running: Timers | undefined;

  constructor(host: ReactiveControllerHost, timers: () => Timers) {
    this.#host = host;
    this.#timers = timers;
    host.addController(this);
  }

  hostConnected(): void {
    this.#start();
  }

  hostUpdate(): void {
    if (this.#stop && this.#timers() !== this.#running) this.#start();
  }

  hostDisconnected(): void {
    this.#stop?.();
    this.#stop = undefined;
    this.#running = undefined;
  }

  #start(): void {
    this.#stop?.();
    this.#running = this.#timers();
    this.#stop = this.#running.every(FLOOR_TICK_MS, () => this.#host.requestUpdate());
  }
}
