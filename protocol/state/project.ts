import type { EntityKind } from '../entities/entity-kind.ts';
import type { EntityChange } from '../feed/feed-entry.ts';
import type { SnapshotRecord } from '../feed/snapshot.ts';
import { type EntitySet, EntitySetWriter } from './entity-set.ts';

/** Anything with a change's shape: a decider's EntityChange or a placed FeedEntry. */
export type Projectable =
  | EntityChange
  | {
      readonly entity: EntityKind;
      readonly id: string;
      readonly op: 'tombstone';
      readonly version: number;
    };

/**
 * Applies changes, in order, to an entity set and returns the new set; the input is not touched.
 * The same function converges the cloud, the relay and the browser.
 *
 * Versions make it safe under at-least-once delivery: an upsert no newer than what is held, or a
 * tombstone older than what is held, is skipped. So applying a page twice changes nothing.
 */
export function project(set: EntitySet, changes: readonly Projectable[]): EntitySet {
  const writer = new EntitySetWriter(set);
  for (const change of changes) {
    const held = writer.get(change.entity, change.id);
    if (change.op === 'upsert') {
      if (held && held.version >= change.version) continue;
      writer.put(change.entity, change.data);
    } else {
      if (held && held.version > change.version) continue;
      writer.remove(change.entity, change.id);
    }
  }
  return writer.finish();
}

/** Loads snapshot records (whole entities) into a set, as upserts at their versions. */
export function projectRecords(set: EntitySet, records: readonly SnapshotRecord[]): EntitySet {
  return project(
    set,
    records.map(
      (r) =>
        ({
          entity: r.entity,
          id: r.data.id,
          op: 'upsert',
          data: r.data,
          version: r.data.version,
        }) as EntityChange,
    ),
  );
}
