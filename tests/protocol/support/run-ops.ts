import { type Decision, decide, type Operation, type Principal, type VenueState } from '#protocol';
import { ctxFor, staff } from './venue-fixture.ts';

/** Applies ops in order for test setup; a rejection here is a broken fixture, so it throws. */
export function applyAll(
  state: VenueState,
  ops: readonly Operation[],
  principal: Principal = staff('manager'),
): VenueState {
  let current = state;
  for (const op of ops) {
    const decision = decide(current, op, ctxFor(principal));
    if (decision.kind === 'rejected')
      throw new Error(`setup op ${op.type} rejected: ${decision.code} ${decision.message}`);
    current = decision.state;
  }
  return current;
}

/** The expected verdict of one transition-table cell. */
export type Verdict = { moved: string } | 'unchanged' | 'refused';

/** Asserts a decision matches a table cell; `statusOf` reads the status from the changed entity. */
export function verdictOf(
  decision: Decision,
  statusOf: (state: VenueState) => string | undefined,
  before: string,
): Verdict {
  if (decision.kind === 'rejected') {
    if (decision.code !== 'INVALID_STATE_TRANSITION' && decision.code !== 'ALREADY_EXISTS') {
      throw new Error(`rejected for another reason: ${decision.code} ${decision.message}`);
    }
    return 'refused';
  }
  if (decision.changes.length === 0) return 'unchanged';
  const after = statusOf(decision.state);
  if (after === undefined) throw new Error('entity missing after an applied transition');
  return after === before ? 'unchanged' : { moved: after };
}
