import type { Context, MiddlewareHandler } from 'hono';
import type { Principal } from '#protocol';
import { problemResponse } from '../../server/problem-response.ts';

/** A person on the LAN, with the bearer token they came with (forwarded to the cloud as is). */
export interface LanCaller {
  readonly principal: Principal;
  readonly token: string;
  /** Who signed the token: the cloud (`cloud-1`), or this relay while the uplink was down. */
  readonly kid: string;
  /** The paired device the person signed in on (the staff token's `did`), when it names one. */
  readonly did?: string;
}

export type LanAuthResult =
  | { readonly ok: true; readonly caller: LanCaller }
  | {
      readonly ok: false;
      readonly status: 401 | 403;
      readonly code: string;
      readonly detail: string;
    };

export interface LanAuthenticator {
  authenticate(request: Request): Promise<LanAuthResult | undefined>;
}

export interface LanEnv {
  Variables: { caller: LanCaller; requestId: string };
}

export function requireLanCaller(authenticator: LanAuthenticator): MiddlewareHandler<LanEnv> {
  return async (c, next) => {
    const result = await authenticator.authenticate(c.req.raw);
    if (!result)
      return problemResponse(401, 'AUTH_REQUIRED', 'Sign in first', {
        detail: 'send Authorization: Bearer <token>',
      });
    if (!result.ok)
      return problemResponse(result.status, result.code, 'Not allowed', { detail: result.detail });
    c.set('caller', result.caller);
    await next();
  };
}

/** The path's venue must be the relay's (and so the caller's): 403 otherwise, revealing nothing. */
export function forbidOtherVenue(c: Context<LanEnv>): Response | undefined {
  if (c.req.param('venueId') !== c.get('caller').principal.venueId) {
    return problemResponse(403, 'FORBIDDEN', 'Not your venue', {
      detail: 'this relay serves one venue',
    });
  }
  return undefined;
}

export function forbidUnlessStaff(
  c: Context<LanEnv>,
  roles: readonly string[] = ['server', 'kitchen', 'manager', 'owner'],
): Response | undefined {
  const { principal } = c.get('caller');
  if (principal.kind === 'staff' && roles.includes(principal.role)) return undefined;
  return problemResponse(403, 'FORBIDDEN', 'Not allowed', {
    detail: `needs one of: ${roles.join(', ')}`,
  });
}
