import { expect } from '@esm-bundle/chai';
import { waitFor } from '../support/wait-for.ts';
import { menuEntities, order } from '../web/guest-fixtures.ts';
import {
  deepAll,
  maybe,
  mount,
  serious,
  setEntities,
  settle,
  text,
  unmountAll,
  world,
} from './guest-page-support.ts';

// The pay entry in the guest page itself: it loads after the first paint, shows while the
// table's tab owes something, and goes when the feed says it is paid.

afterEach(unmountAll);

const tab = (paid?: number) =>
  order(
    'o-tab',
    [
      { id: 'l1', itemId: 'burger', name: 'Bistro burger', sent: true, quantity: 2 },
      { id: 'l2', itemId: 'chips', name: 'Chips', sent: true },
    ],
    paid === undefined ? {} : { paid },
  );

const payEntry = (page: HTMLElement): HTMLButtonElement | undefined => {
  const pay = maybe(page, 'hearth-guest-pay');
  return pay ? deepAll<HTMLButtonElement>(pay, 'button[data-pay-order]')[0] : undefined;
};

describe('the guest page’s pay entry', () => {
  it('a table with nothing to pay has no entry, and the page has no gap where it would be', async () => {
    const w = world({ entities: { ...menuEntities(), order: [tab(3000)] } });
    const page = await mount(w);
    // Before its code has loaded (this test runs first) the element is already hidden: the
    // page's grid leaves no gap for it.
    const early = await waitFor('the pay element', () => maybe(page, 'hearth-guest-pay'));
    expect(early.hasAttribute('hidden')).to.equal(true);
    await waitFor('the pay sheet’s code', () => customElements.get('hearth-guest-pay'));
    await settle(page);
    const pay = maybe(page, 'hearth-guest-pay');
    expect(pay?.hidden).to.equal(true);
    expect(pay?.getBoundingClientRect().height).to.equal(0);
    expect(getComputedStyle(pay as HTMLElement).display).to.equal('none');
  });

  it('"Pay the bill" with what is owed, gone once the feed says it is paid', async () => {
    const w = world({ entities: { ...menuEntities(), order: [tab(500)] } });
    const page = await mount(w);
    const entry = await waitFor('the pay entry', () => payEntry(page));
    expect(text(entry)).to.equal('Pay the bill · €25.00');
    const found = await serious(page.parentElement as HTMLElement);
    expect(found, found.join('\n\n')).to.deep.equal([]);

    entry.click();
    await settle(page);
    const dialog = maybe<HTMLDialogElement>(page, 'hearth-guest-pay')?.shadowRoot?.querySelector(
      'dialog',
    );
    expect(dialog?.open).to.equal(true);
    dialog?.querySelector<HTMLButtonElement>('button.close')?.click();
    await settle(page);

    setEntities(w, { ...w.entities, order: [tab(3000)] });
    await settle(page);
    expect(payEntry(page)).to.equal(undefined);
    expect(maybe(page, 'hearth-guest-pay')?.hidden).to.equal(true);
  });
});
