import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';
import { LineInput } from './line-input.ts';

export const OrderAddLines = z.object({
  orderId: EntityId,
  lines: z.array(LineInput).min(1).max(100),
});
export type OrderAddLines = z.infer<typeof OrderAddLines>;
