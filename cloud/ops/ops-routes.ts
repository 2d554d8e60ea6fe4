import { createRoute } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import {
  actorOf,
  BatchRequest,
  BatchResponse,
  isUlid,
  Operation,
  OperationTypeSchema,
  OpResult as OpResultSchema,
  type Principal,
  toIssues,
} from '#protocol';
import {
  addressBucket,
  clientAddress,
  isLoopback,
  UNKNOWN_ADDRESS,
} from '../../server/client-address.ts';
import { refuseServerMade } from '../../server/payments/payment-service.ts';
import { problemResponse } from '../../server/problem-response.ts';
import { RateLimiter } from '../../server/rate-limiter.ts';
import type { CoreDeps } from '../app-deps.ts';
import {
  type AppEnv,
  type Caller,
  forbidOtherVenue,
  forbidUnlessRole,
  requireCaller,
} from '../http/caller.ts';
import {
  type ApiApp,
  type ApiHook,
  BEARER,
  IDEMPOTENCY_KEY,
  invalidRequest,
  jsonBody,
  jsonRequest,
  jsonResponse,
  problems,
  route,
  VenueParams,
} from '../http/openapi.ts';
import type { VenueRecord } from '../store/cloud-store.ts';
import { type OpOutcome, OpWriter } from '../write/op-writer.ts';
import { VenueStates } from '../write/venue-states.ts';
import { responseForOutcome, resultForOutcome } from './op-responses.ts';

/** The one write path of an app: its ops routes and its pairing route share it. */
export function opWriterFor(deps: CoreDeps): OpWriter {
  return new OpWriter({
    store: deps.store,
    states: new VenueStates(deps.store),
    bus: deps.bus,
    clock: deps.clock,
    dependencyHoldMs: deps.limits.dependencyHoldMs,
  });
}

/**
 * `POST …/ops` (direct lane), `POST …/ops/batch` (replay lane) and `GET …/ops/:opId`.
 * Both write lanes go through one OpWriter, so they make the same state and the same feed.
 */
export function registerOpsRoutes(
  app: ApiApp,
  deps: CoreDeps,
  writer: OpWriter = opWriterFor(deps),
): void {
  const now = () => deps.clock().getTime();
  // Keyed by who the token says is calling, never by a field of the request (an op's deviceId
  // is the client's to choose: a new one per request would start a full bucket each time).
  const perCaller = new RateLimiter({
    perSecond: deps.limits.callerOpsPerSecond,
    burst: deps.limits.callerBurst,
    now,
  });
  // Ops per paired device (the token's `did`), whoever is signed in on it: the caller budget
  // again, so staff switching on one tablet do not multiply what it may send.
  const perDevice = new RateLimiter({
    perSecond: deps.limits.callerOpsPerSecond,
    burst: deps.limits.callerBurst,
    now,
  });
  const perTenant = new RateLimiter({
    perSecond: deps.limits.tenantRequestsPerSecond,
    burst: deps.limits.tenantBurst,
    now,
  });
  // Requests per caller address, checked first: an address over its budget spends none of its
  // tenant's. Behind a proxy not in `trustedProxies` every caller shares the proxy's address;
  // a venue's relay forwards and replays all its devices' writes from one address.
  const perAddress = new RateLimiter({
    perSecond: deps.limits.addressRequestsPerSecond,
    burst: deps.limits.addressBurst,
    now,
  });
  const trustedProxies = deps.trustedProxies ?? new Set<string>();

  /** The caller as an acting person of this venue, the venue, or the refusal. */
  async function actor(
    c: Context<ActorEnv>,
  ): Promise<{ principal: Principal; venue: VenueRecord } | Response> {
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

  function limited(
    c: Context<ActorEnv>,
    tenantId: string,
    principal: Principal,
    ops: number,
  ): Response | undefined {
    // No address (in-process callers, not under Bun.serve) is no one address, and one of this
    // machine's is a bench or a proxy on it not named as trusted: neither is limited per address.
    const address = clientAddress(c, trustedProxies);
    const oneCaller = address !== UNKNOWN_ADDRESS && !isLoopback(address);
    const caller = c.get('caller');
    const did = caller.kind === 'principal' ? caller.did : undefined;
    for (const [limiter, key, cost] of [
      ...(oneCaller ? ([[perAddress, addressBucket(address), 1]] as const) : []),
      [perTenant, tenantId, 1],
      ...(did === undefined ? [] : ([[perDevice, `${tenantId}/${did}`, ops]] as const)),
      [perCaller, `${tenantId}/${principal.kind}/${actorOf(principal)}`, ops],
    ] as const) {
      const taken = limiter.take(key, cost);
      if (!taken.ok) {
        return problemResponse(429, 'RATE_LIMITED', 'Too many requests', {
          kind: 'back_off',
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

  /** Before the body is read: the caller must be a person of this venue, and the venue exist. */
  const asActor: MiddlewareHandler<ActorEnv> = async (c, next) => {
    const who = await actor(c);
    if (who instanceof Response) return who;
    c.set('actor', who);
    await next();
  };

  app.use('/v1/venues/:venueId/ops', requireCaller(deps.authenticator));
  app.use('/v1/venues/:venueId/ops/*', requireCaller(deps.authenticator));

  route(
    app,
    directRoute(asActor),
    async (c) => {
      const who = c.get('actor');
      const op = c.req.valid('json');
      const serverMade = refuseServerMade([op]);
      if (serverMade) return serverMade;
      const tooMany = limited(c, who.venue.tenantId, who.principal, 1);
      if (tooMany) return tooMany;
      const [outcome] = await writer.write(who.venue, who.principal, [op]);
      if (!outcome) throw new Error('writer returned no outcome');
      count([outcome], 'direct');
      return responseForOutcome(outcome);
    },
    directLaneChecks,
  );

  route(
    app,
    batchRoute(asActor),
    async (c) => {
      const who = c.get('actor');
      const { deviceId, ops, decidedAt } = c.req.valid('json');
      if (ops.length > deps.limits.maxBatchOps) return batchTooLarge(deps.limits.maxBatchOps);
      const foreign = ops.findIndex((op: Operation) => op.deviceId !== deviceId);
      if (foreign >= 0) {
        return problemResponse(400, 'DEVICE_MISMATCH', 'A batch is one device’s ops', {
          detail: `ops.${foreign}.deviceId is not ${deviceId}`,
        });
      }
      // Server-made ops come only from a relay replaying what its payment service recorded.
      const serverMade = isRelayReplay(c.get('caller')) ? undefined : refuseServerMade(ops);
      if (serverMade) return serverMade;
      const tooMany = limited(c, who.venue.tenantId, who.principal, ops.length);
      if (tooMany) return tooMany;
      const outcomes = await writer.write(
        who.venue,
        who.principal,
        ops,
        decidedAt && isRelayReplay(c.get('caller')) ? { decidedAt } : {},
      );
      count(outcomes, 'batch');
      return c.json({ results: outcomes.map(resultForOutcome) });
    },
    (result) => {
      if (result.success || result.target !== 'json') return undefined;
      // Too many ops is 413 whatever else is wrong with them, as before the schema is applied.
      const tooBig = result.error.issues.some(
        (i) => i.code === 'too_big' && i.path.join('.') === 'ops',
      );
      return tooBig
        ? batchTooLarge(deps.limits.maxBatchOps)
        : invalidRequest(result, 'Invalid batch');
    },
  );

  route(app, lookupRoute, async (c) => {
    const refused =
      forbidOtherVenue(c) ??
      forbidUnlessRole(c, ['server', 'kitchen', 'manager', 'owner'], { relay: true });
    if (refused) return refused;
    const { venueId, opId } = c.req.valid('param');
    const caller = c.get('caller');
    const tenantId = caller.kind === 'relay' ? caller.tenantId : caller.principal.tenantId;
    const record = await deps.store.getIdempotency(tenantId, opId);
    if (!record || record.venueId !== venueId) {
      return problemResponse(404, 'OP_NOT_FOUND', 'No such op', {
        kind: 'stop',
        detail: 'not received (yet): send it again with the same opId',
      });
    }
    return c.json(record.result);
  });
}

/**
 * A relay replaying its journal: a token its enrolled key signed (issuer `relay:<nodeId>`) with
 * the replay claim (`rpl`) and no paired device. The relay puts `rpl` only on the tokens its
 * reconciler signs for the cloud; its sign-ins (staff with their `did`, guests) never carry it.
 */
function isRelayReplay(caller: Caller): boolean {
  return (
    caller.kind === 'principal' &&
    caller.issuer.startsWith('relay:') &&
    caller.replay === true &&
    caller.did === undefined
  );
}

type ActorEnv = AppEnv & {
  Variables: { actor: { principal: Principal; venue: VenueRecord } };
};

const batchTooLarge = (max: number): Response =>
  problemResponse(413, 'BATCH_TOO_LARGE', 'Too many ops in one batch', {
    kind: 'fix_request',
    detail: `at most ${max} ops per batch; split it`,
  });

const directRoute = (asActor: MiddlewareHandler<ActorEnv>) =>
  createRoute({
    method: 'post',
    path: '/v1/venues/{venueId}/ops',
    tags: ['ops'],
    summary: 'Apply one operation (direct lane)',
    security: BEARER,
    middleware: [asActor, jsonBody] as [MiddlewareHandler<ActorEnv>, MiddlewareHandler<AppEnv>],
    parameters: [IDEMPOTENCY_KEY],
    request: { params: VenueParams, body: jsonRequest(Operation) },
    responses: {
      201: jsonResponse(
        'applied (a replay of the same op carries Idempotent-Replayed: true)',
        OpResultSchema,
      ),
      202: jsonResponse('accepted locally, to be confirmed', OpResultSchema),
      ...problems(400, 401, 403, 404, 409, 413, 415, 422, 429),
    },
  });

const batchRoute = (asActor: MiddlewareHandler<ActorEnv>) =>
  createRoute({
    method: 'post',
    path: '/v1/venues/{venueId}/ops/batch',
    tags: ['ops'],
    summary: "Replay one device's ops in order (batch lane)",
    security: BEARER,
    middleware: [asActor, jsonBody] as [MiddlewareHandler<ActorEnv>, MiddlewareHandler<AppEnv>],
    request: { params: VenueParams, body: jsonRequest(BatchRequest) },
    responses: {
      200: jsonResponse('one result per op, in order', BatchResponse),
      ...problems(400, 401, 403, 404, 413, 415, 429),
    },
  });

const lookupRoute = createRoute({
  method: 'get',
  path: '/v1/venues/{venueId}/ops/{opId}',
  tags: ['ops'],
  summary: "An op's result, after a lost response",
  security: BEARER,
  request: { params: VenueParams.extend({ opId: z.string() }) },
  responses: {
    200: jsonResponse('the first result', OpResultSchema),
    ...problems(401, 403, 404),
  },
});

/**
 * The direct lane's checks in the order clients rely on: the Idempotency-Key (header, or
 * `_idempotencyKey` in the body for a client that cannot set headers), then the op, then that
 * the key is the opId. The body is read again only without the header, or for a bad op.
 */
const directLaneChecks: ApiHook = async (result, c) => {
  if (result.target !== 'json') return result.success ? undefined : invalidRequest(result);
  const header = c.req.header('idempotency-key');
  const raw = header === undefined || !result.success ? await c.req.json<unknown>() : undefined;
  const bodyKey =
    typeof raw === 'object' && raw !== null
      ? (raw as { _idempotencyKey?: unknown })._idempotencyKey
      : undefined;
  const key = header ?? (typeof bodyKey === 'string' ? bodyKey : undefined);
  if (key === undefined) {
    return problemResponse(400, 'IDEMPOTENCY_KEY_MISSING', 'Idempotency-Key required', {
      detail: 'send the opId as the Idempotency-Key header',
    });
  }
  if (!isUlid(key))
    return problemResponse(400, 'IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be a ULID', {
      detail: 'use the opId',
    });
  if (!result.success) {
    const type =
      typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
    const code = OperationTypeSchema.safeParse(type).success ? 'VALIDATION' : 'UNKNOWN_OP_TYPE';
    return problemResponse(400, code, 'Invalid operation', { issues: toIssues(result.error) });
  }
  const opId = (result.data as Operation).opId;
  if (opId !== key) {
    return problemResponse(400, 'IDEMPOTENCY_KEY_MISMATCH', 'Idempotency-Key must equal opId', {
      detail: `key ${key}, opId ${opId}`,
    });
  }
  return undefined;
};
