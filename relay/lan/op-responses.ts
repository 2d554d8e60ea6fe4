import { canonicalJson, type JsonValue, type OpResult, PROBLEM_CONTENT_TYPE } from '#protocol';
import type { LocalAnswer } from '../sync/venue-engine.ts';
import { problemResponse } from './problem-response.ts';

/**
 * The LAN answer for a locally decided op, in the cloud's shape so devices need one client:
 * accepted_local → 202 with the result; rejected → 422 problem+json carrying it (kind stop);
 * a repeat → the same bytes with `Idempotent-Replayed: true`.
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
  const headers: Record<string, string> = replayed ? { 'Idempotent-Replayed': 'true' } : {};
  if (result.status === 'rejected') {
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
  headers['Content-Type'] = 'application/json';
  const status = result.status === 'accepted_local' ? 202 : 201;
  return new Response(canonicalJson(result as JsonValue), { status, headers });
}
