import * as z from 'zod';
import { StaffRole } from '../../auth/role.ts';
import { EntityId } from '../../ids/entity-id.ts';

/** Adds a member or updates one; `active: false` retires them without losing history. */
export const TeamMemberUpsert = z.object({
  memberId: EntityId,
  name: z.string().min(1).max(120),
  role: StaffRole,
  sectionId: EntityId.nullable().default(null),
  active: z.boolean().default(true),
});
export type TeamMemberUpsert = z.infer<typeof TeamMemberUpsert>;
