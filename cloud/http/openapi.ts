import { z } from 'zod';
import {
  AckRequest,
  BatchRequest,
  BatchResponse,
  CreateEdgeNodeRequest,
  CreateEdgeNodeResponse,
  EdgeStaffList,
  EnrollRequest,
  EnrollResponse,
  FeedPage,
  GuestSignInRequest,
  Heartbeat,
  Operation,
  OpResult,
  PROTOCOL_VERSION,
  Problem,
  ResilienceReport,
  Snapshot,
  StaffSignInRequest,
  TokenResponse,
} from '#protocol';

type Schema = z.ZodType;

interface RouteDoc {
  readonly method: 'get' | 'post' | 'put';
  readonly path: string;
  readonly summary: string;
  readonly auth: boolean;
  readonly body?: Schema;
  readonly ok: { readonly status: number; readonly schema?: Schema; readonly description: string };
  readonly query?: readonly string[];
  readonly header?: string;
}

const CheckpointBody = z.object({
  cursor: z.string(),
  outboxDepth: z.number().int().min(0).optional(),
  oldestPendingAt: z.string().nullable().optional(),
  failedOps: z.number().int().min(0).optional(),
});

/** The API contract, one row per route; schemas come from protocol/, so the document cannot drift. */
export const ROUTES: readonly RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/auth/staff',
    summary: 'Staff sign-in with venue and PIN',
    auth: false,
    body: StaffSignInRequest,
    ok: { status: 200, schema: TokenResponse, description: 'a venue-scoped staff token' },
  },
  {
    method: 'post',
    path: '/v1/auth/guest',
    summary: 'Guest table session from a table QR',
    auth: false,
    body: GuestSignInRequest,
    ok: { status: 200, schema: TokenResponse, description: 'a table-session token' },
  },
  {
    method: 'post',
    path: '/v1/venues/{venueId}/ops',
    summary: 'Apply one operation (direct lane)',
    auth: true,
    header: 'Idempotency-Key',
    body: Operation,
    ok: {
      status: 201,
      schema: OpResult,
      description: 'applied; a rejection is 422 problem+json carrying the result',
    },
  },
  {
    method: 'post',
    path: '/v1/venues/{venueId}/ops/batch',
    summary: "Replay one device's ops in order (batch lane)",
    auth: true,
    body: BatchRequest,
    ok: { status: 200, schema: BatchResponse, description: 'one result per op, in order' },
  },
  {
    method: 'get',
    path: '/v1/venues/{venueId}/ops/{opId}',
    summary: "An op's result, after a lost response",
    auth: true,
    ok: { status: 200, schema: OpResult, description: 'the first result' },
  },
  {
    method: 'get',
    path: '/v1/venues/{venueId}/snapshot',
    summary: 'Entities and the cursor they hold at',
    auth: true,
    query: ['scopes'],
    ok: { status: 200, schema: Snapshot, description: 'a consistent snapshot' },
  },
  {
    method: 'get',
    path: '/v1/venues/{venueId}/feed',
    summary: 'Feed entries after a cursor (long-poll with wait)',
    auth: true,
    query: ['cursor', 'scopes', 'limit', 'wait'],
    ok: { status: 200, schema: FeedPage, description: 'a page of entries' },
  },
  {
    method: 'get',
    path: '/v1/venues/{venueId}/live',
    summary: 'Websocket of entries as they commit, resumable from a cursor',
    auth: true,
    query: ['cursor', 'scopes'],
    ok: { status: 101, description: 'switching protocols' },
  },
  {
    method: 'put',
    path: '/v1/venues/{venueId}/checkpoints/{deviceId}',
    summary: "A device's progress and outbox",
    auth: true,
    body: CheckpointBody,
    ok: { status: 204, description: 'recorded' },
  },
  {
    method: 'post',
    path: '/v1/venues/{venueId}/edge/nodes',
    summary: 'Create a relay node and its one-time enrollment token',
    auth: true,
    body: CreateEdgeNodeRequest,
    ok: {
      status: 201,
      schema: CreateEdgeNodeResponse,
      description: 'the node and its token (shown once)',
    },
  },
  {
    method: 'post',
    path: '/v1/edge/enroll',
    summary: 'Trade an enrollment token for a relay credential',
    auth: false,
    body: EnrollRequest,
    ok: { status: 200, schema: EnrollResponse, description: "the relay's credential" },
  },
  {
    method: 'post',
    path: '/v1/venues/{venueId}/edge/ack',
    summary: 'The highest cursor a relay has stored',
    auth: true,
    body: AckRequest,
    ok: { status: 204, description: 'recorded' },
  },
  {
    method: 'get',
    path: '/v1/venues/{venueId}/edge/staff',
    summary: "The venue's staff and PIN digests, for its relay",
    auth: true,
    ok: { status: 200, schema: EdgeStaffList, description: 'staff credentials (digests only)' },
  },
  {
    method: 'post',
    path: '/v1/auth/logout',
    summary: 'End a browser session (clears the session cookie)',
    auth: false,
    ok: { status: 204, description: 'signed out' },
  },
  {
    method: 'post',
    path: '/v1/venues/{venueId}/edge/heartbeat',
    summary: "A relay's heartbeat",
    auth: true,
    body: Heartbeat,
    ok: { status: 204, description: 'recorded' },
  },
  {
    method: 'get',
    path: '/v1/venues/{venueId}/resilience',
    summary:
      "Journal head, relays and lag, device checkpoints and outboxes; the relay's answer adds its uplink's connectivity and per-minute samples (manager, owner)",
    auth: true,
    ok: { status: 200, schema: ResilienceReport, description: 'the report' },
  },
  {
    method: 'get',
    path: '/healthz',
    summary: 'Health',
    auth: false,
    ok: { status: 200, description: 'ok' },
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    auth: false,
    ok: { status: 200, description: 'text exposition format' },
  },
];

function jsonSchema(schema: Schema, io: 'input' | 'output'): unknown {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' });
}

function params(path: string, route: RouteDoc): unknown[] {
  const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const inQuery = (route.query ?? []).map((name) => ({
    name,
    in: 'query',
    required: false,
    schema: { type: 'string' },
  }));
  const inHeader = route.header
    ? [
        {
          name: route.header,
          in: 'header',
          required: true,
          schema: { type: 'string' },
          description: 'the opId (a ULID)',
        },
      ]
    : [];
  return [...inPath, ...inQuery, ...inHeader];
}

/** The OpenAPI 3 document of the cloud's API (also served by the relay on the LAN). */
export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const problem = {
    description: 'problem+json; `kind` says what to do',
    content: { 'application/problem+json': { schema: jsonSchema(Problem, 'output') } },
  };
  for (const route of ROUTES) {
    paths[route.path] ??= {};
    const operation: Record<string, unknown> = {
      summary: route.summary,
      parameters: params(route.path, route),
      responses: {
        [route.ok.status]: {
          description: route.ok.description,
          ...(route.ok.schema
            ? { content: { 'application/json': { schema: jsonSchema(route.ok.schema, 'output') } } }
            : {}),
        },
        default: problem,
      },
      ...(route.auth ? { security: [{ bearer: [] }] } : {}),
    };
    if (route.body)
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
      };
    (paths[route.path] as Record<string, unknown>)[route.method] = operation;
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Hearth API',
      version,
      description: `Protocol version ${PROTOCOL_VERSION}. The relay serves the same paths on the venue LAN.`,
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (ES256)' } },
    },
    paths,
  };
}
