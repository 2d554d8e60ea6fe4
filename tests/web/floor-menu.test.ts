import { describe, expect, it } from 'vitest';
import {
  type AvailabilityItem,
  countText,
  folded,
  groupsOf,
  togglePayload,
  toggleWords,
} from '../../web/floor/menu-availability-state.ts';

// The 86 board, pure: sold out first, then the menu by category; the search; the toggle.

const categories = [
  { id: 'c-mains', name: 'Mains', position: 2 },
  { id: 'c-start', name: 'Starters', position: 1 },
];
const item = (id: string, over: Partial<AvailabilityItem> = {}): AvailabilityItem => ({
  id,
  categoryId: 'c-mains',
  name: id,
  available: true,
  ...over,
});
const items = [
  item('Burger'),
  item('Soup', { categoryId: 'c-start', available: false }),
  item('Crème brûlée', { categoryId: 'c-gone' }),
  item('Fish', { available: false }),
  item('Bread', { categoryId: 'c-start' }),
];

describe('groupsOf', () => {
  it('puts sold-out dishes first (in menu order), then each category by position', () => {
    const groups = groupsOf(items, categories);
    expect(groups.map((g) => [g.title, g.dishes.map((d) => d.name)])).toEqual([
      ['Sold out now', ['Soup', 'Fish']],
      ['Starters', ['Bread']],
      ['Mains', ['Burger']],
      ['Other', ['Crème brûlée']],
    ]);
    expect(groups[0]?.dishes[0]).toMatchObject({
      stateText: 'Sold out',
      action: 'Back on',
      categoryName: 'Starters',
    });
    expect(groups[1]?.dishes[0]).toMatchObject({ stateText: 'Available', action: '86' });
  });

  it('searches names by every word, without case or accents', () => {
    expect(groupsOf(items, categories, 'CREME').flatMap((g) => g.dishes.map((d) => d.id))).toEqual([
      'Crème brûlée',
    ]);
    expect(groupsOf(items, categories, '  s ')[0]?.title).toBe('Sold out now');
    expect(groupsOf(items, categories, 'zzz')).toEqual([]);
    expect(folded(' Crème ')).toBe('creme');
  });

  it('has no "Sold out now" group when nothing is out', () => {
    expect(groupsOf([item('Burger')], categories).map((g) => g.title)).toEqual(['Mains']);
  });
});

describe('words and payloads', () => {
  it('counts what is shown', () => {
    expect(countText(groupsOf(items, categories), '')).toBe('5 dishes');
    expect(countText(groupsOf(items, categories, 'bread'), 'bread')).toBe('1 dish');
    expect(countText([], ' zzz ')).toBe('No dish matches “zzz”');
    expect(countText([], '')).toBe('No dishes yet');
  });

  it('flips the dish', () => {
    expect(togglePayload({ id: 'i1', available: true })).toEqual({
      itemId: 'i1',
      available: false,
    });
    expect(toggleWords({ name: 'Soup', available: true })).toBe('Soup marked sold out (86)');
    expect(toggleWords({ name: 'Soup', available: false })).toBe('Soup back on');
  });
});
