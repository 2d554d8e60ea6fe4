import { refundStep } from '../domain/refund-machine.ts';
import { paymentCharged } from '../entities/payment.ts';
import type { OperationOfType } from '../ops/operation.ts';
import { filterEntities } from '../state/entity-set.ts';
import type { VenueState } from '../state/venue-state.ts';
import { type DecideContext, type Decision, reject } from './decision.ts';
import { Draft, unchanged } from './draft.ts';

/**
 * A manager refunds (part of) a charged payment. Cash is handed back at once (refunded); a card
 * refund waits, approved, until the cloud sends it to the processor. Never more than is left:
 * the payment with its tip, less what is refunded or waiting to be.
 */
export function decideRefundRequest(
  state: VenueState,
  op: OperationOfType<'refund.request'>,
  ctx: DecideContext,
): Decision {
  const { refundId, paymentId, amount, reason } = op.payload;
  const draft = new Draft(state);
  const existing = draft.get('refund', refundId);
  if (existing) return reject('ALREADY_EXISTS', `refund ${refundId} already exists`, existing);
  const payment = draft.get('payment', paymentId);
  if (!payment) return reject('NOT_FOUND', `no payment ${paymentId}`);
  if (!paymentCharged(payment))
    return reject(
      'REFUND_NOT_ALLOWED',
      `a payment that is ${payment.status} cannot be refunded`,
      payment,
    );
  const waiting = filterEntities(
    state.entities,
    'refund',
    (r) => r.paymentId === paymentId && r.status === 'approved',
  ).reduce((sum, r) => sum + r.amount, 0);
  const left = payment.amount + payment.tip - payment.refunded - waiting;
  if (amount > left)
    return reject('REFUND_NOT_ALLOWED', `only ${left} is left to refund on this payment`, payment);
  const cash = payment.method === 'cash';
  draft.put(
    'refund',
    {
      id: refundId,
      paymentId,
      orderId: payment.orderId,
      method: payment.method,
      currency: payment.currency,
      amount,
      reason,
      requestedBy: op.actorId,
      requestedAt: ctx.now,
      status: cash ? 'refunded' : 'approved',
      reference: null,
      failure: null,
      settledAt: cash ? ctx.now : null,
    },
    0,
  );
  if (cash) {
    const { version, ...rest } = payment;
    draft.put('payment', { ...rest, refunded: payment.refunded + amount }, version);
  }
  return draft.commit();
}

/** What the processor did with a card refund the cloud sent (server-made). */
export function decideRefundSettle(
  state: VenueState,
  op: OperationOfType<'refund.settle'>,
  ctx: DecideContext,
): Decision {
  const { refundId, outcome, reference, failure } = op.payload;
  const draft = new Draft(state);
  const refund = draft.get('refund', refundId);
  if (!refund) return reject('NOT_FOUND', `no refund ${refundId}`);
  const moved = refundStep(refund.status, outcome);
  if (moved.kind === 'refused')
    return reject('INVALID_STATE_TRANSITION', `the refund is already ${refund.status}`, refund);
  if (moved.kind === 'unchanged') return unchanged(state);
  const { version, ...rest } = refund;
  draft.put(
    'refund',
    {
      ...rest,
      status: outcome,
      reference: reference ?? null,
      failure: outcome === 'failed' ? (failure ?? 'the processor refused the refund') : null,
      settledAt: ctx.now,
    },
    version,
  );
  const payment = draft.get('payment', refund.paymentId);
  if (outcome === 'refunded' && payment) {
    const { version: paymentVersion, ...paymentRest } = payment;
    draft.put(
      'payment',
      { ...paymentRest, refunded: payment.refunded + refund.amount },
      paymentVersion,
    );
  }
  return draft.commit();
}
