import { describe, expect, it } from 'vitest';
import {
  type AdminMember,
  hasErrors,
  type MemberDraft,
  mayEdit,
  memberErrors,
  memberLine,
  memberPayload,
  rolesFor,
  sectionErrors,
  sectionPayload,
  tablesLine,
} from '../../web/floor/team-admin-state.ts';

// The team forms, pure: what is checked before an op is made, in words, and the payloads.

const tables = [
  { id: 't4', label: '4' },
  { id: 't5', label: '5' },
];
const sections = [{ id: 's1', name: 'Terrace', tableIds: ['t4', 't5'] }];
const owner: AdminMember = {
  id: 'm-o',
  name: 'Olga',
  role: 'owner',
  sectionId: null,
  active: true,
};
const draft = (over: Partial<MemberDraft> = {}): MemberDraft => ({
  name: 'Ana',
  role: 'server',
  sectionId: '',
  active: true,
  ...over,
});

describe('sectionErrors', () => {
  it('asks for a name, a unique one, short enough, and at least one known table', () => {
    expect(sectionErrors({ name: '  ', tableIds: [] }, sections, tables)).toEqual({
      name: 'Give the section a name.',
      tables: 'Pick at least one table.',
    });
    expect(sectionErrors({ name: 'terrace ', tableIds: ['t4'] }, sections, tables).name).toBe(
      'There is already a section called “terrace”.',
    );
    expect(sectionErrors({ name: 'x'.repeat(61), tableIds: ['t4'] }, sections, tables).name).toBe(
      'Keep the name to 60 characters (it has 61).',
    );
    expect(sectionErrors({ name: 'Bar', tableIds: ['gone'] }, sections, tables).tables).toBe(
      'A table picked is no longer on the floor plan.',
    );
    expect(hasErrors(sectionErrors({ name: 'Bar', tableIds: ['t4'] }, sections, tables))).toBe(
      false,
    );
  });

  it('payload: the name trimmed, each table once', () => {
    expect(sectionPayload('s2', { name: ' Bar ', tableIds: ['t4', 't4', 't5'] })).toEqual({
      sectionId: 's2',
      name: 'Bar',
      tableIds: ['t4', 't5'],
    });
  });
});

describe('memberErrors', () => {
  it('a name, a role, a section that exists; a new member starts active', () => {
    expect(
      memberErrors(
        draft({ name: '', role: 'chef', sectionId: 'gone', active: false }),
        sections,
        'manager',
        undefined,
      ),
    ).toEqual({
      name: 'Give the member a name.',
      role: 'Choose a role.',
      section: 'That section no longer exists; choose another.',
      active: 'A new member starts active.',
    });
    expect(memberErrors(draft({ sectionId: 's1' }), sections, 'manager', undefined)).toEqual({});
    // An existing member may be retired.
    const ana: AdminMember = {
      id: 'm-a',
      name: 'Ana',
      role: 'server',
      sectionId: null,
      active: true,
    };
    expect(
      memberErrors(draft({ memberId: 'm-a', active: false }), sections, 'manager', ana),
    ).toEqual({});
  });

  it('only an owner appoints or changes an owner', () => {
    expect(memberErrors(draft({ role: 'owner' }), sections, 'manager', undefined).role).toBe(
      'Only an owner can appoint or change an owner.',
    );
    expect(
      memberErrors(draft({ memberId: 'm-o', role: 'manager' }), sections, 'manager', owner).role,
    ).toBe('Only an owner can appoint or change an owner.');
    expect(memberErrors(draft({ role: 'owner' }), sections, 'owner', undefined)).toEqual({});
    expect(rolesFor('manager')).toEqual(['server', 'kitchen', 'manager']);
    expect(rolesFor('owner')).toContain('owner');
    expect(mayEdit('manager', owner)).toBe(false);
    expect(mayEdit('owner', owner)).toBe(true);
    expect(mayEdit('server', { role: 'server' })).toBe(false);
  });

  it('payload and words', () => {
    expect(memberPayload('m-a', draft({ name: ' Ana ', sectionId: '' }))).toEqual({
      memberId: 'm-a',
      name: 'Ana',
      role: 'server',
      sectionId: null,
      active: true,
    });
    expect(
      memberLine(
        { id: 'm', name: 'Ana', role: 'kitchen', sectionId: 's1', active: false },
        sections,
      ),
    ).toBe('Kitchen · Terrace · Inactive');
    expect(memberLine(owner, sections)).toBe('Owner · No section · Active');
    expect(tablesLine(sections[0] ?? { tableIds: [] }, tables)).toBe('Tables 4, 5');
    expect(tablesLine({ tableIds: ['t4'] }, tables)).toBe('Table 4');
  });
});
