import { describe, expect, it } from 'vitest';
import {
  addLine,
  type BasketLine,
  browserBasketStorage,
  EMPTY_BASKET,
  itemCount,
  MAX_QUANTITY,
  parseBasket,
  placeBasket,
  removeLine,
  returnPlaced,
  serializeBasket,
  setQuantity,
  settlePlaced,
  withOpId,
} from '../../web/guest/basket.ts';
import { basketViewOf } from '../../web/guest/basket-pricing.ts';
import { menuEntitiesOf } from '../../web/guest/guest-rules.ts';
import { moneyFormat } from '../../web/guest/money-format.ts';
import { refusalNotice } from '../../web/guest/order-advice.ts';
import { dataOf, memoryStorage, menuEntities, settings } from './guest-fixtures.ts';

// The basket: what it keeps (plain data, per venue and table), how lines merge and change,
// what happens to an order that is placed, refused or shown on the tab, and its running
// totals and blocked lines as the protocol prices them.

const line = (lineId: string, itemId: string, patch: Partial<BasketLine> = {}): BasketLine => ({
  lineId,
  itemId,
  modifierIds: [],
  quantity: 1,
  name: itemId,
  ...patch,
});

describe('basket lines', () => {
  it('the same dish with the same choices adds up; other choices make a new line', () => {
    let b = addLine(EMPTY_BASKET, line('a', 'burger', { modifierIds: ['x', 'y'] }));
    b = addLine(b, line('b', 'burger', { modifierIds: ['y', 'x'], quantity: 2 }));
    b = addLine(b, line('c', 'burger', { modifierIds: ['x'] }));
    b = addLine(b, line('d', 'burger', { modifierIds: ['x'], note: 'no salt' }));
    expect(b.lines.map((l) => [l.lineId, l.quantity])).toEqual([
      ['a', 3],
      ['c', 1],
      ['d', 1],
    ]);
    expect(itemCount(b)).toBe(5);
  });

  it('quantities stay within 1–99; 0 removes the line', () => {
    let b = addLine(EMPTY_BASKET, line('a', 'chips'));
    b = setQuantity(b, 'a', 250);
    expect(b.lines[0]?.quantity).toBe(MAX_QUANTITY);
    b = addLine(b, line('z', 'chips'));
    expect(b.lines[0]?.quantity).toBe(MAX_QUANTITY);
    expect(setQuantity(b, 'a', 0).lines).toEqual([]);
    expect(removeLine(b, 'a').lines).toEqual([]);
  });

  it('placing moves the lines to a placed order; a refusal brings them back, first, with the reason', () => {
    let b = addLine(EMPTY_BASKET, line('a', 'burger'));
    b = addLine(b, line('b', 'chips'));
    b = placeBasket(b, 'k1', 1000);
    expect(b.lines).toEqual([]);
    b = withOpId(b, 'k1', 'op-1');
    expect(b.placed).toEqual([
      { key: 'k1', opId: 'op-1', placedAt: 1000, lines: [line('a', 'burger'), line('b', 'chips')] },
    ]);
    b = addLine(b, line('c', 'lemonade'));
    b = returnPlaced(b, 'k1', 'Chips sold out');
    expect(b.lines.map((l) => l.lineId)).toEqual(['a', 'b', 'c']);
    expect(b.placed).toEqual([]);
    expect(b.notice).toBe('Chips sold out');
  });

  it('a line the tab already holds is not returned; a placed order the tab shows is settled', () => {
    let b = placeBasket(addLine(addLine(EMPTY_BASKET, line('a', 'x')), line('b', 'y')), 'k', 1);
    expect(returnPlaced(b, 'k', 'why', new Set(['a'])).lines.map((l) => l.lineId)).toEqual(['b']);
    expect(settlePlaced(b, new Set(['a'])).placed).toHaveLength(1);
    b = settlePlaced(b, new Set(['a', 'b']));
    expect(b.placed).toEqual([]);
  });
});

describe('kept on the phone', () => {
  it('survives a write and a read, per venue and table, and keeps no more than plain data', () => {
    const storage = memoryStorage();
    const store = browserBasketStorage(storage);
    const basket = withOpId(
      placeBasket(addLine(EMPTY_BASKET, line('a', 'burger', { note: 'no pickles' })), 'k', 5),
      'k',
      'op',
    );
    const kept = addLine({ ...basket, notice: 'back' }, line('b', 'chips', { quantity: 2 }));
    store.save('demo-bistro', 'table-5', kept);
    expect(store.load('demo-bistro', 'table-5')).toEqual(kept);
    expect(store.load('demo-bistro', 'table-6')).toEqual(EMPTY_BASKET);
    expect(storage.key(0)).toBe('hearth.guest.basket:demo-bistro:table-5');
    expect(Object.keys(JSON.parse(storage.getItem(storage.key(0) ?? '') ?? '{}')).sort()).toEqual([
      'lines',
      'notice',
      'placed',
      'v',
    ]);
    store.save('demo-bistro', 'table-5', EMPTY_BASKET);
    expect(storage.length).toBe(0);
  });

  it('reads anything else as empty, and drops a bad line rather than the basket', () => {
    expect(parseBasket(null)).toEqual(EMPTY_BASKET);
    expect(parseBasket('{not json')).toEqual(EMPTY_BASKET);
    expect(parseBasket('{"v":2,"lines":[]}')).toEqual(EMPTY_BASKET);
    const text = serializeBasket({
      lines: [line('a', 'burger'), { ...line('b', 'chips'), quantity: 0 }, line('c', 'x')],
      placed: [],
    });
    expect(parseBasket(text).lines.map((l) => l.lineId)).toEqual(['a', 'c']);
  });
});

function view(
  lines: readonly BasketLine[],
  options: Parameters<typeof menuEntities>[0] & { lineNotes?: boolean } = {},
) {
  const data = dataOf(menuEntities(options));
  return basketViewOf(lines, {
    entities: menuEntitiesOf(data.items, data.modifierById.values()),
    settings: data.settings ?? settings(),
    itemById: data.itemById,
    modifierById: data.modifierById,
    money: moneyFormat('en-GB', 'EUR'),
    lineNotes: options.lineNotes ?? true,
  });
}

describe('basketViewOf', () => {
  it('prices each line and the running totals as the protocol does (10 % included)', () => {
    const v = view([
      line('a', 'burger', { modifierIds: ['extra-cheese'], quantity: 2 }),
      line('b', 'chips'),
    ]);
    expect(v.lines.map((l) => [l.name, l.details, l.price, l.problem])).toEqual([
      ['Bistro burger', 'Extra cheese', '€36.00', null],
      ['Chips', '', '€4.50', null],
    ]);
    // 40.50 incl. tax: 4050 − round(4050 / 1.1) = 368
    expect([v.subtotal, v.tax, v.total, v.taxLabel]).toEqual([
      '€40.50',
      '€3.68',
      '€40.50',
      'Includes tax',
    ]);
    expect(v).toMatchObject({
      count: 3,
      canPlace: true,
      blocked: null,
      placeLabel: 'Place order · €40.50',
    });
  });

  it('tax added on top where prices exclude it', () => {
    const v = view([line('b', 'chips')], { settings: settings({ taxInclusive: false }) });
    expect([v.subtotal, v.tax, v.total, v.taxLabel]).toEqual(['€4.50', '€0.45', '€4.95', 'Tax']);
  });

  it('a sold-out dish or choice is flagged and blocks the order', () => {
    const v = view(
      [
        line('a', 'chips'),
        line('b', 'chicken', { modifierIds: ['side-fries'] }),
        line('c', 'risotto'),
      ],
      { soldOut: ['chips'], modifiersOut: ['side-fries'] },
    );
    expect(v.lines.map((l) => l.problem)).toEqual([
      'Sold out — remove it to order',
      'Fries sold out — remove it to order',
      null,
    ]);
    expect(v.total).toBe('€18.50');
    expect(v.canPlace).toBe(false);
    expect(v.blocked).toBe('Chips, Half chicken can’t be ordered — see your basket');
    expect(v.placeLabel).toBe('Place order');
  });

  it('a dish gone from the menu keeps its name and says so; a note where none are taken blocks', () => {
    const gone = view([line('a', 'oysters', { name: 'Oysters' })]);
    expect(gone.lines[0]).toMatchObject({
      name: 'Oysters',
      problem: 'No longer on the menu — remove it to order',
    });
    const noted = view([line('a', 'chips', { note: 'extra salt' })], { lineNotes: false });
    expect(noted.lines[0]?.problem).toMatch(/takes no notes/);
    expect(noted.canPlace).toBe(false);
  });

  it('an empty basket cannot be placed', () => {
    expect(view([])).toMatchObject({ canPlace: false, blocked: 'Your basket is empty', count: 0 });
  });
});

describe('refusalNotice', () => {
  const lines = [line('a', 'burger'), line('b', 'chips', { name: 'Chips' })];

  it('names the dish that sold out while the guest was ordering', () => {
    const menu = dataOf(menuEntities({ soldOut: ['chips'] }));
    expect(
      refusalNotice({ code: 'ITEM_UNAVAILABLE', detail: 'Chips is sold out' }, lines, menu),
    ).toBe('Chips sold out while you were ordering — remove it and send again');
    // The feed has not brought the change yet: the refusal's own words name it.
    expect(
      refusalNotice({ code: 'ITEM_UNAVAILABLE', detail: 'Chips is sold out' }, lines, dataOf()),
    ).toBe('Chips sold out while you were ordering — remove it and send again');
  });

  it('a choice that ran out, a changed rule, another refusal', () => {
    const menu = dataOf(menuEntities({ modifiersOut: ['side-fries'] }));
    const chicken = [line('c', 'chicken', { modifierIds: ['side-fries'] })];
    expect(refusalNotice({ code: 'MODIFIER_NOT_ALLOWED' }, chicken, menu)).toBe(
      'Fries (Half chicken) sold out while you were ordering — remove it and send again',
    );
    expect(refusalNotice({ code: 'MODIFIER_GROUP_RULE', detail: 'x' }, chicken, dataOf())).toMatch(
      /^The choices for a dish changed/,
    );
    expect(refusalNotice({ code: 'FORBIDDEN' }, chicken, dataOf())).toMatch(
      /ask a member of staff$/,
    );
    expect(refusalNotice({ detail: 'order is closed' }, chicken, dataOf())).toBe(
      'Your order wasn’t accepted (order is closed). Check your basket and send it again, or ask a member of staff',
    );
  });
});
