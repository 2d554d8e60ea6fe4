import { beforeAll, describe, expect, it } from 'vitest';
import {
  decide,
  getEntity,
  TEAM_MEMBER_EVENTS,
  TEAM_SECTION_EVENTS,
  type TeamMember,
  teamMemberStep,
  teamSectionStep,
  type VenueState,
} from '#protocol';
import { applyAll, type Verdict, verdictOf } from './support/run-ops.ts';
import { ctxFor, opOf, staff, venueState } from './support/venue-fixture.ts';

type MemberState = 'absent' | 'active' | 'inactive';
type MemberEvent = (typeof TEAM_MEMBER_EVENTS)[number];

const memberTable: Record<MemberState, Record<MemberEvent, Verdict>> = {
  absent: { activate: { moved: 'active' }, deactivate: 'refused' },
  active: { activate: 'unchanged', deactivate: { moved: 'inactive' } },
  inactive: { activate: { moved: 'active' }, deactivate: 'unchanged' },
};

const sectionTable: Record<'absent' | 'present', Record<'create', Verdict>> = {
  absent: { create: { moved: 'present' } },
  present: { create: 'refused' },
};

const manager = staff('manager');
const upsert = (active: boolean) =>
  opOf('team.member.upsert', {
    memberId: 'srv-9',
    name: 'Kai',
    role: 'server',
    sectionId: 'terrace',
    active,
  });
const states = {} as Record<MemberState, VenueState>;
const memberState = (m: TeamMember | undefined): MemberState =>
  m ? (m.active ? 'active' : 'inactive') : 'absent';

beforeAll(async () => {
  states.absent = venueState();
  states.active = applyAll(states.absent, [await upsert(true)]);
  states.inactive = applyAll(states.active, [await upsert(false)]);
});

describe('team state machines', () => {
  const memberCells = (Object.keys(memberTable) as MemberState[]).flatMap((from) =>
    TEAM_MEMBER_EVENTS.map((e) => [from, e] as const),
  );

  it.each(memberCells)(
    'member %s × %s: the pure step and the decider follow the table',
    async (from, event) => {
      const expected = memberTable[from][event];
      const result = teamMemberStep(from, event);
      if (expected === 'refused') expect(result.kind).toBe('refused');
      else expect(result).toMatchObject({ to: expected === 'unchanged' ? from : expected.moved });

      const decision = decide(states[from], await upsert(event === 'activate'), ctxFor(manager));
      const read = (s: VenueState) => memberState(getEntity(s.entities, 'teamMember', 'srv-9'));
      expect(verdictOf(decision, read, from)).toEqual(expected);
    },
  );

  it.each(['absent', 'present'] as const)('section %s × create follows the table', async (from) => {
    for (const event of TEAM_SECTION_EVENTS) {
      const expected = sectionTable[from][event];
      const result = teamSectionStep(from, event);
      expect(result.kind === 'refused' ? 'refused' : { moved: result.to }).toEqual(expected);
    }
    const id = from === 'present' ? 'terrace' : 'bar-area';
    const decision = decide(
      venueState(),
      await opOf('team.section.create', { sectionId: id, name: 'Area', tableIds: ['table-4'] }),
      ctxFor(manager),
    );
    const read = (s: VenueState) =>
      getEntity(s.entities, 'teamSection', id) ? 'present' : 'absent';
    expect(verdictOf(decision, read, from)).toEqual(sectionTable[from].create);
  });

  it('a manager may not appoint an owner, or change one; an owner may', async () => {
    const promote = await opOf('team.member.upsert', {
      memberId: 'srv-9',
      name: 'Kai',
      role: 'owner',
      active: true,
    });
    expect(decide(venueState(), promote, ctxFor(manager))).toMatchObject({
      kind: 'rejected',
      code: 'FORBIDDEN',
    });
    const demote = await opOf('team.member.upsert', {
      memberId: 'boss',
      name: 'Olu',
      role: 'server',
      active: true,
    });
    expect(decide(venueState(), demote, ctxFor(manager))).toMatchObject({
      kind: 'rejected',
      code: 'FORBIDDEN',
    });
    const owner = staff('owner');
    const byOwner = await opOf(
      'team.member.upsert',
      { memberId: 'srv-9', name: 'Kai', role: 'owner', active: true },
      owner,
    );
    expect(decide(venueState(), byOwner, ctxFor(owner)).kind).toBe('applied');
  });
});
