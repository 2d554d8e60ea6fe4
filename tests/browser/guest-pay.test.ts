import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import type { Order } from '#protocol';
import '../../web/guest/guest-pay.ts';
import type { GuestPay, PayData } from '../../web/guest/guest-pay.ts';
import type { PayPage, PayServices } from '../../web/guest/guest-pay-controller.ts';
import { waitFor } from '../support/wait-for.ts';
import { order, VENUE_ID } from '../web/guest-fixtures.ts';
import { phoneFrame, serious, text, unmountFrames } from './guest-support.ts';

// `<hearth-guest-pay>` in Chromium: its fetch is a stand-in of the cloud's two checkout routes
// (design: POST …/payments/checkout, GET …/payments/checkout/:id), its address bar a small
// port the test reads (where it navigated, what it put in the bar), and its waits between asks
// are the test's. No module is mocked: every seam is a property of the element.

const HREF = 'https://guest.example/guest/?venue=demo-bistro&table=5';
const PROCESSOR = 'https://pay.example/checkout/c-1';

/** Burger ×2 with cheese (+€1.50) and a note, chips removed by staff, soup; tax added at 10 %. */
function dinner(patch: Partial<Order> = {}): Order {
  const base = order('order-1', [
    { id: 'l1', itemId: 'burger', name: 'Bistro burger', sent: true, quantity: 2 },
    { id: 'l2', itemId: 'chips', name: 'Chips', sent: true, voided: true },
    { id: 'l3', itemId: 'soup', name: 'Soup of the day', sent: true },
  ]);
  return {
    ...base,
    lines: base.lines.map((l) =>
      l.id === 'l1'
        ? {
            ...l,
            note: 'no pickles',
            modifiers: [{ id: 'extra-cheese', name: 'Extra cheese', priceDelta: 150 }],
          }
        : l,
    ),
    // 2 × 11.50 + 10.00 = 33.00, tax 3.30 on top.
    totals: {
      currency: 'EUR',
      subtotal: 3300,
      tax: 330,
      total: 3630,
      cashTotal: 3630,
      cashRounding: 0,
    },
    paid: 1000,
    ...patch,
  };
}

interface Call {
  readonly method: string;
  readonly url: string;
  readonly body: unknown;
  readonly credentials: RequestCredentials | undefined;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: {
      'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json',
    },
  });

const problem = (status: number, kind: string, code: string) =>
  json(status, { type: 'about:blank', title: code, status, kind, code });

/** The cloud's checkout routes in miniature; `unreachable` fails the next request on the way. */
class StandInCloud {
  readonly calls: Call[] = [];
  unreachable = 0;
  checkout: () => Response = () => json(201, { checkoutId: 'c-1', url: PROCESSOR });
  /** Each GET takes the next answer; the last one repeats. */
  states: (() => Response)[] = [() => json(200, { status: 'open' })];

  readonly fetch: typeof fetch = async (input, init) => {
    const method = init?.method ?? 'GET';
    const body: unknown = init?.body ? JSON.parse(String(init.body)) : undefined;
    this.calls.push({ method, url: String(input), body, credentials: init?.credentials });
    if (this.unreachable > 0) {
      this.unreachable--;
      throw new TypeError('Failed to fetch');
    }
    if (method === 'POST') return this.checkout();
    const next = this.states.length > 1 ? this.states.shift() : this.states[0];
    return next ? next() : json(404, {});
  };
}

const RECEIPT = {
  amount: 2630,
  tip: 263,
  currency: 'EUR',
  brand: 'visa',
  last4: '4242',
  reference: 'ch_3PqR',
  paidAt: '2026-11-23T20:41:00.000Z',
};

interface Mount {
  readonly el: GuestPay;
  readonly cloud: StandInCloud;
  readonly net: { online: boolean; controlled: boolean };
  readonly page: PayPage & { url: string; readonly went: string[] };
  readonly delays: number[];
  readonly settle: () => Promise<void>;
}

async function mount(
  options: {
    orders?: Order[];
    href?: string;
    wait?: (ms: number) => Promise<void>;
    states?: (() => Response)[];
  } = {},
): Promise<Mount> {
  const cloud = new StandInCloud();
  if (options.states) cloud.states = options.states;
  const net = { online: true, controlled: true };
  const services: PayServices = {
    venueId: VENUE_ID,
    fetch: cloud.fetch,
    network: { online: () => net.online },
    serviceWorker: { controlled: () => net.controlled },
  };
  const went: string[] = [];
  const page = {
    url: options.href ?? HREF,
    went,
    href: () => page.url,
    navigate: (url: string) => void went.push(url),
    replace: (url: string) => {
      page.url = url;
    },
  };
  const delays: number[] = [];
  let ids = 0;
  const el = document.createElement('hearth-guest-pay');
  const data: PayData = {
    orders: options.orders ?? [dinner()],
    locale: 'en-GB',
    venue: { timezone: 'Europe/Paris' },
  };
  el.data = data;
  el.services = services;
  el.page = page;
  el.wait =
    options.wait ??
    (async (ms) => {
      delays.push(ms);
    });
  el.newId = async () => `01CHECKOUT${++ids}`;
  phoneFrame().append(el);
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve));
      await el.updateComplete;
    }
  };
  await settle();
  return { el, cloud, net, page, delays, settle };
}

const q = <E extends Element = HTMLElement>(el: GuestPay, selector: string): E | null =>
  el.shadowRoot?.querySelector<E>(selector) ?? null;
const must = <E extends Element = HTMLElement>(el: GuestPay, selector: string): E => {
  const found = q<E>(el, selector);
  if (!found) throw new Error(`nothing matches ${selector}`);
  return found;
};
const dialog = (el: GuestPay) => must<HTMLDialogElement>(el, 'dialog');
const sum = (el: GuestPay, name: string) => text(q(el, `[data-sum="${name}"]`));
const notice = (el: GuestPay) => text(q(el, '.notice[role="status"]'));
const payButton = (el: GuestPay) => must<HTMLButtonElement>(el, 'button.pay');

async function clean(el: GuestPay): Promise<void> {
  // The modal dialog is in the top layer: axe reads it through the element.
  const found = await serious(el.parentElement as HTMLElement);
  expect(found, found.join('\n\n')).to.deep.equal([]);
}

async function openSheet(m: Mount): Promise<void> {
  must<HTMLButtonElement>(m.el, 'button[data-pay-order="order-1"]').click();
  await m.settle();
  expect(dialog(m.el).open).to.equal(true);
}

async function chooseTip(m: Mount, value: string): Promise<void> {
  const radio = must<HTMLInputElement>(m.el, `input[name="tip"][value="${value}"]`);
  radio.click();
  await m.settle();
}

async function typeTip(m: Mount, value: string): Promise<void> {
  const input = must<HTMLInputElement>(m.el, 'input[name="tip-amount"]');
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  await m.settle();
}

afterEach(unmountFrames);

describe('<hearth-guest-pay>', () => {
  it('shows "Pay the bill" only while the table owes something', async () => {
    const m = await mount();
    const entry = must<HTMLButtonElement>(m.el, 'button[data-pay-order="order-1"]');
    expect(text(entry)).to.equal('Pay the bill · €26.30');
    expect(entry.getBoundingClientRect().height).to.be.at.least(44);
    expect(m.el.hidden).to.equal(false);
    await clean(m.el);

    m.el.data = { orders: [dinner({ paid: 3630 })], locale: 'en-GB', venue: undefined };
    await m.settle();
    expect(q(m.el, 'button[data-pay-order]')).to.equal(null);
    expect(m.el.hidden).to.equal(true);
    expect(m.el.getBoundingClientRect().height).to.equal(0);
  });

  it('the bill: every line with quantity and modifiers, the removed one struck and not counted, tax, total, already paid', async () => {
    const m = await mount();
    await openSheet(m);
    const lines = [...(m.el.shadowRoot?.querySelectorAll('li[data-line]') ?? [])];
    expect(lines.map((l) => text(l))).to.deep.equal([
      '2 × Bistro burger €23.00 Extra cheese +€1.50, “no pickles”',
      '1 × Chips €10.00 Removed by staff — not charged',
      '1 × Soup of the day €10.00',
    ]);
    const chips = must(m.el, 'li[data-line="l2"] .amount');
    expect(getComputedStyle(chips).textDecorationLine).to.equal('line-through');
    expect(getComputedStyle(must(m.el, 'li[data-line="l1"] .amount')).textDecorationLine).to.equal(
      'none',
    );
    expect(sum(m.el, 'subtotal')).to.equal('€33.00');
    expect(sum(m.el, 'tax')).to.equal('€3.30');
    expect(text(must(m.el, '[data-sum="tax"]').previousElementSibling)).to.equal('Tax');
    expect(sum(m.el, 'total')).to.equal('€36.30');
    expect(sum(m.el, 'paid')).to.equal('−€10.00');
    expect(sum(m.el, 'balance')).to.equal('€26.30');
    expect(sum(m.el, 'tip')).to.equal('€0.00');
    expect(text(payButton(m.el))).to.equal('Pay €26.30');
    // Every control a thumb can hit on a 360 px phone.
    const controls = [
      ...(m.el.shadowRoot?.querySelectorAll<HTMLElement>('dialog button, dialog label.option') ??
        []),
    ];
    expect(controls.length).to.equal(7); // Close, no tip, 10/15/20 %, other amount, Pay
    for (const c of controls) expect(c.getBoundingClientRect().height, text(c)).to.be.at.least(44);
    // No card field on Hearth's page.
    expect(m.el.shadowRoot?.querySelectorAll('input[autocomplete^="cc-"]').length).to.equal(0);
    await clean(m.el);
  });

  it('the sheet is a modal dialog named by its heading; Escape closes it', async () => {
    const m = await mount();
    await openSheet(m);
    expect(dialog(m.el).matches(':modal')).to.equal(true);
    expect(dialog(m.el).getAttribute('aria-labelledby')).to.equal('pay-title');
    expect(text(must(m.el, '#pay-title'))).to.equal('Your bill');
    await sendKeys({ press: 'Escape' });
    await m.settle();
    expect(q(m.el, 'dialog')).to.equal(null);
    expect(m.cloud.calls).to.deep.equal([]);
  });

  it('the tip changes the amount: 10 / 15 / 20 %, a typed amount, and a typo is refused in words', async () => {
    const m = await mount();
    await openSheet(m);
    await chooseTip(m, '15');
    expect(sum(m.el, 'tip')).to.equal('€3.95'); // 15 % of 26.30 = 3.945, half up
    expect(sum(m.el, 'pay')).to.equal('€30.25');
    expect(text(payButton(m.el))).to.equal('Pay €30.25');
    await chooseTip(m, '20');
    expect(text(payButton(m.el))).to.equal('Pay €31.56');
    await chooseTip(m, 'custom');
    await typeTip(m, '3,20');
    expect(sum(m.el, 'tip')).to.equal('€3.20');
    expect(text(payButton(m.el))).to.equal('Pay €29.50');
    await clean(m.el);

    await typeTip(m, 'lots');
    const input = must<HTMLInputElement>(m.el, 'input[name="tip-amount"]');
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect(text(must(m.el, '#tip-error'))).to.equal('Type the tip as an amount, like 2.50');
    expect(payButton(m.el).getAttribute('aria-disabled')).to.equal('true');
    payButton(m.el).click();
    await m.settle();
    expect(m.cloud.calls).to.deep.equal([]);
    await clean(m.el);

    await chooseTip(m, 'none');
    expect(text(payButton(m.el))).to.equal('Pay €26.30');
  });

  it('Pay posts the checkout with the guest’s session and goes to the processor’s page', async () => {
    const m = await mount();
    await openSheet(m);
    await chooseTip(m, '10');
    payButton(m.el).click();
    await waitFor('the processor page', () => m.page.went.length > 0);
    expect(m.cloud.calls).to.deep.equal([
      {
        method: 'POST',
        url: `/api/v1/venues/${VENUE_ID}/payments/checkout`,
        body: { checkoutId: '01CHECKOUT1', orderId: 'order-1', tip: 263, returnUrl: HREF },
        credentials: 'same-origin',
      },
    ]);
    expect(m.page.went).to.deep.equal([PROCESSOR]);
    expect(text(payButton(m.el))).to.equal('Opening the payment page…');
    expect(payButton(m.el).getAttribute('aria-disabled')).to.equal('true');
    await clean(m.el);
  });

  it('Back from the processor’s page (back-forward cache): the bill again, and Pay sends the same checkout', async () => {
    const m = await mount();
    await openSheet(m);
    payButton(m.el).click();
    await waitFor('the processor page', () => m.page.went.length > 0);
    expect(text(payButton(m.el))).to.equal('Opening the payment page…');
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    await m.settle();
    expect(text(payButton(m.el))).to.equal('Pay €26.30');
    payButton(m.el).click();
    await waitFor('the processor page again', () => m.page.went.length > 1);
    const ids = m.cloud.calls.map((c) => (c.body as { checkoutId: string }).checkoutId);
    expect(ids).to.deep.equal(['01CHECKOUT1', '01CHECKOUT1']);
  });

  it('a checkout that got no answer goes again under the same id; another tip is a new attempt', async () => {
    const m = await mount();
    m.net.controlled = false;
    await openSheet(m);
    m.cloud.unreachable = 1;
    payButton(m.el).click();
    await m.settle();
    expect(notice(m.el)).to.equal(
      'Paying from your phone needs the internet — ask your server to take payment at the table',
    );
    m.cloud.checkout = () => problem(502, 'back_off', 'PROCESSOR_UNREACHABLE');
    payButton(m.el).click();
    await m.settle();
    expect(notice(m.el)).to.match(/^The payment could not be started just now/);
    await chooseTip(m, '20');
    m.cloud.checkout = () => json(201, { checkoutId: '01CHECKOUT2', url: PROCESSOR });
    payButton(m.el).click();
    await waitFor('the processor page', () => m.page.went.length > 0);
    const sent = m.cloud.calls.map((c) => [c.url, (c.body as { checkoutId: string }).checkoutId]);
    expect(sent).to.deep.equal([
      [`/v1/venues/${VENUE_ID}/payments/checkout`, '01CHECKOUT1'],
      [`/v1/venues/${VENUE_ID}/payments/checkout`, '01CHECKOUT1'],
      [`/v1/venues/${VENUE_ID}/payments/checkout`, '01CHECKOUT2'],
    ]);
  });

  it('back with ?checkout=: "Confirming your payment…", then the receipt, and the address without the query', async () => {
    const gates: (() => void)[] = [];
    const delays: number[] = [];
    const m = await mount({
      href: `${HREF}&checkout=01CHECKOUT9`,
      orders: [dinner({ paid: 3630 })],
      wait: (ms) => {
        delays.push(ms);
        return new Promise<void>((resolve) => gates.push(resolve));
      },
      states: [
        () => json(200, { status: 'open' }),
        () => json(200, { status: 'paid', receipt: RECEIPT }),
      ],
    });
    expect(dialog(m.el).open).to.equal(true);
    expect(notice(m.el)).to.equal('Confirming your payment…');
    expect(m.el.hidden).to.equal(false);
    await clean(m.el);
    // The first ask said open; the sheet waits a second before the next.
    expect(delays).to.deep.equal([1000]);
    gates.shift()?.();
    await waitFor('the receipt', () => q(m.el, '.receipt'));
    await m.settle();
    expect(
      [...(m.el.shadowRoot?.querySelectorAll('[data-receipt]') ?? [])].map((d) => [
        d.getAttribute('data-receipt'),
        text(d),
      ]),
    ).to.deep.equal([
      ['amount', '€26.30'],
      ['tip', '€2.63'],
      ['total', '€28.93'],
      ['card', 'Visa ·· 4242'],
      ['reference', 'ch_3PqR'],
      ['time', '23 Nov 2026, 21:41'],
    ]);
    expect(m.page.url).to.equal(HREF);
    expect(m.cloud.calls.map((c) => [c.method, c.url, c.credentials])).to.deep.equal([
      ['GET', `/api/v1/venues/${VENUE_ID}/payments/checkout/01CHECKOUT9`, 'same-origin'],
      ['GET', `/api/v1/venues/${VENUE_ID}/payments/checkout/01CHECKOUT9`, 'same-origin'],
    ]);
    await clean(m.el);
    must<HTMLButtonElement>(m.el, 'button.done').click();
    await m.settle();
    expect(q(m.el, 'dialog')).to.equal(null);
    expect(m.el.hidden).to.equal(true);
  });

  it('no final answer after a few asks, backing off: "Check again", and the query stays for a reload', async () => {
    const m = await mount({ href: `${HREF}&checkout=01CHECKOUT9` });
    await waitFor('the asks to end', () => q(m.el, 'button.check'));
    expect(m.delays).to.deep.equal([1000, 2000, 4000, 8000]);
    expect(m.cloud.calls.length).to.equal(5);
    expect(notice(m.el)).to.match(/^Your payment isn’t confirmed yet/);
    expect(m.page.url).to.equal(`${HREF}&checkout=01CHECKOUT9`);
    await clean(m.el);
    m.cloud.states = [() => json(200, { status: 'paid', receipt: RECEIPT })];
    must<HTMLButtonElement>(m.el, 'button.check').click();
    await waitFor('the receipt', () => q(m.el, '.receipt'));
    expect(m.page.url).to.equal(HREF);
  });

  it('cancelled on the processor’s page: nothing was charged, and Pay again starts a new attempt', async () => {
    const m = await mount({
      href: `${HREF}&checkout=01CHECKOUT7`,
      states: [() => json(200, { status: 'cancelled' })],
    });
    await waitFor('the cancelled sheet', () => q(m.el, 'button.again'));
    expect(notice(m.el)).to.equal('Payment cancelled — nothing was charged');
    expect(m.page.url).to.equal(HREF);
    await clean(m.el);
    must<HTMLButtonElement>(m.el, 'button.again').click();
    await m.settle();
    expect(text(payButton(m.el))).to.equal('Pay €26.30');
    payButton(m.el).click();
    await waitFor('the processor page', () => m.page.went.length > 0);
    const posts = m.cloud.calls.filter((c) => c.method === 'POST').map((c) => c.body);
    expect(posts).to.deep.equal([
      { checkoutId: '01CHECKOUT1', orderId: 'order-1', tip: 0, returnUrl: HREF },
    ]);
  });

  it('offline: says to ask the server, sends nothing and keeps nothing to send later', async () => {
    const m = await mount();
    await openSheet(m);
    m.net.online = false;
    payButton(m.el).click();
    await m.settle();
    const words =
      'Paying from your phone needs the internet — ask your server to take payment at the table';
    expect(notice(m.el)).to.equal(words);
    expect(m.cloud.calls).to.deep.equal([]);
    await clean(m.el);
    // Back online, nothing goes by itself: only a press sends.
    m.net.online = true;
    window.dispatchEvent(new Event('online'));
    await m.settle();
    expect(m.cloud.calls).to.deep.equal([]);
    // The worker's own 503 when the cloud cannot be reached says the same.
    m.cloud.checkout = () => problem(503, 'back_off', 'OFFLINE');
    payButton(m.el).click();
    await m.settle();
    expect(notice(m.el)).to.equal(words);
    expect(m.page.went).to.deep.equal([]);
  });

  it('503 needs_setup: paying by phone is not available here', async () => {
    const m = await mount();
    await openSheet(m);
    m.cloud.checkout = () => problem(503, 'needs_setup', 'PAYMENTS_NOT_CONFIGURED');
    payButton(m.el).click();
    await m.settle();
    expect(notice(m.el)).to.equal('Paying by phone is not available here');
    expect(m.page.went).to.deep.equal([]);
    await clean(m.el);
  });
});
