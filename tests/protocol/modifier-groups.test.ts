import { describe, expect, it } from 'vitest';
import {
  decide,
  groupRuleBroken,
  groupRuleText,
  MenuItem,
  type ModifierGroup,
  project,
  type VenueState,
} from '#protocol';
import { ctxFor, opOf, staff, venueState } from './support/venue-fixture.ts';

// Modifier groups: "choose exactly 1 side", "up to 2 extras", checked by the decider wherever
// an order line is priced (order.create, order.addLines), so the relay and the cloud agree.

const owner = staff('owner', 'boss');
const SIDES: ModifierGroup = {
  id: 'side',
  name: 'Side',
  min: 1,
  max: 1,
  modifierIds: ['fries-side', 'salad-side'],
};
const EXTRAS: ModifierGroup = {
  id: 'extras',
  name: 'Extras',
  min: 0,
  max: 2,
  modifierIds: ['extra-cheese', 'no-onions', 'bacon'],
};

/** The fixture venue with a grilled fish that takes one side and up to two extras. */
function withFish(): VenueState {
  const state = venueState();
  const modifier = (id: string, name: string, priceDelta = 0) => ({
    entity: 'menuModifier' as const,
    id,
    op: 'upsert' as const,
    data: { id, name, priceDelta, available: true, version: 1 },
    version: 1,
  });
  const fish = MenuItem.parse({
    id: 'fish',
    categoryId: 'mains',
    name: 'Grilled fish',
    description: '',
    price: 2200,
    station: 'grill',
    modifierIds: [],
    modifierGroups: [SIDES, EXTRAS],
    available: true,
    version: 1,
  });
  return {
    ...state,
    entities: project(state.entities, [
      modifier('fries-side', 'Fries'),
      modifier('salad-side', 'Salad'),
      modifier('bacon', 'Bacon', 250),
      { entity: 'menuItem', id: 'fish', op: 'upsert', data: fish, version: 1 },
    ]),
  };
}

const order = (modifierIds: string[]) =>
  opOf(
    'order.create',
    {
      orderId: '01JD00000000000000000GRP01',
      tableId: 'table-1',
      guestCount: 1,
      lines: [{ lineId: 'l-1', itemId: 'fish', quantity: 1, modifierIds }],
    },
    owner,
  );

describe('modifier groups', () => {
  it('says each rule in words', () => {
    expect(groupRuleText(SIDES)).toBe('exactly 1');
    expect(groupRuleText(EXTRAS)).toBe('up to 2');
    expect(groupRuleText({ min: 1, max: 3 })).toBe('1 to 3');
  });

  it('a line keeping every rule is priced with its modifiers, group ones included', async () => {
    const decision = decide(withFish(), await order(['salad-side', 'bacon']), ctxFor(owner));
    expect(decision.kind, JSON.stringify(decision)).toBe('applied');
    if (decision.kind !== 'applied') return;
    const placed = decision.changes.find((c) => c.entity === 'order' && c.op === 'upsert');
    expect(placed && 'data' in placed ? placed.data : undefined).toMatchObject({
      lines: [{ modifiers: [{ id: 'salad-side' }, { id: 'bacon', priceDelta: 250 }] }],
      totals: { subtotal: 2450 },
    });
  });

  it.each([
    ['no side', [], 'choose exactly 1 of Side (chose 0)'],
    ['two sides', ['fries-side', 'salad-side'], 'choose exactly 1 of Side (chose 2)'],
    [
      'three extras',
      ['fries-side', 'extra-cheese', 'no-onions', 'bacon'],
      'choose up to 2 of Extras (chose 3)',
    ],
  ])('%s is refused with the rule it breaks', async (_, modifierIds, rule) => {
    const decision = decide(withFish(), await order(modifierIds), ctxFor(owner));
    expect(decision).toMatchObject({
      kind: 'rejected',
      code: 'MODIFIER_GROUP_RULE',
      message: `Grilled fish: ${rule}`,
    });
  });

  it('a modifier in no group of the item and not on its list is still refused', async () => {
    const decision = decide(withFish(), await order(['fries-side', 'truffle']), ctxFor(owner));
    expect(decision).toMatchObject({ kind: 'rejected', code: 'MODIFIER_NOT_ALLOWED' });
  });

  it('an item without groups (menus made before them) takes its flat list as before', () => {
    expect(groupRuleBroken({}, ['anything'])).toBe(undefined);
    expect(groupRuleBroken({ modifierGroups: [] }, [])).toBe(undefined);
  });

  it('a group whose max is under its min does not parse', () => {
    expect(() => MenuItem.shape.modifierGroups.parse([{ ...SIDES, min: 2, max: 1 }])).toThrow();
  });
});
