import type { NetworkInterfaceInfo } from 'node:os';
import makeMdns from 'multicast-dns';
import type { Logger } from '../../server/logger.ts';
import {
  announcement,
  goodbye,
  type HostAddresses,
  hostAddresses,
  type MdnsResponse,
  replyTo,
} from './mdns-records.ts';

// The relay's multicast DNS responder (decision 035): answers for `hearth-<venue>.local` with
// the addresses the machine has when asked, announces the name on start and when addresses
// change, and says goodbye on stop. A socket that fails is logged and opened again later; the
// relay goes on serving whatever happens here.

export const MDNS_PORT = 5353;
const DEFAULT_RETRY_MS = 30_000;
/** RFC 6762 §8.3: at least two announcements, one second apart. */
const DEFAULT_ANNOUNCE_GAP_MS = 1_000;
const DEFAULT_ADDRESS_POLL_MS = 60_000;
/** How long stop() waits for the goodbye to leave before closing the socket anyway. */
const GOODBYE_WAIT_MS = 500;

export interface MdnsResponderOptions {
  /** `hearth-<venue>.local` (venueMdnsName). */
  readonly name: string;
  /** Read on every answer, so a new DHCP lease is answered at once. */
  readonly interfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  readonly log: Logger;
  /** 5353 on a LAN; tests use another port so they stay among themselves. */
  readonly port?: number;
  readonly retryMs?: number;
  readonly announceGapMs?: number;
  readonly addressPollMs?: number;
}

type Socket = ReturnType<typeof makeMdns>;

export class MdnsResponder {
  readonly name: string;
  readonly port: number;
  private socket: Socket | undefined;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private announced: HostAddresses = { ipv4: [], ipv6: [] };
  private stopped = false;
  private readonly warned = new Set<string>();
  private readonly options: MdnsResponderOptions;

  private constructor(options: MdnsResponderOptions) {
    this.options = options;
    this.name = options.name;
    this.port = options.port ?? MDNS_PORT;
  }

  /** Opens the socket and announces; never throws (failures are logged and retried). */
  static start(options: MdnsResponderOptions): MdnsResponder {
    const responder = new MdnsResponder(options);
    responder.open();
    const poll = setInterval(
      () => responder.addressesMaybeChanged(),
      options.addressPollMs ?? DEFAULT_ADDRESS_POLL_MS,
    );
    responder.timers.add(poll);
    return responder;
  }

  /** Sends the goodbye (TTL 0) for the announced addresses, then closes the socket. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined) return;
    const records = goodbye(this.name, this.announced);
    if (records.answers.length > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, GOODBYE_WAIT_MS);
        this.send(socket, records, undefined, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await new Promise<void>((resolve) => socket.destroy(() => resolve()));
  }

  private open(): void {
    if (this.stopped) return;
    let socket: Socket;
    try {
      socket = makeMdns({ port: this.port });
    } catch (error) {
      this.failed(undefined, error);
      return;
    }
    this.socket = socket;
    // Bind errors (EADDRINUSE, EACCES) make the socket useless: close it and try again later.
    socket.on('error', (error: Error) => this.failed(socket, error));
    // Anything else (a membership refused on one interface, a malformed packet): note it once.
    socket.on('warning', (error: Error) => this.warn('mdns warning', error));
    socket.on('query', (query, rinfo) => {
      try {
        this.answer(socket, query, rinfo);
      } catch (error) {
        this.warn('mdns query not answered', error);
      }
    });
    socket.on('ready', () => {
      const addresses = hostAddresses(this.options.interfaces());
      this.options.log('info', 'mdns responder', {
        name: this.name,
        port: this.port,
        ipv4: addresses.ipv4,
        ipv6: addresses.ipv6,
      });
      this.announce(socket, addresses);
    });
  }

  private failed(socket: Socket | undefined, error: unknown): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    socket?.destroy();
    if (this.stopped) return;
    const retryInMs = this.options.retryMs ?? DEFAULT_RETRY_MS;
    this.options.log('error', 'mdns responder failed; trying again', {
      port: this.port,
      retryInMs,
      error: error instanceof Error ? error.message : String(error),
    });
    this.later(retryInMs, () => this.open());
  }

  private answer(
    socket: Socket,
    query: Parameters<typeof replyTo>[0],
    rinfo: { address: string; port: number },
  ): void {
    const addresses = hostAddresses(this.options.interfaces(), rinfo.address);
    const reply = replyTo(query, this.name, addresses, rinfo.port !== this.port);
    if (reply === undefined) return;
    this.send(socket, reply.packet, reply.to === 'unicast' ? rinfo : undefined);
  }

  /** Two announcements a second apart (§8.3); what they said is what stop() says goodbye to. */
  private announce(socket: Socket, addresses: HostAddresses): void {
    this.announced = addresses;
    const records = announcement(this.name, addresses);
    if (records.answers.length === 0) return;
    this.send(socket, records);
    this.later(this.options.announceGapMs ?? DEFAULT_ANNOUNCE_GAP_MS, () => {
      if (this.socket === socket) this.send(socket, records);
    });
  }

  /** New addresses are announced; the ones gone get a goodbye, so caches drop them (§8.4). */
  private addressesMaybeChanged(): void {
    const socket = this.socket;
    if (socket === undefined) return;
    const next = hostAddresses(this.options.interfaces());
    const before = this.announced;
    if (JSON.stringify(next) === JSON.stringify(before)) return;
    const gone = {
      ipv4: before.ipv4.filter((a) => !next.ipv4.includes(a)),
      ipv6: before.ipv6.filter((a) => !next.ipv6.includes(a)),
    };
    const farewell = goodbye(this.name, gone);
    if (farewell.answers.length > 0) this.send(socket, farewell);
    this.announce(socket, next);
  }

  private send(
    socket: Socket,
    packet: MdnsResponse,
    to?: { address: string; port: number },
    done?: () => void,
  ): void {
    const sent = (error: Error | null) => {
      if (error) this.warn('mdns send failed', error);
      done?.();
    };
    if (to === undefined) socket.respond(packet, sent);
    else socket.respond(packet, { address: to.address, port: to.port }, sent);
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  /** Each distinct problem once: a refused interface would otherwise log every 5 s. */
  private warn(msg: string, error: unknown): void {
    const text = error instanceof Error ? error.message : String(error);
    const key = `${msg}: ${text}`;
    if (this.warned.has(key)) return;
    if (this.warned.size >= 100) this.warned.clear();
    this.warned.add(key);
    this.options.log('warn', msg, { name: this.name, error: text });
  }
}
