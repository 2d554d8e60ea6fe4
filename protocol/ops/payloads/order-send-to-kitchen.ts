import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';

/** Fires every unsent line: one ticket per station, routed by the menu. */
export const OrderSendToKitchen = z.object({ orderId: EntityId });
export type OrderSendToKitchen = z.infer<typeof OrderSendToKitchen>;
