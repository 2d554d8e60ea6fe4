import { httpAnswerForResult } from '#protocol';
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
