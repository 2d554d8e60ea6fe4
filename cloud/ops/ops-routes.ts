import type { Context, Hono } from 'hono';
import {
  actorOf,
  BatchRequest,
  isUlid,
  type Operation,
  type OpResult,
  type Principal,
  parseOperation,
  toIssues,
} from '#protocol';
import { problemResponse } from '../../server/problem-response.ts';
import type { CoreDeps } from '../app-deps.ts';
import { type AppEnv, forbidOtherVenue, forbidUnlessRole, requireCaller } from '../http/caller.ts';
import { RateLimiter } from '../http/rate-limiter.ts';
import type { VenueRecord } from '../store/cloud-store.ts';
import { type OpOutcome, OpWriter } from '../write/op-writer.ts';
import { VenueStates } from '../write/venue-states.ts';
import { responseForOutcome } from './op-responses.ts';

type Ctx = Context<AppEnv>;

/** The op outcome as a batch result: the batch lane answers every op in order, in one body. */
function batchResult(outcome: OpOutcome): OpResult {
  switch (outcome.kind) {
    case 'decided':
      return outcome.result;
    case 'duplicate':
      return { opId: outcome.result.opId, status: 'duplicate', first: outcome.result };
    case 'key_reused':
      return {
        opId: outcome.opId,
        status: 'rejected',
        code: 'IDEMPOTENCY_KEY_REUSED',
        message: 'this opId was sent before with a different payload',
      };
    case 'invalid':
      return {
        opId: outcome.opId,
        status: 'rejected',
        code: 'VALIDATION',
        message: outcome.message,
      };
    case 'retryable':
      return {
        opId: outcome.opId,
        status: 'retryable',
        code: outcome.code,
        message: outcome.message,
        retryAfterMs: outcome.retryAfterMs,
      };
  }
}

async function readJson(
  c: Ctx,
): Promise<{ ok: true; body: unknown } | { ok: false; response: Response }> {
  const text = await c.req.text();
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return {
      ok: false,
      response: problemResponse(400, 'MALFORMED_JSON', 'The body is not JSON', {
        kind: 'fix_request',
        detail: error.message,
      }),
    };
  }
}

/**
 * `POST …/ops` (direct lane), `POST …/ops/batch` (replay lane) and `GET …/ops/:opId`.
 * Both write lanes go through one OpWriter, so they make the same state and the same feed.
 */
export function registerOpsRoutes(app: Hono<AppEnv>, deps: CoreDeps): void {
  const writer = new OpWriter({
    store: deps.store,
    states: new VenueStates(),
    bus: deps.bus,
    clock: deps.clock,
    dependencyHoldMs: deps.limits.dependencyHoldMs,
  });
  const now = () => deps.clock().getTime();
  // Keyed by who the token says is calling, never by a field of the request (an op's deviceId
  // is the client's to choose: a new one per request would start a full bucket each time).
  const perCaller = new RateLimiter({
    perSecond: deps.limits.callerOpsPerSecond,
    burst: deps.limits.callerBurst,
    now,
  });
  const perTenant = new RateLimiter({
    perSecond: deps.limits.tenantRequestsPerSecond,
    burst: deps.limits.tenantBurst,
    now,
  });

  /** The caller as an acting person of this venue, the venue, or the refusal. */
  async function actor(c: Ctx): Promise<{ principal: Principal; venue: VenueRecord } | Response> {
    const refused = forbidOtherVenue(c);
    if (refused) return refused;
    const caller = c.get('caller');
    if (caller.kind !== 'principal') {
      return problemResponse(403, 'ACTOR_TOKEN_REQUIRED', 'Ops need a person', {
        detail: 'a relay replays ops with the token of the person who made them',
      });
    }
    const venue = await deps.store.getVenue(caller.principal.venueId);
    if (!venue) return problemResponse(404, 'VENUE_NOT_FOUND', 'No such venue', { kind: 'stop' });
    return { principal: caller.principal, venue };
  }

  function limited(tenantId: string, principal: Principal, ops: number): Response | undefined {
    for (const [limiter, key, cost] of [
      [perTenant, tenantId, 1],
      [perCaller, `${tenantId}/${principal.kind}/${actorOf(principal)}`, ops],
    ] as const) {
      const taken = limiter.take(key, cost);
      if (!taken.ok) {
        return problemResponse(429, 'RATE_LIMITED', 'Too many requests', {
          detail: `slow down; retry in ${taken.retryAfterSeconds} s`,
          retryAfter: taken.retryAfterSeconds,
        });
      }
    }
    return undefined;
  }

  function count(outcomes: readonly OpOutcome[], lane: 'direct' | 'batch'): void {
    // Tallied first: one counter update per outcome kind, not per op.
    const tally = new Map<string, number>();
    for (const outcome of outcomes) {
      const result = outcome.kind === 'decided' ? outcome.result.status : outcome.kind;
      tally.set(result, (tally.get(result) ?? 0) + 1);
    }
    for (const [result, n] of tally) {
      deps.metrics.increment(
        'hearth_ops_total',
        'Operations by lane and outcome',
        { lane, result },
        n,
      );
    }
  }

  app.use('/v1/venues/:venueId/ops', requireCaller(deps.authenticator));
  app.use('/v1/venues/:venueId/ops/*', requireCaller(deps.authenticator));

  app.post('/v1/venues/:venueId/ops', async (c) => {
    const who = await actor(c);
    if (who instanceof Response) return who;
    const read = await readJson(c);
    if (!read.ok) return read.response;
    const bodyKey =
      typeof read.body === 'object' && read.body !== null
        ? (read.body as { _idempotencyKey?: unknown })._idempotencyKey
        : undefined;
    const key =
      c.req.header('idempotency-key') ?? (typeof bodyKey === 'string' ? bodyKey : undefined);
    if (key === undefined) {
      return problemResponse(400, 'IDEMPOTENCY_KEY_MISSING', 'Idempotency-Key required', {
        detail: 'send the opId as the Idempotency-Key header',
      });
    }
    if (!isUlid(key))
      return problemResponse(400, 'IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be a ULID', {
        detail: 'use the opId',
      });
    const parsed = parseOperation(read.body);
    if (!parsed.ok)
      return problemResponse(400, parsed.code, 'Invalid operation', { issues: parsed.issues });
    if (parsed.op.opId !== key) {
      return problemResponse(400, 'IDEMPOTENCY_KEY_MISMATCH', 'Idempotency-Key must equal opId', {
        detail: `key ${key}, opId ${parsed.op.opId}`,
      });
    }
    const tooMany = limited(who.venue.tenantId, who.principal, 1);
    if (tooMany) return tooMany;
    const [outcome] = await writer.write(who.venue, who.principal, [parsed.op]);
    if (!outcome) throw new Error('writer returned no outcome');
    count([outcome], 'direct');
    return responseForOutcome(outcome);
  });

  app.post('/v1/venues/:venueId/ops/batch', async (c) => {
    const who = await actor(c);
    if (who instanceof Response) return who;
    const read = await readJson(c);
    if (!read.ok) return read.response;
    const ops =
      typeof read.body === 'object' && read.body !== null
        ? (read.body as { ops?: unknown }).ops
        : undefined;
    if (Array.isArray(ops) && ops.length > deps.limits.maxBatchOps) {
      return problemResponse(413, 'BATCH_TOO_LARGE', 'Too many ops in one batch', {
        kind: 'fix_request',
        detail: `at most ${deps.limits.maxBatchOps} ops per batch; split it`,
      });
    }
    const parsed = BatchRequest.safeParse(read.body);
    if (!parsed.success)
      return problemResponse(400, 'VALIDATION', 'Invalid batch', {
        issues: toIssues(parsed.error),
      });
    const { deviceId } = parsed.data;
    const foreign = parsed.data.ops.findIndex((op: Operation) => op.deviceId !== deviceId);
    if (foreign >= 0) {
      return problemResponse(400, 'DEVICE_MISMATCH', 'A batch is one device’s ops', {
        detail: `ops.${foreign}.deviceId is not ${deviceId}`,
      });
    }
    const tooMany = limited(who.venue.tenantId, who.principal, parsed.data.ops.length);
    if (tooMany) return tooMany;
    const outcomes = await writer.write(who.venue, who.principal, parsed.data.ops);
    count(outcomes, 'batch');
    return c.json({ results: outcomes.map(batchResult) });
  });

  app.get('/v1/venues/:venueId/ops/:opId', async (c) => {
    const refused =
      forbidOtherVenue(c) ??
      forbidUnlessRole(c, ['server', 'kitchen', 'manager', 'owner'], { relay: true });
    if (refused) return refused;
    const caller = c.get('caller');
    const tenantId = caller.kind === 'relay' ? caller.tenantId : caller.principal.tenantId;
    const record = await deps.store.getIdempotency(tenantId, c.req.param('opId'));
    if (!record || record.venueId !== c.req.param('venueId')) {
      return problemResponse(404, 'OP_NOT_FOUND', 'No such op', {
        kind: 'stop',
        detail: 'not received (yet): send it again with the same opId',
      });
    }
    return c.json(record.result);
  });
}
