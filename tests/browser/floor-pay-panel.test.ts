import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import type { Order } from '#protocol';
import type { TrackedOp } from '../../web/app/op-controller.ts';
import type { PayContext } from '../../web/floor/pay-context.ts';
import { CardAttempts } from '../../web/floor/pay-controller.ts';
import '../../web/floor/pay-panel.ts';
import type { PayPanel } from '../../web/floor/pay-panel.ts';
import { waitFor } from '../support/wait-for.ts';
import { settings } from '../web/guest-fixtures.ts';
import { cardPayment, check, DEVICE, drawer, payment, synced } from '../web/pay-fixtures.ts';
import { clean, floorFrame, recorder, settle, text, unmountFloor } from './floor-support.ts';

// `<hearth-pay-panel>` in Chromium: a check's balance and payments from the local view, a cash
// payment as a payment.cash op through the page's submit, and a card payment against a stubbed
// fetch at the panel's seam (the context's fetcher) answering as the card route does.

interface Call {
  readonly url: string;
  readonly init: RequestInit;
  readonly body: Record<string, unknown>;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' },
  });

/** A fetcher that answers each call with the next of `answers` (a function may hold it back). */
function cardRoute(answers: (() => Promise<Response> | Response)[]) {
  const calls: Call[] = [];
  const fetcher = async (url: string, init: RequestInit) => {
    calls.push({ url, init, body: JSON.parse(String(init.body)) as Record<string, unknown> });
    const next = answers.shift();
    if (!next) throw new Error('no answer scripted');
    return next();
  };
  return { calls, fetcher };
}

const APPROVED = () =>
  json(200, {
    outcome: 'approved',
    payment: {
      paymentId: 'x',
      amount: 0,
      tip: 0,
      brand: 'visa',
      last4: '4242',
      status: 'approved',
      declineCode: null,
    },
  });

function contextOf(patch: Partial<PayContext> = {}): PayContext & { kept: string[] } {
  const kept: string[] = [];
  return {
    venueId: 'demo-bistro',
    deviceId: DEVICE,
    payments: [],
    refunds: [],
    drawers: [],
    fetcher: async () => {
      throw new Error('no card route in this test');
    },
    controlled: () => true,
    keep: (tableId, orderId) => kept.push(`${tableId}:${orderId}`),
    forget: () => {},
    kept,
    ...patch,
  };
}

async function mount(
  options: {
    order?: Order;
    context?: PayContext;
    role?: 'server' | 'manager';
    attempts?: CardAttempts;
    shares?: { label: string; amount: number }[];
    ops?: TrackedOp[];
  } = {},
) {
  const frame = floorFrame(options.role === 'manager' ? 1024 : 390);
  const rec = recorder(() => 'pending');
  const el = document.createElement('hearth-pay-panel');
  el.order = options.order ?? check();
  el.tableLabel = '5';
  el.context = options.context ?? contextOf();
  el.settings = settings({ cashRoundingIncrement: 5 });
  el.locale = 'en-GB';
  el.shares = options.shares ?? [];
  el.staffRole = options.role ?? 'server';
  el.ops = options.ops ?? [];
  el.submit = rec.submit as unknown as PayPanel['submit'];
  el.attempts = options.attempts ?? new CardAttempts();
  frame.append(el);
  await el.updateComplete;
  await waitFor('the pay rules loaded', () => el.pay.rules !== undefined);
  await el.updateComplete;
  return { el, sent: rec.sent };
}

const $ = <T extends Element = HTMLElement>(el: PayPanel, selector: string): T => {
  const found = el.shadowRoot?.querySelector<T>(selector);
  if (!found) throw new Error(`no ${selector}`);
  return found;
};
const $$ = (el: PayPanel, selector: string) => [
  ...(el.shadowRoot?.querySelectorAll<HTMLElement>(selector) ?? []),
];
const has = (el: PayPanel, selector: string) => el.shadowRoot?.querySelector(selector) !== null;

async function click(el: PayPanel, selector: string) {
  $(el, selector).click();
  await settle(el);
}

async function type(el: PayPanel, selector: string, value: string) {
  const input = $<HTMLInputElement>(el, selector);
  input.value = value;
  input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  await settle(el);
}

/** Every visible control at least 44 × 44 px. */
function smallTargets(el: PayPanel): string[] {
  return [...(el.shadowRoot?.querySelectorAll<HTMLElement>('button, input') ?? [])]
    .filter((n) => n.getClientRects().length > 0)
    .map((n) => ({ n, r: n.getBoundingClientRect() }))
    .filter(({ r }) => r.width < 44 || r.height < 44)
    .map(({ n, r }) => `${n.tagName} "${text(n)}" ${r.width}×${r.height}`);
}

async function checkState(el: PayPanel, what: string) {
  await clean(el);
  expect(smallTargets(el), `targets on ${what}`).to.deep.equal([]);
}

const status = (el: PayPanel) => text($(el, '[data-card-status]'));

afterEach(unmountFloor);

describe('<hearth-pay-panel>', () => {
  it('shows the balance left and every payment so far with its state and sync mark', async () => {
    const cash = payment({ amount: 1000, tip: 100, cash: { tendered: 1500, change: 400 } });
    const stored = cardPayment({
      amount: 500,
      status: 'stored',
      offline: true,
      takenAt: '2026-11-23T19:30:00.000Z',
    });
    const context = contextOf({
      payments: [
        { entity: cash, badge: { state: 'delivered_local', opIds: ['op-1'] } },
        synced(stored),
        synced(payment({ orderId: 'order-other' })),
      ],
    });
    const { el } = await mount({ order: check(1500, { tips: 100 }), context });
    expect(text($(el, '[data-balance]'))).to.equal('€15.00');
    expect(text($(el, '[data-sum="paid"]'))).to.equal('€15.00');
    const rows = $$(el, '[data-payment]');
    expect(rows.map((r) => r.dataset.payment)).to.deep.equal([cash.id, stored.id]);
    expect(text(rows[0])).to.contain('Cash').and.contain('€10.00').and.contain('+ €1.00 tip');
    expect(text(rows[0]?.querySelector('[data-sync]'))).to.equal(
      'Sync: saved in the venue — not in the cloud yet',
    );
    expect(text(rows[1])).to.contain('Visa ·· 4242');
    expect(text(rows[1]?.querySelector('[data-status]'))).to.equal(
      'Stored offline — not authorised yet',
    );
    await checkState(el, 'payments listed');
  });

  it('works out the tip from the amount: 10/15/20 % or typed', async () => {
    const { el } = await mount({
      shares: [
        { label: 'Share 1', amount: 1500 },
        { label: 'Share 2', amount: 1500 },
      ],
    });
    await click(el, '[data-share="0"]');
    await click(el, '[data-tip="15"]');
    expect(text($(el, '[data-tip-amount]'))).to.equal('€2.25');
    await click(el, '[data-tip="20"]');
    expect(text($(el, '[data-tip-amount]'))).to.equal('€3.00');
    await click(el, '[data-tip="custom"]');
    await type(el, '#pay-tip', '2.50');
    expect(text($(el, '[data-tip-amount]'))).to.equal('€2.50');
    expect(text($(el, '[data-action="pay-cash"]'))).to.equal('Take €17.50 in cash');
    await checkState(el, 'custom tip');
  });

  it('takes a cash part payment as payment.cash with amount, tip, tendered and this tablet’s drawer', async () => {
    const context = contextOf({
      drawers: [synced(drawer()), synced(drawer({ id: 'drawer-other', deviceId: 'device-other' }))],
    });
    const { el, sent } = await mount({ context });
    await click(el, '[data-amount-choice="typed"]');
    await type(el, '#pay-amount', '12');
    await click(el, '[data-tip="10"]');
    await type(el, '#tendered', '10');
    await click(el, '[data-action="pay-cash"]');
    expect(text($(el, '[data-tender-problem]'))).to.contain('€3.20 short of €13.20');
    expect(sent).to.deep.equal([]);
    await click(el, '[data-tender="1500"]');
    expect(text($(el, '[data-change]'))).to.equal('Change due: €1.80');
    expect(text($(el, '[data-drawer]'))).to.equal('Into this tablet’s cash drawer');
    await checkState(el, 'cash with change');
    await click(el, '[data-action="pay-cash"]');
    expect(sent.map((s) => [s.type, s.payload])).to.deep.equal([
      [
        'payment.cash',
        {
          paymentId: 'new-1',
          orderId: 'order-1',
          amount: 1200,
          tip: 120,
          tendered: 1500,
          drawerId: 'drawer-1',
        },
      ],
    ]);
    expect((context as { kept: string[] }).kept).to.deep.equal(['table-5:order-1']);
  });

  it('pays the whole balance in cash, rounded to the cash increment, with no drawer open', async () => {
    const { el, sent } = await mount({ order: check(658) });
    expect(text($(el, '[data-amount-choice="balance"]'))).to.equal('All €23.40');
    await click(el, '[data-tender="2340"]');
    await click(el, '[data-action="pay-cash"]');
    expect(text($(el, '[data-drawer]'))).to.equal('No cash drawer open on this tablet');
    expect(sent.map((s) => s.payload)).to.deep.equal([
      { paymentId: 'new-1', orderId: 'order-1', amount: 2340, tip: 0, tendered: 2340 },
    ]);
  });

  it('waits for the reader, then says approved with the card; the balance drops at once', async () => {
    let release: (r: Response) => void = () => {};
    const route = cardRoute([
      () =>
        new Promise<Response>((resolve) => {
          release = resolve;
        }),
    ]);
    const { el } = await mount({ context: contextOf({ fetcher: route.fetcher }) });
    await click(el, '[data-method="card"]');
    await click(el, '[data-tip="10"]');
    await click(el, '[data-action="pay-card"]');
    expect(status(el)).to.contain('Waiting for the card reader… (tap, insert or swipe)');
    expect(has(el, 'progress')).to.equal(true);
    expect(text($(el, '[data-waited]'))).to.match(/^\d+ s$/);
    expect(has(el, '[data-action="pay-card"]'), 'no second charge while waiting').to.equal(false);
    await checkState(el, 'waiting for the reader');
    const [call] = route.calls;
    expect(call?.url).to.equal('/api/v1/venues/demo-bistro/payments/card');
    expect(call?.init.credentials).to.equal('same-origin');
    expect(call?.body).to.include({
      orderId: 'order-1',
      amount: 3000,
      tip: 300,
      reader: 'counter-1',
      deviceId: DEVICE,
    });
    expect(
      (call?.init.headers as Record<string, string> | undefined)?.['Idempotency-Key'],
    ).to.equal(call?.body.paymentId);
    release(APPROVED());
    await waitFor('approved', () => status(el).includes('Approved'));
    await settle(el);
    expect(status(el)).to.contain('Approved — Visa ·· 4242');
    expect(text($(el, '[data-balance]'))).to.equal('€0.00');
    expect(text($(el, `[data-payment="${String(call?.body.paymentId)}"]`))).to.contain('Approved');
    await checkState(el, 'approved');
  });

  it('a tip on the reader: posts tipOnReader with no tip, waits for the guest, shows the tip they chose', async () => {
    let release: (r: Response) => void = () => {};
    const route = cardRoute([
      () =>
        new Promise<Response>((resolve) => {
          release = resolve;
        }),
    ]);
    const { el } = await mount({ context: contextOf({ fetcher: route.fetcher }) });
    // Cash has no reader to tip on.
    expect(has(el, '[data-tip="reader"]')).to.equal(false);
    await click(el, '[data-method="card"]');
    await click(el, '[data-tip="20"]');
    // Chosen with the keyboard, as a touch would.
    $(el, '[data-tip="reader"]').focus();
    await sendKeys({ press: 'Enter' });
    await settle(el);
    expect($(el, '[data-tip="reader"]').getAttribute('aria-pressed')).to.equal('true');
    expect(text($(el, '[data-tip="reader"]'))).to.equal('Tip on the reader');
    expect(text($(el, '[data-action="pay-card"]'))).to.equal(
      'Charge €30.00 + tip on the card reader',
    );
    await checkState(el, 'tip on the reader chosen');
    await click(el, '[data-action="pay-card"]');
    expect(status(el)).to.contain('The guest chooses a tip on the reader…');
    expect(status(el)).to.contain('€30.00 + a tip on the reader');
    await checkState(el, 'the guest choosing a tip');
    const [call] = route.calls;
    expect(call?.body).to.include({ amount: 3000, tip: 0, tipOnReader: true, reader: 'counter-1' });
    release(
      json(200, {
        outcome: 'approved',
        payment: { amount: 3000, tip: 450, brand: 'visa', last4: '4242', status: 'approved' },
      }),
    );
    await waitFor('approved', () => has(el, '[data-phase="approved"]'));
    await settle(el);
    expect(status(el)).to.contain('Approved — Visa ·· 4242 · €30.00 + €4.50 tip');
    expect(text($(el, '[data-reader-tip]'))).to.equal('The guest tipped €4.50 on the reader');
    const row = $(el, `[data-payment="${String(call?.body.paymentId)}"]`);
    expect(text(row.querySelector('[data-tip]'))).to.equal('+ €4.50 tip');
    await checkState(el, 'approved with the guest’s tip');
  });

  it('a tip on the reader stored offline with no tip chosen says so; back to cash drops the choice', async () => {
    const route = cardRoute([
      () =>
        json(200, {
          outcome: 'stored',
          payment: { amount: 1000, tip: 0, brand: 'mastercard', last4: '4444' },
        }),
    ]);
    const { el } = await mount({ context: contextOf({ fetcher: route.fetcher }) });
    await click(el, '[data-method="card"]');
    await click(el, '[data-tip="reader"]');
    await click(el, '[data-method="cash"]');
    expect(has(el, '[data-tip="reader"]')).to.equal(false);
    expect($(el, '[data-tip="none"]').getAttribute('aria-pressed')).to.equal('true');
    await click(el, '[data-method="card"]');
    await click(el, '[data-tip="reader"]');
    await click(el, '[data-amount-choice="typed"]');
    await type(el, '#pay-amount', '10');
    await click(el, '[data-action="pay-card"]');
    await waitFor('stored', () => has(el, '[data-phase="stored"]'));
    expect(route.calls[0]?.body).to.include({ amount: 1000, tip: 0, tipOnReader: true });
    expect(text($(el, '[data-reader-tip]'))).to.equal('The guest chose no tip on the reader');
    await checkState(el, 'stored, no tip on the reader');
  });

  it('a decline says why; Try another card is a new paymentId for the same amount', async () => {
    const route = cardRoute([
      () => json(200, { outcome: 'declined', payment: { declineCode: 'insufficient_funds' } }),
      APPROVED,
    ]);
    const { el } = await mount({ context: contextOf({ fetcher: route.fetcher }) });
    await click(el, '[data-method="card"]');
    await click(el, '[data-action="pay-card"]');
    await waitFor('declined', () => has(el, '[data-phase="declined"]'));
    expect(status(el)).to.contain('Declined: the card has insufficient funds');
    // The pay button went with the form: the keyboard is on what to do next.
    expect(el.shadowRoot?.activeElement?.getAttribute('data-action')).to.equal('card-another');
    await checkState(el, 'declined');
    await click(el, '[data-action="card-another"]');
    await waitFor('approved', () => has(el, '[data-phase="approved"]'));
    const [first, second] = route.calls;
    expect(second?.body.paymentId).to.not.equal(first?.body.paymentId);
    expect(second?.body.amount).to.equal(first?.body.amount);
  });

  it('says a stored card was taken offline', async () => {
    const route = cardRoute([
      () => json(200, { outcome: 'stored', payment: { brand: 'mastercard', last4: '4444' } }),
    ]);
    const { el } = await mount({ context: contextOf({ fetcher: route.fetcher }) });
    await click(el, '[data-method="card"]');
    await click(el, '[data-action="pay-card"]');
    await waitFor('stored', () => has(el, '[data-phase="stored"]'));
    expect(status(el)).to.contain(
      'taken offline — the processor will authorise it when the internet is back',
    );
    expect(text($(el, '[data-status="stored"]'))).to.equal('Stored offline — not authorised yet');
    await checkState(el, 'stored');
  });

  it('timed out: Check again asks about the SAME paymentId, byte for byte, until it settles', async () => {
    const route = cardRoute([
      () => json(202, { outcome: 'timed_out', kind: 'retry_same' }),
      () => Promise.reject(new TypeError('Failed to fetch')),
      APPROVED,
    ]);
    const { el } = await mount({ context: contextOf({ fetcher: route.fetcher }) });
    await click(el, '[data-method="card"]');
    await click(el, '[data-action="pay-card"]');
    await waitFor('timed out', () => has(el, '[data-phase="timed_out"]'));
    expect(status(el)).to.contain('No answer from the reader');
    expect(has(el, '[data-action="pay-card"]'), 'no new charge until it settles').to.equal(false);
    await checkState(el, 'timed out');
    await click(el, '[data-action="card-check"]');
    await waitFor('network failure', () => has(el, '[data-phase="unknown"]'));
    expect(status(el)).to.contain('Could not reach the venue server');
    await checkState(el, 'network failed');
    await click(el, '[data-action="card-check"]');
    await waitFor('approved', () => has(el, '[data-phase="approved"]'));
    expect(new Set(route.calls.map((c) => c.init.body)).size).to.equal(1);
    expect(route.calls).to.have.length(3);
  });

  it('over the offline limit: a server asks for a manager’s PIN; the manager charges the same amount', async () => {
    const attempts = new CardAttempts();
    const route = cardRoute([
      () =>
        json(422, {
          type: 'https://hearth.dev/problems/offline-card-over-transaction-limit',
          title: 'Payment refused',
          status: 422,
          code: 'OFFLINE_CARD_OVER_TRANSACTION_LIMIT',
          kind: 'stop',
          detail: 'offline card payments go up to €20.00 before tip',
        }),
      APPROVED,
    ]);
    const context = contextOf({ fetcher: route.fetcher });
    const server = await mount({ context, attempts });
    await click(server.el, '[data-method="card"]');
    await click(server.el, '[data-tip="10"]');
    await click(server.el, '[data-action="pay-card"]');
    await waitFor('refused', () => has(server.el, '[data-phase="refused"]'));
    expect(status(server.el))
      .to.contain('Over the limit for a card taken offline')
      .and.contain('Nothing was charged');
    await checkState(server.el, 'refused over the limit');
    let asked = '';
    server.el.addEventListener('hearth-manager-needed', (e) => {
      asked = (e as CustomEvent<string>).detail;
    });
    await click(server.el, '[data-action="card-manager"]');
    expect(asked).to.contain('offline');
    // The page switches to the manager: the pad (and the panel in it) is mounted again.
    server.el.remove();
    const manager = await mount({ context, attempts, role: 'manager' });
    expect(text($(manager.el, '[data-action="card-again"]'))).to.equal(
      'Charge €30.00 + €3.00 tip as manager',
    );
    await click(manager.el, '[data-action="card-again"]');
    await waitFor('approved', () => has(manager.el, '[data-phase="approved"]'));
    const [first, second] = route.calls;
    expect([second?.body.amount, second?.body.tip]).to.deep.equal([3000, 300]);
    expect(second?.body.paymentId).to.not.equal(first?.body.paymentId);
  });

  it('says "Paid — closed" on a paid check and "Reopened" when a stored card was declined later', async () => {
    const paid = await mount({
      order: check(3000, { status: 'closed', closedAt: '2026-11-23T20:00:00.000Z' }),
      context: contextOf({ payments: [synced(payment({ amount: 3000 }))] }),
    });
    expect(text($(paid.el, '[data-check]'))).to.equal('Paid — closed');
    expect(has(paid.el, '[data-action="pay-cash"]')).to.equal(false);
    await checkState(paid.el, 'paid');
    paid.el.remove();
    const reopened = await mount({
      order: check(1000),
      context: contextOf({
        payments: [
          synced(payment({ amount: 1000 })),
          synced(
            cardPayment({
              amount: 2000,
              status: 'declined_later',
              declineCode: 'do_not_honor',
              offline: true,
            }),
          ),
        ],
      }),
    });
    expect(text($(reopened.el, '[data-check]'))).to.equal(
      'Reopened: a card payment stored offline was declined',
    );
    expect(text($(reopened.el, '[data-balance]'))).to.equal('€20.00');
    expect(has(reopened.el, '[data-action="pay-cash"]')).to.equal(true);
    await checkState(reopened.el, 'reopened');
  });

  it('refuses to pay while the pad has lines not on the order', async () => {
    const { el, sent } = await mount();
    el.unsentLines = 2;
    await settle(el);
    await click(el, '[data-tender="3000"]');
    await click(el, '[data-action="pay-cash"]');
    expect(text($(el, '[data-refusal]'))).to.equal('Send or remove the 2 new lines before paying');
    expect(sent).to.deep.equal([]);
  });
});
