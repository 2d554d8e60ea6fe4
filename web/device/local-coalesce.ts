import { type AnyEntity, type EntityKind, entitySchemas, type FeedEntry } from '#protocol';

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
 * A feed entry as the folder reads it: its envelope (checked by zod's `FeedEntry`, or by the
 * hydrator's zod-free `checkFeedPage`); an upsert's `data` may not be checked yet.
 */
export type FoldableEntry =
  | {
      readonly entity: EntityKind;
      readonly id: string;
      readonly op: 'upsert';
      readonly version: number;
      readonly opId?: string | undefined;
      readonly data: unknown;
    }
  | {
      readonly entity: EntityKind;
      readonly id: string;
      readonly op: 'tombstone';
      readonly version: number;
    };

/** A surviving upsert whose entity does not fit its kind's schema: the batch is refused whole. */
export class InvalidEntityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEntityError';
  }
}

/**
 * Folds feed entries (in stream order) into at most one write per entity, with `project`'s
 * version rules: an upsert no newer than what the batch already holds is skipped, a tombstone
 * at least as new removes. So 50 updates to one order cost one put, and a page applied twice
 * folds to the same writes. For entries zod already parsed whole (`FeedEntry`): nothing is
 * validated again.
 *
 * @example
 * coalesce([v1, v2, v3 of order A, tombstone of B]).changes
 * // → [{ op: 'put', kind: 'order', id: 'A', version: 3, … }, { op: 'delete', kind: …, id: 'B' }]
 */
export function coalesce(entries: readonly FeedEntry[]): CoalescedBatch {
  const folded = new Folds();
  folded.add(entries);
  // Parsed whole by zod already: the data is the entity.
  return { changes: [...folded.values()] as CoalescedChange[], kinds: folded.kinds() };
}

/** One entity's folded change, its data as it arrived. */
type Folded =
  | {
      readonly op: 'put';
      readonly kind: EntityKind;
      readonly id: string;
      readonly version: number;
      readonly data: unknown;
      readonly opId: string | undefined;
    }
  | {
      readonly op: 'delete';
      readonly kind: EntityKind;
      readonly id: string;
      readonly version: number;
    };

/** The fold's state: kind → id → the winning change (no key string made per entry). */
class Folds {
  private readonly byKind = new Map<EntityKind, Map<string, Folded>>();
  size = 0;

  add(entries: readonly FoldableEntry[]): void {
    for (const entry of entries) {
      let byId = this.byKind.get(entry.entity);
      if (!byId) {
        byId = new Map();
        this.byKind.set(entry.entity, byId);
      }
      const held = byId.get(entry.id);
      if (entry.op === 'upsert') {
        if (held && held.version >= entry.version) continue;
        byId.set(entry.id, {
          op: 'put',
          kind: entry.entity,
          id: entry.id,
          version: entry.version,
          data: entry.data,
          opId: entry.opId,
        });
      } else {
        if (held && held.version > entry.version) continue;
        byId.set(entry.id, {
          op: 'delete',
          kind: entry.entity,
          id: entry.id,
          version: entry.version,
        });
      }
      if (!held) this.size++;
    }
  }

  *values(): IterableIterator<Folded> {
    for (const byId of this.byKind.values()) yield* byId.values();
  }

  /** Every kind an entry was seen for (a skipped stale entry still names its kind). */
  kinds(): EntityKind[] {
    return [...this.byKind.keys()];
  }
}

/**
 * `coalesce`, a page at a time: a catch-up folds many feed pages into one set of writes, so an
 * entity updated on every page is still written once. Memory grows with distinct entities, not
 * with entries. Entries need only a checked envelope: `batch()` parses the data of the upserts
 * that survive with their kind's schema — once per entity, not once per entry.
 */
export class Coalescer {
  private readonly folds = new Folds();

  /** Distinct entities folded so far. */
  get size(): number {
    return this.folds.size;
  }

  add(entries: readonly FoldableEntry[]): void {
    this.folds.add(entries);
  }

  /**
   * The writes, every surviving upsert's data parsed with its kind's schema (unknown keys
   * dropped, as zod's `FeedEntry` drops them). Throws InvalidEntityError, naming the entity, if
   * one does not fit or its data's id is not the entry's: then nothing of the batch may be
   * written (the caller keeps its cursor and asks again later).
   */
  batch(): CoalescedBatch {
    const changes: CoalescedChange[] = [];
    for (const change of this.folds.values()) {
      if (change.op === 'delete') {
        changes.push(change);
        continue;
      }
      const parsed = entitySchemas[change.kind].safeParse(change.data);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue ? `${issue.path.join('.') || '(data)'}: ${issue.message}` : 'invalid';
        throw new InvalidEntityError(`${change.kind} ${change.id} v${change.version}: ${where}`);
      }
      if (parsed.data.id !== change.id) {
        throw new InvalidEntityError(`${change.kind} ${change.id}: data.id must equal id`);
      }
      changes.push({ ...change, data: parsed.data });
    }
    return { changes, kinds: this.folds.kinds() };
  }
}
