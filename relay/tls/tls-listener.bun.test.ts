import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { connect } from 'node:tls';
import { served } from './relay-tls.ts';
import { assertPortFree, type ServeListener, TlsListener } from './tls-listener.ts';
import { caDownload, createVenueCa, issueServerCertificate, type VenueCa } from './venue-ca.ts';

// A real Bun.serve over TLS, its certificate swapped while it serves, seen by clients that
// trust only the venue CA: requests before and after succeed, a new connection gets the new
// certificate, and a websocket opened before the swap is closed (1001) once the drain ends.

const now = new Date();
let ca: VenueCa;
let caPem: string;
const names = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
const issue = async () => {
  const leaf = await issueServerCertificate(ca, { ...names, now });
  return served(leaf.certPem, leaf.keyPem);
};

type Server = ReturnType<typeof Bun.serve<{ at: string }>>;
const serve: ServeListener<Server> = ({ port, reusePort, tls }) =>
  Bun.serve<{ at: string }>({
    hostname: '127.0.0.1',
    port,
    reusePort,
    ...(tls ? { tls: { cert: tls.certPem, key: tls.keyPem } } : {}),
    fetch(request, server) {
      if (new URL(request.url).pathname === '/live') {
        return server.upgrade(request, { data: { at: 'live' } })
          ? undefined
          : new Response('no upgrade', { status: 400 });
      }
      return new Response('hearth');
    },
    websocket: {
      message(ws, message) {
        ws.send(`echo ${String(message)}`);
      },
    },
  });

/** The serial of the certificate a fresh TLS connection is given (hex, lower case). */
function peerSerial(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: caPem, servername: 'localhost' }, () => {
      const serial = socket.getPeerCertificate().serialNumber.toLowerCase();
      socket.end();
      resolve(serial);
    });
    socket.once('error', reject);
  });
}

let listener: TlsListener<Server>;

beforeAll(async () => {
  ca = await createVenueCa({ venueId: 'demo-bistro', now });
  caPem = caDownload(ca).pem;
});
afterAll(async () => {
  await listener?.stop(true);
});

describe('swapping the served certificate', () => {
  it('serves the new certificate to new connections, with no failed request', async () => {
    const first = await issue();
    listener = TlsListener.start(serve, { port: 0, tls: first, drainMs: 300 });
    const url = `https://127.0.0.1:${listener.port}/`;
    const get = async () => (await fetch(url, { tls: { ca: caPem } })).text();
    expect(await get()).toBe('hearth');
    expect(await peerSerial(listener.port)).toBe(first.serial);

    const ws = new WebSocket(`wss://127.0.0.1:${listener.port}/live`, {
      tls: { ca: caPem },
    } as never);
    const messages: string[] = [];
    const closed = new Promise<number>((resolve) => {
      ws.onclose = (event) => resolve(event.code);
    });
    ws.onmessage = (event) => messages.push(String(event.data));
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });

    const port = listener.port;
    const second = await issue();
    const { bindMs } = listener.swap(second);
    expect(listener.port).toBe(port);
    expect(bindMs).toBeLessThan(1_000);
    // Requests during and right after the swap all succeed.
    const during = await Promise.all(Array.from({ length: 20 }, get));
    expect(during.every((text) => text === 'hearth')).toBe(true);
    expect(await peerSerial(port)).toBe(second.serial);

    // The websocket opened before the swap still works until the drain ends, then closes 1001.
    ws.send('after swap');
    const deadline = Date.now() + 2_000;
    while (messages.length === 0 && Date.now() < deadline) await Bun.sleep(10);
    expect(messages).toEqual(['echo after swap']);
    expect(await closed).toBe(1001);
    expect(await get()).toBe('hearth');
  });

  it('refuses to start on a port another process listens on, reusePort or not', async () => {
    const other = serve({ port: 0, reusePort: true, tls: undefined });
    try {
      await expect(assertPortFree(other.port ?? 0)).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await other.stop(true);
    }
    await assertPortFree(other.port ?? 0);
  });
});
