import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { browserTimers, type Timers } from '../app/timers.ts';
import { ClockOffsetController } from '../kitchen/clock-offset.ts';

export interface PaymentsClockDeps {
  /** Device time, ms. */
  readonly clock?: () => number;
  /** For the server's time (`Date` of `GET /healthz`); the device's clock alone without it. */
  readonly fetch?: typeof fetch;
  readonly timers?: Timers;
}

/**
 * The Payments view's clock: the server's time when `/healthz` has answered with its `Date`
 * (the 72 h deadlines are the server's), else the device's, for display only; it ticks every
 * second while its host is connected, so the countdowns move offline too.
 *
 * @example
 * readonly clock = new PaymentsController(this, { clock: Date.now, fetch });
 * // render: this.clock.now, this.clock.serverTime
 */
export class PaymentsController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #deps: PaymentsClockDeps;
  readonly #offset: ClockOffsetController | undefined;
  #stop: (() => void) | undefined;
  /** Venue time the view is drawn at, ms. */
  now: number;

  constructor(host: ReactiveControllerHost, deps: PaymentsClockDeps) {
    this.#host = host;
    this.#deps = deps;
    const clock = deps.clock ?? Date.now;
    this.#offset = deps.fetch
      ? new ClockOffsetController(host, {
          fetch: deps.fetch,
          clock,
          ...(deps.timers ? { timers: deps.timers } : {}),
        })
      : undefined;
    this.now = clock();
    host.addController(this);
  }

  /** Whether `now` is the server's time (measured), not only this device's. */
  get serverTime(): boolean {
    return this.#offset?.measured ?? false;
  }

  hostConnected(): void {
    this.#tick();
    this.#stop = (this.#deps.timers ?? browserTimers).every(1000, () => this.#tick());
  }

  hostDisconnected(): void {
    this.#stop?.();
    this.#stop = undefined;
  }

  #tick(): void {
    this.now = this.#offset?.now() ?? (this.#deps.clock ?? Date.now)();
    this.#host.requestUpdate();
  }
}
