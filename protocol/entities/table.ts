import * as z from 'zod';
import { EntityId } from '../ids/entity-id.ts';

export const Table = z.object({
  id: EntityId,
  /** What is printed on the table and its QR card: "1" … "12", "Bar 3". */
  label: z.string().min(1).max(20),
  seats: z.number().int().min(1).max(100),
  version: z.number().int().min(1),
});
export type Table = z.infer<typeof Table>;
