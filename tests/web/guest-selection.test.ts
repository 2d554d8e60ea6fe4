import { describe, expect, it } from 'vitest';
import { menuEntitiesOf } from '../../web/guest/guest-rules.ts';
import {
  newSelection,
  ruleWords,
  type Selection,
  sheetViewOf,
  toggleModifier,
} from '../../web/guest/item-selection.ts';
import { moneyFormat } from '../../web/guest/money-format.ts';
import { dataOf, items, menuEntities } from './guest-fixtures.ts';

// The item sheet's rules: radios when one may be picked, checkboxes up to the group's max, and
// Add only once every group's rule holds (the protocol's groupRuleBroken decides, as the
// server does when it prices the line).

const item = (id: string, soldOut: string[] = []) => {
  const found = items(soldOut).find((i) => i.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
};

function sheet(
  selection: Selection,
  options: { lineNotes?: boolean; modifiersOut?: string[]; soldOut?: string[] } = {},
) {
  const data = dataOf(menuEntities(options));
  const target = data.itemById.get(selection.itemId);
  if (!target) throw new Error('no item');
  return sheetViewOf(target, selection, {
    entities: menuEntitiesOf(data.items, data.modifierById.values()),
    modifierById: data.modifierById,
    money: moneyFormat('en-GB', 'EUR'),
    lineNotes: options.lineNotes ?? true,
  });
}

describe('toggleModifier', () => {
  const burger = item('burger');
  const chicken = item('chicken');

  it('a group of at most one is a radio: a tap replaces the pick, None clears it', () => {
    let chosen = toggleModifier(burger, [], 'doneness', 'medium-rare');
    expect(chosen).toEqual(['medium-rare']);
    chosen = toggleModifier(burger, chosen, 'doneness', 'well-done');
    expect(chosen).toEqual(['well-done']);
    chosen = toggleModifier(burger, ['extra-cheese', ...chosen], 'doneness', null);
    expect(chosen).toEqual(['extra-cheese']);
  });

  it('a checkbox group takes up to its max; a fourth extra changes nothing', () => {
    let chosen: readonly string[] = [];
    for (const id of ['extra-cheese', 'add-bacon', 'gluten-free-bun'])
      chosen = toggleModifier(burger, chosen, 'burger-extras', id);
    expect(chosen).toEqual(['extra-cheese', 'add-bacon', 'gluten-free-bun']);
    expect(toggleModifier(burger, chosen, 'burger-extras', 'avocado')).toBe(chosen);
    // Unticking one makes room again.
    chosen = toggleModifier(burger, chosen, 'burger-extras', 'add-bacon');
    expect(toggleModifier(burger, chosen, 'burger-extras', 'avocado')).toEqual([
      'extra-cheese',
      'gluten-free-bun',
      'avocado',
    ]);
  });

  it('free modifiers toggle; a modifier the group or item does not offer is refused', () => {
    expect(toggleModifier(burger, [], null, 'no-onions')).toEqual(['no-onions']);
    expect(toggleModifier(burger, ['no-onions'], null, 'no-onions')).toEqual([]);
    expect(toggleModifier(burger, [], null, 'side-fries')).toEqual([]);
    expect(toggleModifier(burger, [], 'burger-extras', 'side-fries')).toEqual([]);
    expect(toggleModifier(chicken, [], 'no-such-group', 'side-fries')).toEqual([]);
  });
});

describe('ruleWords', () => {
  it('says each rule in words', () => {
    expect(ruleWords({ min: 1, max: 1 })).toBe('Choose 1');
    expect(ruleWords({ min: 0, max: 3 })).toBe('Up to 3');
    expect(ruleWords({ min: 0, max: 1 })).toBe('Up to 1');
    expect(ruleWords({ min: 1, max: 2 })).toBe('Choose 1 to 2');
    expect(ruleWords({ min: 2, max: 2 })).toBe('Choose 2');
  });
});

describe('sheetViewOf', () => {
  it('Add stays off, with the reason, until exactly 1 side is chosen', () => {
    const start = sheet(newSelection('chicken'));
    expect(start.canAdd).toBe(false);
    expect(start.reason).toBe('Choose exactly 1 of Side to add this');
    expect(start.groups[0]).toMatchObject({
      kind: 'radio',
      rule: 'Choose 1',
      none: null,
      satisfied: false,
    });
    const chosen = sheet({ ...newSelection('chicken'), chosen: ['side-mash'] });
    expect(chosen).toMatchObject({ canAdd: true, reason: null, linePrice: '€22.00' });
    expect(chosen.addLabel).toBe('Add 1 to basket · €22.00');
  });

  it('the line price counts each extra and the quantity; a full group disables the rest', () => {
    const view = sheet({
      ...newSelection('burger'),
      chosen: ['extra-cheese', 'add-bacon', 'gluten-free-bun'],
      quantity: 2,
    });
    // (16.50 + 1.50 + 2.50 + 1.00) × 2
    expect(view.linePrice).toBe('€43.00');
    expect(view.addLabel).toBe('Add 2 to basket · €43.00');
    const extras = view.groups.find((g) => g.id === 'burger-extras');
    expect(extras).toMatchObject({ kind: 'checkbox', rule: 'Up to 3', count: 3 });
    expect(extras?.options.map((o) => [o.id, o.checked, o.disabled, o.delta])).toEqual([
      ['extra-cheese', true, false, '+€1.50'],
      ['add-bacon', true, false, '+€2.50'],
      ['gluten-free-bun', true, false, '+€1.00'],
      ['avocado', false, true, '+€2.00'],
    ]);
    expect(view.groups.find((g) => g.id === 'doneness')?.none).toEqual({ checked: true });
    expect(view.extras.map((o) => o.name)).toEqual(['No onions']);
  });

  it('a sold-out choice cannot be picked, and one picked before blocks Add', () => {
    const view = sheet(
      { ...newSelection('chicken'), chosen: ['side-fries'] },
      { modifiersOut: ['side-fries'] },
    );
    expect(view.groups[0]?.options.find((o) => o.id === 'side-fries')).toMatchObject({
      soldOut: true,
      checked: true,
    });
    expect(view.groups[0]?.options.find((o) => o.id === 'side-mash')?.disabled).toBe(false);
    expect(view.reason).toBe('Fries is sold out — choose something else');
    expect(view.canAdd).toBe(false);
    const fresh = sheet(newSelection('chicken'), { modifiersOut: ['side-fries'] });
    expect(fresh.groups[0]?.options.find((o) => o.id === 'side-fries')?.disabled).toBe(true);
  });

  it('a sold-out dish cannot be added', () => {
    const view = sheet(newSelection('risotto'), { soldOut: ['risotto'] });
    expect(view).toMatchObject({
      soldOut: true,
      canAdd: false,
      reason: 'Mushroom risotto is sold out',
    });
  });

  it('the note field shows only where the venue takes notes', () => {
    expect(sheet(newSelection('risotto')).note).toBe('');
    expect(sheet(newSelection('risotto'), { lineNotes: false }).note).toBe(null);
  });
});
