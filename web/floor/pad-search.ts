import type { MenuCategory, MenuItem } from '#protocol';

/*
 * Finding a dish on the order pad, pure and free of zod: by category (tabs in the menu's order)
 * or by a typed name, matched without accents or case ("creme" finds "Crème brûlée").
 */

/** Lower case without accents: "Crème Brûlée" → "creme brulee". */
export const folded = (text: string): string =>
  text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('en').trim();

/** The dishes whose name contains `query` (folded), menu order kept; none for a blank query. */
export function searchItems(items: readonly MenuItem[], query: string): MenuItem[] {
  const wanted = folded(query);
  if (wanted === '') return [];
  return items.filter((item) => folded(item.name).includes(wanted));
}

/** The categories that hold at least one dish, by position then name. */
export function categoryTabs(
  categories: readonly MenuCategory[],
  items: readonly MenuItem[],
): MenuCategory[] {
  const used = new Set(items.map((i) => i.categoryId));
  return categories
    .filter((c) => used.has(c.id))
    .sort((a, b) => a.position - b.position || a.name.localeCompare(b.name));
}

/** A category's dishes, by name. */
export const itemsIn = (items: readonly MenuItem[], categoryId: string): MenuItem[] =>
  items.filter((i) => i.categoryId === categoryId).sort((a, b) => a.name.localeCompare(b.name));
