import type { Problem, ProblemExtras, StatusKind } from '../errors/problem.ts';

/*
 * `errors/problem.ts` without zod, for the service worker: the content type, the kind that
 * goes with a status and the body builder. tests/protocol/wire-checks.test.ts proves both
 * functions equal to the originals for every status and a spread of extras.
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The kind that goes with an HTTP status, where the status alone decides it. */
export function kindForStatus(status: number): StatusKind {
  if (status === 401) return 'sign_in';
  if (status === 403 || status === 404) return 'stop';
  if (status === 410) return 're_bootstrap';
  if (status === 409) return 'retry_later';
  if (status === 429 || status >= 500) return 'back_off';
  return 'fix_request';
}

/** Builds a problem body with a `type` URI derived from the code. */
export function problem(
  status: number,
  code: string,
  title: string,
  extra: ProblemExtras = {},
): Problem {
  const { issues, kind, ...rest } = extra;
  return {
    ...rest,
    type: `https://hearth.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title,
    status,
    code,
    kind: kind ?? kindForStatus(status),
    ...(issues ? { issues: issues.map((i) => ({ path: i.path, message: i.message })) } : {}),
  };
}
