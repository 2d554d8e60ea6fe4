import * as z from 'zod';
import { Cursor } from '../cursor/cursor.ts';
import { type EntityKind, type EntityOf, entitySchemas } from '../entities/entity-kind.ts';
import { Timestamp } from '../ids/entity-id.ts';

function recordsOf<K extends EntityKind>(kind: K) {
  return z.object({ entity: z.literal(kind), data: entitySchemas[kind] });
}

/** One entity in a snapshot. */
export const SnapshotRecord = z.discriminatedUnion('entity', [
  recordsOf('venue'),
  recordsOf('settings'),
  recordsOf('table'),
  recordsOf('menuCategory'),
  recordsOf('menuItem'),
  recordsOf('menuModifier'),
  recordsOf('order'),
  recordsOf('ticket'),
  recordsOf('serviceRequest'),
  recordsOf('booking'),
  recordsOf('teamSection'),
  recordsOf('teamMember'),
  recordsOf('device'),
  recordsOf('payment'),
  recordsOf('refund'),
  recordsOf('drawer'),
]);
export type SnapshotRecord = { [K in EntityKind]: { entity: K; data: EntityOf<K> } }[EntityKind];

/** A consistent set of entities and the cursor at which it holds: follow the feed from there. */
export const Snapshot = z.object({
  venueId: z.string(),
  cursor: Cursor,
  /** The stream seq the snapshot covers (also inside the cursor; here for display). */
  seq: z.number().int().min(0),
  at: Timestamp,
  records: z.array(SnapshotRecord),
});
export type Snapshot = z.infer<typeof Snapshot>;
