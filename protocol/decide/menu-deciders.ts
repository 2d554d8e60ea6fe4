import type { OperationOfType } from '../ops/operation.ts';
import type { VenueState } from '../state/venue-state.ts';
import { type DecideContext, type Decision, reject } from './decision.ts';
import { Draft, unchanged } from './draft.ts';

export function decideMenuItemSetAvailability(
  state: VenueState,
  op: OperationOfType<'menu.item.setAvailability'>,
  _ctx: DecideContext,
): Decision {
  const draft = new Draft(state);
  const item = draft.get('menuItem', op.payload.itemId);
  if (!item) return reject('NOT_FOUND', `no menu item ${op.payload.itemId}`);
  if (item.available === op.payload.available) return unchanged(state);
  draft.put('menuItem', { ...item, available: op.payload.available }, item.version);
  return draft.commit();
}
