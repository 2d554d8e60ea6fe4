import type { Principal } from '#protocol';
import { AppError } from './app-error.ts';

/** What a person types (staff) or scans (a guest's table QR) to sign in at a venue. */
export type Credentials =
  | { readonly kind: 'staff'; readonly venueId: string; readonly pin: string }
  | { readonly kind: 'guest'; readonly venueId: string; readonly table: string };

async function bodyOf(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** What a person is told when the venue's relay has just started and cannot decide a PIN yet. */
export const RELAY_STARTING_MESSAGE = 'The venue’s server is starting — try again in a moment';

function problemDetail(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { code, detail, title } = body as { code?: unknown; detail?: unknown; title?: unknown };
  // Not a wrong PIN and nothing to fix: the same PIN works once the relay has its staff list.
  if (code === 'RELAY_STARTING') return RELAY_STARTING_MESSAGE;
  if (typeof title === 'string' && typeof detail === 'string') return `${title}: ${detail}`;
  return typeof title === 'string' ? title : undefined;
}

/** A problem+json body's `code`, when it has one. */
function problemCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { code } = body as { code?: unknown };
  return typeof code === 'string' ? code : undefined;
}

/**
 * `POST /v1/auth/staff` or `/v1/auth/guest` at `baseUrl` (`/api` through the service worker, or
 * '' straight to the origin). The origin sets the session as an HttpOnly cookie; this returns
 * only the principal, and the token in the body is dropped unread.
 *
 * @example
 * const principal = await signIn(fetch, '/api', { kind: 'staff', venueId, pin: '1111' });
 */
export async function signIn(
  fetchFn: typeof fetch,
  url: string,
  credentials: Credentials,
): Promise<Principal> {
  const body =
    credentials.kind === 'staff'
      ? { venueId: credentials.venueId, pin: credentials.pin }
      : { venueId: credentials.venueId, table: credentials.table };
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new AppError(
      'NETWORK',
      `Could not reach the venue to sign in (${error instanceof Error ? error.message : 'no answer'})`,
    );
  }
  const answer = await bodyOf(response);
  if (!response.ok) {
    throw new AppError(
      'REJECTED',
      problemDetail(answer) ?? `Sign-in failed (HTTP ${response.status})`,
      response.status,
      problemCode(answer),
    );
  }
  // zod, loaded only now: a page paints and listens with Lit alone.
  const { TokenResponse } = await import('#protocol/auth/auth-messages.ts');
  const parsed = TokenResponse.safeParse(answer);
  if (!parsed.success) throw new AppError('BAD_RESPONSE', 'The sign-in answer was not understood');
  return parsed.data.principal;
}
