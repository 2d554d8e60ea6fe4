import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  credentialDigestOf,
  GuestSignInRequest,
  newUlid,
  principalOf,
  StaffSignInRequest,
  type TokenClaims,
  TokenResponse,
  type TokenSigner,
} from '#protocol';
import { addressBucket, clientAddress } from '../../server/client-address.ts';
import { deviceSecretOf } from '../../server/device-credential.ts';
import { DEFAULT_PIN_LIMITS, PinGuard, type PinLimits } from '../../server/pin-guard.ts';
import { problemResponse } from '../../server/problem-response.ts';
import { SIGN_OUT_CLEAR_SITE_DATA } from '../../server/sign-out.ts';
import type { CoreDeps } from '../app-deps.ts';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import type { AppEnv } from '../http/caller.ts';
import {
  type ApiApp,
  jsonBody,
  jsonRequest,
  jsonResponse,
  problems,
  route,
} from '../http/openapi.ts';
import { pinDigest } from './pin-digest.ts';
import { sessionCookie } from './token-authenticator.ts';

/** What the sign-in routes need beyond the core parts. */
export interface AuthDeps {
  readonly tokens: {
    readonly signer: TokenSigner;
    readonly ttlSeconds: { readonly staff: number; readonly guest: number };
  };
  /** The key staff PIN digests are made with (the one the credentials were stored under). */
  readonly pinKey: CryptoKey;
  /**
   * Wrong-PIN budgets: default 10 a minute per caller address at a venue (see `attemptsKey`),
   * and an alarm, never a lock, past 100 a minute at one venue.
   */
  readonly pinLimits?: PinLimits;
  /**
   * The session cookie is `Secure` on every answer, whatever the request's own scheme: TLS ends
   * at a proxy in front (the public origin is https:). Otherwise only on https: requests.
   */
  readonly secureCookies?: boolean;
  /** The venues' paired devices: staff sign in only on one (decision 034). */
  readonly devices: DeviceRegistry;
}

/** The header an enrolled relay names the LAN address of a sign-in it forwards with. */
const RELAY_CLIENT_ADDRESS_HEADER = 'x-hearth-client-address';

/** A staff shift (12 h) and a guest's visit (4 h). */
export const DEFAULT_TOKEN_TTL_SECONDS = { staff: 12 * 3600, guest: 4 * 3600 } as const;

/** Whether the session cookie an answer sets is `Secure`. */
function secureCookie(c: Context<AppEnv>, deps: Pick<AuthDeps, 'secureCookies'>): boolean {
  return deps.secureCookies === true || new URL(c.req.url).protocol === 'https:';
}

/**
 * Ends a browser session: the session cookie is cleared (the token itself expires on its own)
 * and the HTTP cache with it; the device credential stays (see SIGN_OUT_CLEAR_SITE_DATA).
 */
function signOut(c: Context<AppEnv>, deps: Pick<AuthDeps, 'secureCookies'>): Response {
  c.header('Set-Cookie', sessionCookie('', 0, secureCookie(c, deps)));
  c.header('Clear-Site-Data', SIGN_OUT_CLEAR_SITE_DATA);
  return c.body(null, 204);
}

const logoutRoute = createRoute({
  method: 'post',
  path: '/v1/auth/logout',
  tags: ['auth'],
  summary: 'End a browser session (clears the session cookie)',
  responses: { 204: { description: 'signed out' }, ...problems() },
});

const staffRoute = createRoute({
  method: 'post',
  path: '/v1/auth/staff',
  tags: ['auth'],
  summary:
    'Staff sign-in with venue and PIN, on a paired device (hearth_device cookie or X-Hearth-Device)',
  middleware: jsonBody,
  request: { body: jsonRequest(StaffSignInRequest) },
  responses: {
    200: jsonResponse('a venue-scoped staff token (also set as the session cookie)', TokenResponse),
    ...problems(400, 401, 403, 413, 415, 429),
  },
});

const guestRoute = createRoute({
  method: 'post',
  path: '/v1/auth/guest',
  tags: ['auth'],
  summary: 'Guest table session from a table QR',
  middleware: jsonBody,
  request: { body: jsonRequest(GuestSignInRequest) },
  responses: {
    200: jsonResponse('a table-session token (also set as the session cookie)', TokenResponse),
    ...problems(400, 404, 413, 415),
  },
});

/**
 * `POST /v1/auth/staff` and `POST /v1/auth/guest`: trade a venue PIN or a table label for a
 * signed, venue-scoped bearer token. Neither needs a token; neither ever echoes the PIN.
 */
export function registerAuthRoutes(
  app: ApiApp,
  deps: AuthDeps &
    Pick<CoreDeps, 'store' | 'clock' | 'authenticator' | 'log' | 'metrics' | 'trustedProxies'>,
): void {
  route(app, logoutRoute, (c) => signOut(c, deps));
  const pins = new PinGuard(deps.pinLimits ?? DEFAULT_PIN_LIMITS, deps);
  // Wrong PINs also count per paired device, with the same budget (unreported: the address
  // guard reports each wrong PIN once).
  const perDevice = new PinGuard(deps.pinLimits ?? DEFAULT_PIN_LIMITS);
  const trustedProxies = deps.trustedProxies ?? new Set<string>();

  /**
   * Whose wrong PINs an attempt counts with: the caller's address at this venue, never the
   * venue alone (a stranger guessing would lock out every waiter mid-service). A sign-in an
   * enrolled relay of this venue forwards (it carries the relay's credential) counts with the
   * LAN address the relay names; any other with the caller's address (the proxy's, behind a
   * proxy not in `trustedProxies`: then all of a venue's cloud sign-ins share one budget).
   */
  async function attemptsKey(
    c: Context<AppEnv>,
    venueId: string,
  ): Promise<{ key: string; viaRelay: boolean }> {
    const auth = await deps.authenticator.authenticate(c.req.raw);
    if (auth?.ok && auth.caller.kind === 'relay' && auth.caller.venueId === venueId) {
      const lan = c.req.header(RELAY_CLIENT_ADDRESS_HEADER)?.trim().slice(0, 64) || 'unknown';
      return { key: `${venueId} relay ${auth.caller.nodeId} ${lan}`, viaRelay: true };
    }
    return {
      key: `${venueId} ${addressBucket(clientAddress(c, trustedProxies))}`,
      viaRelay: false,
    };
  }

  /**
   * The paired device a sign-in comes from, checked before any PIN is tried: an unpaired device
   * cannot guess PINs at all. A sign-in an enrolled relay of the venue forwards without a device
   * credential passes unchecked (the relay checks its own devices); with one, it is checked here.
   */
  async function pairedDevice(
    c: Context<AppEnv>,
    venueId: string,
    viaRelay: boolean,
  ): Promise<{ did?: string } | Response> {
    const secret = deviceSecretOf(c.req.raw);
    if (secret === undefined && viaRelay) return {};
    // No device is paired with a venue that does not exist: the same answer, nothing leaks.
    const device =
      secret === undefined || (await deps.store.getVenue(venueId)) === undefined
        ? undefined
        : await deps.devices.withCredential(venueId, await credentialDigestOf(secret));
    if (!device) {
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
    return { did: device.id };
  }

  route(app, staffRoute, async (c) => {
    const { venueId, pin } = c.req.valid('json');
    const nowMs = deps.clock().getTime();
    const { key, viaRelay } = await attemptsKey(c, venueId);
    const device = await pairedDevice(c, venueId, viaRelay);
    if (device instanceof Response) return device;
    const deviceKey = device.did === undefined ? undefined : `${venueId} device ${device.did}`;
    const refused =
      pins.refusal(key, nowMs) ??
      (deviceKey === undefined ? undefined : perDevice.refusal(deviceKey, nowMs));
    if (refused) return refused;
    // An unknown venue finds no credential: the same answer as a wrong PIN, so nothing leaks.
    const staff = await deps.store.findStaffByPinDigest(
      venueId,
      await pinDigest(deps.pinKey, venueId, pin),
    );
    if (!staff) {
      pins.failed(key, venueId, nowMs);
      if (deviceKey !== undefined) perDevice.failed(deviceKey, venueId, nowMs);
      return problemResponse(401, 'PIN_INVALID', 'Wrong PIN', {
        detail: 'the PIN does not match a staff member of this venue',
      });
    }
    return issue(c, deps, nowMs, deps.tokens.ttlSeconds.staff, (iat, exp) => ({
      kind: 'staff',
      sub: staff.memberId,
      role: staff.role,
      tenantId: staff.tenantId,
      venueId: staff.venueId,
      ...device,
      iat,
      exp,
    }));
  });

  route(app, guestRoute, async (c) => {
    const { venueId, table } = c.req.valid('json');
    const venue = await deps.store.getVenue(venueId);
    const tables = venue ? (await deps.store.loadSnapshot(venueId, ['table'])).records : [];
    const found = tables.find((r) => r.entity === 'table' && r.data.label === table);
    if (!venue || !found) {
      return problemResponse(404, 'TABLE_NOT_FOUND', 'No such table', {
        detail: 'this venue has no table with that label; scan the QR card again',
      });
    }
    const nowMs = deps.clock().getTime();
    return issue(c, deps, nowMs, deps.tokens.ttlSeconds.guest, (iat, exp) => ({
      kind: 'guest',
      sub: newUlid(nowMs),
      tableId: found.data.id,
      tenantId: venue.tenantId,
      venueId,
      iat,
      exp,
    }));
  });
}

async function issue(
  c: Context<AppEnv>,
  deps: AuthDeps,
  nowMs: number,
  ttlSeconds: number,
  claimsAt: (iat: number, exp: number) => Extract<TokenClaims, { kind: 'staff' | 'guest' }>,
): Promise<Response> {
  const iat = Math.floor(nowMs / 1000);
  const claims = claimsAt(iat, iat + ttlSeconds);
  const response: TokenResponse = {
    token: await deps.tokens.signer.sign(claims),
    expiresAt: new Date(claims.exp * 1000).toISOString(),
    principal: principalOf(claims),
  };
  c.header('Cache-Control', 'no-store');
  c.header('Set-Cookie', sessionCookie(response.token, ttlSeconds, secureCookie(c, deps)));
  return c.json(response, 200);
}
