import { type Step, step, type TransitionTable } from './state-machine.ts';

/*
 *   member:  absent ──activate──▶ active ⇄ inactive   (activate / deactivate; repeats idempotent)
 *            absent ──deactivate──✗  (a member is created active)
 *   section: absent ──create──▶ present ──create──✗  (ids are unique)
 */
export const TEAM_MEMBER_STATES = ['absent', 'active', 'inactive'] as const;
export type TeamMemberState = (typeof TEAM_MEMBER_STATES)[number];
export const TEAM_MEMBER_EVENTS = ['activate', 'deactivate'] as const;
export type TeamMemberEvent = (typeof TEAM_MEMBER_EVENTS)[number];

export const teamMemberTransitions: TransitionTable<TeamMemberState, TeamMemberEvent> = {
  absent: { activate: 'active' },
  active: { activate: 'active', deactivate: 'inactive' },
  inactive: { activate: 'active', deactivate: 'inactive' },
};

export const TEAM_SECTION_STATES = ['absent', 'present'] as const;
export type TeamSectionState = (typeof TEAM_SECTION_STATES)[number];
export const TEAM_SECTION_EVENTS = ['create'] as const;
export type TeamSectionEvent = (typeof TEAM_SECTION_EVENTS)[number];

export const teamSectionTransitions: TransitionTable<TeamSectionState, TeamSectionEvent> = {
  absent: { create: 'present' },
  present: {},
};

export function teamMemberStep(
  from: TeamMemberState,
  event: TeamMemberEvent,
): Step<TeamMemberState> {
  return step(teamMemberTransitions, from, event);
}

export function teamSectionStep(
  from: TeamSectionState,
  event: TeamSectionEvent,
): Step<TeamSectionState> {
  return step(teamSectionTransitions, from, event);
}
