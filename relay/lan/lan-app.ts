import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { RelayConnectivity } from '#protocol';
import { headerLimit } from '../../server/header-limit.ts';
import type { Logger } from '../../server/logger.ts';
import { crossOrigin } from '../../server/origin-policy.ts';
import { problemResponse } from '../../server/problem-response.ts';
import { requestContext } from '../../server/request-context.ts';
import { securityHeaders } from '../../server/security-headers.ts';
import { serveWeb } from '../../server/static-web.ts';
import { type LanPaymentDeps, registerLanPaymentRoutes } from '../payments/payment-routes.ts';
import { type LanAuthDeps, registerLanAuthRoutes } from './auth-routes.ts';
import { type LanDeviceDeps, registerLanDeviceRoutes } from './device-routes.ts';
import { type LanFeedDeps, registerLanFeedRoutes } from './feed-routes.ts';
import type { LanEnv } from './lan-caller.ts';
import type { LanLiveRoute } from './live-socket.ts';
import { type LanOpsDeps, registerLanOpsRoutes } from './ops-routes.ts';
import type { RelayMetrics } from './relay-metrics.ts';
import { ResilienceRecorder } from './resilience-recorder.ts';
import { registerLanResilienceRoute } from './resilience-route.ts';

/** The uplink's state as the connectivity manager sees it. */
export interface RelayStatus {
  readonly connectivity: RelayConnectivity;
  /** When the current state began (ISO time), where known. */
  readonly since?: string;
}

/** Everything the LAN app is built from; only `main.ts` makes these from env, disk and network. */
export interface LanAppDeps
  extends LanAuthDeps,
    LanOpsDeps,
    LanFeedDeps,
    LanDeviceDeps,
    LanPaymentDeps {
  readonly version: string;
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  readonly status: () => RelayStatus;
  /** The uplink's transitions and per-minute samples for `GET …/resilience` (else only now). */
  readonly resilience?: ResilienceRecorder;
  /** The live websocket route (its `websocket` goes to the same `Bun.serve`). */
  readonly live?: LanLiveRoute;
  /** The built PWA; not served when absent or missing on disk. */
  readonly webDir?: string;
  /** Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** For `/healthz`: how the LAN port is served and its certificate's expiry (no secrets). */
  readonly tls?: () => { readonly mode: string; readonly notAfter: string | null };
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * The relay's LAN app: the cloud's paths for devices (sign-in, pairing, ops, snapshot, feed,
 * live, checkpoints, the manager's device list and resilience report), health and metrics for operators, and the
 * PWA's files.
 *
 * @example
 * const live = createLanLiveRoute({ store, bus, authenticator, cursors, log, metrics });
 * const app = createLanApp({ ...deps, live });
 * Bun.serve({ port, fetch: app.fetch, websocket: live.websocket });
 */
export function createLanApp(deps: LanAppDeps): Hono<LanEnv> {
  const app = new Hono<LanEnv>();
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  app.use('*', securityHeaders());
  app.use('*', requestContext(deps.log, deps.metrics));
  // CORS (and Private Network Access) for the cloud's origin only: its guest app may call the
  // relay on the venue's Wi-Fi.
  app.use('*', crossOrigin([new URL(deps.identity.cloudUrl).origin]));
  app.use('*', headerLimit());
  app.use(
    '*',
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () =>
        problemResponse(413, 'BODY_TOO_LARGE', 'Request body too large', {
          kind: 'fix_request',
          detail: `at most ${maxBodyBytes} bytes`,
        }),
    }),
  );

  const journal = () => {
    const depth = deps.store.journalDepth();
    const oldestAge = depth.oldestReceivedAt
      ? Math.max(0, (deps.clock().getTime() - Date.parse(depth.oldestReceivedAt)) / 1000)
      : 0;
    return { ...depth, oldestAge };
  };

  app.get('/healthz', (c) => {
    const status = deps.status();
    const { pending, oldestReceivedAt } = journal();
    c.header('Cache-Control', 'no-store');
    return c.json({
      status: 'ok',
      version: deps.version,
      time: deps.clock().toISOString(),
      connectivity: status.connectivity,
      connectivitySince: status.since ?? null,
      journalDepth: pending,
      oldestUnsyncedAt: oldestReceivedAt,
      connectedDevices: deps.live?.connectedCount() ?? 0,
      // Where guests' table QR codes point: the cloud serves the guest app.
      cloudOrigin: new URL(deps.identity.cloudUrl).origin,
      ...(deps.tls ? { tls: deps.tls() } : {}),
    });
  });

  deps.metrics.readGauges(() => {
    const { pending, oldestAge } = journal();
    return {
      connectivity: deps.status().connectivity,
      journalDepth: pending,
      oldestUnsyncedAgeSeconds: Math.round(oldestAge * 1000) / 1000,
      connectedDevices: deps.live?.connectedCount() ?? 0,
    };
  });
  app.get('/metrics', async (c) =>
    c.text(await deps.metrics.render(), 200, { 'Content-Type': deps.metrics.contentType }),
  );

  registerLanAuthRoutes(app, deps);
  registerLanOpsRoutes(app, deps);
  registerLanPaymentRoutes(app, deps);
  registerLanFeedRoutes(app, deps);
  registerLanDeviceRoutes(app, deps);
  registerLanResilienceRoute(app, {
    ...deps,
    resilience: deps.resilience ?? new ResilienceRecorder(deps.clock),
  });
  deps.live?.route(app);

  // The PWA's files last: API paths and missing files go on to the problem+json 404.
  if (deps.webDir !== undefined) app.get('*', serveWeb(deps.webDir));

  app.notFound((c) =>
    problemResponse(404, 'NOT_FOUND', 'Not Found', {
      kind: 'stop',
      detail: `No route for ${c.req.method} ${c.req.path}`,
    }),
  );

  app.onError((error, c) => {
    deps.log('error', 'unhandled error', {
      requestId: c.get('requestId'),
      error: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    return problemResponse(500, 'INTERNAL', 'Internal Server Error', {
      kind: 'back_off',
      detail: 'The relay failed to handle the request; retry later.',
    });
  });

  return app;
}
