import type { Principal } from '../auth/principal.ts';
import type { AnyEntity } from '../entities/entity-kind.ts';
import type { RejectionCode } from '../errors/rejection.ts';
import type { EntityChange } from '../feed/feed-entry.ts';
import type { VenueState } from '../state/venue-state.ts';

/** What a decider needs besides state and op: server time and who is acting. */
export interface DecideContext {
  /** Server time (cloud or relay), ISO-8601. Stamped on what the op changes. */
  readonly now: string;
  readonly principal: Principal;
}

export type Decision =
  | {
      readonly kind: 'applied';
      /** The feed entries-to-be, in order. Empty for an idempotent repeat. */
      readonly changes: readonly EntityChange[];
      /** The state after the op, as the decider built it. */
      readonly state: VenueState;
    }
  | {
      readonly kind: 'rejected';
      readonly code: RejectionCode;
      readonly message: string;
      /** The entity as it stands, when one is at issue. */
      readonly current?: AnyEntity;
    };

export type Rejection = Extract<Decision, { kind: 'rejected' }>;

export function reject(code: RejectionCode, message: string, current?: AnyEntity): Rejection {
  return current === undefined
    ? { kind: 'rejected', code, message }
    : { kind: 'rejected', code, message, current };
}

/** Narrows a helper's `T | Rejection` result. */
export function isRejection<T>(value: T | Rejection): value is Rejection {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'rejected'
  );
}
