import { expect } from '@esm-bundle/chai';
import '../../web/floor/failed-ops-inbox.ts';
import type { OutboxEntry } from '../../web/device/outbox-types.ts';
import type { FailedOpsInbox } from '../../web/floor/failed-ops-inbox.ts';
import { ACTOR, CHIPS, entry, MIN, ORDER, rejected, T0 } from '../web/resilience-fixtures.ts';
import { clean, floorFrame, targetsFit, text, unmountFloor } from './floor-support.ts';

// `<hearth-failed-ops>` in Chromium: the device's outbox entries set by hand, the page's answer
// to Retry and Discard (the entries without the op) set back the same way.

const names = new Map([
  [ACTOR, 'Sam'],
  [ORDER, 'Table 5'],
  [CHIPS, 'Chips'],
]);

function entries(): OutboxEntry[] {
  const soldOut = entry('order.addLines', {
    orderId: ORDER,
    lines: [{ lineId: 'l1' }, { lineId: 'l2' }],
  });
  const network = entry(
    'menu.item.setAvailability',
    { itemId: CHIPS, available: false },
    {
      lastError: { code: 'RETRIES_EXHAUSTED', message: 'gave up after 10 tries' },
      createdAt: T0 - 5 * MIN,
    },
  );
  const synced = entry('order.sendToKitchen', { orderId: ORDER }, { status: 'synced' });
  return [
    network,
    { ...soldOut, result: rejected(soldOut.opId, 'ITEM_UNAVAILABLE', 'Chips is sold out') },
    synced,
  ];
}

async function mount(list: OutboxEntry[] = entries()) {
  const el = document.createElement('hearth-failed-ops');
  el.entries = list;
  el.names = names;
  el.now = T0;
  floorFrame().append(el);
  await el.updateComplete;
  return el;
}

const cards = (el: FailedOpsInbox) => [
  ...(el.shadowRoot?.querySelectorAll<HTMLElement>('[data-op]') ?? []),
];
const button = (card: HTMLElement | undefined, action: 'retry' | 'discard') =>
  card?.querySelector<HTMLButtonElement>(`[data-action="${action}"]`) ?? null;

afterEach(unmountFloor);

describe('<hearth-failed-ops>', () => {
  it('only failed ops, oldest first: what, when, who, the reason in words and what to do', async () => {
    const el = await mount();
    const [first, second] = cards(el);
    expect(cards(el)).to.have.length(2);
    expect(text(el.shadowRoot?.querySelector('[data-count]'))).to.equal('2 changes to fix');
    expect(text(first?.querySelector('.what'))).to.equal('Table 5: add 2 lines');
    expect(text(first)).to.contain('15 min ago').and.contain('by Sam');
    expect(text(first?.querySelector('.reason'))).to.equal(
      'The dish was marked sold out after it was ordered.',
    );
    expect(text(first?.querySelector('.action'))).to.equal(
      'Tell the guest and offer something else.',
    );
    expect(text(first)).to.contain('The server said: “Chips is sold out”');
    expect(text(second?.querySelector('.what'))).to.equal('Mark Chips sold out');
    expect(text(second?.querySelector('.action'))).to.equal('Check the connection, then retry.');
  });

  it('Retry only where sending again can help; a rejection offers Discard alone', async () => {
    const el = await mount();
    const [soldOut, network] = cards(el);
    expect(button(soldOut, 'retry')).to.equal(null);
    expect(button(soldOut, 'discard')).to.exist;
    expect(button(network, 'retry')).to.exist;
    expect(button(network, 'retry')?.getAttribute('aria-label')).to.equal(
      'Retry: Mark Chips sold out',
    );
  });

  it('Retry and Discard fire their events with the opId (bubbling, composed); the focus moves on', async () => {
    const list = entries();
    const el = await mount(list);
    const heard: [string, string][] = [];
    const listen = (e: Event) => heard.push([e.type, (e as CustomEvent<string>).detail]);
    document.body.addEventListener('hearth-retry', listen);
    document.body.addEventListener('hearth-discard', listen);
    try {
      const [soldOut, network] = cards(el);
      button(network, 'retry')?.click();
      const discard = button(soldOut, 'discard');
      discard?.focus();
      discard?.click();
      expect(heard).to.deep.equal([
        ['hearth-retry', list[0]?.opId],
        ['hearth-discard', list[1]?.opId],
      ]);
      // The page discarded it: the entries come back without it.
      el.entries = list.filter((e) => e.opId !== list[1]?.opId);
      await el.updateComplete;
      expect(cards(el)).to.have.length(1);
      expect(el.shadowRoot?.activeElement?.getAttribute('data-action')).to.equal('retry');
      expect(text(el.shadowRoot?.querySelector('[role="status"]'))).to.contain(
        'Table 5: add 2 lines: discarded',
      );
    } finally {
      document.body.removeEventListener('hearth-retry', listen);
      document.body.removeEventListener('hearth-discard', listen);
    }
  });

  it('the last one gone: says there is nothing to fix, and the focus goes to the heading', async () => {
    const list = entries().slice(1, 2);
    const el = await mount(list);
    button(cards(el)[0], 'discard')?.click();
    el.entries = [];
    await el.updateComplete;
    expect(text(el.shadowRoot?.querySelector('[data-count]'))).to.equal('Nothing to fix');
    expect(text(el.shadowRoot?.querySelector('[data-empty]'))).to.contain('nothing to fix');
    expect(el.shadowRoot?.activeElement?.localName).to.equal('h2');
  });

  it('an op too old to send again is discard-only, with what to check', async () => {
    const old = entry(
      'order.close',
      { orderId: ORDER, payment: { method: 'cash', tendered: 5000 } },
      { lastError: { code: 'TOO_OLD', message: 'not delivered within 6 days; never sent again' } },
    );
    const el = await mount([old]);
    const [card] = cards(el);
    expect(button(card, 'retry')).to.equal(null);
    expect(text(card?.querySelector('.what'))).to.equal('Table 5: take payment (cash) and close');
    expect(text(card?.querySelector('.action'))).to.equal(
      'Check whether it happened; make it again if not.',
    );
  });

  it('no serious axe finding, 44 px targets, with and without failures', async () => {
    const el = await mount();
    targetsFit(el);
    await clean(el);
    el.entries = [];
    await el.updateComplete;
    await clean(el);
  });
});
