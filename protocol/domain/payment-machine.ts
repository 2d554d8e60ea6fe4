import { type Step, step, type TransitionTable } from './state-machine.ts';

/*
 * One card payment attempt, as the payment port reports it. Card reading happens in the
 * processor; Hearth keeps only its reference and what it answered.
 *
 *                  ┌──approve──▶ approved
 *                  ├──decline──▶ declined
 *   requested ─────┼──time_out─▶ timed_out ──ask_again──▶ requested   (same reference)
 *                  └──store────▶ stored ──authorise_later──▶ approved_later
 *                                       └─decline_later────▶ declined_later
 *
 * Each state accepts a repeat of the event that led to it, changing nothing (a processor's
 * answer delivered twice). approved, declined, approved_later and declined_later are final.
 * timed_out means the answer is unknown: the card may have been charged, so the only way on is
 * asking the processor again by the same reference, never a second charge. A refused payment is
 * tried again as a new attempt with a new reference. Refunds are not part of this machine.
 */
export const PAYMENT_STATES = [
  'requested',
  'approved',
  'declined',
  'timed_out',
  'stored',
  'approved_later',
  'declined_later',
] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

export const PAYMENT_EVENTS = [
  'approve',
  'decline',
  'time_out',
  'store',
  'authorise_later',
  'decline_later',
  'ask_again',
] as const;
export type PaymentEvent = (typeof PAYMENT_EVENTS)[number];

export const paymentTransitions: TransitionTable<PaymentState, PaymentEvent> = {
  requested: { approve: 'approved', decline: 'declined', time_out: 'timed_out', store: 'stored' },
  approved: { approve: 'approved' },
  declined: { decline: 'declined' },
  timed_out: { time_out: 'timed_out', ask_again: 'requested' },
  stored: {
    store: 'stored',
    authorise_later: 'approved_later',
    decline_later: 'declined_later',
  },
  approved_later: { authorise_later: 'approved_later' },
  declined_later: { decline_later: 'declined_later' },
};

export function paymentStep(from: PaymentState, event: PaymentEvent): Step<PaymentState> {
  return step(paymentTransitions, from, event);
}

/**
 * What an attempt means for the bill: `charged` (paid), `not_charged` (the bill is still
 * unpaid; after `declined_later` the guest may have left), `unknown` (no new card attempt for this bill until it is asked again and settles), or
 * `stored` (taken offline by store-and-forward: counts against the offline card limits until
 * the processor authorises or declines it).
 */
export type PaymentOutcome = 'charged' | 'not_charged' | 'unknown' | 'stored';

export function paymentOutcome(state: PaymentState): PaymentOutcome {
  switch (state) {
    case 'approved':
    case 'approved_later':
      return 'charged';
    case 'declined':
    case 'declined_later':
      return 'not_charged';
    case 'requested':
    case 'timed_out':
      return 'unknown';
    case 'stored':
      return 'stored';
  }
}
