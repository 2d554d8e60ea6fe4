import type { EntityKind } from '../entities/entity-kind.ts';
import type { RejectionCode } from '../errors/rejection.ts';
import type { EntityChange } from '../feed/feed-entry.ts';
import type { Operation } from '../ops/operation.ts';
import type { VenueState } from '../state/venue-state.ts';
import { admit, decide } from './decide.ts';
import type { DecideContext } from './decision.ts';

/*
 * How a node that decides for the cloud (the venue relay, while its uplink is down or its
 * journal is still replaying) judges an op. It knows less than the cloud: ops the cloud applied
 * that its feed has not brought yet (one it forwarded whose entries are still on the way, one a
 * phone on mobile data sent straight to the cloud). So only a refusal that no state can change
 * is final here; anything its state merely suggests is held and decided by the cloud.
 *
 *   access refused (venue, token, actor, role) ──────────▶ reject  final, the same anywhere
 *   a dependency rejected for good ──────────────────────▶ reject  DEPENDENCY_REJECTED, final
 *   a dependency this node has not seen ─────────────────▶ hold    the cloud decides it
 *   decided on this node's state: applied ───────────────▶ accept  (accepted_local)
 *     … but it changes what the cloud is known to have ──▶ hold    (an op this node forwarded
 *       changed since this node's copy                            changed it; its entries are
 *                                                                  not here yet)
 *   decided on this node's state: rejected ──────────────▶ hold    the cloud may know more
 *
 * A held op is in the node's custody (journaled, replayed in order); its device is answered
 * retryable DEPENDENCY_PENDING until the cloud's verdict arrives.
 */

/**
 * How long the cloud holds an op whose dependency it has never seen before rejecting it
 * `DEPENDENCY_UNKNOWN`, counted from its first sight of the op. A relay holds such an op with no
 * bound while its uplink is down (it cannot ask); only the cloud's answer ends the wait.
 */
export const DEPENDENCY_HOLD_MS = 60 * 60 * 1000;

/** What the deciding node knows of an op named in `dependsOn`. */
export type DependencyStatus =
  /** Never seen here: it may exist at the cloud, or nowhere. */
  | 'unknown'
  /** In this node's custody, not yet settled by the cloud (it will be replayed first). */
  | 'waiting'
  /** Applied (by the cloud, or settled as applied). */
  | 'applied'
  /** Rejected for good. */
  | 'rejected';

export type LocalVerdict =
  | {
      readonly kind: 'accept';
      readonly changes: readonly EntityChange[];
      readonly state: VenueState;
    }
  | { readonly kind: 'reject'; readonly code: RejectionCode; readonly message: string }
  | {
      readonly kind: 'hold';
      /**
       * What this node saw: a dependency it has not seen, an entity its copy is known to be
       * behind on, or the rejection its state suggests.
       */
      readonly basis: 'unknown_dependency' | 'stale_copy' | RejectionCode;
      readonly message: string;
    };

/**
 * Judges an op where the cloud's state may be ahead of `state`. Pure.
 *
 * @example
 * judgeLocally(visible, addLinesOnAnOrderNotSeenYet, ctx, status)
 * // → { kind: 'hold', basis: 'NOT_FOUND', message: 'held for the cloud: NOT_FOUND …' }
 */
export function judgeLocally(
  state: VenueState,
  op: Operation,
  ctx: DecideContext,
  dependency: (opId: string) => DependencyStatus,
  /** Whether the cloud is known to have changed this entity since this node's copy of it. */
  behind: (entity: EntityKind, id: string) => boolean = () => false,
): LocalVerdict {
  const refused = admit(state, op, ctx);
  if (refused) return { kind: 'reject', code: refused.code, message: refused.message };
  let unseen: string | undefined;
  for (const opId of op.dependsOn) {
    const status = dependency(opId);
    if (status === 'rejected') {
      return {
        kind: 'reject',
        code: 'DEPENDENCY_REJECTED',
        message: `depends on ${opId}, which was rejected`,
      };
    }
    if (status === 'unknown') unseen ??= opId;
  }
  if (unseen !== undefined) {
    return {
      kind: 'hold',
      basis: 'unknown_dependency',
      message: `held for the cloud: depends on ${unseen}, which this relay has not seen`,
    };
  }
  const decision = decide(state, op, ctx);
  if (decision.kind === 'applied') {
    const stale = decision.changes.find((change) => behind(change.entity, change.id));
    if (stale) {
      return {
        kind: 'hold',
        basis: 'stale_copy',
        message: `held for the cloud: it changes ${stale.entity} ${stale.id}, which the cloud changed after this relay's copy`,
      };
    }
    return { kind: 'accept', changes: decision.changes, state: decision.state };
  }
  return {
    kind: 'hold',
    basis: decision.code,
    message: `held for the cloud: ${decision.code} here (${decision.message}), which the cloud may not see`,
  };
}
