import { expect } from '@esm-bundle/chai';
import '../../web/floor/failed-ops-inbox.ts';
import type { FailedOpsInbox } from '../../web/floor/failed-ops-inbox.ts';
import { cash, DECLINED_ID, declinedLater, NOW, orders, STAFF } from '../web/payments-fixtures.ts';
import {
  clean,
  floorFrame,
  recorder,
  settle,
  targetsFit,
  text,
  unmountFloor,
} from './floor-support.ts';

// The failed-ops inbox's payment tasks in Chromium: a card payment stored during an outage and
// declined later is a manager's to follow up; the local view's payments set by hand, the
// manager's note landing in a list as the page's outbox would take it.

const names = new Map([...STAFF, ['table-7', 'Table 7']]);

async function mount(role: 'manager' | 'server' = 'manager') {
  const { sent, submit } = recorder(() => 'pending');
  const el = document.createElement('hearth-failed-ops');
  el.entries = [];
  el.names = names;
  el.now = NOW;
  el.staffRole = role;
  el.submit = submit;
  el.tasks = { payments: [declinedLater, cash], orders, locale: 'en-GB' };
  floorFrame().append(el);
  await el.updateComplete;
  return { el, sent };
}

const $ = <T extends Element = HTMLElement>(el: FailedOpsInbox, selector: string): T => {
  const found = el.shadowRoot?.querySelector<T>(selector);
  if (!found) throw new Error(`no ${selector}`);
  return found;
};

afterEach(unmountFloor);

describe('<hearth-failed-ops>: payment tasks', () => {
  it('a manager sees the check, the decline in words and what to do', async () => {
    const { el } = await mount();
    expect(text($(el, '[data-task-count]'))).to.equal('1 payment to follow up');
    const card = $(el, `[data-task="${DECLINED_ID}"]`);
    expect(text(card.querySelector('.what'))).to.equal(
      'Table 7: card payment declined after the outage',
    );
    expect(text(card)).to.contain(
      '€25.00 + €3.00 tip · Mastercard ·· 5454 · €25.00 due on the check',
    );
    expect(text(card)).to.contain('5 h ago').and.contain('by Sam');
    expect(text(card.querySelector('.reason'))).to.equal(
      'Declined: the card has insufficient funds.',
    );
    expect(text(card.querySelector('.action'))).to.equal(
      'The guest’s card was declined after the outage: contact the guest or record the loss; the check is open again with the balance due.',
    );
    // The failed ops below still say there is nothing to fix.
    expect(text($(el, '[data-count]'))).to.equal('Nothing to fix');
    targetsFit(el);
    await clean(el);
  });

  it('Open the check fires hearth-open-table with the table (bubbling, composed)', async () => {
    const { el } = await mount();
    const heard: string[] = [];
    const listen = (e: Event) => heard.push((e as CustomEvent<string>).detail);
    document.body.addEventListener('hearth-open-table', listen);
    try {
      $(el, '[data-action="open-check"]').click();
      expect(heard).to.deep.equal(['table-7']);
    } finally {
      document.body.removeEventListener('hearth-open-table', listen);
    }
  });

  it('Mark handled asks for a note, then sends payment.resolveTask, said to go when online', async () => {
    const { el, sent } = await mount();
    $(el, '[data-action="mark-handled"]').click();
    await settle(el);
    const note = $<HTMLTextAreaElement>(el, `#task-${DECLINED_ID}-note`);
    expect(el.shadowRoot?.activeElement).to.equal(note);
    await clean(el);
    targetsFit(el);
    $(el, '[data-action="save-handled"]').click();
    await settle(el);
    expect(text($(el, '[role="alert"]'))).to.contain('Say what was done');
    expect(sent).to.have.length(0);
    note.value = 'Guest came back and paid cash';
    note.dispatchEvent(new Event('input'));
    $(el, '[data-action="save-handled"]').click();
    await settle(el);
    expect(sent.map((s) => [s.type, s.payload])).to.deep.equal([
      ['payment.resolveTask', { paymentId: DECLINED_ID, note: 'Guest came back and paid cash' }],
    ]);
    expect(text($(el, '[data-sync]'))).to.not.equal('');
    expect(text(el.shadowRoot?.querySelector('[role="status"]'))).to.contain(
      'it will be sent when online',
    );
    expect(el.shadowRoot?.activeElement?.getAttribute('data-action')).to.equal('open-check');
    // The local view then shows the task handled: it leaves the list, the focus to the heading.
    el.tasks = { payments: [{ ...declinedLater, task: 'handled' }], orders, locale: 'en-GB' };
    await el.updateComplete;
    expect(el.shadowRoot?.querySelector('[data-tasks]')).to.equal(null);
    expect(el.shadowRoot?.activeElement?.localName).to.equal('h2');
  });

  it('Escape puts the note away and gives the focus back to Mark handled', async () => {
    const { el, sent } = await mount();
    $(el, '[data-action="mark-handled"]').click();
    await settle(el);
    const note = $<HTMLTextAreaElement>(el, `#task-${DECLINED_ID}-note`);
    note.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }),
    );
    await settle(el);
    expect(Boolean(el.shadowRoot?.querySelector('[data-handle-form]'))).to.equal(false);
    expect(el.shadowRoot?.activeElement?.getAttribute('data-action')).to.equal('mark-handled');
    expect(sent).to.have.length(0);
  });

  it('a server sees a read-only line, with no buttons', async () => {
    const { el } = await mount('server');
    const line = $(el, `[data-task="${DECLINED_ID}"]`);
    expect(text(line)).to.equal(
      'Table 7: a card payment of €25.00 + €3.00 tip was declined after the outage. A manager follows it up.',
    );
    expect(line.querySelector('button')).to.equal(null);
    await clean(el);
  });
});
