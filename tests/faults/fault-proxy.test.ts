import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts';

// Exercises the fault proxy against tiny in-process targets: an HTTP server that counts the
// requests it handled, an echo server and a server that streams without end.

interface HttpTarget {
  port: number;
  /** Requests whose handler ran (the "cloud committed" count). */
  handled(): number;
  close(): Promise<void>;
}

async function startHttpTarget(): Promise<HttpTarget> {
  let handled = 0;
  const server: HttpServer = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handled += 1;
      const body = JSON.stringify({
        method: req.method,
        url: req.url,
        body: Buffer.concat(chunks).toString('utf8'),
        n: handled,
        pad: 'x'.repeat(2_000),
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: portOf(server),
    handled: () => handled,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

interface RawTarget {
  port: number;
  /** Bytes each accepted connection received, by accept order. */
  received: Buffer[][];
  /** Resolves when the n-th (0-based) accepted connection has closed. */
  closedAt(index: number): Promise<void>;
  close(): Promise<void>;
}

/** 'echo' writes back what it reads; 'stream' writes 1 KiB every 5 ms; 'flood' as fast as allowed. */
async function startRawTarget(kind: 'echo' | 'stream' | 'flood'): Promise<RawTarget> {
  const received: Buffer[][] = [];
  const closes: Promise<void>[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const mine: Buffer[] = [];
    received.push(mine);
    closes.push(new Promise((resolve) => socket.once('close', () => resolve())));
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      mine.push(chunk);
      if (kind === 'echo') socket.write(chunk);
    });
    if (kind === 'stream') {
      const timer = setInterval(() => socket.write(Buffer.alloc(1024, 0x61)), 5);
      socket.on('close', () => clearInterval(timer));
    }
    if (kind === 'flood') {
      const block = Buffer.alloc(64 * 1024, 0x62);
      const pump = (): void => {
        while (!socket.destroyed && socket.write(block)) {
          // keep writing until the socket asks for a drain
        }
      };
      socket.on('drain', pump);
      pump();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: portOf(server),
    received,
    closedAt: async (index) => {
      await vi.waitFor(
        () => expect(closes[index] !== undefined, 'the target saw the connection close').toBe(true),
        POLL,
      );
      await closes[index];
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

function portOf(server: Server | HttpServer): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** How long and how often a wait (vi.waitFor) looks again at a socket. */
const POLL = { timeout: 5_000, interval: 5 } as const;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface RawClient {
  socket: Socket;
  received(): Buffer;
  /** Resolves with whether the socket closed because of an error. */
  closed: Promise<{ hadError: boolean; error: NodeJS.ErrnoException | undefined }>;
}

async function rawClient(port: number): Promise<RawClient> {
  const socket = connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  let error: NodeJS.ErrnoException | undefined;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', (err: NodeJS.ErrnoException) => {
    error = err;
  });
  const closed = new Promise<{ hadError: boolean; error: NodeJS.ErrnoException | undefined }>(
    (resolve) => socket.once('close', (hadError: boolean) => resolve({ hadError, error })),
  );
  await once(socket, 'connect');
  return { socket, received: () => Buffer.concat(chunks), closed };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

/** Settles a promise into a value or the error it rejected with (never rejects). */
async function settle(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('fault proxy', () => {
  const cleanups: Array<() => Promise<void>> = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setupHttp(): Promise<{ target: HttpTarget; proxy: FaultProxy }> {
    const target = await startHttpTarget();
    cleanups.push(() => target.close());
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: target.port } });
    cleanups.push(() => proxy.close());
    return { target, proxy };
  }

  async function setupRaw(
    kind: 'echo' | 'stream' | 'flood',
    options: { maxBufferedBytes?: number } = {},
  ): Promise<{ target: RawTarget; proxy: FaultProxy }> {
    const target = await startRawTarget(kind);
    cleanups.push(() => target.close());
    const proxy = await startFaultProxy({
      target: { host: '127.0.0.1', port: target.port },
      ...options,
    });
    cleanups.push(() => proxy.close());
    return { target, proxy };
  }

  it('passes HTTP requests and responses through and counts bytes', async () => {
    const { target, proxy } = await setupHttp();
    expect(proxy.url).toBe(`http://127.0.0.1:${proxy.port}`);

    const get = await fetch(`${proxy.url}/healthz`);
    expect(get.status).toBe(200);
    expect(await get.json()).toMatchObject({ method: 'GET', url: '/healthz', body: '' });

    const post = await fetch(`${proxy.url}/ops`, { method: 'POST', body: 'hello' });
    expect(await post.json()).toMatchObject({ method: 'POST', url: '/ops', body: 'hello', n: 2 });

    expect(target.handled()).toBe(2);
    const stats = proxy.stats();
    expect(stats.connections).toBeGreaterThanOrEqual(1);
    expect(stats.bytesUpstream).toBeGreaterThan(0);
    expect(stats.bytesDownstream).toBeGreaterThan(4_000);
    expect(stats).toMatchObject({ refused: 0, resets: 0, mode: 'pass', delayMs: 0 });
  });

  it('cut() makes requests fail with a network error, refused at the proxy; restore() brings them back', async () => {
    const { target, proxy } = await setupHttp();
    // A pooled keep-alive connection exists before the cut; it must be killed too.
    expect((await fetch(`${proxy.url}/before`)).status).toBe(200);

    proxy.cut();
    expect(proxy.stats()).toMatchObject({ mode: 'cut', open: 0 });
    // Refused, not left hanging: the fetch settles with a network error (a hang would time out).
    for (const method of ['GET', 'POST']) {
      const result = await settle(
        fetch(`${proxy.url}/during`, { method, body: method === 'POST' ? 'x' : null }),
      );
      expect(result).toBeInstanceOf(TypeError);
    }
    expect(target.handled()).toBe(1);
    expect(proxy.stats().refused).toBeGreaterThanOrEqual(2);

    proxy.restore();
    const after = await fetch(`${proxy.url}/after`);
    expect(await after.json()).toMatchObject({ url: '/after' });
    expect(target.handled()).toBe(2);
  });

  it('cut() ends a long-lived streaming connection on both sides', async () => {
    const { target, proxy } = await setupRaw('stream');
    const client = await rawClient(proxy.port);
    await vi.waitFor(
      () => expect(client.received().length >= 4 * 1024, '4 KiB streamed to the client').toBe(true),
      POLL,
    );
    expect(proxy.stats().open).toBe(1);

    proxy.cut();
    const closed = await client.closed;
    expect(closed.hadError).toBe(true);
    expect(closed.error?.code).toBe('ECONNRESET');
    await target.closedAt(0);
    expect(proxy.stats().open).toBe(0);

    // New connections are reset while cut, accepted again after restore.
    // (The RST may even beat the connect callback: `connect ECONNRESET`.)
    const refused = connect({ host: '127.0.0.1', port: proxy.port });
    refused.on('error', () => {});
    const hadError = await new Promise<boolean>((resolve) => refused.once('close', resolve));
    expect(hadError).toBe(true);
    proxy.restore();
    const again = await rawClient(proxy.port);
    await vi.waitFor(
      () => expect(again.received().length >= 1024, '1 KiB streamed after restore').toBe(true),
      POLL,
    );
    again.socket.destroy();
  });

  it('cut() drops a live websocket (close 1006) and refuses new upgrades', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    wss.on('connection', (socket) => {
      socket.on('error', () => {});
      socket.send('hello');
    });
    cleanups.push(async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    });
    const address = wss.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: address.port } });
    cleanups.push(() => proxy.close());

    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/live`);
    ws.on('error', () => {});
    const [first] = (await once(ws, 'message')) as [Buffer];
    expect(first.toString()).toBe('hello');
    const closed = new Promise<number>((resolve) =>
      ws.once('close', (code: number) => resolve(code)),
    );
    proxy.cut();
    expect(await closed).toBe(1006);

    const refused = new WebSocket(`ws://127.0.0.1:${proxy.port}/live`);
    const failure = new Promise<Error>((resolve) => refused.once('error', resolve));
    expect((await failure).message).toMatch(/ECONNRESET|socket hang up/);
  });

  it('delay(ms) adds at least the delay each way and preserves order', async () => {
    const { proxy } = await setupHttp();
    await fetch(`${proxy.url}/warm`).then((res) => res.arrayBuffer());
    const delayMs = 150;
    proxy.delay(delayMs);
    expect(proxy.stats().delayMs).toBe(delayMs);
    const { ms } = await timed(() => fetch(`${proxy.url}/slow`).then((res) => res.json()));
    // Request and response each wait at least delayMs (1 ms slack for timer rounding). A lower
    // bound only: a busy machine adds to it.
    expect(ms).toBeGreaterThanOrEqual(2 * delayMs - 2);

    proxy.restore();
    expect(proxy.stats().delayMs).toBe(0);
    expect(await fetch(`${proxy.url}/fast`).then((res) => res.json())).toMatchObject({
      url: '/fast',
    });
  });

  it('delay(ms) keeps a byte stream in order while the delay changes', async () => {
    const { proxy } = await setupRaw('echo');
    const client = await rawClient(proxy.port);
    const sent: Buffer[] = [];
    const delays = [30, 0, 20, 5, 0, 25, 1, 0];
    for (let i = 0; i < 40; i += 1) {
      proxy.delay(delays[i % delays.length] ?? 0);
      const chunk = Buffer.from(`<${i}:${'z'.repeat(i * 7)}>`);
      sent.push(chunk);
      client.socket.write(chunk);
      if (i % 5 === 0) await sleep(2);
    }
    const expected = Buffer.concat(sent);
    await vi.waitFor(
      () => expect(client.received().length >= expected.length, 'every byte echoed').toBe(true),
      POLL,
    );
    expect(client.received().equals(expected)).toBe(true);
    client.socket.destroy();
  });

  it("resetAfterBytes(0, 'downstream') loses the response after the target handled the request", async () => {
    const { target, proxy } = await setupHttp();
    proxy.resetAfterBytes(0, 'downstream');
    const error = await settle(fetch(`${proxy.url}/commit`, { method: 'POST', body: 'op-1' }));
    expect(error).toBeInstanceOf(TypeError);
    expect(target.handled()).toBe(1);
    expect(proxy.stats()).toMatchObject({ resets: 1, bytesDownstream: 0 });

    // One-shot: the retry goes through and the target sees it a second time.
    const retry = await fetch(`${proxy.url}/commit`, { method: 'POST', body: 'op-1' });
    expect(await retry.json()).toMatchObject({ body: 'op-1', n: 2 });
    expect(target.handled()).toBe(2);
  });

  it('failRequests() breaks one path until restore(); other requests pass', async () => {
    const { target, proxy } = await setupHttp();
    proxy.failRequests(['GET /feed']);
    expect(await settle(fetch(`${proxy.url}/feed?cursor=x`))).toBeInstanceOf(TypeError);
    expect(target.handled()).toBe(0);
    const other = await fetch(`${proxy.url}/ops`, { method: 'POST', body: 'op-1' });
    expect(await other.json()).toMatchObject({ body: 'op-1' });
    expect(await settle(fetch(`${proxy.url}/feed`))).toBeInstanceOf(TypeError);
    proxy.restore();
    expect((await fetch(`${proxy.url}/feed`)).status).toBe(200);
  });

  it("resetAfterBytes(n, 'downstream') truncates a response mid-body", async () => {
    const { target, proxy } = await setupHttp();
    proxy.resetAfterBytes(300, 'downstream');
    const outcome = await settle(
      fetch(`${proxy.url}/big`, { method: 'POST', body: 'b' }).then((res) => res.text()),
    );
    // Headers may or may not have been parsed; either way the body never completes.
    expect(outcome).toBeInstanceOf(TypeError);
    expect(target.handled()).toBe(1);
    expect(proxy.stats()).toMatchObject({ resets: 1, bytesDownstream: 300 });
  });

  it("resetAfterBytes(n, 'upstream') delivers exactly n bytes to the target, then resets", async () => {
    const { target, proxy } = await setupRaw('echo');
    const client = await rawClient(proxy.port);
    await vi.waitFor(
      () => expect(target.received.length === 1, 'the request at the target').toBe(true),
      POLL,
    );
    proxy.resetAfterBytes(40, 'upstream');
    client.socket.write(Buffer.alloc(100, 0x63));
    const closed = await client.closed;
    expect(closed.hadError).toBe(true);
    await target.closedAt(0);
    expect(Buffer.concat(target.received[0] ?? []).length).toBe(40);
    expect(proxy.stats()).toMatchObject({ resets: 1, bytesUpstream: 40, open: 0 });
  });

  it('blackhole() makes a request hang until the client times out; restore() recovers', async () => {
    const { target, proxy } = await setupHttp();
    proxy.blackhole();
    // The client's own timeout ends it: no answer and no error from the link came first (a
    // reset or a refusal would fail the fetch with a TypeError, not a TimeoutError).
    const result = await settle(fetch(`${proxy.url}/hang`, { signal: AbortSignal.timeout(200) }));
    expect(result).toBeInstanceOf(DOMException);
    expect((result as DOMException).name).toBe('TimeoutError');
    expect(target.handled()).toBe(0);
    expect(proxy.stats()).toMatchObject({ mode: 'blackhole', open: 1 });

    proxy.restore();
    const res = await fetch(`${proxy.url}/back`);
    expect(await res.json()).toMatchObject({ url: '/back', n: 1 });
    // The request abandoned during the blackhole never reached the target: /back was the
    // first it handled (n: 1), and the only one.
    expect(target.handled()).toBe(1);
  });

  it('blackhole() freezes an open stream without losing data; restore() resumes it', async () => {
    const { proxy } = await setupRaw('echo');
    const client = await rawClient(proxy.port);
    client.socket.write('one;');
    await vi.waitFor(
      () => expect(client.received().toString() === 'one;', "'one;' echoed").toBe(true),
      POLL,
    );

    proxy.blackhole();
    client.socket.write('two;');
    await sleep(100);
    expect(client.received().toString()).toBe('one;');

    proxy.restore();
    await vi.waitFor(
      () => expect(client.received().toString() === 'one;two;', "'one;two;' echoed").toBe(true),
      POLL,
    );
    client.socket.destroy();
  });

  it('bounds buffering: a flood into a stalled reader stops growing', async () => {
    const { proxy } = await setupRaw('flood', { maxBufferedBytes: 64 * 1024 });
    const client = await rawClient(proxy.port);
    client.socket.pause();
    // Settled: two looks one interval apart see the same count (on a busy machine, later).
    let previous = -1;
    await vi.waitFor(
      () => {
        const now = proxy.stats().bytesDownstream;
        const was = previous;
        previous = now;
        expect(now, 'bytes downstream, still growing').toBe(was);
      },
      { timeout: 10_000, interval: 100 },
    );
    const first = proxy.stats().bytesDownstream;
    // Kernel buffers on loopback hold a few MiB at most; the proxy itself holds ~64 KiB.
    expect(first).toBeLessThan(64 * 1024 * 1024);
    client.socket.destroy();
  });

  it('close() ends every socket and the listener, and is idempotent', async () => {
    const target = await startRawTarget('stream');
    cleanups.push(() => target.close());
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: target.port } });
    const streaming = await rawClient(proxy.port);
    await vi.waitFor(
      () => expect(streaming.received().length > 0, 'bytes streamed').toBe(true),
      POLL,
    );
    proxy.blackhole();
    const held = await rawClient(proxy.port);
    await vi.waitFor(
      () => expect(proxy.stats().open === 2, 'two connections open at the proxy').toBe(true),
      POLL,
    );

    await Promise.all([proxy.close(), proxy.close()]);
    expect((await streaming.closed).hadError).toBe(true);
    expect((await held.closed).hadError).toBe(true);
    await target.closedAt(0);
    expect(proxy.stats().open).toBe(0);

    const late = connect({ host: '127.0.0.1', port: proxy.port });
    const [error] = (await once(late, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
  });

  it('resets the client when the target is down', async () => {
    const target = await startHttpTarget();
    const port = target.port;
    await target.close();
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port } });
    cleanups.push(() => proxy.close());
    expect(await settle(fetch(`${proxy.url}/x`))).toBeInstanceOf(TypeError);
  });

  it('rejects bad arguments', async () => {
    const { proxy } = await setupHttp();
    expect(() => proxy.delay(-1)).toThrow(RangeError);
    expect(() => proxy.delay(Number.NaN)).toThrow(RangeError);
    expect(() => proxy.resetAfterBytes(1.5, 'upstream')).toThrow(RangeError);
    await expect(startFaultProxy({ target: { host: '127.0.0.1', port: 70_000 } })).rejects.toThrow(
      RangeError,
    );
  });
});
