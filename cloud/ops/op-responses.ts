import { httpAnswerForResult, type OpResult } from '#protocol';
import { problemResponse } from '../../server/problem-response.ts';
import type { FirstResult, OpOutcome } from '../write/op-writer.ts';

/** The HTTP answer for a first result (the shape protocol fixes for both the cloud and the relay). */
export function responseForResult(result: FirstResult, replayed: boolean): Response {
  const answer = httpAnswerForResult(result, replayed);
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** The direct lane's answer for any outcome. */
export function responseForOutcome(outcome: OpOutcome): Response {
  switch (outcome.kind) {
    case 'decided':
      return responseForResult(outcome.result, false);
    case 'duplicate':
      return responseForResult(outcome.result, true);
    case 'key_reused':
      return problemResponse(422, 'IDEMPOTENCY_KEY_REUSED', 'Idempotency key reused', {
        kind: 'fix_request',
        detail: `op ${outcome.opId} was already sent with a different payload`,
      });
    case 'retryable':
      return problemResponse(
        409,
        outcome.code === 'IN_FLIGHT' ? 'IDEMPOTENCY_IN_FLIGHT' : outcome.code,
        'Try again shortly',
        {
          kind: 'retry_later',
          detail: outcome.message,
          retryAfter: Math.ceil(outcome.retryAfterMs / 1000),
        },
      );
    case 'invalid':
      return problemResponse(400, outcome.code, 'Operation does not match its request', {
        kind: 'fix_request',
        detail: outcome.message,
      });
  }
}

/**
 * The op outcome as a result in a body: the batch lane answers every op in order with one, and
 * a payment answer carries its op's. A duplicate is `duplicate` with its first answer.
 */
export function resultForOutcome(outcome: OpOutcome): OpResult {
  switch (outcome.kind) {
    case 'decided':
      return outcome.result;
    case 'duplicate':
      return { opId: outcome.result.opId, status: 'duplicate', first: outcome.result };
    case 'key_reused':
      return {
        opId: outcome.opId,
        status: 'rejected',
        code: 'IDEMPOTENCY_KEY_REUSED',
        message: 'this opId was sent before with a different payload',
      };
    case 'invalid':
      return {
        opId: outcome.opId,
        status: 'rejected',
        code: 'VALIDATION',
        message: outcome.message,
      };
    case 'retryable':
      return {
        opId: outcome.opId,
        status: 'retryable',
        code: outcome.code,
        message: outcome.message,
        retryAfterMs: outcome.retryAfterMs,
      };
  }
}
