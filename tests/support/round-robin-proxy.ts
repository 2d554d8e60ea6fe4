import { once } from 'node:events';
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import { connect, type Socket } from 'node:net';

// An HTTP reverse proxy in front of several upstreams, as a load balancer in front of several
// cloud instances: each request (not each connection) goes to the next upstream that is up, so
// one keep-alive client still spreads its requests. Bodies stream both ways; a websocket
// upgrade is piped to the upstream whose turn it is. No retries: a request to an upstream that
// fails is answered 502 (mark the upstream down to leave it out).

export interface Upstream {
  readonly host: string;
  readonly port: number;
}

export interface RoundRobinProxyOptions {
  readonly upstreams: readonly Upstream[];
  /** Default: a free port. */
  readonly listenPort?: number;
}

export interface UpstreamStats {
  readonly upstream: Upstream;
  readonly up: boolean;
  /** Requests sent to it, upgrades included. */
  readonly requests: number;
  readonly upgrades: number;
  /** Requests that failed on the way (connection refused or reset): answered 502 or cut. */
  readonly failures: number;
  /** Requests by `METHOD /path` (query left off). */
  readonly byRequest: Readonly<Record<string, number>>;
}

export interface RoundRobinProxy {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Leaves upstream `index` out of the rotation (requests in flight to it go on). */
  markDown(index: number): void;
  markUp(index: number): void;
  stats(): UpstreamStats[];
  /** Requests sent to each upstream, in upstream order. */
  counts(): number[];
  /** Closes the listener and every open connection, both sides. */
  close(): Promise<void>;
}

/** Headers of one hop, never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== ''),
  );
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers))
    if (!HOP_BY_HOP.has(name) && !named.has(name) && value !== undefined) out[name] = value;
  return out;
}

const keyOf = (req: IncomingMessage): string => `${req.method} ${(req.url ?? '/').split('?')[0]}`;

interface State {
  readonly upstream: Upstream;
  up: boolean;
  requests: number;
  upgrades: number;
  failures: number;
  readonly byRequest: Map<string, number>;
}

function badGateway(res: ServerResponse, detail: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(502, { 'content-type': 'text/plain', connection: 'close' });
  res.end(`round-robin proxy: ${detail}\n`);
}

export async function startRoundRobinProxy(
  options: RoundRobinProxyOptions,
): Promise<RoundRobinProxy> {
  if (options.upstreams.length === 0) throw new RangeError('at least one upstream');
  const states: State[] = options.upstreams.map((upstream) => ({
    upstream: { host: upstream.host, port: upstream.port },
    up: true,
    requests: 0,
    upgrades: 0,
    failures: 0,
    byRequest: new Map(),
  }));
  let next = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  /** The next upstream that is up, in turn; undefined when none is. */
  const pick = (req: IncomingMessage): State | undefined => {
    for (let i = 0; i < states.length; i++) {
      const state = states[(next + i) % states.length];
      if (state?.up) {
        next = (next + i + 1) % states.length;
        state.requests += 1;
        const key = keyOf(req);
        state.byRequest.set(key, (state.byRequest.get(key) ?? 0) + 1);
        return state;
      }
    }
    return undefined;
  };

  const server = createServer((req, res) => {
    const state = pick(req);
    if (!state) {
      req.resume();
      badGateway(res, 'no upstream is up');
      return;
    }
    const upstreamReq = request({
      host: state.upstream.host,
      port: state.upstream.port,
      method: req.method,
      path: req.url,
      headers: endToEnd(req.headers),
      agent,
    });
    upstreamReq.on('response', (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, endToEnd(upstreamRes.headers));
      upstreamRes.pipe(res);
      // An answer cut off upstream is cut off here too, never ended as if whole.
      upstreamRes.on('close', () => {
        if (!upstreamRes.complete) res.destroy();
      });
    });
    upstreamReq.on('error', (error) => {
      state.failures += 1;
      req.resume();
      badGateway(res, `upstream ${state.upstream.port}: ${error.message}`);
    });
    // The client went away: so does the request upstream (a long-poll must not linger there).
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
    req.pipe(upstreamReq);
  });

  server.on('connection', track);
  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const state = pick(req);
    if (!state) {
      client.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    state.upgrades += 1;
    const upstream = connect({ host: state.upstream.host, port: state.upstream.port });
    track(upstream);
    const fail = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', fail);
    upstream.on('error', () => {
      state.failures += 1;
      fail();
    });
    upstream.once('connect', () => {
      // The request as it came (the upgrade headers are this hop's and the next's alike).
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  server.listen(options.listenPort ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') {
    server.close();
    throw new Error(`round-robin proxy: unexpected listener address ${String(address)}`);
  }
  const port = address.port;

  const check = (index: number): State => {
    const state = states[index];
    if (!state) throw new RangeError(`no upstream ${index} (there are ${states.length})`);
    return state;
  };

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    markDown(index) {
      check(index).up = false;
    },
    markUp(index) {
      check(index).up = true;
    },
    stats: () =>
      states.map((s) => ({
        upstream: s.upstream,
        up: s.up,
        requests: s.requests,
        upgrades: s.upgrades,
        failures: s.failures,
        byRequest: Object.fromEntries(s.byRequest),
      })),
    counts: () => states.map((s) => s.requests),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
