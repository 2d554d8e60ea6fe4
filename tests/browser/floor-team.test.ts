import { expect } from '@esm-bundle/chai';
import '../../web/floor/team-admin.ts';
import type { TeamAdmin } from '../../web/floor/team-admin.ts';
import {
  clean,
  floorFrame,
  recorder,
  settle,
  targetsFit,
  text,
  unmountFloor,
} from './floor-support.ts';

// `<hearth-team-admin>` in Chromium: sections, members and tables set by hand as the local
// view would bring them, ops landing in a list.

async function mount(role: 'manager' | 'owner' | 'server' = 'manager') {
  const { sent, submit } = recorder(() => 'pending');
  const el = document.createElement('hearth-team-admin');
  el.tables = [
    { id: 't10', label: '10' },
    { id: 't4', label: '4' },
    { id: 't5', label: '5' },
  ];
  el.sections = [{ id: 's1', name: 'Terrace', tableIds: ['t4', 't5'] }];
  el.members = [
    { id: 'm-ana', name: 'Ana', role: 'server', sectionId: 's1', active: true },
    { id: 'm-olga', name: 'Olga', role: 'owner', sectionId: null, active: true },
  ];
  el.staffRole = role;
  el.submit = submit;
  floorFrame().append(el);
  await el.updateComplete;
  return { el, sent };
}

const $ = <T extends Element = HTMLElement>(el: TeamAdmin, selector: string): T => {
  const found = el.shadowRoot?.querySelector<T>(selector);
  if (!found) throw new Error(`no ${selector}`);
  return found;
};
const type = (input: HTMLInputElement, value: string) => {
  input.value = value;
  input.dispatchEvent(new Event('input'));
};
const choose = (select: HTMLSelectElement, value: string) => {
  select.value = value;
  select.dispatchEvent(new Event('change'));
};
const tick = (box: HTMLInputElement) => box.click();
const live = (el: TeamAdmin) => text(el.shadowRoot?.querySelector('[role="status"]'));

afterEach(unmountFloor);

describe('<hearth-team-admin>', () => {
  it('lists sections with their tables and members with role, section and state in words', async () => {
    const { el } = await mount();
    expect(text($(el, '[data-section="s1"]'))).to.equal('Terrace Tables 4, 5');
    expect(text($(el, '[data-member="m-ana"]'))).to.contain('Server · Terrace · Active');
    // A manager cannot edit an owner.
    expect(el.shadowRoot?.querySelector('[data-edit="m-olga"]')).to.equal(null);
    // Tables in number order.
    const labels = [...(el.shadowRoot?.querySelectorAll('.tables label') ?? [])].map((l) =>
      text(l),
    );
    expect(labels).to.deep.equal(['4', '5', '10']);
    targetsFit(el);
    await clean(el);
  });

  it('a section: errors in words, the focus on the first, then team.section.create', async () => {
    const { el, sent } = await mount();
    $(el, '.section-form button[type="submit"]').click();
    await settle(el);
    expect(sent).to.deep.equal([]);
    expect(text($(el, '#section-name-error'))).to.equal('Give the section a name.');
    expect(text($(el, '#section-tables-error'))).to.equal('Pick at least one table.');
    const name = $<HTMLInputElement>(el, 'input[name="section-name"]');
    expect(name.getAttribute('aria-invalid')).to.equal('true');
    expect(name.getAttribute('aria-describedby')).to.equal('section-name-error');
    expect(el.shadowRoot?.activeElement).to.equal(name);
    expect(live(el)).to.equal(
      'Section not created. Give the section a name. Pick at least one table.',
    );
    targetsFit(el);
    await clean(el);

    // Fixing the form clears the errors as it goes.
    type(name, 'Bar');
    await settle(el);
    expect(el.shadowRoot?.querySelector('#section-name-error')).to.equal(null);
    tick($<HTMLInputElement>(el, 'input[value="t10"]'));
    await settle(el);
    expect(el.shadowRoot?.querySelector('#section-tables-error')).to.equal(null);
    $(el, '.section-form button[type="submit"]').click();
    await settle(el);
    expect(sent.map(({ type, payload }) => ({ type, payload }))).to.deep.equal([
      {
        type: 'team.section.create',
        payload: { sectionId: 'new-1', name: 'Bar', tableIds: ['t10'] },
      },
    ]);
    expect(live(el)).to.equal('Section Bar created: Table 10');
    expect(name.value).to.equal('');

    // The local view brings the new section, with its op's state.
    el.sections = [...el.sections, { id: 'new-1', name: 'Bar', tableIds: ['t10'] }];
    await settle(el);
    expect(text($(el, '[data-section="new-1"] .sync'))).to.equal('not sent yet');
  });

  it('adds a member, then edits one: the form fills, saves through team.member.upsert, focus returns', async () => {
    const { el, sent } = await mount();
    const name = $<HTMLInputElement>(el, 'input[name="member-name"]');
    type(name, 'Ben');
    choose($<HTMLSelectElement>(el, 'select[name="member-role"]'), 'kitchen');
    $(el, '.member-form button[type="submit"]').click();
    await settle(el);
    expect(sent[0]).to.deep.include({
      type: 'team.member.upsert',
      payload: { memberId: 'new-1', name: 'Ben', role: 'kitchen', sectionId: null, active: true },
    });
    expect(live(el)).to.equal('Ben added to the team');

    const edit = $<HTMLButtonElement>(el, '[data-edit="m-ana"]');
    edit.click();
    await settle(el);
    expect(text($(el, '#member-form-heading'))).to.equal('Edit Ana');
    expect(el.shadowRoot?.activeElement).to.equal(name);
    expect(name.value).to.equal('Ana');
    expect($<HTMLSelectElement>(el, 'select[name="member-section"]').value).to.equal('s1');
    // A manager is not offered the owner role.
    const roles = [...$<HTMLSelectElement>(el, 'select[name="member-role"]').options].map(
      (o) => o.value,
    );
    expect(roles).to.deep.equal(['server', 'kitchen', 'manager']);
    await clean(el);

    choose($<HTMLSelectElement>(el, 'select[name="member-section"]'), '');
    tick($<HTMLInputElement>(el, 'input[name="member-active"]'));
    $(el, '.member-form button[type="submit"]').click();
    await settle(el);
    expect(sent[1]?.payload).to.deep.equal({
      memberId: 'm-ana',
      name: 'Ana',
      role: 'server',
      sectionId: null,
      active: false,
    });
    expect(live(el)).to.equal('Ana saved');
    expect(text($(el, '#member-form-heading'))).to.equal('Add a member');
    expect(el.shadowRoot?.activeElement).to.equal($(el, '[data-edit="m-ana"]'));
    expect(text($(el, '[data-member="m-ana"] .sync'))).to.equal('not sent yet');
  });

  it('a new member starts active, and a name is needed: said in words beside the fields', async () => {
    const { el, sent } = await mount();
    tick($<HTMLInputElement>(el, 'input[name="member-active"]'));
    $(el, '.member-form button[type="submit"]').click();
    await settle(el);
    expect(sent).to.deep.equal([]);
    expect(text($(el, '#member-name-error'))).to.equal('Give the member a name.');
    expect(text($(el, '#member-active-error'))).to.equal('A new member starts active.');
    expect(el.shadowRoot?.activeElement).to.equal($(el, 'input[name="member-name"]'));
    await clean(el);
  });

  it('cancel an edit: the form empties and the focus goes back to Edit', async () => {
    const { el } = await mount('owner');
    $(el, '[data-edit="m-olga"]').click();
    await settle(el);
    const cancel = [...(el.shadowRoot?.querySelectorAll('button') ?? [])].find(
      (b) => text(b) === 'Cancel',
    );
    cancel?.click();
    await settle(el);
    expect($<HTMLInputElement>(el, 'input[name="member-name"]').value).to.equal('');
    expect(el.shadowRoot?.activeElement).to.equal($(el, '[data-edit="m-olga"]'));
    expect(live(el)).to.equal('Edit cancelled');
  });

  it('a server is told the team is for managers and owners, with no forms', async () => {
    const { el } = await mount('server');
    expect(el.shadowRoot?.querySelector('form')).to.equal(null);
    expect(text(el.shadowRoot)).to.contain(
      'Only managers and owners manage sections and the team.',
    );
    await clean(el);
  });
});
