import {
  type AnyEntity,
  type EntityKind,
  type FeedEntry,
  type FeedPage,
  kindInScopes,
  type Problem,
  parseScopes,
  problem,
  type Scope,
  type Snapshot,
  type SnapshotRecord,
} from '#protocol';
import type { FetchLike } from '../feed-client.ts';
import type { SocketConstructor, SocketLike } from '../live-connection.ts';

/*
 * An in-memory origin with the feed routes' contract (cloud/feed/feed-routes.ts,
 * relay/lan/feed-routes.ts, the live sockets): snapshot, feed pages with long-poll, live frames,
 * cursor rules (400 foreign, 409 scopes, 410 epoch), close codes 4008/4010, a revoked device
 * (401 `DEVICE_REVOKED`, close 4401). Test code only: the
 * hydrator gets its `fetch` and `WebSocket` as dependencies, so no module is mocked.
 */

interface CursorClaims {
  readonly o: string;
  readonly e: number;
  readonly s: number;
  readonly k: string;
}

type Check = { ok: true; seq: number } | { ok: false; status: number; problem: Problem };

/** A live frame as this fake sends it. */
export type LiveFrameOut = { readonly type: string; readonly [field: string]: unknown };

export interface FakeServerOptions {
  /** e.g. `https://relay.test` */
  readonly origin: string;
  readonly kind: 'relay' | 'cloud';
  readonly venueId: string;
  /** Entries per live backlog frame and default feed limit. */
  readonly pageSize?: number;
}

/** A request the fake served (or refused), for assertions. */
export interface SeenRequest {
  readonly path: string;
  readonly query: URLSearchParams;
}

export class FakeFeedServer {
  readonly origin: string;
  readonly kind: 'relay' | 'cloud';
  readonly venueId: string;
  readonly pageSize: number;
  readonly requests: SeenRequest[] = [];
  readonly sockets: FakeServerSocket[] = [];
  /** Every request fails as a network error, every socket fails to open. */
  offline = false;
  /** How many `/healthz` requests to fail as if unreachable (the rest of the API answers). */
  healthFailures = 0;
  /** Socket upgrades are refused (the socket never opens); HTTP still works. */
  refuseSockets = false;
  /** The device was revoked: the feed routes answer 401 `DEVICE_REVOKED` (see `revokeDevice`). */
  deviceRevoked = false;
  /** Added before a snapshot answers (to observe the cache during a re-bootstrap). */
  snapshotDelayMs = 0;
  /** Rewrites `/feed` answers before they are sent (to serve malformed pages). */
  mangleFeedPage: ((page: FeedPage) => unknown) | undefined;
  /** Rewrites live frames before they are sent (to send malformed ones). */
  mangleLiveFrame: ((frame: LiveFrameOut) => unknown) | undefined;
  epoch = 1;
  private log: FeedEntry[] = [];
  private seq = 0;
  private readonly entities = new Map<string, { entity: EntityKind; data: AnyEntity }>();
  private waiters: (() => void)[] = [];
  private held: FeedEntry[] | undefined;

  constructor(options: FakeServerOptions) {
    this.origin = options.origin;
    this.kind = options.kind;
    this.venueId = options.venueId;
    this.pageSize = options.pageSize ?? 500;
  }

  get head(): number {
    return this.seq;
  }

  /** Upserts an entity at the next version; pushes the entry to open sockets. */
  upsert(
    entity: EntityKind,
    data: { readonly id: string; readonly [field: string]: unknown },
  ): FeedEntry {
    const key = `${entity}:${data.id}`;
    const version = (this.entities.get(key)?.data.version ?? 0) + 1;
    const full = { ...data, version } as AnyEntity;
    this.entities.set(key, { entity, data: full });
    return this.append({
      seq: ++this.seq,
      entity,
      id: data.id,
      op: 'upsert',
      data: full,
      version,
      at: new Date(0).toISOString(),
    } as FeedEntry);
  }

  tombstone(entity: EntityKind, id: string): FeedEntry {
    const key = `${entity}:${id}`;
    const version = (this.entities.get(key)?.data.version ?? 0) + 1;
    this.entities.delete(key);
    return this.append({
      seq: ++this.seq,
      entity,
      id,
      op: 'tombstone',
      version,
      at: new Date(0).toISOString(),
    });
  }

  /**
   * Resets the stream (a new epoch): old cursors answer 410, open sockets get an error frame
   * and close 4010. `change` edits the entities first, with no feed entries (a restore).
   */
  reset(change?: (entities: Map<string, { entity: EntityKind; data: AnyEntity }>) => void): void {
    change?.(this.entities);
    this.epoch++;
    this.log = [];
    for (const socket of [...this.sockets]) {
      socket.serverClose(
        4010,
        problem(410, 'CURSOR_EXPIRED', 'Cursor expired', { kind: 're_bootstrap', detail: 'reset' }),
      );
    }
  }

  /** Commits everything `work` appends as one: one live frame, as a multi-entry op would. */
  commit(work: () => void): void {
    this.held = [];
    try {
      work();
    } finally {
      const entries = this.held;
      this.held = undefined;
      this.publish(entries);
    }
  }

  /** Sends a heartbeat on every open socket. */
  heartbeat(): void {
    for (const socket of this.sockets) socket.sendHeartbeat();
  }

  /**
   * Sends an op's result as a `notice` frame on every open socket (the relay sends it only to
   * the device that made the op; a test's hydrator is that device).
   */
  notice(result: unknown): void {
    for (const socket of this.sockets) socket.sendNotice(result);
  }

  /** Closes every open socket from the server's side. */
  closeSockets(code: number, body?: Problem): void {
    for (const socket of [...this.sockets]) socket.serverClose(code, body);
  }

  /**
   * A manager revokes the device: open sockets close 4401 with reason `DEVICE_REVOKED` (after
   * the servers' error frame, or with none, as a server that could not send it), and every
   * later request is refused.
   */
  revokeDevice(options: { readonly errorFrame?: boolean } = {}): void {
    this.deviceRevoked = true;
    const frame = options.errorFrame === false ? undefined : DEVICE_REVOKED_PROBLEM;
    for (const socket of [...this.sockets]) socket.serverClose(4401, frame, 'DEVICE_REVOKED');
  }

  count(entity?: EntityKind): number {
    let n = 0;
    for (const value of this.entities.values()) if (!entity || value.entity === entity) n++;
    return n;
  }

  readonly fetch: FetchLike = async (input, init) => {
    const url = new URL(input);
    this.requests.push({ path: url.pathname, query: url.searchParams });
    if (this.offline) throw new TypeError('Failed to fetch');
    if (url.pathname === '/healthz') {
      if (this.healthFailures > 0) {
        this.healthFailures--;
        throw new TypeError('Failed to fetch');
      }
      return json(
        200,
        this.kind === 'relay' ? { status: 'ok', connectivity: 'online' } : { status: 'ok' },
      );
    }
    const match = /^\/v1\/venues\/([^/]+)\/(snapshot|feed)$/.exec(url.pathname);
    if (!match) return problemResponse(404, problem(404, 'NOT_FOUND', 'Not found'));
    if (this.deviceRevoked) return problemResponse(401, DEVICE_REVOKED_PROBLEM);
    if (decodeURIComponent(match[1] ?? '') !== this.venueId) {
      return problemResponse(403, problem(403, 'FORBIDDEN', 'Not your venue', { kind: 'stop' }));
    }
    const scopes = parseScopes(url.searchParams.get('scopes'));
    if (!scopes.ok) return problemResponse(400, problem(400, 'SCOPE_UNKNOWN', 'Unknown scope'));
    if (match[2] === 'snapshot') {
      if (this.snapshotDelayMs > 0) await sleep(this.snapshotDelayMs, init?.signal ?? undefined);
      return json(200, this.snapshot(scopes.scopes));
    }
    const checked = this.check(url.searchParams.get('cursor') ?? '', scopes.scopes);
    if (!checked.ok) return problemResponse(checked.status, checked.problem);
    const limit = Number(url.searchParams.get('limit') ?? this.pageSize);
    const waitMs = Number(url.searchParams.get('wait') ?? 0) * 1000;
    let page = this.page(checked.seq, scopes.scopes, limit);
    if (page.entries.length === 0 && waitMs > 0) {
      await this.nextPublish(waitMs, init?.signal ?? undefined);
      page = this.page(checked.seq, scopes.scopes, limit);
    }
    return json(200, this.mangleFeedPage ? this.mangleFeedPage(page) : page);
  };

  /** The `WebSocket` constructor for this server (see `fakeNetwork` for several origins). */
  get WebSocket(): SocketConstructor {
    const server = this;
    return class extends FakeServerSocket {
      constructor(url: string) {
        super(server, url);
      }
    };
  }

  cursorAt(seq: number, scopes: readonly Scope[]): string {
    const claims: CursorClaims = { o: this.origin, e: this.epoch, s: seq, k: scopes.join(',') };
    return btoa(JSON.stringify(claims));
  }

  /** The cloud's and the relay's cursor rules, in the same order. */
  check(token: string, scopes: readonly Scope[]): Check {
    let claims: CursorClaims | undefined;
    try {
      claims = JSON.parse(atob(token)) as CursorClaims;
    } catch (error) {
      if (!(error instanceof Error)) throw error;
    }
    if (!claims || claims.o !== this.origin) {
      // The relay says re-bootstrap; the cloud calls a foreign cursor a bad request.
      const kind = this.kind === 'relay' ? 're_bootstrap' : 'fix_request';
      return {
        ok: false,
        status: 400,
        problem: problem(400, 'CURSOR_INVALID', 'Invalid cursor', { kind }),
      };
    }
    if (claims.e !== this.epoch) {
      return {
        ok: false,
        status: 410,
        problem: problem(410, 'CURSOR_EXPIRED', 'Cursor expired', { kind: 're_bootstrap' }),
      };
    }
    if (claims.k !== scopes.join(',')) {
      return {
        ok: false,
        status: 409,
        problem: problem(409, 'CURSOR_SCOPE_MISMATCH', 'Other scopes', { kind: 're_bootstrap' }),
      };
    }
    return { ok: true, seq: claims.s };
  }

  snapshot(scopes: readonly Scope[]): Snapshot {
    const records: SnapshotRecord[] = [];
    for (const { entity, data } of this.entities.values()) {
      if (kindInScopes(entity, scopes)) records.push({ entity, data } as SnapshotRecord);
    }
    return {
      venueId: this.venueId,
      cursor: this.cursorAt(this.seq, scopes),
      seq: this.seq,
      at: new Date(0).toISOString(),
      records,
    };
  }

  /** Scoped entries after `after`; the cursor covers scoped-out entries too (as the servers do). */
  page(after: number, scopes: readonly Scope[], limit: number): FeedPage {
    const all = this.log.filter((e) => e.seq > after && kindInScopes(e.entity, scopes));
    const entries = all.slice(0, limit);
    const hasMore = all.length > limit;
    const last = entries.at(-1);
    const seq = hasMore && last ? last.seq : Math.max(this.seq, after);
    return { entries, cursor: this.cursorAt(seq, scopes), hasMore };
  }

  private append(entry: FeedEntry): FeedEntry {
    this.log.push(entry);
    if (this.held) this.held.push(entry);
    else this.publish([entry]);
    return entry;
  }

  private publish(entries: readonly FeedEntry[]): void {
    for (const socket of this.sockets) socket.publish(entries);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private nextPublish(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(done, ms);
      this.waiters.push(done);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new DOMException('aborted', 'AbortError'));
      });
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** @internal */
  attach(socket: FakeServerSocket): void {
    this.sockets.push(socket);
  }

  /** @internal */
  detach(socket: FakeServerSocket): void {
    const at = this.sockets.indexOf(socket);
    if (at >= 0) this.sockets.splice(at, 1);
  }
}

/**
 * A socket of the fake server, dispatching real `open` / `message` / `close` events. It opens
 * (or fails, as a refused upgrade does: `error` then close 1006) on the next task, sends the
 * backlog after its cursor in frames, then a heartbeat, then whatever is published.
 */
export class FakeServerSocket extends EventTarget implements SocketLike {
  readonly url: URL;
  private readonly server: FakeFeedServer;
  private scopes: readonly Scope[] = [];
  private covered = 0;
  private state: 'connecting' | 'open' | 'closed' = 'connecting';
  private closedByClient = false;

  constructor(server: FakeFeedServer, url: string) {
    super();
    this.server = server;
    this.url = new URL(url);
    server.requests.push({ path: this.url.pathname, query: this.url.searchParams });
    setTimeout(() => this.connect(), 0);
  }

  close(code = 1000, reason = ''): void {
    this.closedByClient = true;
    if (this.state === 'closed') return;
    this.finish(code, reason);
  }

  /** @internal */
  publish(entries: readonly FeedEntry[]): void {
    if (this.state !== 'open') return;
    const fresh = entries.filter((e) => e.seq > this.covered);
    const through = Math.max(this.covered, ...fresh.map((e) => e.seq));
    this.covered = through;
    const scoped = fresh.filter((e) => kindInScopes(e.entity, this.scopes));
    if (scoped.length === 0) return;
    this.send({
      type: 'entries',
      entries: scoped,
      cursor: this.server.cursorAt(through, this.scopes),
    });
  }

  /** @internal */
  sendHeartbeat(): void {
    if (this.state !== 'open') return;
    this.covered = Math.max(this.covered, this.server.head);
    this.send({
      type: 'heartbeat',
      head: this.server.head,
      cursor: this.server.cursorAt(this.covered, this.scopes),
    });
  }

  /** @internal */
  sendNotice(result: unknown): void {
    if (this.state === 'open') this.send({ type: 'notice', result });
  }

  /** @internal Sends an error frame (if given) and closes with `code` (the reason: its code). */
  serverClose(code: number, body?: Problem, reason = body?.code ?? ''): void {
    if (this.state !== 'open') return;
    if (body) this.send({ type: 'error', problem: body });
    setTimeout(() => this.finish(code, reason), 0);
    this.state = 'closed';
    this.server.detach(this);
  }

  private connect(): void {
    if (this.state !== 'connecting' || this.closedByClient) return;
    const scopes = parseScopes(this.url.searchParams.get('scopes'));
    const checked =
      scopes.ok && this.server.check(this.url.searchParams.get('cursor') ?? '', scopes.scopes);
    const refused = this.server.offline || this.server.refuseSockets || this.server.deviceRevoked;
    if (refused || !scopes.ok || !checked || !checked.ok) {
      this.dispatchEvent(new Event('error'));
      this.finish(1006, '');
      return;
    }
    this.scopes = scopes.scopes;
    this.covered = checked.seq;
    this.state = 'open';
    this.server.attach(this);
    this.dispatchEvent(new Event('open'));
    for (let more = true; more; ) {
      const page = this.server.page(this.covered, this.scopes, this.server.pageSize);
      more = page.hasMore;
      if (page.entries.length === 0) break;
      this.covered = page.entries.at(-1)?.seq ?? this.covered;
      if (!more) this.covered = this.server.head;
      this.send({ type: 'entries', entries: page.entries, cursor: page.cursor });
    }
    this.sendHeartbeat();
  }

  private send(frame: LiveFrameOut): void {
    const mangle = this.server.mangleLiveFrame;
    const data = JSON.stringify(mangle ? mangle(frame) : frame);
    // Later than the caller, in order: as a network would deliver it.
    setTimeout(() => {
      if (!this.closedByClient) this.dispatchEvent(new MessageEvent('message', { data }));
    }, 0);
  }

  private finish(code: number, reason: string): void {
    this.state = 'closed';
    this.server.detach(this);
    setTimeout(() => this.dispatchEvent(new CloseEvent('close', { code, reason })), 0);
  }
}

/**
 * `fetch` and `WebSocket` over several fake origins (a relay and the cloud), routed by URL;
 * an unknown origin fails as an unreachable host does.
 */
export function fakeNetwork(...servers: FakeFeedServer[]): {
  fetch: FetchLike;
  WebSocket: SocketConstructor;
} {
  const find = (url: string): FakeFeedServer | undefined => {
    const origin = new URL(url.replace(/^ws/, 'http')).origin;
    return servers.find((s) => s.origin === origin);
  };
  class RoutedSocket extends EventTarget implements SocketLike {
    private readonly inner: SocketLike | undefined;
    constructor(url: string) {
      super();
      const server = find(url);
      if (!server) {
        setTimeout(() => {
          this.dispatchEvent(new Event('error'));
          this.dispatchEvent(new CloseEvent('close', { code: 1006 }));
        }, 0);
        return;
      }
      const inner = new FakeServerSocket(server, url.replace(/^ws/, 'http'));
      for (const type of ['open', 'message', 'close', 'error']) {
        inner.addEventListener(type, (event) => {
          this.dispatchEvent(
            event instanceof MessageEvent
              ? new MessageEvent('message', { data: event.data })
              : event instanceof CloseEvent
                ? new CloseEvent('close', { code: event.code, reason: event.reason })
                : new Event(type),
          );
        });
      }
      this.inner = inner;
    }
    close(code?: number, reason?: string): void {
      this.inner?.close(code, reason);
    }
  }
  return {
    fetch: (input, init) => {
      const server = find(input);
      if (!server) return Promise.reject(new TypeError('Failed to fetch'));
      return server.fetch(input, init);
    },
    WebSocket: RoutedSocket,
  };
}

/** What the servers say to a revoked device (server/live/live-connection.ts, the authenticators). */
const DEVICE_REVOKED_PROBLEM = problem(401, 'DEVICE_REVOKED', 'Device revoked', {
  kind: 'sign_in',
  detail: 'this device is no longer paired with the venue; ask a manager to pair it again',
});

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

function problemResponse(status: number, body: Problem): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    });
  });
}
