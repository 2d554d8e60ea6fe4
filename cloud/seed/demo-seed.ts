import type { EntityChange, EntityKind, EntityOf, StaffRole } from '#protocol';
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

/** The team member (and credential) id of a demo role's staff member. */
export const demoMemberId = (role: StaffRole): string => `demo-${role}`;

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
export function demoTenantChanges(tenantId: string): EntityChange[] {
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
      offlineCard: {
        enabled: false,
        perTransactionLimit: 5000,
        perDayLimit: 50000,
        requireManagerApproval: true,
      },
    }),
    ...demoCategories.map((c) => upsert('menuCategory', c)),
    ...demoModifiers.map((m) => upsert('menuModifier', m)),
    ...demoItems.map((i) => upsert('menuItem', i)),
  ];
}

/** One venue's own entities: the venue and its tables. */
export function demoVenueChanges(tenantId: string, venueId: string, name: string): EntityChange[] {
  return [
    upsert('venue', { id: venueId, tenantId, name, timezone: 'Europe/Amsterdam', locale: 'en-NL' }),
    ...DEMO.tables.map((label) =>
      upsert('table', { id: demoTableId(label), label, seats: Number(label) % 3 === 0 ? 6 : 4 }),
    ),
    ...(Object.entries(DEMO.staff) as [StaffRole, string][]).map(([role, memberName]) =>
      upsert('teamMember', {
        id: demoMemberId(role),
        name: memberName,
        role,
        sectionId: null,
        active: true,
      }),
    ),
  ];
}

/**
 * Loads the demo tenant, venue, menu, settings and staff into an empty store. The changes go
 * through the feed like any other, so devices and relays receive them by the same path.
 */
export async function seedDemo(
  store: CloudStore,
  deps: { pinKey: CryptoKey; now: string },
): Promise<void> {
  await store.createTenant({ tenantId: DEMO.tenantId, name: DEMO.tenantName });
  await store.createVenue({ tenantId: DEMO.tenantId, venueId: DEMO.venueId, name: DEMO.venueName });
  await store.transact(DEMO.tenantId, async (tx) => {
    await tx.append(DEMO.venueId, demoTenantChanges(DEMO.tenantId), { at: deps.now });
    await tx.append(DEMO.venueId, demoVenueChanges(DEMO.tenantId, DEMO.venueId, DEMO.venueName), {
      at: deps.now,
    });
  });
  for (const [role, pin] of Object.entries(DEMO.pins) as [StaffRole, string][]) {
    await store.putStaffCredential({
      tenantId: DEMO.tenantId,
      venueId: DEMO.venueId,
      memberId: demoMemberId(role),
      name: DEMO.staff[role],
      role,
      pinDigest: await pinDigest(deps.pinKey, DEMO.venueId, pin),
    });
  }
}

/** True when the store has never been seeded (first start of an empty data dir). */
export async function isEmpty(store: CloudStore): Promise<boolean> {
  return (await store.getVenue(DEMO.venueId)) === undefined;
}
