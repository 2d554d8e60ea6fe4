import type { Settings } from '../entities/settings.ts';
import { getEntity } from '../state/entity-set.ts';
import type { VenueState } from '../state/venue-state.ts';
import { type Rejection, reject } from './decision.ts';

/** The tenant's settings, which every priced op needs. */
export function settingsOf(state: VenueState): Settings | Rejection {
  return (
    getEntity(state.entities, 'settings', state.tenantId) ??
    reject('SETTINGS_MISSING', 'the venue has no settings yet')
  );
}
