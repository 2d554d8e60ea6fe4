import * as z from 'zod';
import { EntityId } from '../ids/entity-id.ts';
import { MinorUnits } from '../money/money.ts';

/** A dish or drink. `station` routes it to a kitchen display when an order is sent. */
export const MenuItem = z.object({
  id: EntityId,
  categoryId: EntityId,
  name: z.string().min(1).max(120),
  description: z.string().max(500),
  price: MinorUnits,
  station: z.string().min(1).max(32),
  /** Modifiers a guest or server may add to this item. */
  modifierIds: z.array(EntityId).max(50),
  /** False when the kitchen has run out ("86'd"). */
  available: z.boolean(),
  imageUrl: z.string().max(500).optional(),
  version: z.number().int().min(1),
});
export type MenuItem = z.infer<typeof MenuItem>;
