import type { Hono } from 'hono';
import {
  DeviceCheckpoint,
  type EntityKind,
  type FeedEntry,
  type FeedPage,
  type LanDeviceReport,
  rowRuleFor,
  type Snapshot,
  toIssues,
  visibleEntries,
  visibleRecords,
} from '#protocol';
import { problemResponse } from '../../server/problem-response.ts';
import { readJsonBody } from '../../server/read-json.ts';
import type { RelayStore } from '../store/relay-store.ts';
import type { RelayBus } from '../sync/feed-bus.ts';
import {
  forbidOtherVenue,
  forbidUnlessStaff,
  type LanAuthenticator,
  type LanEnv,
  requireLanCaller,
} from './lan-caller.ts';
import { type FeedRejection, type LanCursors, resolveScopes } from './lan-cursors.ts';

export interface LanFeedDeps {
  readonly store: RelayStore;
  readonly bus: RelayBus;
  readonly authenticator: LanAuthenticator;
  readonly cursors: LanCursors;
  readonly checkpoints: DeviceCheckpoints;
  readonly clock: () => Date;
  /** The longest `wait=` a long-poll may ask for, in seconds. */
  readonly maxWaitSeconds: number;
}

export const DEFAULT_PAGE_LIMIT = 500;
export const MAX_PAGE_LIMIT = 1000;

/** The LAN stream's head: cheap on every store (no records for an empty kind list). */
export const lanHead = (store: RelayStore): number => store.snapshot([]).seq;

/** What a staff device last reported: its LAN seq and its outbox. */
export interface DeviceCheckpointRecord {
  readonly seq: number;
  readonly outboxDepth: number;
  readonly oldestPendingAt: string | null;
  readonly failedOps: number;
  readonly updatedAt: string;
}

/**
 * The latest checkpoint per staff device, in memory (for metrics and the uplink heartbeat).
 * Bounded: past `capacity` devices the one silent longest is forgotten.
 */
export class DeviceCheckpoints {
  private readonly byDevice = new Map<string, DeviceCheckpointRecord>();
  private readonly capacity: number;

  constructor(capacity = 500) {
    this.capacity = capacity;
  }

  put(deviceId: string, record: DeviceCheckpointRecord): void {
    // Re-inserting keeps the map in update order, so the first key is the stalest device.
    this.byDevice.delete(deviceId);
    this.byDevice.set(deviceId, record);
    if (this.byDevice.size > this.capacity) {
      const stalest = this.byDevice.keys().next();
      if (!stalest.done) this.byDevice.delete(stalest.value);
    }
  }

  get(deviceId: string): DeviceCheckpointRecord | undefined {
    return this.byDevice.get(deviceId);
  }

  list(): { readonly deviceId: string; readonly checkpoint: DeviceCheckpointRecord }[] {
    return [...this.byDevice].map(([deviceId, checkpoint]) => ({ deviceId, checkpoint }));
  }

  get size(): number {
    return this.byDevice.size;
  }

  /**
   * The latest `most` checkpoints as the heartbeat carries them to the cloud (its resilience
   * report shows devices on the LAN from these), each with how far behind `head` it is.
   */
  reports(head: number, most = 200): LanDeviceReport[] {
    return this.list()
      .slice(-most)
      .map(({ deviceId, checkpoint }) => ({
        deviceId,
        lag: Math.max(0, head - checkpoint.seq),
        outboxDepth: checkpoint.outboxDepth,
        oldestPendingAt: checkpoint.oldestPendingAt,
        failedOps: checkpoint.failedOps,
        updatedAt: checkpoint.updatedAt,
      }));
  }
}

const CheckpointBody = DeviceCheckpoint.omit({ deviceId: true });

const reject = (r: FeedRejection): Response => problemResponse(r.status, r.code, r.title, r.extras);

const badQuery = (name: string, message: string): Response =>
  problemResponse(400, 'VALIDATION', `Invalid ${name}`, {
    kind: 'fix_request',
    detail: message,
    issues: [{ path: name, message }],
  });

const cursorExpired = (): Response =>
  problemResponse(410, 'CURSOR_EXPIRED', 'Cursor expired', {
    kind: 're_bootstrap',
    detail: 'the relay’s stream was reset while reading; load a snapshot',
  });

/**
 * The LAN read path, with the cloud's paths and shapes: `GET …/snapshot`, `GET …/feed` (with
 * long-poll on the relay bus) and `PUT …/checkpoints/:deviceId` (staff devices).
 */
export function registerLanFeedRoutes(app: Hono<LanEnv>, deps: LanFeedDeps): void {
  const auth = requireLanCaller(deps.authenticator);
  const { store, cursors } = deps;

  app.get('/v1/venues/:venueId/snapshot', auth, async (c) => {
    const denied = forbidOtherVenue(c);
    if (denied) return denied;
    const scopes = resolveScopes(c.get('caller').principal, c.req.query('scopes'));
    if (!scopes.ok) return reject(scopes.rejection);
    // The epoch is read first: a reset in between yields a stale cursor (410), never a cursor
    // of the new epoch over old data.
    const epoch = cursors.epoch();
    const snapshot = store.snapshot(scopes.kinds);
    const body: Snapshot = {
      venueId: c.req.param('venueId'),
      cursor: await cursors.issue(snapshot.seq, scopes.scopes, epoch),
      seq: snapshot.seq,
      at: deps.clock().toISOString(),
      records: visibleRecords(snapshot.records, rowRuleFor(c.get('caller').principal)),
    };
    return c.json(body);
  });

  app.get('/v1/venues/:venueId/feed', auth, async (c) => {
    const denied = forbidOtherVenue(c);
    if (denied) return denied;
    const limit = parseLimit(c.req.query('limit'));
    if (typeof limit === 'string') return badQuery('limit', limit);
    const waitMs = parseWait(c.req.query('wait'), deps.maxWaitSeconds);
    if (typeof waitMs === 'string') return badQuery('wait', waitMs);
    const scopes = resolveScopes(c.get('caller').principal, c.req.query('scopes'));
    if (!scopes.ok) return reject(scopes.rejection);
    const token = c.req.query('cursor');
    if (!token) return badQuery('cursor', 'required: the cursor of a snapshot or a feed page');
    const checked = await cursors.check(token, scopes.scopes, lanHead(store));
    if (!checked.ok) return reject(checked.rejection);

    const rows = rowRuleFor(c.get('caller').principal);
    const read = (afterSeq: number): ReadPage => {
      const page = readPage(store, afterSeq, limit, scopes.kinds);
      // Rows the caller may not see are covered by the cursor like scoped-out entries.
      return rows ? { ...page, entries: [...visibleEntries(page.entries, rows)] } : page;
    };
    const answer = async (page: ReadPage): Promise<Response> => {
      if (cursors.epoch() !== checked.epoch) return cursorExpired();
      const body: FeedPage = {
        entries: page.entries,
        cursor: await cursors.issue(page.seq, scopes.scopes, checked.epoch),
        hasMore: page.hasMore,
      };
      return c.json(body);
    };

    if (waitMs === 0) return answer(read(checked.seq));
    keepOpen(c.env, c.req.raw, Math.ceil(waitMs / 1000) + 5);
    // Subscribed before the first read: a commit after it is then never missed.
    const waiter = new FeedWaiter(deps.bus, c.get('caller').principal.venueId, scopes.kinds);
    try {
      const deadline = Date.now() + waitMs;
      let page = read(checked.seq);
      for (;;) {
        const left = deadline - Date.now();
        if (page.entries.length > 0 || left <= 0 || c.req.raw.signal.aborted) return answer(page);
        await waiter.next(left, c.req.raw.signal);
        waiter.arm();
        page = read(page.seq);
      }
    } finally {
      waiter.close();
    }
  });

  app.put('/v1/venues/:venueId/checkpoints/:deviceId', auth, async (c) => {
    // Checkpoints are what managers read about devices: a guest's phone does not write them.
    const denied = forbidOtherVenue(c) ?? forbidUnlessStaff(c);
    if (denied) return denied;
    const deviceId = DeviceCheckpoint.shape.deviceId.safeParse(c.req.param('deviceId'));
    if (!deviceId.success) return badQuery('deviceId', 'must be 1 to 64 characters');
    const body = await readJsonBody(c);
    if (!body.ok) return badQuery('body', 'must be JSON');
    const parsed = CheckpointBody.safeParse(body.value);
    if (!parsed.success) {
      return problemResponse(400, 'VALIDATION', 'Invalid checkpoint', {
        kind: 'fix_request',
        issues: toIssues(parsed.error),
      });
    }
    const checked = await cursors.check(parsed.data.cursor, 'any', lanHead(store));
    if (!checked.ok) {
      // A checkpoint is a report, not a read: a cursor that is not this relay's is a bad request.
      return problemResponse(400, 'CURSOR_INVALID', 'Invalid cursor', {
        kind: 'fix_request',
        detail: checked.rejection.extras.detail ?? 'not a LAN cursor of this venue',
      });
    }
    deps.checkpoints.put(deviceId.data, {
      seq: checked.seq,
      outboxDepth: parsed.data.outboxDepth,
      oldestPendingAt: parsed.data.oldestPendingAt,
      failedOps: parsed.data.failedOps,
      updatedAt: deps.clock().toISOString(),
    });
    return c.body(null, 204);
  });
}

interface ReadPage {
  readonly entries: FeedEntry[];
  /** The seq the page's cursor covers: every entry scanned, matching or not. */
  readonly seq: number;
  readonly hasMore: boolean;
}

/**
 * Entries after `afterSeq`. A full page covers up to its last entry; a short one covers up to
 * the head, so scoped-out entries are not rescanned. The store is synchronous: the head and the
 * rows are of the same commit.
 */
function readPage(
  store: RelayStore,
  afterSeq: number,
  limit: number,
  kinds: readonly EntityKind[],
): ReadPage {
  const head = lanHead(store);
  const rows = store.readFeed(afterSeq, { limit: limit + 1, kinds, throughSeq: head });
  const hasMore = rows.length > limit;
  const entries = hasMore ? rows.slice(0, limit) : rows;
  const last = entries.at(-1);
  return { entries, seq: hasMore && last ? last.seq : Math.max(head, afterSeq), hasMore };
}

function parseLimit(text: string | undefined): number | string {
  if (text === undefined) return DEFAULT_PAGE_LIMIT;
  const n = /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= MAX_PAGE_LIMIT)) return `must be an integer from 1 to ${MAX_PAGE_LIMIT}`;
  return n;
}

/** `wait` in seconds (decimals allowed) → milliseconds. */
function parseWait(text: string | undefined, maxSeconds: number): number | string {
  if (text === undefined) return 0;
  const n = /^\d{1,6}(\.\d{1,3})?$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 0 && n <= maxSeconds)) return `must be a number of seconds from 0 to ${maxSeconds}`;
  return Math.round(n * 1000);
}

/**
 * Bun closes a request idle for 10 s by default, cutting a long-poll short: where the server
 * (Hono's `c.env` on Bun) can extend one request's idle timeout, extend it past the wait.
 */
function keepOpen(env: unknown, request: Request, seconds: number): void {
  if (
    typeof env === 'object' &&
    env !== null &&
    'timeout' in env &&
    typeof env.timeout === 'function'
  ) {
    env.timeout(request, seconds);
  }
}

/**
 * Wakes a long-poll when an entry of its kinds is published. Subscribed before the first read;
 * `arm()` before each re-read, so a publish during a read wakes the next wait at once.
 */
class FeedWaiter {
  private dirty = false;
  private wake: (() => void) | undefined;
  private readonly unsubscribe: () => void;

  constructor(bus: RelayBus, venueId: string, kinds: readonly EntityKind[]) {
    this.unsubscribe = bus.subscribe(venueId, (entries) => {
      if (!entries.some((e) => kinds.includes(e.entity))) return;
      this.dirty = true;
      this.wake?.();
    });
  }

  arm(): void {
    this.dirty = false;
  }

  /** Resolves on a publish since the last `arm()`, after `ms`, or when `signal` aborts. */
  next(ms: number, signal: AbortSignal): Promise<void> {
    if (this.dirty || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  close(): void {
    this.wake?.();
    this.unsubscribe();
  }
}
