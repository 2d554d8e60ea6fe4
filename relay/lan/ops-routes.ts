import type { Context, Hono } from 'hono';
import {
  actorOf,
  BatchRequest,
  BatchResponse,
  isUlid,
  type Operation,
  OpResult,
  type Principal,
  parseOperation,
  toIssues,
} from '#protocol';
import {
  addressBucket,
  clientAddress,
  isLoopback,
  UNKNOWN_ADDRESS,
} from '../../server/client-address.ts';
import { hasValidPayloadHashSync } from '../../server/payload-hash.ts';
import { refuseServerMade } from '../../server/payments/payment-service.ts';
import { problemResponse } from '../../server/problem-response.ts';
import { RateLimiter } from '../../server/rate-limiter.ts';
import { readJsonBody } from '../../server/read-json.ts';
import type { RelayStore } from '../store/relay-store.ts';
import type { LocalAnswer, VenueEngine } from '../sync/venue-engine.ts';
import type { UplinkGate } from '../uplink/uplink-gate.ts';
import {
  forbidOtherVenue,
  forbidUnlessStaff,
  type LanAuthenticator,
  type LanEnv,
  requireLanCaller,
} from './lan-caller.ts';
import { responseForLocal } from './op-responses.ts';

export interface LanOpsDeps {
  readonly engine: VenueEngine;
  readonly store: RelayStore;
  readonly gate: UplinkGate;
  readonly authenticator: LanAuthenticator;
  readonly maxBatchOps: number;
  /** Ops per second per LAN address and per device; default `DEFAULT_LAN_WRITE_LIMITS`. */
  readonly writeLimits?: LanWriteLimits;
}

export interface LanWriteLimits {
  readonly perAddress: { readonly opsPerSecond: number; readonly burst: number };
  readonly perDevice: { readonly opsPerSecond: number; readonly burst: number };
  /** The limits' clock in ms; default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Generous for a busy service: a tablet back on the Wi-Fi flushes its outbox in bursts of ~50
 * ops, a long drop-out in a few full batches (100 ops each). One laptop spraying ops, under
 * new device ids or not, still meets its address's bound. The relay's own replay to the cloud
 * does not come through these routes: nothing here throttles it.
 */
export const DEFAULT_LAN_WRITE_LIMITS: LanWriteLimits = {
  perAddress: { opsPerSecond: 100, burst: 1000 },
  perDevice: { opsPerSecond: 50, burst: 500 },
};

type Ctx = Context<LanEnv>;

/**
 * An op that contradicts its own request (tenant, venue, hash), answered as the cloud answers it:
 * 400, nothing stored, so the corrected op may come again under the same key.
 */
function invalid(
  op: Operation,
  venue: { tenantId: string; venueId: string },
): Response | undefined {
  if (op.venueId !== venue.venueId || op.tenantId !== venue.tenantId)
    return problemResponse(400, 'VENUE_MISMATCH', 'Operation is for another venue', {
      detail: `op is for ${op.tenantId}/${op.venueId}`,
    });
  if (!hasValidPayloadHashSync(op))
    return problemResponse(400, 'PAYLOAD_HASH_MISMATCH', 'Operation does not match its hash', {
      detail: 'payloadHash does not match payload',
    });
  return undefined;
}

function batchResult(answer: LocalAnswer, opId: string): OpResult {
  if (answer.kind === 'key_reused') {
    return {
      opId,
      status: 'rejected',
      code: 'IDEMPOTENCY_KEY_REUSED',
      message: 'this opId was sent before with a different payload',
    };
  }
  if (
    answer.kind === 'duplicate' &&
    answer.result.status !== 'duplicate' &&
    answer.result.status !== 'retryable'
  ) {
    return { opId, status: 'duplicate', first: answer.result };
  }
  return answer.result;
}

/**
 * The write lanes on the LAN, with the cloud's paths and answers. Uplink up and nothing waiting:
 * write-through (the cloud's own answer, passed on). Otherwise, or when the forward fails on the
 * network: journal, decide locally, answer `accepted_local` (202) — durable before it answers.
 */
export function registerLanOpsRoutes(app: Hono<LanEnv>, deps: LanOpsDeps): void {
  const auth = requireLanCaller(deps.authenticator);
  const limits = deps.writeLimits ?? DEFAULT_LAN_WRITE_LIMITS;
  const now = limits.now ?? Date.now;
  const perAddress = new RateLimiter({
    perSecond: limits.perAddress.opsPerSecond,
    burst: limits.perAddress.burst,
    now,
  });
  const perDevice = new RateLimiter({
    perSecond: limits.perDevice.opsPerSecond,
    burst: limits.perDevice.burst,
    now,
  });

  /**
   * 429 when the caller's LAN address or device is over its budget; the address is checked
   * first, so a refused address spends none of its devices'. A device is the op's deviceId for
   * the person the token names: another token naming the same deviceId cannot drain it.
   */
  function limited(c: Ctx, deviceId: string, ops: number): Response | undefined {
    const address = clientAddress(c);
    // A caller on the relay's own machine (a bench, an operator's tool) could read its disk
    // anyway: not limited.
    if (isLoopback(address)) return undefined;
    const principal = c.get('caller').principal;
    for (const [limiter, key] of [
      // No address (in-process callers, not under Bun.serve) is no one address: not limited.
      ...(address === UNKNOWN_ADDRESS ? [] : ([[perAddress, addressBucket(address)]] as const)),
      [perDevice, `${principal.kind}/${actorOf(principal)}/${deviceId}`],
    ] as const) {
      const taken = limiter.take(key, ops);
      if (!taken.ok) {
        return problemResponse(429, 'RATE_LIMITED', 'Too many requests', {
          kind: 'back_off',
          retryAfter: taken.retryAfterSeconds,
          detail: `slow down; retry in ${taken.retryAfterSeconds} s`,
        });
      }
    }
    return undefined;
  }
  const venueOf = (c: Ctx) => ({
    tenantId: deps.engine.venue.tenantId,
    venueId: c.req.param('venueId') ?? '',
  });

  /**
   * Keeps the cloud's final verdicts on forwarded ops (see `VenueEngine.recordForwarded`): read
   * from a copy of the answer, so the device's response streams on untouched.
   */
  async function keepVerdicts(
    response: Response,
    ops: readonly Operation[],
    principal: Principal,
  ): Promise<void> {
    if (response.status >= 500) return;
    const body: unknown = await response
      .clone()
      .json()
      .catch(() => undefined);
    const results: unknown[] = [];
    const batch = BatchResponse.safeParse(body);
    if (batch.success) results.push(...batch.data.results);
    else if (typeof body === 'object' && body !== null && 'result' in body)
      results.push((body as { result: unknown }).result);
    else results.push(body);
    const byId = new Map(ops.map((op) => [op.opId, op]));
    const forwarded: { op: Operation; verdict: OpResult }[] = [];
    for (const raw of results) {
      const parsed = OpResult.safeParse(raw);
      const op = parsed.success ? byId.get(parsed.data.opId) : undefined;
      if (op && parsed.success) forwarded.push({ op, verdict: parsed.data });
    }
    await deps.engine.recordForwarded(principal, forwarded);
  }

  /** Forwards a write to the cloud with the device's own token; undefined when the uplink failed. */
  async function forward(
    c: Ctx,
    path: string,
    body: unknown,
    key?: string,
  ): Promise<Response | undefined> {
    if (!deps.gate.direct()) return undefined;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${c.get('caller').token}`,
    };
    if (key) headers['Idempotency-Key'] = key;
    const response = await deps.gate.forward(path, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    // A 5xx from the cloud is not an answer about the op: keep it local, replay it later.
    return response && response.status < 500 ? response : undefined;
  }

  app.post('/v1/venues/:venueId/ops', auth, async (c) => {
    const refused = forbidOtherVenue(c);
    if (refused) return refused;
    const read = await readJsonBody(c);
    if (!read.ok) return read.response;
    const bodyKey =
      typeof read.value === 'object' && read.value !== null
        ? (read.value as { _idempotencyKey?: unknown })._idempotencyKey
        : undefined;
    const key =
      c.req.header('idempotency-key') ?? (typeof bodyKey === 'string' ? bodyKey : undefined);
    if (key === undefined)
      return problemResponse(400, 'IDEMPOTENCY_KEY_MISSING', 'Idempotency-Key required', {
        detail: 'send the opId as the Idempotency-Key header',
      });
    if (!isUlid(key))
      return problemResponse(400, 'IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be a ULID', {
        detail: 'use the opId',
      });
    const parsed = parseOperation(read.value);
    if (!parsed.ok)
      return problemResponse(400, parsed.code, 'Invalid operation', { issues: parsed.issues });
    if (parsed.op.opId !== key)
      return problemResponse(400, 'IDEMPOTENCY_KEY_MISMATCH', 'Idempotency-Key must equal opId', {
        detail: `key ${key}`,
      });
    const bad = invalid(parsed.op, venueOf(c));
    if (bad) return bad;
    const serverMade = refuseServerMade([parsed.op]);
    if (serverMade) return serverMade;
    const tooMany = limited(c, parsed.op.deviceId, 1);
    if (tooMany) return tooMany;
    // An op the relay already journaled (or is journaling) stays the relay's to answer, whatever
    // the uplink does now. Looked up only when the op could go through: offline, the engine's
    // own lookup suffices.
    if (deps.gate.direct() && !deps.engine.holds(parsed.op.opId)) {
      const forwarded = await forward(
        c,
        `/v1/venues/${c.req.param('venueId')}/ops`,
        parsed.op,
        key,
      );
      if (forwarded) {
        await keepVerdicts(forwarded, [parsed.op], c.get('caller').principal);
        return forwarded;
      }
    }
    return responseForLocal(await deps.engine.submitLocal(parsed.op, c.get('caller').principal));
  });

  app.post('/v1/venues/:venueId/ops/batch', auth, async (c) => {
    const refused = forbidOtherVenue(c);
    if (refused) return refused;
    const read = await readJsonBody(c);
    if (!read.ok) return read.response;
    const ops =
      typeof read.value === 'object' && read.value !== null
        ? (read.value as { ops?: unknown }).ops
        : undefined;
    if (Array.isArray(ops) && ops.length > deps.maxBatchOps) {
      return problemResponse(413, 'BATCH_TOO_LARGE', 'Too many ops in one batch', {
        kind: 'fix_request',
        detail: `at most ${deps.maxBatchOps} ops per batch`,
      });
    }
    const parsed = BatchRequest.safeParse(read.value);
    if (!parsed.success)
      return problemResponse(400, 'VALIDATION', 'Invalid batch', {
        issues: toIssues(parsed.error),
      });
    const { deviceId } = parsed.data;
    for (const [i, op] of parsed.data.ops.entries()) {
      if (op.deviceId !== deviceId)
        return problemResponse(400, 'DEVICE_MISMATCH', 'A batch is one device’s ops', {
          detail: `ops.${i}.deviceId is not ${deviceId}`,
        });
      const bad = invalid(op, venueOf(c));
      if (bad) return bad;
    }
    // Server-made ops are this relay's payment service's to record, never a device's.
    const serverMade = refuseServerMade(parsed.data.ops);
    if (serverMade) return serverMade;
    const tooMany = limited(c, deviceId, parsed.data.ops.length);
    if (tooMany) return tooMany;
    if (deps.gate.direct() && parsed.data.ops.every((op) => !deps.engine.holds(op.opId))) {
      // When the relay decided an op is its replay's to say (decidedAt), never a device's.
      const { decidedAt: _decidedAt, ...batch } = parsed.data;
      const forwarded = await forward(c, `/v1/venues/${c.req.param('venueId')}/ops/batch`, batch);
      if (forwarded) {
        await keepVerdicts(forwarded, parsed.data.ops, c.get('caller').principal);
        return forwarded;
      }
    }
    // One tick for the whole batch: one commit (one fsync) and one frame, not one per op.
    const answers = await deps.engine.submitLocalBatch(parsed.data.ops, c.get('caller').principal);
    const results: OpResult[] = parsed.data.ops.map((op, i) => {
      const answer = answers[i];
      if (!answer) throw new Error(`no answer for op ${op.opId}`);
      return batchResult(answer, op.opId);
    });
    return c.json({ results });
  });

  app.get('/v1/venues/:venueId/ops/:opId', auth, async (c) => {
    const refused = forbidOtherVenue(c) ?? forbidUnlessStaff(c);
    if (refused) return refused;
    const record = deps.store.journalEntry(c.req.param('opId'));
    if (record) return c.json(record.result);
    if (deps.gate.direct()) {
      const forwarded = await deps.gate.forward(
        `/v1/venues/${c.req.param('venueId')}/ops/${c.req.param('opId')}`,
        {
          headers: { Authorization: `Bearer ${c.get('caller').token}` },
        },
      );
      if (forwarded && forwarded.status < 500) return forwarded;
    }
    // Sending it again is safe either way: the relay holds a resend it cannot be sure of for
    // the cloud, and the cloud applies an opId at most once.
    return problemResponse(404, 'OP_NOT_FOUND', 'No such op', {
      kind: 'stop',
      detail: 'this relay has no record of it: send it again with the same opId',
    });
  });
}
