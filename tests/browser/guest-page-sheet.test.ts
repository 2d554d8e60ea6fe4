import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import type { GuestPage } from '../../web/guest/guest-page.ts';
import type { ItemSheet } from '../../web/guest/item-sheet.ts';
import { menuEntities, settings } from '../web/guest-fixtures.ts';
import {
  addButton,
  announced,
  basketLines,
  deep,
  deepAll,
  maybe,
  menuButton as menuButtonOf,
  mount,
  openItem,
  settle,
  text,
  unmountAll,
  world,
} from './guest-page-support.ts';

// The item sheet in Chromium: a group's rule in words, radios and checkboxes as the rule says,
// Add off (with the reason) until every rule holds, the line's price on it, and the keyboard.

afterEach(unmountAll);

/** Picks the first side from the keyboard: Space on the focused radio. */
async function pickSideByKeys(page: GuestPage): Promise<void> {
  const first = option(page, 'chicken-side', 'side-fries');
  first.focus();
  await sendKeys({ press: 'Space' });
  await settle(page);
  expect(first.checked).to.equal(true);
  expect(addButton(page).disabled).to.equal(false);
}

const sheet = (page: HTMLElement) => deep<ItemSheet>(page, 'hearth-item-sheet');
const group = (page: HTMLElement, id: string) =>
  deep<HTMLFieldSetElement>(sheet(page), `fieldset[data-group="${id}"]`);
const option = (page: HTMLElement, groupId: string, modifierId: string) =>
  deep<HTMLInputElement>(group(page, groupId), `[data-modifier="${modifierId}"] input`);

describe('<hearth-guest-page>: the item sheet', () => {
  it('cannot add the half chicken until exactly 1 side is chosen', async () => {
    const page = await mount(world());
    await openItem(page, 'chicken');
    expect(text(deep(group(page, 'chicken-side'), 'legend'))).to.equal('Side Choose 1');
    expect(option(page, 'chicken-side', 'side-fries').type).to.equal('radio');
    expect(addButton(page).disabled).to.equal(true);
    expect(text(deep(sheet(page), '#add-reason'))).to.equal('Choose exactly 1 of Side to add this');
    expect(addButton(page).getAttribute('aria-describedby')).to.equal('add-reason');

    option(page, 'chicken-side', 'side-mash').click();
    await settle(page);
    expect(addButton(page).disabled).to.equal(false);
    expect(text(addButton(page))).to.equal('Add 1 to basket · €22.00');
    expect(maybe(sheet(page), '#add-reason')).to.equal(undefined);

    // Another side replaces it: a radio group holds one.
    option(page, 'chicken-side', 'side-salad').click();
    await settle(page);
    expect(option(page, 'chicken-side', 'side-mash').checked).to.equal(false);
    expect(option(page, 'chicken-side', 'side-salad').checked).to.equal(true);
    expect(text(addButton(page))).to.equal('Add 1 to basket · €21.50');

    addButton(page).click();
    await settle(page);
    expect(deep<HTMLDialogElement>(sheet(page), 'dialog').open).to.equal(false);
    expect(announced(page)).to.equal('Added 1 × Half chicken to your basket');
    expect(text(basketLines(page)[0])).to.contain('Green salad');
  });

  it('can’t pick a 4th extra: up to 3, the rest disabled until one is unticked', async () => {
    const page = await mount(world());
    await openItem(page, 'burger');
    expect(text(deep(group(page, 'burger-extras'), 'legend'))).to.equal('Extras Up to 3');
    for (const id of ['extra-cheese', 'add-bacon', 'gluten-free-bun']) {
      option(page, 'burger-extras', id).click();
      await settle(page);
    }
    const fourth = option(page, 'burger-extras', 'avocado');
    expect(fourth.type).to.equal('checkbox');
    expect(fourth.disabled).to.equal(true);
    fourth.click();
    await settle(page);
    expect(fourth.checked).to.equal(false);
    expect(
      deepAll<HTMLInputElement>(group(page, 'burger-extras'), 'input:checked').length,
    ).to.equal(3);
    // 16.50 + 1.50 + 2.50 + 1.00
    expect(text(addButton(page))).to.equal('Add 1 to basket · €21.50');

    option(page, 'burger-extras', 'add-bacon').click();
    await settle(page);
    expect(option(page, 'burger-extras', 'avocado').disabled).to.equal(false);
    // Cooking is "up to 1": radios with None, nothing required.
    expect(text(deep(group(page, 'doneness'), 'legend'))).to.equal('Cooking Up to 1');
    expect(deepAll(group(page, 'doneness'), 'input[type="radio"]').length).to.equal(3);
    expect(addButton(page).disabled).to.equal(false);
  });

  it('quantity and the note go on the line; the price follows the quantity', async () => {
    const page = await mount(world());
    await openItem(page, 'risotto');
    deep<HTMLButtonElement>(sheet(page), 'button[aria-label="One more"]').click();
    await settle(page);
    expect(text(addButton(page))).to.equal('Add 2 to basket · €37.00');
    const note = deep<HTMLTextAreaElement>(sheet(page), 'textarea');
    expect(note.closest('label')?.textContent).to.contain('Note for the kitchen');
    note.value = 'no truffle oil';
    note.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    await settle(page);
    addButton(page).click();
    await settle(page);
    expect(announced(page)).to.equal('Added 2 × Mushroom risotto to your basket');
    expect(text(basketLines(page)[0])).to.contain('“no truffle oil”');
  });

  it('no note field where the venue takes no notes from the table', async () => {
    const w = world({
      entities: menuEntities({
        settings: settings({
          guestOrdering: { approval: false, lineNotes: false, callCooldownSec: 60 },
        }),
      }),
    });
    const page = await mount(w);
    await openItem(page, 'risotto');
    expect(maybe(sheet(page), 'textarea')).to.equal(undefined);
  });

  it('a dish opened right after another was added keeps its sheet open', async () => {
    const page = await mount(world());
    await openItem(page, 'risotto');
    addButton(page).click();
    // The dialog closes in this render; its close event comes a task later, after the next tap.
    await page.updateComplete;
    await sheet(page).updateComplete;
    menuButtonOf(page, 'chips')?.click();
    await page.updateComplete;
    await sheet(page).updateComplete;
    await settle(page);
    expect(deep<HTMLDialogElement>(sheet(page), 'dialog').open).to.equal(true);
    expect(text(deep(sheet(page), '#sheet-title'))).to.equal('Chips');
  });

  it('keyboard: the sheet is a modal dialog, Escape closes it without adding', async () => {
    const page = await mount(world());
    const dialog = await openItem(page, 'chicken');
    expect(dialog.matches(':modal')).to.equal(true);
    expect(dialog.getAttribute('aria-labelledby')).to.equal('sheet-title');
    await pickSideByKeys(page);
    await sendKeys({ press: 'Escape' });
    await settle(page);
    expect(dialog.open).to.equal(false);
    expect(basketLines(page)).to.have.length(0);
  });
});
