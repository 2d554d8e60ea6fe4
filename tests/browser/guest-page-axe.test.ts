import { expect } from '@esm-bundle/chai';
import type { GuestPage } from '../../web/guest/guest-page.ts';
import { waitFor } from '../support/wait-for.ts';
import { menuEntities, order, ticket } from '../web/guest-fixtures.ts';
import {
  addItem,
  deepAll,
  maybe,
  menuButton,
  mount,
  openItem,
  PHONE_WIDTH,
  placeButton,
  serious,
  setEntities,
  setOnline,
  settle,
  unmountAll,
  world,
} from './guest-page-support.ts';

// The guest page checked by axe-core in each state a diner meets — the menu, an item sheet,
// the basket (a line flagged, a refusal's notice), the table's order, offline with an order
// not sent, and the ways in that go wrong — on a 360 px phone: no serious or critical
// violation, and every control a thumb can hit (44 × 44 px at least), nothing wider than the
// screen.

afterEach(unmountAll);

async function clean(page: GuestPage): Promise<void> {
  await settle(page);
  const found = await serious(page.parentElement as HTMLElement);
  expect(found, found.join('\n\n')).to.deep.equal([]);
}

/** Controls smaller than 44 × 44 px (a radio or checkbox counts by its label). */
function smallTargets(page: GuestPage): string[] {
  return deepAll(page, 'button, input, textarea, select, a[href]').flatMap((el) => {
    const input = el as HTMLInputElement;
    const target =
      input.type === 'radio' || input.type === 'checkbox' ? (el.closest('label') ?? el) : el;
    const box = target.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) return []; // not shown
    return box.width < 44 || box.height < 44
      ? [`${el.outerHTML.slice(0, 80)} ${Math.round(box.width)}×${Math.round(box.height)}`]
      : [];
  });
}

/** Anything reaching past the phone's width (a sideways scroll a thumb would meet). */
function overflowing(page: GuestPage): string[] {
  const right = (page.parentElement as HTMLElement).getBoundingClientRect().right;
  return deepAll(page, '*')
    .filter((el) => el.getBoundingClientRect().right > right + 0.5)
    .filter((el) => !el.closest('nav'))
    .map((el) => el.outerHTML.slice(0, 80));
}

describe('<hearth-guest-page> accessibility (axe-core, 360 px)', function () {
  this.timeout(20_000);

  it('axe finds low contrast inside the page’s shadow DOM (the check can fail)', async () => {
    const page = await mount(world());
    await waitFor('the menu', () => menuButton(page, 'chips') !== null);
    const faint = document.createElement('p');
    faint.textContent = 'faint';
    faint.setAttribute('style', 'color:#d8d0cc;background:#fbf7f4;margin:0');
    page.shadowRoot?.append(faint);
    const found = await serious(page.parentElement as HTMLElement);
    expect(found.map((f) => f.split(' ')[0])).to.deep.equal(['color-contrast']);
  });

  it('the menu: clean, thumb-sized, within the screen', async () => {
    const page = await mount(world({ entities: menuEntities({ soldOut: ['lemonade'] }) }));
    await waitFor('the menu', () => menuButton(page, 'chips') !== null);
    expect((page.parentElement as HTMLElement).getBoundingClientRect().width).to.equal(PHONE_WIDTH);
    await clean(page);
    expect(smallTargets(page)).to.deep.equal([]);
    expect(overflowing(page)).to.deep.equal([]);
  });

  it('an item sheet with groups, extras, a full group and a note', async () => {
    const page = await mount(world({ entities: menuEntities({ modifiersOut: ['avocado'] }) }));
    await openItem(page, 'burger');
    await clean(page);
    expect(smallTargets(page)).to.deep.equal([]);
    const chicken = await mount(world());
    await openItem(chicken, 'chicken');
    await clean(chicken);
  });

  it('the basket with a sold-out line and a refusal’s notice', async () => {
    const w = world();
    const page = await mount(w);
    await addItem(page, 'chips');
    await addItem(page, 'burger');
    setEntities(w, menuEntities({ soldOut: ['chips'] }));
    await waitFor('Place order disabled', () => placeButton(page).disabled);
    await clean(page);
    expect(smallTargets(page)).to.deep.equal([]);
    expect(overflowing(page)).to.deep.equal([]);
  });

  it('the table’s order: every stage, and an order of this phone not sent, offline', async () => {
    const w = world({
      entities: {
        ...menuEntities(),
        order: [
          order('o1', [
            { id: 'a', itemId: 'chips', name: 'Chips' },
            { id: 'b', itemId: 'burger', name: 'Bistro burger', sent: true },
            { id: 'c', itemId: 'risotto', name: 'Mushroom risotto', sent: true },
            { id: 'd', itemId: 'chicken', name: 'Half chicken', sent: true, voided: true },
          ]),
        ],
        ticket: [
          ticket('t1', 'o1', [{ lineId: 'b', name: 'Bistro burger', ready: true }]),
          ticket('t2', 'o1', [{ lineId: 'c', name: 'Mushroom risotto' }], { status: 'bumped' }),
        ],
      },
    });
    const page = await mount(w);
    await addItem(page, 'risotto');
    setOnline(w, false);
    placeButton(page).click();
    await waitFor(
      'the order not sent',
      () =>
        maybe(page, 'hearth-guest-status')?.shadowRoot?.querySelector('[data-phase="not_sent"]') !=
        null,
    );
    await clean(page);
    expect(smallTargets(page)).to.deep.equal([]);
    expect(overflowing(page)).to.deep.equal([]);
  });

  it('the ways in: unknown table, no table, offline', async () => {
    const unknown = await mount(world(), '13');
    await waitFor('the unknown table’s alert', () => maybe(unknown, '.alert') !== undefined);
    await clean(unknown);
    expect(smallTargets(unknown)).to.deep.equal([]);
    const none = await mount(world(), null);
    await waitFor('the sign-in form', () => maybe(none, 'hearth-sign-in-form') !== undefined);
    await clean(none);
    const offline = await mount(world({ online: false }));
    await waitFor('the offline alert', () => maybe(offline, '.alert') !== undefined);
    await clean(offline);
  });
});
