import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import {
  AckRequest,
  CreateEdgeNodeRequest,
  type CreateEdgeNodeResponse,
  deriveVenuePinKey,
  type EcPublicJwk,
  type EdgeStaffList,
  EnrollRequest,
  type EnrollResponse,
  encodeBase64Url,
  Heartbeat,
  newUlid,
  type ResilienceReport,
  sha256Hex,
  toIssues,
} from '#protocol';
import { problemResponse } from '../../server/problem-response.ts';
import type { CoreDeps } from '../app-deps.ts';
import type { AuthDeps } from '../auth/auth-routes.ts';
import type { CursorService } from '../feed/cursor-service.ts';
import { type AppEnv, forbidOtherVenue, forbidUnlessRole, requireCaller } from '../http/caller.ts';

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

async function body<S extends z.ZodType>(
  c: Context<AppEnv>,
  schema: S,
): Promise<{ ok: true; data: z.infer<S> } | { ok: false; response: Response }> {
  let json: unknown;
  try {
    json = JSON.parse(await c.req.text());
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return {
      ok: false,
      response: problemResponse(400, 'MALFORMED_JSON', 'The body is not JSON', {
        detail: error.message,
      }),
    };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      response: problemResponse(400, 'VALIDATION', 'Invalid request', {
        issues: toIssues(parsed.error),
      }),
    };
  return { ok: true, data: parsed.data };
}

function relayOf(c: Context<AppEnv>): { nodeId: string } | Response {
  const caller = c.get('caller');
  if (caller.kind !== 'relay')
    return problemResponse(403, 'RELAY_ONLY', 'Only an enrolled relay may do this', {});
  return { nodeId: caller.nodeId };
}

/**
 * Relay enrollment and upkeep, and the resilience report:
 * - a manager creates a node and gets a one-time enrollment token (stored only as a hash);
 * - the relay trades the token and its public key for its credential (once, before expiry);
 * - the relay acks the highest cursor it stored and sends heartbeats;
 * - a manager reads journal head, relays and their lag, devices' checkpoints and outboxes.
 */
export function registerEdgeRoutes(app: Hono<AppEnv>, deps: Deps): void {
  const auth = requireCaller(deps.authenticator);
  const now = () => deps.clock();

  app.post('/v1/venues/:venueId/edge/nodes', auth, async (c) => {
    const refused = forbidOtherVenue(c) ?? forbidUnlessRole(c, ['manager', 'owner']);
    if (refused) return refused;
    const read = await body(c, CreateEdgeNodeRequest);
    if (!read.ok) return read.response;
    const venue = await deps.store.getVenue(c.req.param('venueId'));
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
        name: read.data.name,
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

  app.post('/v1/edge/enroll', async (c) => {
    const read = await body(c, EnrollRequest);
    if (!read.ok) return read.response;
    const at = now();
    const node = await deps.store.redeemEnrollmentToken(
      await sha256Hex(read.data.enrollmentToken),
      at.toISOString(),
      JSON.stringify(read.data.publicKeyJwk),
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

  app.post('/v1/venues/:venueId/edge/ack', auth, async (c) => {
    const refused = forbidOtherVenue(c);
    if (refused) return refused;
    const relay = relayOf(c);
    if (relay instanceof Response) return relay;
    const read = await body(c, AckRequest);
    if (!read.ok) return read.response;
    const venue = await deps.store.getVenue(c.req.param('venueId'));
    if (!venue) return problemResponse(404, 'VENUE_NOT_FOUND', 'No such venue', { kind: 'stop' });
    const checked = await deps.cursors.check(
      read.data.cursor,
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
    const node = await deps.store.getEdgeNode(relay.nodeId);
    // Acks only move forward: a late, older ack never hides progress.
    if (node && checked.seq > node.ackedSeq)
      await deps.store.updateEdgeNode(relay.nodeId, {
        ackedSeq: checked.seq,
        lastSeenAt: now().toISOString(),
      });
    return c.body(null, 204);
  });

  app.get('/v1/venues/:venueId/edge/staff', auth, async (c) => {
    const refused = forbidOtherVenue(c);
    if (refused) return refused;
    const relay = relayOf(c);
    if (relay instanceof Response) return relay;
    const staff = await deps.store.listStaffCredentials(c.req.param('venueId'));
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

  app.post('/v1/venues/:venueId/edge/heartbeat', auth, async (c) => {
    const refused = forbidOtherVenue(c);
    if (refused) return refused;
    const relay = relayOf(c);
    if (relay instanceof Response) return relay;
    const read = await body(c, Heartbeat);
    if (!read.ok) return read.response;
    await deps.store.updateEdgeNode(relay.nodeId, {
      heartbeat: JSON.stringify(read.data),
      lastSeenAt: now().toISOString(),
    });
    return c.body(null, 204);
  });

  app.get('/v1/venues/:venueId/resilience', auth, async (c) => {
    const refused = forbidOtherVenue(c) ?? forbidUnlessRole(c, ['manager', 'owner']);
    if (refused) return refused;
    const venueId = c.req.param('venueId');
    const head = await deps.store.head(venueId);
    const nodes = await deps.store.listEdgeNodes(venueId);
    const checkpoints = await deps.store.listCheckpoints(venueId);
    const reported = nodes.map((n) => ({ node: n, heartbeat: parseHeartbeat(n.heartbeat) }));
    type Device = ResilienceReport['devices'][number];
    // Devices that report to the cloud, then those on a LAN as their relay last told (an
    // active relay's: a revoked one speaks for nobody); a device seen both ways, the latest.
    const devices = new Map<string, Device>();
    const keep = (device: Device) => {
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
      devices: [...devices.values()],
    };
    return c.json(report);
  });
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
