import { describe, expect, it } from 'vitest';
import { RejectionCode } from '#protocol';
import { isFinal } from '../../web/device/outbox-store.ts';
import {
  adviceFor,
  countWords,
  describeOp,
  failedRowsOf,
  retryable,
} from '../../web/floor/failed-ops-state.ts';
import {
  ACTOR,
  CHIPS,
  entry,
  MIN,
  ORDER,
  rejected,
  T0,
  TABLE_5,
  utcClock,
} from './resilience-fixtures.ts';

// The failed-ops inbox, pure: each op in words, the reason and what to do for every code, and
// Retry offered exactly where the outbox would retry.

const names = new Map([
  [ACTOR, 'Sam'],
  [TABLE_5, 'Table 5'],
  [ORDER, 'Table 5'],
  [CHIPS, 'Chips'],
]);

describe('what the op was', () => {
  it('orders, dishes, tickets and calls in words, by name where known', () => {
    const op = (type: Parameters<typeof entry>[0], payload: Record<string, unknown>) =>
      describeOp(entry(type, payload).op, names);
    expect(op('order.addLines', { orderId: ORDER, lines: [{}, {}] })).toBe('Table 5: add 2 lines');
    expect(op('order.create', { orderId: ORDER, tableId: TABLE_5, lines: [{}] })).toBe(
      'Table 5: open an order with 1 line',
    );
    // Lines sent in the same op say so.
    expect(op('order.create', { orderId: ORDER, tableId: TABLE_5, lines: [{}], send: {} })).toBe(
      'Table 5: open an order with 1 line, send to the kitchen',
    );
    expect(
      op('order.addLines', { orderId: ORDER, lines: [{}], send: { course: 2, hold: true } }),
    ).toBe('Table 5: add 1 line, send to the kitchen, held');
    expect(op('menu.item.setAvailability', { itemId: CHIPS, available: false })).toBe(
      'Mark Chips sold out',
    );
    expect(op('menu.item.setAvailability', { itemId: 'x', available: true })).toBe(
      'Put a dish back on',
    );
    expect(op('order.sendToKitchen', { orderId: 'unknown' })).toBe('Order: send to the kitchen');
    expect(op('order.fireCourse', { orderId: ORDER, course: 2 })).toBe('Table 5: fire course 2');
    expect(op('ticket.transition', { ticketId: 't', action: 'bump' })).toBe('Kitchen ticket: bump');
    expect(op('serviceRequest.transition', { requestId: 'r', action: 'acknowledge' })).toBe(
      'Table call: on the way',
    );
    expect(op('booking.create', { guestName: 'Ada', partySize: 4 })).toBe(
      'Book a table for Ada (4)',
    );
  });
});

describe('why it failed and what to do', () => {
  it('sold out, changed first, too old, sign in, not allowed', () => {
    expect(adviceFor('ITEM_UNAVAILABLE', true)).toEqual({
      reason: 'The dish was marked sold out after it was ordered',
      action: 'Tell the guest and offer something else.',
    });
    expect(adviceFor('INVALID_STATE_TRANSITION', true).reason).toBe('Someone changed this first');
    expect(adviceFor('VERSION_CONFLICT', true).action).toBe(
      'Check the order and make the change again.',
    );
    expect(adviceFor('TOO_OLD', true).action).toBe(
      'Check whether it happened; make it again if not.',
    );
    expect(adviceFor('SIGN_IN', false).action).toBe('Sign in again, then retry.');
    expect(adviceFor('FORBIDDEN', true)).toEqual(adviceFor('HTTP_403', true));
    expect(adviceFor('HTTP_503', false).action).toBe('Retry when the connection is back.');
    expect(adviceFor('HTTP_422', true)).toEqual(adviceFor('VALIDATION', true));
  });

  it('every rejection code has its own words (none falls to the generic ones)', () => {
    const generic = adviceFor('SOMETHING_NEW', true);
    for (const code of RejectionCode.options) {
      expect(adviceFor(code, true), code).not.toEqual(generic);
    }
  });

  it('an unknown code: Retry advice only when Retry is offered', () => {
    expect(adviceFor('SOMETHING_NEW', false).action).toMatch(/^Retry/);
    expect(adviceFor('SOMETHING_NEW', true).action).toMatch(/^Discard/);
  });
});

describe('Retry is offered where the outbox retries', () => {
  it('agrees with the outbox’s isFinal on rejections, repeated rejections, TOO_OLD and the rest', () => {
    const base = entry('order.sendToKitchen', { orderId: ORDER });
    const cases = [
      base,
      { ...base, result: rejected(base.opId, 'ITEM_UNAVAILABLE') },
      {
        ...base,
        result: {
          opId: base.opId,
          status: 'duplicate',
          first: { opId: base.opId, status: 'rejected', code: 'FORBIDDEN', message: '' },
        } as typeof base.result,
      },
      { ...base, lastError: { code: 'TOO_OLD', message: '' } },
      { ...base, lastError: { code: 'RETRIES_EXHAUSTED', message: '' } },
      { ...base, lastError: { code: 'HTTP_403', message: 'forbidden' } },
    ];
    expect(cases.map((c) => retryable(c))).toEqual([true, false, false, false, true, true]);
    for (const c of cases) expect(retryable(c)).toBe(!isFinal(c));
  });
});

describe('the rows', () => {
  it('failed only, oldest first, with when, who, reason, action and the server’s words', () => {
    const late = entry(
      'menu.item.setAvailability',
      { itemId: CHIPS, available: false },
      {
        createdAt: T0 - 2 * MIN,
        lastError: { code: 'RETRIES_EXHAUSTED', message: 'gave up after 10 tries' },
      },
    );
    const early = entry('order.addLines', { orderId: ORDER, lines: [{}] });
    const early2 = {
      ...early,
      result: rejected(early.opId, 'ITEM_UNAVAILABLE', 'Chips is sold out'),
    };
    const pending = entry('order.void', { orderId: ORDER, reason: 'x' }, { status: 'pending' });
    const rows = failedRowsOf([late, pending, early2], names, T0, utcClock);
    expect(rows.map((r) => [r.what, r.whenText, r.who, r.code, r.retryable])).toEqual([
      ['Table 5: add 1 line', '19:45 (15 min ago)', 'Sam', 'ITEM_UNAVAILABLE', false],
      ['Mark Chips sold out', '19:58 (2 min ago)', 'Sam', 'RETRIES_EXHAUSTED', true],
    ]);
    expect(rows[0]?.detail).toBe('Chips is sold out');
    expect(failedRowsOf([late], new Map(), T0, utcClock)[0]?.who).toBe('someone on this device');
  });

  it('the count in words', () => {
    expect(countWords(0)).toBe('Nothing to fix');
    expect(countWords(1)).toBe('1 change to fix');
    expect(countWords(3)).toBe('3 changes to fix');
  });
});
