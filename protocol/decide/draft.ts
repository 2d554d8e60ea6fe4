import type { EntityKind, EntityOf } from '../entities/entity-kind.ts';
import type { EntityChange } from '../feed/feed-entry.ts';
import { EntitySetWriter } from '../state/entity-set.ts';
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
  private readonly writer: EntitySetWriter;
  private readonly log: EntityChange[] = [];
  private readonly base: VenueState;

  constructor(base: VenueState) {
    this.base = base;
    this.writer = new EntitySetWriter(base.entities);
  }

  get<K extends EntityKind>(kind: K, id: string): EntityOf<K> | undefined {
    return this.writer.get(kind, id);
  }

  put<K extends EntityKind>(kind: K, value: Unversioned<K>, previousVersion: number): EntityOf<K> {
    const entity = { ...value, version: previousVersion + 1 } as EntityOf<K>;
    this.writer.put(kind, entity);
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
    this.writer.remove(kind, id);
    this.log.push({ entity: kind, id, op: 'tombstone', version: previousVersion + 1 });
  }

  commit(): Decision {
    return {
      kind: 'applied',
      changes: [...this.log],
      state: { ...this.base, entities: this.writer.finish() },
    };
  }
}

/** An applied decision that changes nothing (an idempotent repeat). */
export function unchanged(state: VenueState): Decision {
  return { kind: 'applied', changes: [], state };
}
