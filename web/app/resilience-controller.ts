import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Broadcast } from '../device/messages.ts';
import { apiUrl } from './api-url.ts';
import type { BroadcastSource } from './broadcast-source.ts';
import type { DeviceSource } from './device-source.ts';
import type { NetworkStatus } from './network-status.ts';
import type { OutboxReader } from './outbox-reader.ts';
import { alwaysVisible, type PageVisibility } from './page-visibility.ts';
import { fetchRelayHealth } from './relay-health.ts';
import {
  applyBroadcast,
  deriveResilience,
  INITIAL_INPUTS,
  type ResilienceInputs,
  type ResilienceView,
  withLastSync,
  withOnline,
  withOutbox,
  withRelayHealth,
} from './resilience-state.ts';
import type { ServiceWorkerLink } from './service-worker-link.ts';
import type { SessionStore } from './session-store.ts';
import { browserTimers, type Timers } from './timers.ts';

export interface ResilienceIntervals {
  /** Recompute ages ("last sync 2 min ago"). */
  readonly tickMs: number;
  /** Ask the service worker to replay: Safari and Firefox have no Background Sync. */
  readonly replayMs: number;
  /** Report this device's checkpoint and outbox to the target. */
  readonly checkpointMs: number;
  /** Ask the venue relay about its uplink (`/healthz`), while the target is the relay. */
  readonly relayHealthMs: number;
}

export const DEFAULT_INTERVALS: ResilienceIntervals = {
  tickMs: 5_000,
  replayMs: 30_000,
  checkpointMs: 60_000,
  relayHealthMs: 5_000,
};

export interface ResilienceDeps {
  readonly clock: () => number;
  readonly broadcasts: BroadcastSource;
  readonly network: NetworkStatus;
  /** Whether the page is on screen: the relay is asked about its uplink only then. */
  readonly visibility?: PageVisibility;
  readonly serviceWorker: ServiceWorkerLink;
  readonly outbox: OutboxReader;
  readonly device: DeviceSource;
  readonly session: SessionStore;
  readonly fetch: typeof fetch;
  readonly timers?: Timers;
  readonly intervals?: Partial<ResilienceIntervals>;
}

/** What the last checkpoint attempt did, for diagnostics and tests. */
export type CheckpointOutcome =
  | { readonly outcome: 'sent'; readonly at: number }
  | { readonly outcome: 'skipped'; readonly at: number; readonly reason: string }
  | { readonly outcome: 'failed'; readonly at: number; readonly reason: string };

/**
 * Every screen's source of resilience state: connected to the relay or the cloud, degraded,
 * offline with cached data, replaying n of m, last sync, oldest pending op. Built from the
 * channel's broadcasts, `navigator.onLine` and a periodic tick. While its screen is open it
 * also asks the service worker to replay (on `online` and every 30 s) and reports the device's
 * checkpoint with its outbox depth. While the target is the venue relay and the page is on
 * screen, it asks the relay about its own uplink (`GET /healthz`, same origin): every 5 s,
 * and at once when the page reaches the relay again, comes back online or on screen.
 *
 * @example
 * class Screen extends LitElement {
 *   readonly resilience = new ResilienceController(this, services);
 *   render() { return html`<hearth-resilience-banner .view=${this.resilience.view}>`; }
 * }
 */
export class ResilienceController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #deps: ResilienceDeps;
  readonly #intervals: ResilienceIntervals;
  #inputs: ResilienceInputs = INITIAL_INPUTS;
  #view: ResilienceView;
  #stops: (() => void)[] = [];
  #lastCheckpoint: CheckpointOutcome | undefined;
  #connected = false;
  #polling = false;

  constructor(host: ReactiveControllerHost, deps: ResilienceDeps) {
    this.#host = host;
    this.#deps = deps;
    this.#intervals = { ...DEFAULT_INTERVALS, ...deps.intervals };
    this.#view = deriveResilience(this.#inputs, deps.clock());
    host.addController(this);
  }

  get view(): ResilienceView {
    return this.#view;
  }

  get lastCheckpoint(): CheckpointOutcome | undefined {
    return this.#lastCheckpoint;
  }

  hostConnected(): void {
    const { broadcasts, network } = this.#deps;
    const visibility = this.#deps.visibility ?? alwaysVisible;
    const timers = this.#deps.timers ?? browserTimers;
    this.#connected = true;
    this.#inputs = withOnline(this.#inputs, network.online());
    this.#stops = [
      broadcasts.subscribe((message) => this.#hear(message)),
      network.subscribe((online) => {
        this.#set(withOnline(this.#inputs, online));
        if (online) {
          this.requestReplay();
          void this.pollRelay();
        }
      }),
      visibility.subscribe((visible) => {
        if (visible) void this.pollRelay();
      }),
      timers.every(this.#intervals.relayHealthMs, () => void this.pollRelay()),
      timers.every(this.#intervals.tickMs, () => this.tick()),
      timers.every(this.#intervals.replayMs, () => this.requestReplay()),
      timers.every(this.#intervals.checkpointMs, () => void this.reportCheckpoint()),
    ];
    this.#update();
    void this.refreshOutbox();
    void this.#readLastSync();
  }

  hostDisconnected(): void {
    this.#connected = false;
    for (const stop of this.#stops) stop();
    this.#stops = [];
  }

  /** Recomputes the view at the clock's time (ages move on even when nothing is heard). */
  tick(): void {
    this.#update();
  }

  /** Asks the service worker to replay its outbox; false when no worker controls the page. */
  requestReplay(): boolean {
    return this.#deps.serviceWorker.post({ type: 'replay' });
  }

  /**
   * `GET /healthz` of the venue relay (the page's origin): its uplink to the cloud, since
   * when, and how many ops the cloud lacks. Only while the target is the relay, the page on
   * screen and no poll under way; an answer that does not come leaves the last one to go
   * stale.
   */
  async pollRelay(): Promise<void> {
    const visible = (this.#deps.visibility ?? alwaysVisible).visible();
    if (!this.#connected || this.#polling || this.#view.target !== 'relay' || !visible) return;
    this.#polling = true;
    try {
      const health = await fetchRelayHealth(this.#deps.fetch);
      if (this.#connected) this.#set(withRelayHealth(this.#inputs, health, this.#deps.clock()));
    } finally {
      this.#polling = false;
    }
  }

  /** Re-reads the outbox summary (after `outbox-changed`, and on connect). */
  async refreshOutbox(): Promise<void> {
    const summary = await this.#deps.outbox.summary();
    if (summary && this.#connected) this.#set(withOutbox(this.#inputs, summary));
  }

  /**
   * `PUT …/checkpoints/:deviceId` with the cache's cursor and the outbox's depth. Staff only
   * (the API refuses guests: their phones do not write what managers read), online only, and
   * only once the cache has a cursor (the route requires one).
   */
  async reportCheckpoint(): Promise<CheckpointOutcome> {
    const { clock, device, session, serviceWorker } = this.#deps;
    const principal = session.principal;
    const skipped = (reason: string): CheckpointOutcome => ({
      outcome: 'skipped',
      at: clock(),
      reason,
    });
    let result: CheckpointOutcome;
    if (principal?.kind !== 'staff') result = skipped('no staff session');
    else if (!this.#inputs.online) result = skipped('offline');
    else {
      const [cursor, deviceId] = await Promise.all([device.cursor(), device.deviceId()]);
      if (cursor === null) result = skipped('no cursor yet');
      else {
        const path =
          `/v1/venues/${encodeURIComponent(principal.venueId)}/checkpoints/${encodeURIComponent(deviceId)}` as const;
        result = await this.#put(apiUrl(path, serviceWorker.controlled()), cursor);
      }
    }
    this.#lastCheckpoint = result;
    return result;
  }

  async #put(url: string, cursor: string): Promise<CheckpointOutcome> {
    const outbox = this.#inputs.outbox;
    // Without an outbox report the depth fields are left out (the API's defaults), not guessed.
    const body = outbox
      ? {
          cursor,
          outboxDepth: outbox.depth,
          oldestPendingAt:
            outbox.oldestPendingAt === null ? null : new Date(outbox.oldestPendingAt).toISOString(),
          failedOps: outbox.failedOps,
        }
      : { cursor };
    const at = this.#deps.clock();
    try {
      const response = await this.#deps.fetch(url, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify(body),
      });
      return response.ok
        ? { outcome: 'sent', at }
        : { outcome: 'failed', at, reason: `HTTP ${response.status}` };
    } catch (error) {
      // A network failure: the next period tries again.
      return {
        outcome: 'failed',
        at,
        reason: error instanceof Error ? error.message : 'fetch failed',
      };
    }
  }

  /** After a reload nothing has been heard yet, but the cache knows when it last synced. */
  async #readLastSync(): Promise<void> {
    try {
      const at = await this.#deps.device.lastSyncAt();
      if (this.#connected) this.#set(withLastSync(this.#inputs, at));
    } catch (error) {
      // No cache (IndexedDB unavailable): the banner says "not synced yet" until it hears more.
      console.warn('could not read the last sync time', error);
    }
  }

  #hear(message: Broadcast): void {
    const wasOnRelay = this.#view.target === 'relay';
    this.#set(applyBroadcast(this.#inputs, message, this.#deps.clock()));
    // Reached the relay (again): ask it about its uplink now, not at the next period.
    if (!wasOnRelay && this.#view.target === 'relay') void this.pollRelay();
    if (message.type === 'outbox-changed' || message.type === 'replay-progress')
      void this.refreshOutbox();
  }

  #set(inputs: ResilienceInputs): void {
    this.#inputs = inputs;
    this.#update();
  }

  #update(): void {
    this.#view = deriveResilience(this.#inputs, this.#deps.clock());
    this.#host.requestUpdate();
  }
}
