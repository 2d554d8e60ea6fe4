import type { Hono } from 'hono';
import {
  type EntityKind,
  type FeedEntry,
  type LiveBatch,
  LiveSession,
  type Problem,
  problem,
  type Scope,
} from '#protocol';
import { problemResponse } from '../../server/problem-response.ts';
import type { CoreDeps } from '../app-deps.ts';
import { type AppEnv, forbidOtherVenue, requireCaller } from '../http/caller.ts';
import type { Logger } from '../http/logger.ts';
import type { VenueRecord } from '../store/cloud-store.ts';
import { type CursorService, type FeedRejection, resolveScopes } from './cursor-service.ts';
import { rowsOf } from './feed-routes.ts';

/** A frame the live socket sends, as JSON text. */
export type LiveFrame =
  | { readonly type: 'entries'; readonly entries: readonly FeedEntry[]; readonly cursor: string }
  | { readonly type: 'heartbeat'; readonly head: number; readonly cursor: string }
  | { readonly type: 'error'; readonly problem: Problem };

/** Close codes: the client resumes from its last cursor, or re-bootstraps on 4010. */
export const LIVE_CLOSE = { slowConsumer: 4008, reBootstrap: 4010, internal: 1011 } as const;

export interface LiveOptions {
  readonly heartbeatMs: number;
  /** Past this many unsent bytes the client is too slow: error frame, close 4008. */
  readonly maxBufferedBytes: number;
  /** Entries per backlog read (and so at most per backlog frame). */
  readonly pageSize: number;
  /** How long a backlog page may wait for the socket to drain before the client counts as slow. */
  readonly drainTimeoutMs: number;
}

export const DEFAULT_LIVE_OPTIONS: LiveOptions = {
  heartbeatMs: 15_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  pageSize: 500,
  drainTimeoutMs: 10_000,
};

/**
 * The parts of Bun's `ServerWebSocket` used here: structural, so Node-side tests can drive the
 * handler with a fake. `send` answers Bun's status: bytes sent, -1 queued, 0 dropped.
 */
export interface LiveServerSocket {
  readonly data: LiveSocketData;
  send(text: string): number;
  close(code?: number, reason?: string): void;
  getBufferedAmount(): number;
}

/** What the route attaches to an upgraded socket: the connection that owns it. */
export interface LiveSocketData {
  readonly connection: LiveConnection;
}

/** The parts of Bun's `Server` the route uses; Bun passes the server as Hono's `c.env`. */
interface Upgrader {
  upgrade(
    request: Request,
    options: { data: LiveSocketData; headers?: Record<string, string> },
  ): boolean;
}

/** The subprotocol a browser offers beside `bearer.<token>`; the server echoes it, never the bearer. */
export const LIVE_SUBPROTOCOL = 'hearth.v1';

function isUpgrader(env: unknown): env is Upgrader {
  return (
    typeof env === 'object' && env !== null && 'upgrade' in env && typeof env.upgrade === 'function'
  );
}

type LiveDeps = CoreDeps & { readonly cursors: CursorService };

/** Bun's websocket handler shape, over {@link LiveServerSocket}: what `Bun.serve` takes. */
export interface LiveWebSocketHandler {
  open(ws: LiveServerSocket): void;
  message(): void;
  drain(ws: LiveServerSocket): void;
  close(ws: LiveServerSocket): void;
  error(error: Error): void;
}

/** The live route and the websocket handler that must be passed to the same `Bun.serve`. */
export interface LiveRoute {
  /** Adds `GET /v1/venues/:venueId/live` to the app (before its first request). */
  readonly route: (app: Hono<AppEnv>) => void;
  readonly websocket: LiveWebSocketHandler;
}

const reject = (r: FeedRejection): Response => problemResponse(r.status, r.code, r.title, r.extras);

/**
 * The websocket `GET /v1/venues/:venueId/live?cursor=&scopes=` for Bun. Every check (caller,
 * venue, scopes, cursor) runs before the upgrade and fails as problem+json, never as a socket.
 * Hono's `hono/bun` helper is not used: it reads the global `Bun` when imported (so nothing
 * importing it runs under Node's vitest) and is deprecated for `@hono/bun` in Hono 5.
 *
 * @example
 * const live = createLiveRoute(deps);
 * live.route(app);
 * Bun.serve({ port, fetch: app.fetch, websocket: live.websocket });
 */
export function createLiveRoute(deps: LiveDeps, options: Partial<LiveOptions> = {}): LiveRoute {
  const settings: LiveOptions = { ...DEFAULT_LIVE_OPTIONS, ...options };
  const route = (app: Hono<AppEnv>): void => {
    app.get('/v1/venues/:venueId/live', requireCaller(deps.authenticator), async (c) => {
      const denied = forbidOtherVenue(c);
      if (denied) return denied;
      if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
        return problemResponse(426, 'UPGRADE_REQUIRED', 'Websocket only', {
          kind: 'fix_request',
          detail: 'open this path as a websocket, or poll …/feed',
        });
      }
      const scopes = resolveScopes(c.get('caller'), c.req.query('scopes'));
      if (!scopes.ok) return reject(scopes.rejection);
      const token = c.req.query('cursor');
      if (!token) {
        return problemResponse(400, 'CURSOR_REQUIRED', 'Cursor required', {
          kind: 'fix_request',
          detail: 'resume with ?cursor= from a snapshot or a feed page',
        });
      }
      const venueId = c.req.param('venueId');
      const venue = await deps.store.getVenue(venueId);
      if (!venue) return problemResponse(404, 'VENUE_NOT_FOUND', 'No such venue', { kind: 'stop' });
      const checked = await deps.cursors.check(
        token,
        venue,
        scopes.scopes,
        await deps.store.head(venueId),
      );
      if (!checked.ok) return reject(checked.rejection);
      const server: unknown = c.env;
      if (!isUpgrader(server)) {
        return problemResponse(501, 'WEBSOCKET_UNAVAILABLE', 'Websocket not served here', {
          kind: 'back_off',
          detail: 'this server cannot upgrade; poll …/feed with wait=',
        });
      }
      const connection = new LiveConnection(deps, settings, {
        venue,
        scopes: scopes.scopes,
        kinds: scopes.kinds,
        session: new LiveSession(checked.seq, scopes.kinds, rowsOf(c.get('caller'))),
        log: c.get('log'),
      });
      const offered = (c.req.header('sec-websocket-protocol') ?? '')
        .split(',')
        .map((p) => p.trim());
      const headers: Record<string, string> = offered.includes(LIVE_SUBPROTOCOL)
        ? { 'Sec-WebSocket-Protocol': LIVE_SUBPROTOCOL }
        : {};
      if (!server.upgrade(c.req.raw, { data: { connection }, headers })) {
        return problemResponse(400, 'UPGRADE_FAILED', 'Websocket upgrade failed', {
          kind: 'fix_request',
        });
      }
      // Bun ignores the response of an upgraded request; Hono needs one.
      return new Response(null);
    });
  };

  // Bun treats an exception out of a websocket handler as uncaught (the process dies): every
  // handler catches, and `error` is the last net.
  const websocket: LiveWebSocketHandler = {
    open(ws: LiveServerSocket): void {
      guard(deps.log, 'live open', () => ws.data.connection.open(ws));
    },
    message(): void {
      // Clients only listen; resuming is a new socket with the last cursor.
    },
    drain(ws: LiveServerSocket): void {
      guard(deps.log, 'live drain', () => ws.data.connection.drained());
    },
    close(ws: LiveServerSocket): void {
      guard(deps.log, 'live close', () => ws.data.connection.dispose());
    },
    error(error: Error): void {
      deps.log('error', 'live socket handler failed', { error: error.message });
    },
  };

  return { route, websocket };
}

function guard(log: Logger, what: string, work: () => void): void {
  try {
    work();
  } catch (error) {
    log('error', `${what} failed`, {
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

interface ConnectionInit {
  readonly venue: VenueRecord;
  readonly scopes: readonly Scope[];
  readonly kinds: readonly EntityKind[];
  readonly session: LiveSession;
  readonly log: Logger;
}

/**
 * One live socket's shell around a {@link LiveSession}: bus subscription (before the first
 * read), backlog and gap reads one at a time, frames sent in order, heartbeats, flow control.
 */
export class LiveConnection {
  private ws: LiveServerSocket | undefined;
  private closed = false;
  private pumping = false;
  private unsubscribe: () => void = () => {};
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  /** Frames go out strictly in the order they were queued (cursor signing is async). */
  private sending: Promise<void> = Promise.resolve();
  private wakeDrain: (() => void) | undefined;

  private readonly deps: LiveDeps;
  private readonly options: LiveOptions;
  private readonly init: ConnectionInit;

  constructor(deps: LiveDeps, options: LiveOptions, init: ConnectionInit) {
    this.deps = deps;
    this.options = options;
    this.init = init;
  }

  open(ws: LiveServerSocket): void {
    this.ws = ws;
    const { bus, store } = this.deps;
    const venueId = this.init.venue.venueId;
    this.unsubscribe = bus.subscribe(venueId, (entries) => {
      guard(this.init.log, 'live publish', () => this.published(entries));
    });
    this.heartbeat = setInterval(
      () => this.run('heartbeat', () => this.beat()),
      this.options.heartbeatMs,
    );
    this.run('backlog', async () => {
      this.init.session.headIs(await store.head(venueId));
      await this.pump();
      await this.beat();
    });
  }

  /** Bun says the socket has room again. */
  drained(): void {
    this.wakeDrain?.();
  }

  /** The socket closed (either side): stop everything. Safe to call twice. */
  dispose(): void {
    this.closed = true;
    // FeedBus's unsubscribe is not idempotent: a second call can drop another socket's set.
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = () => {};
    unsubscribe();
    clearInterval(this.heartbeat);
    this.wakeDrain?.();
  }

  private published(entries: readonly FeedEntry[]): void {
    if (this.closed) return;
    this.deliver(this.init.session.published(entries));
    if (this.init.session.behind) this.run('gap read', () => this.pump());
  }

  /** Runs the reads the session asks for, one at a time, until it has nothing missing. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      const { session, venue, kinds } = this.init;
      for (
        let request = session.nextRead();
        request && !this.closed;
        request = session.nextRead()
      ) {
        await this.sending;
        await this.roomToSend();
        if (this.closed) return;
        const entries = await this.deps.store.readFeed(venue.venueId, request.afterSeq, {
          limit: this.options.pageSize,
          kinds,
          throughSeq: request.throughSeq,
        });
        // Compaction or a reset between the check and this read would silently skip entries.
        if (!(await this.streamHolds(request.afterSeq))) return;
        this.deliver(session.read(request, entries, entries.length >= this.options.pageSize));
      }
    } finally {
      this.pumping = false;
    }
  }

  private async beat(): Promise<void> {
    if (this.closed) return;
    const head = await this.deps.store.head(this.init.venue.venueId);
    if (!(await this.streamHolds(this.init.session.cursorSeq))) return;
    this.init.session.headIs(head);
    const seq = this.init.session.cursorSeq;
    this.enqueue(async () => ({ type: 'heartbeat', head, cursor: await this.cursorAt(seq) }));
    if (this.init.session.behind) await this.pump();
  }

  private deliver(batch: LiveBatch | undefined): void {
    if (!batch || batch.entries.length === 0) return;
    const { entries, throughSeq } = batch;
    this.enqueue(async () => ({
      type: 'entries',
      entries,
      cursor: await this.cursorAt(throughSeq),
    }));
  }

  private cursorAt(seq: number): Promise<string> {
    return this.deps.cursors.issue(this.init.venue, seq, this.init.scopes);
  }

  private enqueue(build: () => Promise<LiveFrame>): void {
    this.sending = this.sending
      .then(async () => {
        if (this.closed) return;
        this.transmit(await build());
      })
      .catch((error: unknown) => this.fail('send', error));
  }

  private transmit(frame: LiveFrame): void {
    const ws = this.ws;
    if (this.closed || !ws) return;
    const status = ws.send(JSON.stringify(frame));
    // 0: Bun dropped the frame (past its backpressure limit); going on would leave a gap.
    if (status === 0 || ws.getBufferedAmount() > this.options.maxBufferedBytes) this.slowConsumer();
  }

  /** Waits (for a backlog page) until the socket has drained, or gives up on the client. */
  private async roomToSend(): Promise<void> {
    const deadline = Date.now() + this.options.drainTimeoutMs;
    const lowWater = this.options.maxBufferedBytes / 4;
    while (!this.closed && (this.ws?.getBufferedAmount() ?? 0) > lowWater) {
      const left = deadline - Date.now();
      if (left <= 0) return this.slowConsumer();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 100));
        this.wakeDrain = done;
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
      });
      this.wakeDrain = undefined;
    }
  }

  /** False (and the socket closed with a re-bootstrap problem) once `seq` is no longer served. */
  private async streamHolds(seq: number): Promise<boolean> {
    const now = await this.deps.store.getVenue(this.init.venue.venueId);
    if (now && now.epoch === this.init.venue.epoch && now.compactedThrough <= seq) return true;
    this.terminate(
      problem(410, 'CURSOR_EXPIRED', 'Cursor expired', {
        kind: 're_bootstrap',
        detail: 'the stream was reset or compacted; load a snapshot',
      }),
      LIVE_CLOSE.reBootstrap,
    );
    return false;
  }

  private slowConsumer(): void {
    this.terminate(
      problem(503, 'SLOW_CONSUMER', 'Too far behind', {
        kind: 'retry_later',
        retryAfter: 1,
        detail: 'the socket could not keep up; reconnect with your last cursor',
      }),
      LIVE_CLOSE.slowConsumer,
    );
  }

  private fail(what: string, error: unknown): void {
    this.init.log('error', `live ${what} failed`, {
      venueId: this.init.venue.venueId,
      error: error instanceof Error ? error.message : String(error),
    });
    this.terminate(
      problem(500, 'INTERNAL', 'Internal Server Error', {
        kind: 'back_off',
        detail: 'reconnect with your last cursor',
      }),
      LIVE_CLOSE.internal,
    );
  }

  /** Sends a last error frame and closes. Never throws. */
  private terminate(body: Problem, code: number): void {
    if (this.closed) return;
    this.dispose();
    guard(this.init.log, 'live terminate', () => {
      this.ws?.send(JSON.stringify({ type: 'error', problem: body } satisfies LiveFrame));
      this.ws?.close(code, body.code);
    });
  }

  private run(what: string, work: () => Promise<void>): void {
    work().catch((error: unknown) => this.fail(what, error));
  }
}
