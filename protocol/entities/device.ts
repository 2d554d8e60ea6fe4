import * as z from 'zod';
import { DeviceId } from '../ids/device-id.ts';
import { Timestamp } from '../ids/entity-id.ts';
import { Ulid } from '../ids/ulid.ts';

/** What a paired device is for: the floor app or a kitchen display. */
export const DeviceRole = z.enum(['floor', 'kitchen']);
export type DeviceRole = z.infer<typeof DeviceRole>;

/** base64url (no padding) of a SHA-256: 43 characters. */
export const CredentialDigest = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url SHA-256 (43 characters)');
export type CredentialDigest = z.infer<typeof CredentialDigest>;

/**
 * A staff device paired with the venue (decision 034). It carries the digest of its credential,
 * never the credential: a SHA-256 of a 256-bit random secret reveals nothing to a feed reader.
 */
export const Device = z.object({
  /** The install's own deviceId (the one its ops carry). */
  id: DeviceId,
  name: z.string().min(1).max(60),
  role: DeviceRole,
  /** The pairing code it was paired with (the code's jti): each code pairs once. */
  pairingId: Ulid,
  credentialDigest: CredentialDigest,
  /** The member who issued the code, or `setup` for an operator's setup code. */
  pairedBy: z.string().min(1).max(80),
  /** Server time of the pairing: audit only. */
  pairedAt: Timestamp,
  revoked: z.boolean(),
  revokedBy: z.string().min(1).max(80).nullable(),
  revokedAt: Timestamp.nullable(),
  version: z.number().int().min(1),
});
export type Device = z.infer<typeof Device>;
