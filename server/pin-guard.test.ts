import { describe, expect, it } from 'vitest';
import { memoryLogger } from './logger.ts';
import { ServerMetrics } from './metrics.ts';
import { PinGuard } from './pin-guard.ts';

describe('PinGuard', () => {
  const limits = {
    perAddress: { max: 3, windowSeconds: 60 },
    venueAlarm: { max: 5, windowSeconds: 60 },
  };

  it('refuses an address at its bound with 429 back_off and Retry-After, not below it', async () => {
    const guard = new PinGuard(limits);
    guard.failed('a', 'v', 0);
    guard.failed('a', 'v', 1000);
    expect(guard.refusal('a', 1000)).toBeUndefined();
    guard.failed('a', 'v', 2000);
    const refused = guard.refusal('a', 2000);
    expect(refused?.status).toBe(429);
    expect(refused?.headers.get('Retry-After')).toBe('58');
    expect(await refused?.json()).toMatchObject({
      code: 'PIN_ATTEMPTS_EXCEEDED',
      kind: 'back_off',
      retryAfter: 58,
    });
    expect(guard.refusal('b', 2000)).toBeUndefined();
    expect(guard.refusal('a', 60_000)).toBeUndefined();
  });

  it("never blocks on the venue's total: past it, one warning a window and a metric", async () => {
    const { log, lines } = memoryLogger();
    const metrics = new ServerMetrics();
    const guard = new PinGuard(limits, { log, metrics });
    for (let i = 0; i < 4; i++) guard.failed(`addr-${i}`, 'v', 0);
    expect(lines).toHaveLength(0);
    // The fifth wrong PIN at the venue reaches the alarm bound; more in the window stay quiet.
    for (let i = 4; i < 12; i++) guard.failed(`addr-${i}`, 'v', 1000);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'many wrong PINs at a venue: someone may be guessing'],
    ]);
    expect(lines[0]?.fields).toMatchObject({ venueId: 'v', atLeast: 5, windowSeconds: 60 });
    // Every address is still under its own budget: nobody is refused.
    for (let i = 0; i < 12; i++) expect(guard.refusal(`addr-${i}`, 1000)).toBeUndefined();
    // A window later it warns again if the guessing goes on.
    for (let i = 0; i < 5; i++) guard.failed(`late-${i}`, 'v', 62_000);
    expect(lines).toHaveLength(2);
    expect(await metrics.render()).toContain('hearth_pin_failures_total{result="wrong_pin"} 17');
  });
});
