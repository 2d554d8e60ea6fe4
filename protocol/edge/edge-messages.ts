import * as z from 'zod';
import { StaffRole } from '../auth/role.ts';
import { EcPublicJwk } from '../auth/token.ts';
import { ConnectivityTransition, RelayConnectivity } from '../connectivity/connectivity-state.ts';
import { Cursor } from '../cursor/cursor.ts';
import { EntityId, Timestamp } from '../ids/entity-id.ts';

/** A P-256 public key as a JWK. Strict: a private key (with `d`) is refused; it must never travel. */
const PublicJwk = EcPublicJwk.strict();

/** `POST /v1/venues/:venueId/edge/nodes` (manager). */
export const CreateEdgeNodeRequest = z.object({ name: z.string().min(1).max(80) });
export const CreateEdgeNodeResponse = z.object({
  nodeId: EntityId,
  /** Shown once; single use; trade it at `/v1/edge/enroll` before `expiresAt`. */
  enrollmentToken: z.string().min(32),
  expiresAt: Timestamp,
});
export type CreateEdgeNodeResponse = z.infer<typeof CreateEdgeNodeResponse>;

/** `POST /v1/edge/enroll`: the relay trades its one-time token and its public key for a credential. */
export const EnrollRequest = z.object({
  enrollmentToken: z.string().min(32).max(200),
  publicKeyJwk: PublicJwk,
});
export const EnrollResponse = z.object({
  nodeId: EntityId,
  tenantId: EntityId,
  venueId: EntityId,
  /** The relay's own bearer token for the uplink. */
  credential: z.string(),
  /** Keys the relay verifies cloud-issued tokens with, offline. */
  verificationKeys: z.array(z.object({ kid: z.string(), jwk: EcPublicJwk })),
  /** This venue's PIN key (base64url), so the relay can sign staff in while the uplink is down. */
  venuePinKey: z.string().min(43),
});
export type EnrollResponse = z.infer<typeof EnrollResponse>;

/** `POST /v1/venues/:venueId/edge/ack`: the highest cursor the relay has durably stored. */
export const AckRequest = z.object({ cursor: Cursor });

/**
 * A staff device on the LAN as its relay last heard from it: devices there report their
 * checkpoint to the relay, which passes the latest of each on in its heartbeat.
 */
export const LanDeviceReport = z.object({
  deviceId: z.string().min(1).max(64),
  /** Feed entries the device is behind the relay's own stream. */
  lag: z.number().int().min(0),
  outboxDepth: z.number().int().min(0),
  oldestPendingAt: Timestamp.nullable(),
  failedOps: z.number().int().min(0),
  updatedAt: Timestamp,
});
export type LanDeviceReport = z.infer<typeof LanDeviceReport>;

/** `POST /v1/venues/:venueId/edge/heartbeat`: the relay's view of itself. */
export const Heartbeat = z.object({
  version: z.string().max(40),
  connectivity: RelayConnectivity,
  /** Ops journaled at the venue and not yet accepted by the cloud. */
  journalDepth: z.number().int().min(0),
  oldestUnsyncedAt: Timestamp.nullable(),
  connectedDevices: z.number().int().min(0),
  transitions: z.array(ConnectivityTransition).max(50),
  /** Its devices' latest checkpoints, most recent last (absent from relays before this field). */
  devices: z.array(LanDeviceReport).max(200).default([]),
});
export type Heartbeat = z.infer<typeof Heartbeat>;

/** `GET /v1/venues/:venueId/resilience` (manager): the venue's sync posture at a glance. */
export const ResilienceReport = z.object({
  venueId: EntityId,
  journalHead: z.number().int().min(0),
  at: Timestamp,
  nodes: z.array(
    z.object({
      nodeId: EntityId,
      name: z.string(),
      status: z.enum(['pending', 'active', 'revoked']),
      ackedSeq: z.number().int().min(0),
      lag: z.number().int().min(0),
      lastSeenAt: Timestamp.nullable(),
      heartbeat: Heartbeat.nullable(),
    }),
  ),
  devices: z.array(
    z.object({
      deviceId: z.string(),
      seq: z.number().int().min(0),
      lag: z.number().int().min(0),
      outboxDepth: z.number().int().min(0),
      oldestPendingAt: Timestamp.nullable(),
      failedOps: z.number().int().min(0),
      updatedAt: Timestamp,
      /**
       * The relay the device reports through (its seq is then the relay's, and its lag the
       * relay's plus its own behind the relay); null when it reports to the cloud itself.
       */
      via: EntityId.nullable(),
    }),
  ),
  /**
   * The relay's uplink (the relay's own report only): its state now, since when, and its recent
   * transitions, newest last.
   */
  connectivity: z
    .object({
      state: z.string().max(40),
      since: Timestamp,
      history: z.array(z.object({ state: z.string().max(40), at: Timestamp })).max(50),
    })
    .optional(),
  /**
   * The relay's minute-by-minute posture over the last 6 hours, oldest first (the relay's own
   * report only): its journal's ops not yet in the cloud, its devices' outboxes summed, and
   * whether it was replaying to the cloud in that minute.
   */
  samples: z
    .array(
      z.object({
        at: Timestamp,
        journalDepth: z.number().int().min(0),
        outboxDepth: z.number().int().min(0),
        replaying: z.boolean(),
      }),
    )
    .max(360)
    .optional(),
});
export type ResilienceReport = z.infer<typeof ResilienceReport>;

/** `GET /v1/venues/:venueId/edge/staff` (relay): the venue's staff and their PIN digests. */
export const EdgeStaffList = z.object({
  staff: z.array(
    z.object({
      memberId: z.string(),
      name: z.string(),
      role: StaffRole,
      pinDigest: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
});
export type EdgeStaffList = z.infer<typeof EdgeStaffList>;
