import { describe, expect, it } from 'vitest';
import { type CardAttempt, CardAttempts, settles } from '../../web/floor/pay-controller.ts';
import type { CardAnswer } from '../../web/floor/pay-rules.ts';

// A card attempt's memory: one paymentId per attempt, asked again unchanged until an answer
// settles it, and no new charge for the same check meanwhile.

const attempt = (paymentId: string): CardAttempt => ({
  paymentId,
  orderId: 'order-1',
  tableId: 'table-5',
  amount: 3000,
  tip: 300,
  deviceId: 'device-1',
});

function route(answers: CardAnswer[]) {
  const posted: string[] = [];
  const post = async (a: CardAttempt) => {
    posted.push(a.paymentId);
    const next = answers.shift();
    if (!next) throw new Error('no answer scripted');
    return next;
  };
  return { posted, post };
}

describe('card attempts', () => {
  it('refuses a new paymentId while the last one is unsettled; the same one goes again', async () => {
    const attempts = new CardAttempts();
    const { posted, post } = route([
      { kind: 'timed_out' },
      { kind: 'unknown', reason: 'network', detail: null },
      { kind: 'approved', brand: 'visa', last4: '4242' },
    ]);
    expect(await attempts.run(attempt('p-1'), post, 0)).toEqual({ kind: 'timed_out' });
    expect(await attempts.run(attempt('p-2'), post, 1)).toEqual({ kind: 'timed_out' });
    expect(posted).toEqual(['p-1']);
    await attempts.run(attempt('p-1'), post, 2);
    await attempts.run(attempt('p-1'), post, 3);
    expect(posted).toEqual(['p-1', 'p-1', 'p-1']);
    expect(attempts.phaseOf('order-1')?.answer?.kind).toBe('approved');
    expect(attempts.answeredFor('order-1').map((a) => [a.paymentId, a.amount])).toEqual([
      ['p-1', 3000],
    ]);
  });

  it('does not POST the same attempt twice at once', async () => {
    const attempts = new CardAttempts();
    let release: (answer: CardAnswer) => void = () => {};
    let calls = 0;
    const slow = () => {
      calls += 1;
      return new Promise<CardAnswer>((resolve) => {
        release = resolve;
      });
    };
    const first = attempts.run(attempt('p-1'), slow, 0);
    expect(await attempts.run(attempt('p-1'), slow, 1)).toEqual({
      kind: 'unknown',
      reason: 'busy',
      detail: null,
    });
    release({ kind: 'declined', code: 'do_not_honor', message: null });
    await first;
    expect(calls).toBe(1);
    // Declined settles it: a new paymentId may go, and forgetting it is allowed.
    expect(settles(attempts.phaseOf('order-1')?.answer)).toBe(true);
    const { posted, post } = route([{ kind: 'stored', brand: null, last4: null }]);
    await attempts.run(attempt('p-2'), post, 2);
    expect(posted).toEqual(['p-2']);
    attempts.dismiss('order-1');
    expect(attempts.phaseOf('order-1')).toBeUndefined();
  });
});
