import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { Problem } from '#protocol';
import { NOW, VENUE } from '../../tests/protocol/support/venue-fixture.ts';
import { MemoryRelayStore } from '../store/memory-relay-store.ts';
import { RelayBus } from '../sync/feed-bus.ts';
import { makeRelay, type Relay } from '../testing/lan-app-fixture.ts';
import {
  bootstrappedEngine,
  lanDevices,
  offlineGate,
  type PairedDevice,
  pairDevice,
  staffWithPins,
  testRelayKeys,
} from '../testing/lan-fixture.ts';
import type { UplinkGate } from '../uplink/uplink-gate.ts';
import { CLIENT_ADDRESS_HEADER, registerLanAuthRoutes } from './auth-routes.ts';
import type { LanEnv } from './lan-caller.ts';
import { RelayMetrics } from './relay-metrics.ts';

// Staff sign-in at the relay while it decides it (the uplink down): the wrong-PIN limits.

const SAM = { memberId: 'server-1', name: 'Sam', role: 'server', pin: '1111' } as const;

describe('sign-in while the relay decides it', () => {
  /**
   * A staff sign-in from one LAN address (Bun's server is Hono's env under Bun.serve), on the
   * tablet paired at that address (one each: wrong PINs count per device too).
   */
  const tablets = new WeakMap<Relay, Map<string, PairedDevice>>();
  const signInFrom = async (r: Relay, address: string, pin: string) => {
    const paired = tablets.get(r) ?? new Map<string, PairedDevice>();
    tablets.set(r, paired);
    let tablet = paired.get(address);
    if (!tablet) {
      tablet = await pairDevice(r.engine, `tablet-${address}`);
      paired.set(address, tablet);
    }
    return r.app.request(
      '/v1/auth/staff',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...tablet.headers },
        body: JSON.stringify({ venueId: VENUE, pin }),
      },
      { requestIP: () => ({ address, family: 'IPv4', port: 50_000 }) },
    );
  };

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

  it('counts an IPv6 caller by its /64: a fresh address per guess brings no fresh budget', async () => {
    const r = await makeRelay();
    for (let i = 0; i < 10; i++)
      expect((await signInFrom(r, `2001:db8:1:2::${i + 1}`, '0000')).status).toBe(401);
    expect((await signInFrom(r, '2001:db8:1:2:abcd::99', '3333')).status).toBe(429);
    expect((await signInFrom(r, '2001:db8:1:3::1', '3333')).status).toBe(200);
  });

  it('never locks the venue: 200 wrong PINs from 20 addresses only raise an alarm', async () => {
    const r = await makeRelay();
    for (let device = 0; device < 20; device++) {
      for (let i = 0; i < 10; i++) {
        expect((await signInFrom(r, `10.0.1.${device}`, '0000')).status).toBe(401);
      }
      const attacker = await signInFrom(r, `10.0.1.${device}`, '0000');
      expect(attacker.status).toBe(429);
      expect(attacker.headers.get('Retry-After')).toBe('60');
    }
    // The old venue-wide bound was 100: a waiter on another tablet still signs in.
    expect((await signInFrom(r, '10.0.0.12', '3333')).status).toBe(200);
    const alarms = r.logLines.filter((l) => l.msg.startsWith('many wrong PINs'));
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.level).toBe('warn');
  });
});

/** The auth routes alone on a fake clock, Sam (PIN 1111) on the staff list. */
async function lanAuth(gate: UplinkGate = offlineGate) {
  const { identity, signer } = await testRelayKeys;
  const store = new MemoryRelayStore();
  let now = Date.parse(NOW);
  const clock = () => new Date(now);
  const bus = new RelayBus();
  const engine = await bootstrappedEngine(store, bus, clock);
  const devices = lanDevices(engine, bus, clock);
  const tablet = await pairDevice(engine);
  store.replaceStaff(await staffWithPins(identity, [SAM]));
  const metrics = new RelayMetrics();
  const app = new Hono<LanEnv>();
  registerLanAuthRoutes(app, { identity, signer, store, engine, gate, clock, metrics, devices });
  // One paired tablet per address unless told: wrong PINs count per device too.
  const tablets = new Map<string, PairedDevice>();
  const signIn = async (address: string, pin: string, device?: PairedDevice) => {
    let tablet = device ?? tablets.get(address);
    if (!tablet) {
      tablet = await pairDevice(engine, `tablet-${address}`);
      tablets.set(address, tablet);
    }
    return app.request(
      '/v1/auth/staff',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...tablet.headers },
        body: JSON.stringify({ venueId: VENUE, pin }),
      },
      { requestIP: () => ({ address, family: 'IPv4', port: 50_000 }) },
    );
  };
  const tabletAt = async (address: string) => {
    const known = tablets.get(address);
    if (!known) throw new Error(`no tablet at ${address}`);
    return known;
  };
  return { signIn, metrics, engine, tablet, tabletAt, advance: (ms: number) => (now += ms) };
}

describe('the wrong-PIN budget on a fake clock, uplink down or up', () => {
  it('decides 10 wrong PINs a minute per address, refuses the 11th until the first ages out', async () => {
    const r = await lanAuth();
    for (let i = 0; i < 9; i++) {
      expect((await r.signIn('10.0.0.66', '0000')).status).toBe(401);
      r.advance(1000);
    }
    expect((await r.signIn('10.0.0.66', '1111')).status).toBe(200);
    expect((await r.signIn('10.0.0.66', '0000')).status).toBe(401);
    const refused = await r.signIn('10.0.0.66', '1111');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe('51');
    expect(Problem.parse(await refused.json())).toMatchObject({
      code: 'PIN_ATTEMPTS_EXCEEDED',
      kind: 'back_off',
      retryAfter: 51,
    });
    r.advance(50_999);
    expect((await r.signIn('10.0.0.66', '1111')).status).toBe(429);
    r.advance(1);
    expect((await r.signIn('10.0.0.66', '1111')).status).toBe(200);
    const text = await r.metrics.render();
    expect(text).toContain('hearth_pin_failures_total{result="wrong_pin"} 10');
    expect(text).toContain('hearth_pin_failures_total{result="refused"} 2');
  });

  it("names the LAN address to the cloud, and counts the cloud's wrong-PIN answers with it", async () => {
    const sent: Headers[] = [];
    const gate: UplinkGate = {
      direct: () => true,
      forward: async (_path, init) => {
        sent.push(new Headers(init.headers));
        return new Response(JSON.stringify({ code: 'PIN_INVALID' }), { status: 401 });
      },
    };
    const r = await lanAuth(gate);
    for (let i = 0; i < 10; i++) expect((await r.signIn('10.0.0.66', '0000')).status).toBe(401);
    expect(sent).toHaveLength(10);
    expect(sent[0]?.get(CLIENT_ADDRESS_HEADER)).toBe('10.0.0.66');
    // The device's credential goes along: the cloud checks it and names the device in the token.
    const tablet66 = await r.tabletAt('10.0.0.66');
    expect(sent[0]?.get('X-Hearth-Device')).toBe(tablet66.secret);
    // Refused at the relay: the cloud is not asked again.
    expect((await r.signIn('10.0.0.66', '0000')).status).toBe(429);
    expect(sent).toHaveLength(10);
    expect((await r.signIn('10.0.0.12', '0000')).status).toBe(401);
    expect(sent).toHaveLength(11);
  });
});

describe('staff sign-in on paired devices only', () => {
  it('refuses a device with no credential, or one the venue does not know, before any PIN is tried', async () => {
    const r = await makeRelay();
    const unknown = { 'X-Hearth-Device': 'A'.repeat(43) };
    const cases: Record<string, string>[] = [
      {},
      unknown,
      { Cookie: `hearth_device=${'B'.repeat(43)}` },
    ];
    for (const headers of cases) {
      // The right PIN too: an unpaired device learns nothing about PINs.
      const res = await r.app.request('/v1/auth/staff', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ venueId: VENUE, pin: '3333' }),
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('Set-Cookie')).toBeNull();
      expect(Problem.parse(await res.json())).toMatchObject({
        code: 'DEVICE_NOT_PAIRED',
        kind: 'stop',
        detail:
          'This device is not paired with the venue. Ask a manager to pair it: Floor › Devices › Pair a device.',
      });
    }
  });

  it('takes the credential from the hearth_device cookie as from X-Hearth-Device', async () => {
    const r = await makeRelay();
    const res = await r.app.request('/v1/auth/staff', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Cookie: `hearth_session=old; hearth_device=${r.tablet.secret}`,
      },
      body: JSON.stringify({ venueId: VENUE, pin: '3333' }),
    });
    expect(res.status).toBe(200);
  });

  it('counts wrong PINs per device too: one tablet moving between addresses gets 10 a minute', async () => {
    const r = await lanAuth();
    for (let i = 0; i < 10; i++)
      expect((await r.signIn(`10.0.2.${i}`, '0000', r.tablet)).status).toBe(401);
    const refused = await r.signIn('10.0.3.1', '1111', r.tablet);
    expect(refused.status).toBe(429);
    expect(Problem.parse(await refused.json()).code).toBe('PIN_ATTEMPTS_EXCEEDED');
    // Another tablet at that address is not held back by it.
    expect((await r.signIn('10.0.3.1', '1111')).status).toBe(200);
  });
});

describe('sign-in at a relay that has just started', () => {
  /** Just the auth routes, offline, over a store that has never held a staff list. */
  async function startingRelay() {
    const { identity, signer } = await testRelayKeys;
    const store = new MemoryRelayStore();
    const clock = () => new Date(NOW);
    const bus = new RelayBus();
    const engine = await bootstrappedEngine(store, bus, clock);
    const devices = lanDevices(engine, bus, clock);
    const tablet = await pairDevice(engine);
    const app = new Hono<LanEnv>();
    registerLanAuthRoutes(app, {
      identity,
      signer,
      store,
      engine,
      gate: offlineGate,
      clock,
      devices,
    });
    const receiveStaff = async () => store.replaceStaff(await staffWithPins(identity, [SAM]));
    const signIn = (pin: string) =>
      app.request(
        '/v1/auth/staff',
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...tablet.headers },
          body: JSON.stringify({ venueId: VENUE, pin }),
        },
        { requestIP: () => ({ address: '10.0.0.7', family: 'IPv4', port: 50_000 }) },
      );
    return { store, receiveStaff, signIn };
  }

  it('answers 503 "starting" with Retry-After before any staff list, and counts no guess', async () => {
    const relay = await startingRelay();
    for (let i = 0; i < 12; i++) {
      const starting = await relay.signIn('1111');
      expect(starting.status).toBe(503);
      expect(starting.headers.get('Retry-After')).toBe('2');
      expect(starting.headers.get('Content-Type')).toBe('application/problem+json');
      expect(Problem.parse(await starting.json())).toMatchObject({
        code: 'RELAY_STARTING',
        kind: 'retry_later',
        retryAfter: 2,
      });
    }

    await relay.receiveStaff();
    expect((await relay.signIn('1111')).status).toBe(200);
    // The twelve answers above were no wrong guesses: this address still has all ten.
    for (let i = 0; i < 10; i++) expect((await relay.signIn('0000')).status).toBe(401);
    expect((await relay.signIn('0000')).status).toBe(429);
  });

  it('decides at once from a stored staff list, an empty one too', async () => {
    const relay = await startingRelay();
    await relay.receiveStaff();
    const signedIn = await relay.signIn('1111');
    expect(signedIn.status).toBe(200);
    expect(await signedIn.json()).toMatchObject({
      principal: { kind: 'staff', actorId: 'server-1', role: 'server' },
    });

    relay.store.replaceStaff([]);
    const wrong = await relay.signIn('1111');
    expect(wrong.status).toBe(401);
    expect(Problem.parse(await wrong.json()).code).toBe('PIN_INVALID');
  });
});

describe('sign-in the relay passes to the cloud', () => {
  const CLOUD_COOKIE =
    'hearth_session=cloud-token; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200; Secure';

  /** The auth routes with the uplink up, over a cloud that answers with a token and its cookie. */
  async function onlineRelay() {
    const { identity, signer } = await testRelayKeys;
    const store = new MemoryRelayStore();
    const clock = () => new Date(NOW);
    const bus = new RelayBus();
    const engine = await bootstrappedEngine(store, bus, clock);
    const devices = lanDevices(engine, bus, clock);
    const tablet = await pairDevice(engine);
    const forwarded: string[] = [];
    const expiresAt = new Date(Date.parse(NOW) + 3600 * 1000).toISOString();
    const gate: UplinkGate = {
      direct: () => true,
      forward: async (path) => {
        forwarded.push(path);
        const body = {
          token: 'cloud-token',
          expiresAt,
          principal: { kind: 'guest', tenantId: 't', venueId: VENUE, sessionId: 's', tableId: 'x' },
        };
        return new Response(JSON.stringify(body), {
          status: 200,
          headers: { 'Content-Type': 'application/json', 'Set-Cookie': CLOUD_COOKIE },
        });
      },
    };
    const app = new Hono<LanEnv>();
    registerLanAuthRoutes(app, { identity, signer, store, engine, gate, clock, devices });
    const post = (url: string, body: unknown) =>
      app.request(
        url,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...tablet.headers },
          body: JSON.stringify(body),
        },
        { requestIP: () => ({ address: '10.0.0.7', family: 'IPv4', port: 50_000 }) },
      );
    return { post, forwarded };
  }

  it("sets the session cookie for the relay's own scheme, never the cloud's", async () => {
    const relay = await onlineRelay();
    const plain = await relay.post('http://relay.local/v1/auth/guest', {
      venueId: VENUE,
      table: '5',
    });
    expect(plain.status).toBe(200);
    expect(await plain.json()).toMatchObject({ token: 'cloud-token' });
    const cookie = plain.headers.get('Set-Cookie') ?? '';
    expect(cookie).toBe(
      'hearth_session=cloud-token; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600',
    );
    const secure = await relay.post('https://relay.local/v1/auth/staff', {
      venueId: VENUE,
      pin: '1111',
    });
    expect(secure.headers.get('Set-Cookie')).toBe(`${cookie}; Secure`);
    expect(relay.forwarded).toEqual(['/v1/auth/guest', '/v1/auth/staff']);
  });

  it("never passes another venue's sign-in to the cloud: its PIN and token stay off this LAN", async () => {
    const relay = await onlineRelay();
    const staff = await relay.post('http://relay.local/v1/auth/staff', {
      venueId: 'elsewhere',
      pin: '1111',
    });
    const guest = await relay.post('http://relay.local/v1/auth/guest', {
      venueId: 'elsewhere',
      table: '5',
    });
    expect([staff.status, guest.status]).toEqual([404, 404]);
    expect(Problem.parse(await staff.json())).toMatchObject({
      code: 'VENUE_NOT_SERVED',
      kind: 'stop',
    });
    expect(relay.forwarded).toEqual([]);
  });
});

describe('sign-out at the relay', () => {
  it('clears the session cookie only: the device stays paired and the outbox stays', async () => {
    const { identity, signer } = await testRelayKeys;
    const store = new MemoryRelayStore();
    const clock = () => new Date(NOW);
    const bus = new RelayBus();
    const engine = await bootstrappedEngine(store, bus, clock);
    const devices = lanDevices(engine, bus, clock);
    const app = new Hono<LanEnv>();
    registerLanAuthRoutes(app, {
      identity,
      signer,
      store,
      engine,
      gate: offlineGate,
      clock,
      devices,
    });
    const out = await app.request('https://relay.local/v1/auth/logout', { method: 'POST' });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^hearth_session=; .*Max-Age=0; Secure$/),
    ]);
    // The HTTP cache only: "cookies" would clear the device credential too (every sign-out
    // would unpair the tablet).
    expect(out.headers.get('Clear-Site-Data')).toBe('"cache"');
  });
});
