import { describe, expect, it } from 'vitest';
import { moneyFormat } from '../../web/guest/money-format.ts';
import {
  NOT_SENT_WORDS,
  placedPhaseOf,
  stageNews,
  stagesOf,
  tableStatusOf,
} from '../../web/guest/order-status.ts';
import { order, ticket } from './guest-fixtures.ts';

// Where each dish of the table's tab stands, from the order and its tickets, and where an
// order this phone placed stands before the tab shows it.

const stages = (orders: ReturnType<typeof tableStatusOf>) =>
  orders.flatMap((o) => o.lines.map((l) => [l.lineId, l.words]));

describe('tableStatusOf', () => {
  const tab = order('o1', [
    { id: 'waiting', itemId: 'chips', name: 'Chips' },
    { id: 'queued', itemId: 'burger', name: 'Bistro burger', sent: true },
    { id: 'cooking', itemId: 'risotto', name: 'Mushroom risotto', sent: true },
    { id: 'marked', itemId: 'chicken', name: 'Half chicken', sent: true },
    { id: 'served', itemId: 'lemonade', name: 'Homemade lemonade', sent: true },
    { id: 'voided', itemId: 'chips', name: 'Chips', sent: true, voided: true },
    { id: 'struck', itemId: 'chips', name: 'Chips', sent: true },
    { id: 'nothing-yet', itemId: 'chips', name: 'Chips', sent: true },
    { id: 'held', itemId: 'chips', name: 'Chips', sent: true },
  ]);
  const tickets = [
    ticket('t-grill', 'o1', [
      { lineId: 'queued', name: 'Bistro burger' },
      { lineId: 'struck', name: 'Chips', voided: true },
    ]),
    ticket('t-risotto', 'o1', [{ lineId: 'cooking', name: 'Mushroom risotto' }], {
      status: 'in_progress',
    }),
    ticket('t-chicken', 'o1', [{ lineId: 'marked', name: 'Half chicken', ready: true }], {
      status: 'in_progress',
    }),
    ticket('t-bar', 'o1', [{ lineId: 'served', name: 'Homemade lemonade' }], { status: 'bumped' }),
    ticket('t-held', 'o1', [{ lineId: 'held', name: 'Chips' }], { status: 'held', course: 2 }),
    ticket('t-other', 'o-other', [{ lineId: 'nothing-yet', name: 'Chips' }], { status: 'bumped' }),
  ];

  it('each line’s stage from the order and its ticket', () => {
    expect(stages(tableStatusOf([tab], tickets, { approval: false }))).toEqual([
      ['waiting', 'Received'],
      ['queued', 'In the kitchen'],
      ['cooking', 'In the kitchen'],
      ['marked', 'Ready'],
      ['served', 'Served'],
      ['voided', 'Removed by staff'],
      ['struck', 'Removed by staff'],
      ['nothing-yet', 'Received'],
      ['held', 'Received'],
    ]);
  });

  it('with approval on, a line not sent waits for staff', () => {
    const [first] = tableStatusOf([tab], tickets, { approval: true });
    expect(first?.lines[0]).toMatchObject({
      stage: 'awaiting_approval',
      words: 'Waiting for staff to confirm',
    });
  });

  it('a ready ticket makes its lines ready; a voided ticket removes them', () => {
    const ready = tableStatusOf(
      [tab],
      [ticket('t', 'o1', [{ lineId: 'queued', name: 'B' }], { status: 'ready' })],
      {
        approval: false,
      },
    );
    expect(ready[0]?.lines[1]?.stage).toBe('ready');
    const voided = tableStatusOf(
      [tab],
      [
        ticket('t', 'o1', [{ lineId: 'queued', name: 'B' }], {
          voidedAt: '2026-11-23T19:05:00.000Z',
        }),
      ],
      { approval: false },
    );
    expect(voided[0]?.lines[1]?.stage).toBe('removed');
  });

  it('the order’s total in the venue’s money; an empty order is not shown', () => {
    const views = tableStatusOf([tab, order('o2', [])], tickets, {
      approval: false,
      money: moneyFormat('en-GB', 'EUR'),
    });
    expect(views.map((v) => [v.orderId, v.total])).toEqual([['o1', '€80.00']]);
  });

  it('news is a stage that moved, not a line that arrived', () => {
    const lines = [
      { id: 'a', itemId: 'chicken', name: 'Half chicken', sent: true },
      { id: 'b', itemId: 'chips', name: 'Chips', sent: true },
    ];
    const before = stagesOf(tableStatusOf([order('o1', lines)], [], { approval: false }));
    const after = tableStatusOf(
      [order('o1', [...lines, { id: 'new', itemId: 'risotto', name: 'Mushroom risotto' }])],
      [ticket('t', 'o1', [{ lineId: 'a', name: 'Half chicken' }], { status: 'ready' })],
      { approval: false },
    );
    expect(stageNews(before, after)).toEqual(['1 × Half chicken: Ready']);
    expect(stageNews(undefined, after)).toEqual([]);
  });
});

describe('placedPhaseOf', () => {
  it('says whether the order went, in sync-labels’ words', () => {
    expect(placedPhaseOf({ status: 'sending' }, false).words).toBe('Sending…');
    expect(placedPhaseOf({ status: 'pending' }, true)).toEqual({
      phase: 'not_sent',
      words: NOT_SENT_WORDS,
    });
    expect(NOT_SENT_WORDS).toBe('Not sent yet — will send when you’re back online');
    expect(placedPhaseOf({ status: 'pending' }, false).phase).toBe('sending');
    expect(placedPhaseOf({ status: 'pending', waiting: true }, false).phase).toBe('not_sent');
    expect(placedPhaseOf({ status: 'synced' }, false).phase).toBe('sent');
    expect(placedPhaseOf({ status: 'delivered_local' }, true).phase).toBe('sent');
    expect(placedPhaseOf({ status: 'failed' }, true).words).toBe(
      'Not sent — will try again when you’re back online',
    );
    expect(placedPhaseOf(undefined, false).phase).toBe('unknown');
  });
});
