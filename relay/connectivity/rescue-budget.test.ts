import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canSend,
  createRescueBudget,
  nextOnRescue,
  type RescueBudget,
  RescueBudgetError,
  remainingBytes,
  spend,
} from './rescue-budget.ts';

describe('rescue budget', () => {
  it('starts empty and spends up to the budget exactly', () => {
    let b = createRescueBudget(1_000);
    expect(b).toEqual({ budgetBytes: 1_000, usedBytes: 0 });
    expect(canSend(b, 1_000)).toBe(true);
    expect(canSend(b, 1_001)).toBe(false);
    b = spend(b, 600);
    expect(remainingBytes(b)).toBe(400);
    expect(canSend(b, 400)).toBe(true);
    expect(canSend(b, 401)).toBe(false);
    b = spend(b, 400);
    expect(b).toEqual({ budgetBytes: 1_000, usedBytes: 1_000 });
    expect(canSend(b, 0)).toBe(true);
  });

  it('refuses to overrun: spend throws OVER_BUDGET and leaves the budget as it was', () => {
    const b = spend(createRescueBudget(1_000), 900);
    expect(() => spend(b, 101)).toThrowError(
      expect.objectContaining({ name: 'RescueBudgetError', code: 'OVER_BUDGET' }),
    );
    expect(b.usedBytes).toBe(900);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects %s bytes', (bytes) => {
    const b = createRescueBudget(1_000);
    expect(() => canSend(b, bytes)).toThrow(RescueBudgetError);
    expect(() => spend(b, bytes)).toThrow(RescueBudgetError);
    expect(() => createRescueBudget(bytes)).toThrow(RescueBudgetError);
    expect(() => nextOnRescue({ opReplay: bytes, feedCatchUp: 0 }, b)).toThrow(RescueBudgetError);
  });
});

describe('nextOnRescue', () => {
  const budget = createRescueBudget(10_000);

  it('chooses op replay before feed catch-up', () => {
    expect(nextOnRescue({ opReplay: 4_000, feedCatchUp: 1_000 }, budget)).toEqual({
      kind: 'send',
      lane: 'op_replay',
      bytes: 4_000,
    });
  });

  it('sends feed catch-up only when no op replay waits', () => {
    expect(nextOnRescue({ opReplay: 0, feedCatchUp: 1_000 }, budget)).toEqual({
      kind: 'send',
      lane: 'feed_catch_up',
      bytes: 1_000,
    });
  });

  it('is idle with nothing waiting', () => {
    expect(nextOnRescue({ opReplay: 0, feedCatchUp: 0 }, budget)).toEqual({ kind: 'idle' });
  });

  it('refuses a replay batch over budget, and does not let a smaller feed page jump it', () => {
    const tight = spend(budget, 8_000);
    const choice = nextOnRescue({ opReplay: 2_001, feedCatchUp: 500 }, tight);
    expect(choice).toEqual({
      kind: 'refused',
      lane: 'op_replay',
      bytes: 2_001,
      remainingBytes: 2_000,
      reason: 'op_replay needs 2001 bytes; 2000 of 10000 left on the rescue budget',
    });
  });

  it('refuses feed catch-up over budget', () => {
    const choice = nextOnRescue({ opReplay: 0, feedCatchUp: 10_001 }, budget);
    expect(choice).toMatchObject({
      kind: 'refused',
      lane: 'feed_catch_up',
      remainingBytes: 10_000,
    });
  });

  it('never exceeds the budget and never sends feed while replay waits (property)', () => {
    const item = fc.integer({ min: 0, max: 5_000 });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50_000 }),
        fc.array(fc.record({ opReplay: item, feedCatchUp: item }), { maxLength: 100 }),
        (budgetBytes, queues) => {
          let b: RescueBudget = createRescueBudget(budgetBytes);
          for (const queue of queues) {
            const choice = nextOnRescue(queue, b);
            if (queue.opReplay > 0) expect(choice).toMatchObject({ lane: 'op_replay' });
            if (choice.kind === 'send') {
              expect(canSend(b, choice.bytes)).toBe(true);
              b = spend(b, choice.bytes);
            } else if (choice.kind === 'refused') {
              expect(canSend(b, choice.bytes)).toBe(false);
              expect(choice.remainingBytes).toBe(remainingBytes(b));
            } else {
              expect(queue).toEqual({ opReplay: 0, feedCatchUp: 0 });
            }
            expect(b.usedBytes).toBeLessThanOrEqual(b.budgetBytes);
          }
        },
      ),
    );
  });
});
