import {
  type EntityChange,
  type EntityKind,
  FeedEntry,
  OpResult,
  SnapshotRecord,
  StaffRole,
} from '#protocol';
import type {
  DeviceCheckpointRecord,
  EdgeNode,
  IdempotencyRecord,
  StaffCredential,
  VenueRecord,
} from './cloud-store.ts';

const NODE_STATUSES: readonly EdgeNode['status'][] = ['pending', 'active', 'revoked'];

// The SQL adapters' rows (the same column names on SQLite and PostgreSQL), and what each becomes
// in the port's records. Every stored JSON text is parsed back through its protocol schema.

// Type aliases, not interfaces: bun:sqlite's bindings want index-signature-compatible records.
export type VenueRow = {
  venue_id: string;
  tenant_id: string;
  name: string;
  epoch: number;
  compacted_through: number;
  head: number;
};
export type FeedRow = {
  seq: number;
  entity: string;
  entity_id: string;
  op: string;
  version: number;
  data: string | null;
  at: string;
  op_id: string | null;
};
export type IdempotencyRow = {
  tenant_id: string;
  op_id: string;
  venue_id: string;
  device_id: string;
  payload_hash: string;
  result: string;
  created_at: string;
};
export type StaffRow = {
  venue_id: string;
  pin_digest: string;
  tenant_id: string;
  member_id: string;
  name: string;
  role: string;
};
export type NodeRow = {
  node_id: string;
  tenant_id: string;
  venue_id: string;
  name: string;
  status: string;
  public_key_jwk: string | null;
  created_at: string;
  enrolled_at: string | null;
  acked_seq: number;
  last_seen_at: string | null;
  heartbeat: string | null;
};
export type TokenRow = {
  token_digest: string;
  node_id: string;
  expires_at: string;
  used_at: string | null;
};
export type CheckpointRow = {
  venue_id: string;
  device_id: string;
  cursor: string;
  seq: number;
  outbox_depth: number;
  oldest_pending_at: string | null;
  failed_ops: number;
  updated_at: string;
};

/** What a SQL adapter throws for a stored row that does not match its schema. */
export class CorruptRowError extends Error {
  readonly code = 'CORRUPT_ROW';
  constructor(what: string, error: unknown) {
    super(`stored ${what} does not match its schema: ${String(error)}`);
    this.name = 'CorruptRowError';
  }
}

function corrupt(what: string, error: unknown): CorruptRowError {
  return new CorruptRowError(what, error);
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw corrupt(what, error);
  }
}

export function toVenue(row: VenueRow): VenueRecord {
  return {
    tenantId: row.tenant_id,
    venueId: row.venue_id,
    name: row.name,
    epoch: row.epoch,
    compactedThrough: row.compacted_through,
  };
}

export function toFeedEntry(row: FeedRow): FeedEntry {
  const parsed = FeedEntry.safeParse({
    seq: row.seq,
    entity: row.entity,
    id: row.entity_id,
    op: row.op,
    version: row.version,
    at: row.at,
    ...(row.op_id === null ? {} : { opId: row.op_id }),
    ...(row.data === null ? {} : { data: parseJson(row.data, 'feed entry') }),
  });
  if (!parsed.success) throw corrupt(`feed entry ${row.seq}`, parsed.error);
  return parsed.data;
}

export function toIdempotency(row: IdempotencyRow): IdempotencyRecord {
  const parsed = OpResult.safeParse(parseJson(row.result, 'op result'));
  if (!parsed.success) throw corrupt(`result of ${row.op_id}`, parsed.error);
  const result = parsed.data;
  if (result.status !== 'applied' && result.status !== 'rejected')
    throw corrupt(`result of ${row.op_id}`, result.status);
  return {
    tenantId: row.tenant_id,
    opId: row.op_id,
    venueId: row.venue_id,
    deviceId: row.device_id,
    payloadHash: row.payload_hash,
    result,
    createdAt: row.created_at,
  };
}

export function toStaff(row: StaffRow): StaffCredential {
  const role = StaffRole.safeParse(row.role);
  if (!role.success) throw corrupt(`role of ${row.member_id}`, role.error);
  return {
    tenantId: row.tenant_id,
    venueId: row.venue_id,
    memberId: row.member_id,
    name: row.name,
    role: role.data,
    pinDigest: row.pin_digest,
  };
}

export function toNode(row: NodeRow): EdgeNode {
  const status = NODE_STATUSES.find((s) => s === row.status);
  if (status === undefined) throw corrupt(`status of node ${row.node_id}`, row.status);
  return {
    nodeId: row.node_id,
    tenantId: row.tenant_id,
    venueId: row.venue_id,
    name: row.name,
    status,
    publicKeyJwk: row.public_key_jwk,
    createdAt: row.created_at,
    enrolledAt: row.enrolled_at,
    ackedSeq: row.acked_seq,
    lastSeenAt: row.last_seen_at,
    heartbeat: row.heartbeat,
  };
}

export function toCheckpoint(row: CheckpointRow): DeviceCheckpointRecord {
  return {
    venueId: row.venue_id,
    deviceId: row.device_id,
    cursor: row.cursor,
    seq: row.seq,
    outboxDepth: row.outbox_depth,
    oldestPendingAt: row.oldest_pending_at,
    failedOps: row.failed_ops,
    updatedAt: row.updated_at,
  };
}

/** A stored entity's JSON text as the snapshot record of its kind. */
export function toSnapshotRecord(kind: EntityKind, data: string): SnapshotRecord {
  const parsed = SnapshotRecord.safeParse({ entity: kind, data: parseJson(data, kind) });
  if (!parsed.success) throw new CorruptRowError(kind, parsed.error);
  return parsed.data;
}

/**
 * The feed entries `changes` become when placed after `head`. Validated on the way in as well
 * as out: a row that cannot be read back would stall every reader. `invalid` throws.
 */
export function placeEntries(
  head: number,
  changes: readonly EntityChange[],
  meta: { readonly opId?: string; readonly at: string },
  invalid: (detail: string) => never,
): FeedEntry[] {
  return changes.map((change, index) => {
    const parsed = FeedEntry.safeParse({
      ...change,
      seq: head + index + 1,
      at: meta.at,
      ...(meta.opId === undefined ? {} : { opId: meta.opId }),
    });
    if (!parsed.success) invalid(`${change.entity} ${change.id}: ${parsed.error.message}`);
    return parsed.data;
  });
}
