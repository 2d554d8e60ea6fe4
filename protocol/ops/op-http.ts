import { PROBLEM_CONTENT_TYPE } from '../errors/problem.ts';
import { canonicalJson, type JsonValue } from '../hash/canonical-json.ts';
import type { OpResult } from './op-result.ts';

/** An HTTP answer as plain data: status, headers and the exact body bytes (as text). */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * How the direct write lane answers an op's result, on the cloud and on the relay alike, so a
 * device needs one client: applied → 201, accepted_local (the relay, offline) → 202, both with
 * the result; rejected → 422 problem+json (kind `stop`: show it, never retry) carrying it. The
 * body is canonical JSON, so a replay (`Idempotent-Replayed: true`) is byte-identical.
 */
export function httpAnswerForResult(result: OpResult, replayed: boolean): HttpAnswer {
  const headers: Record<string, string> = replayed ? { 'Idempotent-Replayed': 'true' } : {};
  if (result.status === 'rejected') {
    const body = {
      type: `https://hearth.dev/problems/${result.code.toLowerCase().replace(/_/g, '-')}`,
      title: 'Operation rejected',
      status: 422,
      kind: 'stop',
      code: result.code,
      detail: result.message,
      result,
    };
    return {
      status: 422,
      headers: { ...headers, 'Content-Type': PROBLEM_CONTENT_TYPE },
      body: canonicalJson(body as JsonValue),
    };
  }
  const status = result.status === 'accepted_local' ? 202 : 201;
  return {
    status,
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: canonicalJson(result as JsonValue),
  };
}
