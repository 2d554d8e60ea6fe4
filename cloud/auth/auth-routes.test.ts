import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { Problem, type StaffRole, TokenResponse } from '#protocol';
import { type AppEnv, requireCaller } from '../http/caller.ts';
import { DEMO } from '../seed/demo-seed.ts';
import { type PairedTestDevice, pairTestDevice } from '../testing/devices.ts';
import { makeTestApp, type TestApp } from '../testing/test-app.ts';

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});
/** One paired device per test app and caller (a key of the caller's address and headers). */
const paired = new WeakMap<TestApp, Map<string, Promise<PairedTestDevice>>>();
function deviceOf(t: TestApp, caller = ''): Promise<PairedTestDevice> {
  let devices = paired.get(t);
  if (!devices) {
    devices = new Map();
    paired.set(t, devices);
  }
  let device = devices.get(caller);
  if (!device) {
    device = pairTestDevice(t);
    devices.set(caller, device);
  }
  return device;
}

/** A staff sign-in from a paired tablet (staff sign in only on one: decision 034). */
const staffSignIn = async (t: TestApp, pin: string, venueId: string = DEMO.venueId) =>
  t.app.request('/v1/auth/staff', {
    ...json({ venueId, pin }),
    headers: { 'Content-Type': 'application/json', ...(await deviceOf(t)).header },
  });
const guestSignIn = (t: TestApp, table: string, venueId: string = DEMO.venueId) =>
  t.app.request('/v1/auth/guest', json({ venueId, table }));

describe('POST /v1/auth/staff', () => {
  it.each(Object.entries(DEMO.pins) as [StaffRole, string][])(
    'signs the demo %s in with PIN %s',
    async (role, pin) => {
      const t = await makeTestApp();
      const res = await staffSignIn(t, pin);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const text = await res.text();
      expect(text).not.toContain(pin);
      const body = TokenResponse.parse(JSON.parse(text));
      expect(body.principal).toEqual({
        kind: 'staff',
        tenantId: DEMO.tenantId,
        venueId: DEMO.venueId,
        actorId: `demo-${role}`,
        role,
      });
      expect(body.expiresAt).toBe('2026-11-24T07:30:00.000Z');
    },
  );

  it('issues a token the TokenAuthenticator accepts, and that authenticates a request', async () => {
    const t = await makeTestApp({ realTokens: true });
    const { token, principal } = TokenResponse.parse(
      await (await staffSignIn(t, DEMO.pins.manager)).json(),
    );
    const request = new Request('http://cloud/x', {
      headers: { Authorization: `Bearer ${token}` },
    });
    const did = (await deviceOf(t)).deviceId;
    expect(await t.tokenAuth.authenticate(request)).toEqual({
      ok: true,
      caller: { kind: 'principal', principal, issuer: 'cloud', did },
    });
    // The app's own authenticator (realTokens) behind the real middleware.
    const guarded = new Hono<AppEnv>();
    guarded.use('*', requireCaller(t.deps.authenticator));
    guarded.get('/whoami', (c) => c.json(c.get('caller')));
    const res = await guarded.request('/whoami', { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ kind: 'principal', principal, issuer: 'cloud', did });
    const tampered = await guarded.request('/whoami', {
      headers: { Authorization: `Bearer ${token.slice(0, -4)}AAAA` },
    });
    expect(tampered.status).toBe(401);
  });

  it('answers a wrong PIN with 401 PIN_INVALID; an unknown venue as a venue the device is not paired with', async () => {
    const t = await makeTestApp();
    const res = await staffSignIn(t, '9999');
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).not.toMatch(/9999/);
    expect(Problem.parse(JSON.parse(text))).toMatchObject({
      status: 401,
      code: 'PIN_INVALID',
      kind: 'sign_in',
    });
    // No device is paired with a venue that does not exist: the answer says no more than that.
    for (const venueId of ['no-such-venue', 'lakeside-grill']) {
      const elsewhere = await staffSignIn(t, '1111', venueId);
      expect(elsewhere.status).toBe(403);
      const body = await elsewhere.text();
      expect(body).not.toMatch(/1111/);
      expect(Problem.parse(JSON.parse(body)).code).toBe('DEVICE_NOT_PAIRED');
    }
  });

  /**
   * A staff sign-in from one peer address (Bun's server is Hono's env under Bun.serve), on a
   * paired tablet of its own per address and headers: the budgets per address are what is tried.
   */
  const signInFrom = async (
    t: TestApp,
    address: string,
    pin: string,
    headers: Record<string, string> = {},
    venueId: string = DEMO.venueId,
  ) =>
    t.app.request(
      '/v1/auth/staff',
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...headers,
          ...(await deviceOf(t, `${address} ${JSON.stringify(headers)}`)).header,
        },
        body: JSON.stringify({ venueId, pin }),
      },
      { requestIP: () => ({ address, family: 'IPv4', port: 50_000 }) },
    );

  it('stops an address after 10 wrong PINs a minute, and only that address', async () => {
    const t = await makeTestApp();
    for (let i = 0; i < 9; i++) {
      t.clock.advance(1000);
      expect((await signInFrom(t, '203.0.113.66', '0000')).status).toBe(401);
    }
    // Below the bound: the tenth guess is still decided.
    t.clock.advance(1000);
    expect((await signInFrom(t, '203.0.113.66', '0000')).status).toBe(401);
    const locked = await signInFrom(t, '203.0.113.66', DEMO.pins.server);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('51');
    expect(locked.headers.get('content-type')).toBe('application/problem+json');
    expect(Problem.parse(await locked.json())).toMatchObject({
      code: 'PIN_ATTEMPTS_EXCEEDED',
      kind: 'back_off',
      retryAfter: 51,
    });
    // A waiter at another address of the same venue signs in.
    expect((await signInFrom(t, '198.51.100.7', DEMO.pins.server)).status).toBe(200);
    // The same address at another venue is not tried there (not paired), and spends nothing.
    expect((await signInFrom(t, '203.0.113.66', '0000', {}, 'other-venue')).status).toBe(403);

    t.clock.advance(50_000);
    expect((await signInFrom(t, '203.0.113.66', DEMO.pins.server)).status).toBe(429);
    t.clock.advance(1000);
    expect((await signInFrom(t, '203.0.113.66', DEMO.pins.server)).status).toBe(200);
  });

  it('counts an IPv6 caller by its /64', async () => {
    const t = await makeTestApp();
    for (let i = 0; i < 10; i++)
      expect((await signInFrom(t, `2001:db8:1:2::${i + 1}`, '0000')).status).toBe(401);
    expect((await signInFrom(t, '2001:db8:1:2:abcd::99', DEMO.pins.server)).status).toBe(429);
    expect((await signInFrom(t, '2001:db8:1:3::1', DEMO.pins.server)).status).toBe(200);
  });

  it('never locks a venue: 200 wrong PINs from 20 addresses raise an alarm, not a wall', async () => {
    const t = await makeTestApp();
    for (let a = 0; a < 20; a++) {
      for (let i = 0; i < 10; i++) {
        expect((await signInFrom(t, `203.0.113.${a}`, '0000')).status).toBe(401);
      }
      const attacker = await signInFrom(t, `203.0.113.${a}`, '0000');
      expect(attacker.status).toBe(429);
      expect(attacker.headers.get('retry-after')).toBe('60');
    }
    expect((await signInFrom(t, '198.51.100.7', DEMO.pins.server)).status).toBe(200);
    const alarms = t.logLines.filter((l) => l.msg.startsWith('many wrong PINs'));
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ level: 'warn', fields: { venueId: DEMO.venueId } });
    const metrics = await t.deps.metrics.render();
    expect(metrics).toContain('hearth_pin_failures_total{result="wrong_pin"} 200');
    expect(metrics).toContain('hearth_pin_failures_total{result="refused"} 20');
  });

  it('reads X-Forwarded-For only from a trusted proxy, and only the hops our proxies appended', async () => {
    // Two proxies of ours: 10.0.0.3 in front, 10.0.0.2 the peer the cloud sees.
    const t = await makeTestApp({ trustedProxies: new Set(['10.0.0.2', '10.0.0.3']) });
    const via = (hops: string) => ({ 'X-Forwarded-For': hops });
    for (let i = 0; i < 10; i++) {
      const hops = via(`1.1.1.${i}, 203.0.113.9, 10.0.0.3`);
      expect((await signInFrom(t, '10.0.0.2', '0000', hops)).status).toBe(401);
    }
    // The client wrote 1.1.1.x itself; the front proxy appended 203.0.113.9, which counts.
    const spoofed = via('2.2.2.2, 203.0.113.9, 10.0.0.3');
    expect((await signInFrom(t, '10.0.0.2', '0000', spoofed)).status).toBe(429);
    const waiter = via('198.51.100.7, 10.0.0.3');
    expect((await signInFrom(t, '10.0.0.2', DEMO.pins.server, waiter)).status).toBe(200);
    // From an untrusted peer the header is the client's own word: ignored.
    for (let i = 0; i < 10; i++)
      expect((await signInFrom(t, '203.0.113.50', '0000', via(`9.9.9.${i}`))).status).toBe(401);
    expect((await signInFrom(t, '203.0.113.50', '0000', via('9.9.9.99'))).status).toBe(429);
  });

  it("counts the PINs a venue's relay forwards per LAN address it names", async () => {
    const t = await makeTestApp();
    const relay = (lan: string) => ({
      Authorization: `Bearer ${t.auth.relay('node-1', DEMO.tenantId, DEMO.venueId)}`,
      'X-Hearth-Client-Address': lan,
    });
    for (let i = 0; i < 10; i++)
      expect((await signInFrom(t, '192.0.2.1', '0000', relay('10.0.0.66'))).status).toBe(401);
    expect((await signInFrom(t, '192.0.2.1', '0000', relay('10.0.0.66'))).status).toBe(429);
    // Another tablet behind the same relay (same public address) signs in.
    expect((await signInFrom(t, '192.0.2.1', DEMO.pins.server, relay('10.0.0.12'))).status).toBe(
      200,
    );
    // The header without this venue's relay credential is nobody's word: the peer counts.
    const stranger = `Bearer ${t.auth.relay('node-9', 'other', 'other-venue')}`;
    for (let i = 0; i < 10; i++) {
      const lan = { Authorization: stranger, 'X-Hearth-Client-Address': `10.9.9.${i}` };
      expect((await signInFrom(t, '203.0.113.5', '0000', lan)).status).toBe(401);
    }
    expect((await signInFrom(t, '203.0.113.5', '0000')).status).toBe(429);
  });

  it('answers a malformed body with 400 and its issues, without echoing the PIN', async () => {
    const t = await makeTestApp();
    const notJson = await t.app.request('/v1/auth/staff', { method: 'POST', body: '{"pin": 12' });
    expect(notJson.status).toBe(400);
    expect(Problem.parse(await notJson.json())).toMatchObject({
      code: 'MALFORMED_JSON',
      kind: 'fix_request',
    });

    const badPin = await t.app.request(
      '/v1/auth/staff',
      json({ venueId: DEMO.venueId, pin: '12ab' }),
    );
    expect(badPin.status).toBe(400);
    const text = await badPin.text();
    expect(text).not.toContain('12ab');
    expect(Problem.parse(JSON.parse(text))).toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'pin', message: 'must be 4 to 8 digits' }],
    });

    const missing = await t.app.request('/v1/auth/staff', json({ pin: '1111' }));
    expect(Problem.parse(await missing.json()).issues?.map((i) => i.path)).toEqual(['venueId']);
  });
});

describe('POST /v1/auth/guest', () => {
  it('opens a table session for the printed label', async () => {
    const t = await makeTestApp({ realTokens: true });
    const res = await guestSignIn(t, '5');
    expect(res.status).toBe(200);
    const body = TokenResponse.parse(await res.json());
    expect(body.principal).toMatchObject({
      kind: 'guest',
      tenantId: DEMO.tenantId,
      venueId: DEMO.venueId,
      tableId: 'table-5',
    });
    expect(body.expiresAt).toBe('2026-11-23T23:30:00.000Z');
    const again = TokenResponse.parse(await (await guestSignIn(t, '5')).json());
    expect(again.principal).not.toEqual(body.principal);

    const request = new Request('http://cloud/x', {
      headers: { Authorization: `Bearer ${body.token}` },
    });
    expect(await t.tokenAuth.authenticate(request)).toMatchObject({
      ok: true,
      caller: { principal: body.principal },
    });
  });

  it('answers an unknown table or venue with 404 TABLE_NOT_FOUND', async () => {
    const t = await makeTestApp();
    for (const res of [
      await guestSignIn(t, '13'),
      await guestSignIn(t, 'table-5'),
      await guestSignIn(t, '5', 'no-such-venue'),
    ]) {
      expect(res.status).toBe(404);
      expect(Problem.parse(await res.json())).toMatchObject({
        code: 'TABLE_NOT_FOUND',
        kind: 'stop',
      });
    }
  });

  it('answers a malformed body with 400', async () => {
    const t = await makeTestApp();
    const res = await t.app.request('/v1/auth/guest', json({ venueId: DEMO.venueId, table: 5 }));
    expect(res.status).toBe(400);
    expect(Problem.parse(await res.json()).issues?.[0]?.path).toBe('table');
  });
});
