import { expect } from '@esm-bundle/chai';
import type { OperationType, Order, Ticket } from '#protocol';
import type { TrackedOp } from '../../web/app/op-controller.ts';
import '../../web/floor/order-pad.ts';
import type { OrderPad } from '../../web/floor/order-pad.ts';
import type { PayContext } from '../../web/floor/pay-context.ts';
import { waitFor } from '../support/wait-for.ts';
import { categories, items, modifiers, order, settings, ticket } from '../web/guest-fixtures.ts';
import { serious, text } from './guest-support.ts';

// `<hearth-order-pad>` in real Chromium as the floor page will mount it: its ops land in a list
// (the page's OpController.submit in production), the order and tickets are set by hand as the
// local view would bring them, on a phone (390 px) or a tablet (1280 px).

interface Sent {
  readonly label: string;
  readonly type: OperationType;
  readonly payload: Record<string, unknown>;
}

const frames: HTMLElement[] = [];

async function mount(
  options: {
    width?: number;
    order?: Order;
    tickets?: Ticket[];
    role?: 'server' | 'manager';
    payContext?: PayContext;
  } = {},
) {
  const frame = document.createElement('main');
  frame.setAttribute('style', `width:${options.width ?? 390}px;margin:0;padding:0`);
  document.body.append(frame);
  frames.push(frame);
  const sent: Sent[] = [];
  const tracked: TrackedOp[] = [];
  const el = document.createElement('hearth-order-pad');
  el.tableId = 'table-5';
  el.tableLabel = '5';
  el.covers = 4;
  el.items = items(['soup']);
  el.categories = categories;
  el.modifiers = modifiers();
  el.settings = settings({ cashRoundingIncrement: 5 });
  el.locale = 'en-GB';
  el.order = options.order;
  el.tickets = options.tickets ?? [];
  el.staffRole = options.role ?? 'server';
  el.payContext = options.payContext;
  let n = 0;
  el.submit = async (label, type, payload) => {
    n += 1;
    let ids = 0;
    const body = payload(() => `id-${n}-${++ids}`) as Record<string, unknown>;
    sent.push({ label, type, payload: body });
    const op = {
      opId: `op-${n}`,
      label,
      status: 'pending',
      op: { type, payload: body },
    } as unknown as TrackedOp;
    tracked.unshift(op);
    el.ops = [...tracked];
    return op;
  };
  frame.append(el);
  await el.updateComplete;
  await waitFor('the pad’s rules loaded', () => el.pad.rules !== undefined);
  return { el, sent, tracked };
}

const settle = async (el: OrderPad) => {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r));
    await el.updateComplete;
  }
};

const $ = <T extends Element = HTMLElement>(el: OrderPad, selector: string): T => {
  const found = el.shadowRoot?.querySelector<T>(selector);
  if (!found) throw new Error(`no ${selector}`);
  return found;
};
const $$ = (el: OrderPad, selector: string) => [
  ...(el.shadowRoot?.querySelectorAll<HTMLElement>(selector) ?? []),
];

async function click(el: OrderPad, selector: string) {
  $(el, selector).click();
  await settle(el);
}

async function type(el: OrderPad, selector: string, value: string) {
  const input = $<HTMLInputElement>(el, selector);
  input.value = value;
  input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  await settle(el);
}

const lines = (el: OrderPad) => $$(el, '.line').map((l) => text(l.querySelector('.top')));
const live = (el: OrderPad) => text(el.shadowRoot?.querySelector('[aria-live="polite"].sr-only'));

/** Every visible control at least 44 × 44 px (radios and checkboxes by their label). */
function smallTargets(el: OrderPad): string[] {
  const root = el.shadowRoot;
  if (!root) return ['no shadow root'];
  return [
    ...root.querySelectorAll<HTMLElement>(
      'button, [role="option"], input:not([type="radio"]):not([type="checkbox"]), textarea, label.option',
    ),
  ]
    .filter((n) => n.getClientRects().length > 0)
    .map((n) => ({ n, r: n.getBoundingClientRect() }))
    .filter(({ r }) => r.width < 44 || r.height < 44)
    .map(({ n, r }) => `${n.tagName} "${text(n)}" ${r.width}×${r.height}`);
}

async function checkState(el: OrderPad, what: string) {
  expect(await serious(el), `axe on ${what}`).to.deep.equal([]);
  expect(smallTargets(el), `targets on ${what}`).to.deep.equal([]);
}

afterEach(() => {
  for (const frame of frames.splice(0)) frame.remove();
});

describe('<hearth-order-pad>', () => {
  it('adds by search: "/" focuses it, accents and case aside, Enter adds the highlighted dish', async () => {
    const { el } = await mount();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '/' }));
    expect(el.shadowRoot?.activeElement?.id).to.equal('search');
    await type(el, '#search', 'RISÓT');
    expect($$(el, '[role="option"]').map((o) => o.dataset.item)).to.deep.equal(['risotto']);
    await checkState(el, 'search results');
    $(el, '#search').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    await settle(el);
    expect(lines(el)).to.deep.equal(['1 × Mushroom risotto not sent to the kitchen']);
    expect(live(el)).to.contain('Added Mushroom risotto');
  });

  it('adds by category; an 86’d dish is greyed and not addable', async () => {
    const { el } = await mount({ width: 1280 });
    await click(el, '[data-category="sides"]');
    await click(el, '[data-item="chips"]');
    await click(el, '[data-category="starters"]');
    const soup = $<HTMLButtonElement>(el, '[data-item="soup"]');
    expect(soup.disabled).to.equal(true);
    expect(text(soup)).to.contain('Sold out');
    expect(lines(el)).to.deep.equal(['1 × Chips not sent to the kitchen']);
    await checkState(el, 'tablet with a draft');
  });

  it('keeps Add off until the modifier groups’ rules hold', async () => {
    const { el } = await mount();
    await click(el, '[data-category="mains"]');
    await click(el, '[data-item="chicken"]');
    const add = () => $<HTMLButtonElement>(el, '[data-action="sheet-add"]');
    expect($<HTMLDialogElement>(el, 'dialog').open).to.equal(true);
    expect(add().disabled).to.equal(true);
    expect(text($(el, '#add-reason'))).to.contain('Side');
    await checkState(el, 'item sheet blocked');
    await click(el, '[data-modifier="side-mash"] input');
    expect(add().disabled).to.equal(false);
    expect(text(add())).to.contain('€22.00');
    await click(el, '[data-action="sheet-add"]');
    expect($<HTMLDialogElement>(el, 'dialog').open).to.equal(false);
    expect(text($(el, '.line'))).to.contain('Mash');
  });

  it('puts the seat and course on a line and on the wire; send all is one order.create with its send', async () => {
    const { el, sent } = await mount();
    let opened = '';
    el.addEventListener('hearth-order-opened', (e) => {
      opened = (e as CustomEvent<string>).detail;
    });
    await click(el, '[aria-label="One cover more"]');
    expect(
      $$(el, '[aria-label="Seat for the next dish"] [data-seat]').map((b) => b.dataset.seat),
    ).to.deep.equal(['none', '1', '2', '3', '4', '5']);
    await click(el, '[aria-label="Seat for the next dish"] [data-seat="2"]');
    await click(el, '[aria-label="Course for the next dish"] [data-course="2"]');
    await click(el, '[data-category="mains"]');
    await click(el, '[data-item="risotto"]');
    expect(text($(el, '.line'))).to.contain('Seat 2 · Course 2');
    await click(el, '[data-action="send-all"]');
    expect(sent.map((s) => s.type)).to.deep.equal(['order.create']);
    const create = sent[0]?.payload as {
      orderId: string;
      guestCount: number;
      lines: unknown[];
      send: unknown;
    };
    expect(create.guestCount).to.equal(5);
    expect(opened).to.equal(create.orderId);
    const [line] = create.lines as { lineId: string }[];
    expect(line).to.deep.equal({
      lineId: line?.lineId,
      itemId: 'risotto',
      quantity: 1,
      modifierIds: [],
      seat: 2,
      course: 2,
    });
    // The line id is made on the device when the dish is picked, not by the op.
    expect(line?.lineId).to.match(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    // Every unsent line goes to the kitchen with the create: no course, no hold.
    expect(create.send).to.deep.equal({});
    // On its way: the op's badge as sync-labels words it.
    expect(text($(el, '.line .badge'))).to.equal('Sync: not sent yet');
  });

  it('changes a draft line in the sheet: quantity, seat and note', async () => {
    const { el, sent } = await mount();
    await click(el, '[data-category="mains"]');
    await click(el, '[data-item="risotto"]');
    await click(el, '[data-action="change"]');
    await click(el, 'dialog [aria-label="One more"]');
    await click(el, 'dialog [data-seat="3"]');
    await type(el, 'dialog textarea', 'no parmesan');
    await click(el, '[data-action="sheet-add"]');
    expect(lines(el)).to.deep.equal(['2 × Mushroom risotto not sent to the kitchen']);
    expect(text($(el, '.line'))).to.contain('no parmesan');
    expect(text($(el, '.line'))).to.contain('Seat 3');
    expect(sent).to.deep.equal([]);
  });

  it('changes an unsent line on the order by removing it and adding it again', async () => {
    const existing = order('order-1', [{ id: 'l1', itemId: 'risotto', name: 'Mushroom risotto' }]);
    const { el, sent } = await mount({ order: existing });
    await click(el, '[data-line="l1"] [data-action="change"]');
    await click(el, 'dialog [data-course="2"]');
    await click(el, '[data-action="sheet-add"]');
    expect(sent.map((s) => [s.type, s.payload])).to.deep.equal([
      ['order.removeLine', { orderId: 'order-1', lineId: 'l1' }],
    ]);
    const [line] = $$(el, '.line');
    expect(line?.dataset.where).to.equal('draft');
    expect(line?.dataset.line).to.not.equal('l1');
    expect(text(line)).to.contain('Course 2');
    // Pointed at another table, the pad forgets this one's draft.
    el.order = undefined;
    el.tableId = 'table-6';
    await settle(el);
    expect(lines(el)).to.deep.equal([]);
  });

  it('holds course 2 and fires it later on an existing order (addLines with a held send)', async () => {
    const existing = order(
      'order-1',
      [{ id: 'l1', itemId: 'risotto', name: 'Mushroom risotto', sent: true }],
      {
        source: 'staff',
        guestCount: 2,
      },
    );
    const { el, sent } = await mount({
      order: existing,
      tickets: [
        ticket('t1', 'order-1', [{ lineId: 'l1', name: 'Mushroom risotto' }], {
          status: 'in_progress',
        }),
      ],
    });
    expect(text($(el, '.line'))).to.contain('in progress');
    await click(el, '[aria-label="Course for the next dish"] [data-course="2"]');
    await click(el, '[data-category="sides"]');
    await click(el, '[data-item="chips"]');
    expect(text($$(el, '.line')[1])).to.contain('add-on');
    await click(el, '[data-action="hold-course"][data-course="2"]');
    expect(sent.map((s) => [s.type, s.payload.orderId])).to.deep.equal([
      ['order.addLines', 'order-1'],
    ]);
    expect(sent[0]?.payload.send).to.deep.equal({ course: 2, hold: true });
    expect(live(el)).to.contain('Course 2 held');
    // The local view brings the held ticket: Fire appears.
    el.tickets = [
      ...el.tickets,
      ticket('t2', 'order-1', [{ lineId: 'x', name: 'Chips' }], { status: 'held', course: 2 }),
    ];
    await settle(el);
    await checkState(el, 'a held course');
    await click(el, '[data-action="fire"][data-course="2"]');
    expect(sent[1]).to.deep.include({ type: 'order.fireCourse' });
    expect(sent[1]?.payload).to.deep.equal({ orderId: 'order-1', course: 2 });
  });

  it('with no draft, sends the unsent lines already on the order with order.sendToKitchen alone', async () => {
    const existing = order('order-1', [{ id: 'l1', itemId: 'risotto', name: 'Mushroom risotto' }]);
    const { el, sent } = await mount({ order: existing });
    await click(el, '[data-action="send-all"]');
    expect(sent.map((s) => [s.type, s.payload])).to.deep.equal([
      ['order.sendToKitchen', { orderId: 'order-1' }],
    ]);
  });

  it('removes before sending: a draft line is dropped, an unsent order line removed by op', async () => {
    const existing = order('order-1', [{ id: 'l1', itemId: 'risotto', name: 'Mushroom risotto' }]);
    const { el, sent } = await mount({ order: existing });
    await click(el, '[data-category="sides"]');
    await click(el, '[data-item="chips"]');
    await click(el, '[data-where="draft"] [data-action="remove"]');
    expect(sent).to.deep.equal([]);
    expect(lines(el)).to.have.length(1);
    await click(el, '[data-line="l1"] [data-action="remove"]');
    expect(sent.map((s) => [s.type, s.payload])).to.deep.equal([
      ['order.removeLine', { orderId: 'order-1', lineId: 'l1' }],
    ]);
    expect(lines(el)).to.deep.equal([]);
  });

  it('pays in the pay panel: a split share in cash is a payment.cash op; a paid check says so', async () => {
    // The order as the local view has it: two lines of €10.00, sent.
    const existing = order('order-1', [
      { id: 'l1', itemId: 'risotto', name: 'Mushroom risotto', sent: true },
      { id: 'l2', itemId: 'burger', name: 'Bistro burger', sent: true },
    ]);
    const forgotten: string[] = [];
    const payContext: PayContext = {
      venueId: 'demo-bistro',
      deviceId: 'device-1',
      payments: [],
      refunds: [],
      drawers: [],
      fetcher: () => Promise.reject(new Error('no card here')),
      controlled: () => true,
      keep: () => {},
      forget: (tableId) => forgotten.push(tableId),
    };
    const { el, sent } = await mount({ order: existing, width: 1280, payContext });
    await click(el, '[data-split="even"]');
    const panel = await waitFor('the pay panel', () => {
      const found = el.shadowRoot?.querySelector('hearth-pay-panel');
      return found?.pay.rules ? found : undefined;
    });
    await panel.updateComplete;
    const inPanel = (selector: string) => {
      const found = panel.shadowRoot?.querySelector<HTMLElement>(selector);
      if (!found) throw new Error(`no ${selector} in the pay panel`);
      return found;
    };
    expect(text(inPanel('[data-balance]'))).to.equal('€20.00');
    inPanel('[data-share="1"]').click();
    await settle(el);
    await panel.updateComplete;
    inPanel('[data-tender="1000"]').click();
    await panel.updateComplete;
    inPanel('[data-action="pay-cash"]').click();
    await waitFor('the cash op', () => sent.length === 1);
    expect(sent.map((s) => [s.type, s.payload])).to.deep.equal([
      [
        'payment.cash',
        { paymentId: 'id-1-1', orderId: 'order-1', amount: 1000, tip: 0, tendered: 1000 },
      ],
    ]);
    await checkState(el, 'the pay panel in the pad');
    // The local view closes the check once paid: the pad shows it paid until the next order.
    el.order = { ...existing, status: 'closed', paid: 2000, closedAt: '2026-11-23T20:00:00.000Z' };
    await settle(el);
    const paid = await waitFor('the paid check', () =>
      el.shadowRoot?.querySelector('hearth-pay-panel')?.shadowRoot?.querySelector('[data-check]'),
    );
    expect(text(paid)).to.equal('Paid — closed');
    await click(el, '[data-action="next-order"]');
    expect(forgotten).to.deep.equal(['table-5']);
  });

  it('offers no pay panel before the page gives it payments', async () => {
    const existing = order('order-1', [
      { id: 'l1', itemId: 'risotto', name: 'Mushroom risotto', sent: true },
    ]);
    const { el } = await mount({ order: existing });
    expect(el.shadowRoot?.querySelector('hearth-pay-panel')).to.equal(null);
  });

  it('splits the bill evenly and by seat', async () => {
    const { el } = await mount();
    await click(el, '[aria-label="Seat for the next dish"] [data-seat="1"]');
    await click(el, '[data-category="mains"]');
    await click(el, '[data-item="risotto"]');
    await click(el, '[aria-label="Seat for the next dish"] [data-seat="2"]');
    await click(el, '[data-category="sides"]');
    await click(el, '[data-item="chips"]');
    await click(el, '[data-split="even"]');
    await click(el, '[aria-label="One share more"]');
    expect($$(el, '[data-share]').map(text)).to.deep.equal([
      'Share 1 €7.67',
      'Share 2 €7.67',
      'Share 3 €7.66',
    ]);
    await click(el, '[data-split="seat"]');
    expect($$(el, '[data-share]').map(text)).to.deep.equal(['Seat 1 €18.50', 'Seat 2 €4.50']);
    await checkState(el, 'split by seat');
  });

  it('offers a sent order’s void to a manager only (a server asks for one), with a reason required', async () => {
    const existing = order('order-1', [
      { id: 'l1', itemId: 'risotto', name: 'Mushroom risotto', sent: true },
    ]);
    const server = await mount({ order: existing });
    expect(text($(server.el, '[data-void-note]'))).to.equal(
      'Sent to the kitchen: a manager voids it with their PIN.',
    );
    expect($$(server.el, '[data-action="void"]')).to.have.length(0);
    const asked = new Promise<string>((resolve) =>
      server.el.addEventListener('hearth-manager-needed', (e) =>
        resolve((e as CustomEvent<string>).detail),
      ),
    );
    await click(server.el, '[data-action="manager"]');
    expect(await asked).to.equal('to void this order');
    // Nothing sent yet: the server voids it.
    const unsent = await mount({
      order: order('order-2', [{ id: 'l2', itemId: 'risotto', name: 'Mushroom risotto' }]),
    });
    expect($$(unsent.el, '[data-action="void"]')).to.have.length(1);
    const manager = await mount({ order: existing, role: 'manager' });
    await click(manager.el, '[data-action="void"]');
    expect(manager.sent).to.deep.equal([]);
    expect(text($(manager.el, '#void-missing'))).to.equal('Say why the order is voided');
    await checkState(manager.el, 'void refused');
    await type(manager.el, '#void-reason', 'Walked out');
    await click(manager.el, '[data-action="void"]');
    expect(manager.sent.map((s) => [s.type, s.payload])).to.deep.equal([
      ['order.void', { orderId: 'order-1', reason: 'Walked out' }],
    ]);
    // Part paid: refunded, never voided, so not even a manager is offered the void.
    const paid = await mount({ order: { ...existing, paid: 500 }, role: 'manager' });
    expect($$(paid.el, '[data-action="void"]')).to.have.length(0);
    expect(text($(paid.el, '[data-void-note]'))).to.contain('refunds the payments');
    await checkState(paid.el, 'void of a part-paid check');
  });

  it('shows a failed line’s badge as a retry that asks the page', async () => {
    const { el, tracked } = await mount();
    await click(el, '[data-category="sides"]');
    await click(el, '[data-item="chips"]');
    await click(el, '[data-action="send-all"]');
    const first = tracked[tracked.length - 1] as TrackedOp;
    el.ops = tracked.map((t) =>
      t === first ? { ...t, status: 'failed', detail: 'no connection' } : t,
    );
    await settle(el);
    expect(live(el)).to.contain('failed: no connection — tap its badge to retry');
    let retried = '';
    el.addEventListener('hearth-retry', (e) => {
      retried = (e as CustomEvent<string>).detail;
    });
    expect(text($(el, '[data-action="retry"]'))).to.equal(
      'Sync: failed (no connection) — tap to retry',
    );
    await click(el, '[data-action="retry"]');
    expect(retried).to.equal(first.opId);
  });
});
