import * as z from 'zod';

/**
 * An entity id: ULIDs for what devices create, readable slugs for seeded reference data
 * (`demo-bistro`, `table-1`). Restricted to URL-safe characters so ids can sit in paths.
 */
export const EntityId = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._~:-]*$/, 'must be URL-safe: letters, digits, . _ ~ : -');
export type EntityId = z.infer<typeof EntityId>;

/** Server time as an ISO-8601 UTC timestamp. */
export const Timestamp = z.iso.datetime({ offset: true });
export type Timestamp = z.infer<typeof Timestamp>;
