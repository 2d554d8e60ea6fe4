import {
  DEFAULT_OFFLINE_CARD_LIMITS,
  type DecideContext,
  type EntityKind,
  type EntityOf,
  emptyEntitySet,
  type GuestOrdering,
  getEntity,
  guestOrderingOf,
  makeOperation,
  type Operation,
  type OperationType,
  type Principal,
  project,
  type StaffRole,
  type VenueState,
} from '#protocol';

export const TENANT = 'demo';
export const VENUE = 'demo-bistro';
export const NOW = '2026-11-23T19:30:00.000Z';
export const DEVICE = 'tablet-1';

function seed<K extends EntityKind>(entity: K, data: EntityOf<K>) {
  return { entity, id: data.id, op: 'upsert' as const, data, version: data.version } as const;
}

/** A small venue: settings, a menu across four stations, four tables, two team members. */
export function venueState(): VenueState {
  const entities = project(emptyEntitySet(), [
    seed('venue', {
      id: VENUE,
      tenantId: TENANT,
      name: 'Demo Bistro',
      timezone: 'Europe/Amsterdam',
      version: 1,
    }),
    seed('settings', {
      id: TENANT,
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
      offlineCard: DEFAULT_OFFLINE_CARD_LIMITS,
      version: 1,
    }),
    ...['1', '2', '3', '4'].map((n) =>
      seed('table', { id: `table-${n}`, label: n, seats: 4, version: 1 }),
    ),
    seed('menuCategory', { id: 'mains', name: 'Mains', position: 0, version: 1 }),
    seed('menuModifier', {
      id: 'extra-cheese',
      name: 'Extra cheese',
      priceDelta: 150,
      available: true,
      version: 1,
    }),
    seed('menuModifier', {
      id: 'no-onions',
      name: 'No onions',
      priceDelta: 0,
      available: true,
      version: 1,
    }),
    seed('menuModifier', {
      id: 'truffle',
      name: 'Truffle',
      priceDelta: 400,
      available: false,
      version: 1,
    }),
    item('burger', 'Burger', 1450, 'grill', ['extra-cheese', 'no-onions', 'truffle']),
    item('fries', 'Fries', 450, 'fry', []),
    item('salad', 'Salad', 950, 'cold', ['no-onions']),
    item('beer', 'Beer', 550, 'bar', []),
    item('oysters', 'Oysters', 1800, 'cold', [], false),
    seed('teamSection', {
      id: 'terrace',
      name: 'Terrace',
      tableIds: ['table-1', 'table-2'],
      version: 1,
    }),
    seed('teamMember', {
      id: 'cook-1',
      name: 'Ana',
      role: 'kitchen',
      sectionId: null,
      active: true,
      version: 1,
    }),
    seed('teamMember', {
      id: 'cook-2',
      name: 'Ben',
      role: 'kitchen',
      sectionId: null,
      active: false,
      version: 1,
    }),
    seed('teamMember', {
      id: 'boss',
      name: 'Olu',
      role: 'owner',
      sectionId: null,
      active: true,
      version: 1,
    }),
  ]);
  return { tenantId: TENANT, venueId: VENUE, entities };
}

function item(
  id: string,
  name: string,
  price: number,
  station: string,
  modifierIds: string[],
  available = true,
) {
  return seed('menuItem', {
    id,
    categoryId: 'mains',
    name,
    description: '',
    price,
    station,
    modifierIds,
    available,
    version: 1,
  });
}

export function staff(role: StaffRole, actorId = `${role}-1`): Principal {
  return { kind: 'staff', tenantId: TENANT, venueId: VENUE, actorId, role };
}

export function guest(tableId = 'table-1', sessionId = 'guest-session-1'): Principal {
  return { kind: 'guest', tenantId: TENANT, venueId: VENUE, sessionId, tableId };
}

export function ctxFor(principal: Principal, now = NOW): DecideContext {
  return { now, principal };
}

export function actorOf(principal: Principal): string {
  return principal.kind === 'guest' ? principal.sessionId : principal.actorId;
}

/** A complete, hashed operation acted by `principal` (a manager unless said otherwise). */
export function opOf<T extends OperationType>(
  type: T,
  payload: unknown,
  principal: Principal = staff('manager'),
  extra: { opId?: string; dependsOn?: string[]; deviceId?: string } = {},
): Promise<Operation> {
  return makeOperation({
    type,
    payload,
    deviceId: extra.deviceId ?? DEVICE,
    tenantId: TENANT,
    venueId: VENUE,
    actorId: actorOf(principal),
    occurredAt: NOW,
    ...(extra.opId === undefined ? {} : { opId: extra.opId }),
    ...(extra.dependsOn === undefined ? {} : { dependsOn: extra.dependsOn }),
  });
}

/** `state` with the venue's guest ordering rules changed (the settings' version moves on). */
export function withGuestOrdering(state: VenueState, patch: Partial<GuestOrdering>): VenueState {
  const settings = getEntity(state.entities, 'settings', TENANT);
  if (!settings) throw new Error('the fixture has no settings');
  const next = {
    ...settings,
    guestOrdering: { ...guestOrderingOf(settings), ...patch },
    version: settings.version + 1,
  };
  return { ...state, entities: project(state.entities, [seed('settings', next)]) };
}
