import { createRoute } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import {
  AckRequest,
  CreateEdgeNodeRequest,
  CreateEdgeNodeResponse,
  deriveVenuePinKey,
  type EcPublicJwk,
  EdgeStaffList,
  EnrollRequest,
  EnrollResponse,
  encodeBase64Url,
  Heartbeat,
  newUlid,
  ResilienceReport,
  sha256Hex,
} from '#protocol';
import { problemResponse } from '../../server/problem-response.ts';
import type { CoreDeps } from '../app-deps.ts';
import type { AuthDeps } from '../auth/auth-routes.ts';
import type { CursorService } from '../feed/cursor-service.ts';
import { type AppEnv, onlyRoles, ownVenue, requireCaller } from '../http/caller.ts';
import {
  type ApiApp,
  BEARER,
  jsonBody,
  jsonRequest,
  jsonResponse,
  problems,
  route,
  VenueParams,
} from '../http/openapi.ts';

export interface EdgeDeps {
  readonly edge: {
    /** How long a one-time enrollment token lives (default 15 minutes). */
    readonly enrollmentTtlSeconds: number;
    /** How long a relay credential lives; revocation is immediate regardless (node status). */
    readonly credentialTtlSeconds: number;
    /** The cloud's token verification keys, handed to relays so they verify tokens offline. */
    readonly verificationKeys: readonly { readonly kid: string; readonly jwk: EcPublicJwk }[];
  };
}

export const DEFAULT_EDGE = {
  enrollmentTtlSeconds: 15 * 60,
  credentialTtlSeconds: 365 * 24 * 3600,
} as const;

type Deps = CoreDeps &
  Pick<AuthDeps, 'tokens' | 'pinKey'> & { readonly cursors: CursorService } & EdgeDeps;

/** The relay node calling; only after {@link relayOnly}. */
function relayNodeId(c: Context<AppEnv>): string {
  const caller = c.get('caller');
  if (caller.kind !== 'relay') throw new Error('relayOnly runs before this handler');
  return caller.nodeId;
}

const relayOnly: MiddlewareHandler<AppEnv> = async (c, next) =>
  c.get('caller').kind === 'relay'
    ? next()
    : problemResponse(403, 'RELAY_ONLY', 'Only an enrolled relay may do this', {});

/**
 * Relay enrollment and upkeep, and the resilience report:
 * - a manager creates a node and gets a one-time enrollment token (stored only as a hash);
 * - the relay trades the token and its public key for its credential (once, before expiry);
 * - the relay acks the highest cursor it stored and sends heartbeats;
 * - a manager reads journal head, relays and their lag, devices' checkpoints and outboxes.
 */
export function registerEdgeRoutes(app: ApiApp, deps: Deps): void {
  const auth = requireCaller(deps.authenticator);
  const now = () => deps.clock();

  const managers = onlyRoles(['manager', 'owner']);

  const nodesRoute = createRoute({
    method: 'post',
    path: '/v1/venues/{venueId}/edge/nodes',
    tags: ['edge'],
    summary: 'Create a relay node and its one-time enrollment token',
    security: BEARER,
    middleware: [auth, ownVenue, managers, jsonBody],
    request: { params: VenueParams, body: jsonRequest(CreateEdgeNodeRequest) },
    responses: {
      201: jsonResponse('the node and its token (shown once)', CreateEdgeNodeResponse),
      ...problems(400, 401, 403, 404, 413, 415),
    },
  });
  route(app, nodesRoute, async (c) => {
    const { name } = c.req.valid('json');
    const venue = await deps.store.getVenue(c.req.valid('param').venueId);
    if (!venue) return problemResponse(404, 'VENUE_NOT_FOUND', 'No such venue', { kind: 'stop' });
    const token = encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
    const nodeId = newUlid(now().getTime());
    const expiresAt = new Date(
      now().getTime() + deps.edge.enrollmentTtlSeconds * 1000,
    ).toISOString();
    await deps.store.createEdgeNode(
      {
        nodeId,
        tenantId: venue.tenantId,
        venueId: venue.venueId,
        name,
        status: 'pending',
        publicKeyJwk: null,
        createdAt: now().toISOString(),
        enrolledAt: null,
        ackedSeq: 0,
        lastSeenAt: null,
        heartbeat: null,
      },
      { tokenDigest: await sha256Hex(token), nodeId, expiresAt, usedAt: null },
    );
    c.get('log')('info', 'edge node created', { nodeId, venueId: venue.venueId });
    return c.json(
      { nodeId, enrollmentToken: token, expiresAt } satisfies CreateEdgeNodeResponse,
      201,
    );
  });

  const enrollRoute = createRoute({
    method: 'post',
    path: '/v1/edge/enroll',
    tags: ['edge'],
    summary: 'Trade an enrollment token for a relay credential',
    middleware: jsonBody,
    request: { body: jsonRequest(EnrollRequest) },
    responses: {
      200: jsonResponse("the relay's credential", EnrollResponse),
      ...problems(400, 401, 413, 415),
    },
  });
  route(app, enrollRoute, async (c) => {
    const request = c.req.valid('json');
    const at = now();
    const node = await deps.store.redeemEnrollmentToken(
      await sha256Hex(request.enrollmentToken),
      at.toISOString(),
      JSON.stringify(request.publicKeyJwk),
    );
    if (!node) {
      return problemResponse(401, 'ENROLLMENT_TOKEN_INVALID', 'Enrollment token not valid', {
        kind: 'stop',
        detail: 'unknown, used or expired: ask a manager for a new one',
      });
    }
    const iat = Math.floor(at.getTime() / 1000);
    const credential = await deps.tokens.signer.sign({
      kind: 'relay',
      sub: node.nodeId,
      tenantId: node.tenantId,
      venueId: node.venueId,
      iat,
      exp: iat + deps.edge.credentialTtlSeconds,
    });
    c.get('log')('info', 'edge node enrolled', { nodeId: node.nodeId, venueId: node.venueId });
    const response: EnrollResponse = {
      nodeId: node.nodeId,
      tenantId: node.tenantId,
      venueId: node.venueId,
      credential,
      verificationKeys: deps.edge.verificationKeys.map((k) => ({ kid: k.kid, jwk: k.jwk })),
      venuePinKey: encodeBase64Url(await deriveVenuePinKey(deps.pinKey, node.venueId)),
    };
    return c.json(response);
  });

  const ackRoute = createRoute({
    method: 'post',
    path: '/v1/venues/{venueId}/edge/ack',
    tags: ['edge'],
    summary: 'The highest cursor a relay has stored',
    security: BEARER,
    middleware: [auth, ownVenue, relayOnly, jsonBody],
    request: { params: VenueParams, body: jsonRequest(AckRequest) },
    responses: {
      204: { description: 'recorded' },
      ...problems(400, 401, 403, 404, 409, 410, 413, 415),
    },
  });
  route(app, ackRoute, async (c) => {
    const nodeId = relayNodeId(c);
    const { cursor } = c.req.valid('json');
    const venue = await deps.store.getVenue(c.req.valid('param').venueId);
    if (!venue) return problemResponse(404, 'VENUE_NOT_FOUND', 'No such venue', { kind: 'stop' });
    const checked = await deps.cursors.check(
      cursor,
      venue,
      'any',
      await deps.store.head(venue.venueId),
    );
    if (!checked.ok)
      return problemResponse(
        checked.rejection.status,
        checked.rejection.code,
        checked.rejection.title,
        checked.rejection.extras,
      );
    const node = await deps.store.getEdgeNode(nodeId);
    // Acks only move forward: a late, older ack never hides progress.
    if (node && checked.seq > node.ackedSeq)
      await deps.store.updateEdgeNode(nodeId, {
        ackedSeq: checked.seq,
        lastSeenAt: now().toISOString(),
      });
    return c.body(null, 204);
  });

  const staffRoute = createRoute({
    method: 'get',
    path: '/v1/venues/{venueId}/edge/staff',
    tags: ['edge'],
    summary: "The venue's staff and PIN digests, for its relay",
    security: BEARER,
    middleware: [auth, ownVenue, relayOnly],
    request: { params: VenueParams },
    responses: {
      200: jsonResponse('staff credentials (digests only)', EdgeStaffList),
      ...problems(401, 403),
    },
  });
  route(app, staffRoute, async (c) => {
    const staff = await deps.store.listStaffCredentials(c.req.valid('param').venueId);
    const list: EdgeStaffList = {
      staff: staff.map(({ memberId, name, role, pinDigest }) => ({
        memberId,
        name,
        role,
        pinDigest,
      })),
    };
    c.header('Cache-Control', 'no-store');
    return c.json(list);
  });

  const heartbeatRoute = createRoute({
    method: 'post',
    path: '/v1/venues/{venueId}/edge/heartbeat',
    tags: ['edge'],
    summary: "A relay's heartbeat",
    security: BEARER,
    middleware: [auth, ownVenue, relayOnly, jsonBody],
    request: { params: VenueParams, body: jsonRequest(Heartbeat) },
    responses: { 204: { description: 'recorded' }, ...problems(400, 401, 403, 413, 415) },
  });
  route(app, heartbeatRoute, async (c) => {
    const nodeId = relayNodeId(c);
    const heartbeat = c.req.valid('json');
    await deps.store.updateEdgeNode(nodeId, {
      heartbeat: JSON.stringify(heartbeat),
      lastSeenAt: now().toISOString(),
    });
    return c.body(null, 204);
  });

  const resilienceRoute = createRoute({
    method: 'get',
    path: '/v1/venues/{venueId}/resilience',
    tags: ['edge'],
    summary:
      "Journal head, relays and lag, device checkpoints and outboxes; the relay's answer adds its uplink's connectivity and per-minute samples (manager, owner)",
    security: BEARER,
    middleware: [auth, ownVenue, managers],
    request: { params: VenueParams },
    responses: { 200: jsonResponse('the report', ResilienceReport), ...problems(401, 403) },
  });
  route(app, resilienceRoute, async (c) => {
    const { venueId } = c.req.valid('param');
    const { head, reported, devices } = await deviceCheckpoints(deps.store, venueId);
    const report: ResilienceReport = {
      venueId,
      journalHead: head,
      at: now().toISOString(),
      nodes: reported.map(({ node: n, heartbeat }) => ({
        nodeId: n.nodeId,
        name: n.name,
        status: n.status,
        ackedSeq: n.ackedSeq,
        lag: Math.max(0, head - n.ackedSeq),
        lastSeenAt: n.lastSeenAt,
        heartbeat,
      })),
      devices,
    };
    return c.json(report);
  });
}

type CheckpointRow = ResilienceReport['devices'][number];

/**
 * The latest checkpoint of each device of a venue: those that report to the cloud, then those on
 * a LAN as their relay last told (an active relay's: a revoked one speaks for nobody); a device
 * seen both ways, the latest. With the venue's head and its relays' last heartbeats.
 */
export async function deviceCheckpoints(
  store: Pick<CoreDeps['store'], 'head' | 'listEdgeNodes' | 'listCheckpoints'>,
  venueId: string,
) {
  const head = await store.head(venueId);
  const nodes = await store.listEdgeNodes(venueId);
  const checkpoints = await store.listCheckpoints(venueId);
  const reported = nodes.map((n) => ({ node: n, heartbeat: parseHeartbeat(n.heartbeat) }));
  const devices = new Map<string, CheckpointRow>();
  const keep = (device: CheckpointRow) => {
    const known = devices.get(device.deviceId);
    if (!known || known.updatedAt < device.updatedAt) devices.set(device.deviceId, device);
  };
  for (const d of checkpoints) {
    keep({
      deviceId: d.deviceId,
      seq: d.seq,
      lag: Math.max(0, head - d.seq),
      outboxDepth: d.outboxDepth,
      oldestPendingAt: d.oldestPendingAt,
      failedOps: d.failedOps,
      updatedAt: d.updatedAt,
      via: null,
    });
  }
  for (const { node, heartbeat } of reported) {
    if (node.status !== 'active') continue;
    for (const d of heartbeat?.devices ?? []) {
      keep({
        deviceId: d.deviceId,
        seq: node.ackedSeq,
        lag: Math.max(0, head - node.ackedSeq) + d.lag,
        outboxDepth: d.outboxDepth,
        oldestPendingAt: d.oldestPendingAt,
        failedOps: d.failedOps,
        updatedAt: d.updatedAt,
        via: node.nodeId,
      });
    }
  }
  return { head, reported, devices: [...devices.values()] };
}

function parseHeartbeat(text: string | null): z.infer<typeof Heartbeat> | null {
  if (text === null) return null;
  try {
    const parsed = Heartbeat.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}
