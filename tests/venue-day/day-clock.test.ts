import { describe, expect, it } from 'vitest';
import { clockTime, DayClock } from './day-clock.ts';

describe('the day clock', () => {
  it('runs service minutes at the compression asked for, both ways', () => {
    // 60×: a simulated minute is a real second.
    const clock = new DayClock(1_000, 17 * 60, 60);
    expect(clock.minuteAt(1_000)).toBe(1020);
    expect(clock.minuteAt(61_000)).toBe(1080);
    expect(clock.realAt(1080)).toBe(61_000);
    expect(clock.realFor(6, 5_000)).toBe(6_000);
  });

  it('stretches a piece to end a minute at a real instant, then runs at another pace', () => {
    const clock = new DayClock(0, 1000, 60);
    clock.stretch(10_000, 1030, 40_000); // 20 minutes in 30 s
    expect(clock.minuteAt(10_000)).toBe(1010);
    expect(clock.minuteAt(25_000)).toBeCloseTo(1020);
    expect(clock.realAt(1030)).toBeCloseTo(40_000);
    clock.runAt(40_000, 600); // then ten minutes a second
    expect(clock.minuteAt(41_000)).toBeCloseTo(1040);
    // Earlier instants still read on their own piece.
    expect(clock.minuteAt(5_000)).toBe(1005);
    expect(() => clock.stretch(50_000, 1000, 60_000)).toThrow(/cannot stretch/);
  });

  it('says a service minute as a clock time, past midnight too', () => {
    expect(clockTime(19 * 60 + 5.75)).toBe('19:05');
    expect(clockTime(24 * 60)).toBe('00:00');
    expect(clockTime(33 * 60)).toBe('09:00');
  });
});
