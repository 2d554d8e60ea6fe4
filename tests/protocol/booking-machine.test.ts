import { beforeAll, describe, expect, it } from 'vitest';
import {
  BOOKING_ACTIONS,
  type BookingAction,
  type BookingStatus,
  bookingStep,
  decide,
  getEntity,
  type VenueState,
} from '#protocol';
import { applyAll, type Verdict, verdictOf } from './support/run-ops.ts';
import { ctxFor, opOf, staff, venueState } from './support/venue-fixture.ts';

const BOOKING = '01JD0000000000000000000020';

// A cancelled booking cannot be seated; completed, cancelled and no_show are final.
const table: Record<BookingStatus, Record<BookingAction, Verdict>> = {
  held: {
    confirm: { moved: 'confirmed' },
    seat: 'refused',
    complete: 'refused',
    cancel: { moved: 'cancelled' },
    no_show: 'refused',
  },
  confirmed: {
    confirm: 'unchanged',
    seat: { moved: 'seated' },
    complete: 'refused',
    cancel: { moved: 'cancelled' },
    no_show: { moved: 'no_show' },
  },
  seated: {
    confirm: 'refused',
    seat: 'unchanged',
    complete: { moved: 'completed' },
    cancel: 'refused',
    no_show: 'refused',
  },
  completed: {
    confirm: 'refused',
    seat: 'refused',
    complete: 'unchanged',
    cancel: 'refused',
    no_show: 'refused',
  },
  cancelled: {
    confirm: 'refused',
    seat: 'refused',
    complete: 'refused',
    cancel: 'unchanged',
    no_show: 'refused',
  },
  no_show: {
    confirm: 'refused',
    seat: 'refused',
    complete: 'refused',
    cancel: 'refused',
    no_show: 'unchanged',
  },
};

const server = staff('server');
const act = (action: BookingAction) =>
  opOf(
    'booking.transition',
    { bookingId: BOOKING, action, ...(action === 'seat' ? { tableId: 'table-3' } : {}) },
    server,
  );
const states = {} as Record<BookingStatus, VenueState>;

beforeAll(async () => {
  const create = await opOf('booking.create', {
    bookingId: BOOKING,
    guestName: 'Mira',
    partySize: 4,
    startsAt: '2026-11-28T19:00:00.000Z',
  });
  states.held = applyAll(venueState(), [create]);
  states.confirmed = applyAll(states.held, [await act('confirm')], server);
  states.seated = applyAll(states.confirmed, [await act('seat')], server);
  states.completed = applyAll(states.seated, [await act('complete')], server);
  states.cancelled = applyAll(states.confirmed, [await act('cancel')], server);
  states.no_show = applyAll(states.confirmed, [await act('no_show')], server);
});

describe('booking state machine', () => {
  const cells = (Object.keys(table) as BookingStatus[]).flatMap((from) =>
    BOOKING_ACTIONS.map((a) => [from, a] as const),
  );

  it('covers every status × action', () => expect(cells).toHaveLength(30));

  it.each(cells)('%s × %s: the pure step follows the table', (from, action) => {
    const expected = table[from][action];
    const result = bookingStep(from, action);
    if (expected === 'refused') expect(result.kind).toBe('refused');
    else expect(result).toMatchObject({ to: expected === 'unchanged' ? from : expected.moved });
  });

  it.each(cells)('%s × %s: the decider follows the table', async (from, action) => {
    const decision = decide(states[from], await act(action), ctxFor(server));
    const status = (s: VenueState) => getEntity(s.entities, 'booking', BOOKING)?.status;
    expect(verdictOf(decision, status, from)).toEqual(table[from][action]);
  });

  it('seating records the table and needs one', async () => {
    expect(getEntity(states.seated.entities, 'booking', BOOKING)?.tableId).toBe('table-3');
    const noTable = await opOf(
      'booking.transition',
      { bookingId: BOOKING, action: 'seat' },
      server,
    );
    expect(decide(states.confirmed, noTable, ctxFor(server))).toMatchObject({
      kind: 'rejected',
      code: 'VALIDATION',
    });
  });
});
