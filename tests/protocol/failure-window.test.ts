import { describe, expect, it } from 'vitest';
import { FailureWindow } from '#protocol';

describe('FailureWindow', () => {
  it('allows below the bound, refuses at it, and allows again once the oldest ages out', () => {
    const window = new FailureWindow({ max: 3, windowSeconds: 60 });
    window.fail('a', 0);
    window.fail('a', 10_000);
    expect(window.retryAfter('a', 10_000)).toBeUndefined();
    window.fail('a', 20_000);
    // At the bound: wait until the first failure (t = 0) leaves the window at t = 60 s.
    expect(window.retryAfter('a', 20_000)).toBe(40);
    expect(window.retryAfter('a', 59_999)).toBe(1);
    expect(window.retryAfter('a', 60_000)).toBeUndefined();
    // Other keys have their own windows.
    expect(window.retryAfter('b', 20_000)).toBeUndefined();
  });

  it('keeps counting past the bound: failures above it push the wait out', () => {
    const window = new FailureWindow({ max: 2, windowSeconds: 10 });
    window.fail('a', 0);
    window.fail('a', 1000);
    window.fail('a', 9000);
    expect(window.retryAfter('a', 9000)).toBe(2);
    expect(window.retryAfter('a', 11_000)).toBeUndefined();
  });

  it('remembers at most maxKeys keys, forgetting the stalest first', () => {
    const window = new FailureWindow({ max: 1, windowSeconds: 60, maxKeys: 4 });
    for (const key of ['a', 'b', 'c', 'd']) window.fail(key, 0);
    window.fail('a', 1000); // a failed again: b is now the stalest
    expect(window.retryAfter('b', 1000)).toBe(59);
    window.fail('e', 2000); // five keys: down to two, the most recent (a, e)
    expect(window.retryAfter('a', 2000)).toBe(59);
    expect(window.retryAfter('e', 2000)).toBe(60);
    for (const key of ['b', 'c', 'd']) expect(window.retryAfter(key, 2000)).toBeUndefined();
  });
});
