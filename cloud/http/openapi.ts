import {
  createRoute,
  type Hook,
  OpenAPIHono,
  type RouteConfig,
  type RouteConfigToEnv,
  type RouteHandler,
} from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { PROTOCOL_VERSION, Problem, toIssues } from '#protocol';
import { problemResponse } from '../../server/problem-response.ts';
import { readJsonBody } from '../../server/read-json.ts';
import type { AppEnv } from './caller.ts';

// The cloud's routes are declared with @hono/zod-openapi: the zod schema that validates a
// request's body, params and query is the one `/openapi.json` shows, so the two cannot drift.

/** The cloud's HTTP app: Hono plus the OpenAPI registry every route is declared in. */
export type ApiApp = OpenAPIHono<AppEnv>;

type ValidationResult = Parameters<Hook<unknown, AppEnv, string, unknown>>[0];

/** A request part (body, params, query) zod refused, as our 400 problem named field by field. */
export function invalidRequest(result: ValidationResult, title = 'Invalid request'): Response {
  if (result.success) throw new Error('invalidRequest needs a failed validation');
  return problemResponse(400, 'VALIDATION', title, {
    kind: 'fix_request',
    issues: toIssues(result.error),
  });
}

/** An app whose validators answer a zod failure with our problem+json. */
export function createApiApp(): ApiApp {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => (result.success ? undefined : invalidRequest(result)),
  });
}

/** A route's handler: typed input from its schemas; any Response (problems included) out. */
export type ApiHandler<R extends RouteConfig> = (
  c: Parameters<RouteHandler<R, AppEnv & RouteConfigToEnv<R>>>[0],
) => Response | Promise<Response>;

/** Runs after each validator of a route in place of the default; `undefined` lets it through. */
export type ApiHook = (
  result: ValidationResult,
  c: Parameters<ApiHandler<RouteConfig>>[0],
) => Response | undefined | Promise<Response | undefined>;

/**
 * Declares and serves one route. The handler may return any Response: the typed responses
 * @hono/zod-openapi would demand do not cover `problemResponse`.
 */
export function route<R extends RouteConfig>(
  app: ApiApp,
  config: R,
  handler: ApiHandler<R>,
  hook?: ApiHook,
): void {
  app.openapi(config, handler as never, hook as never);
}

// The test @hono/zod-openapi applies before its JSON validator (415 otherwise).
const JSON_MEDIA_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

/**
 * Before a JSON body is validated: a body that is not JSON is 400 `MALFORMED_JSON` whatever its
 * Content-Type; JSON sent as another type is 415. A JSON Content-Type goes on to the validator,
 * which parses the body once.
 */
export const jsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const type = c.req.header('content-type');
  if (type !== undefined && JSON_MEDIA_TYPE.test(type)) return next();
  const read = await readJsonBody(c);
  if (!read.ok) return read.response;
  return problemResponse(415, 'UNSUPPORTED_MEDIA_TYPE', 'The body must be sent as JSON', {
    kind: 'fix_request',
    detail: 'send Content-Type: application/json',
  });
};

/**
 * The problem for an error Hono's validators throw: a JSON Content-Type over text that is not
 * JSON (400), or a body type the route does not take (415). `undefined` for any other error.
 */
export function problemForHttpException(error: HTTPException): Response | undefined {
  if (error.status === 400) {
    return problemResponse(400, 'MALFORMED_JSON', 'The body is not JSON', {
      kind: 'fix_request',
      detail: error.message,
    });
  }
  if (error.status === 415) {
    return problemResponse(415, 'UNSUPPORTED_MEDIA_TYPE', 'The body must be sent as JSON', {
      kind: 'fix_request',
      detail: 'send Content-Type: application/json',
    });
  }
  return undefined;
}

/** Routes that need `Authorization: Bearer <token>`. */
export const BEARER = [{ bearer: [] }];

/** `{venueId}` of every venue route: any string (the caller's venue is checked, 403 otherwise). */
export const VenueParams = z.object({
  venueId: z.string().describe('the venue, e.g. demo-bistro'),
});

/** A JSON request body validated by `schema`. */
export function jsonRequest<S extends z.ZodType>(schema: S) {
  return { required: true, content: { 'application/json': { schema } } } as const;
}

/** A JSON response of `schema`. */
export function jsonResponse<S extends z.ZodType>(description: string, schema: S) {
  return { description, content: { 'application/json': { schema } } } as const;
}

const WHEN: Readonly<Record<number, string>> = {
  400: 'the request is malformed or invalid (field-level `issues`)',
  401: 'no credentials, or they failed',
  403: 'the caller may not do this here',
  404: 'no such thing',
  409: 'try again shortly (in flight) or the cursor is for other scopes',
  410: 'the cursor is too old: load a snapshot',
  413: 'the body or the batch is too large',
  415: 'the body is not sent as application/json',
  422: 'the op was decided and rejected (the result is in the problem)',
  426: 'open as a websocket',
  429: 'too many requests; Retry-After says when to retry',
  500: 'the server failed; retry later',
  501: 'this server cannot upgrade to a websocket',
  502: 'the card processor failed; ask again with the same id',
  503: 'not configured here (needs_setup) or needs the internet (needs_internet)',
};

/** protocol's Problem, shown once under components and referred to by every route. */
const ProblemSchema = Problem.meta({ id: 'Problem' });

/** The problem+json answers a route gives, by status (500 is added to every route). */
export function problems(...statuses: number[]) {
  const content = { 'application/problem+json': { schema: ProblemSchema } };
  return Object.fromEntries(
    [...statuses, 500].map((status) => [
      status,
      { description: `problem+json: ${WHEN[status] ?? 'see `code`'}`, content },
    ]),
  );
}

/** The Idempotency-Key header of the direct lane, shared as a component parameter. */
export const IDEMPOTENCY_KEY = { $ref: '#/components/parameters/IdempotencyKey' };

const TAGS = [
  { name: 'auth', description: 'Sign-in: venue-scoped bearer tokens' },
  { name: 'ops', description: 'The write lanes (direct and batch) and op lookup' },
  { name: 'feed', description: 'Snapshot, change feed, live websocket and device checkpoints' },
  { name: 'edge', description: 'Venue relays: enrollment, acks, heartbeats; the resilience view' },
  {
    name: 'devices',
    description: 'Paired devices: pairing codes, pairing, the list (decision 034)',
  },
  {
    name: 'payments',
    description:
      'Card payments on the venue’s reader, guests’ hosted checkout, the processor’s signed events',
  },
  { name: 'meta', description: 'Health, metrics and this document' },
];

/**
 * The live websocket. It is mounted beside the app by `createLiveRoute` (the same Bun server
 * must take its handler), so its path is declared here.
 */
export const LIVE_ROUTE = createRoute({
  method: 'get',
  path: '/v1/venues/{venueId}/live',
  tags: ['feed'],
  summary: 'Websocket of entries as they commit, resumable from a cursor',
  security: BEARER,
  request: {
    params: VenueParams,
    query: z.object({ cursor: z.string(), scopes: z.string().optional() }),
  },
  responses: {
    101: { description: 'switching protocols; frames are JSON (entries, heartbeat, error)' },
    ...problems(400, 401, 403, 404, 409, 410, 426, 501),
  },
});

/**
 * Registers the document's shared parts and serves it at `/openapi.json` (OpenAPI 3.0.3),
 * generated on first request from the routes then declared.
 */
export function serveOpenApiDocument(app: ApiApp, version: string): void {
  const registry = app.openAPIRegistry;
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT (ES256)',
  });
  registry.registerComponent('parameters', 'IdempotencyKey', {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    schema: { type: 'string' },
    description: 'the opId (a ULID); a client that cannot set headers sends `_idempotencyKey`',
  });
  registry.registerPath(LIVE_ROUTE);
  let document: unknown;
  route(
    app,
    createRoute({
      method: 'get',
      path: '/openapi.json',
      tags: ['meta'],
      summary: 'This document',
      responses: { 200: { description: 'OpenAPI 3.0.3' }, ...problems() },
    }),
    (c) => {
      document ??= app.getOpenAPIDocument({
        openapi: '3.0.3',
        info: {
          title: 'Hearth API',
          version,
          description: `Protocol version ${PROTOCOL_VERSION}. The relay serves the same paths on the venue LAN.`,
        },
        tags: TAGS,
      });
      return c.json(document);
    },
  );
}
