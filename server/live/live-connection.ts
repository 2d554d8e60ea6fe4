import {
  type FeedEntry,
  LIVE_CLOSE,
  type LiveBatch,
  type LiveFrame,
  type LiveSession,
  type OpResult,
  type Problem,
  problem,
  type ReadRequest,
} from '#protocol';

type Awaitable<T> = T | Promise<T>;

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

/** What a route attaches to an upgraded socket: the connection that owns it. */
export interface LiveSocketData {
  readonly connection: LiveConnection;
}

/** A frame ready to send: its JSON text, and the cursor it hands the client (none for notices). */
export interface OutgoingFrame {
  readonly text: string;
  readonly cursor?: string;
}

/** What a connection hears from its server's bus. */
export interface LiveListener {
  entries(entries: readonly FeedEntry[]): void;
  notice(result: OpResult): void;
}

/**
 * One connection's view of its server's stream: what differs between the cloud (async store,
 * epoch and compaction) and the relay (sync store, epoch only, frames shared between sockets).
 */
export interface LiveStream {
  /** Listens to the bus (before the first read); answers the unsubscribe. */
  subscribe(listener: LiveListener): () => void;
  /** The highest committed seq. */
  head(): Awaitable<number>;
  /** The scoped entries of (afterSeq, throughSeq], at most `limit`. */
  read(request: ReadRequest, limit: number): Awaitable<readonly FeedEntry[]>;
  /** False once `seq` is no longer served (the stream was reset, or compacted past it). */
  holds(seq: number): Awaitable<boolean>;
  /** A signed cursor covering everything up to `seq`. */
  cursorAt(seq: number): Promise<string>;
  /**
   * The entries frame of a batch. A frame ready now (not a promise) goes out at once when
   * nothing is queued ahead of it: the relay's publish path, one shared frame per publish.
   */
  entriesFrame(batch: LiveBatch): Awaitable<OutgoingFrame>;
}

/** Counters a server may keep; the connection only reports to them. */
export interface LiveMetrics {
  /** How long a pushed frame took from the bus publish to the socket. */
  observeFanoutLag(ms: number): void;
}

/** Logs an error line. Never given tokens. */
export type LiveErrorLog = (msg: string, fields: Readonly<Record<string, unknown>>) => void;

/** What every connection of one route shares. */
export interface LiveSettings {
  readonly options: LiveOptions;
  readonly logError: LiveErrorLog;
  readonly metrics?: LiveMetrics;
  /** Milliseconds for the fan-out lag (default `performance.now`). */
  readonly now?: () => number;
  /**
   * Whether a device is revoked now, as this server last heard: checked when a socket opens, so
   * a revoke that landed between the upgrade's checks and the open closes it too.
   */
  readonly deviceRevoked?: (venueId: string, deviceId: string) => boolean;
}

/** What one connection is given at the upgrade. */
export interface LiveConnectionInit {
  readonly session: LiveSession;
  readonly stream: LiveStream;
  /** The cursor the client connected with: where it resumes if nothing else was sent. */
  readonly cursor: string;
  /** This connection's error log (e.g. the request's, with its venue), else the route's. */
  readonly logError?: LiveErrorLog;
  /** The paired device the socket's person signed in on: its revocation closes the socket. */
  readonly device?: { readonly venueId: string; readonly deviceId: string };
}

/** Bun's websocket handler shape over {@link LiveServerSocket}: what `Bun.serve` takes. */
export interface LiveWebSocketHandler {
  open(ws: LiveServerSocket): void;
  message(): void;
  drain(ws: LiveServerSocket): void;
  close(ws: LiveServerSocket): void;
  error(error: Error): void;
  /** Clients only listen: anything they send is small. */
  readonly maxPayloadLength: number;
}

/** The error frame a revoked device's socket gets before it closes (4401). */
const DEVICE_REVOKED = problem(401, 'DEVICE_REVOKED', 'Device revoked', {
  kind: 'sign_in',
  detail: 'this device is no longer paired with the venue; ask a manager to pair it',
});

/** The JSON text of a frame. */
export const encodeFrame = (frame: LiveFrame): string => JSON.stringify(frame);

/** An entries frame with its cursor. */
export function entriesFrame(entries: readonly FeedEntry[], cursor: string): OutgoingFrame {
  return { text: encodeFrame({ type: 'entries', entries, cursor }), cursor };
}

/**
 * The live sockets of one route: the connections it made, and the Bun websocket handler that
 * drives them. An exception out of a Bun websocket handler kills the process, so every handler
 * catches.
 *
 * @example
 * const sockets = new LiveSockets({ options, logError: (msg, f) => log('error', msg, f) });
 * const connection = sockets.connect({ session, stream, cursor });   // before the upgrade
 * server.upgrade(request, { data: { connection } });
 * Bun.serve({ fetch, websocket: sockets.websocket });
 */
export class LiveSockets {
  readonly websocket: LiveWebSocketHandler;
  private readonly open = new Set<LiveConnection>();
  private readonly settings: LiveSettings;

  constructor(settings: LiveSettings) {
    this.settings = settings;
    const logError = settings.logError;
    this.websocket = {
      open: (ws) => guard(logError, 'live open', () => ws.data.connection.open(ws)),
      message: () => {
        // Clients only listen; resuming is a new socket with the last cursor.
      },
      drain: (ws) => guard(logError, 'live drain', () => ws.data.connection.drained()),
      close: (ws) => guard(logError, 'live close', () => ws.data.connection.dispose()),
      error: (error) =>
        logSafely(logError, 'live socket handler failed', { error: messageOf(error) }),
      maxPayloadLength: 4096,
    };
  }

  /** A connection for a request about to be upgraded; it starts when its socket opens. */
  connect(init: LiveConnectionInit): LiveConnection {
    return new LiveConnection(this.settings, init, this.open);
  }

  /** Open sockets (on the relay: its connected devices). */
  get connectedCount(): number {
    return this.open.size;
  }

  /**
   * Closes every open socket of a revoked device (close code 4401, reason `DEVICE_REVOKED`,
   * after an error frame saying so). Returns how many were closed.
   */
  closeDevice(venueId: string, deviceId: string): number {
    let closed = 0;
    for (const connection of [...this.open]) {
      const device = connection.device;
      if (device?.venueId !== venueId || device.deviceId !== deviceId) continue;
      connection.end(DEVICE_REVOKED, LIVE_CLOSE.deviceRevoked);
      closed++;
    }
    return closed;
  }
}

/**
 * One live socket's shell around a {@link LiveSession}: bus subscription first, then the
 * backlog, then live publishes; frames leave strictly in order; heartbeats; flow control. A
 * publish only queues work, so one slow client never holds up the bus or the others.
 */
export class LiveConnection {
  private ws: LiveServerSocket | undefined;
  private closed = false;
  private pumping = false;
  private unsubscribe: () => void = () => {};
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  /** Frames go out in the order they were queued (some cursors are signed async). */
  private sending: Promise<void> = Promise.resolve();
  /** Frames queued on `sending` and not sent yet: while there are any, a ready frame waits too. */
  private queued = 0;
  private wakeDrain: (() => void) | undefined;
  /** The cursor of the last frame handed to the socket: where the client can resume. */
  private lastCursor: string;
  private readonly settings: LiveSettings;
  private readonly session: LiveSession;
  private readonly stream: LiveStream;
  private readonly registry: Set<LiveConnection>;
  private readonly now: () => number;
  private readonly logError: LiveErrorLog;
  private readonly init: LiveConnectionInit;

  constructor(settings: LiveSettings, init: LiveConnectionInit, registry: Set<LiveConnection>) {
    this.settings = settings;
    this.logError = init.logError ?? settings.logError;
    this.session = init.session;
    this.stream = init.stream;
    this.lastCursor = init.cursor;
    this.registry = registry;
    this.init = init;
    this.now = settings.now ?? (() => performance.now());
  }

  /** The paired device this socket's person signed in on, if the token named one. */
  get device(): LiveConnectionInit['device'] {
    return this.init.device;
  }

  /** Sends a last error frame and closes the socket (see {@link LiveSockets.closeDevice}). */
  end(body: Problem, code: number): void {
    this.terminate(body, code);
  }

  open(ws: LiveServerSocket): void {
    this.ws = ws;
    this.registry.add(this);
    const device = this.init.device;
    if (device && this.settings.deviceRevoked?.(device.venueId, device.deviceId)) {
      this.terminate(DEVICE_REVOKED, LIVE_CLOSE.deviceRevoked);
      return;
    }
    try {
      this.unsubscribe = this.stream.subscribe({
        entries: (entries) => this.guarded('live publish', () => this.published(entries)),
        notice: (result) => this.guarded('live notice', () => this.noticed(result)),
      });
    } catch (error) {
      this.fail('subscribe', error);
      return;
    }
    this.heartbeat = setInterval(
      () => this.run('heartbeat', () => this.beat()),
      this.settings.options.heartbeatMs,
    );
    this.run('backlog', async () => {
      this.session.headIs(await this.stream.head());
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
    this.registry.delete(this);
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = () => {};
    unsubscribe();
    clearInterval(this.heartbeat);
    this.wakeDrain?.();
  }

  private published(entries: readonly FeedEntry[]): void {
    if (this.closed) return;
    const publishedAt = this.settings.metrics ? this.now() : undefined;
    this.deliver(this.session.published(entries), publishedAt);
    if (this.session.behind) this.run('gap read', () => this.pump());
  }

  private noticed(result: OpResult): void {
    if (this.closed) return;
    const text = encodeFrame({ type: 'notice', result });
    this.enqueue(() => ({ text }));
  }

  /** Runs the reads the session asks for, one at a time, until nothing is missing. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      const { pageSize } = this.settings.options;
      for (
        let request = this.session.nextRead();
        request && !this.closed;
        request = this.session.nextRead()
      ) {
        await this.sending;
        await this.roomToSend();
        if (this.closed) return;
        const entries = await this.stream.read(request, pageSize);
        // A reset or compaction around the read would silently skip entries.
        if (!(await this.holds(request.afterSeq))) return;
        this.deliver(this.session.read(request, entries, entries.length >= pageSize), undefined);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async beat(): Promise<void> {
    if (this.closed) return;
    const head = await this.stream.head();
    if (!(await this.holds(this.session.cursorSeq))) return;
    this.session.headIs(head);
    const seq = this.session.cursorSeq;
    this.enqueue(async () => {
      const cursor = await this.stream.cursorAt(seq);
      return { text: encodeFrame({ type: 'heartbeat', head, cursor }), cursor };
    });
    if (this.session.behind) await this.pump();
  }

  private deliver(batch: LiveBatch | undefined, publishedAt: number | undefined): void {
    if (!batch || batch.entries.length === 0) return;
    const out = this.stream.entriesFrame(batch);
    // Ready and nothing ahead of it: send now (no promise per socket per publish).
    if (this.queued === 0 && !(out instanceof Promise)) this.transmit(out, publishedAt);
    else this.enqueue(() => out, publishedAt);
  }

  private enqueue(build: () => Awaitable<OutgoingFrame>, publishedAt?: number): void {
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

  private transmit(out: OutgoingFrame, publishedAt: number | undefined): void {
    const ws = this.ws;
    if (this.closed || !ws) return;
    const status = ws.send(out.text);
    if (status !== 0 && out.cursor !== undefined) this.lastCursor = out.cursor;
    if (publishedAt !== undefined)
      this.settings.metrics?.observeFanoutLag(this.now() - publishedAt);
    // 0: Bun dropped the frame (past its backpressure limit); going on would leave a gap.
    if (status === 0 || ws.getBufferedAmount() > this.settings.options.maxBufferedBytes) {
      this.slowConsumer();
    }
  }

  /** Waits (before a backlog page) until the socket has drained, or gives up on the client. */
  private async roomToSend(): Promise<void> {
    const { drainTimeoutMs, maxBufferedBytes } = this.settings.options;
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

  /** False (and the socket closed with a re-bootstrap problem) once `seq` is no longer served. */
  private async holds(seq: number): Promise<boolean> {
    if (await this.stream.holds(seq)) return true;
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
        detail: 'the socket could not keep up; reconnect with this cursor',
        cursor: this.lastCursor,
      }),
      LIVE_CLOSE.slowConsumer,
    );
  }

  private fail(what: string, error: unknown): void {
    logSafely(this.logError, `live ${what} failed`, { error: messageOf(error) });
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
    // Closed even when the error frame cannot be sent.
    guard(this.logError, 'live error frame', () =>
      this.ws?.send(encodeFrame({ type: 'error', problem: body })),
    );
    guard(this.logError, 'live close', () => this.ws?.close(code, body.code));
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

/** Runs `work`, logging what it throws. */
function guard(logError: LiveErrorLog, what: string, work: () => void): void {
  try {
    work();
  } catch (error) {
    logSafely(logError, `${what} failed`, { error: messageOf(error) });
  }
}

/** A logger that throws must not take the process down either (the Bun handler rule). */
function logSafely(
  logError: LiveErrorLog,
  msg: string,
  fields: Readonly<Record<string, unknown>>,
): void {
  try {
    logError(msg, fields);
  } catch (logFailure) {
    console.error(`${msg}, and logging it failed:`, messageOf(logFailure));
  }
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
