import { describe, expect, it } from 'vitest';
import {
  type ApprovalOrder,
  ageTextOf,
  approvalsOf,
  arrivalsOf,
  type FloorRequest,
  LATE_AFTER_MS,
  requestRowsOf,
  transitionPayload,
} from '../../web/floor/service-requests-state.ts';

// The floor's requests panel, pure: which calls show and in what order, their ages and the
// "waiting long" flag, and which guest lines wait for approval.

const T0 = Date.parse('2026-11-23T20:00:00.000Z');
const MIN = 60_000;
const at = (ms: number) => new Date(ms).toISOString();
const tables = [
  { id: 't4', label: '4' },
  { id: 't12', label: '12' },
];

const request = (over: Partial<FloorRequest> = {}): FloorRequest => ({
  id: 'r1',
  tableId: 't4',
  kind: 'call_waiter',
  status: 'open',
  createdAt: at(T0),
  acknowledgedBy: null,
  ...over,
});

const line = (over: Partial<ApprovalOrder['lines'][number]> = {}) => ({
  id: 'l1',
  name: 'Burger',
  quantity: 1,
  modifiers: [],
  sentAt: null,
  ...over,
});

const order = (over: Partial<ApprovalOrder> = {}): ApprovalOrder => ({
  id: 'o1',
  tableId: 't12',
  status: 'open',
  source: 'guest',
  createdAt: at(T0),
  lines: [line()],
  ...over,
});

const APPROVAL = { guestOrdering: { approval: true } };

describe('ageTextOf', () => {
  it('says minutes as staff say them', () => {
    expect(ageTextOf(0)).toBe('just now');
    expect(ageTextOf(59_999)).toBe('just now');
    expect(ageTextOf(4 * MIN + 30_000)).toBe('4 min');
    expect(ageTextOf(60 * MIN)).toBe('1 h');
    expect(ageTextOf(65 * MIN)).toBe('1 h 5 min');
    expect(ageTextOf(-5000)).toBe('just now');
  });
});

describe('requestRowsOf', () => {
  it('shows open and acknowledged requests only, oldest first, with table and kind in words', () => {
    const rows = requestRowsOf(
      [
        request({ id: 'new', kind: 'bill', tableId: 't12', createdAt: at(T0 + 2 * MIN) }),
        request({ id: 'done', status: 'done' }),
        request({ id: 'gone', status: 'cancelled' }),
        request({
          id: 'old',
          status: 'acknowledged',
          acknowledgedBy: 'member-sam',
          note: ' high chair ',
        }),
        request({ id: 'ghost', tableId: 'unknown', kind: 'water', createdAt: at(T0 + MIN) }),
      ],
      tables,
      T0 + 5 * MIN,
      new Map([['member-sam', 'Sam']]),
    );
    expect(rows.map((r) => r.id)).toEqual(['old', 'ghost', 'new']);
    expect(rows[0]).toMatchObject({
      tableLabel: '4',
      kindText: 'Waiter called',
      note: 'high chair',
      statusText: 'On the way (Sam)',
      ageText: '5 min',
      late: true,
    });
    expect(rows[1]).toMatchObject({ tableLabel: 'unknown', kindText: 'Water requested' });
    expect(rows[2]).toMatchObject({
      tableLabel: '12',
      kindText: 'Bill requested',
      note: null,
      statusText: 'Waiting',
      ageText: '3 min',
      late: false,
    });
  });

  it('flags a call as waiting long only after 3 minutes', () => {
    const rows = (now: number) => requestRowsOf([request()], tables, now);
    expect(rows(T0 + LATE_AFTER_MS)[0]?.late).toBe(false);
    expect(rows(T0 + LATE_AFTER_MS + 1)[0]?.late).toBe(true);
  });

  it('breaks ties by id, so the list does not jump', () => {
    const rows = requestRowsOf([request({ id: 'b' }), request({ id: 'a' })], tables, T0);
    expect(rows.map((r) => r.id)).toEqual(['a', 'b']);
  });
});

describe('approvalsOf', () => {
  it('lists nothing unless the venue approves guest orders', () => {
    expect(approvalsOf([order()], tables, undefined, T0)).toEqual([]);
    expect(approvalsOf([order()], tables, {}, T0)).toEqual([]);
    expect(approvalsOf([order()], tables, { guestOrdering: { approval: false } }, T0)).toEqual([]);
  });

  it('lists each open guest order’s unsent lines, oldest order first, with modifiers and notes', () => {
    const rows = approvalsOf(
      [
        order({
          id: 'later',
          createdAt: at(T0 + MIN),
          lines: [
            line({ id: 'a', sentAt: at(T0) }),
            line({
              id: 'b',
              name: 'Chips',
              quantity: 2,
              modifiers: [{ id: 'm', name: 'Salted', priceDelta: 0 }],
              note: 'crispy',
            }),
            line({ id: 'c', voidedAt: at(T0) }),
          ],
        }),
        order({ id: 'first' }),
        order({ id: 'staff', source: 'staff' }),
        order({ id: 'closed', status: 'closed' }),
        order({ id: 'all-sent', lines: [line({ sentAt: at(T0) })] }),
      ],
      tables,
      APPROVAL,
      T0 + 4 * MIN,
    );
    expect(rows.map((r) => r.orderId)).toEqual(['first', 'later']);
    expect(rows[0]).toMatchObject({ tableLabel: '12', ageText: '4 min' });
    expect(rows[1]?.lines).toEqual([{ id: 'b', text: '2 × Chips', detail: 'Salted, “crispy”' }]);
    expect(rows[0]?.lines).toEqual([{ id: 'l1', text: '1 × Burger', detail: null }]);
  });
});

describe('arrivalsOf', () => {
  it('says nothing on the first look, then only what is new', () => {
    const rows = requestRowsOf([request()], tables, T0);
    const approvals = approvalsOf([order()], tables, APPROVAL, T0);
    expect(arrivalsOf(undefined, rows, approvals)).toBeUndefined();
    expect(arrivalsOf({ requests: ['r1'], orders: ['o1'] }, rows, approvals)).toBeUndefined();
    expect(arrivalsOf({ requests: [], orders: [] }, rows, approvals)).toBe(
      'Table 4: waiter called. Table 12: guest order waiting for approval.',
    );
  });
});

describe('payloads', () => {
  it('serviceRequest.transition', () => {
    expect(transitionPayload('r1', 'acknowledge')).toEqual({
      requestId: 'r1',
      action: 'acknowledge',
    });
  });
});
