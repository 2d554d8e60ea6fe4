import type { Role, StaffRole, Table, TeamMember, TeamSection } from '#protocol';

/*
 * The team page's forms, pure: what a manager typed, checked in words before an op is made
 * (the same rules as the schemas and deciders: names 1–60 / 1–120 characters, tables and
 * sections that exist, a new member starts active, only an owner appoints or changes an owner).
 */

export type AdminSection = Pick<TeamSection, 'id' | 'name' | 'tableIds'>;
export type AdminMember = Pick<TeamMember, 'id' | 'name' | 'role' | 'sectionId' | 'active'>;
export type AdminTable = Pick<Table, 'id' | 'label'>;

export const STAFF_ROLES: readonly StaffRole[] = ['server', 'kitchen', 'manager', 'owner'];

export const ROLE_WORDS: Readonly<Record<StaffRole, string>> = {
  server: 'Server',
  kitchen: 'Kitchen',
  manager: 'Manager',
  owner: 'Owner',
};

export const SECTION_NAME_MAX = 60;
export const MEMBER_NAME_MAX = 120;

export interface SectionDraft {
  readonly name: string;
  readonly tableIds: readonly string[];
}

export interface MemberDraft {
  /** Absent for a new member. */
  readonly memberId?: string;
  readonly name: string;
  readonly role: string;
  /** '' for no section. */
  readonly sectionId: string;
  readonly active: boolean;
}

/** Field → what is wrong with it, in words; empty when the form may be sent. */
export type FormErrors<F extends string> = Partial<Record<F, string>>;

export function sectionErrors(
  draft: SectionDraft,
  sections: readonly AdminSection[],
  tables: readonly AdminTable[],
): FormErrors<'name' | 'tables'> {
  const errors: FormErrors<'name' | 'tables'> = {};
  const name = draft.name.trim();
  if (!name) errors.name = 'Give the section a name.';
  else if (name.length > SECTION_NAME_MAX)
    errors.name = `Keep the name to ${SECTION_NAME_MAX} characters (it has ${name.length}).`;
  else if (sections.some((s) => s.name.trim().toLowerCase() === name.toLowerCase()))
    errors.name = `There is already a section called “${name}”.`;
  if (draft.tableIds.length === 0) errors.tables = 'Pick at least one table.';
  else if (draft.tableIds.some((id) => !tables.some((t) => t.id === id)))
    errors.tables = 'A table picked is no longer on the floor plan.';
  return errors;
}

/** Roles the signed-in person may give: only an owner appoints an owner. */
export const rolesFor = (actor: Role | undefined): readonly StaffRole[] =>
  actor === 'owner' ? STAFF_ROLES : STAFF_ROLES.filter((r) => r !== 'owner');

/** Whether the signed-in person may edit this member (a manager cannot change an owner). */
export const mayEdit = (actor: Role | undefined, member: Pick<AdminMember, 'role'>): boolean =>
  actor === 'owner' || (actor === 'manager' && member.role !== 'owner');

export function memberErrors(
  draft: MemberDraft,
  sections: readonly AdminSection[],
  actor: Role | undefined,
  existing: AdminMember | undefined,
): FormErrors<'name' | 'role' | 'section' | 'active'> {
  const errors: FormErrors<'name' | 'role' | 'section' | 'active'> = {};
  const name = draft.name.trim();
  if (!name) errors.name = 'Give the member a name.';
  else if (name.length > MEMBER_NAME_MAX)
    errors.name = `Keep the name to ${MEMBER_NAME_MAX} characters (it has ${name.length}).`;
  if (!STAFF_ROLES.includes(draft.role as StaffRole)) errors.role = 'Choose a role.';
  else if (actor !== 'owner' && (draft.role === 'owner' || existing?.role === 'owner'))
    errors.role = 'Only an owner can appoint or change an owner.';
  if (draft.sectionId && !sections.some((s) => s.id === draft.sectionId))
    errors.section = 'That section no longer exists; choose another.';
  if (!existing && !draft.active) errors.active = 'A new member starts active.';
  return errors;
}

export const hasErrors = (errors: Partial<Record<string, string>>): boolean =>
  Object.values(errors).some(Boolean);

/** The `team.section.create` payload (tables once each, in floor order). */
export const sectionPayload = (sectionId: string, draft: SectionDraft) => ({
  sectionId,
  name: draft.name.trim(),
  tableIds: [...new Set(draft.tableIds)],
});

/** The `team.member.upsert` payload. */
export const memberPayload = (memberId: string, draft: MemberDraft) => ({
  memberId,
  name: draft.name.trim(),
  role: draft.role as StaffRole,
  sectionId: draft.sectionId || null,
  active: draft.active,
});

/** A member's row in words: "Kitchen · Terrace · Active". */
export function memberLine(member: AdminMember, sections: readonly AdminSection[]): string {
  const section = member.sectionId
    ? (sections.find((s) => s.id === member.sectionId)?.name ?? 'a removed section')
    : 'No section';
  return `${ROLE_WORDS[member.role]} · ${section} · ${member.active ? 'Active' : 'Inactive'}`;
}

/** A section's tables in words: "Tables 4, 5, 12". */
export function tablesLine(
  section: { readonly tableIds: readonly string[] },
  tables: readonly AdminTable[],
): string {
  const labels = section.tableIds.map((id) => tables.find((t) => t.id === id)?.label ?? id);
  if (labels.length === 0) return 'No tables';
  return `${labels.length === 1 ? 'Table' : 'Tables'} ${labels.join(', ')}`;
}

/** Tables by label, numbers in number order ("2" before "10"). */
export const byLabel = (a: AdminTable, b: AdminTable): number =>
  a.label.localeCompare(b.label, undefined, { numeric: true });
