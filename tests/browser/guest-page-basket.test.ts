import { expect } from '@esm-bundle/chai';
import { waitFor } from '../support/wait-for.ts';
import {
  addItem,
  announced,
  basketLines,
  deep,
  deepAll,
  GUEST,
  maybe,
  menuButton,
  mount,
  placeButton,
  setOnline,
  settle,
  text,
  unmountAll,
  world,
} from './guest-page-support.ts';

// The guest page in Chromium at 360 px: the QR code's URL opens the table with no form, the
// menu shows by category, and the basket is kept on the phone — a reload (the page mounted
// again on the same storage) finds it as it was.

afterEach(unmountAll);

describe('<hearth-guest-page>: opening the table and the basket', () => {
  it('signs in from the URL alone and shows the menu by category, with prices and words', async () => {
    const w = world();
    const page = await mount(w, '5');
    await waitFor('the menu', () => menuButton(page, 'burger') !== null);
    expect(w.requests[0]).to.deep.equal({
      url: '/api/v1/auth/guest',
      body: { venueId: 'demo-bistro', table: '5' },
    });
    expect(maybe(page, 'hearth-sign-in-form')).to.equal(undefined);
    expect(w.saved).to.deep.equal(GUEST);
    expect(text(deep(page, 'header'))).to.equal('Demo Bistro Table 5');
    const menu = deep(page, 'hearth-guest-menu');
    expect(deepAll(menu, 'nav button').map((b) => text(b))).to.deep.equal([
      'Small plates to share',
      'Mains',
      'Sides',
      'Drinks',
    ]);
    expect(text(menuButton(page, 'burger') ?? undefined)).to.equal(
      'Bistro burger €16.50 Aged beef, brioche, pickles. Contains: gluten, milk Add',
    );
    expect(text(menuButton(page, 'risotto') ?? undefined)).to.contain('Vegetarian');
  });

  it('a dish added to the basket is still there after a reload, with its total', async () => {
    const w = world();
    const page = await mount(w, '5');
    await addItem(page, 'chips');
    expect(announced(page)).to.equal('Added 1 × Chips to your basket');
    await addItem(page, 'risotto');
    expect(basketLines(page).map((l) => text(l.querySelector('.name') ?? undefined))).to.deep.equal(
      ['1 × Chips', '1 × Mushroom risotto'],
    );
    expect(text(placeButton(page))).to.equal('Place order · €23.00');
    expect(text(deep(page, '[data-action="view-basket"]'))).to.equal(
      'View basket · 2 items · €23.00',
    );
    // The bar takes the guest to the basket, and steps aside while the basket is on screen.
    deep<HTMLButtonElement>(page, '[data-action="view-basket"]').click();
    const basket = deep(page, 'hearth-guest-basket');
    expect(basket.shadowRoot?.activeElement?.id).to.equal('basket-title');
    await waitFor('the bar aside', () => maybe(page, '[data-action="view-basket"]') === undefined);
    window.scrollTo(0, 0);
    await waitFor('the bar back', () => maybe(page, '[data-action="view-basket"]') !== undefined);

    unmountAll();
    const signIns = w.requests.length;
    const again = await mount(w, '5');
    await waitFor('the kept basket', () => basketLines(again).length === 2);
    // The session the first load opened is kept: no second sign-in, the same table.
    expect(w.requests.length).to.equal(signIns);
    expect(
      basketLines(again).map((l) => text(l.querySelector('.name') ?? undefined)),
    ).to.deep.equal(['1 × Chips', '1 × Mushroom risotto']);
    expect(text(placeButton(again))).to.equal('Place order · €23.00');
  });

  it('reopened with no connection: the table, the menu and the basket are all there', async () => {
    const w = world();
    const page = await mount(w, '5');
    await addItem(page, 'chips');
    unmountAll();
    setOnline(w, false);
    const offline = await mount(w, '5');
    await waitFor('the kept basket', () => basketLines(offline).length === 1);
    expect(menuButton(offline, 'burger')).to.not.equal(null);
    expect(text(placeButton(offline))).to.equal('Place order · €4.50');
    expect(w.requests.filter((r) => r.url.endsWith('/auth/guest'))).to.have.length(1);
  });

  it('+ and − change a line’s quantity and the totals; Remove takes it out', async () => {
    const w = world();
    const page = await mount(w, '5');
    await addItem(page, 'chips');
    const more = deep<HTMLButtonElement>(page, 'button[aria-label="One more Chips"]');
    more.click();
    await settle(page);
    expect(announced(page)).to.equal('Chips: 2 in your basket');
    expect(text(deep(page, '[data-total="total"]'))).to.equal('€9.00');
    expect(text(deep(page, '[data-total="tax"]'))).to.equal('€0.82');
    deep<HTMLButtonElement>(page, 'button[aria-label="One fewer Chips"]').click();
    await settle(page);
    expect(text(deep(page, '[data-total="total"]'))).to.equal('€4.50');
    deep<HTMLButtonElement>(page, 'button[aria-label="Remove Chips"]').click();
    await settle(page);
    expect(basketLines(page)).to.have.length(0);
    expect(announced(page)).to.equal('Removed Chips from your basket');
    expect(text(deep(page, 'hearth-guest-basket'))).to.contain(
      'Nothing yet — tap a dish to add it.',
    );
    expect(maybe(page, '[data-action="view-basket"]')).to.equal(undefined);
  });

  it('a basket is kept per table: another table’s QR code opens an empty one', async () => {
    const w = world();
    const page = await mount(w, '5');
    await addItem(page, 'chips');
    unmountAll();
    // Another table (the test's origin knows only table 5): a new sign-in is asked for.
    const other = await mount(w, '13');
    await waitFor('the refusal', () => text(other).includes('We can’t find this table'));
    expect(w.requests.at(-1)).to.deep.equal({
      url: '/api/v1/auth/guest',
      body: { venueId: 'demo-bistro', table: '13' },
    });
  });
});
