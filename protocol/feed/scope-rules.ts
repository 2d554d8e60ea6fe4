import type { StaffRole } from '../auth/role.ts';
import {
  ENTITY_KINDS,
  type EntityKind,
  kindInScopes,
  parseScopes,
  SCOPES,
  type Scope,
} from '../entities/entity-kind.ts';
import type { ProblemExtras } from '../errors/problem.ts';

/** Why a feed request cannot be served, as the arguments of a problem+json answer. */
export interface FeedRejection {
  readonly status: 400 | 403 | 409 | 410;
  readonly code: string;
  readonly title: string;
  readonly extras: ProblemExtras;
}

/**
 * What a guest may read: the menu and the venue, and of orders, tickets and service requests
 * only their own table's rows (row-rules.ts); nothing about other tables, bookings or staff.
 */
export const GUEST_SCOPES: readonly Scope[] = [
  'menu',
  'order',
  'serviceRequest',
  'settings',
  'ticket',
  'venue',
];

/**
 * What only managers, owners and relays read: the paired devices (a relay checks a device's
 * credential against them; a server or a kitchen display has no use for them).
 */
export const MANAGER_SCOPES: readonly Scope[] = ['device'];

/** What a server or a kitchen display reads: every scope but {@link MANAGER_SCOPES}. */
export const STAFF_SCOPES: readonly Scope[] = SCOPES.filter((s) => !MANAGER_SCOPES.includes(s));

/** Who reads a feed: a guest, staff in their role, or a venue's relay. */
export type FeedReader = 'guest' | StaffRole | 'relay';

/**
 * The scopes a reader may read: guests {@link GUEST_SCOPES}; servers and kitchens
 * {@link STAFF_SCOPES}; managers, owners and relays every scope.
 */
export function allowedScopes(reader: FeedReader): readonly Scope[] {
  if (reader === 'guest') return GUEST_SCOPES;
  if (reader === 'server' || reader === 'kitchen') return STAFF_SCOPES;
  return SCOPES;
}

export type ScopeResolution =
  | { readonly ok: true; readonly scopes: Scope[]; readonly kinds: EntityKind[] }
  | { readonly ok: false; readonly rejection: FeedRejection };

/**
 * Turns `?scopes=` into the sorted scope set and its entity kinds, the same on the cloud and the
 * relay. Absent or empty means every scope the reader may read; an unknown name → 400, a scope
 * the reader may not read → 403.
 */
export function resolveScopes(reader: FeedReader, text: string | undefined): ScopeResolution {
  const allowed = allowedScopes(reader);
  const parsed = parseScopes(text);
  if (!parsed.ok) {
    return {
      ok: false,
      rejection: {
        status: 400,
        code: 'SCOPE_UNKNOWN',
        title: 'Unknown scope',
        extras: {
          kind: 'fix_request',
          detail: `unknown scopes: ${parsed.unknown.join(', ')}; known: ${SCOPES.join(', ')}`,
          unknownScopes: parsed.unknown,
        },
      },
    };
  }
  const scopes = parsed.scopes.length > 0 && text ? parsed.scopes : [...allowed].sort();
  const denied = scopes.filter((scope) => !allowed.includes(scope));
  if (denied.length > 0) {
    return {
      ok: false,
      rejection: {
        status: 403,
        code: 'SCOPE_FORBIDDEN',
        title: 'Scope not allowed',
        extras: {
          kind: 'stop',
          detail: `this role may not read: ${denied.join(', ')}`,
          deniedScopes: denied,
        },
      },
    };
  }
  return { ok: true, scopes, kinds: ENTITY_KINDS.filter((kind) => kindInScopes(kind, scopes)) };
}
