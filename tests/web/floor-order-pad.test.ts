import { describe, expect, it } from 'vitest';
import type { TrackedOp } from '../../web/app/op-controller.ts';
import { checkTender, parseTendered, quickTenders } from '../../web/floor/cash-tender.ts';
import {
  type DraftLine,
  heldCourses,
  inputOfDraft,
  lineOpOf,
  padLinesOf,
  stageOf,
  unsentCourses,
} from '../../web/floor/order-draft.ts';
import { evenShares, menuEntitiesOf, padTotalsOf, seatShares } from '../../web/floor/pad-rules.ts';
import { categoryTabs, folded, itemsIn, searchItems } from '../../web/floor/pad-search.ts';
import { categories, items, modifiers, order, settings, ticket } from './guest-fixtures.ts';

// The order pad's pure rules: finding a dish, the lines it lists (draft, on their way, on the
// order with their kitchen stage), totals and splits from the protocol, and cash change.

const names = {
  itemById: new Map(items().map((i) => [i.id, i])),
  modifierById: new Map(modifiers().map((m) => [m.id, m])),
};

const draft = (lineId: string, patch: Partial<DraftLine> = {}): DraftLine => ({
  lineId,
  itemId: 'risotto',
  quantity: 1,
  modifierIds: [],
  note: '',
  course: 1,
  ...patch,
});

describe('search and categories', () => {
  it('folds accents and case', () => {
    expect(folded('  Crème BRÛLÉE ')).toBe('creme brulee');
  });

  it('finds dishes whose name contains the words, accents and case aside', () => {
    const [first] = items();
    if (!first) throw new Error('no dish');
    const menu = [...items(), { ...first, id: 'creme', name: 'Crème brûlée' }];
    expect(searchItems(menu, 'CREME').map((i) => i.id)).toEqual(['creme']);
    expect(searchItems(menu, 'ris').map((i) => i.id)).toEqual(['risotto']);
    expect(searchItems(menu, 'burger').map((i) => i.id)).toEqual(['burger']);
    expect(searchItems(menu, '   ')).toEqual([]);
  });

  it('lists categories that hold dishes, by position, and a category’s dishes by name', () => {
    expect(categoryTabs(categories, items()).map((c) => c.id)).toEqual([
      'starters',
      'mains',
      'sides',
      'drinks',
    ]);
    expect(itemsIn(items(), 'mains').map((i) => i.id)).toEqual(['burger', 'chicken', 'risotto']);
  });
});

describe('the pad’s lines', () => {
  it('lists the order’s lines, then those on their way, then the draft, each once', () => {
    const o = order('o1', [{ id: 'l1', itemId: 'burger', name: 'Bistro burger', sent: true }]);
    const lines = padLinesOf(
      o,
      [draft('l1'), draft('l2', { seat: 2, course: 2 })],
      [draft('l3', { itemId: 'chicken', modifierIds: ['side-fries'], note: 'no salt' })],
      [ticket('t1', 'o1', [{ lineId: 'l1', name: 'Bistro burger' }], { status: 'in_progress' })],
      names,
    );
    expect(lines.map((l) => [l.lineId, l.where, l.stage, l.addOn])).toEqual([
      ['l1', 'order', 'in_progress', false],
      ['l2', 'adding', 'new', true],
      ['l3', 'draft', 'new', true],
    ]);
    expect(lines[1]).toMatchObject({ name: 'Mushroom risotto', seat: 2, course: 2 });
    expect(lines[2]?.details).toBe('Fries · no salt');
  });

  it('says each sent line’s kitchen stage from its ticket', () => {
    const line = (id: string) => ({ id, sentAt: '2026-11-23T19:00:00.000Z' });
    const t = (status: 'held' | 'queued' | 'ready' | 'bumped', ready = false) => [
      ticket('t', 'o', [{ lineId: 'a', name: 'A', ready }], { status }),
    ];
    expect(stageOf({ id: 'a', sentAt: null }, [])).toBe('new');
    expect(stageOf(line('a'), [])).toBe('sent');
    expect(stageOf(line('a'), t('held'))).toBe('held');
    expect(stageOf(line('a'), t('queued'))).toBe('queued');
    expect(stageOf(line('a'), t('queued', true))).toBe('ready');
    expect(stageOf(line('a'), t('bumped'))).toBe('served');
    expect(stageOf({ ...line('a'), voidedAt: '2026-11-23T19:01:00.000Z' }, t('queued'))).toBe(
      'voided',
    );
  });

  it('offers the courses with unsent lines, and the held courses to fire', () => {
    const lines = padLinesOf(undefined, [], [draft('a', { course: 2 }), draft('b')], [], names);
    expect(unsentCourses(lines)).toEqual([1, 2]);
    expect(
      heldCourses([
        ticket('t1', 'o', [{ lineId: 'a', name: 'A' }], { status: 'held', course: 2 }),
        ticket('t2', 'o', [{ lineId: 'b', name: 'B' }], { status: 'queued' }),
      ]),
    ).toEqual([2]);
  });

  it('makes the wire line with seat, course and a trimmed note', () => {
    expect(inputOfDraft(draft('a', { seat: 3, course: 2, note: ' no salt ' }))).toEqual({
      lineId: 'a',
      itemId: 'risotto',
      quantity: 1,
      modifierIds: [],
      note: 'no salt',
      seat: 3,
      course: 2,
    });
    expect(inputOfDraft(draft('a'))).not.toHaveProperty('note');
    expect(inputOfDraft(draft('a'))).not.toHaveProperty('seat');
  });

  it('finds the latest op that carried a line', () => {
    const tracked = (opId: string, payload: unknown): TrackedOp =>
      ({ opId, label: '', status: 'pending', op: { payload } }) as unknown as TrackedOp;
    const ops = [
      tracked('remove', { orderId: 'o', lineId: 'x' }),
      tracked('add', { orderId: 'o', lines: [{ lineId: 'a' }, { lineId: 'x' }] }),
    ];
    expect(lineOpOf(ops, 'a')?.opId).toBe('add');
    expect(lineOpOf(ops, 'x')?.opId).toBe('remove');
    expect(lineOpOf(ops, 'z')).toBeUndefined();
  });
});

describe('totals and splits', () => {
  const entities = menuEntitiesOf(items(), modifiers());

  it('prices the order’s lines and the new ones together, cash rounded', () => {
    const o = order('o1', [{ id: 'l1', itemId: 'burger', name: 'Bistro burger', quantity: 2 }]);
    const result = padTotalsOf(entities, settings({ cashRoundingIncrement: 5 }), o.lines, [
      draft('n1', { itemId: 'chips' }),
      draft('n2', { itemId: 'chicken', modifierIds: ['side-mash'], seat: 1 }),
    ]);
    if (!result.ok) throw new Error(result.reason);
    // 2 × 10.00 + 4.50 + 21.50 + 0.50 = 46.50, tax included at 10 %.
    expect(result.totals).toMatchObject({ subtotal: 4650, total: 4650, cashTotal: 4650 });
    expect(result.totals.tax).toBe(423);
  });

  it('names a draft line the menu would refuse instead of counting it', () => {
    const result = padTotalsOf(
      menuEntitiesOf(items(['chips']), modifiers()),
      settings(),
      [],
      [draft('n1', { itemId: 'chips' })],
    );
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.reason).toContain('Chips is sold out');
  });

  it('splits evenly into 2–12 shares summing to the total', () => {
    expect(evenShares(1000, 3).map((s) => s.amount)).toEqual([334, 333, 333]);
    expect(evenShares(1000, 1)).toHaveLength(2);
    expect(evenShares(1000, 40)).toHaveLength(12);
  });

  it('splits by seat, unseated lines apart, summing to the total', () => {
    const result = padTotalsOf(
      entities,
      settings({ taxInclusive: false }),
      [],
      [
        draft('a', { itemId: 'risotto', seat: 2 }),
        draft('b', { itemId: 'chips', seat: 1 }),
        draft('c', { itemId: 'lemonade' }),
      ],
    );
    if (!result.ok) throw new Error(result.reason);
    const shares = seatShares(result.lines, result.totals);
    expect(shares.map((s) => s.label)).toEqual(['Seat 1', 'Seat 2', 'No seat']);
    expect(shares.reduce((sum, s) => sum + s.amount, 0)).toBe(result.totals.total);
  });
});

describe('cash', () => {
  it('reads a typed amount in minor units', () => {
    expect(parseTendered('20', 100)).toBe(2000);
    expect(parseTendered('20.5', 100)).toBe(2050);
    expect(parseTendered('20,55', 100)).toBe(2055);
    expect(parseTendered('20.555', 100)).toBeUndefined();
    expect(parseTendered('abc', 100)).toBeUndefined();
    expect(parseTendered('1500', 1)).toBe(1500);
  });

  it('offers exact, then the next round 5, 10, 20 and 50', () => {
    expect(quickTenders(2340, 100)).toEqual([2340, 2500, 3000, 4000, 5000]);
    expect(quickTenders(2000, 100)).toEqual([2000, 2500, 3000, 4000, 5000]);
    expect(quickTenders(4600, 100)).toEqual([4600, 5000, 6000]);
    expect(quickTenders(1500, 1)).toEqual([1500, 1505, 1510, 1520, 1550]);
  });

  it('gives the change due and refuses too little', () => {
    expect(checkTender(5000, '50', 4650)).toEqual({ ok: true, change: 350 });
    expect(checkTender(4650, '46.50', 4650)).toEqual({ ok: true, change: 0 });
    expect(checkTender(4000, '40', 4650)).toEqual({ ok: false, reason: 'too-little', short: 650 });
    expect(checkTender(undefined, '', 4650)).toEqual({ ok: false, reason: 'empty' });
    expect(checkTender(undefined, 'x', 4650)).toEqual({ ok: false, reason: 'not-an-amount' });
  });
});
