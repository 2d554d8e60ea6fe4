import * as z from 'zod';
import { CredentialDigest, DeviceRole } from '../../entities/device.ts';
import { DeviceId } from '../../ids/device-id.ts';
import { Ulid } from '../../ids/ulid.ts';

/**
 * Pairs a device (or pairs it again, with a new credential). Made by the server that redeemed
 * the pairing code, as the code's issuer; `pairingId` is the code's jti and pairs once.
 */
export const DevicePair = z.object({
  deviceId: DeviceId,
  name: z.string().min(1).max(60),
  role: DeviceRole,
  pairingId: Ulid,
  credentialDigest: CredentialDigest,
});
export type DevicePair = z.infer<typeof DevicePair>;
