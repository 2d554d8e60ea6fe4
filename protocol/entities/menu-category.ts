import * as z from 'zod';
import { EntityId } from '../ids/entity-id.ts';

export const MenuCategory = z.object({
  id: EntityId,
  name: z.string().min(1).max(80),
  position: z.number().int().min(0),
  version: z.number().int().min(1),
});
export type MenuCategory = z.infer<typeof MenuCategory>;
