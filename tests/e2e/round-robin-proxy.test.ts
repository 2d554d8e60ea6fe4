import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { type RoundRobinProxy, startRoundRobinProxy } from '../support/round-robin-proxy.ts';

// The round-robin proxy against tiny in-process upstreams that say who they are: turns taken
// per request, bodies streamed both ways, websocket upgrades piped, a down upstream left out.
// (The unit config does not look in tests/support, so the proxy's test lives here.)

interface Upstream {
  readonly name: string;
  readonly port: number;
  close(): Promise<void>;
}

async function startUpstream(name: string): Promise<Upstream> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/stream') {
      // Streams its answer in pieces, the last only after the first has been read.
      res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': name });
      res.write('first,');
      setTimeout(() => res.end('last'), 50);
      return;
    }
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': name });
      res.end(JSON.stringify({ name, method: req.method, url: req.url, bytes }));
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    ws.send(`${name} ${req.headers['sec-websocket-protocol'] ?? ''}`);
    ws.on('message', (data) => ws.send(`${name} echo ${String(data)}`));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    name,
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let upstreams: Upstream[] = [];
let proxy: RoundRobinProxy | undefined;

async function setUp(n: number): Promise<RoundRobinProxy> {
  for (let i = 0; i < n; i++) upstreams.push(await startUpstream(`u${i}`));
  proxy = await startRoundRobinProxy({
    upstreams: upstreams.map((u) => ({ host: '127.0.0.1', port: u.port })),
  });
  return proxy;
}

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await Promise.all(upstreams.map((u) => u.close()));
  upstreams = [];
});

const whoAnswered = async (url: string, init?: RequestInit) => {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: await res.text(), upstream: res.headers.get('x-upstream') };
};

describe('round-robin proxy', () => {
  it('sends each request of one keep-alive client to the next upstream in turn and counts them', async () => {
    const p = await setUp(2);
    const seen: (string | null)[] = [];
    for (let i = 0; i < 6; i++) seen.push((await whoAnswered(`${p.url}/x?i=${i}`)).upstream);
    expect(seen).toEqual(['u0', 'u1', 'u0', 'u1', 'u0', 'u1']);
    expect(p.counts()).toEqual([3, 3]);
    expect(p.stats()[0]?.byRequest).toEqual({ 'GET /x': 3 });
  });

  it('streams a large request body up and a piecewise answer down', async () => {
    const p = await setUp(1);
    const body = 'x'.repeat(3 * 1024 * 1024);
    const up = await whoAnswered(`${p.url}/upload`, { method: 'POST', body });
    expect(up.status).toBe(200);
    expect(JSON.parse(up.body)).toMatchObject({ name: 'u0', method: 'POST', bytes: body.length });

    // The first piece arrives before the upstream has ended its answer.
    const pieces: string[] = [];
    await new Promise<void>((resolve, reject) => {
      request(`${p.url}/stream`, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => pieces.push(chunk));
        res.on('end', () => resolve());
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
    expect(pieces.join('')).toBe('first,last');
    expect(pieces.length).toBeGreaterThan(1);
  });

  it('pipes websocket upgrades to the next upstream, subprotocols and frames both ways', async () => {
    const p = await setUp(2);
    const names: string[] = [];
    for (let i = 0; i < 2; i++) {
      const ws = new WebSocket(`${p.url.replace('http', 'ws')}/live`, ['hearth.v1', 'bearer.t']);
      const hello = await new Promise<string>((resolve, reject) => {
        ws.once('message', (data) => resolve(String(data)));
        ws.once('error', reject);
      });
      ws.send('ping');
      const echo = await new Promise<string>((resolve) =>
        ws.once('message', (data) => resolve(String(data))),
      );
      names.push(hello, echo);
      ws.close();
    }
    expect(names).toEqual([
      'u0 hearth.v1,bearer.t',
      'u0 echo ping',
      'u1 hearth.v1,bearer.t',
      'u1 echo ping',
    ]);
    expect(p.stats().map((s) => s.upgrades)).toEqual([1, 1]);
  });

  it('leaves a marked-down upstream out; 502 when none is up, or when an unmarked one is gone', async () => {
    const p = await setUp(2);
    p.markDown(0);
    const seen: (string | null)[] = [];
    for (let i = 0; i < 3; i++) seen.push((await whoAnswered(`${p.url}/x`)).upstream);
    expect(seen).toEqual(['u1', 'u1', 'u1']);
    p.markDown(1);
    expect((await whoAnswered(`${p.url}/x`)).status).toBe(502);
    p.markUp(0);
    p.markUp(1);
    // Killed but not marked down: its turn is answered 502, the other's still served.
    await upstreams[1]?.close();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await whoAnswered(`${p.url}/x`)).status);
    expect(statuses.sort()).toEqual([200, 200, 502, 502]);
    expect(p.stats()[1]?.failures).toBe(2);
  });
});
