import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';

export const TeamSectionCreate = z.object({
  sectionId: EntityId,
  name: z.string().min(1).max(60),
  tableIds: z.array(EntityId).max(200).default([]),
});
export type TeamSectionCreate = z.infer<typeof TeamSectionCreate>;
