import {
  credentialDigestOf,
  type Device,
  type DeviceListingRow,
  type DevicePairRequest,
  makeOperation,
  type Operation,
  type Principal,
  type TokenClaims,
} from '#protocol';

// What the cloud and the relay do alike with paired devices (decision 034): the op a redeemed
// pairing code makes, and the rows of the device listing.

type PairingClaims = Extract<TokenClaims, { kind: 'pairing' }>;
type StaffPrincipal = Extract<Principal, { kind: 'staff' }>;

/**
 * The `device.pair` op a redeemed code makes, and who makes it: the code's issuer (a setup
 * code's: the setup actor), as a manager. Whoever holds the code acts for them, once.
 */
export async function pairingOperation(input: {
  readonly claims: PairingClaims;
  readonly request: DevicePairRequest;
  readonly venue: { readonly tenantId: string; readonly venueId: string };
  /** The new device secret; only its digest goes into the op. */
  readonly secret: string;
  readonly occurredAt: string;
}): Promise<{ op: Operation; issuer: StaffPrincipal }> {
  const { claims, request, venue } = input;
  const issuer: StaffPrincipal = {
    kind: 'staff',
    tenantId: venue.tenantId,
    venueId: venue.venueId,
    actorId: claims.sub,
    role: 'manager',
  };
  const op = await makeOperation({
    type: 'device.pair',
    payload: {
      deviceId: request.deviceId,
      name: request.name,
      role: claims.role,
      pairingId: claims.jti,
      credentialDigest: await credentialDigestOf(input.secret),
    },
    deviceId: request.deviceId,
    tenantId: venue.tenantId,
    venueId: venue.venueId,
    actorId: claims.sub,
    occurredAt: input.occurredAt,
  });
  return { op, issuer };
}

/** What a server knows of a device beside its entity: when it last saw it, its checkpoint. */
export interface DeviceSightings {
  /** This process's newest authenticated request or live socket of the device (epoch ms). */
  readonly lastSeenMs: number | undefined;
  readonly checkpoint: { readonly updatedAt: string; readonly outboxDepth: number } | undefined;
}

/**
 * The listing's rows, by name then id: last seen is the newer of the server's own sighting and
 * the device's checkpoint; outbox depth is the checkpoint's (null when none was reported).
 */
export function deviceListingRows(
  devices: readonly Device[],
  sightings: (deviceId: string) => DeviceSightings,
): DeviceListingRow[] {
  return [...devices]
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
    .map((d) => {
      const { lastSeenMs, checkpoint } = sightings(d.id);
      const seen = [
        ...(lastSeenMs === undefined ? [] : [lastSeenMs]),
        ...(checkpoint ? [Date.parse(checkpoint.updatedAt)] : []),
      ];
      return {
        id: d.id,
        name: d.name,
        role: d.role,
        pairedAt: d.pairedAt,
        revoked: d.revoked,
        revokedAt: d.revokedAt,
        lastSeenAt: seen.length === 0 ? null : new Date(Math.max(...seen)).toISOString(),
        outboxDepth: checkpoint?.outboxDepth ?? null,
      };
    });
}
