import * as z from 'zod';
import { EntityId } from '../ids/entity-id.ts';

/** A restaurant, bar or hotel outlet; one change-feed stream each. */
export const Venue = z.object({
  id: EntityId,
  tenantId: EntityId,
  name: z.string().min(1).max(120),
  /** IANA zone, for showing times to staff; never used for ordering. */
  timezone: z.string().min(1).max(64),
  /** BCP 47 locale for prices and dates on guests' and staff's screens; absent means en-GB. */
  locale: z.string().min(2).max(35).optional(),
  version: z.number().int().min(1),
});
export type Venue = z.infer<typeof Venue>;
