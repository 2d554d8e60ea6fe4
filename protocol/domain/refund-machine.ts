import { type Step, step, type TransitionTable } from './state-machine.ts';

/*
 * A refund, asked for by a manager (the request is the approval). Card refunds are sent to the
 * processor by the cloud only, so never while the venue is offline; cash goes back over the
 * counter and is refunded at once.
 *
 *   approved ──refunded──▶ refunded   (final; a repeat changes nothing)
 *            └─failed────▶ failed     (final; the manager asks again with a new refund)
 */
export const REFUND_STATES = ['approved', 'refunded', 'failed'] as const;
export type RefundState = (typeof REFUND_STATES)[number];

export const REFUND_EVENTS = ['refunded', 'failed'] as const;
export type RefundEvent = (typeof REFUND_EVENTS)[number];

export const refundTransitions: TransitionTable<RefundState, RefundEvent> = {
  approved: { refunded: 'refunded', failed: 'failed' },
  refunded: { refunded: 'refunded' },
  failed: { failed: 'failed' },
};

export function refundStep(from: RefundState, event: RefundEvent): Step<RefundState> {
  return step(refundTransitions, from, event);
}
