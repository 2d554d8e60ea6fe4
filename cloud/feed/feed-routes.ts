import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import {
  DeviceCheckpoint,
  type EntityKind,
  type FeedEntry,
  FeedPage,
  type RowRule,
  rowRuleFor,
  Snapshot,
  visibleEntries,
  visibleRecords,
} from '#protocol';
import type { FeedBus } from '../../server/feed-bus.ts';
import { problemResponse } from '../../server/problem-response.ts';
import type { CoreDeps } from '../app-deps.ts';
import type { Caller } from '../http/caller.ts';
import { onlyRoles, ownVenue, requireCaller } from '../http/caller.ts';
import {
  type ApiApp,
  BEARER,
  invalidRequest,
  jsonBody,
  jsonRequest,
  jsonResponse,
  problems,
  route,
  VenueParams,
} from '../http/openapi.ts';
import type { VenueRecord } from '../store/cloud-store.ts';
import type { CursorService, FeedRejection } from './cursor-service.ts';
import { resolveScopes } from './cursor-service.ts';

/** What the feed routes need beyond the core. */
export interface FeedDeps {
  readonly cursors: CursorService;
}

export const DEFAULT_PAGE_LIMIT = 500;
export const MAX_PAGE_LIMIT = 1000;

/** What `PUT …/checkpoints/:deviceId` takes: the checkpoint less the device, which is the path's. */
export const CheckpointBody = DeviceCheckpoint.omit({ deviceId: true });

const reject = (r: FeedRejection): Response => problemResponse(r.status, r.code, r.title, r.extras);

const SCOPES_QUERY = z
  .string()
  .optional()
  .describe('comma-separated scopes (default: all the caller may read)');

const LIMIT_TEXT = `must be an integer from 1 to ${MAX_PAGE_LIMIT}`;

/** The feed's query; `wait` is bounded by the deployment's limit. */
function feedQuery(maxWaitSeconds: number) {
  const waitText = `must be a number of seconds from 0 to ${maxWaitSeconds}`;
  return z.object({
    cursor: z
      .string({ error: 'required: the cursor of a snapshot or a feed page' })
      .min(1, 'required: the cursor of a snapshot or a feed page'),
    scopes: SCOPES_QUERY,
    limit: z
      .string()
      .refine(
        (t) => /^\d{1,7}$/.test(t) && Number(t) >= 1 && Number(t) <= MAX_PAGE_LIMIT,
        LIMIT_TEXT,
      )
      .optional()
      .describe(`entries per page, 1 to ${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT})`),
    wait: z
      .string()
      .refine((t) => /^\d{1,6}(\.\d{1,3})?$/.test(t) && Number(t) <= maxWaitSeconds, waitText)
      .optional()
      .describe(`long-poll: seconds to wait for an entry, 0 to ${maxWaitSeconds} (default 0)`),
  });
}

/**
 * The read path: `GET …/snapshot`, `GET …/feed` (with long-poll) and `PUT …/checkpoints/:id`.
 * Every route needs a caller of the venue in the path.
 */
export function registerFeedRoutes(app: ApiApp, deps: FeedDeps & CoreDeps): void {
  const auth = requireCaller(deps.authenticator);
  // Checkpoints feed the managers' resilience view: staff devices and the relay report them;
  // a guest's phone does not get to write what managers read.
  const reporter = onlyRoles(['server', 'kitchen', 'manager', 'owner'], { relay: true });

  const snapshotRoute = createRoute({
    method: 'get',
    path: '/v1/venues/{venueId}/snapshot',
    tags: ['feed'],
    summary: 'Entities and the cursor they hold at',
    security: BEARER,
    middleware: [auth, ownVenue],
    request: { params: VenueParams, query: z.object({ scopes: SCOPES_QUERY }) },
    responses: {
      200: jsonResponse('a consistent snapshot', Snapshot),
      ...problems(400, 401, 403, 404),
    },
  });
  route(app, snapshotRoute, async (c) => {
    const scopes = resolveScopes(c.get('caller'), c.req.valid('query').scopes);
    if (!scopes.ok) return reject(scopes.rejection);
    const venue = await deps.store.getVenue(c.req.valid('param').venueId);
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

  const feedRoute = createRoute({
    method: 'get',
    path: '/v1/venues/{venueId}/feed',
    tags: ['feed'],
    summary: 'Feed entries after a cursor (long-poll with wait)',
    security: BEARER,
    middleware: [auth, ownVenue],
    request: { params: VenueParams, query: feedQuery(deps.limits.maxWaitSeconds) },
    responses: {
      200: jsonResponse('a page of entries', FeedPage),
      ...problems(400, 401, 403, 404, 409, 410),
    },
  });
  route(app, feedRoute, async (c) => {
    const query = c.req.valid('query');
    const limit = query.limit === undefined ? DEFAULT_PAGE_LIMIT : Number(query.limit);
    const waitMs = query.wait === undefined ? 0 : Math.round(Number(query.wait) * 1000);
    const scopes = resolveScopes(c.get('caller'), query.scopes);
    if (!scopes.ok) return reject(scopes.rejection);
    const venue = await deps.store.getVenue(c.req.valid('param').venueId);
    if (!venue) return venueNotFound();
    const head = await deps.store.head(venue.venueId);
    const checked = await deps.cursors.check(query.cursor, venue, scopes.scopes, head);
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

  const checkpointRoute = createRoute({
    method: 'put',
    path: '/v1/venues/{venueId}/checkpoints/{deviceId}',
    tags: ['feed'],
    summary: "A device's progress and outbox",
    security: BEARER,
    middleware: [auth, ownVenue, reporter, jsonBody],
    request: {
      params: VenueParams.extend({ deviceId: DeviceCheckpoint.shape.deviceId }),
      body: jsonRequest(CheckpointBody),
    },
    responses: { 204: { description: 'recorded' }, ...problems(400, 401, 403, 404, 413, 415) },
  });
  route(
    app,
    checkpointRoute,
    async (c) => {
      const { venueId, deviceId } = c.req.valid('param');
      const body = c.req.valid('json');
      const venue = await deps.store.getVenue(venueId);
      if (!venue) return venueNotFound();
      const checked = await deps.cursors.check(
        body.cursor,
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
        deviceId,
        cursor: body.cursor,
        seq: checked.seq,
        outboxDepth: body.outboxDepth,
        oldestPendingAt: body.oldestPendingAt,
        failedOps: body.failedOps,
        updatedAt: deps.clock().toISOString(),
      });
      return c.body(null, 204);
    },
    (result) =>
      result.success
        ? undefined
        : invalidRequest(result, `Invalid ${result.target === 'json' ? 'checkpoint' : 'device'}`),
  );
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
