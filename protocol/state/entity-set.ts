import { ENTITY_KINDS, type EntityKind, type EntityOf } from '../entities/entity-kind.ts';

/*
 * An entity set is persistent: every change makes a new set that shares almost everything with
 * the old one. Each kind's entities sit in a two-level tree of 64 × 64 small leaves, chosen by a
 * hash of the id, so a change copies one leaf (about n/4096 entries) and two 64-slot arrays, not
 * the whole table — a venue with 50,000 orders decides an op as fast as one with 50.
 */
const FANOUT = 64;

type Shard<K extends EntityKind> = Readonly<Record<string, EntityOf<K>>>;

export interface EntityTable<K extends EntityKind> {
  /** shards[top][leaf]: the leaves of the tree. */
  readonly shards: readonly (readonly Shard<K>[])[];
  readonly size: number;
}

/** Every entity a device, relay or cloud holds for one venue, by kind and id. */
export type EntitySet = { readonly [K in EntityKind]: EntityTable<K> };

/** FNV-1a over UTF-16 code units: cheap, stable, and spreads ULIDs and slugs alike. */
function hashOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The [top, leaf] slot of an id. */
function slotOf(id: string): [number, number] {
  const hash = hashOf(id);
  return [hash % FANOUT, Math.floor(hash / FANOUT) % FANOUT];
}

// Shards have no prototype, so an id such as "constructor" never finds Object.prototype's.
const emptyShard = <K extends EntityKind>(): Shard<K> => Object.create(null) as Shard<K>;

function emptyTable<K extends EntityKind>(): EntityTable<K> {
  const leaves = Array.from({ length: FANOUT }, () => emptyShard<K>());
  return { shards: Array.from({ length: FANOUT }, () => leaves), size: 0 };
}

/** An empty set with a table for every kind. */
export function emptyEntitySet(): EntitySet {
  const set: Partial<Record<EntityKind, EntityTable<EntityKind>>> = {};
  for (const kind of ENTITY_KINDS) set[kind] = emptyTable();
  return set as EntitySet;
}

/** The entity of `kind` with `id`, if held. */
export function getEntity<K extends EntityKind>(
  set: EntitySet,
  kind: K,
  id: string,
): EntityOf<K> | undefined {
  const table: EntityTable<K> = set[kind];
  const [top, leaf] = slotOf(id);
  return table.shards[top]?.[leaf]?.[id];
}

/** All entities of a kind, in id order (deterministic for tests and snapshots). */
export function listEntities<K extends EntityKind>(set: EntitySet, kind: K): EntityOf<K>[] {
  const table: EntityTable<K> = set[kind];
  const all: EntityOf<K>[] = [];
  const seen = new Set<Shard<K>>();
  for (const leaves of table.shards) {
    for (const shard of leaves) {
      // An empty table shares one leaf list and one empty leaf: visit each leaf once.
      if (seen.has(shard)) continue;
      seen.add(shard);
      for (const id in shard) all.push(shard[id] as EntityOf<K>);
    }
  }
  return all.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The entities of a kind that `keep` accepts, in id order. One pass over the table like
 * `listEntities`, but only the matches are sorted (an order's tickets among thousands).
 */
export function filterEntities<K extends EntityKind>(
  set: EntitySet,
  kind: K,
  keep: (entity: EntityOf<K>) => boolean,
): EntityOf<K>[] {
  const table: EntityTable<K> = set[kind];
  const found: EntityOf<K>[] = [];
  const seen = new Set<Shard<K>>();
  for (const leaves of table.shards) {
    for (const shard of leaves) {
      if (seen.has(shard)) continue;
      seen.add(shard);
      for (const id in shard) {
        const entity = shard[id] as EntityOf<K>;
        if (keep(entity)) found.push(entity);
      }
    }
  }
  return found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** How many entities of a kind the set holds. */
export function entityCount(set: EntitySet, kind: EntityKind): number {
  return set[kind].size;
}

/**
 * Builds the next set from `base` with puts and removes, copying each touched shard once however
 * many changes land in it. `base` is never modified.
 */
export class EntitySetWriter {
  private readonly base: EntitySet;
  private readonly tables = new Map<
    EntityKind,
    {
      shards: Record<string, unknown>[][];
      copiedTops: Set<number>;
      copiedLeaves: Set<number>;
      size: number;
    }
  >();

  constructor(base: EntitySet) {
    this.base = base;
  }

  get<K extends EntityKind>(kind: K, id: string): EntityOf<K> | undefined {
    const table = this.tables.get(kind);
    if (!table) return getEntity(this.base, kind, id);
    const [top, leaf] = slotOf(id);
    return table.shards[top]?.[leaf]?.[id] as EntityOf<K> | undefined;
  }

  put<K extends EntityKind>(kind: K, entity: EntityOf<K>): void {
    const shard = this.shard(kind, entity.id);
    if (!(entity.id in shard.target)) shard.table.size++;
    shard.target[entity.id] = entity;
  }

  remove(kind: EntityKind, id: string): void {
    if (this.get(kind, id) === undefined) return;
    const shard = this.shard(kind, id);
    delete shard.target[id];
    shard.table.size--;
  }

  /** The new set; the same object as `base` when nothing changed. */
  finish(): EntitySet {
    if (this.tables.size === 0) return this.base;
    const next: Record<string, unknown> = { ...this.base };
    for (const [kind, table] of this.tables)
      next[kind] = { shards: table.shards, size: table.size };
    return next as EntitySet;
  }

  /** The leaf an id lives in, copied (with the path to it) the first time this writer touches it. */
  private shard(kind: EntityKind, id: string) {
    let table = this.tables.get(kind);
    if (!table) {
      const current = this.base[kind];
      table = {
        shards: [...current.shards] as Record<string, unknown>[][],
        copiedTops: new Set(),
        copiedLeaves: new Set(),
        size: current.size,
      };
      this.tables.set(kind, table);
    }
    const [top, leaf] = slotOf(id);
    if (!table.copiedTops.has(top)) {
      table.shards[top] = [...(table.shards[top] ?? [])];
      table.copiedTops.add(top);
    }
    const leaves = table.shards[top] as Record<string, unknown>[];
    const key = top * FANOUT + leaf;
    if (!table.copiedLeaves.has(key)) {
      leaves[leaf] = Object.assign(Object.create(null) as Record<string, unknown>, leaves[leaf]);
      table.copiedLeaves.add(key);
    }
    return { table, target: leaves[leaf] as Record<string, unknown> };
  }
}
