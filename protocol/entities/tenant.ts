import * as z from 'zod';
import { EntityId } from '../ids/entity-id.ts';

/** An operator of one or more venues (a restaurant group, a hotel). */
export const Tenant = z.object({
  id: EntityId,
  name: z.string().min(1).max(120),
  version: z.number().int().min(1),
});
export type Tenant = z.infer<typeof Tenant>;
