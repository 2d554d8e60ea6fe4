import { describe, expect, it } from 'vitest';
import { LIVE_SUBPROTOCOL, liveSubprotocols, Problem } from '#protocol';
import { problemResponse } from '../problem-response.ts';
import type { LiveConnection, LiveSocketData } from './live-connection.ts';
import { cursorRequired, requireWebsocket, upgradeLive } from './live-upgrade.ts';

const connection = {} as LiveConnection;

/** Stands in for Bun's server: records the upgrade instead of doing it. */
class FakeServer {
  upgraded: { data: LiveSocketData; headers: Record<string, string> | undefined } | undefined;
  private readonly accepts: boolean;
  constructor(accepts = true) {
    this.accepts = accepts;
  }
  upgrade(
    _request: Request,
    options: { data: LiveSocketData; headers?: Record<string, string> },
  ): boolean {
    if (this.accepts) this.upgraded = { data: options.data, headers: options.headers };
    return this.accepts;
  }
}

const request = (protocols?: readonly string[]): Request =>
  new Request('http://relay.local/v1/venues/v/live?cursor=c', {
    headers: {
      Upgrade: 'websocket',
      ...(protocols ? { 'Sec-WebSocket-Protocol': protocols.join(', ') } : {}),
    },
  });

const problemOf = async (res: Response) => Problem.parse(await res.json());

describe('before the upgrade', () => {
  it('answers 426 to a plain request and nothing to a websocket one', async () => {
    const plain = requireWebsocket(new Request('http://relay.local/live'), problemResponse);
    expect(plain?.status).toBe(426);
    expect(plain && (await problemOf(plain)).code).toBe('UPGRADE_REQUIRED');
    expect(requireWebsocket(request(), problemResponse)).toBeUndefined();
  });

  it('asks for a cursor', async () => {
    const res = cursorRequired(problemResponse);
    expect(res.status).toBe(400);
    expect((await problemOf(res)).code).toBe('CURSOR_REQUIRED');
  });
});

describe('upgradeLive', () => {
  it('echoes hearth.v1, never the bearer entry, and hands over the connection', () => {
    const server = new FakeServer();
    const res = upgradeLive(
      server,
      request(liveSubprotocols('t0ken')),
      () => connection,
      problemResponse,
    );
    expect(res.status).toBe(200);
    expect(server.upgraded?.headers).toEqual({ 'Sec-WebSocket-Protocol': LIVE_SUBPROTOCOL });
    expect(server.upgraded?.data.connection).toBe(connection);
  });

  it('echoes nothing when hearth.v1 was not offered', () => {
    const server = new FakeServer();
    upgradeLive(server, request(), () => connection, problemResponse);
    expect(server.upgraded?.headers).toEqual({});
  });

  it('says so when the runtime cannot upgrade, before making a connection', async () => {
    let made = 0;
    const connect = () => {
      made++;
      return connection;
    };
    const res = upgradeLive(undefined, request(), connect, problemResponse);
    expect(res.status).toBe(501);
    expect((await problemOf(res)).kind).toBe('back_off');
    expect(made).toBe(0);
  });

  it('answers 400 when Bun refuses the upgrade', async () => {
    const res = upgradeLive(new FakeServer(false), request(), () => connection, problemResponse);
    expect(res.status).toBe(400);
    expect((await problemOf(res)).code).toBe('UPGRADE_FAILED');
  });
});
