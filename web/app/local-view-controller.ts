import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { EntityKind, EntityOf } from '#protocol';
import type { ItemBadge } from '../device/local-overlay.ts';
import { messageOf } from './app-error.ts';
import { type AsyncStatus, INITIAL, PENDING } from './async-status.ts';

/** One reading of the local view: cached truth with this device's pending ops on top. */
export interface LocalSnapshot {
  /** Every entity of a kind, in id order, with its synced / pending / delivered_local / failed badge. */
  items<K extends EntityKind>(
    kind: K,
  ): { readonly entity: EntityOf<K>; readonly badge: ItemBadge }[];
  /** Ops of this device not sent yet. */
  readonly pendingCount: number;
  /** Ops of this device the venue relay holds, not yet confirmed by the cloud. */
  readonly savedLocalCount: number;
}

/** The local view as a screen subscribes to it (see `local-view-source.ts`). */
export interface LocalViewSource {
  /** Calls `listener` once read and after every change, until the returned function is called. */
  subscribe(listener: (snapshot: LocalSnapshot) => void): () => void;
  close(): void;
}

export interface LocalViewDeps {
  /** Opens the view over these kinds; rejects where the device has no cache (no IndexedDB). */
  readonly openLocalView: (kinds?: readonly EntityKind[]) => Promise<LocalViewSource>;
  /**
   * The kinds the screen shows and its ops are decided against (an order needs the menu and
   * the settings to be priced); every kind when absent.
   */
  readonly kinds?: readonly EntityKind[];
}

/**
 * A screen's subscription to the local view, rendered Task-style: pending until the first read,
 * then each new snapshot as the hydrator's and the outbox's broadcasts change what it shows.
 */
export class LocalViewController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #deps: LocalViewDeps;
  #status: AsyncStatus<LocalSnapshot> = INITIAL;
  #view: LocalViewSource | undefined;
  #unsubscribe: (() => void) | undefined;
  #connected = false;

  constructor(host: ReactiveControllerHost, deps: LocalViewDeps) {
    this.#host = host;
    this.#deps = deps;
    host.addController(this);
  }

  get status(): AsyncStatus<LocalSnapshot> {
    return this.#status;
  }

  hostConnected(): void {
    this.#connected = true;
    void this.#attach();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#view?.close();
    this.#view = undefined;
  }

  async #attach(): Promise<void> {
    if (this.#status.status !== 'complete') this.#set(PENDING);
    let view: LocalViewSource;
    try {
      view = await this.#deps.openLocalView(this.#deps.kinds);
    } catch (error) {
      this.#set({ status: 'error', message: messageOf(error) });
      return;
    }
    // Disconnected (or reconnected with another view) while opening: this one is not needed.
    if (!this.#connected || this.#view) {
      view.close();
      return;
    }
    this.#view = view;
    this.#unsubscribe = view.subscribe((snapshot) =>
      this.#set({ status: 'complete', value: snapshot }),
    );
  }

  #set(status: AsyncStatus<LocalSnapshot>): void {
    this.#status = status;
    this.#host.requestUpdate();
  }
}
