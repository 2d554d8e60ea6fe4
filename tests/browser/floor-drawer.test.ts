import { expect } from '@esm-bundle/chai';
import type { Drawer, PaymentRecord } from '#protocol';
import '../../web/floor/drawer-view.ts';
import type { DrawerView } from '../../web/floor/drawer-view.ts';
import type { Marked, PayContext } from '../../web/floor/pay-context.ts';
import { settings } from '../web/guest-fixtures.ts';
import { DEVICE, drawer, payment, synced } from '../web/pay-fixtures.ts';
import {
  clean,
  floorFrame,
  recorder,
  settle,
  targetsFit,
  text,
  unmountFloor,
} from './floor-support.ts';

// `<hearth-drawer-view>` in Chromium: this tablet's cash drawer from the local view's drawers
// and payments; open, payout and close as ops through the page's submit (recorded here).

function contextOf(drawers: Marked<Drawer>[], payments: Marked<PaymentRecord>[] = []): PayContext {
  return {
    venueId: 'demo-bistro',
    deviceId: DEVICE,
    payments,
    refunds: [],
    drawers,
    fetcher: () => Promise.reject(new Error('no card route here')),
    controlled: () => true,
    keep: () => {},
    forget: () => {},
  };
}

async function mount(context: PayContext) {
  const frame = floorFrame();
  const rec = recorder(() => 'pending');
  const el = document.createElement('hearth-drawer-view');
  el.context = context;
  el.settings = settings();
  el.locale = 'en-GB';
  el.staffRole = 'server';
  el.names = new Map([['member-sam', 'Sam']]);
  el.submit = rec.submit as unknown as DrawerView['submit'];
  frame.append(el);
  await el.updateComplete;
  return { el, sent: rec.sent };
}

const $ = <T extends Element = HTMLElement>(el: DrawerView, selector: string): T => {
  const found = el.shadowRoot?.querySelector<T>(selector);
  if (!found) throw new Error(`no ${selector}`);
  return found;
};

async function click(el: DrawerView, selector: string) {
  $(el, selector).click();
  await settle(el);
}

async function type(el: DrawerView, selector: string, value: string) {
  const input = $<HTMLInputElement>(el, selector);
  input.value = value;
  input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  await settle(el);
}

async function checkState(el: DrawerView) {
  await clean(el);
  targetsFit(el);
}

afterEach(unmountFloor);

describe('<hearth-drawer-view>', () => {
  it('opens the drawer with a float: drawer.open with a new drawerId', async () => {
    const { el, sent } = await mount(
      contextOf([synced(drawer({ id: 'd-other', deviceId: 'device-other' }))]),
    );
    expect(text($(el, '#open-title'))).to.equal('Open the drawer');
    await click(el, '[data-action="drawer-open"]');
    expect(text($(el, '#float-problem'))).to.equal('Type the float');
    expect(sent).to.deep.equal([]);
    await checkState(el);
    await type(el, '#float', '150');
    await click(el, '[data-action="drawer-open"]');
    expect(sent.map((s) => [s.type, s.payload])).to.deep.equal([
      ['drawer.open', { drawerId: 'new-1', float: 15000 }],
    ]);
  });

  it('shows cash sales, payouts and what is expected, provisional while the venue holds them', async () => {
    const open = drawer({
      payouts: [
        {
          id: 'po-1',
          amount: 1500,
          reason: 'Bread delivery',
          by: 'member-sam',
          at: '2026-11-23T19:20:00.000Z',
        },
      ],
    });
    const sale = payment({
      amount: 2000,
      tip: 300,
      drawerId: 'drawer-1',
      cash: { tendered: 3000, change: 700 },
    });
    const { el, sent } = await mount(
      contextOf(
        [{ entity: open, badge: { state: 'delivered_local', opIds: ['op-9'] } }],
        [
          { entity: sale, badge: { state: 'pending', opIds: ['op-10'] } },
          synced(payment({ amount: 999, drawerId: 'drawer-elsewhere' })),
        ],
      ),
    );
    expect(text($(el, '[data-sum="float"]'))).to.equal('€100.00');
    expect(text($(el, '[data-sum="sales"]'))).to.equal('€23.00');
    expect(text($(el, '[data-sum="payouts"]'))).to.equal('−€15.00');
    expect(text($(el, '[data-sum="expected"]'))).to.equal('€108.00');
    expect(text($(el, '[data-drawer] [data-sync]'))).to.equal(
      'Sync: saved in the venue — not in the cloud yet',
    );
    expect(text($(el, `[data-sale="${sale.id}"] [data-sync]`))).to.equal('Sync: not sent yet');
    expect(text($(el, '[data-provisional]'))).to.contain('Provisional until the cloud confirms');
    await checkState(el);
    // A payout needs why.
    await type(el, '#payout-amount', '20');
    await click(el, '[data-action="drawer-payout"]');
    expect(text($(el, '#payout-problem'))).to.equal('Say what the cash was paid out for');
    await type(el, '#payout-reason', 'Window cleaner');
    await click(el, '[data-action="drawer-payout"]');
    expect(sent.map((s) => [s.type, s.payload])).to.deep.equal([
      [
        'drawer.payout',
        { drawerId: 'drawer-1', payoutId: 'new-1', amount: 2000, reason: 'Window cleaner' },
      ],
    ]);
  });

  it('closes with the count: a difference says over or short and needs a reason', async () => {
    const { el, sent } = await mount(contextOf([synced(drawer())]));
    await type(el, '#counted', '98.50');
    expect(text($(el, '#difference'))).to.contain('Short by €1.50');
    expect(text($(el, 'label:has(#close-reason)'))).to.contain('(required)');
    await click(el, '[data-action="drawer-close"]');
    expect(text($(el, '#close-problem'))).to.equal('The drawer is short: say why before closing');
    expect(sent).to.deep.equal([]);
    await checkState(el);
    await type(el, '#close-reason', 'Change given wrong');
    await click(el, '[data-action="drawer-close"]');
    await type(el, '#counted', '100');
    expect(text($(el, '#difference'))).to.contain('Matches what is expected');
    await type(el, '#close-reason', '');
    await click(el, '[data-action="drawer-close"]');
    expect(sent.map((s) => [s.type, s.payload])).to.deep.equal([
      ['drawer.close', { drawerId: 'drawer-1', counted: 9850, reason: 'Change given wrong' }],
      ['drawer.close', { drawerId: 'drawer-1', counted: 10000 }],
    ]);
  });

  it('shows the last closed drawer with its difference, provisional until synced', async () => {
    const closed = drawer({
      status: 'closed',
      closedBy: 'member-sam',
      closedAt: '2026-11-23T23:00:00.000Z',
      counted: 10200,
      expected: 10000,
      difference: 200,
      reason: 'Tip left in the drawer',
    });
    const { el } = await mount(
      contextOf([{ entity: closed, badge: { state: 'pending', opIds: ['op-1'] } }]),
    );
    expect(text($(el, '[data-sum="difference"]'))).to.equal('Over by €2.00');
    expect(text($(el, '[data-closed-drawer] [data-provisional]'))).to.contain('Provisional');
    expect(text($(el, '#open-title'))).to.equal('Open the drawer');
    await checkState(el);
  });
});
