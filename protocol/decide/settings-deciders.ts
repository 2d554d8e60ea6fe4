import { OfflineCardPolicy } from '../domain/offline-card-limits.ts';
import type { OperationOfType } from '../ops/operation.ts';
import type { VenueState } from '../state/venue-state.ts';
import { type DecideContext, type Decision, isRejection, reject } from './decision.ts';
import { Draft } from './draft.ts';
import { settingsOf } from './settings-of.ts';

/** The owner sets the offline card limits; limits that break their own rules are refused. */
export function decideSettingsOfflineCardSet(
  state: VenueState,
  op: OperationOfType<'settings.offlineCard.set'>,
  _ctx: DecideContext,
): Decision {
  const parsed = OfflineCardPolicy.safeParse(op.payload.policy);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return reject('VALIDATION', `policy.${issue?.path.join('.')}: ${issue?.message}`);
  }
  const settings = settingsOf(state);
  if (isRejection(settings)) return settings;
  const draft = new Draft(state);
  const { version, ...rest } = settings;
  draft.put('settings', { ...rest, offlineCard: parsed.data }, version);
  return draft.commit();
}
