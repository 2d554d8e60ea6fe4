import type { EntityKind, EntityOf } from '#protocol';
import {
  DEFAULT_OFFLINE_CARD_LIMITS,
  MenuCategory,
  MenuItem,
  MenuModifier,
  Order,
  Settings,
  Ticket,
  Venue,
} from '#protocol';
import type { LocalSnapshot } from '../../web/app/local-view-controller.ts';
import { type GuestData, guestDataOf } from '../../web/guest/guest-data.ts';

// A small bistro for the guest screen's tests (Node and Chromium): every entity is checked by
// its wire schema, so a fixture cannot drift from the contract. Prices in euro cents, tax
// included at 10 %.

export const VENUE_ID = 'demo-bistro';
export const TABLE_ID = 'table-5';

export const venue = Venue.parse({
  id: VENUE_ID,
  tenantId: 'demo',
  name: 'Demo Bistro',
  timezone: 'Europe/Paris',
  locale: 'en-GB',
  version: 1,
});

export function settings(patch: Partial<Settings> = {}): Settings {
  return Settings.parse({
    id: 'demo',
    currency: 'EUR',
    taxRateBps: 1000,
    taxInclusive: true,
    cashRoundingIncrement: 1,
    kitchenTimers: { warnAfterSec: 300, lateAfterSec: 600 },
    stations: [
      { id: 'grill', name: 'Grill' },
      { id: 'fry', name: 'Fry' },
      { id: 'bar', name: 'Bar' },
    ],
    offlineCard: DEFAULT_OFFLINE_CARD_LIMITS,
    version: 1,
    ...patch,
  });
}

export const categories = [
  MenuCategory.parse({ id: 'drinks', name: 'Drinks', position: 4, version: 1 }),
  MenuCategory.parse({ id: 'mains', name: 'Mains', position: 1, version: 1 }),
  MenuCategory.parse({ id: 'sides', name: 'Sides', position: 2, version: 1 }),
  MenuCategory.parse({ id: 'empty', name: 'Desserts', position: 3, version: 1 }),
  // A long name: the category row is wider than a phone and must scroll inside it.
  MenuCategory.parse({ id: 'starters', name: 'Small plates to share', position: 0, version: 1 }),
];

const modifier = (id: string, name: string, priceDelta: number, available = true) =>
  MenuModifier.parse({ id, name, priceDelta, available, version: 1 });

export function modifiers(unavailable: readonly string[] = []): MenuModifier[] {
  return [
    modifier('extra-cheese', 'Extra cheese', 150),
    modifier('add-bacon', 'Add bacon', 250),
    modifier('gluten-free-bun', 'Gluten-free bun', 100),
    modifier('avocado', 'Avocado', 200),
    modifier('no-onions', 'No onions', 0),
    modifier('medium-rare', 'Medium rare', 0),
    modifier('well-done', 'Well done', 0),
    modifier('side-fries', 'Fries', 0),
    modifier('side-salad', 'Green salad', 0),
    modifier('side-mash', 'Mash', 50),
    modifier('no-ice', 'No ice', 0),
  ].map((m) => (unavailable.includes(m.id) ? { ...m, available: false } : m));
}

export function items(soldOut: readonly string[] = []): MenuItem[] {
  const list = [
    {
      id: 'burger',
      categoryId: 'mains',
      name: 'Bistro burger',
      description: 'Aged beef, brioche, pickles.',
      price: 1650,
      station: 'grill',
      modifierIds: ['no-onions'],
      modifierGroups: [
        {
          id: 'doneness',
          name: 'Cooking',
          min: 0,
          max: 1,
          modifierIds: ['medium-rare', 'well-done'],
        },
        {
          id: 'burger-extras',
          name: 'Extras',
          min: 0,
          max: 3,
          modifierIds: ['extra-cheese', 'add-bacon', 'gluten-free-bun', 'avocado'],
        },
      ],
      allergens: ['gluten', 'milk'],
    },
    {
      id: 'chicken',
      categoryId: 'mains',
      name: 'Half chicken',
      description: 'Lemon, thyme, jus.',
      price: 2150,
      station: 'grill',
      modifierIds: [],
      modifierGroups: [
        {
          id: 'chicken-side',
          name: 'Side',
          min: 1,
          max: 1,
          modifierIds: ['side-fries', 'side-salad', 'side-mash'],
        },
      ],
      tags: ['gluten_free'],
    },
    {
      id: 'risotto',
      categoryId: 'mains',
      name: 'Mushroom risotto',
      description: 'Parmesan, truffle oil.',
      price: 1850,
      station: 'grill',
      modifierIds: [],
      tags: ['vegetarian'],
      allergens: ['milk'],
    },
    {
      id: 'chips',
      categoryId: 'sides',
      name: 'Chips',
      // Long enough to need two lines at 360 px: a card must wrap it, not widen the page.
      description:
        'Hand-cut, cooked twice in beef dripping, finished with flaky sea salt and rosemary.',
      price: 450,
      station: 'fry',
      modifierIds: [],
      tags: ['vegan'],
    },
    {
      id: 'soup',
      categoryId: 'starters',
      name: 'Soup of the day',
      description: 'Ask your server; with sourdough.',
      price: 750,
      station: 'grill',
      modifierIds: [],
    },
    {
      id: 'lemonade',
      categoryId: 'drinks',
      name: 'Homemade lemonade',
      description: '',
      price: 450,
      station: 'bar',
      modifierIds: ['no-ice'],
    },
  ];
  return list.map((i) => MenuItem.parse({ ...i, available: !soldOut.includes(i.id), version: 1 }));
}

export const T0 = '2026-11-23T19:00:00.000Z';

/** An order at the table (checked by the schema); lines as [id, itemId, name, sentAt?]. */
export function order(
  id: string,
  lines: readonly {
    id: string;
    itemId: string;
    name: string;
    sent?: boolean;
    voided?: boolean;
    quantity?: number;
  }[],
  patch: Partial<Order> = {},
): Order {
  const priced = lines.map((l) => ({
    id: l.id,
    itemId: l.itemId,
    name: l.name,
    station: 'grill',
    quantity: l.quantity ?? 1,
    unitPrice: 1000,
    modifiers: [],
    sentAt: l.sent ? T0 : null,
    ...(l.voided ? { voidedAt: T0 } : {}),
  }));
  const subtotal = priced.reduce((s, l) => s + (l.voidedAt ? 0 : l.unitPrice * l.quantity), 0);
  return Order.parse({
    id,
    tableId: TABLE_ID,
    status: lines.some((l) => l.sent) ? 'sent' : 'open',
    source: 'guest',
    openedBy: 'session-1',
    guestCount: 0,
    lines: priced,
    totals: {
      currency: 'EUR',
      subtotal,
      tax: 0,
      total: subtotal,
      cashTotal: subtotal,
      cashRounding: 0,
    },
    payment: null,
    createdAt: T0,
    closedAt: null,
    voidReason: null,
    version: 1,
    ...patch,
  });
}

export function ticket(
  id: string,
  orderId: string,
  lines: readonly { lineId: string; name: string; ready?: boolean; voided?: boolean }[],
  patch: Partial<Ticket> = {},
): Ticket {
  return Ticket.parse({
    id,
    orderId,
    tableId: TABLE_ID,
    tableLabel: '5',
    station: 'grill',
    status: 'queued',
    lines: lines.map((l) => ({
      lineId: l.lineId,
      name: l.name,
      quantity: 1,
      modifiers: [],
      ...(l.ready ? { readyAt: T0 } : {}),
      ...(l.voided ? { voidedAt: T0 } : {}),
    })),
    assigneeId: null,
    firedAt: T0,
    startedAt: null,
    readyAt: null,
    bumpedAt: null,
    version: 1,
    ...patch,
  });
}

/** Entities by kind, as a local view snapshot gives them (every badge synced). */
export type Entities = { readonly [K in EntityKind]?: readonly EntityOf<K>[] };

export function menuEntities(
  options: {
    soldOut?: readonly string[];
    modifiersOut?: readonly string[];
    settings?: Settings;
  } = {},
): Entities {
  return {
    venue: [venue],
    settings: [options.settings ?? settings()],
    menuCategory: categories,
    menuItem: items(options.soldOut),
    menuModifier: modifiers(options.modifiersOut),
  };
}

export function snapshotOf(entities: Entities): LocalSnapshot {
  return {
    items: <K extends EntityKind>(kind: K) =>
      ((entities[kind] ?? []) as readonly EntityOf<K>[])
        .slice()
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((entity) => ({ entity, badge: { state: 'synced' as const } })),
    pendingCount: 0,
    savedLocalCount: 0,
  };
}

export const dataOf = (entities: Entities = menuEntities()): GuestData =>
  guestDataOf(snapshotOf(entities), TABLE_ID);

/** A Storage in memory (the page is given localStorage). */
export function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (k) => map.get(k) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (k) => void map.delete(k),
    setItem: (k, v) => void map.set(k, String(v)),
  };
}
