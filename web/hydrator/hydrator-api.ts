import type { DeviceConnectivity, Principal } from '#protocol';
import type { Failure } from './hydrator-policy.ts';

// What crosses the worker boundary (Comlink): plain data both ways.

/** What a page asks the hydrator to keep current. Plain data: it crosses postMessage. */
export interface HydratorStartOptions {
  readonly venueId: string;
  /** Scope names (`menu`, `ticket`, …); empty for the server's default for the signed-in role. */
  readonly scopes: readonly string[];
  /** The origin to read from; default the page's own (the relay for staff, the cloud for guests). */
  readonly baseUrl?: string;
  /** What the origin is, if the page knows; otherwise `/healthz` tells. */
  readonly target?: 'relay' | 'cloud';
  /** The signed-in principal, recorded in the cache's meta for the local view (never a token). */
  readonly principal?: Principal;
}

export interface HydratorStatus {
  /** `waiting`: another tab's hydrator holds the lock; this one takes over when it goes. */
  readonly role: 'stopped' | 'waiting' | 'leader';
  readonly phase: 'idle' | 'bootstrapping' | 'live' | 'polling' | 'backing_off';
  /** This hydrator's own view: only the leader's means anything (pages hear it broadcast). */
  readonly connectivity: DeviceConnectivity;
  readonly target: 'relay' | 'cloud' | null;
  readonly lastSyncAt: number | null;
  readonly bootstraps: number;
  readonly batches: number;
  /** The last transaction: feed entries in, entity writes out (coalesced), bucket records written. */
  readonly lastBatch: {
    readonly entries: number;
    readonly puts: number;
    readonly deletes: number;
    readonly records: number;
  } | null;
  /** The last failure seen (kept after recovery, for diagnosis). */
  readonly lastFailure: Failure | null;
}

/** The worker's Comlink surface (see hydrator-client.ts). */
export interface HydratorApi {
  /** Starts (or restarts with new options). Resolves once the leader lock is asked for. */
  start(options: HydratorStartOptions): Promise<void>;
  /** Stops, releasing the leader lock; resolves when nothing is left running. */
  stop(): Promise<void>;
  /**
   * Sign-out: stops, then drops the cached venue data, its cursor and the session (the device
   * id stays); pages hear every kind changed. The next start() bootstraps afresh.
   */
  forget(): Promise<void>;
  status(): HydratorStatus;
}
