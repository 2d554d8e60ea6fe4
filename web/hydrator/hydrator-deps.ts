import type { OpResult } from '#protocol';
import { type LocalDb, openLocalDb } from '../device/local-db.ts';
import { type Broadcast, CHANNEL } from '../device/messages.ts';
import type { FetchLike } from './feed-client.ts';
import { type BackoffSettings, DEFAULT_BACKOFF } from './hydrator-policy.ts';
import type { SocketConstructor } from './live-connection.ts';

// Everything the hydrator touches outside itself, as dependencies: the browser's own in the
// worker (`browserDeps`), in-memory fakes in tests.

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface LocksLike {
  request(
    name: string,
    options: { signal?: AbortSignal },
    callback: (lock: unknown) => Promise<void>,
  ): Promise<unknown>;
}

export interface HydratorSettings {
  /** The Web Lock whose holder is the one hydrator across tabs. */
  readonly lockName: string;
  readonly backoff: BackoffSettings;
  /** How soon to try a socket again after one failed to open (meanwhile: long-poll). */
  readonly socketRetry: BackoffSettings;
  readonly pageLimit: number;
  readonly waitSeconds: number;
  /** Entries per transaction at most (frames that arrived meanwhile are merged up to this). */
  readonly maxBatchEntries: number;
}

export const DEFAULT_HYDRATOR_SETTINGS: HydratorSettings = {
  lockName: 'hearth-hydrator',
  backoff: DEFAULT_BACKOFF,
  socketRetry: { baseMs: 5_000, maxMs: 300_000 },
  pageLimit: 1000,
  waitSeconds: 20,
  maxBatchEntries: 2000,
};

/** Everything the hydrator touches outside itself: real in the worker, fakes in tests. */
export interface HydratorDeps {
  readonly fetch: FetchLike;
  readonly WebSocket: SocketConstructor;
  readonly clock: Clock;
  readonly random: () => number;
  readonly locks: LocksLike;
  readonly channel: { postMessage(message: Broadcast): void };
  readonly openDb: () => Promise<LocalDb>;
  /** The origin when `baseUrl` is not given. */
  readonly defaultOrigin: string;
  readonly settings: HydratorSettings;
  /**
   * Op results the relay pushes to this device's socket (staff): the cloud's word on ops it
   * kept. The worker stores them in the outbox (notice-sink.ts); no one listens by default.
   */
  readonly onNotice?: (result: OpResult) => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    }),
};

/** The browser's own network, locks, channel and cache, for a page or a worker. */
export function browserDeps(overrides: Partial<HydratorDeps> = {}): HydratorDeps {
  return {
    fetch: (input, init) => globalThis.fetch(input, init),
    WebSocket: globalThis.WebSocket,
    clock: realClock,
    random: Math.random,
    locks: globalThis.navigator.locks,
    channel: new BroadcastChannel(CHANNEL),
    openDb: () => openLocalDb(),
    defaultOrigin: globalThis.location.origin,
    settings: DEFAULT_HYDRATOR_SETTINGS,
    ...overrides,
  };
}
