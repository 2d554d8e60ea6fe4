import type { Context, Hono } from 'hono';
import {
  DeviceCheckpoint,
  type EntityKind,
  type FeedEntry,
  type FeedPage,
  type RowRule,
  rowRuleFor,
  type Snapshot,
  toIssues,
  visibleEntries,
  visibleRecords,
} from '#protocol';
import { problemResponse } from '../../server/problem-response.ts';
import type { CoreDeps } from '../app-deps.ts';
import type { Caller } from '../http/caller.ts';
import { type AppEnv, forbidOtherVenue, forbidUnlessRole, requireCaller } from '../http/caller.ts';
import type { VenueRecord } from '../store/cloud-store.ts';
import type { CursorService, FeedRejection } from './cursor-service.ts';
import { resolveScopes } from './cursor-service.ts';
import type { FeedBus } from '../../server/feed-bus.ts';

/** What the feed routes need beyond the core. */
export interface FeedDeps {
  readonly cursors: CursorService;
}

export const DEFAULT_PAGE_LIMIT = 500;
export const MAX_PAGE_LIMIT = 1000;

const CheckpointBody = DeviceCheckpoint.omit({ deviceId: true });

const reject = (r: FeedRejection): Response => problemResponse(r.status, r.code, r.title, r.extras);

const badQuery = (name: string, message: string): Response =>
  problemResponse(400, 'VALIDATION', `Invalid ${name}`, {
    kind: 'fix_request',
    detail: message,
    issues: [{ path: name, message }],
  });

/**
 * The read path: `GET …/snapshot`, `GET …/feed` (with long-poll) and `PUT …/checkpoints/:id`.
 * Every route needs a caller of the venue in the path.
 */
export function registerFeedRoutes(app: Hono<AppEnv>, deps: FeedDeps & CoreDeps): void {
  const auth = requireCaller(deps.authenticator);

  app.get('/v1/venues/:venueId/snapshot', auth, async (c) => {
    const denied = forbidOtherVenue(c);
    if (denied) return denied;
    const scopes = resolveScopes(c.get('caller'), c.req.query('scopes'));
    if (!scopes.ok) return reject(scopes.rejection);
    const venue = await deps.store.getVenue(c.req.param('venueId'));
    if (!venue) return venueNotFound();
    // The venue (its epoch) is read first: a reset in between yields a stale cursor (410), never
    // a cursor of the new epoch over old data.
    const snapshot = await deps.store.loadSnapshot(venue.venueId, scopes.kinds);
    const body: Snapshot = {
      venueId: venue.venueId,
      cursor: await deps.cursors.issue(venue, snapshot.seq, scopes.scopes),
      seq: snapshot.seq,
      at: deps.clock().toISOString(),
      records: visibleRecords(snapshot.records, rowsOf(c.get('caller'))),
    };
    return c.json(body);
  });

  app.get('/v1/venues/:venueId/feed', auth, async (c) => {
    const denied = forbidOtherVenue(c);
    if (denied) return denied;
    const limit = parseLimit(c.req.query('limit'));
    if (typeof limit === 'string') return badQuery('limit', limit);
    const waitMs = parseWait(c.req.query('wait'), deps.limits.maxWaitSeconds);
    if (typeof waitMs === 'string') return badQuery('wait', waitMs);
    const scopes = resolveScopes(c.get('caller'), c.req.query('scopes'));
    if (!scopes.ok) return reject(scopes.rejection);
    const token = c.req.query('cursor');
    if (!token) return badQuery('cursor', 'required: the cursor of a snapshot or a feed page');
    const venue = await deps.store.getVenue(c.req.param('venueId'));
    if (!venue) return venueNotFound();
    const head = await deps.store.head(venue.venueId);
    const checked = await deps.cursors.check(token, venue, scopes.scopes, head);
    if (!checked.ok) return reject(checked.rejection);

    const rows = rowsOf(c.get('caller'));
    const read = async (afterSeq: number, through: number) => {
      const page = await readPage(deps, venue, {
        afterSeq,
        head: through,
        limit,
        kinds: scopes.kinds,
      });
      // Rows the caller may not see are covered by the cursor like scoped-out entries.
      return page === 'expired' || !rows
        ? page
        : { ...page, entries: [...visibleEntries(page.entries, rows)] };
    };
    const answer = async (page: ReadPage) => {
      const body: FeedPage = {
        entries: page.entries,
        cursor: await deps.cursors.issue(venue, page.seq, scopes.scopes),
        hasMore: page.hasMore,
      };
      return c.json(body);
    };

    if (waitMs === 0) {
      const page = await read(checked.seq, head);
      return page === 'expired' ? cursorExpired() : answer(page);
    }
    keepOpen(c.env, c.req.raw, Math.ceil(waitMs / 1000) + 5);
    // Subscribe before reading: an entry committed after the read is then never missed.
    const waiter = new FeedWaiter(deps.bus, venue.venueId, scopes.kinds);
    try {
      const deadline = Date.now() + waitMs;
      // The head is read again now that the waiter listens: an entry committed between the first
      // head read and the subscription was published to nobody, so this read must include it.
      let page = await read(checked.seq, await deps.store.head(venue.venueId));
      for (;;) {
        if (page === 'expired') return cursorExpired();
        const left = deadline - Date.now();
        if (page.entries.length > 0 || left <= 0 || c.req.raw.signal.aborted) return answer(page);
        await waiter.next(left, c.req.raw.signal);
        waiter.arm();
        page = await read(page.seq, await deps.store.head(venue.venueId));
      }
    } finally {
      waiter.close();
    }
  });

  app.put('/v1/venues/:venueId/checkpoints/:deviceId', auth, async (c) => {
    // Checkpoints feed the managers' resilience view: staff devices and the relay report them;
    // a guest's phone does not get to write what managers read.
    const denied =
      forbidOtherVenue(c) ??
      forbidUnlessRole(c, ['server', 'kitchen', 'manager', 'owner'], { relay: true });
    if (denied) return denied;
    const deviceId = DeviceCheckpoint.shape.deviceId.safeParse(c.req.param('deviceId'));
    if (!deviceId.success) return badQuery('deviceId', 'must be 1 to 64 characters');
    const body = await readJson(c);
    if (!body.ok) return badQuery('body', 'must be JSON');
    const parsed = CheckpointBody.safeParse(body.value);
    if (!parsed.success) {
      return problemResponse(400, 'VALIDATION', 'Invalid checkpoint', {
        kind: 'fix_request',
        issues: toIssues(parsed.error),
      });
    }
    const venue = await deps.store.getVenue(c.req.param('venueId'));
    if (!venue) return venueNotFound();
    const checked = await deps.cursors.check(
      parsed.data.cursor,
      venue,
      'any',
      await deps.store.head(venue.venueId),
    );
    if (!checked.ok) {
      // A checkpoint is a report, not a read: any cursor that is not ours is just a bad request.
      return problemResponse(400, 'CURSOR_INVALID', 'Invalid cursor', {
        kind: 'fix_request',
        detail: checked.rejection.extras.detail ?? 'not a cursor of this venue',
      });
    }
    await deps.store.putCheckpoint({
      venueId: venue.venueId,
      deviceId: deviceId.data,
      cursor: parsed.data.cursor,
      seq: checked.seq,
      outboxDepth: parsed.data.outboxDepth,
      oldestPendingAt: parsed.data.oldestPendingAt,
      failedOps: parsed.data.failedOps,
      updatedAt: deps.clock().toISOString(),
    });
    return c.body(null, 204);
  });
}

/** The caller's row rule: a guest sees only their table's orders, tickets and requests. */
export function rowsOf(caller: Caller): RowRule | undefined {
  return caller.kind === 'principal' ? rowRuleFor(caller.principal) : undefined;
}

interface ReadPage {
  readonly entries: FeedEntry[];
  /** The seq the page's cursor covers: every entry scanned, matching or not. */
  readonly seq: number;
  readonly hasMore: boolean;
}

/**
 * Entries after `afterSeq` up to `head` (read before the query). A full page covers up to its
 * last entry; a short one covers everything up to `head`, so scoped-out entries are not
 * rescanned. `'expired'` when the stream was compacted or reset while reading.
 */
async function readPage(
  deps: CoreDeps,
  venue: VenueRecord,
  q: { afterSeq: number; head: number; limit: number; kinds: readonly EntityKind[] },
): Promise<ReadPage | 'expired'> {
  const rows = await deps.store.readFeed(venue.venueId, q.afterSeq, {
    limit: q.limit + 1,
    kinds: q.kinds,
    throughSeq: q.head,
  });
  const now = await deps.store.getVenue(venue.venueId);
  if (!now || now.epoch !== venue.epoch || now.compactedThrough > q.afterSeq) return 'expired';
  const hasMore = rows.length > q.limit;
  const entries = hasMore ? rows.slice(0, q.limit) : rows;
  const last = entries.at(-1);
  return { entries, seq: hasMore && last ? last.seq : Math.max(q.head, q.afterSeq), hasMore };
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

async function readJson(c: Context<AppEnv>): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const text = await c.req.text();
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    if (error instanceof SyntaxError) return { ok: false };
    throw error;
  }
}

/**
 * Bun closes a request idle for 10 s by default, cutting a long-poll short: where the runtime's
 * server (Hono's `c.env` on Bun) can extend one request's idle timeout, extend it past the wait.
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

const venueNotFound = (): Response =>
  problemResponse(404, 'VENUE_NOT_FOUND', 'No such venue', { kind: 'stop' });

const cursorExpired = (): Response =>
  problemResponse(410, 'CURSOR_EXPIRED', 'Cursor expired', {
    kind: 're_bootstrap',
    detail: 'the stream was compacted or reset while reading; load a snapshot',
  });

/**
 * Wakes a long-poll when an entry of its kinds is published. Subscribed before the first read;
 * `arm()` before each re-read, so a publish during a read wakes the next wait at once.
 */
class FeedWaiter {
  private dirty = false;
  private wake: (() => void) | undefined;
  private readonly unsubscribe: () => void;

  constructor(bus: FeedBus, venueId: string, kinds: readonly EntityKind[]) {
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
