import type { EntitySet } from './entity-set.ts';

/** What a decider decides against: one venue's entities, and whose venue it is. */
export interface VenueState {
  readonly tenantId: string;
  readonly venueId: string;
  readonly entities: EntitySet;
}
