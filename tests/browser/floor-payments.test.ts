import { expect } from '@esm-bundle/chai';
import '../../web/floor/payments-view.ts';
import type { FloorPayments } from '../../web/floor/payments-view.ts';
import {
  CARD_ID,
  CASH_ID,
  HOUR,
  MIN,
  NOW,
  STAFF,
  STORED_ID,
  settings,
  snapshotOf,
} from '../web/payments-fixtures.ts';
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

// `<hearth-floor-payments>` in Chromium: the local view's evening from the shared fixtures,
// time in the test's hands (the device clock; no fetch, so no server time), refunds and limits
// landing in a list as the page's outbox would take them.

async function mount(role: 'manager' | 'owner' | 'server' = 'manager', parts = {}) {
  const time = new HandTime(NOW);
  const { sent, submit } = recorder(() => 'pending');
  const el = document.createElement('hearth-floor-payments');
  el.services = { clock: time.clock };
  el.timers = time.timers;
  el.staffRole = role;
  el.names = STAFF;
  el.snapshot = snapshotOf(parts);
  el.submit = submit;
  floorFrame(600).append(el);
  await el.updateComplete;
  return { el, time, sent };
}

const $ = <T extends Element = HTMLElement>(el: FloorPayments, selector: string): T => {
  const found = el.shadowRoot?.querySelector<T>(selector);
  if (!found) throw new Error(`no ${selector}`);
  return found;
};
/** A definition list as "term: value" lines. */
const facts = (dl: Element): string[] =>
  [...dl.querySelectorAll('dt')].map((dt) => `${text(dt)}: ${text(dt.nextElementSibling)}`);
const maybe = (el: FloorPayments, selector: string) => el.shadowRoot?.querySelector(selector);
const type = async (input: HTMLInputElement, value: string) => {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
};

afterEach(unmountFloor);

describe('<hearth-floor-payments>', () => {
  it('a server sees nothing of the venue’s payments', async () => {
    const { el } = await mount('server');
    expect(text(el.shadowRoot)).to.contain('Only managers and owners');
    expect(maybe(el, '[data-today]')).to.equal(null);
    await clean(el);
  });

  it('the stored payment counts down every second, and says when new ones stop', async () => {
    const { el, time } = await mount();
    const row = $(el, `[data-stored="${STORED_ID}"]`);
    expect(text(row)).to.contain('Table 5').and.contain('€40.00 + €5.00 tip');
    expect(text(row)).to.contain('Visa ·· 4242').and.contain('by Sam on Bar tablet');
    expect(text($(el, '[data-countdown]'))).to.equal('71:30:00');
    expect(text(row)).to.contain('71 h 30 min left');
    time.advance(1_000);
    await el.updateComplete;
    expect(text($(el, '[data-countdown]'))).to.equal('71:29:59');
    expect(text($(el, '[data-no-new]'))).to.contain(
      'New offline card payments stop in 23 h 29 min',
    );
    expect(facts($(el, '[data-held]'))).to.deep.equal([
      'The venue: €45.00 of €5,000.00',
      'Bar tablet: €45.00 of €2,500.00',
    ]);
    expect(maybe(el, '[data-banner]')).to.equal(null);
  });

  it('counts down by the server’s clock once /healthz has answered with its Date', async () => {
    const time = new HandTime(NOW);
    const el = document.createElement('hearth-floor-payments');
    // The server's clock is an hour ahead of this tablet's.
    const fetchFake: typeof fetch = async () =>
      new Response('{}', { headers: { Date: new Date(NOW + 3_600_000).toUTCString() } });
    el.services = { clock: time.clock, fetch: fetchFake };
    el.timers = time.timers;
    el.staffRole = 'manager';
    el.names = STAFF;
    el.snapshot = snapshotOf();
    floorFrame(600).append(el);
    await el.updateComplete;
    expect(text($(el, '[data-offline]'))).to.contain('Times by this tablet’s clock');
    await new Promise((resolve) => setTimeout(resolve, 20));
    time.advance(1_000);
    await el.updateComplete;
    // 71:30:00 less the hour and the second, give or take the half second the Date header hides.
    expect(text($(el, '[data-countdown]'))).to.match(/^70:29:(59|58|00)$/);
    expect(text($(el, '[data-offline]'))).to.not.contain('Times by this tablet’s clock');
  });

  it('Escape puts the refund form away and gives the focus back to Refund', async () => {
    const { el, sent } = await mount();
    $(el, `[data-payment="${CARD_ID}"] [data-action="refund"]`).click();
    await settle(el);
    $(el, `#refund-amount-${CARD_ID}`).dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }),
    );
    await settle(el);
    expect(Boolean(maybe(el, '[data-refund-form]'))).to.equal(false);
    expect(el.shadowRoot?.activeElement?.getAttribute('aria-label')).to.match(
      /^Refund Card €30\.00/,
    );
    expect(sent).to.have.length(0);
  });

  it('the banner comes at 4 h and turns urgent at 12 h (said once each), and flags expired ones', async () => {
    const { el, time } = await mount();
    const live = () => text(el.shadowRoot?.querySelector('[role="status"]'));
    // Stored 30 min before NOW: 4 h old at NOW + 3.5 h.
    time.advance(3.5 * HOUR - MIN);
    await el.updateComplete;
    expect(maybe(el, '[data-banner]')).to.equal(null);
    time.advance(MIN);
    await el.updateComplete;
    expect($(el, '[data-banner]').dataset.banner).to.equal('alert');
    expect(text($(el, '[data-banner]'))).to.contain('waited over 4 h');
    expect(live()).to.contain('waited over 4 h');
    time.advance(8 * HOUR);
    await el.updateComplete;
    expect($(el, '[data-banner]').dataset.banner).to.equal('urgent');
    expect(text($(el, '[data-banner]'))).to.contain('waited over 12 h');
    expect(live()).to.contain('waited over 12 h');
    await clean(el);
    time.advance(60 * HOUR + 1_000);
    await el.updateComplete;
    expect($(el, '[data-banner]').dataset.banner).to.equal('expired');
    expect(text($(el, `[data-stored="${STORED_ID}"]`))).to.contain('Expired: follow up');
    await clean(el);
  });

  it('today’s payments with their status and refunds; Refund sends a refund.request, said to go when online', async () => {
    const { el, sent } = await mount();
    const ids = [...(el.shadowRoot?.querySelectorAll<HTMLElement>('[data-payment]') ?? [])].map(
      (li) => li.dataset.payment,
    );
    expect(ids[0]).to.equal(CASH_ID);
    const cardRow = $(el, `[data-payment="${CARD_ID}"]`);
    expect(text(cardRow)).to.contain('Refund €10.00 · Cold soup · Mia');
    expect(text(cardRow)).to.contain('Approved: the cloud sends it to the card processor');
    // The stored one cannot be refunded yet.
    expect(maybe(el, `[data-payment="${STORED_ID}"] [data-action="refund"]`)).to.equal(null);

    $(el, `[data-payment="${CARD_ID}"] [data-action="refund"]`).click();
    await settle(el);
    const amount = $<HTMLInputElement>(el, `#refund-amount-${CARD_ID}`);
    expect(amount.value).to.equal('22.00');
    expect(el.shadowRoot?.activeElement).to.equal(amount);
    await clean(el);
    targetsFit(el);

    // Too much: refused with the reason, nothing sent.
    await type(amount, '30');
    $(el, `[data-payment="${CARD_ID}"] [data-action="send-refund"]`).click();
    await settle(el);
    expect(text($(el, '[data-refund-error]'))).to.equal(
      'At most €22.00 is left to refund on this payment.',
    );
    expect(sent).to.have.length(0);

    await type($<HTMLInputElement>(el, `#refund-amount-${CARD_ID}`), '12.50');
    await type($<HTMLInputElement>(el, `#refund-reason-${CARD_ID}`), 'Wrong wine');
    $(el, `[data-payment="${CARD_ID}"] [data-action="send-refund"]`).click();
    await settle(el);
    expect(sent).to.have.length(1);
    expect(sent[0]).to.deep.include({ type: 'refund.request' });
    expect(sent[0]?.payload).to.deep.equal({
      refundId: 'new-1',
      paymentId: CARD_ID,
      amount: 1_250,
      reason: 'Wrong wine',
    });
    expect(text($(el, `[data-payment="${CARD_ID}"] [data-sync]`))).to.not.equal('');
    expect(text(el.shadowRoot?.querySelector('[role="status"]'))).to.contain(
      'it will be sent when online',
    );
  });

  it('the end-of-day report for today, provisional while changes wait; another date', async () => {
    const { el } = await mount('manager', { pendingCount: 2, savedLocalCount: 1 });
    expect($<HTMLInputElement>(el, '#report-date').value).to.equal('2026-12-05');
    expect(text($(el, '[data-provisional]'))).to.equal(
      'Provisional: 3 changes not in the cloud yet.',
    );
    expect(facts($(el, '[data-sales]'))).to.deep.equal([
      'Cash: €20.00',
      'Card, approved: €30.00',
      'Card, stored (not authorised yet): €40.00',
      'Card, authorised after the outage: €0.00',
      'Sales: €90.00',
      'Tips: €7.00 (cash €0.00, card €7.00)',
      'Refunded: €0.00, €10.00 waiting',
      'Voided checks: 0 (€0.00)',
      'Voided dishes: 0 (€0.00)',
      'Declined after the outage: 1 (€28.00, not sales)',
      'Checks closed: 1 (€60.00)',
      'Cash rounding: €0.00',
    ]);
    expect(text($(el, '[data-report]'))).to.contain('difference −€2.00 · Change given twice');
    // A new snapshot (the feed brought the stored payment's decline) is a new report.
    el.snapshot = snapshotOf({ payments: [], pendingCount: 0 });
    await el.updateComplete;
    expect(facts($(el, '[data-sales]'))).to.include('Sales: €0.00');
    expect(maybe(el, '[data-provisional]')).to.equal(null);
    const date = $<HTMLInputElement>(el, '#report-date');
    date.value = '2026-12-04';
    date.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect(facts($(el, '[data-sales]'))).to.include('Sales: €0.00');
    expect(text($(el, '[data-balanced]'))).to.contain('Balanced');
    await clean(el);
  });

  it('the owner changes the offline card limits; a manager only reads them', async () => {
    const manager = await mount('manager');
    expect(maybe(manager.el, '[data-limits-form]')).to.equal(null);
    expect(text($(manager.el, '[data-limits]'))).to.contain('Only the owner changes them');
    unmountFloor();

    const { el, sent } = await mount('owner');
    const field = (key: string) => $<HTMLInputElement>(el, `#limit-${key}`);
    expect(field('perTransaction').value).to.equal('200.00');
    await type(field('withManagerApproval'), '100');
    $(el, '[data-action="save-limits"]').click();
    await settle(el);
    expect(text($(el, '#limit-withManagerApproval-error'))).to.equal(
      'At least the per-payment limit.',
    );
    expect(el.shadowRoot?.activeElement).to.equal(field('withManagerApproval'));
    expect(sent).to.have.length(0);
    await clean(el);
    await type(field('withManagerApproval'), '600');
    await type(field('perTransaction'), '250');
    $(el, '[data-action="save-limits"]').click();
    await settle(el);
    expect(sent).to.have.length(1);
    expect(sent[0]?.type).to.equal('settings.offlineCard.set');
    expect(sent[0]?.payload).to.deep.equal({
      policy: { ...settings().offlineCard, perTransaction: 25_000, withManagerApproval: 60_000 },
    });
    targetsFit(el);
    await clean(el);
  });
});
