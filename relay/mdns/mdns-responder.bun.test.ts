import { afterEach, describe, expect, it } from 'bun:test';
import { createSocket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import type mDNS from 'multicast-dns';
import makeMdns from 'multicast-dns';
import { MdnsResponder } from './mdns-responder.ts';

// The responder on real multicast sockets of this machine (multicast loopback), on a port of
// its own so runs stay apart from the LAN's 5353: it announces, answers its name with the
// machine's addresses as they are when asked, stays silent for other names, answers a legacy
// querier by unicast, comes back after its port was taken, and says goodbye on stop.

const NAME = 'hearth-test-venue.local';
const GROUP = '224.0.0.251';
type Querier = ReturnType<typeof makeMdns>;
type Response = mDNS.ResponsePacket;

/** An interface the machine does not have, on a subnet no querier here is on. */
const extraInterface = {
  address: '198.51.100.7',
  netmask: '255.255.255.0',
  family: 'IPv4' as const,
  mac: '02:00:00:00:00:07',
  internal: false,
  cidr: '198.51.100.7/24',
};

const started: { stop(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const item of started.splice(0).reverse()) await item.stop();
});

const freePort = () => 20_000 + Math.floor(Math.random() * 40_000);
const silent = () => {};
/** The IPv4 addresses the certificate names too: non-internal ones. */
const lanIpv4 = () =>
  Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((info) => info.family === 'IPv4' && !info.internal)
    .map((info) => info.address);

function querier(port: number): Promise<Querier> {
  const socket = makeMdns({ port });
  started.push({ stop: () => new Promise<void>((resolve) => socket.destroy(() => resolve())) });
  return new Promise((resolve) => socket.once('ready', () => resolve(socket)));
}

/** The next response with a record of `name` (of `type` when given), or undefined after `ms`. */
function nextResponse(
  socket: Querier,
  name: string,
  ms: number,
  test: (response: Response) => boolean = () => true,
): Promise<Response | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off('response', onResponse);
      resolve(undefined);
    }, ms);
    function onResponse(response: Response) {
      if (!response.answers.some((a) => a.name === name) || !test(response)) return;
      clearTimeout(timer);
      socket.off('response', onResponse);
      resolve(response);
    }
    socket.on('response', onResponse);
  });
}

function responder(port: number, options: Partial<Parameters<typeof MdnsResponder.start>[0]> = {}) {
  const running = MdnsResponder.start({
    name: NAME,
    interfaces: networkInterfaces,
    log: silent,
    port,
    announceGapMs: 200,
    retryMs: 100,
    ...options,
  });
  started.push(running);
  return running;
}

/** TTL and cache-flush of a record (the OPT record has neither). */
const ttl = (a: Response['answers'][number]) => ('ttl' in a ? a.ttl : undefined);
const flush = (a: Response['answers'][number]) => ('flush' in a ? a.flush : undefined);
const addressesOf = (response: Response | undefined, type: string) =>
  (response?.answers ?? [])
    .filter((a) => a.type === type)
    .map((a) => ('data' in a ? String(a.data) : ''))
    .sort();

describe('MdnsResponder', () => {
  it('announces twice on start, a gap apart', async () => {
    const port = freePort();
    const client = await querier(port);
    const times: number[] = [];
    const heard = new Promise<void>((resolve) => {
      client.on('response', (response: Response) => {
        if (!response.answers.some((a) => a.name === NAME && a.type === 'A')) return;
        times.push(performance.now());
        if (times.length === 2) resolve();
      });
    });
    responder(port);
    await heard;
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(150);
  });

  it("answers an A query for its name with the machine's LAN addresses, and no other name", async () => {
    const port = freePort();
    const client = await querier(port);
    const running = responder(port, { announceGapMs: 60_000 });
    await nextResponse(client, NAME, 2_000); // the first announcement: the responder is up
    // Any response at all (its records would carry our name) to a query for another name.
    const other = new Promise<Response | undefined>((resolve) => {
      setTimeout(() => resolve(undefined), 600);
      client.once('response', resolve);
    });
    client.query({ questions: [{ name: 'other-host.local', type: 'A' }] });
    expect(await other).toBeUndefined();
    const answer = nextResponse(client, NAME, 2_000, (r) => r.answers.every((a) => ttl(a) !== 0));
    client.query({ questions: [{ name: NAME.toUpperCase(), type: 'A' }] });
    const response = await answer;
    expect(addressesOf(response, 'A')).toEqual(lanIpv4().sort());
    expect(response?.answers.every((a) => ttl(a) === 120 && flush(a) === true)).toBe(true);
    expect(running.name).toBe(NAME);
  });

  it('answers with the addresses the machine has when asked, not when it started', async () => {
    const port = freePort();
    const client = await querier(port);
    let interfaces = networkInterfaces();
    responder(port, { interfaces: () => interfaces, announceGapMs: 60_000 });
    await nextResponse(client, NAME, 2_000);
    const extra = extraInterface;
    interfaces = { ...interfaces, wlan9: [extra] };
    const answer = nextResponse(client, NAME, 2_000);
    client.query({ questions: [{ name: NAME, type: 'A' }] });
    // The querier is on this machine's own subnet, so only that link's addresses come back;
    // the new interface shows through the subnet choice being made at answer time.
    const response = await answer;
    expect(addressesOf(response, 'A')).toEqual(lanIpv4().sort());
    interfaces = { wlan9: [extra] };
    const later = nextResponse(client, NAME, 2_000);
    client.query({ questions: [{ name: NAME, type: 'A' }] });
    expect(addressesOf(await later, 'A')).toEqual(['198.51.100.7']);
  });

  it('says goodbye to addresses that went away and announces the new ones', async () => {
    const port = freePort();
    const client = await querier(port);
    let interfaces = networkInterfaces();
    responder(port, { interfaces: () => interfaces, announceGapMs: 60_000, addressPollMs: 100 });
    await nextResponse(client, NAME, 2_000);
    const bye = nextResponse(client, NAME, 2_000, (r) => r.answers.every((a) => ttl(a) === 0));
    const hello = nextResponse(client, NAME, 2_000, (r) => r.answers.every((a) => ttl(a) === 120));
    interfaces = { wlan9: [{ ...extraInterface }] };
    expect(addressesOf(await bye, 'A')).toEqual(lanIpv4().sort());
    expect(addressesOf(await hello, 'A')).toEqual(['198.51.100.7']);
  });

  it('answers a legacy querier (another source port) by unicast, with its id and question', async () => {
    const port = freePort();
    const client = await querier(port);
    responder(port, { announceGapMs: 60_000 });
    await nextResponse(client, NAME, 2_000);
    // Port 0: the querier sends from a port of its own, so the responder takes it for legacy.
    const legacy = makeMdns({ port: 0 });
    started.push({ stop: () => new Promise<void>((resolve) => legacy.destroy(() => resolve())) });
    const reply = new Promise<Response>((resolve) => legacy.once('response', resolve));
    legacy.query({ id: 4242, questions: [{ name: NAME, type: 'A' }] }, { port, address: GROUP });
    const decoded = await reply;
    expect(decoded.id).toBe(4242);
    expect(decoded.questions.map((q) => q.name)).toEqual([NAME]);
    expect(decoded.answers.map((a) => ttl(a))).toEqual(lanIpv4().map(() => 10));
    expect(addressesOf(decoded, 'A')).toEqual(lanIpv4().sort());
  });

  it('sends a goodbye (TTL 0) for its addresses on stop', async () => {
    const port = freePort();
    const client = await querier(port);
    const running = responder(port, { announceGapMs: 60_000 });
    await nextResponse(client, NAME, 2_000);
    const bye = nextResponse(client, NAME, 2_000, (r) => r.answers.every((a) => ttl(a) === 0));
    await running.stop();
    const response = await bye;
    expect(addressesOf(response, 'A')).toEqual(lanIpv4().sort());
    // Stopped means stopped: a query now gets nothing.
    const after = nextResponse(client, NAME, 500);
    client.query({ questions: [{ name: NAME, type: 'A' }] });
    expect(await after).toBeUndefined();
  });

  it('logs a taken port, keeps the process, and answers once the port is free', async () => {
    const port = freePort();
    // Bound without SO_REUSEADDR: the responder's bind beside it is refused (EADDRINUSE).
    const blocker = createSocket({ type: 'udp4', reuseAddr: false });
    await new Promise<void>((resolve) => blocker.bind(port, resolve));
    const logged: string[] = [];
    responder(port, {
      announceGapMs: 60_000,
      retryMs: 300,
      log: (_level, msg) => logged.push(msg),
    });
    await Bun.sleep(150);
    expect(logged).toContain('mdns responder failed; trying again');
    await new Promise<void>((resolve) => blocker.close(resolve));
    const client = await querier(port);
    const announced = await nextResponse(client, NAME, 3_000);
    expect(addressesOf(announced, 'A')).toEqual(lanIpv4().sort());
  });
});
