import type { BookingStatus } from '../entities/booking.ts';
import type { BookingAction } from '../ops/payloads/booking-transition.ts';
import { type Step, step, type TransitionTable } from './state-machine.ts';

/*
 *   held ──confirm──▶ confirmed ──seat──▶ seated ──complete──▶ completed
 *    │                  │    └──no_show──▶ no_show
 *    └──cancel──▶ cancelled ◀──cancel──┘
 *   A cancelled booking cannot be seated. Repeats of the action that led to a state are idempotent.
 */
export const BOOKING_ACTIONS = [
  'confirm',
  'seat',
  'complete',
  'cancel',
  'no_show',
] as const satisfies readonly BookingAction[];

export const bookingTransitions: TransitionTable<BookingStatus, BookingAction> = {
  held: { confirm: 'confirmed', cancel: 'cancelled' },
  confirmed: { confirm: 'confirmed', seat: 'seated', cancel: 'cancelled', no_show: 'no_show' },
  seated: { seat: 'seated', complete: 'completed' },
  completed: { complete: 'completed' },
  cancelled: { cancel: 'cancelled' },
  no_show: { no_show: 'no_show' },
};

export function bookingStep(from: BookingStatus, action: BookingAction): Step<BookingStatus> {
  return step(bookingTransitions, from, action);
}
