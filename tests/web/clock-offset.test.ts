import { describe, expect, it } from 'vitest';
import { ClockOffsetController, offsetFrom } from '../../web/kitchen/clock-offset.ts';

// The venue time the kitchen's clocks count in: the server's `Date` header, halfway through
// the round trip, with the header's missing half second taken as its middle.

const SERVER = Date.parse('2026-11-23T19:00:00.000Z');
const DATE = new Date(SERVER).toUTCString(); // "Mon, 23 Nov 2026 19:00:00 GMT"

describe('offsetFrom', () => {
  it('server time (mid-second) minus the round trip’s middle', () => {
    // Device sent at 1 000 and heard at 1 200: the server answered at device time 1 100.
    expect(offsetFrom(1_000, 1_200, DATE)).toBe(SERVER + 500 - 1_100);
  });

  it('a device clock five minutes fast gives −5 min (within the header’s second)', () => {
    const device = SERVER + 5 * 60_000;
    const offset = offsetFrom(device, device + 100, DATE);
    expect(offset).toBe(-5 * 60_000 + 500 - 50);
    expect(Math.abs((offset ?? 0) + 5 * 60_000)).toBeLessThan(1_000);
  });

  it('no header or one that is not a date: no measurement', () => {
    expect(offsetFrom(0, 10, null)).toBe(null);
    expect(offsetFrom(0, 10, '')).toBe(null);
    expect(offsetFrom(0, 10, 'yesterday-ish')).toBe(null);
  });
});

describe('ClockOffsetController.measure', () => {
  const host = {
    addController() {},
    removeController() {},
    requestUpdate() {},
    updateComplete: Promise.resolve(true),
  };

  function controller(answer: () => Promise<Response>, tookMs: number) {
    let device = SERVER + 60_000;
    const fetch = (async () => {
      device += tookMs;
      return answer();
    }) as unknown as typeof globalThis.fetch;
    const c = new ClockOffsetController(host, { fetch, clock: () => device });
    return { c, at: () => device };
  }

  it('keeps a quick answer’s offset; venue time is device time plus it', async () => {
    const { c, at } = controller(async () => new Response('', { headers: { date: DATE } }), 200);
    expect(c.measured).toBe(false);
    expect(c.offsetMs).toBe(0);
    await c.measure();
    expect(c.measured).toBe(true);
    expect(c.offsetMs).toBe(-60_000 + 500 - 100);
    expect(c.now()).toBe(at() + c.offsetMs);
  });

  it('ignores a slow answer (2 s or more) and a failed one', async () => {
    const slow = controller(async () => new Response('', { headers: { date: DATE } }), 2_000);
    await slow.c.measure();
    expect(slow.c.measured).toBe(false);
    const failed = controller(async () => {
      throw new TypeError('offline');
    }, 10);
    await failed.c.measure();
    expect(failed.c.measured).toBe(false);
    expect(failed.c.offsetMs).toBe(0);
  });
});
