import type { EntityKind, EntityOf } from '../entities/entity-kind.ts';
import type { EntityChange } from '../feed/feed-entry.ts';
import { getEntity } from '../state/entity-set.ts';
import type { VenueState } from '../state/venue-state.ts';
import type { Decision } from './decision.ts';

type Unversioned<K extends EntityKind> = Omit<EntityOf<K>, 'version'>;

/**
 * A decider's scratch copy of the state. `put` and `remove` change the copy directly and log
 * the change with the next version; `commit` returns both. The feed entries come from the log,
 * the state from the copy, so `project(before, changes)` checking equal to the copy is a real
 * test of projection, not a tautology.
 */
export class Draft {
  private readonly tables = new Map<EntityKind, Record<string, unknown>>();
  private readonly log: EntityChange[] = [];

  private readonly base: VenueState;

  constructor(base: VenueState) {
    this.base = base;
  }

  get<K extends EntityKind>(kind: K, id: string): EntityOf<K> | undefined {
    const table = this.tables.get(kind);
    if (table) return Object.hasOwn(table, id) ? (table[id] as EntityOf<K>) : undefined;
    return getEntity(this.base.entities, kind, id);
  }

  put<K extends EntityKind>(kind: K, value: Unversioned<K>, previousVersion: number): EntityOf<K> {
    const entity = { ...value, version: previousVersion + 1 } as EntityOf<K>;
    this.table(kind)[value.id] = entity;
    this.log.push({
      entity: kind,
      id: value.id,
      op: 'upsert',
      data: entity,
      version: entity.version,
    } as EntityChange);
    return entity;
  }

  remove(kind: EntityKind, id: string, previousVersion: number): void {
    delete this.table(kind)[id];
    this.log.push({ entity: kind, id, op: 'tombstone', version: previousVersion + 1 });
  }

  commit(): Decision {
    const entities: Record<string, unknown> = { ...this.base.entities };
    for (const [kind, table] of this.tables) entities[kind] = table;
    return {
      kind: 'applied',
      changes: [...this.log],
      state: { ...this.base, entities: entities as VenueState['entities'] },
    };
  }

  private table(kind: EntityKind): Record<string, unknown> {
    let table = this.tables.get(kind);
    if (!table) {
      table = { ...(this.base.entities[kind] as Record<string, unknown>) };
      this.tables.set(kind, table);
    }
    return table;
  }
}

/** An applied decision that changes nothing (an idempotent repeat). */
export function unchanged(state: VenueState): Decision {
  return { kind: 'applied', changes: [], state };
}
