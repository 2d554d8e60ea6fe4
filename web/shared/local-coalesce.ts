import type { AnyEntity, EntityKind, FeedEntry } from '#protocol';

/** What one batch does to one entity once its entries are folded: one write, whatever N was. */
export type CoalescedChange =
  | {
      readonly op: 'put';
      readonly kind: EntityKind;
      readonly id: string;
      readonly version: number;
      readonly data: AnyEntity;
      /** The operation behind the winning entry, if any: the local view's "already here" test. */
      readonly opId: string | undefined;
    }
  | {
      readonly op: 'delete';
      readonly kind: EntityKind;
      readonly id: string;
      readonly version: number;
    };

/** The writes a batch of feed entries comes down to, and the kinds it touched. */
export interface CoalescedBatch {
  readonly changes: readonly CoalescedChange[];
  readonly kinds: readonly EntityKind[];
}

/**
 * Folds feed entries (in stream order) into at most one write per entity, with `project`'s
 * version rules: an upsert no newer than what the batch already holds is skipped, a tombstone
 * at least as new removes. So 50 updates to one order cost one put, and a page applied twice
 * folds to the same writes.
 *
 * @example
 * coalesce([v1, v2, v3 of order A, tombstone of B]).changes
 * // → [{ op: 'put', kind: 'order', id: 'A', version: 3, … }, { op: 'delete', kind: …, id: 'B' }]
 */
export function coalesce(entries: readonly FeedEntry[]): CoalescedBatch {
  const folder = new Coalescer();
  folder.add(entries);
  return folder.batch();
}

/**
 * `coalesce`, a page at a time: a catch-up folds many feed pages into one set of writes, so an
 * entity updated on every page is still written once. Memory grows with distinct entities, not
 * with entries.
 */
export class Coalescer {
  private readonly byKey = new Map<string, CoalescedChange>();
  private readonly kinds = new Set<EntityKind>();

  /** Distinct entities folded so far. */
  get size(): number {
    return this.byKey.size;
  }

  add(entries: readonly FeedEntry[]): void {
    for (const entry of entries) {
      const key = `${entry.entity}\u0000${entry.id}`;
      const held = this.byKey.get(key);
      this.kinds.add(entry.entity);
      if (entry.op === 'upsert') {
        if (held && held.version >= entry.version) continue;
        this.byKey.set(key, {
          op: 'put',
          kind: entry.entity,
          id: entry.id,
          version: entry.version,
          data: entry.data,
          opId: entry.opId,
        });
      } else {
        if (held && held.version > entry.version) continue;
        this.byKey.set(key, {
          op: 'delete',
          kind: entry.entity,
          id: entry.id,
          version: entry.version,
        });
      }
    }
  }

  batch(): CoalescedBatch {
    return { changes: [...this.byKey.values()], kinds: [...this.kinds] };
  }
}
