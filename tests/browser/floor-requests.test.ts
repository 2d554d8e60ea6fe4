import { expect } from '@esm-bundle/chai';
import '../../web/floor/service-requests.ts';
import type { ServiceRequests } from '../../web/floor/service-requests.ts';
import type { ApprovalOrder, FloorRequest } from '../../web/floor/service-requests-state.ts';
import {
  clean,
  floorFrame,
  HandTime,
  recorder,
  settle,
  targetsFit,
  text,
  unmountFloor,
} from './floor-support.ts';

// `<hearth-service-requests>` in Chromium as the floor page would mount it: requests and
// orders set by hand as the local view would bring them, ops landing in a list, time by hand.

const T0 = Date.parse('2026-11-23T20:00:00.000Z');
const MIN = 60_000;
const at = (ms: number) => new Date(ms).toISOString();

const request = (over: Partial<FloorRequest> = {}): FloorRequest => ({
  id: 'r1',
  tableId: 't4',
  kind: 'call_waiter',
  status: 'open',
  createdAt: at(T0),
  acknowledgedBy: null,
  ...over,
});

const guestOrder = (over: Partial<ApprovalOrder> = {}): ApprovalOrder => ({
  id: 'o1',
  tableId: 't12',
  status: 'open',
  source: 'guest',
  createdAt: at(T0),
  lines: [
    { id: 'l1', name: 'Burger', quantity: 1, modifiers: [], sentAt: null },
    { id: 'l2', name: 'Chips', quantity: 2, modifiers: [], note: 'crispy', sentAt: null },
  ],
  ...over,
});

async function mount(options: { role?: 'server' | 'kitchen'; status?: 'pending' | 'synced' } = {}) {
  const time = new HandTime(T0 + 4 * MIN);
  const { sent, submit } = recorder(() => options.status ?? 'synced');
  const el = document.createElement('hearth-service-requests');
  el.tables = [
    { id: 't4', label: '4' },
    { id: 't12', label: '12' },
  ];
  el.requests = [
    request({ id: 'r-bill', kind: 'bill', tableId: 't12', createdAt: at(T0 + 3 * MIN) }),
    request({ note: 'high chair, please' }),
  ];
  el.orders = [guestOrder()];
  el.settings = { guestOrdering: { approval: true } };
  el.staffRole = options.role ?? 'server';
  el.clock = time.clock;
  el.timers = time.timers;
  el.submit = submit;
  floorFrame().append(el);
  await el.updateComplete;
  return { el, time, sent };
}

const rows = (el: ServiceRequests) => [
  ...(el.shadowRoot?.querySelectorAll<HTMLElement>('[data-request]') ?? []),
];
const row = (el: ServiceRequests, id: string) => {
  const found = el.shadowRoot?.querySelector<HTMLElement>(`[data-request="${id}"]`);
  if (!found) throw new Error(`no request ${id}`);
  return found;
};
const press = (root: Element, action: string) => {
  const button = root.querySelector<HTMLButtonElement>(`[data-action="${action}"]`);
  if (!button) throw new Error(`no ${action} button`);
  button.click();
  return button;
};
const live = (el: ServiceRequests) => text(el.shadowRoot?.querySelector('[role="status"]'));

afterEach(unmountFloor);

describe('<hearth-service-requests>', () => {
  it('lists calls oldest first with table, kind, note and age; an old call stands out in words', async () => {
    const { el, time } = await mount();
    expect(rows(el).map((r) => r.dataset.request)).to.deep.equal(['r1', 'r-bill']);
    const first = text(row(el, 'r1'));
    expect(first).to.contain('Table 4');
    expect(first).to.contain('Waiter called');
    expect(first).to.contain('Waiting long');
    expect(first).to.contain('4 min');
    expect(first).to.contain('Note: high chair, please');
    const second = text(row(el, 'r-bill'));
    expect(second).to.contain('Table 12 · Bill requested');
    expect(second).to.contain('1 min');
    expect(second).not.to.contain('Waiting long');
    targetsFit(el);
    await clean(el);

    // Time moves on: the bill request crosses 3 minutes and says so.
    time.advance(3 * MIN);
    await settle(el);
    expect(text(row(el, 'r-bill'))).to.contain('4 min');
    expect(text(row(el, 'r-bill'))).to.contain('Waiting long');
  });

  it('On the way, then Done: one op each, said aloud, the focus kept in the card', async () => {
    const { el, sent } = await mount();
    const card = row(el, 'r1');
    press(card, 'acknowledge');
    await settle(el);
    expect(sent.map(({ type, payload }) => ({ type, payload }))).to.deep.equal([
      { type: 'serviceRequest.transition', payload: { requestId: 'r1', action: 'acknowledge' } },
    ]);
    expect(live(el)).to.equal('Table 4: waiter called — marked on the way');

    // The local view brings the acknowledged request: no second "On the way", Done has the focus.
    el.requests = [request({ status: 'acknowledged', acknowledgedBy: 'Sam' })];
    await settle(el);
    expect(row(el, 'r1').querySelector('[data-action="acknowledge"]')).to.equal(null);
    expect(text(row(el, 'r1'))).to.contain('On the way (Sam)');
    expect(el.shadowRoot?.activeElement?.getAttribute('data-action')).to.equal('complete');
    await clean(el);

    press(row(el, 'r1'), 'complete');
    await settle(el);
    expect(sent[1]?.payload).to.deep.equal({ requestId: 'r1', action: 'complete' });
    expect(live(el)).to.equal('Table 4: waiter called — marked done');
  });

  it('offline: the op says it is not sent yet beside the call, until the page’s ops say synced', async () => {
    const { el } = await mount({ status: 'pending' });
    press(row(el, 'r1'), 'acknowledge');
    await settle(el);
    expect(text(row(el, 'r1').querySelector('.sync'))).to.equal('not sent yet');
    await clean(el);
    el.ops = [{ opId: 'op-1', status: 'synced' }];
    await settle(el);
    expect(row(el, 'r1').querySelector('.sync')).to.equal(null);
  });

  it('guest orders waiting for approval: the lines, Approve sends, Reject removes one line', async () => {
    const { el, sent } = await mount();
    const card = el.shadowRoot?.querySelector<HTMLElement>('[data-order="o1"]');
    if (!card) throw new Error('no approval card');
    expect(text(card)).to.contain('Table 12 · guest order');
    expect(text(card)).to.contain('1 × Burger');
    expect(text(card)).to.contain('2 × Chips (“crispy”)');
    // What Reject does is said, since the op carries no reason.
    expect(text(el.shadowRoot?.querySelector('#reject-explained'))).to.contain(
      'the guest’s phone shows it removed by staff',
    );

    const chips = card.querySelector<HTMLElement>('[data-line="l2"]');
    if (!chips) throw new Error('no chips line');
    press(chips, 'reject');
    await settle(el);
    expect(sent[0]).to.deep.include({
      type: 'order.removeLine',
      payload: { orderId: 'o1', lineId: 'l2' },
    });
    expect(live(el)).to.equal('Table 12: 2 × Chips removed from the guest’s order');

    press(card, 'approve');
    await settle(el);
    expect(sent[1]).to.deep.include({ type: 'order.sendToKitchen', payload: { orderId: 'o1' } });
    expect(live(el)).to.equal('Table 12: 2 dishes sent to the kitchen');
    targetsFit(el);
    await clean(el);

    // Sent: the order leaves the list.
    el.orders = [
      guestOrder({
        status: 'sent',
        lines: [{ id: 'l1', name: 'Burger', quantity: 1, modifiers: [], sentAt: at(T0 + 5 * MIN) }],
      }),
    ];
    await settle(el);
    expect(el.shadowRoot?.querySelector('[data-order]')).to.equal(null);
    expect(text(el.shadowRoot?.querySelector('#approvals-heading'))).to.contain('(0)');
  });

  it('announces new calls as they arrive, not the ones already shown', async () => {
    const { el } = await mount();
    expect(live(el)).to.equal('');
    el.requests = [
      ...el.requests,
      request({ id: 'r-new', kind: 'water', createdAt: at(T0 + 4 * MIN) }),
    ];
    await settle(el);
    expect(live(el)).to.equal('Table 4: water requested.');
  });

  it('a kitchen role sees the calls but no buttons', async () => {
    const { el } = await mount({ role: 'kitchen' });
    expect(rows(el).length).to.equal(2);
    expect(el.shadowRoot?.querySelectorAll('button').length).to.equal(0);
    expect(text(el.shadowRoot)).to.contain('Only floor staff and managers answer calls.');
    await clean(el);
  });

  it('keyboard: Tab reaches each button in reading order', async () => {
    const { el } = await mount();
    const buttons = [...(el.shadowRoot?.querySelectorAll('button') ?? [])];
    expect(buttons.every((b) => b.localName === 'button' && b.getAttribute('type') === 'button')).to
      .be.true;
    expect(buttons.map((b) => b.dataset.action)).to.deep.equal([
      'acknowledge',
      'complete',
      'acknowledge',
      'complete',
      'reject',
      'reject',
      'approve',
    ]);
    expect(buttons.every((b) => b.tabIndex === 0)).to.be.true;
  });
});
