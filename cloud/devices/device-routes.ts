import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  DeviceListing,
  DevicePaired,
  DevicePairRequest,
  newDeviceSecret,
  newUlid,
  PAIRING_TTL_SECONDS,
  PairingCreated,
  PairingRequest,
} from '#protocol';
import { deviceCookie } from '../../server/device-credential.ts';
import { deviceListingRows, pairingOperation } from '../../server/device-pairing.ts';
import { problemResponse } from '../../server/problem-response.ts';
import type { CoreDeps } from '../app-deps.ts';
import type { AuthDeps } from '../auth/auth-routes.ts';
import { deviceCheckpoints } from '../edge/edge-routes.ts';
import { type AppEnv, onlyRoles, ownVenue, requireCaller } from '../http/caller.ts';
import {
  type ApiApp,
  BEARER,
  jsonBody,
  jsonRequest,
  jsonResponse,
  problems,
  route,
  VenueParams,
} from '../http/openapi.ts';
import type { OpWriter } from '../write/op-writer.ts';
import type { DeviceRegistry } from './device-registry.ts';
import type { PairingCodes } from './pairing-codes.ts';

/** What the device routes need besides the core parts. */
export interface DeviceDeps {
  readonly devices: DeviceRegistry;
  /** Verifies pairing codes: the cloud's own, and those an active relay of the venue signed. */
  readonly pairingCodes: PairingCodes;
}

type Deps = CoreDeps &
  DeviceDeps &
  Pick<AuthDeps, 'tokens' | 'secureCookies'> & {
    readonly writer: OpWriter;
    readonly publicOrigin?: string | undefined;
  };

/** Whether the device cookie an answer sets is `Secure`. */
function secure(c: Context<AppEnv>, deps: Pick<Deps, 'secureCookies'>): boolean {
  return deps.secureCookies === true || new URL(c.req.url).protocol === 'https:';
}

/**
 * `POST …/devices/pairings`, `POST /v1/devices/pair` and `GET …/devices` (decision 034). A code
 * is a signed token of kind `pairing`; redeeming it makes a `device.pair` op, decided through the
 * one write path as the code's issuer, so a code pairs once wherever it is redeemed.
 */
export function registerDeviceRoutes(app: ApiApp, deps: Deps): void {
  const auth = requireCaller(deps.authenticator);
  const managers = onlyRoles(['manager', 'owner']);
  const createPairingRoute = createRoute({
    method: 'post',
    path: '/v1/venues/{venueId}/devices/pairings',
    tags: ['devices'],
    summary:
      'A single-use pairing code (10 minutes) and its link, to show as a QR code (manager, owner)',
    security: BEARER,
    middleware: [auth, ownVenue, managers, jsonBody],
    request: { params: VenueParams, body: jsonRequest(PairingRequest) },
    responses: {
      201: jsonResponse('the code and the link to open on the device', PairingCreated),
      ...problems(400, 401, 403, 413, 415),
    },
  });

  const pairRoute = createRoute({
    method: 'post',
    path: '/v1/devices/pair',
    tags: ['devices'],
    summary: 'Redeem a pairing code: the device credential is set as an HttpOnly cookie',
    middleware: jsonBody,
    request: { body: jsonRequest(DevicePairRequest) },
    responses: {
      201: jsonResponse('the device, paired (Set-Cookie: hearth_device)', DevicePaired),
      ...problems(400, 401, 409, 410, 413, 415, 422),
    },
  });

  const listRoute = createRoute({
    method: 'get',
    path: '/v1/venues/{venueId}/devices',
    tags: ['devices'],
    summary: "The venue's paired devices, last seen and outbox depth (manager, owner)",
    security: BEARER,
    middleware: [auth, ownVenue, managers],
    request: { params: VenueParams },
    responses: { 200: jsonResponse('the devices', DeviceListing), ...problems(401, 403) },
  });

  route(app, createPairingRoute, async (c) => {
    const caller = c.get('caller');
    if (caller.kind !== 'principal') throw new Error('managers runs before this handler');
    const { role } = c.req.valid('json');
    const { tenantId, venueId } = caller.principal;
    const iat = Math.floor(deps.clock().getTime() / 1000);
    const exp = iat + PAIRING_TTL_SECONDS;
    const code = await deps.tokens.signer.sign({
      kind: 'pairing',
      sub: caller.principal.kind === 'staff' ? caller.principal.actorId : 'setup',
      jti: newUlid(deps.clock().getTime()),
      role,
      tenantId,
      venueId,
      iat,
      exp,
    });
    const origin = deps.publicOrigin ?? new URL(c.req.url).origin;
    const body: PairingCreated = {
      code,
      pairUrl: pairUrlOf(origin, code),
      expiresAt: new Date(exp * 1000).toISOString(),
    };
    c.header('Cache-Control', 'no-store');
    return c.json(body, 201);
  });

  route(app, pairRoute, async (c) => {
    const request = c.req.valid('json');
    const verified = await deps.pairingCodes.verify(request.code);
    if (!verified.ok) {
      return verified.reason === 'expired'
        ? problemResponse(410, 'PAIRING_EXPIRED', 'Pairing code expired', {
            kind: 'stop',
            detail: 'this pairing code has expired; ask a manager for a new one',
          })
        : problemResponse(401, 'PAIRING_INVALID', 'Not a pairing code', {
            kind: 'stop',
            detail: 'this is not a valid pairing code for a venue; scan the QR code again',
          });
    }
    const { claims } = verified;
    const venue = await deps.store.getVenue(claims.venueId);
    if (venue?.tenantId !== claims.tenantId) {
      return problemResponse(401, 'PAIRING_INVALID', 'Not a pairing code', {
        kind: 'stop',
        detail: 'the venue of this pairing code is not served here',
      });
    }
    const secret = newDeviceSecret();
    const { op, issuer } = await pairingOperation({
      claims,
      request,
      venue,
      secret,
      occurredAt: deps.clock().toISOString(),
    });
    const [outcome] = await deps.writer.write(venue, issuer, [op]);
    if (outcome?.kind === 'decided' && outcome.result.status === 'applied') {
      c.get('log')('info', 'device paired', {
        venueId: venue.venueId,
        deviceId: request.deviceId,
        pairedBy: claims.sub,
      });
      c.header('Set-Cookie', deviceCookie(secret, secure(c, deps)));
      c.header('Cache-Control', 'no-store');
      const body: DevicePaired = {
        deviceId: request.deviceId,
        name: request.name,
        role: claims.role,
        venueId: venue.venueId,
        tenantId: venue.tenantId,
      };
      return c.json(body, 201);
    }
    if (outcome?.kind === 'decided' && outcome.result.status === 'rejected') {
      const { code, message } = outcome.result;
      return code === 'PAIRING_USED'
        ? problemResponse(409, 'PAIRING_USED', 'Pairing code used', {
            kind: 'stop',
            detail: 'this pairing code has already paired a device; ask a manager for a new one',
          })
        : problemResponse(422, code, 'Pairing refused', { kind: 'stop', detail: message });
    }
    if (outcome?.kind === 'retryable') {
      return problemResponse(409, outcome.code, 'Try again shortly', {
        kind: 'retry_later',
        detail: outcome.message,
        retryAfter: Math.ceil(outcome.retryAfterMs / 1000),
      });
    }
    throw new Error(`pairing write answered ${outcome?.kind ?? 'nothing'}`);
  });

  route(app, listRoute, async (c) => {
    const { venueId } = c.req.valid('param');
    const [devices, checkpoints] = await Promise.all([
      deps.devices.list(venueId),
      deviceCheckpoints(deps.store, venueId),
    ]);
    const latest = new Map(checkpoints.devices.map((d) => [d.deviceId, d]));
    const body: DeviceListing = {
      devices: deviceListingRows(devices, (id) => ({
        lastSeenMs: deps.devices.lastSeenAt(venueId, id),
        checkpoint: latest.get(id),
      })),
    };
    return c.json(body, 200);
  });
}

/** The link a device opens: the code in the fragment, which no server or access log sees. */
export function pairUrlOf(origin: string, code: string): string {
  return `${origin.replace(/\/+$/, '')}/pair#code=${code}`;
}
