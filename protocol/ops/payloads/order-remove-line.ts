import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';

/** Removes a line that has not been sent to the kitchen yet. */
export const OrderRemoveLine = z.object({ orderId: EntityId, lineId: EntityId });
export type OrderRemoveLine = z.infer<typeof OrderRemoveLine>;
