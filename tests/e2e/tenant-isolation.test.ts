import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  createTokenSigner,
  generateTokenKeyPair,
  makeOperation,
  newUlid,
  type Operation,
  type OperationType,
  type Snapshot,
  type TokenResponse,
} from '#protocol';
import { DEMO, DEMO_LAKESIDE, demoTableId, lakesideTableId } from '../../cloud/seed/demo-seed.ts';
import { type PairedDevice, pairWithCloud } from './support/cloud-client.ts';
import {
  call,
  describeHttp,
  type Http,
  json,
  REQUEST_TIMEOUT_MS,
  type VenueHarness,
  venueHarness,
} from './support/relay-process.ts';

// Tenant isolation end to end over the demo seed's two tenants: a real cloud, a relay enrolled
// to the first tenant's venue (Demo Bistro), and staff and guest tokens of both tenants. Every
// cloud route the cloud's own /openapi.json lists (a new route is swept without a change here)
// and the live socket are called by each tenant's callers about the other tenant's venue: the
// answer is a refusal and holds no byte of the other tenant's data. Distinctive markers are
// planted in each tenant's data (order notes, a booking's guest name, an edge node, a device
// checkpoint) and every answer and live frame is searched for them. cloud/access-matrix.test.ts
// holds the exact status per route × role × venue over the memory store; this suite is the
// end-to-end sweep over real processes and the demo's two tenants.

type Tenant = 'bistro' | 'lakeside';
type Role = 'server' | 'kitchen' | 'manager' | 'owner' | 'guest';
const ROLES: readonly Role[] = ['server', 'kitchen', 'manager', 'owner', 'guest'];
/** A bistro manager's token issued by the bistro's relay while offline (kid `relay:<node>`). */
type CallerRole = Role | 'managerByRelay';
const OTHER: Record<Tenant, Tenant> = { bistro: 'lakeside', lakeside: 'bistro' };

/** The seeded facts of each tenant the suite needs. */
const TENANTS = {
  bistro: {
    tenantId: DEMO.tenantId,
    venueId: DEMO.venueId,
    pins: DEMO.pins,
    tableLabel: '5',
    tableId: demoTableId('5'),
    item: 'burger',
  },
  lakeside: {
    tenantId: DEMO_LAKESIDE.tenantId,
    venueId: DEMO_LAKESIDE.venueId,
    pins: DEMO_LAKESIDE.pins,
    tableLabel: 'L2',
    tableId: lakesideTableId('L2'),
    item: 'lakeside-perch',
  },
} as const;

/** A signed-in caller: its token and the actor id its ops carry. */
interface Caller {
  readonly tenant: Tenant;
  readonly role: CallerRole;
  readonly token: string;
  readonly actorId: string;
}

/** What the suite planted in one tenant: the op ids, and every string only that tenant has. */
interface Planted {
  readonly opIds: string[];
  readonly markers: string[];
  /** The markers that are entities of the venue's stream (not its edge node or checkpoint). */
  readonly inStream: string[];
  /** Ops whose ids are no markers: the other tenant replays them. */
  readonly replayable: string[];
  /** A cursor from before the planting: the feed from here holds every planted entry. */
  readonly startCursor: string;
}

/** Strings of each tenant's seed that no other tenant's data holds. */
const SEED_MARKERS: Record<Tenant, readonly string[]> = {
  bistro: [DEMO.venueId, DEMO.venueName, 'demo-server', 'Steak frites'],
  lakeside: ['lakeside', 'Lakeside', 'Lake perch', 'whitefish chowder', 'Elderflower'],
};

let h: VenueHarness;
const callers: Record<Tenant, Caller[]> = { bistro: [], lakeside: [] };
const planted: Record<Tenant, Planted> = {
  bistro: { opIds: [], markers: [], inStream: [], replayable: [], startCursor: '' },
  lakeside: { opIds: [], markers: [], inStream: [], replayable: [], startCursor: '' },
};
/** Answers and frames searched for markers, and the leaks found, over the whole suite. */
let checked = 0;
let leaksFound = 0;

const caller = (tenant: Tenant, role: Role): Caller => {
  const found = callers[tenant].find((c) => c.role === role);
  if (!found) throw new Error(`no ${role} of ${tenant}`);
  return found;
};
const markersOf = (tenant: Tenant): string[] => [
  ...SEED_MARKERS[tenant],
  ...planted[tenant].markers,
];

/**
 * Adds to `leaks` the markers of `foreign` found in `seen`, and counts the check. `plantedOnly`
 * skips the seed's strings: for the OpenAPI document, which names the demo venue as an example.
 */
function scan(
  leaks: string[],
  where: string,
  seen: string,
  foreign: Tenant,
  plantedOnly = false,
): void {
  checked++;
  const markers = plantedOnly ? planted[foreign].markers : markersOf(foreign);
  const text = withDecodedTokens(seen);
  const found = markers.filter((m) => text.includes(m));
  if (found.length > 0) {
    leaksFound++;
    leaks.push(`${where}: ${found.join(', ')}`);
  }
}

/** `text` with every JWT in it decoded after it: a token's claims name tenant and venue. */
function withDecodedTokens(text: string): string {
  const tokens = text.match(/eyJ[\w-]+\.eyJ[\w-]+/g) ?? [];
  const decoded = tokens.map((t) =>
    t
      .split('.')
      .map((part) => Buffer.from(part, 'base64url').toString('utf8'))
      .join('\n'),
  );
  return [text, ...decoded].join('\n');
}

const seenOf = (http: Http): string =>
  `${[...http.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${http.text}`;

function post(url: string, body: unknown, token?: string, extra: Record<string, string> = {}) {
  return call(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...extra,
    },
    body: JSON.stringify(body),
  });
}

/** Each tenant's tablet, paired with its venue at the cloud: staff sign in on it (decision 034). */
const tablets = new Map<Tenant, Promise<PairedDevice>>();
function tabletOf(tenant: Tenant): Promise<PairedDevice> {
  let tablet = tablets.get(tenant);
  if (!tablet) {
    const { tenantId, venueId } = TENANTS[tenant];
    tablet = pairWithCloud(h.cloud.url, h.cloud.keysFile, { tenantId, venueId });
    tablets.set(tenant, tablet);
  }
  return tablet;
}

async function signIn(tenant: Tenant, role: Role): Promise<Caller> {
  const t = TENANTS[tenant];
  const http =
    role === 'guest'
      ? await post(`${h.cloud.url}/v1/auth/guest`, { venueId: t.venueId, table: t.tableLabel })
      : await call(`${h.cloud.url}/v1/auth/staff`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...(await tabletOf(tenant)).header },
          body: JSON.stringify({ venueId: t.venueId, pin: t.pins[role] }),
        });
  if (http.status !== 200) throw new Error(`sign-in ${tenant} ${role}: ${describeHttp(http)}`);
  const { token, principal } = json<TokenResponse>(http);
  const actorId = principal.kind === 'guest' ? principal.sessionId : principal.actorId;
  if (!actorId) throw new Error(`sign-in ${tenant} ${role}: no actor in ${http.text}`);
  return { tenant, role, token, actorId };
}

function opBy<T extends OperationType>(
  who: Caller,
  tenant: Tenant,
  type: T,
  payload: unknown,
  opId?: string,
): Promise<Operation> {
  return makeOperation({
    type,
    payload,
    deviceId: `device-${who.tenant}-${who.role}`,
    tenantId: TENANTS[tenant].tenantId,
    venueId: TENANTS[tenant].venueId,
    actorId: who.actorId,
    ...(opId ? { opId } : {}),
  });
}

async function postOp(base: string, who: Caller, op: Operation): Promise<Http> {
  return post(`${base}/v1/venues/${op.venueId}/ops`, op, who.token, {
    'Idempotency-Key': op.opId,
  });
}

async function snapshotOf(base: string, tenant: Tenant, token: string): Promise<Snapshot> {
  const http = await call(`${base}/v1/venues/${TENANTS[tenant].venueId}/snapshot`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (http.status !== 200) throw new Error(`snapshot of ${tenant}: ${describeHttp(http)}`);
  return json<Snapshot>(http);
}

/**
 * Plants the tenant's markers through its own staff at the cloud: an order with a noted line,
 * a booking, a guest's service request, an edge node and a device checkpoint.
 */
async function plant(tenant: Tenant): Promise<void> {
  const t = TENANTS[tenant];
  const tag = `${tenant === 'bistro' ? 'OTTER' : 'HERON'}-${newUlid()}`;
  const server = caller(tenant, 'server');
  const manager = caller(tenant, 'manager');
  const guest = caller(tenant, 'guest');
  const orderId = `order-${tag}`;
  const note = `note ${tag} no shellfish`;
  const guestName = `Guest ${tag}`;
  const requestNote = `call ${tag} by the window`;
  const ops = [
    [server, await opBy(server, tenant, 'order.create', { orderId, tableId: t.tableId })],
    [
      server,
      await opBy(server, tenant, 'order.addLines', {
        orderId,
        lines: [{ lineId: newUlid(), itemId: t.item, quantity: 2, note }],
      }),
    ],
    [
      manager,
      await opBy(manager, tenant, 'booking.create', {
        bookingId: `booking-${tag}`,
        guestName,
        partySize: 4,
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
        note,
      }),
    ],
    [
      guest,
      await opBy(guest, tenant, 'serviceRequest.create', {
        requestId: `request-${tag}`,
        tableId: t.tableId,
        kind: 'call_waiter',
        note: requestNote,
      }),
    ],
  ] as const;
  for (const [who, op] of ops) {
    const http = await postOp(h.cloud.url, who, op);
    if (http.status !== 201)
      throw new Error(`plant ${op.type} in ${tenant}: ${describeHttp(http)}`);
    planted[tenant].opIds.push(op.opId);
  }
  for (const n of [1, 2]) {
    const op = await opBy(server, tenant, 'order.create', {
      orderId: `order-${tag}-${n}`,
      tableId: t.tableId,
    });
    const http = await postOp(h.cloud.url, server, op);
    if (http.status !== 201)
      throw new Error(`plant replayable in ${tenant}: ${describeHttp(http)}`);
    planted[tenant].replayable.push(op.opId);
  }
  const node = await post(
    `${h.cloud.url}/v1/venues/${t.venueId}/edge/nodes`,
    { name: `relay ${tag}` },
    manager.token,
  );
  if (node.status !== 201) throw new Error(`plant edge node in ${tenant}: ${describeHttp(node)}`);
  const { nodeId } = json<{ nodeId: string }>(node);
  const deviceId = `till-${tag}`;
  const snapshot = await snapshotOf(h.cloud.url, tenant, manager.token);
  const checkpoint = await call(`${h.cloud.url}/v1/venues/${t.venueId}/checkpoints/${deviceId}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${manager.token}` },
    body: JSON.stringify({ cursor: snapshot.cursor, outboxDepth: 2, failedOps: 1 }),
  });
  if (checkpoint.status !== 204)
    throw new Error(`plant checkpoint in ${tenant}: ${describeHttp(checkpoint)}`);
  planted[tenant].inStream.push(orderId, note, guestName, requestNote, ...planted[tenant].opIds);
  planted[tenant].markers.push(tag, ...planted[tenant].inStream, nodeId, deviceId);
}

// ---------------------------------------------------------------------------------------------
// The cloud's routes, from its OpenAPI document, and a well-formed request per route

interface RouteOf {
  readonly method: string;
  /** The OpenAPI path, `{param}` style. */
  readonly path: string;
}

/**
 * The body a route gets from `who` about `target`'s venue: well formed for that caller, so a
 * refusal is access control and not validation. A route not named here gets `{}`; if it then
 * answers anything but a refusal, the sweep fails and names it.
 */
async function bodyFor(route: RouteOf, who: Caller, target: Tenant): Promise<unknown> {
  const t = TENANTS[target];
  const cursor = (await snapshotOf(h.cloud.url, target, caller(target, 'manager').token)).cursor;
  switch (`${route.method} ${route.path}`) {
    case 'POST /v1/auth/staff':
      // Staff know their own PIN; the guest tries one that is no one's.
      return {
        venueId: t.venueId,
        pin:
          who.role === 'guest'
            ? '0000'
            : TENANTS[who.tenant].pins[who.role === 'managerByRelay' ? 'manager' : who.role],
      };
    case 'POST /v1/auth/guest':
      return { venueId: t.venueId, table: TENANTS[who.tenant].tableLabel };
    case 'POST /v1/venues/{venueId}/ops':
      return opBy(who, target, 'order.create', {
        orderId: `order-${newUlid()}`,
        tableId: t.tableId,
      });
    case 'POST /v1/venues/{venueId}/ops/batch': {
      const op = await opBy(who, target, 'order.create', {
        orderId: `order-${newUlid()}`,
        tableId: t.tableId,
      });
      return { deviceId: op.deviceId, ops: [op] };
    }
    case 'PUT /v1/venues/{venueId}/checkpoints/{deviceId}':
      return { cursor, outboxDepth: 0, failedOps: 0 };
    case 'POST /v1/venues/{venueId}/edge/nodes':
      return { name: 'intruder relay' };
    case 'POST /v1/venues/{venueId}/edge/ack':
      return { cursor };
    case 'POST /v1/venues/{venueId}/edge/heartbeat':
      return {
        version: 'intruder',
        connectivity: 'online',
        journalDepth: 0,
        oldestUnsyncedAt: null,
        connectedDevices: 1,
        transitions: [],
      };
    case 'POST /v1/venues/{venueId}/devices/pairings':
      return { role: 'floor' };
    case 'POST /v1/devices/pair': {
      // A pairing code for the target venue that no key of this cloud signed.
      const now = Math.floor(Date.now() / 1000);
      const code = await createTokenSigner({
        privateKey: (await generateTokenKeyPair()).privateKey,
        kid: 'cloud-1',
      }).sign({
        kind: 'pairing',
        sub: 'setup',
        jti: newUlid(),
        role: 'floor',
        tenantId: t.tenantId,
        venueId: t.venueId,
        iat: now,
        exp: now + 600,
      });
      return { code, deviceId: `intruder-${newUlid()}`, name: 'Intruder tablet' };
    }
    case 'POST /v1/edge/enroll': {
      // An enrollment token that is no one's, with a well-formed key.
      const { kty, crv, x, y } = await crypto.subtle.exportKey(
        'jwk',
        (await generateTokenKeyPair()).publicKey,
      );
      return {
        enrollmentToken: `enroll-${newUlid()}-${newUlid()}`,
        publicKeyJwk: { kty, crv, x, y },
      };
    }
    default:
      return {};
  }
}

/** The concrete URL path of a route about `target`'s venue. */
async function pathFor(route: RouteOf, who: Caller, target: Tenant): Promise<string> {
  let path = route.path
    .replace('{venueId}', TENANTS[target].venueId)
    .replace('{opId}', planted[target].opIds[0] ?? newUlid())
    .replace('{deviceId}', `device-${who.tenant}-${who.role}`)
    .replace(/\{[^}]+\}/g, 'x');
  if (route.path.endsWith('/feed') || route.path.endsWith('/live')) {
    const { cursor } = await snapshotOf(h.cloud.url, target, caller(target, 'manager').token);
    path += `?cursor=${encodeURIComponent(cursor)}&wait=0`;
  }
  return path;
}

/**
 * Calls a route as `who` about `target`'s venue. What comes back is the answer's headers and
 * body with the request's own path cut out: a 404 naming the path it was asked for repeats
 * what the caller sent, which is no leak.
 */
async function request(
  base: string,
  route: RouteOf,
  who: Caller,
  target: Tenant,
): Promise<{ http: Http; seen: string }> {
  const path = await pathFor(route, who, target);
  const url = `${base}${path}`;
  const headers: Record<string, string> = { Authorization: `Bearer ${who.token}` };
  const http =
    route.method === 'GET' || route.method === 'HEAD'
      ? await call(url, { method: route.method, headers })
      : await call(url, {
          method: route.method,
          headers: { ...headers, 'Content-Type': 'application/json' },
          body: JSON.stringify(await bodyFor(route, who, target)),
        });
  return {
    http,
    seen: seenOf(http)
      .split(path.split('?')[0] as string)
      .join(''),
  };
}

/**
 * Routes that name no venue and need no credential: scanned for leaks, any status below 500.
 * Every other route, a new one included, must refuse a caller about the other tenant's venue.
 */
const VENUE_FREE_OK = new Set([
  'GET /healthz',
  'GET /metrics',
  'GET /openapi.json',
  'POST /v1/auth/logout',
]);

/** The statuses that count as "refused" for a caller about another tenant's venue. */
const REFUSED = new Set([401, 403, 404, 429]);

// ---------------------------------------------------------------------------------------------
// Live sockets

interface LiveOutcome {
  /** The HTTP status when the upgrade was refused; 101 when it opened. */
  readonly status: number;
  /** The refusal's body, or every frame received while open, as text. */
  readonly text: string;
  readonly frames: number;
}

/** Opens `…/live` at `base` for `target`'s venue with `token`; collects for `ms` after open. */
function openLive(base: string, target: Tenant, token: string, cursor: string, ms = 300) {
  const url = `${base.replace(/^http/, 'ws')}/v1/venues/${TENANTS[target].venueId}/live?cursor=${encodeURIComponent(cursor)}`;
  const ws = new WebSocket(url, ['hearth.v1', `bearer.${token}`]);
  const frames: string[] = [];
  ws.on('message', (data) => frames.push(String(data)));
  const outcome = new Promise<LiveOutcome>((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve({ status: 0, text: frames.join('\n'), frames: frames.length });
    }, REQUEST_TIMEOUT_MS);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        clearTimeout(timer);
        ws.terminate();
        resolve({ status: res.statusCode ?? 0, text: body, frames: 0 });
      });
    });
    ws.on('open', () => {
      setTimeout(() => {
        clearTimeout(timer);
        ws.close();
        resolve({ status: 101, text: frames.join('\n'), frames: frames.length });
      }, ms);
    });
    ws.on('error', () => undefined);
  });
  return { ws, frames, outcome };
}

// ---------------------------------------------------------------------------------------------

let routes: RouteOf[] = [];

beforeAll(async () => {
  h = await venueHarness();
  for (const tenant of ['bistro', 'lakeside'] as const)
    for (const role of ROLES) callers[tenant].push(await signIn(tenant, role));
  for (const tenant of ['bistro', 'lakeside'] as const) {
    const snap = await snapshotOf(h.cloud.url, tenant, caller(tenant, 'manager').token);
    planted[tenant] = { ...planted[tenant], startCursor: snap.cursor };
    await plant(tenant);
  }
  // A token the bistro's relay issues on its own: sign in there while its uplink is cut.
  h.proxy.cut();
  await h.relay.waitForConnectivity('offline_local', 10_000);
  const offline = await post(
    `${h.relay.url}/v1/auth/staff`,
    { venueId: DEMO.venueId, pin: DEMO.pins.manager },
    undefined,
    h.tablet.header,
  );
  if (offline.status !== 200) throw new Error(`offline sign-in: ${describeHttp(offline)}`);
  const { token, principal } = json<TokenResponse>(offline);
  const kid = (JSON.parse(atob(token.split('.')[0] as string)) as { kid: string }).kid;
  if (principal.kind !== 'staff' || !kid.startsWith('relay:'))
    throw new Error(`offline sign-in gave no relay-issued token: ${offline.text}`);
  callers.bistro.push({
    tenant: 'bistro',
    role: 'managerByRelay',
    token,
    actorId: principal.actorId,
  });
  h.proxy.restore();
  await h.relay.waitForConnectivity(['online', 'recovered'], 10_000);
  const doc = json<{ paths: Record<string, Record<string, unknown>> }>(
    await call(`${h.cloud.url}/openapi.json`),
  );
  routes = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((m) => ({ method: m.toUpperCase(), path })),
  );
}, 30_000);

afterAll(async () => {
  await h?.close();
  console.log(
    `tenant isolation: ${routes.length} cloud routes × ${callers.bistro.length + callers.lakeside.length} callers (both ` +
      `tenants, each about the other) at the cloud, × ${ROLES.length} lakeside callers × 2 ` +
      `venues at the relay; ${checked} answers and live streams scanned, leaks found = ${leaksFound}`,
  );
});

const BOTH = ['bistro', 'lakeside'] as const;

describe('tenant isolation, end to end over the demo seed', () => {
  it('the markers are real: each tenant sees its own in its snapshot and feed', async () => {
    for (const tenant of BOTH) {
      const { token } = caller(tenant, 'manager');
      const snap = await snapshotOf(h.cloud.url, tenant, token);
      const feed = await call(
        `${h.cloud.url}/v1/venues/${TENANTS[tenant].venueId}/feed?cursor=${encodeURIComponent(planted[tenant].startCursor)}&wait=0`,
        { headers: { Authorization: `Bearer ${token}` } },
      );
      const seen = `${JSON.stringify(snap)}\n${feed.text}`;
      const all = [...SEED_MARKERS[tenant], ...planted[tenant].inStream];
      expect(
        all.filter((m) => !seen.includes(m)),
        tenant,
      ).toEqual([]);
    }
  });

  it("the route list is the cloud's own and covers the venue routes", () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(keys).toContain('GET /v1/venues/{venueId}/snapshot');
    expect(keys).toContain('POST /v1/venues/{venueId}/ops');
    expect(keys).toContain('GET /v1/venues/{venueId}/live');
    expect(routes.length).toBeGreaterThanOrEqual(15);
  });

  it('every cloud route refuses a caller of one tenant about the other and leaks nothing', async () => {
    const leaks: string[] = [];
    const wrong: string[] = [];
    for (const route of routes) {
      if (route.path.endsWith('/live')) continue; // the websocket has its own test
      const key = `${route.method} ${route.path}`;
      for (const tenant of BOTH) {
        const target = OTHER[tenant];
        for (const who of callers[tenant]) {
          const { http, seen } = await request(h.cloud.url, route, who, target);
          const where = `cloud ${key} by ${tenant} ${who.role} about ${target}`;
          scan(leaks, where, seen, target, key === 'GET /openapi.json');
          const refused = VENUE_FREE_OK.has(key) ? http.status < 500 : REFUSED.has(http.status);
          if (!refused) wrong.push(`${where}: ${describeHttp(http)}`);
        }
      }
    }
    expect(leaks).toEqual([]);
    expect(wrong).toEqual([]);
  }, 30_000);

  it("a caller asking its own venue for the other tenant's op ids gets 404", async () => {
    const leaks: string[] = [];
    const wrong: string[] = [];
    for (const tenant of BOTH) {
      const target = OTHER[tenant];
      for (const opId of [...planted[target].opIds, ...planted[target].replayable]) {
        const { token } = caller(tenant, 'manager');
        const http = await call(`${h.cloud.url}/v1/venues/${TENANTS[tenant].venueId}/ops/${opId}`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        scan(leaks, `cloud GET own …/ops/<${target}'s opId> by ${tenant}`, seenOf(http), target);
        if (http.status !== 404) wrong.push(`${tenant} asking for ${opId}: ${describeHttp(http)}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(wrong).toEqual([]);
  });

  it("an opId used in one tenant, replayed in the other, does not return the first's result", async () => {
    const leaks: string[] = [];
    for (const tenant of BOTH) {
      const target = OTHER[tenant];
      const [first, second] = planted[target].replayable as [string, string];
      const who = caller(tenant, 'server');
      const orderId = () => `order-${tenant}-${newUlid()}`;
      const payload = () => ({ orderId: orderId(), tableId: TENANTS[tenant].tableId });
      const single = await postOp(
        h.cloud.url,
        who,
        await opBy(who, tenant, 'order.create', payload(), first),
      );
      scan(
        leaks,
        `cloud POST …/ops replaying ${target}'s opId in ${tenant}`,
        seenOf(single),
        target,
      );
      expect(single.headers.get('idempotent-replayed'), describeHttp(single)).toBeNull();
      expect(single.status, describeHttp(single)).toBe(201);
      const op = await opBy(who, tenant, 'order.create', payload(), second);
      const batch = await post(
        `${h.cloud.url}/v1/venues/${TENANTS[tenant].venueId}/ops/batch`,
        { deviceId: op.deviceId, ops: [op] },
        who.token,
      );
      scan(
        leaks,
        `cloud POST …/ops/batch replaying ${target}'s opId in ${tenant}`,
        seenOf(batch),
        target,
      );
      const result = json<{ results: { status: string }[] }>(batch).results[0];
      expect(result?.status, describeHttp(batch)).toBe('applied');
    }
    expect(leaks).toEqual([]);
  });

  it("each tenant's snapshot and feed, to each of its callers, never show the other's entities", async () => {
    const leaks: string[] = [];
    for (const tenant of BOTH) {
      for (const who of callers[tenant]) {
        const snap = await call(`${h.cloud.url}/v1/venues/${TENANTS[tenant].venueId}/snapshot`, {
          headers: { Authorization: `Bearer ${who.token}` },
        });
        expect(snap.status, describeHttp(snap)).toBe(200);
        scan(leaks, `cloud own snapshot of ${tenant} to ${who.role}`, seenOf(snap), OTHER[tenant]);
        // Managers read from before the planting. A cursor carries its reader's scopes: a
        // guest's, and a server's or kitchen's (no paired devices: decision 034), are their own.
        const ownScopes = who.role === 'guest' || who.role === 'server' || who.role === 'kitchen';
        const from = ownScopes ? json<Snapshot>(snap).cursor : planted[tenant].startCursor;
        const feed = await call(
          `${h.cloud.url}/v1/venues/${TENANTS[tenant].venueId}/feed?cursor=${encodeURIComponent(from)}&wait=0`,
          { headers: { Authorization: `Bearer ${who.token}` } },
        );
        expect(feed.status, describeHttp(feed)).toBe(200);
        scan(leaks, `cloud own feed of ${tenant} to ${who.role}`, seenOf(feed), OTHER[tenant]);
      }
    }
    // The relay's copy of the bistro, to the bistro's staff signed in there.
    for (const [role, token] of Object.entries(h.tokens)) {
      const snap = await call(`${h.relay.url}/v1/venues/${DEMO.venueId}/snapshot`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(snap.status, describeHttp(snap)).toBe(200);
      scan(leaks, `relay snapshot of bistro to ${role}`, seenOf(snap), 'lakeside');
    }
    expect(leaks).toEqual([]);
  });

  it('the live socket refuses the other tenant, and each tenant hears only its own', async () => {
    const leaks: string[] = [];
    const wrong: string[] = [];
    for (const tenant of BOTH) {
      const target = OTHER[tenant];
      const { cursor } = await snapshotOf(h.cloud.url, target, caller(target, 'manager').token);
      for (const who of callers[tenant]) {
        const out = await openLive(h.cloud.url, target, who.token, cursor).outcome;
        const where = `cloud live of ${target} by ${tenant} ${who.role}`;
        scan(leaks, where, out.text, target);
        if (!REFUSED.has(out.status) || out.frames > 0)
          wrong.push(`${where}: ${out.status} ${out.text}`);
      }
    }
    expect(wrong).toEqual([]);

    // Both tenants' managers listen at the cloud, and the bistro's at its relay, while both write.
    const listeners = await Promise.all(
      BOTH.map(async (tenant) => {
        const { token } = caller(tenant, 'manager');
        const { cursor } = await snapshotOf(h.cloud.url, tenant, token);
        return {
          tenant,
          where: 'cloud',
          live: openLive(h.cloud.url, tenant, token, cursor, 60_000),
        };
      }),
    );
    const relayCursor = (await snapshotOf(h.relay.url, 'bistro', h.tokens.manager)).cursor;
    listeners.push({
      tenant: 'bistro',
      where: 'relay',
      live: openLive(h.relay.url, 'bistro', h.tokens.manager, relayCursor, 60_000),
    });
    const fresh: Record<Tenant, string> = { bistro: '', lakeside: '' };
    for (const tenant of BOTH) {
      const who = caller(tenant, 'server');
      const orderId = `order-${tenant === 'bistro' ? 'OTTER' : 'HERON'}-live-${newUlid()}`;
      const op = await opBy(who, tenant, 'order.create', {
        orderId,
        tableId: TENANTS[tenant].tableId,
      });
      const http = await postOp(h.cloud.url, who, op);
      expect(http.status, describeHttp(http)).toBe(201);
      fresh[tenant] = orderId;
      planted[tenant].markers.push(orderId);
    }
    const deadline = Date.now() + REQUEST_TIMEOUT_MS;
    for (const l of listeners) {
      while (!l.live.frames.join('\n').includes(fresh[l.tenant]) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 25));
      l.live.ws.close();
      const all = l.live.frames.join('\n');
      expect(all, `${l.where} live of ${l.tenant} heard its own order`).toContain(fresh[l.tenant]);
      scan(leaks, `${l.where} live of ${l.tenant}`, all, OTHER[l.tenant]);
    }
    expect(leaks).toEqual([]);
  });

  it("the relay refuses lakeside's tokens on every route and the live socket", async () => {
    const leaks: string[] = [];
    const wrong: string[] = [];
    for (const route of routes) {
      if (route.path.endsWith('/live')) continue;
      const key = `${route.method} ${route.path}`;
      // The relay is the bistro's: lakeside's callers, about the bistro and about lakeside.
      for (const target of BOTH) {
        for (const who of callers.lakeside) {
          const { http, seen } = await request(h.relay.url, route, who, target);
          const where = `relay ${key} by lakeside ${who.role} about ${target}`;
          scan(leaks, where, seen, 'bistro', key === 'GET /openapi.json');
          if (VENUE_FREE_OK.has(key)) continue;
          // Sign-in takes no token; the next test covers it.
          if (key.startsWith('POST /v1/auth/')) continue;
          scan(leaks, where, seen, 'lakeside');
          if (!REFUSED.has(http.status)) wrong.push(`${where}: ${describeHttp(http)}`);
        }
      }
    }
    const { cursor } = await snapshotOf(h.relay.url, 'bistro', h.tokens.manager);
    for (const who of callers.lakeside) {
      for (const target of BOTH) {
        const out = await openLive(h.relay.url, target, who.token, cursor).outcome;
        const where = `relay live of ${target} by lakeside ${who.role}`;
        scan(leaks, where, out.text, 'bistro');
        scan(leaks, where, out.text, 'lakeside');
        if (!REFUSED.has(out.status) || out.frames > 0)
          wrong.push(`${where}: ${out.status} ${out.text}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(wrong).toEqual([]);
  }, 30_000);

  // Online too: the relay passes only its own venue's sign-ins to the cloud, so another
  // venue's PINs and tokens never cross this LAN.
  it("the bistro's relay does not sign anyone in to lakeside's venue", async () => {
    const t = TENANTS.lakeside;
    const staff = await post(`${h.relay.url}/v1/auth/staff`, {
      venueId: t.venueId,
      pin: t.pins.manager,
    });
    const guest = await post(`${h.relay.url}/v1/auth/guest`, {
      venueId: t.venueId,
      table: t.tableLabel,
    });
    expect([staff.status, guest.status], `${describeHttp(staff)}\n${describeHttp(guest)}`).toEqual([
      404, 404,
    ]);
  });
});
