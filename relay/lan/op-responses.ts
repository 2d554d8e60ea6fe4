import { httpAnswerForResult, type OpResult } from '#protocol';
import { problemResponse } from '../../server/problem-response.ts';
import type { LocalAnswer } from '../sync/venue-engine.ts';

/**
 * The LAN answer for a locally decided op, in the cloud's shape so devices need one client:
 * accepted_local → 202 with the result; rejected → 422 problem+json carrying it (kind stop);
 * held for the cloud → 409 retry_later (DEPENDENCY_PENDING); a repeat → its current result with
 * `Idempotent-Replayed: true` (the cloud's verdict once it has settled the op).
 */
export function responseForLocal(answer: LocalAnswer): Response {
  if (answer.kind === 'key_reused') {
    return problemResponse(422, 'IDEMPOTENCY_KEY_REUSED', 'Idempotency key reused', {
      kind: 'fix_request',
      detail: 'this opId was already sent with a different payload',
    });
  }
  return responseForResult(answer.result, answer.kind === 'duplicate');
}

export function responseForResult(result: OpResult, replayed: boolean): Response {
  // Held for the cloud: the cloud's own answer for an op it cannot decide yet.
  if (result.status === 'retryable') {
    return problemResponse(409, result.code, 'Try again shortly', {
      kind: 'retry_later',
      detail: result.message,
      retryAfter: Math.ceil((result.retryAfterMs ?? 1000) / 1000),
    });
  }
  const answer = httpAnswerForResult(result, replayed);
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}
