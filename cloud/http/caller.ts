import type { Context, MiddlewareHandler } from 'hono';
import type { Principal } from '#protocol';
import type { Logger } from '../../server/logger.ts';
import { problemResponse } from '../../server/problem-response.ts';

/** Who is calling: a person (staff or guest) or an enrolled venue relay. */
export type Caller =
  | {
      readonly kind: 'principal';
      readonly principal: Principal;
      /** Who signed the token: the cloud, or the relay node that issued it while offline. */
      readonly issuer: string;
      /** The paired device a staff member signed in on (the token's `did`), when it names one. */
      readonly did?: string;
      /** A relay-signed token for its journal's replay (the token's `rpl`). */
      readonly replay?: true;
    }
  | {
      readonly kind: 'relay';
      readonly nodeId: string;
      readonly tenantId: string;
      readonly venueId: string;
    };

export type AuthResult =
  | { readonly ok: true; readonly caller: Caller }
  | {
      readonly ok: false;
      readonly status: 401 | 403;
      readonly code: string;
      readonly detail: string;
    };

/** Turns a request's credentials into a caller. `undefined` when it carries none. */
export interface Authenticator {
  authenticate(request: Request): Promise<AuthResult | undefined>;
}

/** Hono's environment for every cloud route. */
export interface AppEnv {
  Variables: { caller: Caller; requestId: string; log: Logger };
}

/** The tenant and venue a caller is bound to. */
export function scopeOf(caller: Caller): { tenantId: string; venueId: string } {
  return caller.kind === 'relay' ? caller : caller.principal;
}

/** Requires valid credentials; sets `caller`. 401 without them, 401/403 when they fail. */
export function requireCaller(authenticator: Authenticator): MiddlewareHandler<AppEnv> {
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

/**
 * The venue in the path must be the caller's own. Another venue or tenant is 403 whether it
 * exists or not, so nothing about other tenants leaks.
 */
export function forbidOtherVenue<E extends AppEnv>(c: Context<E>): Response | undefined {
  const venueId = c.req.param('venueId');
  if (venueId === undefined || scopeOf(c.get('caller')).venueId !== venueId) {
    return problemResponse(403, 'FORBIDDEN', 'Not your venue', {
      detail: 'the token is for another venue',
    });
  }
  return undefined;
}

/** 403 unless the caller is staff in one of `roles` (or, when allowed, the venue's relay). */
export function forbidUnlessRole<E extends AppEnv>(
  c: Context<E>,
  roles: readonly string[],
  options: { readonly relay?: boolean } = {},
): Response | undefined {
  const caller = c.get('caller');
  if (caller.kind === 'relay' && options.relay) return undefined;
  if (
    caller.kind === 'principal' &&
    caller.principal.kind === 'staff' &&
    roles.includes(caller.principal.role)
  ) {
    return undefined;
  }
  return problemResponse(403, 'FORBIDDEN', 'Not allowed', {
    detail: `needs one of: ${roles.join(', ')}`,
  });
}

/** {@link forbidOtherVenue} as route middleware: runs before the request's body is read. */
export const ownVenue: MiddlewareHandler<AppEnv> = async (c, next) => forbidOtherVenue(c) ?? next();

/** {@link forbidUnlessRole} as route middleware: runs before the request's body is read. */
export function onlyRoles(
  roles: readonly string[],
  options: { readonly relay?: boolean } = {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => forbidUnlessRole(c, roles, options) ?? next();
}
