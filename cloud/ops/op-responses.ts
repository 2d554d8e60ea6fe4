import { canonicalJson, type JsonValue, PROBLEM_CONTENT_TYPE } from '#protocol';
import { problemResponse } from '../http/problem-response.ts';
import type { FirstResult, OpOutcome } from '../write/op-writer.ts';

/**
 * The HTTP answer for a first result. Built by one function from the stored result, and
 * serialised canonically, so a replay is byte-identical to the first response.
 * applied → 201 with the result; rejected → 422 problem+json (kind stop: show it, never retry)
 * carrying the result.
 */
export function responseForResult(result: FirstResult, replayed: boolean): Response {
  const headers: Record<string, string> = {};
  if (replayed) headers['Idempotent-Replayed'] = 'true';
  if (result.status === 'applied') {
    headers['Content-Type'] = 'application/json';
    return new Response(canonicalJson(result as JsonValue), { status: 201, headers });
  }
  headers['Content-Type'] = PROBLEM_CONTENT_TYPE;
  const body = {
    type: `https://hearth.dev/problems/${result.code.toLowerCase().replace(/_/g, '-')}`,
    title: 'Operation rejected',
    status: 422,
    kind: 'stop',
    code: result.code,
    detail: result.message,
    result,
  };
  return new Response(canonicalJson(body as JsonValue), { status: 422, headers });
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
