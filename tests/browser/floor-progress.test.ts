import { expect } from '@esm-bundle/chai';
import '../../web/floor/kitchen-progress.ts';
import type { KitchenProgress } from '../../web/floor/kitchen-progress.ts';
import type { ProgressTicket } from '../../web/floor/kitchen-progress-state.ts';
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

// `<hearth-kitchen-progress>` in Chromium: tickets set by hand as the feed would bring them,
// assignments landing in a list, time by hand.

const T0 = Date.parse('2026-11-23T20:00:00.000Z');
const MIN = 60_000;
const at = (ms: number) => new Date(ms).toISOString();

const ticket = (over: Partial<ProgressTicket> = {}): ProgressTicket => ({
  id: 'k1',
  orderId: 'o1',
  tableId: 't4',
  tableLabel: '4',
  station: 'grill',
  status: 'in_progress',
  assigneeId: null,
  firedAt: at(T0),
  readyAt: null,
  bumpedAt: null,
  lines: [
    { lineId: 'a', readyAt: at(T0 + MIN) },
    { lineId: 'b', readyAt: null },
  ],
  ...over,
});

async function mount(role: 'kitchen' | 'server' | 'manager' = 'kitchen') {
  const time = new HandTime(T0 + 6 * MIN);
  const { sent, submit } = recorder(() => 'pending');
  const el = document.createElement('hearth-kitchen-progress');
  el.orderId = 'o1';
  el.tickets = [ticket(), ticket({ id: 'k2', station: 'cold', status: 'ready' })];
  el.members = [
    { id: 'm-ana', name: 'Ana', role: 'kitchen', active: true },
    { id: 'm-ben', name: 'Ben', role: 'kitchen', active: true },
    { id: 'm-old', name: 'Olli', role: 'kitchen', active: false },
    { id: 'm-sam', name: 'Sam', role: 'server', active: true },
  ];
  el.stations = [
    { id: 'grill', name: 'Grill' },
    { id: 'cold', name: 'Cold starters' },
  ];
  el.staffRole = role;
  el.clock = time.clock;
  el.timers = time.timers;
  el.submit = submit;
  floorFrame().append(el);
  await el.updateComplete;
  return { el, time, sent };
}

const card = (el: KitchenProgress, id: string) => {
  const found = el.shadowRoot?.querySelector<HTMLElement>(`[data-ticket="${id}"]`);
  if (!found) throw new Error(`no ticket ${id}`);
  return found;
};
const live = (el: KitchenProgress) => text(el.shadowRoot?.querySelector('[role="status"]'));

afterEach(unmountFloor);

describe('<hearth-kitchen-progress>', () => {
  it('each ticket: station, status in words, minutes since fired, lines done; the clock moves', async () => {
    const { el, time } = await mount();
    expect(text(el.shadowRoot?.querySelector('h3'))).to.equal('Table 4');
    const grill = text(card(el, 'k1'));
    expect(grill).to.contain('Grill · Cooking');
    expect(grill).to.contain('6 min since fired');
    expect(grill).to.contain('1 of 2 done');
    expect(text(card(el, 'k2'))).to.contain('Cold starters · Ready to serve');
    expect(text(card(el, 'k2'))).to.contain('2 of 2 done');
    targetsFit(el);
    await clean(el);

    time.advance(2 * MIN);
    await settle(el);
    expect(text(card(el, 'k1'))).to.contain('8 min since fired');
  });

  it('assigns a ticket to an active cook from a labelled select, said aloud, with its sync state', async () => {
    const { el, sent } = await mount();
    const select = card(el, 'k1').querySelector('select');
    if (!select) throw new Error('no select');
    expect(select.labels?.[0]?.textContent?.trim()).to.equal('Cook');
    expect([...select.options].map((o) => o.textContent?.trim())).to.deep.equal([
      'Nobody',
      'Ana',
      'Ben',
    ]);
    select.focus();
    select.value = 'm-ben';
    select.dispatchEvent(new Event('change'));
    await settle(el);
    expect(sent.map(({ type, payload }) => ({ type, payload }))).to.deep.equal([
      { type: 'ticket.assign', payload: { ticketId: 'k1', assigneeId: 'm-ben' } },
    ]);
    expect(live(el)).to.equal('Table 4, Grill assigned to Ben');
    expect(text(card(el, 'k1').querySelector('.sync'))).to.equal('not sent yet');
    expect(el.shadowRoot?.activeElement).to.equal(select);
    // The choice stays shown while the local copy catches up.
    expect(select.value).to.equal('m-ben');
    await clean(el);

    // The feed brings the assignment; the op synced.
    el.tickets = [ticket({ assigneeId: 'm-ben' }), ticket({ id: 'k2', station: 'cold' })];
    el.ops = [{ opId: 'op-1', status: 'synced' }];
    await settle(el);
    const again = card(el, 'k1').querySelector('select');
    expect(again?.value).to.equal('m-ben');
    expect(card(el, 'k1').querySelector('.sync')).to.equal(null);

    // Back to nobody.
    if (!again) throw new Error('no select');
    again.value = '';
    again.dispatchEvent(new Event('change'));
    await settle(el);
    expect(sent[1]?.payload).to.deep.equal({ ticketId: 'k1', assigneeId: null });
    expect(live(el)).to.equal('Table 4, Grill now with nobody');
  });

  it('a refused assignment puts the select back and says why', async () => {
    const { el } = await mount();
    const select = card(el, 'k1').querySelector('select');
    if (!select) throw new Error('no select');
    select.value = 'm-ana';
    select.dispatchEvent(new Event('change'));
    await settle(el);
    el.ops = [{ opId: 'op-1', status: 'failed', detail: 'no such member' }];
    await settle(el);
    expect(select.value).to.equal('');
    expect(text(card(el, 'k1').querySelector('.sync'))).to.equal('failed: no such member');
    await clean(el);
  });

  it('a server sees who cooks, with no select (ticket.assign is the kitchen’s and managers’)', async () => {
    const { el } = await mount('server');
    el.tickets = [ticket({ assigneeId: 'm-ana' })];
    await settle(el);
    expect(el.shadowRoot?.querySelector('select')).to.equal(null);
    expect(text(card(el, 'k1'))).to.contain('Cook: Ana');
    await clean(el);
  });

  it('a section: every open order at its tables, each under its table', async () => {
    const { el } = await mount('manager');
    el.orderId = undefined;
    el.section = { id: 's1', name: 'Terrace', tableIds: ['t4', 't5'] };
    el.orders = [
      { id: 'o1', tableId: 't4', status: 'sent' },
      { id: 'o2', tableId: 't5', status: 'sent' },
    ];
    el.tickets = [
      ticket(),
      ticket({ id: 'k5', orderId: 'o2', tableId: 't5', tableLabel: '5', status: 'queued' }),
    ];
    await settle(el);
    expect(text(el.shadowRoot?.querySelector('h2'))).to.equal('Kitchen — Terrace');
    expect([...(el.shadowRoot?.querySelectorAll('h3') ?? [])].map((h) => text(h))).to.deep.equal([
      'Table 4',
      'Table 5',
    ]);
    expect(text(card(el, 'k5'))).to.contain('Waiting to start');
    targetsFit(el);
    await clean(el);
  });
});
