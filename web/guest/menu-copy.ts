import type { MenuCard, MenuSection } from './guest-data.ts';

/*
 * The menu as this phone last showed it, kept in localStorage so a guest reopening the page
 * sees the menu in the first frame — before the session, the IndexedDB copy and the protocol's
 * code have loaded (they follow, and the live menu replaces this one). Display text only: names,
 * prices as formatted, labels; no session, no token, nothing a guest did not already see.
 */

export interface MenuCopy {
  readonly venueName: string;
  readonly sections: readonly MenuSection[];
}

const keyOf = (venueId: string): string => `hearth.guest.menu:${venueId}`;

/** The copy kept for `venueId`, or undefined when there is none or it is not one of ours. */
export function readMenuCopy(storage: Storage, venueId: string): MenuCopy | undefined {
  let value: unknown;
  try {
    value = JSON.parse(storage.getItem(keyOf(venueId)) ?? 'null');
  } catch {
    return undefined;
  }
  return isMenuCopy(value) ? value : undefined;
}

/** Keeps `copy` for `venueId`; returns false when storage refused it (full, or disabled). */
export function writeMenuCopy(storage: Storage, venueId: string, copy: MenuCopy): boolean {
  try {
    storage.setItem(keyOf(venueId), JSON.stringify(copy));
    return true;
  } catch {
    return false;
  }
}

const isString = (v: unknown): v is string => typeof v === 'string';

function isCard(v: unknown): v is MenuCard {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return (
    isString(c.id) &&
    isString(c.name) &&
    isString(c.description) &&
    isString(c.price) &&
    Array.isArray(c.tags) &&
    c.tags.every(isString) &&
    (c.allergens === null || isString(c.allergens)) &&
    typeof c.soldOut === 'boolean'
  );
}

function isSection(v: unknown): v is MenuSection {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return isString(s.id) && isString(s.name) && Array.isArray(s.items) && s.items.every(isCard);
}

function isMenuCopy(v: unknown): v is MenuCopy {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return isString(m.venueName) && Array.isArray(m.sections) && m.sections.every(isSection);
}
