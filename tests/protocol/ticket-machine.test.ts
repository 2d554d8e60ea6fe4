import { beforeAll, describe, expect, it } from 'vitest';
import {
  decide,
  getEntity,
  TICKET_ACTIONS,
  type TicketAction,
  TicketStatus,
  ticketIdFor,
  ticketStep,
  type VenueState,
} from '#protocol';
import { applyAll, type Verdict, verdictOf } from './support/run-ops.ts';
import { ctxFor, opOf, staff, venueState } from './support/venue-fixture.ts';

const ORDER = '01JD0000000000000000000002';
const SEND = '01JD0000000000000000000003';
const TICKET = ticketIdFor(SEND, 'grill');

// Every status × every action. Repeating the action that led to a status is an idempotent success.
// A held ticket refuses every action: only `order.fireCourse` (not a ticket action) queues it.
const table: Record<TicketStatus, Record<TicketAction, Verdict>> = {
  held: {
    start: 'refused',
    ready: 'refused',
    bump: 'refused',
    recall: 'refused',
  },
  queued: {
    start: { moved: 'in_progress' },
    ready: { moved: 'ready' },
    bump: 'refused',
    recall: 'refused',
  },
  in_progress: {
    start: 'unchanged',
    ready: { moved: 'ready' },
    bump: 'refused',
    recall: 'refused',
  },
  ready: {
    start: 'refused',
    ready: 'unchanged',
    bump: { moved: 'bumped' },
    recall: { moved: 'in_progress' },
  },
  bumped: {
    start: 'refused',
    ready: 'refused',
    bump: 'unchanged',
    recall: { moved: 'in_progress' },
  },
};

const kitchen = staff('kitchen');
const act = (action: TicketAction) =>
  opOf('ticket.transition', { ticketId: TICKET, action }, kitchen);
const states = {} as Record<TicketStatus, VenueState>;

beforeAll(async () => {
  const create = await opOf('order.create', {
    orderId: ORDER,
    tableId: 'table-2',
    lines: [{ lineId: 'l1', itemId: 'burger', quantity: 1 }],
  });
  const send = (hold: boolean) =>
    opOf('order.sendToKitchen', { orderId: ORDER, ...(hold ? { hold } : {}) }, staff('manager'), {
      opId: SEND,
    });
  states.held = applyAll(venueState(), [create, await send(true)]);
  states.queued = applyAll(venueState(), [create, await send(false)]);
  states.in_progress = applyAll(states.queued, [await act('start')], kitchen);
  states.ready = applyAll(states.in_progress, [await act('ready')], kitchen);
  states.bumped = applyAll(states.ready, [await act('bump')], kitchen);
});

describe('ticket state machine', () => {
  const cells = (Object.keys(table) as TicketStatus[]).flatMap((from) =>
    TICKET_ACTIONS.map((a) => [from, a] as const),
  );

  it('covers every status × action', () =>
    expect(cells).toHaveLength(TicketStatus.options.length * TICKET_ACTIONS.length));

  it.each(cells)('%s × %s: the pure step follows the table', (from, action) => {
    const expected = table[from][action];
    const result = ticketStep(from, action);
    if (expected === 'refused') expect(result.kind).toBe('refused');
    else if (expected === 'unchanged')
      expect(result).toEqual({ kind: 'unchanged', from, to: from });
    else expect(result).toEqual({ kind: 'moved', from, to: expected.moved });
  });

  it.each(cells)('%s × %s: the decider follows the table', async (from, action) => {
    const state = states[from];
    expect(getEntity(state.entities, 'ticket', TICKET)?.status).toBe(from);
    const decision = decide(state, await act(action), ctxFor(kitchen));
    expect(
      verdictOf(decision, (s) => getEntity(s.entities, 'ticket', TICKET)?.status, from),
    ).toEqual(table[from][action]);
  });

  it('a repeated "ready" succeeds and emits nothing', async () => {
    const decision = decide(states.ready, await act('ready'), ctxFor(kitchen));
    expect(decision).toMatchObject({ kind: 'applied', changes: [] });
  });

  it('stamps server time on each move and a recall clears ready and bumped times', async () => {
    const ready = getEntity(states.ready.entities, 'ticket', TICKET);
    expect(ready).toMatchObject({
      status: 'ready',
      startedAt: '2026-11-23T19:30:00.000Z',
      readyAt: '2026-11-23T19:30:00.000Z',
    });
    const recalled = decide(
      states.bumped,
      await act('recall'),
      ctxFor(kitchen, '2026-11-23T19:45:00.000Z'),
    );
    if (recalled.kind !== 'applied') throw new Error('recall refused');
    expect(getEntity(recalled.state.entities, 'ticket', TICKET)).toMatchObject({
      status: 'in_progress',
      readyAt: null,
      bumpedAt: null,
      startedAt: '2026-11-23T19:30:00.000Z',
    });
  });
});
