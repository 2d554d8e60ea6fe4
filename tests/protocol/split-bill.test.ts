import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Order, splitBySeat, splitEvenly } from '#protocol';

// Splitting a bill: every share in whole minor units, and the shares always sum to the total.

const totals = (total: number) =>
  ({
    currency: 'EUR',
    subtotal: total,
    tax: 0,
    total,
    cashTotal: total,
    cashRounding: 0,
  }) as Order['totals'];

const line = (id: string, amount: number, seat?: number, voided = false) =>
  ({
    id,
    itemId: 'x',
    name: id,
    station: 'grill',
    quantity: 1,
    unitPrice: amount,
    modifiers: [],
    sentAt: null,
    ...(seat === undefined ? {} : { seat }),
    ...(voided ? { voidedAt: '2026-11-23T19:30:00.000Z' } : {}),
  }) as Order['lines'][number];

describe('split evenly', () => {
  it('gives the odd minor units to the first shares', () => {
    expect(splitEvenly(100, 3).map((s) => s.amount)).toEqual([34, 33, 33]);
    expect(splitEvenly(0, 2).map((s) => s.amount)).toEqual([0, 0]);
  });

  it('refuses what is not a split', () => {
    expect(() => splitEvenly(100, 0)).toThrow(RangeError);
    expect(() => splitEvenly(10.5, 2)).toThrow(RangeError);
  });

  it('always sums to the total, shares a unit apart at most', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 100 }),
        (t, n) => {
          const amounts = splitEvenly(t, n).map((s) => s.amount);
          expect(amounts.reduce((a, b) => a + b, 0)).toBe(t);
          expect(Math.max(...amounts) - Math.min(...amounts)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});

describe('split by seat', () => {
  it("gives each seat its lines and shares the total's tax in proportion", () => {
    // Tax added on top: 10 % of 3000 → the total is 3300.
    const order = {
      lines: [line('a', 1000, 1), line('b', 2000, 2), line('c', 500, 2, true)],
      totals: { ...totals(3300), subtotal: 3000, tax: 300 },
    };
    expect(splitBySeat(order)).toEqual([
      { seat: 1, amount: 1100, lineIds: ['a'] },
      { seat: 2, amount: 2200, lineIds: ['b'] },
    ]);
  });

  it('puts lines with no seat in a share of their own, last', () => {
    const shares = splitBySeat({
      lines: [line('a', 700), line('b', 300, 3)],
      totals: totals(1000),
    });
    expect(shares).toEqual([
      { seat: 3, amount: 300, lineIds: ['b'] },
      { amount: 700, lineIds: ['a'] },
    ]);
  });

  it('always sums to the total', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 50_000 }), fc.option(fc.integer({ min: 1, max: 8 }))),
          {
            minLength: 1,
            maxLength: 30,
          },
        ),
        fc.integer({ min: 0, max: 2_000_000 }),
        (spec, total) => {
          const lines = spec.map(([amount, seat], i) => line(`l${i}`, amount, seat ?? undefined));
          const shares = splitBySeat({ lines, totals: totals(total) });
          expect(shares.reduce((a, s) => a + s.amount, 0)).toBe(total);
          expect(shares.every((s) => Number.isInteger(s.amount) && s.amount >= 0)).toBe(true);
        },
      ),
    );
  });
});
