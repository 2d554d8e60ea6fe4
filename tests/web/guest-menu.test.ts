import { describe, expect, it } from 'vitest';
import { allergenText, guestDataOf, menuSectionsOf } from '../../web/guest/guest-data.ts';
import { minorPerMajor, moneyFormat } from '../../web/guest/money-format.ts';
import {
  dataOf,
  items,
  menuEntities,
  order,
  settings,
  snapshotOf,
  TABLE_ID,
  ticket,
  venue,
} from './guest-fixtures.ts';

// What a guest reads on the menu: prices in the venue's money and locale, categories in their
// order, dietary labels and allergens in words, sold-out dishes marked — and only their own
// table's orders.

describe('moneyFormat', () => {
  it('minor units by the currency’s own digits, in the venue’s locale', () => {
    expect(moneyFormat('en-GB', 'EUR').price(1650)).toBe('€16.50');
    expect(moneyFormat('de-DE', 'EUR').price(1650)).toBe('16,50\u00a0€');
    expect(moneyFormat('en-GB', 'GBP').price(5)).toBe('£0.05');
    expect(moneyFormat('ja-JP', 'JPY').price(1650)).toBe('￥1,650');
    expect(moneyFormat('en-GB', 'KWD').price(1650)).toBe('KWD\u00a01.650');
    expect([minorPerMajor('EUR'), minorPerMajor('JPY'), minorPerMajor('KWD')]).toEqual([
      100, 1, 1000,
    ]);
  });

  it('a modifier’s change is signed, and a free one says nothing', () => {
    const money = moneyFormat('en-GB', 'EUR');
    expect(money.delta(150)).toBe('+€1.50');
    expect(money.delta(-200)).toBe('-€2.00');
    expect(money.delta(0)).toBe('');
  });

  it('a locale the browser cannot read falls back to en-GB rather than no prices', () => {
    expect(moneyFormat('not a locale!', 'EUR').price(100)).toBe('€1.00');
  });
});

describe('menuSectionsOf', () => {
  it('categories in position order, empty ones left out, dishes by name', () => {
    const sections = menuSectionsOf(dataOf());
    expect(sections.map((s) => s.name)).toEqual([
      'Small plates to share',
      'Mains',
      'Sides',
      'Drinks',
    ]);
    expect(sections[1]?.items.map((i) => i.name)).toEqual([
      'Bistro burger',
      'Half chicken',
      'Mushroom risotto',
    ]);
  });

  it('prices, dietary labels and allergens in words; a sold-out dish says so', () => {
    const sections = menuSectionsOf(dataOf(menuEntities({ soldOut: ['chips'] })));
    const all = sections.flatMap((s) => s.items);
    const burger = all.find((i) => i.id === 'burger');
    expect(burger).toMatchObject({
      price: '€16.50',
      tags: [],
      allergens: 'Contains: gluten, milk',
      soldOut: false,
    });
    expect(all.find((i) => i.id === 'risotto')).toMatchObject({
      tags: ['Vegetarian'],
      allergens: 'Contains: milk',
    });
    expect(all.find((i) => i.id === 'chips')).toMatchObject({ tags: ['Vegan'], soldOut: true });
    expect(all.find((i) => i.id === 'chicken')?.tags).toEqual(['Gluten free']);
  });

  it('no prices until the venue’s currency is on the phone', () => {
    const data = dataOf({ ...menuEntities(), settings: [] });
    expect(data.money).toBe(undefined);
    expect(menuSectionsOf(data)[0]?.items[0]?.price).toBe('');
  });

  it('a dish whose category is not on the phone shows under Other, last', () => {
    const [burger] = items();
    if (!burger) throw new Error('no dish');
    const stray = { ...burger, id: 'stray', categoryId: 'gone', name: 'Stray' };
    const data = dataOf({ ...menuEntities(), menuItem: [...items(), stray] });
    const sections = menuSectionsOf(data);
    expect(sections.at(-1)).toMatchObject({ name: 'Other', items: [{ id: 'stray' }] });
  });
});

describe('allergenText', () => {
  it('none declared is not "none present": no line at all', () => {
    expect(allergenText(undefined)).toBe(null);
    expect(allergenText([])).toBe(null);
    expect(allergenText(['nuts', 'sesame'])).toBe('Contains: nuts, sesame');
  });
});

describe('guestDataOf', () => {
  it('keeps only the table’s open orders and their tickets', () => {
    const mine = order('o1', [{ id: 'l1', itemId: 'burger', name: 'Bistro burger', sent: true }]);
    const closed = order('o0', [{ id: 'l0', itemId: 'burger', name: 'Bistro burger' }], {
      status: 'closed',
    });
    const other = order('o2', [{ id: 'l2', itemId: 'burger', name: 'Bistro burger' }], {
      tableId: 'table-9',
    });
    const data = guestDataOf(
      snapshotOf({
        ...menuEntities(),
        order: [mine, closed, other],
        ticket: [
          ticket('t1', 'o1', [{ lineId: 'l1', name: 'Bistro burger' }]),
          ticket('t2', 'o2', [{ lineId: 'l2', name: 'Bistro burger' }], { tableId: 'table-9' }),
        ],
      }),
      TABLE_ID,
    );
    expect(data.orders.map((o) => o.id)).toEqual(['o1']);
    expect(data.tickets.map((t) => t.id)).toEqual(['t1']);
    expect(data.venue).toEqual(venue);
    expect(data.settings).toEqual(settings());
  });
});
