import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import {
  FailureWindow,
  GuestSignInRequest,
  newUlid,
  principalOf,
  StaffSignInRequest,
  type TokenClaims,
  type TokenResponse,
  type TokenSigner,
  toIssues,
} from '#protocol';
import { problemResponse } from '../../server/problem-response.ts';
import type { CoreDeps } from '../app-deps.ts';
import type { AppEnv } from '../http/caller.ts';
import { pinDigest } from './pin-digest.ts';
import { sessionCookie } from './token-authenticator.ts';

/** What the sign-in routes need beyond the core parts. */
export interface AuthDeps {
  readonly tokens: {
    readonly signer: TokenSigner;
    readonly ttlSeconds: { readonly staff: number; readonly guest: number };
  };
  /** The key staff PIN digests are made with (the one the credentials were stored under). */
  readonly pinKey: CryptoKey;
  /**
   * Failed PIN attempts allowed per window; default 10 per 60 s. Counted per venue, and apart
   * for the sign-ins an enrolled relay of the venue forwards (see `attemptsKey`).
   */
  readonly pinAttempts?: { readonly max: number; readonly windowSeconds: number };
}

/** A staff shift (12 h) and a guest's visit (4 h). */
export const DEFAULT_TOKEN_TTL_SECONDS = { staff: 12 * 3600, guest: 4 * 3600 } as const;
export const DEFAULT_PIN_ATTEMPTS = { max: 10, windowSeconds: 60 } as const;

/**
 * `POST /v1/auth/staff` and `POST /v1/auth/guest`: trade a venue PIN or a table label for a
 * signed, venue-scoped bearer token. Neither needs a token; neither ever echoes the PIN.
 */
/** Ends a browser session: the cookie is cleared (the token itself expires on its own). */
function signOut(c: Context<AppEnv>): Response {
  c.header('Set-Cookie', sessionCookie('', 0, new URL(c.req.url).protocol === 'https:'));
  return c.body(null, 204);
}

export function registerAuthRoutes(
  app: Hono<AppEnv>,
  deps: AuthDeps & Pick<CoreDeps, 'store' | 'clock' | 'authenticator'>,
): void {
  app.post('/v1/auth/logout', signOut);
  const limiter = new FailureWindow(deps.pinAttempts ?? DEFAULT_PIN_ATTEMPTS);

  /**
   * Whose wrong PINs an attempt counts with. A sign-in an enrolled relay of this venue forwards
   * (it carries the relay's credential) counts with that relay's: the venue's staff sign in on
   * the LAN through it, and a stranger guessing PINs at the cloud would otherwise lock every
   * one of them out during service. Any other attempt counts with the venue's.
   */
  async function attemptsKey(c: Context<AppEnv>, venueId: string): Promise<string> {
    const auth = await deps.authenticator.authenticate(c.req.raw);
    return auth?.ok && auth.caller.kind === 'relay' && auth.caller.venueId === venueId
      ? `relay ${auth.caller.nodeId}`
      : `venue ${venueId}`;
  }

  app.post('/v1/auth/staff', async (c) => {
    const body = await readBody(c, StaffSignInRequest);
    if (!body.ok) return body.response;
    const { venueId, pin } = body.value;
    const nowMs = deps.clock().getTime();
    const key = await attemptsKey(c, venueId);
    const wait = limiter.retryAfter(key, nowMs);
    if (wait !== undefined) {
      return problemResponse(429, 'PIN_ATTEMPTS_EXCEEDED', 'Too many PIN attempts', {
        kind: 'back_off',
        retryAfter: wait,
        detail: 'too many wrong PINs at this venue; wait and try again',
      });
    }
    // An unknown venue finds no credential: the same answer as a wrong PIN, so nothing leaks.
    const staff = await deps.store.findStaffByPinDigest(
      venueId,
      await pinDigest(deps.pinKey, venueId, pin),
    );
    if (!staff) {
      limiter.fail(key, nowMs);
      return problemResponse(401, 'PIN_INVALID', 'Wrong PIN', {
        detail: 'the PIN does not match a staff member of this venue',
      });
    }
    return issue(c, deps, nowMs, deps.tokens.ttlSeconds.staff, (iat, exp) => ({
      kind: 'staff',
      sub: staff.memberId,
      role: staff.role,
      tenantId: staff.tenantId,
      venueId: staff.venueId,
      iat,
      exp,
    }));
  });

  app.post('/v1/auth/guest', async (c) => {
    const body = await readBody(c, GuestSignInRequest);
    if (!body.ok) return body.response;
    const { venueId, table } = body.value;
    const venue = await deps.store.getVenue(venueId);
    const tables = venue ? (await deps.store.loadSnapshot(venueId, ['table'])).records : [];
    const found = tables.find((r) => r.entity === 'table' && r.data.label === table);
    if (!venue || !found) {
      return problemResponse(404, 'TABLE_NOT_FOUND', 'No such table', {
        detail: 'this venue has no table with that label; scan the QR card again',
      });
    }
    const nowMs = deps.clock().getTime();
    return issue(c, deps, nowMs, deps.tokens.ttlSeconds.guest, (iat, exp) => ({
      kind: 'guest',
      sub: newUlid(nowMs),
      tableId: found.data.id,
      tenantId: venue.tenantId,
      venueId,
      iat,
      exp,
    }));
  });
}

async function issue(
  c: Context<AppEnv>,
  deps: AuthDeps,
  nowMs: number,
  ttlSeconds: number,
  claimsAt: (iat: number, exp: number) => Extract<TokenClaims, { kind: 'staff' | 'guest' }>,
): Promise<Response> {
  const iat = Math.floor(nowMs / 1000);
  const claims = claimsAt(iat, iat + ttlSeconds);
  const response: TokenResponse = {
    token: await deps.tokens.signer.sign(claims),
    expiresAt: new Date(claims.exp * 1000).toISOString(),
    principal: principalOf(claims),
  };
  c.header('Cache-Control', 'no-store');
  c.header(
    'Set-Cookie',
    sessionCookie(response.token, ttlSeconds, new URL(c.req.url).protocol === 'https:'),
  );
  return c.json(response, 200);
}

type BodyResult<T> = { ok: true; value: T } | { ok: false; response: Response };

async function readBody<T>(c: Context<AppEnv>, schema: z.ZodType<T>): Promise<BodyResult<T>> {
  let json: unknown;
  try {
    json = JSON.parse(await c.req.text());
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return {
      ok: false,
      response: problemResponse(400, 'MALFORMED_JSON', 'Body is not JSON', {
        issues: [{ path: '(root)', message: 'the request body must be a JSON object' }],
      }),
    };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    response: problemResponse(400, 'VALIDATION', 'Invalid request', {
      issues: toIssues(parsed.error),
    }),
  };
}
