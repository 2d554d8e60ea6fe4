import * as z from 'zod';

/**
 * What the caller must do about an error. Every problem+json response carries one.
 *
 * | kind          | the caller…                                                        |
 * |---------------|--------------------------------------------------------------------|
 * | fix_request   | sent something wrong: do not retry as is; show it (400, 413, 422)   |
 * | retry_later   | retries the same request, same key, after Retry-After (409 in flight)|
 * | back_off      | retries with exponential backoff (429, 5xx, network)                |
 * | sign_in       | needs a fresh token (401)                                           |
 * | stop          | may not do this; show it and do not retry (403, 404)                |
 * | re_bootstrap  | drops its cursor and loads a snapshot (409 scope change, 410)       |
 * | needs_setup   | the server lacks something an operator must configure (503)         |
 * | needs_internet| works only online: try again once the venue is back online (503)    |
 */
export const ProblemKind = z.enum([
  'fix_request',
  'retry_later',
  'back_off',
  'sign_in',
  'stop',
  're_bootstrap',
  'needs_setup',
  'needs_internet',
]);
export type ProblemKind = z.infer<typeof ProblemKind>;

/** An RFC 9457 problem details body (`application/problem+json`) with Hearth's `kind` and `code`. */
export const Problem = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  kind: ProblemKind,
  /** A stable machine code, e.g. `IDEMPOTENCY_KEY_REUSED`, `CURSOR_EXPIRED`. */
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  detail: z.string().optional(),
  instance: z.string().optional(),
  /** Seconds, mirrored from the Retry-After header where there is one. */
  retryAfter: z.number().int().min(0).optional(),
  /** Field-level validation issues. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof Problem>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The kinds a status alone decides (a server names the others itself). */
export type StatusKind = Exclude<ProblemKind, 'needs_setup' | 'needs_internet'>;

/** The kind that goes with an HTTP status, where the status alone decides it. */
export function kindForStatus(status: number): StatusKind {
  if (status === 401) return 'sign_in';
  if (status === 403 || status === 404) return 'stop';
  if (status === 410) return 're_bootstrap';
  if (status === 409) return 'retry_later';
  if (status === 429 || status >= 500) return 'back_off';
  return 'fix_request';
}

export interface ProblemExtras {
  readonly kind?: ProblemKind;
  readonly detail?: string;
  readonly instance?: string;
  readonly retryAfter?: number;
  readonly issues?: readonly { readonly path: string; readonly message: string }[];
  readonly [extension: string]: unknown;
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
