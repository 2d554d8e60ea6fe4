import type { Context, Hono } from 'hono';
import {
  credentialDigestOf,
  DEVICE_HEADER,
  decodeBase64Url,
  digestPin,
  GuestSignInRequest,
  listEntities,
  newUlid,
  StaffSignInRequest,
  TokenResponse,
  type TokenSigner,
  toIssues,
} from '#protocol';
import { addressBucket, clientAddress } from '../../server/client-address.ts';
import { deviceSecretOf } from '../../server/device-credential.ts';
import type { Logger } from '../../server/logger.ts';
import {
  DEFAULT_PIN_LIMITS,
  type PinCounter,
  PinGuard,
  type PinLimits,
} from '../../server/pin-guard.ts';
import { problemResponse } from '../../server/problem-response.ts';
import { SIGN_OUT_CLEAR_SITE_DATA } from '../../server/sign-out.ts';
import type { RelayIdentity } from '../identity/relay-identity.ts';
import type { RelayStore } from '../store/relay-store.ts';
import type { VenueEngine } from '../sync/venue-engine.ts';
import type { UplinkGate } from '../uplink/uplink-gate.ts';
import { sessionCookie } from './lan-authenticator.ts';
import type { LanEnv } from './lan-caller.ts';
import type { LanDevices } from './lan-devices.ts';

export interface LanAuthDeps {
  readonly identity: RelayIdentity;
  readonly signer: TokenSigner;
  readonly store: RelayStore;
  readonly engine: VenueEngine;
  readonly gate: UplinkGate;
  readonly clock: () => Date;
  /** The venue's paired devices: staff sign in only on one (decision 034). */
  readonly devices: LanDevices;
  readonly ttlSeconds?: { readonly staff: number; readonly guest: number };
  /** Wrong-PIN budgets; default 10 a minute per LAN address, alarm past 100 at the venue. */
  readonly pinLimits?: PinLimits;
  readonly log?: Logger;
  readonly metrics?: PinCounter;
}

/**
 * The header that tells the cloud which LAN address a forwarded sign-in came from. The cloud
 * believes it only beside this venue's relay credential, and counts wrong PINs per address.
 */
export const CLIENT_ADDRESS_HEADER = 'X-Hearth-Client-Address';

const TTL = { staff: 12 * 3600, guest: 4 * 3600 };

/** How soon a caller may retry a sign-in the starting relay could not decide: one uplink probe. */
const STARTING_RETRY_SECONDS = 2;

async function body(c: Context<LanEnv>): Promise<unknown> {
  try {
    return JSON.parse(await c.req.text());
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/**
 * The paired device a staff sign-in comes from, by its credential (the `hearth_device` cookie or
 * `X-Hearth-Device`) looked up in what devices see; a problem when there is none or it was
 * revoked. Checked before any PIN is tried, so an unpaired device cannot guess PINs at all.
 */
async function pairedDevice(
  request: Request,
  devices: Pick<LanDevices, 'withCredential'>,
): Promise<{ readonly id: string; readonly secret: string } | Response> {
  const secret = deviceSecretOf(request);
  const device =
    secret === undefined ? undefined : devices.withCredential(await credentialDigestOf(secret));
  if (!device || secret === undefined) {
    return problemResponse(403, 'DEVICE_NOT_PAIRED', 'Device not paired', {
      kind: 'stop',
      detail:
        'This device is not paired with the venue. Ask a manager to pair it: Floor › Devices › Pair a device.',
    });
  }
  if (device.revoked) {
    return problemResponse(403, 'DEVICE_REVOKED', 'Device revoked', {
      kind: 'stop',
      detail:
        'This device was removed from the venue. Ask a manager to pair it again: Floor › Devices › Pair a device.',
    });
  }
  return { id: device.id, secret };
}

/**
 * The cloud's answer to a forwarded sign-in, with the session cookie set for this server's own
 * scheme (the cloud's is for its origin: `Secure` there would be dropped on a plain-HTTP LAN,
 * and none would leak the token over one). Answers other than a token pass unchanged.
 */
async function withOwnCookie(
  c: Context<LanEnv>,
  forwarded: Response,
  nowMs: number,
): Promise<Response> {
  const headers = new Headers(forwarded.headers);
  headers.delete('set-cookie');
  if (forwarded.status !== 200)
    return new Response(forwarded.body, { status: forwarded.status, headers });
  const text = await forwarded.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined; // not a token answer: passed on without a cookie
  }
  const parsed = TokenResponse.safeParse(body);
  if (parsed.success) {
    const secure = new URL(c.req.url).protocol === 'https:';
    const maxAge = Math.max(0, Math.floor((Date.parse(parsed.data.expiresAt) - nowMs) / 1000));
    headers.append('Set-Cookie', sessionCookie(parsed.data.token, maxAge, secure));
  }
  return new Response(text, { status: 200, headers });
}

/**
 * Sign-in on the LAN, staff on paired devices only (checked here first, online or not). With the
 * uplink up it is the cloud's (forwarded with the device's credential, which the cloud checks
 * again and names in the token); with it down the relay checks the PIN against its copy of the
 * venue's staff list and issues a venue-scoped token with its enrolled key, which the cloud
 * accepts later for this venue only.
 */
export function registerLanAuthRoutes(app: Hono<LanEnv>, deps: LanAuthDeps): void {
  const ttl = deps.ttlSeconds ?? TTL;
  const venuePinKey = decodeBase64Url(deps.identity.venuePinKey);
  if (!venuePinKey) throw new Error('relay identity holds a malformed venue PIN key');
  // Wrong PINs count per LAN address, whoever decides them (the cloud or this relay): one
  // guessing phone waits, every other device signs in; the venue's total only raises an alarm.
  const pins = new PinGuard(deps.pinLimits ?? DEFAULT_PIN_LIMITS, deps);
  // And per paired device, with the same budget (unreported: the address guard reports each
  // wrong PIN once).
  const perDevice = new PinGuard(deps.pinLimits ?? DEFAULT_PIN_LIMITS);

  app.post('/v1/auth/staff', async (c) => {
    const raw = await body(c);
    const parsed = StaffSignInRequest.safeParse(raw);
    if (!parsed.success)
      return problemResponse(400, 'VALIDATION', 'Invalid sign-in', {
        issues: toIssues(parsed.error),
      });
    // Only this venue's sign-ins: another venue's PIN never passes through here, online or not.
    // No PIN is checked, so none is counted.
    if (parsed.data.venueId !== deps.identity.venueId) {
      return problemResponse(404, 'VENUE_NOT_SERVED', 'Not this venue', {
        kind: 'stop',
        detail:
          'this venue server signs in its own venue only: check the device is at the right venue',
      });
    }
    const device = await pairedDevice(c.req.raw, deps.devices);
    if (device instanceof Response) return device;
    const address = addressBucket(clientAddress(c));
    const deviceKey = `device ${device.id}`;
    const failed = (now: number) => {
      pins.failed(address, deps.identity.venueId, now);
      perDevice.failed(deviceKey, deps.identity.venueId, now);
    };
    const refused =
      pins.refusal(address, deps.clock().getTime()) ??
      perDevice.refusal(deviceKey, deps.clock().getTime());
    if (refused) return refused;
    if (deps.gate.direct()) {
      // The device's credential goes along: the cloud checks it too and names the device in
      // the token (`did`), so a revoke ends the session there as well.
      const forwarded = await deps.gate.forward('/v1/auth/staff', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [CLIENT_ADDRESS_HEADER]: address,
          [DEVICE_HEADER]: device.secret,
        },
        body: JSON.stringify(parsed.data),
      });
      if (forwarded?.status === 401) {
        failed(deps.clock().getTime());
        return forwarded;
      }
      if (forwarded && forwarded.status < 500)
        return withOwnCookie(c, forwarded, deps.clock().getTime());
    }
    // A relay that never received a staff list cannot tell a wrong PIN from one it has not
    // heard of yet: "starting, try again", counted against nobody.
    if (!deps.store.hasStaffList()) {
      return problemResponse(503, 'RELAY_STARTING', 'The venue server is starting', {
        kind: 'retry_later',
        retryAfter: STARTING_RETRY_SECONDS,
        detail: 'try again in a moment',
      });
    }
    const now = deps.clock().getTime();
    const staff = deps.store.findStaff(await digestPin(venuePinKey, parsed.data.pin));
    if (!staff) {
      failed(now);
      return problemResponse(401, 'PIN_INVALID', 'Wrong PIN', {
        kind: 'fix_request',
        detail: 'check the PIN and try again',
      });
    }
    const iat = Math.floor(now / 1000);
    const exp = iat + ttl.staff;
    const claims = {
      kind: 'staff',
      sub: staff.memberId,
      role: staff.role,
      tenantId: deps.identity.tenantId,
      venueId: deps.identity.venueId,
      did: device.id,
      iat,
      exp,
    } as const;
    const response: TokenResponse = {
      token: await deps.signer.sign(claims),
      expiresAt: new Date(exp * 1000).toISOString(),
      principal: {
        kind: 'staff',
        tenantId: claims.tenantId,
        venueId: claims.venueId,
        actorId: staff.memberId,
        role: staff.role,
      },
    };
    c.header('Cache-Control', 'no-store');
    c.header(
      'Set-Cookie',
      sessionCookie(response.token, ttl.staff, new URL(c.req.url).protocol === 'https:'),
    );
    return c.json(response);
  });

  // The session cookie and the HTTP cache; the device credential stays (see sign-out.ts).
  app.post('/v1/auth/logout', (c) => {
    c.header('Set-Cookie', sessionCookie('', 0, new URL(c.req.url).protocol === 'https:'));
    c.header('Clear-Site-Data', SIGN_OUT_CLEAR_SITE_DATA);
    return c.body(null, 204);
  });

  app.post('/v1/auth/guest', async (c) => {
    const parsed = GuestSignInRequest.safeParse(await body(c));
    if (!parsed.success)
      return problemResponse(400, 'VALIDATION', 'Invalid sign-in', {
        issues: toIssues(parsed.error),
      });
    if (parsed.data.venueId === deps.identity.venueId && deps.gate.direct()) {
      const forwarded = await deps.gate.forward('/v1/auth/guest', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(parsed.data),
      });
      if (forwarded && forwarded.status < 500)
        return withOwnCookie(c, forwarded, deps.clock().getTime());
    }
    const table = listEntities(deps.engine.visible, 'table').find(
      (t) => t.label === parsed.data.table,
    );
    if (!table || parsed.data.venueId !== deps.identity.venueId) {
      return problemResponse(404, 'TABLE_NOT_FOUND', 'No such table', {
        kind: 'stop',
        detail: 'scan the QR code on your table again',
      });
    }
    const iat = Math.floor(deps.clock().getTime() / 1000);
    const exp = iat + ttl.guest;
    const sessionId = newUlid(deps.clock().getTime());
    const token = await deps.signer.sign({
      kind: 'guest',
      sub: sessionId,
      tableId: table.id,
      tenantId: deps.identity.tenantId,
      venueId: deps.identity.venueId,
      iat,
      exp,
    });
    const response: TokenResponse = {
      token,
      expiresAt: new Date(exp * 1000).toISOString(),
      principal: {
        kind: 'guest',
        tenantId: deps.identity.tenantId,
        venueId: deps.identity.venueId,
        sessionId,
        tableId: table.id,
      },
    };
    c.header('Cache-Control', 'no-store');
    c.header(
      'Set-Cookie',
      sessionCookie(response.token, ttl.guest, new URL(c.req.url).protocol === 'https:'),
    );
    return c.json(response);
  });
}
