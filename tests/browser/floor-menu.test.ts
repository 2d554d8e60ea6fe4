import { expect } from '@esm-bundle/chai';
import '../../web/floor/menu-availability.ts';
import type { MenuAvailability } from '../../web/floor/menu-availability.ts';
import type { AvailabilityItem } from '../../web/floor/menu-availability-state.ts';
import {
  clean,
  floorFrame,
  recorder,
  settle,
  targetsFit,
  text,
  unmountFloor,
} from './floor-support.ts';

// `<hearth-menu-availability>` in Chromium: the menu set by hand as the local view would bring
// it (a toggled dish's new state comes back through `items`), ops landing in a list.

const categories = [
  { id: 'c-start', name: 'Starters', position: 1 },
  { id: 'c-mains', name: 'Mains', position: 2 },
];
const menu: AvailabilityItem[] = [
  { id: 'i-soup', categoryId: 'c-start', name: 'Soup', available: true },
  { id: 'i-burger', categoryId: 'c-mains', name: 'Burger', available: true },
  { id: 'i-fish', categoryId: 'c-mains', name: 'Fish', available: false },
];

async function mount(
  role: 'kitchen' | 'server' = 'kitchen',
  status: 'pending' | 'synced' = 'pending',
) {
  const { sent, submit } = recorder(() => status);
  const el = document.createElement('hearth-menu-availability');
  el.items = menu;
  el.categories = categories;
  el.staffRole = role;
  el.submit = submit;
  floorFrame().append(el);
  await el.updateComplete;
  return { el, sent };
}

const groups = (el: MenuAvailability) =>
  [...(el.shadowRoot?.querySelectorAll<HTMLElement>('[data-group]') ?? [])].map((g) => [
    text(g.querySelector('h3')),
    [...g.querySelectorAll<HTMLElement>('[data-item]')].map((d) => d.dataset.item),
  ]);
const toggle = (el: MenuAvailability, id: string) => {
  const found = el.shadowRoot?.querySelector<HTMLButtonElement>(`[data-toggle="${id}"]`);
  if (!found) throw new Error(`no toggle for ${id}`);
  return found;
};
const live = (el: MenuAvailability) => text(el.shadowRoot?.querySelector('[role="status"]'));

afterEach(unmountFloor);

describe('<hearth-menu-availability>', () => {
  it('sold out first, then the menu by category; each dish’s state in words and a big toggle', async () => {
    const { el } = await mount();
    expect(groups(el)).to.deep.equal([
      ['Sold out now (1)', ['i-fish']],
      ['Starters (1)', ['i-soup']],
      ['Mains (1)', ['i-burger']],
    ]);
    expect(text(toggle(el, 'i-burger'))).to.equal('86');
    expect(toggle(el, 'i-burger').getAttribute('aria-label')).to.equal('86: Burger');
    expect(text(toggle(el, 'i-fish'))).to.equal('Back on');
    expect(text(el.shadowRoot?.querySelector('[data-item="i-fish"]'))).to.contain(
      'Sold out · Mains',
    );
    targetsFit(el);
    await clean(el);
  });

  it('86 a dish: the op, the words, its sync state; it moves to "Sold out now" and the focus follows', async () => {
    const { el, sent } = await mount();
    const button = toggle(el, 'i-burger');
    button.focus();
    button.click();
    await settle(el);
    expect(sent.map(({ type, payload }) => ({ type, payload }))).to.deep.equal([
      { type: 'menu.item.setAvailability', payload: { itemId: 'i-burger', available: false } },
    ]);
    expect(live(el)).to.equal('Burger marked sold out (86)');
    expect(text(el.shadowRoot?.querySelector('[data-item="i-burger"] .sync'))).to.equal(
      'not sent yet',
    );

    // The local view decides the op on top: the dish is sold out now.
    el.items = menu.map((i) => (i.id === 'i-burger' ? { ...i, available: false } : i));
    await settle(el);
    expect(groups(el)[0]).to.deep.equal(['Sold out now (2)', ['i-burger', 'i-fish']]);
    expect(el.shadowRoot?.activeElement).to.equal(toggle(el, 'i-burger'));
    expect(text(toggle(el, 'i-burger'))).to.equal('Back on');
    await clean(el);

    el.ops = [{ opId: 'op-1', status: 'synced' }];
    await settle(el);
    expect(el.shadowRoot?.querySelector('[data-item="i-burger"] .sync')).to.equal(null);

    toggle(el, 'i-burger').click();
    await settle(el);
    expect(sent[1]?.payload).to.deep.equal({ itemId: 'i-burger', available: true });
    expect(live(el)).to.equal('Burger back on');
  });

  it('search narrows the list and says how many match', async () => {
    const { el } = await mount();
    const input = el.shadowRoot?.querySelector<HTMLInputElement>('input[type="search"]');
    if (!input) throw new Error('no search');
    expect(input.labels?.[0]?.textContent).to.contain('Find a dish');
    input.value = 'bur';
    input.dispatchEvent(new Event('input'));
    await settle(el);
    expect(groups(el)).to.deep.equal([['Mains (1)', ['i-burger']]]);
    expect(text(el.shadowRoot?.querySelector('#count'))).to.equal('1 dish');
    input.value = 'pizza';
    input.dispatchEvent(new Event('input'));
    await settle(el);
    expect(groups(el)).to.deep.equal([]);
    expect(text(el.shadowRoot?.querySelector('#count'))).to.equal('No dish matches “pizza”');
    await clean(el);
  });

  it('a server sees what is sold out but has no toggles', async () => {
    const { el } = await mount('server');
    expect(el.shadowRoot?.querySelectorAll('[data-toggle]').length).to.equal(0);
    expect(text(el.shadowRoot)).to.contain('Only the kitchen and managers mark dishes sold out.');
    await clean(el);
  });
});
