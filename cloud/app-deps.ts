import { DEPENDENCY_HOLD_MS } from '#protocol';
import type { FeedBus } from '../server/feed-bus.ts';
import type { Logger } from '../server/logger.ts';
import type { ServerMetrics } from '../server/metrics.ts';
import type { AuthDeps } from './auth/auth-routes.ts';
import type { DeviceDeps } from './devices/device-routes.ts';
import type { EdgeDeps } from './edge/edge-routes.ts';
import type { FeedDeps } from './feed/feed-routes.ts';
import type { Authenticator } from './http/caller.ts';
import type { PaymentDeps } from './payments/payment-routes.ts';
import type { CloudStore } from './store/cloud-store.ts';

/** Request limits; every one answers with a problem that says what to do. */
export interface Limits {
  /** Largest request body in bytes (413 past it). */
  readonly maxBodyBytes: number;
  /** Most ops in one batch (413 past it). */
  readonly maxBatchOps: number;
  /**
   * Sustained ops per second per caller (the person or guest session the token names), and
   * the burst allowed above it (429 past it).
   */
  readonly callerOpsPerSecond: number;
  readonly callerBurst: number;
  /** Sustained requests per second per tenant, and its burst (429 past it). */
  readonly tenantRequestsPerSecond: number;
  readonly tenantBurst: number;
  /**
   * Sustained write requests per second per caller address, and its burst (429 past it). A
   * venue's relay forwards and replays all its devices' writes from one address, so by default
   * as much as a tenant's: it never holds a venue back before its tenant's budget would.
   */
  readonly addressRequestsPerSecond: number;
  readonly addressBurst: number;
  /** How long idempotency records are kept: longer than any outage may last. */
  readonly idempotencyRetentionDays: number;
  /** Longest long-poll `wait`, in seconds. */
  readonly maxWaitSeconds: number;
  /** How long an op whose dependency was never seen is held before DEPENDENCY_UNKNOWN. */
  readonly dependencyHoldMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 1024 * 1024,
  maxBatchOps: 100,
  callerOpsPerSecond: 200,
  callerBurst: 1000,
  tenantRequestsPerSecond: 2000,
  tenantBurst: 5000,
  addressRequestsPerSecond: 2000,
  addressBurst: 5000,
  idempotencyRetentionDays: 7,
  maxWaitSeconds: 30,
  dependencyHoldMs: DEPENDENCY_HOLD_MS,
};

/** What every part of the cloud app is built from. Only main.ts makes the real ones. */
export interface CoreDeps {
  readonly store: CloudStore;
  readonly clock: () => Date;
  readonly version: string;
  readonly log: Logger;
  readonly authenticator: Authenticator;
  readonly bus: FeedBus;
  readonly limits: Limits;
  readonly metrics: ServerMetrics;
  /**
   * Peer addresses of our own reverse proxies (`HEARTH_TRUSTED_PROXIES`): from them a caller's
   * address is read from `X-Forwarded-For`. Empty or unset: the peer's address, header ignored.
   */
  readonly trustedProxies?: ReadonlySet<string>;
  /** The bearer token a scraper reads `/metrics` with (`HEARTH_METRICS_TOKEN`); from this machine none is needed. */
  readonly metricsToken?: string;
  /** The built PWA (web/dist) for guests on the cloud's origin; not served when absent. */
  readonly webDir?: string;
}

export type AppDeps = CoreDeps & AuthDeps & FeedDeps & EdgeDeps & DeviceDeps & PaymentDeps;
