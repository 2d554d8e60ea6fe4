import { describe, expect, it } from 'vitest';
import type { FeedEntry } from '#protocol';
import {
  entitiesDiffering,
  firstSeqs,
  type MadeOp,
  moneyDiffering,
  opsAppliedTwice,
  opsLost,
  perDeviceOrderViolations,
} from './invariants.ts';

const op = (opId: string, over: Partial<MadeOp> = {}): MadeOp => ({
  opId,
  type: 'order.addLines',
  device: 'tab-1',
  touches: [opId],
  paymentLane: false,
  acknowledged: true,
  changedNothing: false,
  stillQueued: false,
  serverMade: false,
  ...over,
});

const entry = (seq: number, opId: string, id = `o-${opId}`): FeedEntry =>
  ({
    seq,
    id,
    version: 1,
    at: '2026-12-05T19:00:00.000Z',
    opId,
    entity: 'order',
    op: 'upsert',
    data: { id },
  }) as unknown as FeedEntry;

describe('ops lost', () => {
  it('counts acknowledged ops the cloud does not hold, and ops left in an outbox', () => {
    const seqs = new Map([['a', 1]]);
    const made = [
      op('a'),
      op('b'),
      op('c', { changedNothing: true }),
      op('d', { changedNothing: true }),
      op('e', { acknowledged: false }),
      op('f', { acknowledged: false, stillQueued: true }),
    ];
    const lost = opsLost(made, seqs, new Set(['c']));
    expect(lost.value).toBe(3);
    expect(lost.examples.join('\n')).toMatch(/b: acknowledged/);
    expect(lost.examples.join('\n')).toMatch(/d: acknowledged/);
    expect(lost.examples.join('\n')).toMatch(/f: still in the outbox/);
    expect(opsLost([op('a')], seqs, new Set()).value).toBe(0);
  });
});

describe('ops applied twice', () => {
  it('counts an op that changed one entity twice, and a payment charged twice', () => {
    // One op changing two entities at consecutive seqs is one application.
    const once = [entry(1, 'a', 'o-1'), entry(2, 'a', 't-1'), entry(3, 'b')];
    expect(opsAppliedTwice(once, new Map([['p-1', 1]])).value).toBe(0);
    const twice = [...once, entry(9, 'a', 'o-1')];
    expect(opsAppliedTwice(twice, new Map()).value).toBe(1);
    expect(opsAppliedTwice(once, new Map([['p-1', 2]])).examples).toEqual([
      'payment p-1: charged 2 times',
    ]);
  });

  it('reads the first seq of each op', () => {
    expect(firstSeqs([entry(5, 'a'), entry(3, 'a', 'x'), entry(4, 'b')])).toEqual(
      new Map([
        ['a', 3],
        ['b', 4],
      ]),
    );
  });
});

describe('per-device order', () => {
  it('holds when each device’s ops reach the cloud in the order made', () => {
    const made = [op('a'), op('b'), op('c', { device: 'tab-2' })];
    const seqs = new Map([
      ['a', 1],
      ['b', 2],
      ['c', 0],
    ]);
    expect(perDeviceOrderViolations(made, seqs).value).toBe(0);
  });

  it('counts a later op ahead of an earlier one of the same device', () => {
    const made = [op('a'), op('b'), op('c')];
    const seqs = new Map([
      ['a', 5],
      ['b', 2],
      ['c', 6],
    ]);
    const violations = perDeviceOrderViolations(made, seqs);
    expect(violations.value).toBe(1);
    expect(violations.examples[0]).toMatch(
      /b at seq 2 before the earlier order.addLines a at seq 5/,
    );
  });

  it('lets the payment lane overtake ops it has nothing in common with, never those it needs', () => {
    const other = op('a', { touches: ['a', 'o-2'] });
    const pay = op('p', { type: 'payment.cash', touches: ['p', 'o-1'], paymentLane: true });
    const seqs = new Map([
      ['a', 5],
      ['p', 2],
    ]);
    expect(perDeviceOrderViolations([other, pay], seqs).value).toBe(0);
    const sameCheck = op('a', { touches: ['a', 'o-1'] });
    expect(perDeviceOrderViolations([sameCheck, pay], seqs).value).toBe(1);
    // Server-made ops (a card taken for the till) are not in the device's outbox order.
    const card = op('p', { type: 'payment.card', serverMade: true });
    expect(perDeviceOrderViolations([sameCheck, card], seqs).value).toBe(0);
  });
});

describe('entities differing from the cloud', () => {
  const cloud = new Map([
    ['order/1', 'a'],
    ['order/2', 'b'],
  ]);

  it('compares the relay whole, and a device only on what it holds', () => {
    expect(
      entitiesDiffering(cloud, [
        { name: 'relay', entities: new Map(cloud), whole: true },
        { name: 'kds', entities: new Map([['order/1', 'a']]), whole: false },
      ]).value,
    ).toBe(0);
    const off = entitiesDiffering(cloud, [
      { name: 'relay', entities: new Map([['order/1', 'a']]), whole: true },
      {
        name: 'kds',
        entities: new Map([
          ['order/1', 'x'],
          ['order/9', 'z'],
        ]),
        whole: false,
      },
    ]);
    expect(off.examples).toEqual([
      'relay: order/2 missing',
      'kds: order/1 differs',
      'kds: order/9 not in the cloud',
    ]);
  });
});

describe('money totals differing', () => {
  it('counts each pair of totals that disagree', () => {
    const pairs = [
      { what: 'checks', expected: 1000, actual: 1000 },
      { what: 'payments', expected: 1000, actual: 995 },
    ];
    expect(moneyDiffering(pairs.slice(0, 1)).value).toBe(0);
    expect(moneyDiffering(pairs).examples).toEqual(['payments: 995 where 1000 was expected']);
  });
});
