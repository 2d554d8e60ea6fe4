import * as z from 'zod';
import { EntityId } from '../ids/entity-id.ts';
import { SignedMinorUnits } from '../money/money.ts';

/** An option on an item ("no onions", "extra cheese +1.50"). */
export const MenuModifier = z.object({
  id: EntityId,
  name: z.string().min(1).max(80),
  /** May be negative ("no side −2.00") but a line never goes below zero. */
  priceDelta: SignedMinorUnits,
  available: z.boolean(),
  version: z.number().int().min(1),
});
export type MenuModifier = z.infer<typeof MenuModifier>;
