import { expect } from '@esm-bundle/chai';
import { waitFor } from '../support/wait-for.ts';
import { menuEntities } from '../web/guest-fixtures.ts';
import {
  addItem,
  attach,
  basketLines,
  deep,
  maybe,
  menuButton,
  mount,
  placeButton,
  setEntities,
  setOnline,
  settle,
  text,
  unmountAll,
  world,
} from './guest-page-support.ts';

// The menu live as the kitchen changes it (a dish 86'd greys out on the menu and warns in the
// basket), and the way in: a QR code for a table the venue does not know, none at all, or no
// connection, each said plainly with what to do.

afterEach(unmountAll);

describe('<hearth-guest-page>: the menu, live', () => {
  it('86 a dish: greyed and "Sold out" on the menu, and the basket line holding it warns', async () => {
    const w = world();
    const page = await mount(w);
    await addItem(page, 'chips');
    await addItem(page, 'risotto');
    expect(placeButton(page).disabled).to.equal(false);

    setEntities(w, menuEntities({ soldOut: ['chips'] }));
    await waitFor('the 86', () => menuButton(page, 'chips')?.disabled === true);
    const chips = menuButton(page, 'chips');
    expect(text(chips?.querySelector('.cta') ?? undefined)).to.equal('Sold out');
    expect(getComputedStyle(chips as HTMLElement).backgroundColor).to.equal('rgb(241, 236, 232)');
    expect(menuButton(page, 'risotto')?.disabled).to.equal(false);

    const [held, other] = basketLines(page);
    expect(text(held?.querySelector('.problem') ?? undefined)).to.equal(
      'Sold out — remove it to order',
    );
    expect(held?.hasAttribute('data-problem')).to.equal(true);
    expect(other?.querySelector('.problem')).to.equal(null);
    expect(placeButton(page).disabled).to.equal(true);
    expect(text(deep(page, '#place-why'))).to.equal('Chips can’t be ordered — see your basket');

    // Back on: the menu and the basket follow.
    setEntities(w, menuEntities());
    await waitFor('back on', () => menuButton(page, 'chips')?.disabled === false);
    expect(placeButton(page).disabled).to.equal(false);
  });

  it('a reopened page paints the menu it kept in its first frame, then the live one', async () => {
    const w = world();
    await mount(w);
    await waitFor('kept', () => w.storage.getItem('hearth.guest.menu:demo-bistro') !== null);
    unmountAll();

    // Meanwhile the kitchen 86'd the chips; the phone has not heard yet.
    w.entities = menuEntities({ soldOut: ['chips'] });
    const page = attach(w);
    await page.updateComplete;
    // The first frame: the kept menu, before any service has started.
    expect(menuButton(page, 'chips')?.disabled).to.equal(false);
    expect(maybe(page, 'hearth-resilience-banner')).to.equal(undefined);
    expect(text(deep(page, 'h1'))).to.equal('Demo Bistro');
    // Then the live menu takes over.
    await waitFor('the live menu', () => menuButton(page, 'chips')?.disabled === true);
    expect(maybe(page, 'hearth-resilience-banner')).not.to.equal(undefined);
  });

  it('a sold-out choice is disabled in the sheet with its words', async () => {
    const w = world({ entities: menuEntities({ modifiersOut: ['side-fries'] }) });
    const page = await mount(w);
    await waitFor('the chicken on the menu', () => menuButton(page, 'chicken') !== null);
    menuButton(page, 'chicken')?.click();
    await settle(page);
    const fries = deep(deep(page, 'hearth-item-sheet'), '[data-modifier="side-fries"]');
    expect(text(fries)).to.equal('Fries — sold out');
    expect(fries.querySelector('input')?.disabled).to.equal(true);
  });
});

describe('<hearth-guest-page>: opening the table', () => {
  it('a table the venue does not know: says so plainly and what to do', async () => {
    const w = world();
    const page = await mount(w, '13');
    await waitFor('the refusal', () => maybe(page, '.alert') !== undefined);
    const alert = deep(page, '.alert');
    expect(alert.getAttribute('role')).to.equal('alert');
    expect(text(alert)).to.contain(
      'This QR code is for a table we can’t find (table “13”). Please ask a member of staff',
    );
    // The guest may type the number on the card instead.
    expect(maybe(page, 'hearth-sign-in-form')).to.not.equal(undefined);
    expect(maybe(page, 'hearth-guest-menu')).to.equal(undefined);
  });

  it('no table in the URL: how to get one, and a field to type it', async () => {
    const w = world();
    const page = await mount(w, null);
    await waitFor('the table question', () => text(page).includes('Which table are you at?'));
    expect(text(page)).to.contain('Scan the QR code on your table');
    expect(w.requests).to.deep.equal([]);
    const form = deep(page, 'hearth-sign-in-form');
    const input = deep<HTMLInputElement>(form, 'input[name="table"]');
    expect(input.closest('label')?.textContent).to.contain('Table number');
    input.value = '5';
    deep<HTMLButtonElement>(form, 'button[type="submit"]').click();
    await waitFor('the menu', () => menuButton(page, 'chips') !== null);
    expect(text(deep(page, 'header'))).to.equal('Demo Bistro Table 5');
  });

  it('offline on the first visit: says so, and opens the table by itself when back online', async () => {
    const w = world({ online: false });
    const page = await mount(w);
    await waitFor('the offline notice', () => text(page).includes('You’re offline'));
    expect(text(deep(page, '.alert'))).to.contain('we’ll try again as soon as you’re back online');
    setOnline(w, true);
    await waitFor('the menu', () => menuButton(page, 'chips') !== null);
  });
});
