import * as z from 'zod';
import { StaffRole } from '../auth/role.ts';
import { EntityId } from '../ids/entity-id.ts';

export const TeamMember = z.object({
  id: EntityId,
  name: z.string().min(1).max(120),
  role: StaffRole,
  sectionId: EntityId.nullable(),
  /** Inactive members keep their history but cannot be assigned work. */
  active: z.boolean(),
  version: z.number().int().min(1),
});
export type TeamMember = z.infer<typeof TeamMember>;
