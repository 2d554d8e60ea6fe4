import * as z from 'zod';
import { Booking } from './booking.ts';
import { Device } from './device.ts';
import { Drawer } from './drawer.ts';
import { MenuCategory } from './menu-category.ts';
import { MenuItem } from './menu-item.ts';
import { MenuModifier } from './menu-modifier.ts';
import { Order } from './order.ts';
import { PaymentRecord } from './payment.ts';
import { Refund } from './refund.ts';
import { ServiceRequest } from './service-request.ts';
import { Settings } from './settings.ts';
import { Table } from './table.ts';
import { TeamMember } from './team-member.ts';
import { TeamSection } from './team-section.ts';
import { Ticket } from './ticket.ts';
import { Venue } from './venue.ts';

/** The schema of every entity kind that travels in a venue's change feed. */
export const entitySchemas = {
  venue: Venue,
  settings: Settings,
  table: Table,
  menuCategory: MenuCategory,
  menuItem: MenuItem,
  menuModifier: MenuModifier,
  order: Order,
  ticket: Ticket,
  serviceRequest: ServiceRequest,
  booking: Booking,
  teamSection: TeamSection,
  teamMember: TeamMember,
  device: Device,
  payment: PaymentRecord,
  refund: Refund,
  drawer: Drawer,
} as const;

export type EntitySchemas = typeof entitySchemas;
export type EntityKind = keyof EntitySchemas;
export type EntityOf<K extends EntityKind> = z.infer<EntitySchemas[K]>;
export type AnyEntity = EntityOf<EntityKind>;

export const ENTITY_KINDS = Object.keys(entitySchemas) as EntityKind[];
export const EntityKindSchema = z.enum(ENTITY_KINDS as [EntityKind, ...EntityKind[]]);

/**
 * Scopes are module names a device subscribes to; each entity kind belongs to one.
 * A kitchen display takes `ticket`, `menu` and `settings` and nothing else.
 */
export const scopeOfKind = {
  venue: 'venue',
  table: 'venue',
  settings: 'settings',
  menuCategory: 'menu',
  menuItem: 'menu',
  menuModifier: 'menu',
  order: 'order',
  ticket: 'ticket',
  serviceRequest: 'serviceRequest',
  booking: 'booking',
  teamSection: 'team',
  teamMember: 'team',
  // Paired devices: managers and owners read them (scope-rules.ts), and relays, which check them.
  device: 'device',
  // Payments, refunds and cash drawers: staff read them; guests see their bill on the order.
  payment: 'payment',
  refund: 'payment',
  drawer: 'payment',
} as const satisfies Record<EntityKind, string>;

export type Scope = (typeof scopeOfKind)[EntityKind];
export const SCOPES = [...new Set(Object.values(scopeOfKind))] as Scope[];
export const ScopeSchema = z.enum(SCOPES as [Scope, ...Scope[]]);

/** Tenant-wide kinds: a change to one is written into every venue's stream. */
export const TENANT_WIDE_KINDS: readonly EntityKind[] = [
  'settings',
  'menuCategory',
  'menuItem',
  'menuModifier',
];

/** Parses `?scopes=a,b` into a scope list; empty or absent means every scope. */
export function parseScopes(
  text: string | null | undefined,
): { ok: true; scopes: Scope[] } | { ok: false; unknown: string[] } {
  if (!text) return { ok: true, scopes: [...SCOPES].sort() };
  const names = [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
  ];
  const unknown = names.filter((n) => !ScopeSchema.safeParse(n).success);
  if (unknown.length > 0) return { ok: false, unknown };
  return { ok: true, scopes: (names as Scope[]).sort() };
}

/** True when an entry of this kind belongs to one of the scopes. */
export function kindInScopes(kind: EntityKind, scopes: readonly Scope[]): boolean {
  return scopes.includes(scopeOfKind[kind]);
}
