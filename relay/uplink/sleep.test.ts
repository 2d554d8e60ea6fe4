import { describe, expect, it } from 'vitest';
import { Waker } from './sleep.ts';

// The real waker, on real timers: whether a sleep has ended is asked after a turn of the event
// loop, never timed.

const turn = () => new Promise((resolve) => setImmediate(resolve));

function tracked(sleep: Promise<void>): { done: () => boolean } {
  let done = false;
  void sleep.then(() => {
    done = true;
  });
  return { done: () => done };
}

describe('Waker', () => {
  it('ends a long sleep when woken', async () => {
    const waker = new Waker();
    const sleep = tracked(waker.sleep(3_600_000));
    await turn();
    expect(sleep.done()).toBe(false);
    waker.wake();
    await turn();
    expect(sleep.done()).toBe(true);
  });

  it('keeps no wake for later: one with no sleep under way does not end the next sleep', async () => {
    const waker = new Waker();
    waker.wake();
    const sleep = tracked(waker.sleep(3_600_000));
    await turn();
    expect(sleep.done()).toBe(false);
    waker.wake();
    await turn();
    expect(sleep.done()).toBe(true);
  });

  it('ends a sleep when its time is up, and a wake after that is harmless', async () => {
    const waker = new Waker();
    await waker.sleep(1);
    waker.wake();
    const next = tracked(waker.sleep(3_600_000));
    await turn();
    expect(next.done()).toBe(false);
    waker.wake();
    await turn();
    expect(next.done()).toBe(true);
  });
});
