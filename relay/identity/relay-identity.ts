import { z } from 'zod';
import { EcPrivateJwk, EcPublicJwk, EntityId } from '#protocol';

/**
 * What the relay keeps about itself after enrollment (in `relay-identity.json`, mode 0600):
 * its node id and venue, its credential for the uplink, its signing key (for tokens it issues
 * while the uplink is down), the cloud's verification keys, the venue PIN key, and the secret
 * of its own LAN feed cursors.
 */
export const RelayIdentity = z.object({
  nodeId: EntityId,
  tenantId: EntityId,
  venueId: EntityId,
  cloudUrl: z.string().url(),
  credential: z.string().min(20),
  signingJwk: EcPrivateJwk,
  verificationKeys: z.array(z.object({ kid: z.string(), jwk: EcPublicJwk })).min(1),
  /** base64url */
  venuePinKey: z.string().min(43),
  /** base64url, 32 bytes: signs the LAN feed's cursors. */
  cursorSecret: z.string().min(43),
  enrolledAt: z.iso.datetime({ offset: true }),
});
export type RelayIdentity = z.infer<typeof RelayIdentity>;

/** The kid of tokens this relay signs: the cloud accepts them for this relay's venue only. */
export const relayKid = (nodeId: string): string => `relay:${nodeId}`;
