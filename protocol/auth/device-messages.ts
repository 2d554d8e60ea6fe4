import * as z from 'zod';
import { DeviceRole } from '../entities/device.ts';
import { DeviceId } from '../ids/device-id.ts';
import { EntityId, Timestamp } from '../ids/entity-id.ts';

/** `POST /v1/venues/{venueId}/devices/pairings`: a manager asks for a pairing code. */
export const PairingRequest = z.object({
  role: DeviceRole,
  /** A suggested name for the device; the device may change it when it pairs. */
  name: z.string().min(1).max(60).optional(),
});
export type PairingRequest = z.infer<typeof PairingRequest>;

/** The pairing code (a signed, single-use token), the link to show as a QR code, its expiry. */
export const PairingCreated = z.object({
  code: z.string().min(1).max(8192),
  /** `<origin>/pair#code=<code>`: the code in the fragment, never sent to a server or logged. */
  pairUrl: z.string().min(1).max(9000),
  expiresAt: Timestamp,
});
export type PairingCreated = z.infer<typeof PairingCreated>;

/** `POST /v1/devices/pair`: a device redeems a pairing code for its credential (a cookie). */
export const DevicePairRequest = z.object({
  code: z.string().min(1).max(8192),
  deviceId: DeviceId,
  name: z.string().min(1).max(60),
});
export type DevicePairRequest = z.infer<typeof DevicePairRequest>;

/** The answer to a pairing: the credential itself travels only in the HttpOnly cookie. */
export const DevicePaired = z.object({
  deviceId: DeviceId,
  name: z.string().min(1).max(60),
  role: DeviceRole,
  venueId: EntityId,
  tenantId: EntityId,
});
export type DevicePaired = z.infer<typeof DevicePaired>;

/** One row of a venue's device list: the entity joined with what the server last saw of it. */
export const DeviceListingRow = z.object({
  id: DeviceId,
  name: z.string().min(1).max(60),
  role: DeviceRole,
  pairedAt: Timestamp,
  revoked: z.boolean(),
  revokedAt: Timestamp.nullable(),
  /** The newest authenticated request or live socket of the device this server saw, if any. */
  lastSeenAt: Timestamp.nullable(),
  /** Ops in the device's outbox at its latest checkpoint, if one reached this server. */
  outboxDepth: z.number().int().min(0).nullable(),
});
export type DeviceListingRow = z.infer<typeof DeviceListingRow>;

/** `GET /v1/venues/{venueId}/devices` (managers and owners). */
export const DeviceListing = z.object({ devices: z.array(DeviceListingRow) });
export type DeviceListing = z.infer<typeof DeviceListing>;
