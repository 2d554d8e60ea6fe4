import type { Hono } from 'hono';
import { type EntityKind, LiveSession, type Scope } from '#protocol';
import {
  DEFAULT_LIVE_OPTIONS,
  entriesFrame,
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
import type { CoreDeps } from '../app-deps.ts';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import { type AppEnv, forbidOtherVenue, requireCaller } from '../http/caller.ts';
import type { VenueRecord } from '../store/cloud-store.ts';
import { type CursorService, type FeedRejection, resolveScopes } from './cursor-service.ts';
import { rowsOf } from './feed-routes.ts';

type LiveDeps = CoreDeps & {
  readonly cursors: CursorService;
  /** A revoked device's sockets close as soon as the revoke is published (4401). */
  readonly devices: DeviceRegistry;
  /** `HEARTH_PUBLIC_ORIGIN`: pages there may open the socket besides the cloud's own origin. */
  readonly publicOrigin?: string | undefined;
};

/** The live route and the websocket handler that must be passed to the same `Bun.serve`. */
export interface LiveRoute {
  /** Adds `GET /v1/venues/:venueId/live` to the app (before its first request). */
  readonly route: (app: Hono<AppEnv>) => void;
  readonly websocket: LiveWebSocketHandler;
}

const reject = (r: FeedRejection): Response => problemResponse(r.status, r.code, r.title, r.extras);

/**
 * The websocket `GET /v1/venues/:venueId/live?cursor=&scopes=` for Bun, over the shared live
 * socket (`server/live`). Every check (origin, caller, venue, scopes, cursor) runs before the
 * upgrade and fails as problem+json, never as a socket.
 *
 * @example
 * const live = createLiveRoute(deps);
 * live.route(app);
 * Bun.serve({ port, fetch: app.fetch, websocket: live.websocket });
 */
export function createLiveRoute(deps: LiveDeps, options: Partial<LiveOptions> = {}): LiveRoute {
  const sockets = new LiveSockets({
    options: { ...DEFAULT_LIVE_OPTIONS, ...options },
    logError: (msg, fields) => deps.log('error', msg, fields),
    metrics: deps.metrics,
    deviceRevoked: (venueId, deviceId) => deps.devices.revokedNow(venueId, deviceId),
  });
  deps.devices.onRevoked((venueId, deviceId) => sockets.closeDevice(venueId, deviceId));
  const origins = deps.publicOrigin === undefined ? [] : [deps.publicOrigin];
  const route = (app: Hono<AppEnv>): void => {
    app.get(
      '/v1/venues/:venueId/live',
      requireAllowedOrigin(origins, problemResponse),
      requireCaller(deps.authenticator),
      async (c) => {
        const denied = forbidOtherVenue(c) ?? requireWebsocket(c.req.raw, problemResponse);
        if (denied) return denied;
        const scopes = resolveScopes(c.get('caller'), c.req.query('scopes'));
        if (!scopes.ok) return reject(scopes.rejection);
        const token = c.req.query('cursor');
        if (!token) return cursorRequired(problemResponse);
        const venueId = c.req.param('venueId');
        const venue = await deps.store.getVenue(venueId);
        if (!venue)
          return problemResponse(404, 'VENUE_NOT_FOUND', 'No such venue', { kind: 'stop' });
        const checked = await deps.cursors.check(
          token,
          venue,
          scopes.scopes,
          await deps.store.head(venueId),
        );
        if (!checked.ok) return reject(checked.rejection);
        const log = c.get('log');
        const caller = c.get('caller');
        const did = caller.kind === 'principal' ? caller.did : undefined;
        return upgradeLive(
          c.env,
          c.req.raw,
          () =>
            sockets.connect({
              session: new LiveSession(checked.seq, scopes.kinds, rowsOf(c.get('caller'))),
              stream: cloudStream(deps, venue, scopes.scopes, scopes.kinds, did),
              cursor: token,
              logError: (msg, fields) => log('error', msg, { venueId, ...fields }),
              ...(did === undefined ? {} : { device: { venueId, deviceId: did } }),
            }),
          problemResponse,
        );
      },
    );
  };
  return { route, websocket: sockets.websocket };
}

/**
 * One socket's view of a venue's stream in the cloud store: reads are async, the stream holds
 * while the epoch does and compaction has not passed the socket, and every frame's cursor is
 * signed for it.
 */
function cloudStream(
  deps: LiveDeps,
  venue: VenueRecord,
  scopes: readonly Scope[],
  kinds: readonly EntityKind[],
  did: string | undefined,
): LiveStream {
  const { store, bus, cursors } = deps;
  const { venueId } = venue;
  const cursorAt = (seq: number): Promise<string> => cursors.issue(venue, seq, scopes);
  return {
    subscribe: (listener) => bus.subscribe(venueId, listener.entries),
    head: () => {
      // Asked at every heartbeat: a device with its socket open is seen at least that often.
      if (did !== undefined) deps.devices.seen(venueId, did);
      return store.head(venueId);
    },
    read: (request, limit) =>
      store.readFeed(venueId, request.afterSeq, { limit, kinds, throughSeq: request.throughSeq }),
    holds: async (seq) => {
      const now = await store.getVenue(venueId);
      return now !== undefined && now.epoch === venue.epoch && now.compactedThrough <= seq;
    },
    cursorAt,
    entriesFrame: async ({ entries, throughSeq }) =>
      entriesFrame(entries, await cursorAt(throughSeq)),
  };
}
