import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';

/** Marks an item sold out ("86") or back on. */
export const MenuItemSetAvailability = z.object({ itemId: EntityId, available: z.boolean() });
export type MenuItemSetAvailability = z.infer<typeof MenuItemSetAvailability>;
