import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { messageOf } from './app-error.ts';
import type { CacheSync } from './app-services.ts';
import type { SessionStore } from './session-store.ts';

export interface CacheSyncDeps {
  readonly session: SessionStore;
  readonly cacheSync: Pick<CacheSync, 'start'>;
  /** The scopes this screen reads; empty for the role's default. */
  readonly scopes: readonly string[];
}

/** Starts the hydrator for whoever signs in on this screen (and for a restored session). */
export class CacheSyncController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #deps: CacheSyncDeps;
  #stop: (() => void) | undefined;
  #error: string | undefined;

  constructor(host: ReactiveControllerHost, deps: CacheSyncDeps) {
    this.#host = host;
    this.#deps = deps;
    host.addController(this);
  }

  /** Why the cache could not be started, if it could not (no Worker, no IndexedDB). */
  get error(): string | undefined {
    return this.#error;
  }

  hostConnected(): void {
    const { session } = this.#deps;
    this.#stop = session.subscribe((principal) => {
      if (principal) void this.#start();
    });
    if (session.principal) void this.#start();
  }

  hostDisconnected(): void {
    this.#stop?.();
    this.#stop = undefined;
  }

  async #start(): Promise<void> {
    const principal = this.#deps.session.principal;
    if (!principal) return;
    try {
      await this.#deps.cacheSync.start(principal, this.#deps.scopes);
      this.#setError(undefined);
    } catch (error) {
      this.#setError(messageOf(error));
      console.error('the local cache could not start', error);
    }
  }

  /** The host renders the error, so every change of it asks for an update. */
  #setError(error: string | undefined): void {
    if (error === this.#error) return;
    this.#error = error;
    this.#host.requestUpdate();
  }
}
