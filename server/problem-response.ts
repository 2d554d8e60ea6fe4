import { PROBLEM_CONTENT_TYPE, type ProblemExtras, problem } from '#protocol';

/**
 * An `application/problem+json` response whose `kind` tells the caller what to do.
 * Retry-After is set from `retryAfter` when given.
 */
export function problemResponse(
  status: number,
  code: string,
  title: string,
  extra: ProblemExtras = {},
): Response {
  const body = problem(status, code, title, extra);
  const headers: Record<string, string> = { 'Content-Type': PROBLEM_CONTENT_TYPE };
  if (body.retryAfter !== undefined) headers['Retry-After'] = String(body.retryAfter);
  return new Response(JSON.stringify(body), { status, headers });
}
