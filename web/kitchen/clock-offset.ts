import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { browserTimers, type Timers } from '../app/timers.ts';

/*
 * The kitchen's clocks count from server timestamps (`firedAt`, `startedAt`), so the display
 * needs the server's time, not its own: a tablet five minutes fast would show every ticket
 * five minutes late. The offset is measured from the HTTP `Date` header of `GET /healthz`
 * (the relay's or the cloud's), halfway through the round trip, and kept when the network is
 * gone, so the clocks tick on offline.
 */

/**
 * Server time minus device time, ms, from one round trip. `Date` has whole seconds: the server's
 * clock was somewhere in [date, date + 1 s) when it answered, so its middle is taken.
 */
export function offsetFrom(
  sentAt: number,
  receivedAt: number,
  dateHeader: string | null,
): number | null {
  if (!dateHeader) return null;
  const server = Date.parse(dateHeader);
  if (Number.isNaN(server)) return null;
  return server + 500 - (sentAt + receivedAt) / 2;
}

export interface ClockOffsetDeps {
  readonly fetch: typeof fetch;
  readonly clock: () => number;
  readonly timers?: Timers;
  readonly url?: string;
  /** How often to measure again. */
  readonly everyMs?: number;
}

/** Keeps the measured offset; `now()` is venue time. Offset 0 until the first answer. */
export class ClockOffsetController implements ReactiveController {
  readonly #deps: ClockOffsetDeps;
  #offset = 0;
  #measured = false;
  #stop: (() => void) | undefined;

  constructor(host: ReactiveControllerHost, deps: ClockOffsetDeps) {
    this.#deps = deps;
    host.addController(this);
  }

  get offsetMs(): number {
    return this.#offset;
  }

  get measured(): boolean {
    return this.#measured;
  }

  /** Venue time now. */
  now(): number {
    return this.#deps.clock() + this.#offset;
  }

  hostConnected(): void {
    void this.measure();
    this.#stop = (this.#deps.timers ?? browserTimers).every(
      this.#deps.everyMs ?? 5 * 60_000,
      () => {
        void this.measure();
      },
    );
  }

  hostDisconnected(): void {
    this.#stop?.();
    this.#stop = undefined;
  }

  async measure(): Promise<void> {
    const sentAt = this.#deps.clock();
    try {
      const response = await this.#deps.fetch(this.#deps.url ?? '/healthz', {
        cache: 'no-store',
        credentials: 'same-origin',
      });
      const offset = offsetFrom(sentAt, this.#deps.clock(), response.headers.get('date'));
      // A slow answer says little about the server's time: keep the last good one.
      if (offset !== null && this.#deps.clock() - sentAt < 2_000) {
        this.#offset = offset;
        this.#measured = true;
      }
    } catch {
      // Offline: the last offset stands.
    }
  }
}
