import { describe, expect, it } from 'vitest';
import { Problem } from '#protocol';
import { VENUE } from '../../tests/protocol/support/venue-fixture.ts';
import { makeRelay, type Relay } from '../testing/lan-app-fixture.ts';

// Staff sign-in at the relay while it decides it (the uplink down): the wrong-PIN limits.

describe('sign-in while the relay decides it', () => {
  /** A staff sign-in from one LAN address (Bun's server is Hono's env under Bun.serve). */
  const signInFrom = (r: Relay, address: string, pin: string) =>
    r.app.request(
      '/v1/auth/staff',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ venueId: VENUE, pin }),
      },
      { requestIP: () => ({ address, family: 'IPv4', port: 50_000 }) },
    );

  it('stops one address after 10 wrong PINs a minute, not the other devices on the LAN', async () => {
    const r = await makeRelay();
    for (let i = 0; i < 10; i++)
      expect((await signInFrom(r, '10.0.0.66', '0000')).status).toBe(401);

    const locked = await signInFrom(r, '10.0.0.66', '3333');
    expect(locked.status).toBe(429);
    expect(Problem.parse(await locked.json())).toMatchObject({
      code: 'PIN_ATTEMPTS_EXCEEDED',
      retryAfter: 60,
    });
    expect((await signInFrom(r, '10.0.0.12', '3333')).status).toBe(200);
  });

  it('stops everyone after 100 wrong PINs a minute from all addresses together', async () => {
    const r = await makeRelay();
    for (let device = 0; device < 10; device++) {
      for (let i = 0; i < 10; i++) {
        expect((await signInFrom(r, `10.0.1.${device}`, '0000')).status).toBe(401);
      }
    }
    expect((await signInFrom(r, '10.0.0.12', '3333')).status).toBe(429);
  });
});
