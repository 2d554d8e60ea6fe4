import * as z from 'zod';
import { EntityId } from '../ids/entity-id.ts';

/** A part of the floor a server looks after. */
export const TeamSection = z.object({
  id: EntityId,
  name: z.string().min(1).max(60),
  tableIds: z.array(EntityId).max(200),
  version: z.number().int().min(1),
});
export type TeamSection = z.infer<typeof TeamSection>;
