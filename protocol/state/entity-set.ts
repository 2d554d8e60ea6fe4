import { ENTITY_KINDS, type EntityKind, type EntityOf } from '../entities/entity-kind.ts';

export type EntityTable<K extends EntityKind> = Readonly<Record<string, EntityOf<K>>>;

/** Every entity a device, relay or cloud holds for one venue, by kind and id. */
export type EntitySet = { readonly [K in EntityKind]: EntityTable<K> };

/** An empty set with a table for every kind. */
export function emptyEntitySet(): EntitySet {
  const set: Partial<Record<EntityKind, object>> = {};
  for (const kind of ENTITY_KINDS) set[kind] = {};
  return set as EntitySet;
}

/**
 * The entity of `kind` with `id`, if held. Own properties only: an id such as
 * "constructor" must never find something from Object.prototype.
 */
export function getEntity<K extends EntityKind>(
  set: EntitySet,
  kind: K,
  id: string,
): EntityOf<K> | undefined {
  const table: EntityTable<K> = set[kind];
  return Object.hasOwn(table, id) ? table[id] : undefined;
}

/** All entities of a kind, in id order (deterministic for tests and snapshots). */
export function listEntities<K extends EntityKind>(set: EntitySet, kind: K): EntityOf<K>[] {
  const table: EntityTable<K> = set[kind];
  return Object.keys(table)
    .sort()
    .map((id) => table[id] as EntityOf<K>);
}
