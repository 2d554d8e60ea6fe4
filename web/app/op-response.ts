import type { OpState } from './outbox-reader.ts';

/** An op's status as one answer to its POST tells it, with what to show beside it. */
export type OpVerdict = OpState;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

const problemText = (body: unknown, fallback: string): string =>
  isRecord(body) && typeof body.detail === 'string'
    ? body.detail
    : isRecord(body) && typeof body.title === 'string'
      ? body.title
      : fallback;

/**
 * Reads the answer to `POST …/ops`. `queued` says whether the request went through the service
 * worker, which keeps the op in its outbox and retries it: then anything short of a decision is
 * `pending`. Sent straight to the origin (no worker yet), nothing retries it, so an undecided
 * answer is `failed` and the screen offers to send it again with the same opId.
 *
 * | answer                                         | status          |
 * |------------------------------------------------|-----------------|
 * | 201 applied                                    | synced          |
 * | 202 accepted_local (the relay kept it)         | delivered_local |
 * | 202 { status } from the worker's outbox        | that status (pending until it is sent) |
 * | 422 rejected, other 4xx                        | failed, final   |
 * | 409, 429, 5xx, no answer                       | pending if queued, else failed |
 *
 * @example
 * verdictOf(201, { opId, status: 'applied', … }, true); // { status: 'synced' }
 */
export function verdictOf(status: number | 'no-answer', body: unknown, queued: boolean): OpVerdict {
  if (status === 'no-answer')
    return queued ? { status: 'pending' } : { status: 'failed', detail: 'not sent: no connection' };
  if (status === 201) return { status: 'synced' };
  if (status === 202) {
    // The relay's accepted_local, or the worker's `{ op, status }` with the outbox's status
    // (an op already queued and delivered answers synced or delivered_local).
    const said = isRecord(body) ? body.status : undefined;
    if (said === 'accepted_local' || said === 'delivered_local')
      return { status: 'delivered_local' };
    if (said === 'synced') return { status: 'synced' };
    if (said === 'failed') return { status: 'failed', detail: 'refused earlier' };
    return { status: 'pending' };
  }
  if (status >= 200 && status < 300) return { status: 'synced' };
  const retryable = status === 409 || status === 429 || status >= 500;
  if (retryable && queued) return { status: 'pending' };
  if (retryable) return { status: 'failed', detail: problemText(body, `HTTP ${status}`) };
  const code = isRecord(body) && typeof body.code === 'string' ? body.code : undefined;
  return {
    status: 'failed',
    detail: problemText(body, `HTTP ${status}`),
    final: true,
    ...(code ? { code } : {}),
  };
}
