import type { Operation } from '#protocol';
import { checkBatchResponse, checkProblem } from '#protocol/check/wire-checks.ts';
import type { SendOutcome } from './outbox-policy.ts';

/** The one network call the replayer makes; injectable so tests can pass an in-page server. */
export type FetchLike = (request: Request) => Promise<Response>;

export interface BatchCall {
  readonly fetch: FetchLike;
  /** The origin the ops go to (the relay's or the cloud's). */
  readonly target: string;
  readonly venueId: string;
  readonly deviceId: string;
  readonly ops: readonly Operation[];
  readonly timeoutMs: number;
  /** For an HTTP-date Retry-After. */
  readonly now: number;
}

/** Seconds or an HTTP date (RFC 9110 §10.2.3) → ms from now; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null || header.trim() === '') return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function failure(response: Response, now: number): Promise<SendOutcome> {
  let body: unknown = null;
  const text = await response.text().catch((error: unknown) => messageOf(error));
  try {
    body = JSON.parse(text);
  } catch (error) {
    // Not JSON (a proxy's HTML page): the status alone decides.
    if (!(error instanceof SyntaxError)) throw error;
  }
  const problem = checkProblem(body);
  const fromProblem =
    problem.ok && problem.value.retryAfter !== undefined ? problem.value.retryAfter * 1000 : null;
  return {
    kind: 'http',
    status: response.status,
    code: problem.ok ? problem.value.code : null,
    message: problem.ok
      ? (problem.value.detail ?? problem.value.title)
      : `${response.status} ${response.statusText}`.trim(),
    retryAfterMs: retryAfterMs(response.headers.get('retry-after'), now) ?? fromProblem,
  };
}

/**
 * POSTs one device's ops to `…/ops/batch` and reads the answer as one outcome per op.
 * Never throws for what the network or the server does: those are outcomes.
 *
 * @example
 * const outcomeOf = await sendBatch({ fetch, target: location.origin, venueId, deviceId,
 *   ops, timeoutMs: 30_000, now: Date.now() });
 * outcomeOf(ops[0].opId); // { kind: 'result', result: { status: 'applied', … } }
 */
export async function sendBatch(call: BatchCall): Promise<(opId: string) => SendOutcome> {
  const everyOp = (outcome: SendOutcome) => () => outcome;
  const url = new URL(`/v1/venues/${encodeURIComponent(call.venueId)}/ops/batch`, call.target);
  const request = new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ deviceId: call.deviceId, ops: call.ops }),
    // The session is an HttpOnly cookie: sent by the browser, never seen here.
    credentials: 'same-origin',
    cache: 'no-store',
    // A redirect here is a captive portal or a misconfigured proxy, never the target.
    redirect: 'error',
    signal: AbortSignal.timeout(call.timeoutMs),
  });
  let text: string;
  try {
    const response = await call.fetch(request);
    if (!response.ok) return everyOp(await failure(response, call.now));
    text = await response.text();
  } catch (error) {
    return everyOp({ kind: 'network', message: messageOf(error) });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return everyOp({ kind: 'bad_response', message: 'the answer is not JSON' });
  }
  const parsed = checkBatchResponse(body);
  if (!parsed.ok) {
    return everyOp({ kind: 'bad_response', message: 'the answer is not a batch response' });
  }
  const byOpId = new Map(parsed.value.results.map((result) => [result.opId, result]));
  return (opId) => {
    const result = byOpId.get(opId);
    return result ? { kind: 'result', result } : { kind: 'missing' };
  };
}
