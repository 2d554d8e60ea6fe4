import type {
  EntityChange,
  EntityKind,
  EntityOf,
  MenuCategory,
  MenuItem,
  MenuModifier,
  StaffRole,
} from '#protocol';
import { DEFAULT_OFFLINE_CARD_LIMITS } from '#protocol';
import { pinDigest } from '../auth/pin-digest.ts';
import type { CloudStore } from '../store/cloud-store.ts';
import { demoCategories, demoItems, demoModifiers } from './demo-menu.ts';

/** The fixed demo, documented so anyone can try the API by hand (see docs/protocol.md). */
export const DEMO = {
  tenantId: 'demo',
  tenantName: 'Demo Hospitality',
  venueId: 'demo-bistro',
  venueName: 'Demo Bistro',
  tables: Array.from({ length: 12 }, (_, i) => String(i + 1)),
  pins: {
    server: '1111',
    kitchen: '2222',
    manager: '3333',
    owner: '4444',
  } as const satisfies Record<StaffRole, string>,
  /** Who signs in with each demo PIN: a team member of the venue, named on kitchen tickets. */
  staff: {
    server: 'Ana',
    kitchen: 'Marco',
    manager: 'Priya',
    owner: 'Tom',
  } as const satisfies Record<StaffRole, string>,
} as const;

/**
 * A second, smaller demo tenant with one venue: its own menu, tables and staff (other PINs), so
 * tenant isolation can be tried by hand and is tested end to end over two real tenants.
 */
export const DEMO_LAKESIDE = {
  tenantId: 'lakeside',
  tenantName: 'Lakeside Group',
  venueId: 'lakeside-grill',
  venueName: 'Lakeside Grill',
  tables: ['L1', 'L2', 'L3', 'L4'],
  pins: {
    server: '5555',
    kitchen: '6666',
    manager: '7777',
    owner: '8888',
  } as const satisfies Record<StaffRole, string>,
  staff: {
    server: 'Noor',
    kitchen: 'Jonas',
    manager: 'Elif',
    owner: 'Sven',
  } as const satisfies Record<StaffRole, string>,
} as const;

/** The team member (and credential) id of a demo role's staff member. */
export const demoMemberId = (role: StaffRole): string => `demo-${role}`;

/** The team member (and credential) id of a Lakeside role's staff member. */
export const lakesideMemberId = (role: StaffRole): string => `lakeside-${role}`;

/** The table entity id of a Lakeside table label. */
export const lakesideTableId = (label: string): string => `lakeside-table-${label}`;

type Unversioned<T> = Omit<T, 'version'>;

/** A tenant's menu: categories, modifiers and items. */
export interface DemoMenu {
  readonly categories: readonly Unversioned<MenuCategory>[];
  readonly modifiers: readonly Unversioned<MenuModifier>[];
  readonly items: readonly Unversioned<MenuItem>[];
}

const DEMO_MENU: DemoMenu = {
  categories: demoCategories,
  modifiers: demoModifiers,
  items: demoItems,
};

/** Lakeside's own small menu: no id or name is shared with the first demo tenant's. */
export const LAKESIDE_MENU: DemoMenu = {
  categories: [
    { id: 'lakeside-plates', name: 'Lakeside plates', position: 0 },
    { id: 'lakeside-drinks', name: 'Lakeside drinks', position: 1 },
  ],
  modifiers: [{ id: 'lakeside-tartare', name: 'Extra tartare', priceDelta: 90, available: true }],
  items: [
    {
      id: 'lakeside-perch',
      categoryId: 'lakeside-plates',
      name: 'Lake perch and chips',
      description: 'Caught this morning; tartare sauce.',
      price: 1850,
      station: 'fry',
      modifierIds: ['lakeside-tartare'],
      available: true,
      allergens: ['fish', 'gluten', 'eggs'],
    },
    {
      id: 'lakeside-chowder',
      categoryId: 'lakeside-plates',
      name: 'Smoked whitefish chowder',
      description: 'With rye bread.',
      price: 950,
      station: 'cold',
      modifierIds: [],
      available: true,
      allergens: ['fish', 'milk', 'gluten'],
    },
    {
      id: 'lakeside-lemonade',
      categoryId: 'lakeside-drinks',
      name: 'Elderflower lemonade',
      description: 'House-made.',
      price: 450,
      station: 'bar',
      modifierIds: [],
      available: true,
      tags: ['vegan'],
    },
  ],
};

/** The table entity id for a printed table label. */
export const demoTableId = (label: string): string => `table-${label}`;

function upsert<K extends EntityKind>(entity: K, data: Omit<EntityOf<K>, 'version'>): EntityChange {
  return {
    entity,
    id: data.id,
    op: 'upsert',
    data: { ...data, version: 1 },
    version: 1,
  } as unknown as EntityChange;
}

/** Tenant-wide configuration: settings and the menu. Written into every venue's stream. */
export function demoTenantChanges(tenantId: string, menu: DemoMenu = DEMO_MENU): EntityChange[] {
  return [
    upsert('settings', {
      id: tenantId,
      currency: 'EUR',
      taxRateBps: 900,
      taxInclusive: true,
      cashRoundingIncrement: 5,
      kitchenTimers: { warnAfterSec: 480, lateAfterSec: 900 },
      stations: [
        { id: 'grill', name: 'Grill' },
        { id: 'fry', name: 'Fry' },
        { id: 'cold', name: 'Cold' },
        { id: 'bar', name: 'Bar' },
      ],
      guestOrdering: { approval: false, lineNotes: true, callCooldownSec: 60 },
      // The demo venue takes cards offline within the default limits, so an outage can show it.
      offlineCard: { ...DEFAULT_OFFLINE_CARD_LIMITS, enabled: true },
    }),
    ...menu.categories.map((c) => upsert('menuCategory', c)),
    ...menu.modifiers.map((m) => upsert('menuModifier', m)),
    ...menu.items.map((i) => upsert('menuItem', i)),
  ];
}

/** Who works at a venue and where they sit: the parts of a demo venue that differ per tenant. */
interface DemoPeople {
  readonly tables: readonly string[];
  readonly tableId: (label: string) => string;
  readonly staff: Readonly<Record<StaffRole, string>>;
  readonly memberId: (role: StaffRole) => string;
}

const DEMO_PEOPLE: DemoPeople = {
  tables: DEMO.tables,
  tableId: demoTableId,
  staff: DEMO.staff,
  memberId: demoMemberId,
};

const LAKESIDE_PEOPLE: DemoPeople = {
  tables: DEMO_LAKESIDE.tables,
  tableId: lakesideTableId,
  staff: DEMO_LAKESIDE.staff,
  memberId: lakesideMemberId,
};

/** One venue's own entities: the venue, its tables and its team. */
export function demoVenueChanges(
  tenantId: string,
  venueId: string,
  name: string,
  people: DemoPeople = DEMO_PEOPLE,
): EntityChange[] {
  return [
    upsert('venue', { id: venueId, tenantId, name, timezone: 'Europe/Amsterdam', locale: 'en-NL' }),
    ...people.tables.map((label, i) =>
      upsert('table', { id: people.tableId(label), label, seats: (i + 1) % 3 === 0 ? 6 : 4 }),
    ),
    ...(Object.entries(people.staff) as [StaffRole, string][]).map(([role, memberName]) =>
      upsert('teamMember', {
        id: people.memberId(role),
        name: memberName,
        role,
        sectionId: null,
        active: true,
      }),
    ),
  ];
}

/** One demo tenant with one venue: its menu, venue entities and staff credentials. */
async function seedTenant(
  store: CloudStore,
  deps: { pinKey: CryptoKey; now: string },
  tenant: {
    readonly tenantId: string;
    readonly tenantName: string;
    readonly venueId: string;
    readonly venueName: string;
    readonly pins: Readonly<Record<StaffRole, string>>;
  },
  menu: DemoMenu,
  people: DemoPeople,
): Promise<void> {
  await store.createTenant({ tenantId: tenant.tenantId, name: tenant.tenantName });
  await store.createVenue({
    tenantId: tenant.tenantId,
    venueId: tenant.venueId,
    name: tenant.venueName,
  });
  await store.transact(tenant.tenantId, async (tx) => {
    await tx.append(tenant.venueId, demoTenantChanges(tenant.tenantId, menu), { at: deps.now });
    await tx.append(
      tenant.venueId,
      demoVenueChanges(tenant.tenantId, tenant.venueId, tenant.venueName, people),
      { at: deps.now },
    );
  });
  for (const [role, pin] of Object.entries(tenant.pins) as [StaffRole, string][]) {
    await store.putStaffCredential({
      tenantId: tenant.tenantId,
      venueId: tenant.venueId,
      memberId: people.memberId(role),
      name: people.staff[role],
      role,
      // Digests are keyed per venue: the same PIN at two venues gives two digests.
      pinDigest: await pinDigest(deps.pinKey, tenant.venueId, pin),
    });
  }
}

/**
 * Loads the demo tenants into an empty store: Demo Hospitality (Demo Bistro, the full menu) and
 * Lakeside Group (Lakeside Grill, a small menu of its own). The changes go through the feed like
 * any other, so devices and relays receive them by the same path. The first venue is created
 * first: an instance racing another on an empty database fails there (VENUE_EXISTS) and skips.
 */
export async function seedDemo(
  store: CloudStore,
  deps: { pinKey: CryptoKey; now: string },
  options: { tables?: number } = {},
): Promise<void> {
  const people =
    options.tables === undefined
      ? DEMO_PEOPLE
      : { ...DEMO_PEOPLE, tables: Array.from({ length: options.tables }, (_, i) => String(i + 1)) };
  await seedTenant(store, deps, DEMO, DEMO_MENU, people);
  await seedTenant(store, deps, DEMO_LAKESIDE, LAKESIDE_MENU, LAKESIDE_PEOPLE);
}

/**
 * True when the store has never been seeded (first start of an empty data dir). Keyed on the
 * first demo venue only, so a data dir seeded before the second tenant existed is left alone.
 */
export async function isEmpty(store: CloudStore): Promise<boolean> {
  return (await store.getVenue(DEMO.venueId)) === undefined;
}
