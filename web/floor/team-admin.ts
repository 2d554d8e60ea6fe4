import { css, html, LitElement, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import type { Role } from '#protocol';
import { mayPerform } from '#protocol/auth/permissions.ts';
import { Announcer } from '../guest/announcer.ts';
import { type FloorOpState, type FloorSubmit, OpMarks } from './floor-ops.ts';
import { floorStyles } from './floor-styles.ts';
import {
  type AdminMember,
  type AdminSection,
  type AdminTable,
  byLabel,
  type FormErrors,
  hasErrors,
  type MemberDraft,
  mayEdit,
  memberErrors,
  memberLine,
  memberPayload,
  ROLE_WORDS,
  rolesFor,
  type SectionDraft,
  sectionErrors,
  sectionPayload,
  tablesLine,
} from './team-admin-state.ts';

type SectionField = 'name' | 'tables';
type MemberField = 'name' | 'role' | 'section' | 'active';

const EMPTY_SECTION: SectionDraft = { name: '', tableIds: [] };
const EMPTY_MEMBER: MemberDraft = { name: '', role: 'server', sectionId: '', active: true };

/**
 * `<hearth-team-admin>`: sections (create with a name and its tables, `team.section.create`)
 * and members (add or edit name, role, section, active, `team.member.upsert`) for managers and
 * owners, each form checked in words before anything is sent.
 *
 * ```ts
 * html`<hearth-team-admin
 *   .sections=${view.items('teamSection').map((i) => i.entity)}
 *   .members=${view.items('teamMember').map((i) => i.entity)}
 *   .tables=${view.items('table').map((i) => i.entity)}
 *   .staffRole=${principal.role}
 *   .submit=${(label, type, payload) => ops.submit(label, type, payload)} .ops=${ops.ops}
 * ></hearth-team-admin>`
 * ```
 */
export class TeamAdmin extends LitElement {
  static override properties = {
    sections: { attribute: false },
    members: { attribute: false },
    tables: { attribute: false },
    staffRole: { attribute: false },
    submit: { attribute: false },
    ops: { attribute: false },
    sectionDraft: { state: true },
    memberDraft: { state: true },
    sectionProblems: { state: true },
    memberProblems: { state: true },
  };

  declare sections: readonly AdminSection[];
  declare members: readonly AdminMember[];
  declare tables: readonly AdminTable[];
  declare staffRole: Role | undefined;
  declare submit: FloorSubmit | undefined;
  declare ops: readonly FloorOpState[];
  declare sectionDraft: SectionDraft;
  declare memberDraft: MemberDraft;
  /** Shown once a send was tried, then kept current as the form is fixed. */
  declare sectionProblems: FormErrors<SectionField> | undefined;
  declare memberProblems: FormErrors<MemberField> | undefined;

  static override styles = [
    floorStyles,
    css`
      p {
        margin: 0;
      }
      form {
        display: grid;
        gap: 0.75rem;
        padding: 0.75rem;
        border: 2px solid var(--floor-line);
        border-radius: 0.5rem;
      }
      fieldset {
        border: 0;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.25rem;
      }
      legend {
        padding: 0;
        font-weight: 600;
      }
      .tables {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 0.75rem;
      }
      label.check {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        min-height: 44px;
        min-width: 44px;
        padding-right: 0.25rem;
      }
      input[type='checkbox'] {
        width: 1.6rem;
        height: 1.6rem;
        min-height: 0;
        min-width: 0;
        margin: 0;
      }
      [aria-invalid='true'] {
        border-color: var(--floor-bad);
        border-width: 3px;
      }
      .field-error::before {
        content: '⚠ ';
      }
      .row {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 0.75rem;
      }
    `,
  ];

  readonly #announcer = new Announcer(this);
  readonly #marks = new OpMarks();
  /** The Edit button to focus after the form closes. */
  #returnTo: string | undefined;
  #focusField: string | undefined;

  constructor() {
    super();
    this.sections = [];
    this.members = [];
    this.tables = [];
    this.staffRole = undefined;
    this.submit = undefined;
    this.ops = [];
    this.sectionDraft = EMPTY_SECTION;
    this.memberDraft = EMPTY_MEMBER;
    this.sectionProblems = undefined;
    this.memberProblems = undefined;
  }

  protected override updated(): void {
    const selector = this.#focusField;
    this.#focusField = undefined;
    if (selector) this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  override render() {
    const allowed =
      !!this.staffRole &&
      mayPerform(this.staffRole, 'team.section.create') &&
      mayPerform(this.staffRole, 'team.member.upsert');
    if (!allowed)
      return html`<h2>Team</h2>
        <p class="muted">Only managers and owners manage sections and the team.</p>`;
    return html`<h2>Team</h2>
      ${this.#sectionsPart()} ${this.#membersPart()}
      <p class="visually-hidden" role="status" aria-live="polite">${this.#announcer.text}</p>`;
  }

  // Sections

  #sectionsPart() {
    const problems = this.sectionProblems ?? {};
    const tables = [...this.tables].sort(byLabel);
    return html`<section aria-labelledby="sections-heading">
      <h3 id="sections-heading">Sections (${this.sections.length})</h3>
      ${
        this.sections.length === 0
          ? html`<p class="muted">No sections yet.</p>`
          : html`<ul>
              ${this.sections.map((s) => {
                const sync = this.#marks.wordsOf(`section:${s.id}`, this.ops);
                return html`<li class="card" data-section=${s.id}>
                  <p><strong>${s.name}</strong></p>
                  <p>${tablesLine(s, this.tables)}</p>
                  ${sync ? html`<p class="sync ${sync.startsWith('failed') ? 'failed' : ''}">${sync}</p>` : nothing}
                </li>`;
              })}
            </ul>`
      }
      <form class="section-form" novalidate @submit=${this.#createSection}>
        <h4>New section</h4>
        <label>
          Name
          <input
            name="section-name"
            .value=${this.sectionDraft.name}
            autocomplete="off"
            aria-invalid=${problems.name ? 'true' : 'false'}
            aria-describedby=${problems.name ? 'section-name-error' : nothing}
            @input=${(e: Event) =>
              this.#editSection({ name: (e.target as HTMLInputElement).value })}
          />
        </label>
        ${problems.name ? html`<p class="error field-error" id="section-name-error">${problems.name}</p>` : nothing}
        <fieldset
          aria-invalid=${problems.tables ? 'true' : 'false'}
          aria-describedby=${problems.tables ? 'section-tables-error' : nothing}
        >
          <legend>Tables</legend>
          ${
            tables.length === 0
              ? html`<p class="muted">No tables on this device yet.</p>`
              : html`<div class="tables">
                  ${tables.map(
                    (t) => html`<label class="check">
                      <input
                        type="checkbox"
                        name="section-table"
                        value=${t.id}
                        .checked=${live(this.sectionDraft.tableIds.includes(t.id))}
                        @change=${(e: Event) => this.#pickTable(t.id, (e.target as HTMLInputElement).checked)}
                      />
                      ${t.label}
                    </label>`,
                  )}
                </div>`
          }
        </fieldset>
        ${problems.tables ? html`<p class="error field-error" id="section-tables-error">${problems.tables}</p>` : nothing}
        <div class="actions"><button type="submit">Create section</button></div>
      </form>
    </section>`;
  }

  #editSection(change: Partial<SectionDraft>): void {
    this.sectionDraft = { ...this.sectionDraft, ...change };
    if (this.sectionProblems)
      this.sectionProblems = sectionErrors(this.sectionDraft, this.sections, this.tables);
  }

  #pickTable(id: string, on: boolean): void {
    const rest = this.sectionDraft.tableIds.filter((t) => t !== id);
    this.#editSection({ tableIds: on ? [...rest, id] : rest });
  }

  readonly #createSection = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const draft = this.sectionDraft;
    const problems = sectionErrors(draft, this.sections, this.tables);
    if (hasErrors(problems)) {
      this.sectionProblems = problems;
      this.#focusField = problems.name
        ? 'input[name="section-name"]'
        : 'input[name="section-table"]';
      this.#announcer.say(`Section not created. ${Object.values(problems).join(' ')}`);
      return;
    }
    if (!this.submit) return;
    let made = '';
    const name = draft.name.trim();
    await this.#marks.track(
      `section:pending`,
      this.submit,
      `New section ${name}`,
      'team.section.create',
      (newId) => {
        made = newId();
        return sectionPayload(made, draft);
      },
    );
    // Marks are per section: keep this op under the id it made.
    this.#remark('section:pending', `section:${made}`);
    this.sectionDraft = EMPTY_SECTION;
    this.sectionProblems = undefined;
    this.#announcer.say(`Section ${name} created: ${tablesLine(draft, this.tables)}`);
  };

  // Members

  #membersPart() {
    const problems = this.memberProblems ?? {};
    const editing = this.memberDraft.memberId
      ? this.members.find((m) => m.id === this.memberDraft.memberId)
      : undefined;
    const members = [...this.members].sort(
      (a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name),
    );
    const roles = rolesFor(this.staffRole);
    const shownRoles = editing && !roles.includes(editing.role) ? [editing.role, ...roles] : roles;
    const field = (name: MemberField) => ({
      invalid: problems[name] ? 'true' : 'false',
      describedBy: problems[name] ? `member-${name}-error` : nothing,
      error: problems[name]
        ? html`<p class="error field-error" id="member-${name}-error">${problems[name]}</p>`
        : nothing,
    });
    const [name, role, section, active] = (['name', 'role', 'section', 'active'] as const).map(
      field,
    );
    return html`<section aria-labelledby="members-heading">
      <h3 id="members-heading">Members (${this.members.length})</h3>
      ${
        members.length === 0
          ? html`<p class="muted">No members yet.</p>`
          : html`<ul>
              ${members.map((m) => {
                const sync = this.#marks.wordsOf(`member:${m.id}`, this.ops);
                return html`<li class="card" data-member=${m.id}>
                  <div class="row">
                    <div>
                      <p><strong>${m.name}</strong></p>
                      <p>${memberLine(m, this.sections)}</p>
                    </div>
                    ${
                      mayEdit(this.staffRole, m)
                        ? html`<button
                            type="button"
                            class="secondary"
                            data-edit=${m.id}
                            aria-label="Edit ${m.name}"
                            @click=${() => this.#startEdit(m)}
                          >
                            Edit
                          </button>`
                        : nothing
                    }
                  </div>
                  ${sync ? html`<p class="sync ${sync.startsWith('failed') ? 'failed' : ''}">${sync}</p>` : nothing}
                </li>`;
              })}
            </ul>`
      }
      <form class="member-form" novalidate @submit=${this.#saveMember}>
        <h4 id="member-form-heading">${editing ? `Edit ${editing.name}` : 'Add a member'}</h4>
        <label>
          Name
          <input
            name="member-name"
            .value=${this.memberDraft.name}
            autocomplete="off"
            aria-invalid=${name?.invalid}
            aria-describedby=${name?.describedBy}
            @input=${(e: Event) => this.#editMember({ name: (e.target as HTMLInputElement).value })}
          />
        </label>
        ${name?.error}
        <label>
          Role
          <select
            name="member-role"
            aria-invalid=${role?.invalid}
            aria-describedby=${role?.describedBy}
            @change=${(e: Event) => this.#editMember({ role: (e.target as HTMLSelectElement).value })}
          >
            ${shownRoles.map(
              (r) =>
                html`<option value=${r} .selected=${live(r === this.memberDraft.role)}>${ROLE_WORDS[r]}</option>`,
            )}
          </select>
        </label>
        ${role?.error}
        <label>
          Section
          <select
            name="member-section"
            aria-invalid=${section?.invalid}
            aria-describedby=${section?.describedBy}
            @change=${(e: Event) => this.#editMember({ sectionId: (e.target as HTMLSelectElement).value })}
          >
            <option value="" .selected=${live(this.memberDraft.sectionId === '')}>No section</option>
            ${this.sections.map(
              (s) =>
                html`<option value=${s.id} .selected=${live(s.id === this.memberDraft.sectionId)}>${s.name}</option>`,
            )}
          </select>
        </label>
        ${section?.error}
        <label class="check">
          <input
            type="checkbox"
            name="member-active"
            .checked=${live(this.memberDraft.active)}
            aria-invalid=${active?.invalid}
            aria-describedby=${active?.describedBy}
            @change=${(e: Event) => this.#editMember({ active: (e.target as HTMLInputElement).checked })}
          />
          Active (can be given work)
        </label>
        ${active?.error}
        <div class="actions">
          <button type="submit">${editing ? 'Save changes' : 'Add member'}</button>
          ${
            editing
              ? html`<button type="button" class="secondary" @click=${this.#cancelEdit}>Cancel</button>`
              : nothing
          }
        </div>
      </form>
    </section>`;
  }

  #editMember(change: Partial<MemberDraft>): void {
    this.memberDraft = { ...this.memberDraft, ...change };
    if (this.memberProblems) this.memberProblems = this.#memberCheck();
  }

  #memberCheck(): FormErrors<MemberField> {
    const existing = this.memberDraft.memberId
      ? this.members.find((m) => m.id === this.memberDraft.memberId)
      : undefined;
    return memberErrors(this.memberDraft, this.sections, this.staffRole, existing);
  }

  #startEdit(member: AdminMember): void {
    this.memberDraft = {
      memberId: member.id,
      name: member.name,
      role: member.role,
      sectionId: member.sectionId ?? '',
      active: member.active,
    };
    this.memberProblems = undefined;
    this.#returnTo = member.id;
    this.#focusField = 'input[name="member-name"]';
    this.#announcer.say(`Editing ${member.name}`);
  }

  readonly #cancelEdit = (): void => {
    this.#closeMemberForm();
    this.#announcer.say('Edit cancelled');
  };

  #closeMemberForm(): void {
    this.memberDraft = EMPTY_MEMBER;
    this.memberProblems = undefined;
    if (this.#returnTo) this.#focusField = `[data-edit="${this.#returnTo}"]`;
    this.#returnTo = undefined;
  }

  readonly #saveMember = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const problems = this.#memberCheck();
    if (hasErrors(problems)) {
      this.memberProblems = problems;
      const first = (['name', 'role', 'section', 'active'] as const).find((f) => problems[f]);
      this.#focusField = `[name="member-${first}"]`;
      this.#announcer.say(`Not saved. ${Object.values(problems).join(' ')}`);
      return;
    }
    if (!this.submit) return;
    const draft = this.memberDraft;
    const name = draft.name.trim();
    let id = draft.memberId ?? '';
    await this.#marks.track(
      'member:pending',
      this.submit,
      draft.memberId ? `Team: ${name} changed` : `Team: ${name} added`,
      'team.member.upsert',
      (newId) => {
        id = draft.memberId ?? newId();
        return memberPayload(id, draft);
      },
    );
    this.#remark('member:pending', `member:${id}`);
    this.#closeMemberForm();
    this.#announcer.say(draft.memberId ? `${name} saved` : `${name} added to the team`);
  };

  /** Moves a mark made before its entity's id was known to that id. */
  #remark(from: string, to: string): void {
    this.#marks.rename(from, to);
  }
}

customElements.define('hearth-team-admin', TeamAdmin);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-team-admin': TeamAdmin;
  }
}
