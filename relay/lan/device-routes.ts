import type { Hono } from 'hono';
import {
  BatchResponse,
  type DeviceListing,
  type DevicePaired,
  DevicePairRequest,
  newDeviceSecret,
  newUlid,
  type Operation,
  type OpResult,
  PAIRING_TTL_SECONDS,
  type PairingCreated,
  PairingRequest,
  type Principal,
  type TokenKid,
  type TokenSigner,
  toIssues,
  verifyToken,
} from '#protocol';
import { deviceCookie } from '../../server/device-credential.ts';
import { deviceListingRows, pairingOperation } from '../../server/device-pairing.ts';
import type { Logger } from '../../server/logger.ts';
import { problemResponse } from '../../server/problem-response.ts';
import { readJsonBody } from '../../server/read-json.ts';
import type { RelayIdentity } from '../identity/relay-identity.ts';
import type { VenueEngine } from '../sync/venue-engine.ts';
import type { UplinkGate } from '../uplink/uplink-gate.ts';
import type { DeviceCheckpoints } from './feed-routes.ts';
import { relayVerifyKeys } from './lan-authenticator.ts';
import {
  forbidOtherVenue,
  forbidUnlessStaff,
  type LanAuthenticator,
  type LanEnv,
  requireLanCaller,
} from './lan-caller.ts';
import type { LanDevices } from './lan-devices.ts';

export interface LanDeviceDeps {
  readonly identity: RelayIdentity;
  /** The relay's own key: pairing codes it issues work with the uplink down. */
  readonly signer: TokenSigner;
  readonly engine: VenueEngine;
  readonly gate: UplinkGate;
  readonly authenticator: LanAuthenticator;
  readonly devices: LanDevices;
  readonly checkpoints: DeviceCheckpoints;
  readonly clock: () => Date;
  readonly log?: Logger;
}

type StaffPrincipal = Extract<Principal, { kind: 'staff' }>;

/** The link a device opens: the code in the fragment, which no server or access log sees. */
export function pairUrlOf(origin: string, code: string): string {
  return `${origin.replace(/\/+$/, '')}/pair#code=${code}`;
}

/**
 * A pairing code signed with the relay's key, for this venue (`sub`: the member who asked, or
 * `setup` for the operator's command).
 */
export async function signPairingCode(
  signer: TokenSigner,
  venue: { readonly tenantId: string; readonly venueId: string },
  issuer: string,
  role: PairingRequest['role'],
  now: Date,
): Promise<{ code: string; expiresAt: string }> {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + PAIRING_TTL_SECONDS;
  const code = await signer.sign({
    kind: 'pairing',
    sub: issuer,
    jti: newUlid(now.getTime()),
    role,
    tenantId: venue.tenantId,
    venueId: venue.venueId,
    iat,
    exp,
  });
  return { code, expiresAt: new Date(exp * 1000).toISOString() };
}

const PAIRING_USED = () =>
  problemResponse(409, 'PAIRING_USED', 'Pairing code used', {
    kind: 'stop',
    detail: 'this pairing code has already paired a device; ask a manager for a new one',
  });

/**
 * `POST …/devices/pairings`, `POST /v1/devices/pair` and `GET …/devices` on the LAN (decision
 * 034), with the cloud's paths and answers. Redeeming a code makes a `device.pair` op as the
 * code's issuer through the relay's write path: straight to the cloud while it is reachable and
 * nothing waits, else decided here on what devices see and replayed once later.
 */
export function registerLanDeviceRoutes(app: Hono<LanEnv>, deps: LanDeviceDeps): void {
  const auth = requireLanCaller(deps.authenticator);
  // Imported on the first redeem, not at start (the app is built before it serves anything).
  let keys: Promise<Map<string, CryptoKey>> | undefined;
  const venue = { tenantId: deps.identity.tenantId, venueId: deps.identity.venueId };

  app.post('/v1/venues/:venueId/devices/pairings', auth, async (c) => {
    const refused = forbidOtherVenue(c) ?? forbidUnlessStaff(c, ['manager', 'owner']);
    if (refused) return refused;
    const read = await readJsonBody(c);
    if (!read.ok) return read.response;
    const parsed = PairingRequest.safeParse(read.value);
    if (!parsed.success)
      return problemResponse(400, 'VALIDATION', 'Invalid pairing request', {
        issues: toIssues(parsed.error),
      });
    const { principal } = c.get('caller');
    if (principal.kind !== 'staff') throw new Error('forbidUnlessStaff runs before this');
    const { code, expiresAt } = await signPairingCode(
      deps.signer,
      venue,
      principal.actorId,
      parsed.data.role,
      deps.clock(),
    );
    const body: PairingCreated = {
      code,
      pairUrl: pairUrlOf(new URL(c.req.url).origin, code),
      expiresAt,
    };
    c.header('Cache-Control', 'no-store');
    return c.json(body, 201);
  });

  app.post('/v1/devices/pair', async (c) => {
    const read = await readJsonBody(c);
    if (!read.ok) return read.response;
    const parsed = DevicePairRequest.safeParse(read.value);
    if (!parsed.success)
      return problemResponse(400, 'VALIDATION', 'Invalid pairing', {
        issues: toIssues(parsed.error),
      });
    const request = parsed.data;
    keys ??= relayVerifyKeys(deps.identity);
    const known = await keys;
    const verified = await verifyToken(
      request.code,
      async (kid: TokenKid) => known.get(kid),
      Math.floor(deps.clock().getTime() / 1000),
    );
    if (!verified.ok && verified.reason === 'expired') {
      return problemResponse(410, 'PAIRING_EXPIRED', 'Pairing code expired', {
        kind: 'stop',
        detail: 'this pairing code has expired; ask a manager for a new one',
      });
    }
    const claims = verified.ok ? verified.claims : undefined;
    if (
      claims?.kind !== 'pairing' ||
      claims.tenantId !== venue.tenantId ||
      claims.venueId !== venue.venueId
    ) {
      return problemResponse(401, 'PAIRING_INVALID', 'Not a pairing code', {
        kind: 'stop',
        detail: 'this is not a valid pairing code for this venue; scan the QR code again',
      });
    }
    // Single use, decided on what devices see (as the decider would): a second redeem is never
    // journaled.
    if (deps.devices.pairedWith(claims.jti)) return PAIRING_USED();
    const secret = newDeviceSecret();
    const { op, issuer } = await pairingOperation({
      claims,
      request,
      venue,
      secret,
      occurredAt: deps.clock().toISOString(),
    });
    const written = await write(op, issuer);
    if (written instanceof Response) return written;
    const result = written.status === 'duplicate' ? written.first : written;
    if (result.status === 'rejected') {
      return result.code === 'PAIRING_USED'
        ? PAIRING_USED()
        : problemResponse(422, result.code, 'Pairing refused', {
            kind: 'stop',
            detail: result.message,
          });
    }
    // Held here for the cloud while another redeem of the same code shows paired: that one won.
    if (result.status === 'retryable' && deps.devices.pairedWith(claims.jti)) return PAIRING_USED();
    if (result.status === 'retryable' && result.code !== 'DEPENDENCY_PENDING') {
      // The cloud could not take it now (nothing applied): the same code may be tried again.
      return problemResponse(409, result.code, 'Try again shortly', {
        kind: 'retry_later',
        detail: result.message,
        retryAfter: Math.ceil((result.retryAfterMs ?? 1000) / 1000),
      });
    }
    deps.log?.('info', 'device paired', {
      deviceId: request.deviceId,
      pairedBy: claims.sub,
      outcome: result.status,
    });
    c.header('Set-Cookie', deviceCookie(secret, new URL(c.req.url).protocol === 'https:'));
    c.header('Cache-Control', 'no-store');
    const body: DevicePaired = {
      deviceId: request.deviceId,
      name: request.name,
      role: claims.role,
      ...venue,
    };
    // Held here for the cloud (DEPENDENCY_PENDING): in the relay's custody, paired once the
    // cloud applies it, so the device keeps the credential it will be paired with.
    return c.json(body, result.status === 'retryable' ? 202 : 201);
  });

  app.get('/v1/venues/:venueId/devices', auth, (c) => {
    const refused = forbidOtherVenue(c) ?? forbidUnlessStaff(c, ['manager', 'owner']);
    if (refused) return refused;
    const body: DeviceListing = {
      devices: deviceListingRows(deps.devices.list(), (id) => ({
        lastSeenMs: deps.devices.lastSeenAt(id),
        checkpoint: deps.checkpoints.get(id),
      })),
    };
    c.header('Cache-Control', 'no-store');
    return c.json(body);
  });

  /**
   * The op through the relay's write path, as `…/ops` takes a device's: to the cloud (as the
   * issuer, under a token the relay signs, as its replay does) while the uplink is up and nothing
   * waits, its verdict kept; else journaled and decided here. A cloud answer that is no verdict
   * (its problem) is passed on.
   */
  async function write(op: Operation, issuer: StaffPrincipal): Promise<OpResult | Response> {
    if (deps.gate.direct() && !deps.engine.holds(op.opId)) {
      const forwarded = await deps.gate.forward(`/v1/venues/${venue.venueId}/ops/batch`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${await issuerToken(deps, issuer)}`,
        },
        body: JSON.stringify({ deviceId: op.deviceId, ops: [op] }),
      });
      if (forwarded && forwarded.status < 500) {
        const batch = BatchResponse.safeParse(
          await forwarded
            .clone()
            .json()
            .catch(() => null),
        );
        const verdict = batch.success ? batch.data.results[0] : undefined;
        if (!verdict) return forwarded;
        await deps.engine.recordForwarded(issuer, [{ op, verdict }]);
        return verdict;
      }
    }
    const answer = await deps.engine.submitLocal(op, issuer);
    if (answer.kind === 'key_reused') throw new Error(`a new opId ${op.opId} was reused`);
    return answer.result;
  }
}

/** A short staff token for the code's issuer, as the relay's replay signs one. */
function issuerToken(
  deps: Pick<LanDeviceDeps, 'signer' | 'clock'>,
  issuer: StaffPrincipal,
): Promise<string> {
  const iat = Math.floor(deps.clock().getTime() / 1000);
  return deps.signer.sign({
    kind: 'staff',
    sub: issuer.actorId,
    role: issuer.role,
    tenantId: issuer.tenantId,
    venueId: issuer.venueId,
    iat,
    exp: iat + 600,
  });
}
