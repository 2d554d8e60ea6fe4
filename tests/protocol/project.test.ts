import { describe, expect, it } from 'vitest';
import { type EntityChange, emptyEntitySet, getEntity, listEntities, project } from '#protocol';

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
