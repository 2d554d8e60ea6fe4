import {
  type AppliedResult,
  DEPENDENCY_HOLD_MS,
  decide,
  type FeedEntry,
  type Operation,
  type Principal,
  type RejectedResult,
  TENANT_WIDE_KINDS,
  type VenueState,
} from '#protocol';
import type { FeedBus } from '../../server/feed-bus.ts';
import { hasValidPayloadHashSync } from '../../server/payload-hash.ts';
import type { CloudStore, TenantTx, VenueRecord } from '../store/cloud-store.ts';
import type { VenueStates } from './venue-states.ts';

export type FirstResult = AppliedResult | RejectedResult;

/** What became of one op in a write. */
export type OpOutcome =
  /** Decided now, and recorded with the feed entries in the same transaction. */
  | { readonly kind: 'decided'; readonly result: FirstResult }
  /** Seen before with the same payload: the first result, unchanged. */
  | { readonly kind: 'duplicate'; readonly result: FirstResult }
  /** Seen before with another payload: a client bug. Nothing recorded. */
  | { readonly kind: 'key_reused'; readonly opId: string }
  /** Not decided now; the same op, same key, later. Nothing recorded. */
  | {
      readonly kind: 'retryable';
      readonly opId: string;
      readonly code: 'IN_FLIGHT' | 'DEPENDENCY_PENDING' | 'NOT_PROCESSED';
      readonly message: string;
      readonly retryAfterMs: number;
    }
  /** The op contradicts its own request (hash, venue). Nothing recorded. */
  | {
      readonly kind: 'invalid';
      readonly opId: string;
      readonly code: 'PAYLOAD_HASH_MISMATCH' | 'VENUE_MISMATCH';
      readonly message: string;
    };

export interface OpWriterDeps {
  readonly store: CloudStore;
  readonly states: VenueStates;
  readonly bus: FeedBus;
  readonly clock: () => Date;
  /** How long an op whose dependency was never seen is held (default DEPENDENCY_HOLD_MS). */
  readonly dependencyHoldMs?: number;
}

/** Ops held for an unseen dependency that the writer remembers at most (oldest dropped first). */
const MAX_HELD = 10_000;

/** The longest uplink outage whose replayed ops are still decided at the relay's time. */
export const MAX_REPLAY_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The time a replayed op is decided at: when the relay decided it (`decidedAt`), but never after
 * the cloud's `now`, and the cloud's `now` when missing, unreadable or older than
 * {@link MAX_REPLAY_AGE_MS}, so an op decided offline at 23:50 keeps its business day.
 */
export function decisionTime(now: string, decidedAt: string | undefined): string {
  if (decidedAt === undefined) return now;
  const at = Date.parse(decidedAt);
  const cloud = Date.parse(now);
  if (Number.isNaN(at) || at < cloud - MAX_REPLAY_AGE_MS) return now;
  return at >= cloud ? now : new Date(at).toISOString();
}

export interface WriteOptions {
  /**
   * When a relay decided each op offline, by opId: each is decided at {@link decisionTime}.
   * Only for a relay's replay; the caller checks who is sending.
   */
  readonly decidedAt?: Readonly<Record<string, string>>;
}

/**
 * The one write path. A direct write is a batch of one; a batch replays one device's ops in
 * order. Per op: idempotency lookup, dependency check, decide, append feed entries, record the
 * result — the whole batch in one transaction, so no half change is ever visible, and a crash
 * before commit leaves every op to be retried under its own key.
 */
export class OpWriter {
  /**
   * Keys being written by this process: a second request for one answers 409 at once. Across
   * instances the store decides (the tenant's lock orders them; the later finds the record).
   */
  private readonly inFlight = new Set<string>();
  /**
   * When each op held for an unseen dependency was first seen (ms). In memory, per process: a
   * restart, or the op reaching another instance, starts the wait again, which only lengthens it.
   */
  private readonly heldSince = new Map<string, number>();
  private readonly deps: OpWriterDeps;

  constructor(deps: OpWriterDeps) {
    this.deps = deps;
  }

  async write(
    venue: VenueRecord,
    principal: Principal,
    ops: readonly Operation[],
    options: WriteOptions = {},
  ): Promise<OpOutcome[]> {
    const outcomes: (OpOutcome | undefined)[] = new Array(ops.length).fill(undefined);
    // Per-device FIFO: once one op cannot be decided now, the ops after it wait too.
    let stopAt = ops.length;
    for (const [i, op] of ops.entries()) {
      if (op.venueId !== venue.venueId || op.tenantId !== venue.tenantId) {
        outcomes[i] = {
          kind: 'invalid',
          opId: op.opId,
          code: 'VENUE_MISMATCH',
          message: `op is for ${op.tenantId}/${op.venueId}`,
        };
      } else if (!hasValidPayloadHashSync(op)) {
        outcomes[i] = {
          kind: 'invalid',
          opId: op.opId,
          code: 'PAYLOAD_HASH_MISMATCH',
          message: 'payloadHash does not match payload',
        };
      } else if (this.inFlight.has(keyOf(venue.tenantId, op.opId))) {
        outcomes[i] = retry(
          op.opId,
          'IN_FLIGHT',
          'this op is being applied by another request',
          1000,
        );
        stopAt = i;
        break;
      }
    }
    const claimed = ops
      .slice(0, stopAt)
      .filter((_, i) => outcomes[i] === undefined)
      .map((op) => keyOf(venue.tenantId, op.opId));
    if (claimed.length === 0) return this.settle(ops, outcomes);
    for (const key of claimed) this.inFlight.add(key);
    try {
      const now = this.deps.clock().toISOString();
      const committed = await this.deps.store.transact(venue.tenantId, (tx) =>
        this.decideAll(tx, venue, principal, ops, outcomes, stopAt, now, options.decidedAt),
      );
      for (const [venueId, state] of committed.states)
        this.deps.states.remember(venueId, state.seq, state.state);
      for (const venueId of committed.stale) this.deps.states.forget(venueId);
      for (const [venueId, entries] of committed.entries) this.deps.bus.publish(venueId, entries);
    } finally {
      for (const key of claimed) this.inFlight.delete(key);
    }
    return this.settle(ops, outcomes);
  }

  /** Every op gets an outcome: those never reached wait behind the one that stopped the batch. */
  private settle(
    ops: readonly Operation[],
    outcomes: readonly (OpOutcome | undefined)[],
  ): OpOutcome[] {
    return outcomes.map(
      (outcome, i) =>
        outcome ??
        retry(
          ops[i]?.opId ?? '',
          'NOT_PROCESSED',
          'an earlier op of this device must go first',
          1000,
        ),
    );
  }

  private async decideAll(
    tx: TenantTx,
    venue: VenueRecord,
    principal: Principal,
    ops: readonly Operation[],
    outcomes: (OpOutcome | undefined)[],
    stopAt: number,
    now: string,
    decidedAt: WriteOptions['decidedAt'],
  ) {
    const { tenantId, venueId } = venue;
    let state: VenueState = await this.deps.states.load(tx, tenantId, venueId);
    const entries = new Map<string, FeedEntry[]>();
    const stale = new Set<string>();
    for (let i = 0; i < stopAt; i++) {
      const op = ops[i];
      if (!op || outcomes[i] !== undefined) continue;
      const known = await tx.getIdempotency(tenantId, op.opId);
      if (known) {
        // The same opId at another venue is another request, however alike: never its result.
        const same = known.payloadHash === op.payloadHash && known.venueId === venueId;
        outcomes[i] = same
          ? { kind: 'duplicate', result: known.result }
          : { kind: 'key_reused', opId: op.opId };
        continue;
      }
      const blocked = await this.blockedBy(tx, tenantId, op);
      const expired = blocked?.kind === 'pending' && this.holdExpired(tenantId, op.opId, now);
      if (blocked?.kind === 'pending' && !expired) {
        outcomes[i] = retry(op.opId, 'DEPENDENCY_PENDING', `waits for ${blocked.opId}`, 2000);
        break;
      }
      let result: FirstResult;
      if (blocked?.kind === 'pending') {
        result = rejected(
          op.opId,
          'DEPENDENCY_UNKNOWN',
          `depends on ${blocked.opId}, which no one sent within ${Math.round(this.holdMs / 60_000)} min`,
        );
      } else if (blocked?.kind === 'rejected') {
        result = rejected(
          op.opId,
          'DEPENDENCY_REJECTED',
          `depends on ${blocked.opId}, which was rejected`,
        );
      } else {
        // The decision's time only: the feed, the result and the idempotency record keep the
        // cloud's (retention counts from when the cloud recorded it).
        const at = decisionTime(now, decidedAt?.[op.opId]);
        const decision = decide(state, op, { now: at, principal });
        if (decision.kind === 'rejected') {
          result = rejected(op.opId, decision.code, decision.message, decision.current);
        } else {
          const placed = await tx.append(venueId, decision.changes, { opId: op.opId, at: now });
          push(entries, venueId, placed);
          const shared = decision.changes.filter((c) => TENANT_WIDE_KINDS.includes(c.entity));
          if (shared.length > 0) {
            for (const other of await this.deps.store.listVenues(tenantId)) {
              if (other.venueId === venueId) continue;
              push(
                entries,
                other.venueId,
                await tx.append(other.venueId, shared, { opId: op.opId, at: now }),
              );
              stale.add(other.venueId);
            }
          }
          state = decision.state;
          result = {
            opId: op.opId,
            status: 'applied',
            seq: placed.at(-1)?.seq ?? (await tx.head(venueId)),
            changed: decision.changes.map((c) => ({
              entity: c.entity,
              id: c.id,
              version: c.version,
            })),
            at: now,
          };
        }
      }
      await tx.putIdempotency({
        tenantId,
        opId: op.opId,
        venueId,
        deviceId: op.deviceId,
        payloadHash: op.payloadHash,
        result,
        createdAt: now,
      });
      outcomes[i] = { kind: 'decided', result };
      if (this.heldSince.size > 0) this.heldSince.delete(keyOf(tenantId, op.opId));
    }
    const states = new Map([[venueId, { seq: await tx.head(venueId), state }]]);
    return { states, entries, stale };
  }

  private get holdMs(): number {
    return this.deps.dependencyHoldMs ?? DEPENDENCY_HOLD_MS;
  }

  /** Whether an op waiting on an unseen dependency has waited its bound (first sight counts). */
  private holdExpired(tenantId: string, opId: string, now: string): boolean {
    const key = keyOf(tenantId, opId);
    const at = Date.parse(now);
    const since = this.heldSince.get(key);
    if (since === undefined) {
      if (this.heldSince.size >= MAX_HELD) {
        const oldest = this.heldSince.keys().next();
        if (!oldest.done) this.heldSince.delete(oldest.value);
      }
      this.heldSince.set(key, at);
      return this.holdMs <= 0;
    }
    if (at - since < this.holdMs) return false;
    this.heldSince.delete(key);
    return true;
  }

  private async blockedBy(
    tx: TenantTx,
    tenantId: string,
    op: Operation,
  ): Promise<{ kind: 'pending' | 'rejected'; opId: string } | undefined> {
    for (const dependency of op.dependsOn) {
      const record = await tx.getIdempotency(tenantId, dependency);
      if (!record) return { kind: 'pending', opId: dependency };
      if (record.result.status === 'rejected') return { kind: 'rejected', opId: dependency };
    }
    return undefined;
  }
}

function keyOf(tenantId: string, opId: string): string {
  return `${tenantId}/${opId}`;
}

function retry(
  opId: string,
  code: 'IN_FLIGHT' | 'DEPENDENCY_PENDING' | 'NOT_PROCESSED',
  message: string,
  retryAfterMs: number,
): OpOutcome {
  return { kind: 'retryable', opId, code, message, retryAfterMs };
}

function rejected(
  opId: string,
  code: RejectedResult['code'],
  message: string,
  current?: unknown,
): RejectedResult {
  return current === undefined
    ? { opId, status: 'rejected', code, message }
    : { opId, status: 'rejected', code, message, current };
}

function push(map: Map<string, FeedEntry[]>, venueId: string, entries: readonly FeedEntry[]): void {
  const list = map.get(venueId) ?? [];
  list.push(...entries);
  map.set(venueId, list);
}
