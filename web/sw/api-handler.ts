import type { JsonValue, ProblemExtras } from '#protocol';
import { PROBLEM_CONTENT_TYPE, problem } from '#protocol/check/problem-body.ts';
import { checkOperation } from '#protocol/check/wire-checks.ts';
import { payloadHash } from '#protocol/hash/sha256.ts';
import { API_PREFIX } from '../device/messages.ts';
import type { OutboxStore } from '../device/outbox-store.ts';
import { OutboxError } from '../device/outbox-types.ts';
import type { FetchLike } from './send-batch.ts';

/*
 * The pages' local server: what the service worker answers for same-origin `/api/…`.
 *
 *   POST /api/v1/venues/:venueId/ops ─▶ parse ─▶ outbox ─▶ 202 { op, status } at once
 *                                        └ bad ─▶ 400 problem+json, nothing stored
 *   POST …/ops with `Hearth-Direct: 1` ─▶ passed through (online-only writes: a booking with a
 *                                          deposit wants the server's answer, and says so offline)
 *   anything else under /api/ ─────────▶ passed through to the target as /v1/…, answer returned;
 *                                          unreachable → 503 problem+json (kind back_off)
 */

const OPS_PATH = /^\/api\/v1\/venues\/([^/]+)\/ops$/;

/** The request header that sends a write straight to the target instead of the outbox. */
export const DIRECT_HEADER = 'hearth-direct';

export interface ApiDeps {
  readonly store: OutboxStore;
  readonly fetch: FetchLike;
  /** The origin `/v1/…` goes to. */
  readonly target: string;
  readonly now: () => number;
  /** Called once an op is newly queued (the service worker triggers a replay). */
  readonly queued: () => void;
}

function problemResponse(
  status: number,
  code: string,
  title: string,
  extra: ProblemExtras = {},
): Response {
  return new Response(JSON.stringify(problem(status, code, title, extra)), {
    status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE },
  });
}

async function enqueue(request: Request, venueId: string, deps: ApiDeps): Promise<Response> {
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return problemResponse(400, 'MALFORMED_JSON', 'The body is not JSON', {
      detail: error.message,
    });
  }
  // The protocol's Operation schema, through the checker generated from it (no zod here).
  const parsed = checkOperation(body);
  if (!parsed.ok) {
    return problemResponse(400, parsed.code, 'Invalid operation', { issues: parsed.issues });
  }
  const { op } = parsed;
  if (op.venueId !== venueId) {
    return problemResponse(400, 'VENUE_MISMATCH', 'The op is for another venue', {
      detail: `path venue ${venueId}, op venue ${op.venueId}`,
    });
  }
  const key = request.headers.get('idempotency-key');
  if (key !== null && key !== op.opId) {
    return problemResponse(400, 'IDEMPOTENCY_KEY_MISMATCH', 'Idempotency-Key must equal opId', {
      detail: `key ${key}, opId ${op.opId}`,
    });
  }
  // As hasValidPayloadHash does: the hash of the parsed payload (defaults filled).
  if ((await payloadHash(op.payload as JsonValue)) !== op.payloadHash) {
    return problemResponse(400, 'PAYLOAD_HASH_MISMATCH', 'payloadHash does not match payload', {
      detail: 'build ops with makeOperation',
    });
  }
  try {
    const { entry, created } = await deps.store.add(op, deps.now());
    if (created) deps.queued();
    return Response.json({ op: entry.op, status: entry.status }, { status: 202 });
  } catch (error) {
    if (!(error instanceof OutboxError)) throw error;
    if (error.code === 'OUTBOX_FULL') {
      return problemResponse(507, 'OUTBOX_FULL', 'Too many operations wait to be sent', {
        kind: 'back_off',
        detail: error.message,
      });
    }
    return problemResponse(
      422,
      'IDEMPOTENCY_KEY_REUSED',
      'This opId is queued with another payload',
      {
        detail: error.message,
      },
    );
  }
}

async function passThrough(request: Request, url: URL, deps: ApiDeps): Promise<Response> {
  const target = new URL(url.pathname.slice(API_PREFIX.length) + url.search, deps.target);
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  const forwarded = new Request(target, {
    method: request.method,
    headers: request.headers,
    body: hasBody ? await request.arrayBuffer() : null,
    // The HttpOnly session cookie goes along for a same-origin target; the worker never sees it.
    credentials: 'same-origin',
    cache: 'no-store',
    signal: request.signal,
  });
  try {
    return await deps.fetch(forwarded);
  } catch (error) {
    if (request.signal.aborted) throw error;
    return problemResponse(503, 'OFFLINE', 'The server cannot be reached', {
      kind: 'back_off',
      detail: error instanceof Error ? error.message : String(error),
    });
  }
}

/** True for the requests `handleApi` answers: same-origin `/api/…`. */
export function isApiRequest(url: URL, origin: string): boolean {
  return url.origin === origin && url.pathname.startsWith(`${API_PREFIX}/`);
}

/**
 * Answers one `/api/…` request: queues writes, passes the rest through.
 *
 * @example
 * self.addEventListener('fetch', (event) => {
 *   const url = new URL(event.request.url);
 *   if (isApiRequest(url, self.location.origin)) event.respondWith(handleApi(event.request, deps));
 * });
 */
export function handleApi(request: Request, deps: ApiDeps): Promise<Response> {
  const url = new URL(request.url);
  const ops = OPS_PATH.exec(url.pathname);
  if (ops?.[1] && request.method === 'POST' && request.headers.get(DIRECT_HEADER) !== '1') {
    return enqueue(request, decodeURIComponent(ops[1]), deps);
  }
  return passThrough(request, url, deps);
}
