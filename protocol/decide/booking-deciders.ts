import { bookingStep } from '../domain/booking-machine.ts';
import type { OperationOfType } from '../ops/operation.ts';
import type { VenueState } from '../state/venue-state.ts';
import { type DecideContext, type Decision, reject } from './decision.ts';
import { Draft, unchanged } from './draft.ts';

export function decideBookingCreate(
  state: VenueState,
  op: OperationOfType<'booking.create'>,
  _ctx: DecideContext,
): Decision {
  const { bookingId, guestName, partySize, startsAt, phone, note } = op.payload;
  const draft = new Draft(state);
  const existing = draft.get('booking', bookingId);
  if (existing) return reject('ALREADY_EXISTS', `booking ${bookingId} already exists`, existing);
  draft.put(
    'booking',
    {
      id: bookingId,
      guestName,
      partySize,
      startsAt,
      status: 'held',
      tableId: null,
      ...(phone === undefined ? {} : { phone }),
      ...(note === undefined ? {} : { note }),
    },
    0,
  );
  return draft.commit();
}

export function decideBookingTransition(
  state: VenueState,
  op: OperationOfType<'booking.transition'>,
  _ctx: DecideContext,
): Decision {
  const { bookingId, action, tableId } = op.payload;
  const draft = new Draft(state);
  const booking = draft.get('booking', bookingId);
  if (!booking) return reject('NOT_FOUND', `no booking ${bookingId}`);
  const next = bookingStep(booking.status, action);
  if (next.kind === 'refused') {
    return reject(
      'INVALID_STATE_TRANSITION',
      `cannot ${action} a booking that is ${booking.status}`,
      booking,
    );
  }
  if (next.kind === 'unchanged') return unchanged(state);
  if (action === 'seat') {
    if (tableId === undefined) return reject('VALIDATION', 'seating needs a tableId', booking);
    if (!draft.get('table', tableId)) return reject('NOT_FOUND', `no table ${tableId}`, booking);
  }
  draft.put(
    'booking',
    {
      ...booking,
      status: next.to,
      tableId: action === 'seat' ? (tableId ?? null) : booking.tableId,
    },
    booking.version,
  );
  return draft.commit();
}
