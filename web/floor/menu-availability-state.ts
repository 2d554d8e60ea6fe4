import type { MenuCategory, MenuItem } from '#protocol';

/*
 * The 86 board, pure: the menu by category with the sold-out dishes lifted into a "Sold out
 * now" group at the top, filtered by what was typed in the search field.
 */

export type AvailabilityItem = Pick<MenuItem, 'id' | 'categoryId' | 'name' | 'available'>;
export type AvailabilityCategory = Pick<MenuCategory, 'id' | 'name' | 'position'>;

export const SOLD_OUT_GROUP = 'sold-out';

export interface DishRow {
  readonly id: string;
  readonly name: string;
  readonly available: boolean;
  /** "Available" or "Sold out": the state in words beside the toggle. */
  readonly stateText: string;
  /** The toggle's words: "86" for an available dish, "Back on" for a sold-out one. */
  readonly action: string;
  /** The category's name, shown in the sold-out group where the dish is out of its own. */
  readonly categoryName: string;
}

export interface DishGroup {
  readonly id: string;
  readonly title: string;
  readonly dishes: readonly DishRow[];
}

/** Lower case without accents, so "creme" finds "Crème brûlée". */
export const folded = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .trim();

/** Sold out first, then each category in its menu position; empty groups are left out. */
export function groupsOf(
  items: readonly AvailabilityItem[],
  categories: readonly AvailabilityCategory[],
  query = '',
): DishGroup[] {
  const words = folded(query).split(/\s+/).filter(Boolean);
  const found = items.filter((item) => {
    const name = folded(item.name);
    return words.every((w) => name.includes(w));
  });
  const ordered = [...categories].sort(
    (a, b) => a.position - b.position || a.name.localeCompare(b.name),
  );
  const nameOf = (id: string) => categories.find((c) => c.id === id)?.name ?? 'Other';
  const rowOf = (item: AvailabilityItem): DishRow => ({
    id: item.id,
    name: item.name,
    available: item.available,
    stateText: item.available ? 'Available' : 'Sold out',
    action: item.available ? '86' : 'Back on',
    categoryName: nameOf(item.categoryId),
  });
  const rank = (item: AvailabilityItem) => {
    const at = ordered.findIndex((c) => c.id === item.categoryId);
    return at === -1 ? ordered.length : at;
  };
  const byMenu = (a: AvailabilityItem, b: AvailabilityItem) =>
    rank(a) - rank(b) || a.name.localeCompare(b.name);
  const soldOut = found.filter((i) => !i.available).sort(byMenu);
  const groups: DishGroup[] = [];
  if (soldOut.length > 0)
    groups.push({ id: SOLD_OUT_GROUP, title: 'Sold out now', dishes: soldOut.map(rowOf) });
  const known = new Set(ordered.map((c) => c.id));
  for (const category of [
    ...ordered,
    { id: '', name: 'Other', position: Number.POSITIVE_INFINITY },
  ]) {
    const dishes = found
      .filter(
        (i) =>
          i.available &&
          (category.id === '' ? !known.has(i.categoryId) : i.categoryId === category.id),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
    if (dishes.length > 0)
      groups.push({ id: category.id || 'other', title: category.name, dishes: dishes.map(rowOf) });
  }
  return groups;
}

/** "12 dishes", "1 dish", "No dish matches “x”". */
export function countText(groups: readonly DishGroup[], query: string): string {
  const n = groups.reduce((sum, g) => sum + g.dishes.length, 0);
  if (n === 0) return query.trim() ? `No dish matches “${query.trim()}”` : 'No dishes yet';
  return `${n} ${n === 1 ? 'dish' : 'dishes'}`;
}

/** The `menu.item.setAvailability` payload that flips the dish. */
export const togglePayload = (dish: Pick<DishRow, 'id' | 'available'>) => ({
  itemId: dish.id,
  available: !dish.available,
});

/** What the live region says after a toggle. */
export const toggleWords = (dish: Pick<DishRow, 'name' | 'available'>): string =>
  dish.available ? `${dish.name} marked sold out (86)` : `${dish.name} back on`;
