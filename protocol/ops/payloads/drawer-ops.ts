import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';
import { MinorUnits } from '../../money/money.ts';

/** Opens the device's cash drawer for a shift with a float. */
export const DrawerOpen = z.object({ drawerId: EntityId, float: MinorUnits });
export type DrawerOpen = z.infer<typeof DrawerOpen>;

/** Cash paid out of an open drawer, with why. */
export const DrawerPayout = z.object({
  drawerId: EntityId,
  payoutId: EntityId,
  amount: MinorUnits.min(1),
  reason: z.string().min(1).max(200),
});
export type DrawerPayout = z.infer<typeof DrawerPayout>;

/** Closes a drawer with the cash counted; a difference from expected needs a reason. */
export const DrawerClose = z.object({
  drawerId: EntityId,
  counted: MinorUnits,
  reason: z.string().min(1).max(200).optional(),
});
export type DrawerClose = z.infer<typeof DrawerClose>;
