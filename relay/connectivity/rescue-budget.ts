/**
 * The byte budget of the metered rescue uplink, and what to send on it next. Pure: the shell
 * holds the budget value, asks `nextOnRescue` what to send, sends it, then records it with
 * `spend`. Sizes are known before sending (a serialized batch body or a feed page request with
 * its expected response size), so the budget is checked up front and never overrun.
 *
 * Priority is strict: op replay always goes before feed catch-up. A feed page never jumps a
 * waiting replay batch, not even when the batch does not fit and the page would; the shell
 * splits the batch (the refusal tells it how many bytes are left) or waits for a new budget.
 */

export interface RescueBudget {
  readonly budgetBytes: number;
  readonly usedBytes: number;
}

export type RescueBudgetErrorCode = 'INVALID_BYTES' | 'OVER_BUDGET';

/** Thrown for a byte count that is not a non-negative safe integer, or a spend over budget. */
export class RescueBudgetError extends Error {
  readonly code: RescueBudgetErrorCode;
  constructor(code: RescueBudgetErrorCode, message: string) {
    super(message);
    this.name = 'RescueBudgetError';
    this.code = code;
  }
}

/** A fresh budget of `budgetBytes`, nothing used. */
export function createRescueBudget(budgetBytes: number): RescueBudget {
  assertBytes(budgetBytes, 'budgetBytes');
  return { budgetBytes, usedBytes: 0 };
}

/** Bytes still available. */
export function remainingBytes(budget: RescueBudget): number {
  return Math.max(0, budget.budgetBytes - budget.usedBytes);
}

/** Whether sending `bytes` keeps usage within the budget. */
export function canSend(budget: RescueBudget, bytes: number): boolean {
  assertBytes(bytes, 'bytes');
  return bytes <= remainingBytes(budget);
}

/**
 * The budget after sending `bytes`. Throws `OVER_BUDGET` rather than overrun: call `canSend`
 * (or `nextOnRescue`) first.
 *
 * @example
 * let b = createRescueBudget(50_000_000);
 * if (canSend(b, body.byteLength)) { await send(body); b = spend(b, body.byteLength); }
 */
export function spend(budget: RescueBudget, bytes: number): RescueBudget {
  if (!canSend(budget, bytes)) {
    throw new RescueBudgetError(
      'OVER_BUDGET',
      `sending ${bytes} bytes would exceed the rescue budget (${remainingBytes(budget)} of ${budget.budgetBytes} left)`,
    );
  }
  return { ...budget, usedBytes: budget.usedBytes + bytes };
}

export type RescueLane = 'op_replay' | 'feed_catch_up';

/** Bytes waiting in each lane: the size of the next batch or page (0 = nothing waiting). */
export interface RescueQueue {
  readonly opReplay: number;
  readonly feedCatchUp: number;
}

export type RescueChoice =
  | { readonly kind: 'send'; readonly lane: RescueLane; readonly bytes: number }
  | {
      readonly kind: 'refused';
      readonly lane: RescueLane;
      readonly bytes: number;
      readonly remainingBytes: number;
      readonly reason: string;
    }
  | { readonly kind: 'idle' };

/**
 * What to send next on the rescue link: op replay if any is waiting, else feed catch-up, else
 * nothing; refused (with the bytes left) when the lane's next item would exceed the budget.
 *
 * @example
 * nextOnRescue({ opReplay: 4_000, feedCatchUp: 90_000 }, budget)
 * // → { kind: 'send', lane: 'op_replay', bytes: 4_000 }
 */
export function nextOnRescue(queue: RescueQueue, budget: RescueBudget): RescueChoice {
  assertBytes(queue.opReplay, 'queue.opReplay');
  assertBytes(queue.feedCatchUp, 'queue.feedCatchUp');
  const lane: RescueLane | null =
    queue.opReplay > 0 ? 'op_replay' : queue.feedCatchUp > 0 ? 'feed_catch_up' : null;
  if (lane === null) return { kind: 'idle' };
  const bytes = lane === 'op_replay' ? queue.opReplay : queue.feedCatchUp;
  if (canSend(budget, bytes)) return { kind: 'send', lane, bytes };
  const left = remainingBytes(budget);
  return {
    kind: 'refused',
    lane,
    bytes,
    remainingBytes: left,
    reason: `${lane} needs ${bytes} bytes; ${left} of ${budget.budgetBytes} left on the rescue budget`,
  };
}

function assertBytes(bytes: number, name: string): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RescueBudgetError('INVALID_BYTES', `${name} must be a non-negative integer`);
  }
}
