import * as z from 'zod';
import { EntityId } from '../ids/entity-id.ts';
import { StaffRole } from './role.ts';

/** Who is acting, as a verified token says. Every decision is made for a principal. */
export const Principal = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('staff'),
    tenantId: EntityId,
    venueId: EntityId,
    actorId: z.string().min(1).max(80),
    role: StaffRole,
  }),
  z.object({
    kind: z.literal('guest'),
    tenantId: EntityId,
    venueId: EntityId,
    /** The table session: a guest acts only for the table whose QR they scanned. */
    sessionId: z.string().min(1).max(80),
    tableId: EntityId,
  }),
]);
export type Principal = z.infer<typeof Principal>;

/** The role a principal acts in. */
export function roleOf(principal: Principal): 'guest' | StaffRole {
  return principal.kind === 'guest' ? 'guest' : principal.role;
}
