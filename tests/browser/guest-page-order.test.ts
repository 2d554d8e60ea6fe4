import { expect } from '@esm-bundle/chai';
import type { Operation } from '#protocol';
import { waitFor } from '../support/wait-for.ts';
import { menuEntities, order, settings, ticket } from '../web/guest-fixtures.ts';
import {
  addItem,
  announced,
  basketLines,
  deep,
  deepAll,
  json,
  maybe,
  mount,
  outboxChanged,
  placeButton,
  setEntities,
  setOnline,
  settle,
  text,
  unmountAll,
  type World,
  world,
} from './guest-page-support.ts';

// Placing the order in Chromium: one order.create through the outbox; offline it waits there
// and the page says so, then it goes when the phone is back; a refusal brings the lines back
// with what to do; the table's tab then shows each dish's stage, live.

afterEach(unmountAll);

const placed = (page: HTMLElement): Element | null =>
  maybe(page, 'hearth-guest-status')?.shadowRoot?.querySelector('.placed') ?? null;
const placedWords = (page: HTMLElement) => text(placed(page)?.querySelector('.state') ?? undefined);
const stageOf = (page: HTMLElement, lineId: string) =>
  text(deep(deep(page, 'hearth-guest-status'), `[data-line="${lineId}"] .stage`));

/** The lines the order.create the page sent asked for. */
const linesOf = (op: Operation | undefined) =>
  (op?.payload as { lines: { lineId: string; itemId: string }[] } | undefined)?.lines ?? [];

/** The feed brings the table's order with `op`'s lines, sent, and a ticket at `status`. */
function feedBrings(w: World, op: Operation | undefined, status: 'queued' | 'ready' | 'bumped') {
  const lines = linesOf(op).map((l) => ({
    id: l.lineId,
    itemId: l.itemId,
    name: 'Chips',
    sent: true,
  }));
  setEntities(w, {
    ...w.entities,
    order: [order('o-tab', lines)],
    ticket: [
      ticket(
        't-1',
        'o-tab',
        lines.map((l) => ({ lineId: l.id, name: l.name })),
        { status },
      ),
    ],
  });
}

describe('<hearth-guest-page>: placing the order', () => {
  it('offline: kept and marked not sent, sent when back online, then followed in the kitchen', async () => {
    const w = world();
    const page = await mount(w);
    await addItem(page, 'chips');
    setOnline(w, false);
    await settle(page);
    expect(text(placeButton(page))).to.equal('Place order · €4.50');
    placeButton(page).click();
    await waitFor('the placed order', () => placed(page) !== null);

    expect(w.ops).to.have.length(1);
    const [op] = w.ops;
    expect(op).to.deep.include({
      type: 'order.create',
      venueId: 'demo-bistro',
      actorId: 'session-1',
    });
    expect(op?.payload).to.deep.include({ tableId: 'table-5', guestCount: 0 });
    expect(linesOf(op).map((l) => l.itemId)).to.deep.equal(['chips']);
    await waitFor(
      'not sent yet',
      () => placedWords(page) === 'Not sent yet — will send when you’re back online',
    );
    expect(announced(page)).to.equal('Order saved — will send when you’re back online');
    expect(basketLines(page)).to.have.length(0);
    expect(text(placed(page)?.querySelector('li') ?? undefined)).to.equal('1 × Chips');
    // The table's order comes into view, with the keyboard on it.
    expect(deep(page, 'hearth-guest-status').shadowRoot?.activeElement?.id).to.equal(
      'status-title',
    );

    // Back online: the worker sends it, the outbox says synced.
    setOnline(w, true);
    w.outbox.set(op?.opId ?? '', { status: 'synced' });
    outboxChanged(w);
    await waitFor('sent', () => placedWords(page) === 'Sent — the restaurant has your order');
    expect(announced(page)).to.equal('Order sent');

    // The feed brings the tab: the placed order gives way to its dish's stage.
    feedBrings(w, op, 'queued');
    const lineId = linesOf(op)[0]?.lineId ?? '';
    await waitFor(
      'the tab without a placed order',
      () => placed(page) === null && maybe(page, 'hearth-guest-status') !== undefined,
    );
    expect(stageOf(page, lineId)).to.equal('In the kitchen');
    feedBrings(w, op, 'ready');
    await waitFor('the line ready', () => stageOf(page, lineId) === 'Ready');
    expect(announced(page)).to.equal('1 × Chips: Ready');
    feedBrings(w, op, 'bumped');
    await waitFor('the line served', () => stageOf(page, lineId) === 'Served');
  });

  it('refused (sold out meanwhile): the lines come back to the basket with what to do', async () => {
    const w = world();
    const page = await mount(w);
    await addItem(page, 'chips');
    await addItem(page, 'risotto');
    placeButton(page).click();
    await waitFor(
      'one op, the basket emptied',
      () => w.ops.length === 1 && basketLines(page).length === 0,
    );
    const opId = w.ops[0]?.opId ?? '';

    w.outbox.set(opId, {
      status: 'failed',
      final: true,
      code: 'ITEM_UNAVAILABLE',
      detail: 'Chips is sold out',
    });
    setEntities(w, menuEntities({ soldOut: ['chips'] }));
    outboxChanged(w);
    await waitFor('the lines back in the basket', () => basketLines(page).length === 2);
    const notice = 'Chips sold out while you were ordering — remove it and send again';
    expect(text(deep(deep(page, 'hearth-guest-basket'), '.notice p'))).to.equal(notice);
    expect(announced(page)).to.equal(notice);
    expect(text(basketLines(page)[0]?.querySelector('.problem') ?? undefined)).to.equal(
      'Sold out — remove it to order',
    );
    expect(placeButton(page).disabled).to.equal(true);
    expect(placed(page)).to.equal(null);

    deep<HTMLButtonElement>(page, 'button[aria-label="Remove Chips"]').click();
    await settle(page);
    expect(placeButton(page).disabled).to.equal(false);
    expect(text(placeButton(page))).to.equal('Place order · €18.50');
  });

  it('with no service worker yet, offline: not sent, and sent again by itself when back online', async () => {
    const w = world({ controlled: false });
    const page = await mount(w);
    await addItem(page, 'chips');
    setOnline(w, false);
    placeButton(page).click();
    await waitFor(
      'not sent, will try again',
      () => placedWords(page) === 'Not sent — will try again when you’re back online',
    );
    expect(w.ops).to.have.length(1);

    w.opAnswer = (op) => json(201, { opId: op.opId, status: 'applied' });
    setOnline(w, true);
    await waitFor('the resend', () => placedWords(page) === 'Sent — the restaurant has your order');
    expect(w.ops.map((op) => op.opId)).to.deep.equal([w.ops[0]?.opId, w.ops[0]?.opId]);
  });

  it('with staff approval on, the table’s dishes wait for staff to confirm; other phones’ too', async () => {
    const w = world({
      entities: {
        ...menuEntities({
          settings: settings({
            guestOrdering: { approval: true, lineNotes: true, callCooldownSec: 60 },
          }),
        }),
        order: [
          order('o-tab', [
            { id: 'l-mine', itemId: 'chips', name: 'Chips' },
            { id: 'l-theirs', itemId: 'burger', name: 'Bistro burger', quantity: 2 },
          ]),
        ],
      },
    });
    const page = await mount(w);
    await waitFor('the tab', () => maybe(page, 'hearth-guest-status') !== undefined);
    const status = deep(page, 'hearth-guest-status');
    expect(deepAll(status, 'li').map((li) => text(li))).to.deep.equal([
      '1 × Chips Waiting for staff to confirm',
      '2 × Bistro burger Waiting for staff to confirm',
    ]);
    expect(text(deep(status, '.total'))).to.equal('Total so far €30.00');
  });
});
