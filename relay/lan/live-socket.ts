import type { Hono } from 'hono';
import {
  DeviceCheckpoint,
  type EntityKind,
  type FeedEntry,
  type LiveBatch,
  LiveSession,
  type OpResult,
  type Problem,
  problem,
  rowRuleFor,
  type Scope,
} from '#protocol';
import { problemResponse } from '../../server/problem-response.ts';
import type { RelayStore } from '../store/relay-store.ts';
import type { OpNotice, RelayBus } from '../sync/feed-bus.ts';
import { lanHead } from './feed-routes.ts';
import {
  forbidOtherVenue,
  type LanAuthenticator,
  type LanEnv,
  requireLanCaller,
} from './lan-caller.ts';
import { type FeedRejection, type LanCursors, resolveScopes } from './lan-cursors.ts';

/** A frame the LAN live socket sends, as JSON text: the cloud's frames, plus op notices. */
export type LanLiveFrame =
  | { readonly type: 'entries'; readonly entries: readonly FeedEntry[]; readonly cursor: string }
  | { readonly type: 'heartbeat'; readonly head: number; readonly cursor: string }
  | { readonly type: 'notice'; readonly result: OpResult }
  | { readonly type: 'error'; readonly problem: Problem };

/** Close codes, as the cloud's: resume from the last cursor, or re-bootstrap on 4010. */
export const LIVE_CLOSE = { slowConsumer: 4008, reBootstrap: 4010, internal: 1011 } as const;

/** The subprotocol a browser offers beside `bearer.<token>`; echoed, never the bearer. */
export const LIVE_SUBPROTOCOL = 'hearth.v1';

export interface LanLiveOptions {
  readonly heartbeatMs: number;
  /** Past this many unsent bytes the device is too slow: error frame, close 4008. */
  readonly maxBufferedBytes: number;
  /** Entries per backlog read (and so at most per backlog frame). */
  readonly pageSize: number;
  /** How long a backlog page may wait for the socket to drain before the device counts as slow. */
  readonly drainTimeoutMs: number;
}

export const DEFAULT_LAN_LIVE_OPTIONS: LanLiveOptions = {
  heartbeatMs: 15_000,
  maxBufferedBytes: 1024 * 1024,
  pageSize: 500,
  drainTimeoutMs: 10_000,
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
  readonly metrics?: { observeFanoutLag(ms: number): void };
  /** Milliseconds for the fan-out lag (default `performance.now`). */
  readonly now?: () => number;
}

/**
 * The parts of Bun's `ServerWebSocket` used here: structural, so Node-side tests can drive the
 * handler with a fake. `send` answers Bun's status: bytes sent, -1 queued, 0 dropped.
 */
export interface LiveServerSocket {
  readonly data: LanLiveSocketData;
  send(text: string): number;
  close(code?: number, reason?: string): void;
  getBufferedAmount(): number;
}

/** What the route attaches to an upgraded socket: the connection that owns it. */
export interface LanLiveSocketData {
  readonly connection: LanLiveConnection;
}

/** Bun's websocket handler shape over {@link LiveServerSocket}: what `Bun.serve` takes. */
export interface LanLiveWebSocketHandler {
  open(ws: LiveServerSocket): void;
  message(): void;
  drain(ws: LiveServerSocket): void;
  close(ws: LiveServerSocket): void;
  error(error: Error): void;
  /** Devices only listen: anything they send is small. */
  readonly maxPayloadLength: number;
}

/** The live route and the websocket handler, both for the same `Bun.serve`. */
export interface LanLiveRoute {
  /** Adds `GET /v1/venues/:venueId/live` to the app (before its first request). */
  readonly route: (app: Hono<LanEnv>) => void;
  readonly websocket: LanLiveWebSocketHandler;
  /** Open live sockets: the relay's connected devices. */
  readonly connectedCount: () => number;
}

/** The parts of Bun's `Server` the route uses; Bun passes the server as Hono's `c.env`. */
interface Upgrader {
  upgrade(
    request: Request,
    options: { data: LanLiveSocketData; headers?: Record<string, string> },
  ): boolean;
}

function isUpgrader(env: unknown): env is Upgrader {
  return (
    typeof env === 'object' && env !== null && 'upgrade' in env && typeof env.upgrade === 'function'
  );
}

const reject = (r: FeedRejection): Response => problemResponse(r.status, r.code, r.title, r.extras);

/**
 * The websocket `GET /v1/venues/:venueId/live?cursor=&scopes=&deviceId=` for Bun. Every check
 * (caller, venue, scopes, device id, cursor) runs before the upgrade and fails as problem+json.
 * One frame per bus publish; op notices go to the staff sockets opened with the op's
 * `deviceId`. `hono/bun` is not used: it reads the global `Bun` on import (breaks under Node).
 *
 * @example
 * const live = createLanLiveRoute(deps);
 * const app = createLanApp({ ...deps, live });
 * Bun.serve({ port, fetch: app.fetch, websocket: live.websocket });
 */
export function createLanLiveRoute(
  deps: LanLiveDeps,
  options: Partial<LanLiveOptions> = {},
): LanLiveRoute {
  const shared: Shared = {
    deps,
    options: { ...DEFAULT_LAN_LIVE_OPTIONS, ...options },
    now: deps.now ?? (() => performance.now()),
    frames: new FrameCache(64),
    connections: new Set(),
  };

  const route = (app: Hono<LanEnv>): void => {
    app.get('/v1/venues/:venueId/live', requireLanCaller(deps.authenticator), async (c) => {
      const denied = forbidOtherVenue(c);
      if (denied) return denied;
      if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
        return problemResponse(426, 'UPGRADE_REQUIRED', 'Websocket only', {
          kind: 'fix_request',
          detail: 'open this path as a websocket, or poll …/feed',
        });
      }
      const { principal } = c.get('caller');
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
      if (!token) {
        return problemResponse(400, 'CURSOR_REQUIRED', 'Cursor required', {
          kind: 'fix_request',
          detail: 'resume with ?cursor= from a snapshot or a feed page',
        });
      }
      const checked = await deps.cursors.check(token, scopes.scopes, lanHead(deps.store));
      if (!checked.ok) return reject(checked.rejection);
      const server: unknown = c.env;
      if (!isUpgrader(server)) {
        return problemResponse(501, 'WEBSOCKET_UNAVAILABLE', 'Websocket not served here', {
          kind: 'back_off',
          detail: 'this server cannot upgrade; poll …/feed with wait=',
        });
      }
      const connection = new LanLiveConnection(shared, {
        epoch: checked.epoch,
        scopes: scopes.scopes,
        kinds: scopes.kinds,
        session: new LiveSession(checked.seq, scopes.kinds, rowRuleFor(principal)),
        cursor: token,
        // Guests never get notices: a rejection can carry state that is not theirs to see.
        noticesFor: principal.kind === 'staff' ? deviceId?.data : undefined,
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

  // An exception out of a Bun websocket handler kills the process: every handler catches.
  const websocket: LanLiveWebSocketHandler = {
    open(ws) {
      guard(deps.log, 'live open', () => ws.data.connection.open(ws));
    },
    message() {
      // Devices only listen; resuming is a new socket with the last cursor.
    },
    drain(ws) {
      guard(deps.log, 'live drain', () => ws.data.connection.drained());
    },
    close(ws) {
      guard(deps.log, 'live close', () => ws.data.connection.dispose());
    },
    error(error) {
      guard(deps.log, 'live error', () =>
        deps.log('error', 'live socket handler failed', { error: messageOf(error) }),
      );
    },
    maxPayloadLength: 4096,
  };

  return { route, websocket, connectedCount: () => shared.connections.size };
}

interface Shared {
  readonly deps: LanLiveDeps;
  readonly options: LanLiveOptions;
  readonly now: () => number;
  readonly frames: FrameCache;
  readonly connections: Set<LanLiveConnection>;
}

interface ConnectionInit {
  readonly epoch: number;
  readonly scopes: readonly Scope[];
  readonly kinds: readonly EntityKind[];
  readonly session: LiveSession;
  /** The cursor the device connected with: where it resumes if nothing else was sent. */
  readonly cursor: string;
  /** The device whose op notices this socket receives (staff only). */
  readonly noticesFor: string | undefined;
}

/** A frame's text and the cursor it hands the device (none for notices). */
interface Outgoing {
  readonly text: string;
  readonly cursor?: string;
}

/**
 * Entries frames shared between sockets. A frame is fixed by (epoch, scope set, from, through):
 * the session hands out exactly the scoped entries of (from, through], and the stream of an
 * epoch never changes. So N sockets with one scope set cost one signature and one JSON encoding
 * per publish, not N. Built synchronously (the cursor is signed synchronously), so every socket
 * of a publish finds the frame ready.
 */
class FrameCache {
  private readonly frames = new Map<string, Outgoing>();
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get(key: string, build: () => Outgoing): Outgoing {
    const known = this.frames.get(key);
    if (known) return known;
    const frame = build();
    this.frames.set(key, frame);
    if (this.frames.size > this.capacity) {
      const oldest = this.frames.keys().next();
      if (!oldest.done) this.frames.delete(oldest.value);
    }
    return frame;
  }
}

/**
 * One live socket's shell around a {@link LiveSession}: bus subscription first, then the
 * backlog, then live publishes; frames leave strictly in order; heartbeats; flow control. A
 * publish only queues work, so one slow device never holds up the bus or the others.
 */
export class LanLiveConnection {
  private ws: LiveServerSocket | undefined;
  private closed = false;
  private pumping = false;
  private unsubscribe: () => void = () => {};
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  /** Frames go out in the order they were queued (heartbeat cursors are signed async). */
  private sending: Promise<void> = Promise.resolve();
  /** Frames queued on `sending` and not sent yet: while there are any, a ready frame waits too. */
  private queued = 0;
  private wakeDrain: (() => void) | undefined;
  /** The cursor of the last frame handed to the socket: where the device can resume. */
  private lastCursor: string;
  private readonly shared: Shared;
  private readonly init: ConnectionInit;
  private readonly scopesKey: string;

  constructor(shared: Shared, init: ConnectionInit) {
    this.shared = shared;
    this.init = init;
    this.lastCursor = init.cursor;
    this.scopesKey = init.scopes.join(',');
  }

  open(ws: LiveServerSocket): void {
    this.ws = ws;
    this.shared.connections.add(this);
    try {
      this.unsubscribe = this.shared.deps.bus.subscribe({
        entries: (entries) => this.guarded('live publish', () => this.published(entries)),
        notice: (notice) => this.guarded('live notice', () => this.noticed(notice)),
      });
    } catch (error) {
      this.fail('subscribe', error);
      return;
    }
    this.heartbeat = setInterval(
      () => this.run('heartbeat', () => this.beat()),
      this.shared.options.heartbeatMs,
    );
    this.run('backlog', async () => {
      this.init.session.headIs(lanHead(this.shared.deps.store));
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
    this.shared.connections.delete(this);
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = () => {};
    unsubscribe();
    clearInterval(this.heartbeat);
    this.wakeDrain?.();
  }

  private published(entries: readonly FeedEntry[]): void {
    if (this.closed) return;
    this.deliver(this.init.session.published(entries), this.shared.now());
    if (this.init.session.behind) this.run('gap read', () => this.pump());
  }

  private noticed(notice: OpNotice): void {
    if (this.closed || this.init.noticesFor !== notice.deviceId) return;
    const frame: LanLiveFrame = { type: 'notice', result: notice.result };
    this.enqueue(async () => ({ text: JSON.stringify(frame) }));
  }

  /** Runs the reads the session asks for, one at a time, until nothing is missing. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      const { session, kinds } = this.init;
      const { store } = this.shared.deps;
      const { pageSize } = this.shared.options;
      for (
        let request = session.nextRead();
        request && !this.closed;
        request = session.nextRead()
      ) {
        await this.sending;
        await this.roomToSend();
        if (this.closed || !this.epochHolds()) return;
        const entries = store.readFeed(request.afterSeq, {
          limit: pageSize,
          kinds,
          throughSeq: request.throughSeq,
        });
        this.deliver(session.read(request, entries, entries.length >= pageSize), undefined);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async beat(): Promise<void> {
    if (this.closed || !this.epochHolds()) return;
    const head = lanHead(this.shared.deps.store);
    this.init.session.headIs(head);
    const seq = this.init.session.cursorSeq;
    this.enqueue(async () => {
      const cursor = await this.cursorAt(seq);
      const frame: LanLiveFrame = { type: 'heartbeat', head, cursor };
      return { text: JSON.stringify(frame), cursor };
    });
    if (this.init.session.behind) await this.pump();
  }

  private deliver(batch: LiveBatch | undefined, publishedAt: number | undefined): void {
    if (!batch || batch.entries.length === 0) return;
    const { entries, throughSeq } = batch;
    // The scoped entries of (covered, through] are those of [first, through]: the key is exact.
    const key = `${this.init.epoch}|${this.scopesKey}|${entries[0]?.seq}|${throughSeq}`;
    const out = this.shared.frames.get(key, () => {
      const cursor = this.shared.deps.cursors.issueNow(
        throughSeq,
        this.init.scopes,
        this.init.epoch,
      );
      const frame: LanLiveFrame = { type: 'entries', entries, cursor };
      return { text: JSON.stringify(frame), cursor };
    });
    // Nothing ahead of it: send now (no promise per socket per publish); else keep the order.
    if (this.queued === 0) this.transmit(out, publishedAt);
    else this.enqueue(async () => out, publishedAt);
  }

  private cursorAt(seq: number): Promise<string> {
    return this.shared.deps.cursors.issue(seq, this.init.scopes, this.init.epoch);
  }

  private enqueue(build: () => Promise<Outgoing>, publishedAt?: number): void {
    this.queued++;
    this.sending = this.sending
      .then(async () => {
        if (this.closed) return;
        this.transmit(await build(), publishedAt);
      })
      .catch((error: unknown) => this.fail('send', error))
      .finally(() => {
        this.queued--;
      });
  }

  private transmit(out: Outgoing, publishedAt: number | undefined): void {
    const ws = this.ws;
    if (this.closed || !ws) return;
    const status = ws.send(out.text);
    if (status !== 0 && out.cursor !== undefined) this.lastCursor = out.cursor;
    if (publishedAt !== undefined) {
      this.shared.deps.metrics?.observeFanoutLag(this.shared.now() - publishedAt);
    }
    // 0: Bun dropped the frame (past its backpressure limit); going on would leave a gap.
    if (status === 0 || ws.getBufferedAmount() > this.shared.options.maxBufferedBytes) {
      this.slowConsumer();
    }
  }

  /** Waits (before a backlog page) until the socket has drained, or gives up on the device. */
  private async roomToSend(): Promise<void> {
    const { drainTimeoutMs, maxBufferedBytes } = this.shared.options;
    const deadline = Date.now() + drainTimeoutMs;
    while (!this.closed && (this.ws?.getBufferedAmount() ?? 0) > maxBufferedBytes / 4) {
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

  /** False (and the socket closed with a re-bootstrap problem) once the epoch has moved. */
  private epochHolds(): boolean {
    if (this.shared.deps.cursors.epoch() === this.init.epoch) return true;
    this.terminate(
      problem(410, 'CURSOR_EXPIRED', 'Cursor expired', {
        kind: 're_bootstrap',
        detail: 'the relay’s stream was reset; load a snapshot',
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
        detail: 'the socket could not keep up; reconnect with this cursor',
        cursor: this.lastCursor,
      }),
      LIVE_CLOSE.slowConsumer,
    );
  }

  private fail(what: string, error: unknown): void {
    this.shared.deps.log('error', `live ${what} failed`, { error: messageOf(error) });
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
    guard(this.shared.deps.log, 'live terminate', () => {
      const frame: LanLiveFrame = { type: 'error', problem: body };
      this.ws?.send(JSON.stringify(frame));
      this.ws?.close(code, body.code);
    });
  }

  /** Bus callbacks: a throw here would make the bus drop this listener silently. */
  private guarded(what: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.fail(what, error);
    }
  }

  private run(what: string, work: () => Promise<void>): void {
    work().catch((error: unknown) => this.fail(what, error));
  }
}

function guard(log: RelayLog, what: string, work: () => void): void {
  try {
    work();
  } catch (error) {
    try {
      log('error', `${what} failed`, { error: messageOf(error) });
    } catch (logError) {
      // A failing logger must not take the process down either (Bun handler rule).
      console.error(`${what} failed, and so did logging it:`, messageOf(logError));
    }
  }
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
