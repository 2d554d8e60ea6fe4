import { setTimeout as sleep } from 'node:timers/promises';
import { vi } from 'vitest';
import WebSocket from 'ws';
import {
  createCursorCodec,
  type FeedEntry,
  type FeedPage,
  type LiveFrame,
  liveSubprotocols,
  makeOperation,
  newUlid,
  type Operation,
  type OpResult,
  type Snapshot,
} from '#protocol';
import { importCloudKeys, loadKeysFile } from '../../../cloud/auth/keys.ts';
import { setupPairingCode } from '../../../cloud/devices/setup-code.ts';

// A small HTTP and websocket client for one cloud instance (by its URL), for end-to-end tests
// that talk to several instances of one cloud at once.

export const VENUE = 'demo-bistro';
export const TENANT = 'demo';
export const PINS = { server: '1111', kitchen: '2222', manager: '3333', owner: '4444' } as const;
export type StaffRole = keyof typeof PINS;
/** Every HTTP call is bounded by this unless it says otherwise. */
export const REQUEST_TIMEOUT_MS = 10_000;

export const venuePath = (rest: string): string => `/v1/venues/${VENUE}${rest}`;

export interface Http {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export function json<T>(http: Http): T {
  return JSON.parse(http.text) as T;
}

export function describeHttp(http: Http): string {
  return `${http.status} ${http.text.slice(0, 500)}`;
}

export type OpKind = 'order.create' | 'serviceRequest.create';

/** A distinct create op by `role` on `deviceId`: an order with one line, or a service request. */
export function createOp(
  kind: OpKind,
  role: StaffRole,
  deviceId: string,
  i: number,
): Promise<Operation> {
  const tableId = `table-${1 + (i % 12)}`;
  const payload =
    kind === 'order.create'
      ? {
          orderId: newUlid(),
          tableId,
          guestCount: 1 + (i % 4),
          lines: [{ lineId: newUlid(), itemId: i % 2 === 0 ? 'burrata' : 'calamari', quantity: 1 }],
        }
      : { requestId: newUlid(), tableId, kind: i % 2 === 0 ? 'water' : 'call_waiter' };
  return makeOperation({
    type: kind,
    payload,
    deviceId,
    tenantId: TENANT,
    venueId: VENUE,
    actorId: `demo-${role}`,
  });
}

export const kindOf = (i: number): OpKind =>
  i % 3 === 0 ? 'serviceRequest.create' : 'order.create';

/** A gate: requests whose bodies wait on `gate` are all completed by one `open()`. */
export function makeGate(): { gate: Promise<void>; open: () => void } {
  let open = (): void => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { gate, open };
}

/**
 * A request body sent all but its last byte at once and the last byte when `gate` opens: many
 * requests held this way reach their servers together, each on its own connection.
 */
export function gatedBody(text: string, gate: Promise<void>): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    async start(controller) {
      controller.enqueue(bytes.slice(0, -1));
      await gate;
      controller.enqueue(bytes.slice(-1));
      controller.close();
    },
  });
}

/** The entries' seqs, in the order given. */
export function seqsOf(entries: readonly FeedEntry[]): number[] {
  return entries.map((e) => e.seq);
}

export function range(first: number, last: number): number[] {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}

export function countByOpId(entries: readonly FeedEntry[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of entries) if (e.opId) counts.set(e.opId, (counts.get(e.opId) ?? 0) + 1);
  return counts;
}

/**
 * A cursor for the same stream, scopes and epoch as `cursor` but at `seq`, signed with the
 * cursor secret of the shared keys file (as the cloud would have issued it at that seq).
 */
export async function cursorAtSeq(keysFile: string, cursor: string, seq: number): Promise<string> {
  const codec = await createCursorCodec((await loadKeysFile(keysFile)).cursorSecret);
  const decoded = await codec.decode(cursor);
  if (!decoded.ok) throw new Error(`not a cursor of these keys: ${decoded.reason}`);
  return codec.encode({ ...decoded.claims, seq });
}

/** A device paired with a venue: its id, its credential and the header a script sends it in. */
export interface PairedDevice {
  readonly deviceId: string;
  readonly secret: string;
  /** `X-Hearth-Device: <secret>`: staff sign in only on a paired device (decision 034). */
  readonly header: Readonly<Record<string, string>>;
}

/**
 * Pairs a new device with the cloud at `url` as an operator does for a venue's first device:
 * a setup code signed with the cloud's keys file (what `npm run pair` prints), redeemed at
 * `POST /v1/devices/pair`. The credential comes back in the `hearth_device` cookie.
 */
export async function pairWithCloud(
  url: string,
  keysFile: string,
  options: {
    readonly deviceId?: string;
    readonly role?: 'floor' | 'kitchen';
    readonly tenantId?: string;
    readonly venueId?: string;
  } = {},
): Promise<PairedDevice> {
  const keys = await importCloudKeys(await loadKeysFile(keysFile));
  const { code } = await setupPairingCode(keys.signer, {
    tenantId: options.tenantId ?? TENANT,
    venueId: options.venueId ?? VENUE,
    role: options.role ?? 'floor',
    origin: url,
    nowMs: Date.now(),
  });
  const deviceId = options.deviceId ?? `e2e-device-${newUlid()}`;
  const res = await fetch(`${url}/v1/devices/pair`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code, deviceId, name: 'E2e tablet' }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (res.status !== 201) throw new Error(`pairing at ${url}: ${res.status} ${await res.text()}`);
  const secret = /hearth_device=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (secret === undefined) throw new Error(`pairing at ${url} set no device cookie`);
  return { deviceId, secret, header: { 'X-Hearth-Device': secret } };
}

/** One cloud instance, by its base URL; staff sign in on `device` when one is given. */
export class CloudClient {
  readonly url: string;
  readonly device: PairedDevice | undefined;

  constructor(url: string, device?: PairedDevice) {
    this.url = url;
    this.device = device;
  }

  /** A client of the cloud at `url` on a newly paired device (see {@link pairWithCloud}). */
  static async paired(url: string, keysFile: string): Promise<CloudClient> {
    return new CloudClient(url, await pairWithCloud(url, keysFile));
  }

  async call(path: string, init: RequestInit = {}, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Http> {
    const res = await fetch(`${this.url}${path}`, {
      ...init,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  async getJson<T>(path: string, token: string, timeoutMs = REQUEST_TIMEOUT_MS): Promise<T> {
    const http = await this.call(
      path,
      { headers: { Authorization: `Bearer ${token}` } },
      timeoutMs,
    );
    if (http.status !== 200) throw new Error(`GET ${path} at ${this.url}: ${describeHttp(http)}`);
    return json<T>(http);
  }

  async signIn(role: StaffRole): Promise<string> {
    const http = await this.call('/v1/auth/staff', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...this.device?.header },
      body: JSON.stringify({ venueId: VENUE, pin: PINS[role] }),
    });
    if (http.status !== 200) throw new Error(`sign-in as ${role}: ${describeHttp(http)}`);
    return json<{ token: string }>(http).token;
  }

  /** `POST …/ops`; with `gate`, the body's last byte waits for it. */
  postOp(op: Operation, token: string, gate?: Promise<void>): Promise<Http> {
    const body = JSON.stringify(op);
    return this.call(venuePath('/ops'), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${token}`,
        'Idempotency-Key': op.opId,
      },
      ...(gate === undefined ? { body } : { body: gatedBody(body, gate), duplex: 'half' }),
    });
  }

  /** `POST …/ops/batch`; the results, or throws on any other answer than 200. */
  async postBatch(deviceId: string, ops: readonly Operation[], token: string) {
    const http = await this.call(venuePath('/ops/batch'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ deviceId, ops }),
    });
    if (http.status !== 200) throw new Error(`batch at ${this.url}: ${describeHttp(http)}`);
    return json<{ results: OpResult[] }>(http).results;
  }

  /** `GET …/ops/:opId`: the stored first result, or the 404 when the op was never decided. */
  opRecord(opId: string, token: string): Promise<Http> {
    return this.call(venuePath(`/ops/${opId}`), { headers: { Authorization: `Bearer ${token}` } });
  }

  snapshot(token: string): Promise<Snapshot> {
    return this.getJson<Snapshot>(venuePath('/snapshot'), token);
  }

  /**
   * One feed page after `cursor`; a long-poll when `waitSeconds` is given. The request is
   * bounded by `timeoutMs` (default: the wait and 10 s more): a bound shorter than the wait
   * proves an answer was woken, not timed out.
   */
  feedPage(
    cursor: string,
    limit: number,
    token: string,
    options: { waitSeconds?: number; timeoutMs?: number } = {},
  ): Promise<FeedPage> {
    const q = new URLSearchParams({ cursor, limit: String(limit) });
    if (options.waitSeconds !== undefined) q.set('wait', String(options.waitSeconds));
    const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS + (options.waitSeconds ?? 0) * 1000;
    return this.getJson<FeedPage>(venuePath(`/feed?${q}`), token, timeoutMs);
  }

  /** Every entry after `cursor` to the feed's end, page by page (bounded). */
  async readAll(cursor: string, token: string, limit = 1000): Promise<FeedEntry[]> {
    const entries: FeedEntry[] = [];
    let at = cursor;
    for (let pages = 0; pages < 1_000; pages++) {
      const page = await this.feedPage(at, limit, token);
      entries.push(...page.entries);
      at = page.cursor;
      if (!page.hasMore) return entries;
    }
    throw new Error('feed did not end within 1000 pages');
  }

  /** A gauge or counter from `/metrics` (the sum over its label sets; 0 when absent). */
  async metric(name: string): Promise<number> {
    const http = await this.call('/metrics');
    let sum = 0;
    for (const line of http.text.split('\n')) {
      const match = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
      if (match?.[1] === name) sum += Number(match[3]);
    }
    return sum;
  }

  live(cursor: string, token: string): LiveClient {
    const path = venuePath(`/live?${new URLSearchParams({ cursor })}`);
    return new LiveClient(`${this.url.replace(/^http/, 'ws')}${path}`, token);
  }
}

/** What a live socket received, in arrival order (entries frames by their seqs). */
export type FrameRecord =
  | { readonly type: 'entries'; readonly seqs: readonly number[] }
  | { readonly type: 'heartbeat'; readonly head: number }
  | { readonly type: 'notice' | 'error' };

/** A `…/live` websocket client that keeps every frame it handled before `close()`. */
export class LiveClient {
  readonly entries: FeedEntry[] = [];
  readonly frames: FrameRecord[] = [];
  readonly errors: unknown[] = [];
  /** The cursor of the last entries or heartbeat frame (to resume from). */
  cursor: string | undefined;
  closedByServer: { code: number; reason: string } | undefined;
  private closing = false;
  private readonly ws: WebSocket;
  private readonly closed: Promise<void>;

  constructor(url: string, token: string) {
    this.cursor = new URL(url).searchParams.get('cursor') ?? undefined;
    this.ws = new WebSocket(url, liveSubprotocols(token));
    this.closed = new Promise((resolve) => this.ws.once('close', () => resolve()));
    this.ws.on('message', (data) => {
      if (this.closing) return;
      const frame = JSON.parse(String(data)) as LiveFrame;
      if (frame.type === 'entries') {
        this.entries.push(...frame.entries);
        this.cursor = frame.cursor;
        this.frames.push({ type: 'entries', seqs: frame.entries.map((e) => e.seq) });
      } else if (frame.type === 'heartbeat') {
        this.cursor = frame.cursor;
        this.frames.push({ type: 'heartbeat', head: frame.head });
      } else {
        this.frames.push({ type: frame.type });
        if (frame.type === 'error') this.errors.push(frame.problem);
      }
    });
    this.ws.on('close', (code, reason) => {
      if (!this.closing) this.closedByServer = { code, reason: String(reason) };
    });
    this.ws.on('error', (error) => this.errors.push(error.message));
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  /** The last seq received (0 before any). */
  get last(): number {
    return this.entries.at(-1)?.seq ?? 0;
  }

  /** Resolves once the server has sent its first heartbeat (sent after the backlog). */
  async ready(): Promise<void> {
    await vi.waitFor(
      () => {
        if (this.errors.length > 0) throw new Error(`socket failed: ${String(this.errors[0])}`);
        if (!this.frames.some((f) => f.type === 'heartbeat')) throw new Error('no heartbeat yet');
      },
      { timeout: REQUEST_TIMEOUT_MS, interval: 10 },
    );
  }

  /** Resolves once an entry with `seq` or later has arrived. */
  async reached(seq: number): Promise<void> {
    await vi.waitFor(
      () => {
        if (this.last < seq) throw new Error(`socket at seq ${this.last}, waiting for ${seq}`);
      },
      { timeout: REQUEST_TIMEOUT_MS, interval: 10 },
    );
  }

  /**
   * Heartbeats that came before the frame carrying `seq` and report a head at or past it: a
   * heartbeat reads the head and catches up, so an entry that comes only after one was not
   * delivered by publication. Undefined when `seq` has not arrived.
   */
  heartbeatsBefore(seq: number): FrameRecord[] | undefined {
    const at = this.frames.findIndex((f) => f.type === 'entries' && f.seqs.includes(seq));
    if (at < 0) return undefined;
    return this.frames.slice(0, at).filter((f) => f.type === 'heartbeat' && f.head >= seq);
  }

  /** Closes from the client side; frames arriving after this call are ignored. */
  async close(): Promise<void> {
    this.closing = true;
    this.ws.close(1000, 'test done');
    const timeout = sleep(REQUEST_TIMEOUT_MS).then(() => 'timeout' as const);
    if ((await Promise.race([this.closed, timeout])) === 'timeout') this.ws.terminate();
  }

  terminate(): void {
    this.closing = true;
    this.ws.terminate();
  }
}
