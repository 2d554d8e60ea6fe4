import type { Hono } from 'hono';
import { DeviceCheckpoint, type EntityKind, LiveSession, rowRuleFor, type Scope } from '#protocol';
import { FrameCache } from '../../server/live/frame-cache.ts';
import {
  DEFAULT_LIVE_OPTIONS,
  entriesFrame,
  type LiveMetrics,
  type LiveOptions,
  LiveSockets,
  type LiveStream,
  type LiveWebSocketHandler,
} from '../../server/live/live-connection.ts';
import {
  cursorRequired,
  requireAllowedOrigin,
  requireWebsocket,
  upgradeLive,
} from '../../server/live/live-upgrade.ts';
import { problemResponse } from '../../server/problem-response.ts';
import type { RelayStore } from '../store/relay-store.ts';
import type { RelayBus } from '../sync/feed-bus.ts';
import { lanHead } from './feed-routes.ts';
import {
  forbidOtherVenue,
  type LanAuthenticator,
  type LanEnv,
  requireLanCaller,
} from './lan-caller.ts';
import { type FeedRejection, type LanCursors, resolveScopes } from './lan-cursors.ts';
import type { LanDevices } from './lan-devices.ts';

/** Devices buffer less than the cloud's clients before they count as slow. */
export const DEFAULT_LAN_LIVE_OPTIONS: LiveOptions = {
  ...DEFAULT_LIVE_OPTIONS,
  maxBufferedBytes: 1024 * 1024,
};

/** A structured log line. Never put tokens, PINs or card data in `fields`. */
export type RelayLog = (
  level: 'debug' | 'info' | 'warn' | 'error',
  msg: string,
  fields?: Readonly<Record<string, unknown>>,
) => void;

export interface LanLiveDeps {
  readonly store: RelayStore;
  readonly bus: RelayBus;
  readonly authenticator: LanAuthenticator;
  readonly cursors: LanCursors;
  readonly log: RelayLog;
  /** Told how long each pushed frame took from the bus publish to the socket. */
  readonly metrics?: LiveMetrics;
  /** Milliseconds for the fan-out lag (default `performance.now`). */
  readonly now?: () => number;
  /** Origins whose pages may open the socket besides the relay's own (the cloud's). */
  readonly allowedOrigins?: readonly string[];
  /** The venue's devices: a revoked device's sockets close as soon as the revoke shows (4401). */
  readonly devices: Pick<LanDevices, 'venueId' | 'onRevoked'>;
}

/** The live route and the websocket handler, both for the same `Bun.serve`. */
export interface LanLiveRoute {
  /** Adds `GET /v1/venues/:venueId/live` to the app (before its first request). */
  readonly route: (app: Hono<LanEnv>) => void;
  readonly websocket: LiveWebSocketHandler;
  /** Open live sockets: the relay's connected devices. */
  readonly connectedCount: () => number;
}

const reject = (r: FeedRejection): Response => problemResponse(r.status, r.code, r.title, r.extras);

/**
 * The websocket `GET /v1/venues/:venueId/live?cursor=&scopes=&deviceId=` for Bun, over the
 * shared live socket (`server/live`). Every check (origin, caller, venue, scopes, device id,
 * cursor) runs before the upgrade and fails as problem+json. One frame per bus publish, built once for
 * all sockets of a scope set; op notices go to the staff sockets opened with the op's `deviceId`.
 *
 * @example
 * const live = createLanLiveRoute(deps);
 * const app = createLanApp({ ...deps, live });
 * Bun.serve({ port, fetch: app.fetch, websocket: live.websocket });
 */
export function createLanLiveRoute(
  deps: LanLiveDeps,
  options: Partial<LiveOptions> = {},
): LanLiveRoute {
  const sockets = new LiveSockets({
    options: { ...DEFAULT_LAN_LIVE_OPTIONS, ...options },
    logError: (msg, fields) => deps.log('error', msg, fields),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const frames = new FrameCache(64);
  deps.devices.onRevoked((deviceId) => sockets.closeDevice(deps.devices.venueId, deviceId));

  const route = (app: Hono<LanEnv>): void => {
    app.get(
      '/v1/venues/:venueId/live',
      requireAllowedOrigin(deps.allowedOrigins ?? [], problemResponse),
      requireLanCaller(deps.authenticator),
      async (c) => {
        const denied = forbidOtherVenue(c) ?? requireWebsocket(c.req.raw, problemResponse);
        if (denied) return denied;
        const { principal, did } = c.get('caller');
        const scopes = resolveScopes(principal, c.req.query('scopes'));
        if (!scopes.ok) return reject(scopes.rejection);
        const deviceText = c.req.query('deviceId');
        const deviceId =
          deviceText === undefined
            ? undefined
            : DeviceCheckpoint.shape.deviceId.safeParse(deviceText);
        if (deviceId && !deviceId.success) {
          return problemResponse(400, 'VALIDATION', 'Invalid deviceId', {
            kind: 'fix_request',
            issues: [{ path: 'deviceId', message: 'must be 1 to 64 characters' }],
          });
        }
        const token = c.req.query('cursor');
        if (!token) return cursorRequired(problemResponse);
        const checked = await deps.cursors.check(token, scopes.scopes, lanHead(deps.store));
        if (!checked.ok) return reject(checked.rejection);
        const stream = lanStream(deps, frames, {
          venueId: principal.venueId,
          epoch: checked.epoch,
          scopes: scopes.scopes,
          kinds: scopes.kinds,
          // Guests never get notices: a rejection can carry state that is not theirs to see.
          noticesFor: principal.kind === 'staff' ? deviceId?.data : undefined,
        });
        return upgradeLive(
          c.env,
          c.req.raw,
          () =>
            sockets.connect({
              session: new LiveSession(checked.seq, scopes.kinds, rowRuleFor(principal)),
              stream,
              cursor: token,
              ...(did === undefined
                ? {}
                : { device: { venueId: principal.venueId, deviceId: did } }),
            }),
          problemResponse,
        );
      },
    );
  };

  return { route, websocket: sockets.websocket, connectedCount: () => sockets.connectedCount };
}

interface LanStreamInit {
  readonly venueId: string;
  readonly epoch: number;
  readonly scopes: readonly Scope[];
  readonly kinds: readonly EntityKind[];
  /** The device whose op notices this socket receives (staff only). */
  readonly noticesFor: string | undefined;
}

/**
 * One socket's view of the relay's stream: the store is read synchronously, the stream holds
 * while the epoch does, and entries frames are shared. A frame is fixed by (epoch, scope set,
 * from, through): the session hands out exactly the scoped entries of (from, through], and the
 * stream of an epoch never changes. Built synchronously (the cursor is signed synchronously),
 * so every socket of a publish finds it ready.
 */
function lanStream(deps: LanLiveDeps, frames: FrameCache, init: LanStreamInit): LiveStream {
  const { store, bus, cursors } = deps;
  const { venueId, epoch, scopes, kinds, noticesFor } = init;
  const scopesKey = scopes.join(',');
  return {
    subscribe: (listener) =>
      bus.subscribe(venueId, {
        entries: listener.entries,
        notice: (notice) => {
          if (noticesFor !== undefined && notice.deviceId === noticesFor) {
            listener.notice(notice.result);
          }
        },
      }),
    head: () => lanHead(store),
    read: (request, limit) =>
      store.readFeed(request.afterSeq, {
        limit,
        kinds,
        throughSeq: request.throughSeq,
      }),
    holds: () => cursors.epoch() === epoch,
    cursorAt: (seq) => cursors.issue(seq, scopes, epoch),
    entriesFrame: ({ entries, throughSeq }) =>
      // The scoped entries of (covered, through] are those of [first, through]: the key is exact.
      frames.get(`${epoch}|${scopesKey}|${entries[0]?.seq}|${throughSeq}`, () =>
        entriesFrame(entries, cursors.issueNow(throughSeq, scopes, epoch)),
      ),
  };
}
