import * as z from 'zod';
import { DeviceId } from '../ids/device-id.ts';
import { EntityId, Timestamp } from '../ids/entity-id.ts';
import { MinorUnits, SignedMinorUnits } from '../money/money.ts';

/** Cash taken out of a drawer during a shift (a supplier paid at the door, a tip-out). */
export const DrawerPayout = z.object({
  id: EntityId,
  amount: MinorUnits,
  reason: z.string().min(1).max(200),
  by: z.string().min(1).max(80),
  at: Timestamp,
});
export type DrawerPayout = z.infer<typeof DrawerPayout>;

/**
 * A device's cash drawer for one shift: opened with a float, cash sales and payouts during it,
 * closed with the count. Expected = float + cash taken (tips included) − change given − payouts −
 * cash refunds; the difference (counted − expected) is recorded with a reason.
 */
export const Drawer = z.object({
  id: EntityId,
  deviceId: DeviceId,
  status: z.enum(['open', 'closed']),
  currency: z.string().regex(/^[A-Z]{3}$/),
  float: MinorUnits,
  openedBy: z.string().min(1).max(80),
  openedAt: Timestamp,
  payouts: z.array(DrawerPayout).max(200),
  closedBy: z.string().min(1).max(80).nullable(),
  closedAt: Timestamp.nullable(),
  counted: MinorUnits.nullable(),
  expected: SignedMinorUnits.nullable(),
  difference: SignedMinorUnits.nullable(),
  reason: z.string().max(200).nullable(),
  version: z.number().int().min(1),
});
export type Drawer = z.infer<typeof Drawer>;
