import { describe, expect, it } from 'vitest';
import { menuSectionsOf } from '../../web/guest/guest-data.ts';
import { type MenuCopy, readMenuCopy, writeMenuCopy } from '../../web/guest/menu-copy.ts';
import { dataOf, memoryStorage } from './guest-fixtures.ts';

// The menu a reopened page paints first: kept as display text per venue, read back only when
// it is whole.

const copy = (): MenuCopy => ({ venueName: 'Demo Bistro', sections: menuSectionsOf(dataOf()) });

describe('the menu copy', () => {
  it('round-trips per venue', () => {
    const storage = memoryStorage();
    const kept = copy();
    expect(kept.sections.length).toBeGreaterThan(0);
    expect(writeMenuCopy(storage, 'demo-bistro', kept)).toBe(true);
    expect(readMenuCopy(storage, 'demo-bistro')).toEqual(kept);
    expect(readMenuCopy(storage, 'harbour-bar')).toBeUndefined();
  });

  it('reads nothing from text that is not a whole copy', () => {
    const storage = memoryStorage();
    const key = 'hearth.guest.menu:demo-bistro';
    const bad = [
      '{not json',
      'null',
      '{"venueName":"X"}',
      '{"venueName":"X","sections":[{"id":"s","name":"S","items":[{"id":"a"}]}]}',
      JSON.stringify({ ...copy(), venueName: 3 }),
    ];
    for (const text of bad) {
      storage.setItem(key, text);
      expect(readMenuCopy(storage, 'demo-bistro'), text).toBeUndefined();
    }
  });

  it('says so when storage refuses the write', () => {
    const full = {
      ...memoryStorage(),
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    } as Storage;
    expect(writeMenuCopy(full, 'demo-bistro', copy())).toBe(false);
  });
});
