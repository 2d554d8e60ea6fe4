import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

// A TCP fault proxy for end-to-end tests: it sits between a client (the venue relay, a test's
// fetch or websocket) and a target (the cloud process), both on 127.0.0.1, and lets a test cut,
// delay, reset or blackhole the link at will. node:net only; runs under Node (vitest).
//
// Fault model, chosen so that clients behave as they would against a broken uplink while tests
// stay fast and deterministic:
//
// - cut(): the listener stays bound (the port is never given up, so nothing else can take it
//   and restore() cannot fail), but every new connection is accepted and immediately reset
//   (TCP RST, SO_LINGER 0), and every open connection is reset on both sides. A fetch fails at
//   once with `TypeError: fetch failed` (cause ECONNRESET / "other side closed"), a websocket
//   sees an error and close code 1006, an upgrade in flight fails. Nothing reaches the target
//   while cut. This is "uplink down, fail fast"; use blackhole() for "uplink down, hang".
// - blackhole(): new connections are accepted and then held: never read, never connected to
//   the target, never answered (a request hangs until the client's own timeout). Open
//   connections are frozen: nothing is forwarded in either direction and the sockets are
//   paused, so data waits in kernel buffers (bounded). restore() thaws frozen connections with
//   no data lost (as TCP retransmission would) and resets the held ones (their "SYN never got
//   through"; the client has usually given up), so an aborted request never reaches the target
//   later as a ghost.
// - delay(ms): every chunk received from then on, in either direction, is forwarded no earlier
//   than `ms` after it arrived; order is always preserved.
// - resetAfterBytes(n, direction): one-shot, shared by all connections. Once armed, the next
//   n bytes travelling in `direction` are forwarded and the connection that carries the byte
//   count to n is reset on both sides (RST). n = 0 resets the connection on which the next
//   chunk arrives in that direction without forwarding any of it: with 'downstream' this is
//   "the target committed and answered, the answer was lost". With a third argument
//   `{ request: 'POST /path' }` only connections whose latest HTTP request line is that one
//   count (the others pass untouched): "the answer to that request was lost".
// - restore(): back to a healthy link. Clears cut, blackhole, delay and an armed
//   resetAfterBytes; chunks still waiting out a delay are released at once, in order.
//
// Bounds: at most `maxConnections` open connections (more are reset at accept), at most about
// `maxBufferedBytes` (+ one chunk) queued per direction per connection (the source socket is
// paused beyond that, and while the destination needs a drain), no other buffers.

export type FaultDirection = 'upstream' | 'downstream';

export type FaultMode = 'pass' | 'cut' | 'blackhole';

export interface FaultProxyOptions {
  /** Where connections are forwarded to (the cloud process). */
  target: { host: string; port: number };
  /** Port to listen on, on 127.0.0.1. Default 0: the OS picks a free one. */
  listenPort?: number;
  /** Open connections allowed at once; further ones are reset at accept. Default 256. */
  maxConnections?: number;
  /** Bytes queued per direction per connection before its source is paused. Default 1 MiB. */
  maxBufferedBytes?: number;
}

export interface FaultProxyStats {
  /** Connections accepted since start, including refused ones. */
  connections: number;
  /** Connections currently open (including ones held by blackhole()). */
  open: number;
  /** Bytes forwarded client → target. */
  bytesUpstream: number;
  /** Bytes forwarded target → client. */
  bytesDownstream: number;
  /** Connections reset right at accept (cut, or over maxConnections). */
  refused: number;
  /** Connections reset by an armed resetAfterBytes(). */
  resets: number;
  mode: FaultMode;
  delayMs: number;
  /**
   * HTTP/1.x request lines seen going upstream, by `METHOD /path` (query left off). Best
   * effort: a request line split across two chunks is not counted.
   */
  requests: Record<string, number>;
}

export interface FaultProxy {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Uplink down, fail fast: reset new and open connections (see the file comment). */
  cut(): void;
  /** Healthy link again: clears cut, blackhole, delay and any armed resetAfterBytes. */
  restore(): void;
  /** Adds `ms` of latency to every chunk, both directions, order preserved. 0 turns it off. */
  delay(ms: number): void;
  /**
   * One-shot: reset the connection once `n` more bytes have passed in `direction`. With
   * `match.request` (a `METHOD /path` key as in stats().requests) only bytes on connections
   * whose latest request line is that one count, e.g. to lose the answer to one kind of request.
   */
  resetAfterBytes(n: number, direction: FaultDirection, match?: { request: string }): void;
  /**
   * Until restore(): every request whose `METHOD /path` is one of `requests` (and the answer to
   * one already sent) resets its connection; other requests pass. "The feed path is broken".
   */
  failRequests(requests: readonly string[]): void;
  /** Uplink down, hang: hold new connections unanswered, freeze open ones. */
  blackhole(): void;
  stats(): FaultProxyStats;
  /** Resets every connection and closes the listener; resolves once all sockets are closed. */
  close(): Promise<void>;
}

const DEFAULT_MAX_CONNECTIONS = 256;
const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
const MAX_DELAY_MS = 60_000;

interface Shared {
  readonly target: { host: string; port: number };
  readonly maxBufferedBytes: number;
  delayMs: number;
  resetRule: { direction: FaultDirection; remaining: number; request?: string } | null;
  /** `METHOD /path` keys whose requests, and answers, reset their connection (see failRequests). */
  failing: Set<string>;
  bytesUpstream: number;
  bytesDownstream: number;
  resets: number;
  requests: Map<string, number>;
}

const REQUEST_LINE =
  /(?:^|\n)(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) (\/[^\s?]*)\S* HTTP\/1\.[01]\r\n/g;

/**
 * Counts the HTTP request lines in an upstream chunk (see FaultProxyStats.requests); returns
 * the last one, if any.
 */
function countRequests(shared: Shared, chunk: Buffer): string | undefined {
  let last: string | undefined;
  for (const match of chunk.toString('latin1').matchAll(REQUEST_LINE)) {
    last = `${match[1]} ${match[2]}`;
    shared.requests.set(last, (shared.requests.get(last) ?? 0) + 1);
  }
  return last;
}

function noop(): void {}

/** Closes a socket with a TCP RST (or plainly, if it has no connected handle yet). */
function hardReset(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.connecting) {
    socket.destroy();
    return;
  }
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

function closedPromise(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
  });
}

/** One direction of one connection: a bounded, ordered, optionally delayed queue. */
class Pipe {
  private readonly conn: Conn;
  private readonly src: Socket;
  private readonly dst: Socket;
  private readonly direction: FaultDirection;
  private readonly shared: Shared;
  private readonly queue: Array<{ chunk: Buffer; due: number }> = [];
  private queuedBytes = 0;
  private lastDue = 0;
  private timer: NodeJS.Timeout | undefined;
  private drainPending = false;
  private srcEnded = false;
  private endSent = false;

  constructor(conn: Conn, src: Socket, dst: Socket, direction: FaultDirection, shared: Shared) {
    this.conn = conn;
    this.src = src;
    this.dst = dst;
    this.direction = direction;
    this.shared = shared;
    src.on('data', (chunk: Buffer) => this.onData(chunk));
    src.on('end', () => {
      this.srcEnded = true;
      this.flush();
    });
  }

  private onData(chunk: Buffer): void {
    if (this.conn.finished) return;
    const due = Math.max(performance.now() + this.shared.delayMs, this.lastDue);
    this.lastDue = due;
    this.queue.push({ chunk, due });
    this.queuedBytes += chunk.length;
    this.flush();
  }

  /** Releases everything still waiting out a delay (keeps order). */
  expedite(): void {
    for (const item of this.queue) item.due = 0;
    this.lastDue = 0;
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  updateFlow(): void {
    if (this.src.destroyed) return;
    const pause = this.conn.frozen || this.queuedBytes >= this.shared.maxBufferedBytes;
    if (pause && !this.src.isPaused()) this.src.pause();
    else if (!pause && this.src.isPaused()) this.src.resume();
  }

  flush(): void {
    this.stop();
    if (this.conn.finished || this.conn.frozen) return;
    if (this.dst.destroyed) {
      // The other side is gone; whatever is queued can never be delivered.
      this.conn.reset();
      return;
    }
    const now = performance.now();
    while (this.queue.length > 0) {
      if (this.dst.writableNeedDrain) {
        this.awaitDrain();
        break;
      }
      const head = this.queue[0];
      if (head === undefined) break;
      if (head.due > now) {
        const wait = Math.max(1, Math.ceil(head.due - now));
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.flush();
        }, wait);
        break;
      }
      this.queue.shift();
      this.queuedBytes -= head.chunk.length;
      if (!this.forward(head.chunk)) return;
    }
    this.updateFlow();
    if (this.queue.length === 0 && this.srcEnded && !this.endSent) {
      this.endSent = true;
      this.dst.end();
    }
  }

  private awaitDrain(): void {
    if (this.drainPending) return;
    this.drainPending = true;
    this.dst.once('drain', () => {
      this.drainPending = false;
      this.flush();
    });
  }

  private count(bytes: number): void {
    if (this.direction === 'upstream') this.shared.bytesUpstream += bytes;
    else this.shared.bytesDownstream += bytes;
  }

  /** Writes one chunk; false once an armed reset fired (the connection is going away). */
  private forward(chunk: Buffer): boolean {
    if (this.direction === 'upstream') {
      const request = countRequests(this.shared, chunk);
      if (request !== undefined) this.conn.lastRequest = request;
    }
    if (this.conn.lastRequest !== undefined && this.shared.failing.has(this.conn.lastRequest)) {
      this.shared.resets += 1;
      this.conn.finishing();
      this.conn.reset();
      return false;
    }
    const rule = this.shared.resetRule;
    if (
      rule !== null &&
      rule.direction === this.direction &&
      (rule.request === undefined || rule.request === this.conn.lastRequest)
    ) {
      const take = Math.min(rule.remaining, chunk.length);
      rule.remaining -= take;
      if (rule.remaining === 0) {
        this.shared.resetRule = null;
        this.shared.resets += 1;
        this.conn.finishing();
        if (take === 0) {
          this.conn.reset();
        } else {
          this.count(take);
          // Reset only once the last allowed bytes are handed to the kernel.
          this.dst.write(chunk.subarray(0, take), () => this.conn.reset());
        }
        return false;
      }
    }
    this.count(chunk.length);
    this.dst.write(chunk);
    return true;
  }
}

/** One accepted client connection and (once started) its connection to the target. */
class Conn {
  readonly client: Socket;
  upstream: Socket | null = null;
  frozen: boolean;
  /** The last HTTP request line seen going upstream on this connection (`METHOD /path`). */
  lastRequest: string | undefined;
  /** Set once the connection is being torn down; nothing more is forwarded. */
  finished = false;
  private readonly shared: Shared;
  private readonly pipes: Pipe[] = [];
  private readonly closes: Promise<void>[] = [];
  private readonly onGone: (conn: Conn) => void;

  constructor(client: Socket, shared: Shared, frozen: boolean, onGone: (conn: Conn) => void) {
    this.client = client;
    this.shared = shared;
    this.frozen = frozen;
    this.onGone = onGone;
    this.closes.push(closedPromise(client));
    client.on('error', () => this.reset());
    client.on('close', () => this.checkGone());
    // A connection accepted while blackholed is held: not read, not connected upstream.
    if (!frozen) this.start();
  }

  /** True for a connection accepted during blackhole() that was never connected upstream. */
  get held(): boolean {
    return this.upstream === null;
  }

  private start(): void {
    const upstream = connect({
      host: this.shared.target.host,
      port: this.shared.target.port,
      allowHalfOpen: true,
    });
    this.upstream = upstream;
    this.closes.push(closedPromise(upstream));
    upstream.setNoDelay(true);
    this.client.setNoDelay(true);
    // Target down (ECONNREFUSED) or reset by the target: the client sees a reset too.
    upstream.on('error', () => this.reset());
    upstream.on('close', () => this.checkGone());
    this.pipes.push(
      new Pipe(this, this.client, upstream, 'upstream', this.shared),
      new Pipe(this, upstream, this.client, 'downstream', this.shared),
    );
    // pauseOnConnect leaves the client explicitly paused (a 'data' listener does not resume it).
    for (const pipe of this.pipes) pipe.updateFlow();
  }

  freeze(): void {
    if (this.finished) return;
    this.frozen = true;
    for (const pipe of this.pipes) {
      pipe.stop();
      pipe.updateFlow();
    }
  }

  thaw(expedite: boolean): void {
    if (this.finished) return;
    this.frozen = false;
    for (const pipe of this.pipes) {
      if (expedite) pipe.expedite();
      pipe.flush();
    }
  }

  /** Stops forwarding and unlists the connection; the sockets are closed by the caller. */
  finishing(): void {
    if (this.finished) return;
    this.finished = true;
    for (const pipe of this.pipes) pipe.stop();
    this.onGone(this);
  }

  /** RST both sides. */
  reset(): void {
    this.finishing();
    this.client.on('error', noop);
    hardReset(this.client);
    if (this.upstream !== null) {
      this.upstream.on('error', noop);
      hardReset(this.upstream);
    }
  }

  /** Resolves once every socket of this connection has emitted 'close'. */
  async closed(): Promise<void> {
    await Promise.all(this.closes);
  }

  private checkGone(): void {
    const upstreamGone = this.upstream === null || this.upstream.destroyed;
    if (this.client.destroyed && upstreamGone) this.finishing();
  }
}

function checkCount(name: string, value: number, max: number): void {
  if (!Number.isFinite(value) || !Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer in [0, ${max}], got ${value}`);
  }
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  checkCount('maxConnections', maxConnections, 65_535);
  checkCount('maxBufferedBytes', maxBufferedBytes, 256 * 1024 * 1024);
  checkCount('target.port', options.target.port, 65_535);

  const shared: Shared = {
    target: { host: options.target.host, port: options.target.port },
    maxBufferedBytes: Math.max(1, maxBufferedBytes),
    delayMs: 0,
    resetRule: null,
    failing: new Set(),
    bytesUpstream: 0,
    bytesDownstream: 0,
    resets: 0,
    requests: new Map(),
  };
  const conns = new Set<Conn>();
  /** Every connection ever listed and not yet fully closed, for close() to wait on. */
  const pendingCloses = new Set<Promise<void>>();
  let mode: FaultMode = 'pass';
  let connections = 0;
  let refused = 0;
  let closing: Promise<void> | null = null;

  const onGone = (conn: Conn): void => {
    conns.delete(conn);
  };

  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
  server.on('connection', (socket: Socket) => {
    connections += 1;
    socket.on('error', noop);
    if (closing !== null || mode === 'cut' || conns.size >= maxConnections) {
      refused += 1;
      hardReset(socket);
      return;
    }
    const conn = new Conn(socket, shared, mode === 'blackhole', onGone);
    conns.add(conn);
    const done = conn.closed();
    pendingCloses.add(done);
    void done.then(() => pendingCloses.delete(done));
  });
  // Errors after listening (none expected) must not crash the test worker.
  server.on('error', noop);

  server.listen(options.listenPort ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') {
    server.close();
    throw new Error(`fault proxy: unexpected listener address ${String(address)}`);
  }
  const port = address.port;

  const proxy: FaultProxy = {
    port,
    url: `http://127.0.0.1:${port}`,

    cut(): void {
      mode = 'cut';
      for (const conn of [...conns]) conn.reset();
    },

    restore(): void {
      mode = 'pass';
      shared.delayMs = 0;
      shared.resetRule = null;
      shared.failing.clear();
      for (const conn of [...conns]) {
        if (conn.held) conn.reset();
        else conn.thaw(true);
      }
    },

    delay(ms: number): void {
      checkCount('delay ms', ms, MAX_DELAY_MS);
      shared.delayMs = ms;
    },

    resetAfterBytes(n: number, direction: FaultDirection, match?: { request: string }): void {
      checkCount('resetAfterBytes n', n, Number.MAX_SAFE_INTEGER);
      if (direction !== 'upstream' && direction !== 'downstream') {
        throw new RangeError(
          `direction must be 'upstream' or 'downstream', got ${String(direction)}`,
        );
      }
      shared.resetRule =
        match === undefined
          ? { direction, remaining: n }
          : { direction, remaining: n, request: match.request };
    },

    failRequests(requests: readonly string[]): void {
      for (const request of requests) shared.failing.add(request);
    },

    blackhole(): void {
      mode = 'blackhole';
      for (const conn of conns) conn.freeze();
    },

    stats(): FaultProxyStats {
      return {
        connections,
        open: conns.size,
        bytesUpstream: shared.bytesUpstream,
        bytesDownstream: shared.bytesDownstream,
        refused,
        resets: shared.resets,
        mode,
        delayMs: shared.delayMs,
        requests: Object.fromEntries(shared.requests),
      };
    },

    close(): Promise<void> {
      if (closing !== null) return closing;
      const serverClosed = new Promise<void>((resolve) => {
        server.close(() => resolve());
      });
      for (const conn of [...conns]) conn.reset();
      closing = Promise.all([serverClosed, ...pendingCloses]).then(noop);
      return closing;
    },
  };
  return proxy;
}
