import { teamMemberStep, teamSectionStep } from '../domain/team-machine.ts';
import type { OperationOfType } from '../ops/operation.ts';
import type { VenueState } from '../state/venue-state.ts';
import { type DecideContext, type Decision, reject } from './decision.ts';
import { Draft, unchanged } from './draft.ts';

export function decideTeamSectionCreate(
  state: VenueState,
  op: OperationOfType<'team.section.create'>,
  _ctx: DecideContext,
): Decision {
  const { sectionId, name, tableIds } = op.payload;
  const draft = new Draft(state);
  const existing = draft.get('teamSection', sectionId);
  if (teamSectionStep(existing ? 'present' : 'absent', 'create').kind === 'refused') {
    return reject('ALREADY_EXISTS', `section ${sectionId} already exists`, existing);
  }
  const missing = tableIds.find((id) => !draft.get('table', id));
  if (missing !== undefined) return reject('NOT_FOUND', `no table ${missing}`);
  draft.put('teamSection', { id: sectionId, name, tableIds: [...new Set(tableIds)] }, 0);
  return draft.commit();
}

export function decideTeamMemberUpsert(
  state: VenueState,
  op: OperationOfType<'team.member.upsert'>,
  ctx: DecideContext,
): Decision {
  const { memberId, name, role, sectionId, active } = op.payload;
  const draft = new Draft(state);
  const existing = draft.get('teamMember', memberId);
  // Only an owner may make or change an owner: a manager cannot promote anyone past themselves.
  const actingRole = ctx.principal.kind === 'staff' ? ctx.principal.role : 'guest';
  if (actingRole !== 'owner' && (role === 'owner' || existing?.role === 'owner')) {
    return reject('FORBIDDEN', 'only an owner may appoint or change an owner', existing);
  }
  const from = existing ? (existing.active ? 'active' : 'inactive') : 'absent';
  const next = teamMemberStep(from, active ? 'activate' : 'deactivate');
  if (next.kind === 'refused')
    return reject('INVALID_STATE_TRANSITION', 'a new member must be active');
  if (sectionId !== null && !draft.get('teamSection', sectionId))
    return reject('NOT_FOUND', `no section ${sectionId}`);
  const member = { id: memberId, name, role, sectionId, active };
  if (
    existing &&
    existing.name === name &&
    existing.role === role &&
    existing.sectionId === sectionId &&
    existing.active === active
  ) {
    return unchanged(state);
  }
  draft.put('teamMember', member, existing?.version ?? 0);
  return draft.commit();
}
