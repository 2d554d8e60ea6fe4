import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';

/** Cancels an order; its tickets still on the pass are withdrawn from the kitchen. */
export const OrderVoid = z.object({ orderId: EntityId, reason: z.string().min(1).max(200) });
export type OrderVoid = z.infer<typeof OrderVoid>;
