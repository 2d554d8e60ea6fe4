import { describe, expect, it } from 'vitest';
import {
  type EntityChange,
  emptyEntitySet,
  entityCount,
  getEntity,
  listEntities,
  project,
} from '#protocol';

const table = (version: number, label = '1'): EntityChange => ({
  entity: 'table',
  id: 'table-1',
  op: 'upsert',
  data: { id: 'table-1', label, seats: 2, version },
  version,
});
const tombstone = (version: number): EntityChange => ({
  entity: 'table',
  id: 'table-1',
  op: 'tombstone',
  version,
});

describe('project', () => {
  it('applies upserts and tombstones in order without touching its input', () => {
    const empty = emptyEntitySet();
    const one = project(empty, [table(1)]);
    expect(getEntity(one, 'table', 'table-1')?.label).toBe('1');
    expect(getEntity(empty, 'table', 'table-1')).toBeUndefined();
    const gone = project(one, [table(2, '1A'), tombstone(3)]);
    expect(getEntity(gone, 'table', 'table-1')).toBeUndefined();
    expect(getEntity(one, 'table', 'table-1')?.version).toBe(1);
  });

  it('skips an upsert no newer than what it holds, and a tombstone older than it', () => {
    const at3 = project(emptyEntitySet(), [table(3, 'new')]);
    expect(getEntity(project(at3, [table(2, 'old')]), 'table', 'table-1')?.label).toBe('new');
    expect(getEntity(project(at3, [tombstone(2)]), 'table', 'table-1')?.label).toBe('new');
    expect(getEntity(project(at3, [tombstone(4)]), 'table', 'table-1')).toBeUndefined();
  });

  it('returns the same set when nothing changes, and ignores ids from Object.prototype', () => {
    const set = project(emptyEntitySet(), [table(1)]);
    expect(project(set, [])).toBe(set);
    expect(getEntity(set, 'table', 'constructor')).toBeUndefined();
    expect(getEntity(set, 'order', 'toString')).toBeUndefined();
  });

  it('lists entities in id order', () => {
    const set = project(emptyEntitySet(), [
      {
        entity: 'table',
        id: 'b',
        op: 'upsert',
        data: { id: 'b', label: 'B', seats: 1, version: 1 },
        version: 1,
      },
      {
        entity: 'table',
        id: 'a',
        op: 'upsert',
        data: { id: 'a', label: 'A', seats: 1, version: 1 },
        version: 1,
      },
    ]);
    expect(listEntities(set, 'table').map((t) => t.id)).toEqual(['a', 'b']);
  });
});

describe('entity sets are persistent', () => {
  it('a change copies one shard and shares the rest, however large the table', () => {
    const tables = Array.from({ length: 5000 }, (_, i): EntityChange => {
      const id = `t-${i}`;
      return {
        entity: 'table',
        id,
        op: 'upsert',
        data: { id, label: String(i), seats: 2, version: 1 },
        version: 1,
      };
    });
    const big = project(emptyEntitySet(), tables);
    expect(entityCount(big, 'table')).toBe(5000);
    const next = project(big, [
      {
        entity: 'table',
        id: 't-42',
        op: 'upsert',
        data: { id: 't-42', label: 'x', seats: 9, version: 2 },
        version: 2,
      },
    ]);
    const changed = next.table.shards.filter((shard, i) => shard !== big.table.shards[i]);
    expect(changed).toHaveLength(1);
    expect(next.order).toBe(big.order);
    expect(getEntity(big, 'table', 't-42')?.seats).toBe(2);
    expect(getEntity(next, 'table', 't-42')?.seats).toBe(9);
    const removed = project(next, [{ entity: 'table', id: 't-42', op: 'tombstone', version: 3 }]);
    expect(entityCount(removed, 'table')).toBe(4999);
    expect(entityCount(next, 'table')).toBe(5000);
  });
});
