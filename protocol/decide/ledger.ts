import type { RejectionCode } from '../errors/rejection.ts';
import type { EntityChange } from '../feed/feed-entry.ts';
import type { Operation } from '../ops/operation.ts';
import type { VenueState } from '../state/venue-state.ts';
import { decide } from './decide.ts';
import type { DecideContext } from './decision.ts';

/** What became of an op the first time: the record an idempotency journal keeps. */
export type LedgerRecord =
  | {
      readonly payloadHash: string;
      readonly outcome: 'applied';
      readonly changes: readonly EntityChange[];
    }
  | {
      readonly payloadHash: string;
      readonly outcome: 'rejected';
      readonly code: RejectionCode;
      readonly message: string;
    };

/** opId → first outcome. */
export type Ledger = ReadonlyMap<string, LedgerRecord>;

export type Settled =
  | {
      readonly kind: 'first';
      readonly record: LedgerRecord;
      readonly state: VenueState;
      readonly ledger: Ledger;
    }
  | {
      readonly kind: 'duplicate';
      readonly record: LedgerRecord;
      readonly state: VenueState;
      readonly ledger: Ledger;
    }
  /** Same opId, different payload: a client bug (HTTP 422); nothing is recorded. */
  | { readonly kind: 'key_reused'; readonly state: VenueState; readonly ledger: Ledger }
  /** A dependency has not arrived yet: try again later; nothing is recorded. */
  | {
      readonly kind: 'deferred';
      readonly missing: string;
      readonly state: VenueState;
      readonly ledger: Ledger;
    };

/**
 * Exactly-once application, as a pure function: the semantics the cloud's idempotency journal
 * and the relay's op journal both implement over their stores.
 * - a known opId with the same payloadHash → its first outcome, state untouched;
 * - a known opId with another payloadHash → key_reused;
 * - a dependency that was rejected → rejected with DEPENDENCY_REJECTED (and recorded);
 * - a dependency not yet seen → deferred;
 * - otherwise decide, record, and return the new state.
 */
export function applyOnce(
  state: VenueState,
  ledger: Ledger,
  op: Operation,
  ctx: DecideContext,
): Settled {
  const known = ledger.get(op.opId);
  if (known) {
    return known.payloadHash === op.payloadHash
      ? { kind: 'duplicate', record: known, state, ledger }
      : { kind: 'key_reused', state, ledger };
  }
  for (const dependency of op.dependsOn) {
    const record = ledger.get(dependency);
    if (!record) return { kind: 'deferred', missing: dependency, state, ledger };
    if (record.outcome === 'rejected') {
      return recordFirst(state, ledger, op.opId, {
        payloadHash: op.payloadHash,
        outcome: 'rejected',
        code: 'DEPENDENCY_REJECTED',
        message: `depends on ${dependency}, which was rejected (${record.code})`,
      });
    }
  }
  const decision = decide(state, op, ctx);
  if (decision.kind === 'rejected') {
    return recordFirst(state, ledger, op.opId, {
      payloadHash: op.payloadHash,
      outcome: 'rejected',
      code: decision.code,
      message: decision.message,
    });
  }
  return recordFirst(decision.state, ledger, op.opId, {
    payloadHash: op.payloadHash,
    outcome: 'applied',
    changes: decision.changes,
  });
}

function recordFirst(
  state: VenueState,
  ledger: Ledger,
  opId: string,
  record: LedgerRecord,
): Settled {
  const next = new Map(ledger);
  next.set(opId, record);
  return { kind: 'first', record, state, ledger: next };
}
