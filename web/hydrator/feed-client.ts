import { Problem, Snapshot } from '#protocol';
import { type CheckedFeedPage, checkFeedPage } from './feed-check.ts';
import {
  type Failure,
  failureOfBody,
  failureOfNetwork,
  failureOfResponse,
  type SyncTarget,
} from './hydrator-policy.ts';

/** The fetch the hydrator uses: the global one, or a fake server's in tests. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** A feed exchange that failed, with what to do about it. */
export class FeedError extends Error {
  readonly failure: Failure;
  constructor(failure: Failure) {
    super(`${failure.code}: ${failure.detail}`);
    this.name = 'FeedError';
    this.failure = failure;
  }
}

/** The query string every read carries; no scopes means the server's default for the role. */
function scopesQuery(target: SyncTarget): string {
  return target.scopes.length > 0 ? `scopes=${encodeURIComponent(target.scopes.join(','))}` : '';
}

const venuePath = (target: SyncTarget): string =>
  `${target.origin}/v1/venues/${encodeURIComponent(target.venueId)}`;

export function snapshotUrl(target: SyncTarget): string {
  const query = scopesQuery(target);
  return `${venuePath(target)}/snapshot${query ? `?${query}` : ''}`;
}

export function feedUrl(
  target: SyncTarget,
  cursor: string,
  limit: number,
  waitSeconds: number,
): string {
  const scopes = scopesQuery(target);
  return `${venuePath(target)}/feed?cursor=${encodeURIComponent(cursor)}${scopes ? `&${scopes}` : ''}&limit=${limit}&wait=${waitSeconds}`;
}

/** The websocket URL (ws: or wss: of the target's origin; the session cookie rides along). */
export function liveUrl(target: SyncTarget, cursor: string, deviceId: string | undefined): string {
  const scopes = scopesQuery(target);
  const device = deviceId === undefined ? '' : `&deviceId=${encodeURIComponent(deviceId)}`;
  const http = `${venuePath(target)}/live?cursor=${encodeURIComponent(cursor)}${scopes ? `&${scopes}` : ''}${device}`;
  return http.replace(/^http/, 'ws');
}

/**
 * GETs a JSON route and parses its body, or throws a FeedError saying what to do: network
 * failures, problem+json answers and unparseable bodies all come out classified.
 */
async function getJson<T>(
  fetch: FetchLike,
  url: string,
  signal: AbortSignal,
  parse: (value: unknown) => { success: true; data: T } | { success: false; error: Error },
  what: string,
): Promise<T> {
  let response: Response;
  try {
    // Same-origin (or credentialed CORS): the HttpOnly session cookie authenticates.
    response = await fetch(url, {
      credentials: 'include',
      headers: { accept: 'application/json' },
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new FeedError(failureOfNetwork(error));
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    if (signal.aborted) throw error;
    if (!response.ok) {
      throw new FeedError(
        failureOfResponse(response.status, undefined, response.headers.get('retry-after')),
      );
    }
    throw new FeedError(failureOfBody(what, 'not JSON'));
  }
  if (!response.ok) {
    const problem = Problem.safeParse(body);
    throw new FeedError(
      failureOfResponse(
        response.status,
        problem.success ? problem.data : undefined,
        response.headers.get('retry-after'),
      ),
    );
  }
  const parsed = parse(body);
  if (!parsed.success) throw new FeedError(failureOfBody(what, parsed.error.message));
  return parsed.data;
}

/** `GET …/snapshot?scopes=`: the entities and the cursor at which they hold. */
export function getSnapshot(
  fetch: FetchLike,
  target: SyncTarget,
  signal: AbortSignal,
): Promise<Snapshot> {
  return getJson(fetch, snapshotUrl(target), signal, (v) => Snapshot.safeParse(v), 'snapshot');
}

/**
 * `GET …/feed?cursor=&scopes=&limit=&wait=`: the entries after the cursor (long-poll with wait).
 * Only the envelope is checked here (feed-check.ts): a malformed one refuses the page. The
 * entities are parsed once coalesced (`Coalescer.batch()`), before anything is written.
 */
export function getFeedPage(
  fetch: FetchLike,
  target: SyncTarget,
  cursor: string,
  options: { readonly limit: number; readonly waitSeconds: number },
  signal: AbortSignal,
): Promise<CheckedFeedPage> {
  return getJson(
    fetch,
    feedUrl(target, cursor, options.limit, options.waitSeconds),
    signal,
    (v) => {
      const checked = checkFeedPage(v);
      return checked.ok
        ? { success: true, data: checked.page }
        : { success: false, error: new Error(checked.detail) };
    },
    'feed page',
  );
}

/**
 * Whether the origin is a venue relay or the cloud: the relay's `/healthz` reports its uplink
 * `connectivity`, the cloud's does not. Null when it cannot be told (unreachable).
 */
export async function probeTargetKind(
  fetch: FetchLike,
  origin: string,
  signal: AbortSignal,
): Promise<'relay' | 'cloud' | null> {
  try {
    const response = await fetch(`${origin}/healthz`, {
      signal,
      headers: { accept: 'application/json' },
    });
    if (!response.ok) return null;
    const body: unknown = await response.json();
    if (typeof body !== 'object' || body === null) return null;
    return 'connectivity' in body ? 'relay' : 'cloud';
  } catch (error) {
    if (signal.aborted) throw error;
    return null;
  }
}
