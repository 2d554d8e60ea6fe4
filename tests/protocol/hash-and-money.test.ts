import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CanonicalJsonError,
  canonicalJson,
  computeTotals,
  divideRounded,
  isUlid,
  newUlid,
  payloadHash,
  roundToIncrement,
  sha256Hex,
  ulidTime,
} from '#protocol';

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' }, u: undefined })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('is the same for any key order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(record));
        expect(JSON.parse(canonicalJson(record))).toEqual(JSON.parse(JSON.stringify(record)));
      }),
    );
  });

  it('writes what a naive sort-then-stringify oracle writes (property)', () => {
    // Keys sorted by UTF-16 code unit (Array#sort's default), undefined members dropped, every
    // scalar as JSON.stringify writes it. Members are written by hand: integer-like keys make
    // a JS object reorder itself, so a sorted copy could not be handed to JSON.stringify.
    const oracle = (value: unknown): string => {
      if (Array.isArray(value)) return `[${value.map(oracle).join(',')}]`;
      if (value === null || typeof value !== 'object') return JSON.stringify(value);
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .sort()
        .filter((key) => record[key] !== undefined)
        .map((key) => `${JSON.stringify(key)}:${oracle(record[key])}`);
      return `{${members.join(',')}}`;
    };
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value as never)).toBe(oracle(value));
      }),
      { numRuns: 2_000 },
    );
    const mixed = {
      b: 1,
      a: undefined,
      B: [true, null, 'é'],
      é: { z: 0, y: -0.5 },
      10: 'x',
      9: 'y',
    };
    expect(canonicalJson(mixed)).toBe(
      '{"10":"x","9":"y","B":[true,null,"é"],"b":1,"é":{"y":-0.5,"z":0}}',
    );
  });

  it('refuses a number JSON cannot carry', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).toThrow(CanonicalJsonError);
  });
});

describe('hashing', () => {
  it('computes SHA-256 (FIPS 180-2 vector for "abc")', async () => {
    expect(await sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('gives a payload the same hash whatever its key order, and a different one for any change', async () => {
    const a = await payloadHash({ orderId: 'o1', lines: [{ itemId: 'x', quantity: 1 }] });
    expect(await payloadHash({ lines: [{ quantity: 1, itemId: 'x' }], orderId: 'o1' })).toBe(a);
    expect(await payloadHash({ orderId: 'o1', lines: [{ itemId: 'x', quantity: 2 }] })).not.toBe(a);
  });
});

describe('ULIDs', () => {
  it('are valid, sortable within one millisecond, and carry their time', () => {
    const ids = Array.from({ length: 100 }, () => newUlid(1_700_000_000_000));
    expect(ids.every(isUlid)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(ulidTime(ids[0] ?? '')).toBe(1_700_000_000_000);
    expect(isUlid('not-a-ulid')).toBe(false);
    expect(isUlid('8ZZZZZZZZZZZZZZZZZZZZZZZZZ')).toBe(false);
  });
});

describe('money', () => {
  it('divides and rounds half away from zero in integers', () => {
    expect(divideRounded(5, 2)).toBe(3);
    expect(divideRounded(-5, 2)).toBe(-3);
    expect(divideRounded(4, 3)).toBe(1);
    expect(roundToIncrement(452, 5)).toBe(450);
    expect(roundToIncrement(453, 5)).toBe(455);
    expect(roundToIncrement(453, 1)).toBe(453);
  });

  it('computes inclusive and exclusive tax', () => {
    const lines = [{ quantity: 3, unitPrice: 1000, modifiers: [{ priceDelta: 50 }] }];
    expect(
      computeTotals(lines, {
        currency: 'EUR',
        taxRateBps: 2100,
        taxInclusive: true,
        cashRoundingIncrement: 1,
      }),
    ).toEqual({
      currency: 'EUR',
      subtotal: 3150,
      tax: 547,
      total: 3150,
      cashTotal: 3150,
      cashRounding: 0,
    });
    expect(
      computeTotals(lines, {
        currency: 'USD',
        taxRateBps: 875,
        taxInclusive: false,
        cashRoundingIncrement: 5,
      }),
    ).toEqual({
      currency: 'USD',
      subtotal: 3150,
      tax: 276,
      total: 3426,
      cashTotal: 3425,
      cashRounding: -1,
    });
  });

  it('keeps totals whole and consistent (property)', () => {
    const line = fc.record({
      quantity: fc.integer({ min: 1, max: 99 }),
      unitPrice: fc.integer({ min: 0, max: 100_000 }),
      modifiers: fc.array(fc.record({ priceDelta: fc.integer({ min: 0, max: 1000 }) }), {
        maxLength: 3,
      }),
    });
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 20 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.boolean(),
        fc.constantFrom(1, 5, 10),
        (lines, bps, inclusive, inc) => {
          const t = computeTotals(lines, {
            currency: 'EUR',
            taxRateBps: bps,
            taxInclusive: inclusive,
            cashRoundingIncrement: inc,
          });
          for (const value of [t.subtotal, t.tax, t.total, t.cashTotal, t.cashRounding])
            expect(Number.isSafeInteger(value)).toBe(true);
          expect(t.total).toBe(inclusive ? t.subtotal : t.subtotal + t.tax);
          expect(t.cashTotal % inc).toBe(0);
          expect(Math.abs(t.cashRounding) * 2).toBeLessThanOrEqual(inc);
          expect(t.tax).toBeLessThanOrEqual(t.total);
        },
      ),
    );
  });
});
