import type {
  Allergen,
  DietaryTag,
  MenuCategory,
  MenuItem,
  MenuModifier,
  Order,
  ServiceRequest,
  Settings,
  Ticket,
  Venue,
} from '#protocol';
import type { LocalSnapshot } from '../app/local-view-controller.ts';
import { DEFAULT_LOCALE, type MoneyFormat, moneyFormat } from './money-format.ts';

/*
 * What the guest screen reads from the local view, pure: the menu, the venue's words and money,
 * and of the orders and tickets only the guest's own table's open tab. Type-only protocol
 * imports: this module is in the page's first chunk, which carries no zod.
 */

/** Kinds the guest's local view reads (the guest feed's scopes). */
export const GUEST_KINDS = [
  'venue',
  'settings',
  'menuCategory',
  'menuItem',
  'menuModifier',
  'order',
  'ticket',
  'serviceRequest',
] as const;

export interface GuestData {
  readonly venue: Venue | undefined;
  readonly settings: Settings | undefined;
  readonly categories: readonly MenuCategory[];
  readonly items: readonly MenuItem[];
  readonly itemById: ReadonlyMap<string, MenuItem>;
  readonly modifierById: ReadonlyMap<string, MenuModifier>;
  /** The table's open tab (open or sent orders), oldest first. */
  readonly orders: readonly Order[];
  /** The tickets of those orders. */
  readonly tickets: readonly Ticket[];
  /** The table's calls for a waiter or the bill. */
  readonly requests: readonly ServiceRequest[];
  readonly locale: string;
  /** Prices in the venue's currency; undefined until the settings are on the device. */
  readonly money: MoneyFormat | undefined;
}

const entities = <
  K extends 'menuItem' | 'menuModifier' | 'menuCategory' | 'order' | 'ticket' | 'serviceRequest',
>(
  snapshot: LocalSnapshot,
  kind: K,
) => snapshot.items(kind).map(({ entity }) => entity);

/** The guest's reading of one snapshot, for the table `tableId` (the principal's). */
export function guestDataOf(snapshot: LocalSnapshot, tableId: string | undefined): GuestData {
  const venue = snapshot.items('venue')[0]?.entity;
  const settings = snapshot.items('settings')[0]?.entity;
  const items = entities(snapshot, 'menuItem');
  const modifiers = entities(snapshot, 'menuModifier');
  const orders = entities(snapshot, 'order')
    .filter((o) => tableId !== undefined && o.tableId === tableId)
    .filter((o) => o.status === 'open' || o.status === 'sent')
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const orderIds = new Set(orders.map((o) => o.id));
  const locale = venue?.locale ?? DEFAULT_LOCALE;
  return {
    venue,
    settings,
    categories: entities(snapshot, 'menuCategory'),
    items,
    itemById: new Map(items.map((i) => [i.id, i])),
    modifierById: new Map(modifiers.map((m) => [m.id, m])),
    orders,
    tickets: entities(snapshot, 'ticket').filter((t) => orderIds.has(t.orderId)),
    requests: entities(snapshot, 'serviceRequest').filter(
      (r) => tableId !== undefined && r.tableId === tableId,
    ),
    locale,
    money: settings ? moneyFormat(locale, settings.currency) : undefined,
  };
}

/** Dietary labels in words: never shown by colour or icon alone. */
export const DIETARY_WORDS: Readonly<Record<DietaryTag, string>> = {
  vegetarian: 'Vegetarian',
  vegan: 'Vegan',
  gluten_free: 'Gluten free',
  dairy_free: 'Dairy free',
  spicy: 'Spicy',
};

/** The fourteen allergens as a menu names them. */
export const ALLERGEN_WORDS: Readonly<Record<Allergen, string>> = {
  celery: 'celery',
  gluten: 'gluten',
  crustaceans: 'crustaceans',
  eggs: 'eggs',
  fish: 'fish',
  lupin: 'lupin',
  milk: 'milk',
  molluscs: 'molluscs',
  mustard: 'mustard',
  nuts: 'nuts',
  peanuts: 'peanuts',
  sesame: 'sesame',
  soya: 'soya',
  sulphites: 'sulphites',
};

/** "Contains: milk, gluten", or null when the dish declares none. */
export function allergenText(allergens: readonly Allergen[] | undefined): string | null {
  if (!allergens || allergens.length === 0) return null;
  return `Contains: ${allergens.map((a) => ALLERGEN_WORDS[a]).join(', ')}`;
}

/** One dish on the menu, as the guest reads it. */
export interface MenuCard {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** '' until the venue's currency is known. */
  readonly price: string;
  readonly tags: readonly string[];
  readonly allergens: string | null;
  readonly soldOut: boolean;
}

export interface MenuSection {
  readonly id: string;
  readonly name: string;
  readonly items: readonly MenuCard[];
}

/** A dish whose category is not on the device (yet) still shows, under this heading, last. */
export const OTHER_SECTION = 'Other';

/**
 * The menu by category, in the categories' `position` order (then name); the dishes of each by
 * name in the venue's locale. Empty categories are left out.
 */
export function menuSectionsOf(data: GuestData): MenuSection[] {
  const collator = new Intl.Collator(data.locale);
  const byCategory = new Map<string, MenuItem[]>();
  for (const item of data.items) {
    const list = byCategory.get(item.categoryId) ?? [];
    list.push(item);
    byCategory.set(item.categoryId, list);
  }
  const card = (item: MenuItem): MenuCard => ({
    id: item.id,
    name: item.name,
    description: item.description,
    price: data.money ? data.money.price(item.price) : '',
    tags: (item.tags ?? []).map((t) => DIETARY_WORDS[t]),
    allergens: allergenText(item.allergens),
    soldOut: !item.available,
  });
  const section = (id: string, name: string, items: readonly MenuItem[]): MenuSection => ({
    id,
    name,
    items: [...items].sort((a, b) => collator.compare(a.name, b.name)).map(card),
  });
  const categories = [...data.categories].sort(
    (a, b) => a.position - b.position || collator.compare(a.name, b.name),
  );
  const sections = categories.flatMap((c) => {
    const items = byCategory.get(c.id);
    byCategory.delete(c.id);
    return items ? [section(c.id, c.name, items)] : [];
  });
  const rest = [...byCategory.values()].flat();
  if (rest.length > 0) sections.push(section('~other', OTHER_SECTION, rest));
  return sections;
}
