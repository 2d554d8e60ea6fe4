import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type FeedPage, problem, type Snapshot } from '#protocol';
import { NOW, opOf, staff, VENUE } from '../../tests/protocol/support/venue-fixture.ts';
import { CloudClient, UplinkError } from './cloud-client.ts';

// The relay's HTTP client against a fake cloud: a Hono app with the cloud's routes, reached
// through the client's `fetch` injection (app.request), so requests and answers are real HTTP
// messages and nothing listens on a port.

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | null;
  readonly contentType: string | null;
  readonly body: unknown;
}

const SNAPSHOT: Snapshot = { venueId: VENUE, cursor: 'snap-1', seq: 1, at: NOW, records: [] };
const PAGE: FeedPage = { entries: [], cursor: 'c-2', hasMore: false };

function fakeCloud() {
  const seen: Seen[] = [];
  const app = new Hono();
  app.use(async (c, next) => {
    const text = await c.req.raw.clone().text();
    seen.push({
      method: c.req.method,
      url: c.req.url,
      authorization: c.req.header('authorization') ?? null,
      contentType: c.req.header('content-type') ?? null,
      body: text === '' ? undefined : JSON.parse(text),
    });
    await next();
  });
  app.get('/healthz', (c) => c.text('ok'));
  app.get('/v1/venues/:venueId/snapshot', (c) => c.json(SNAPSHOT));
  app.get('/v1/venues/:venueId/feed', (c) => c.json(PAGE));
  app.post('/v1/venues/:venueId/ops/batch', async (c) => {
    const { ops } = (await c.req.json()) as { ops: { opId: string }[] };
    return c.json({
      results: ops.map((op) => ({
        opId: op.opId,
        status: 'applied',
        seq: 3,
        changed: [],
        at: NOW,
      })),
    });
  });
  app.post('/v1/venues/:venueId/edge/ack', (c) => c.body(null, 204));
  app.get('/v1/venues/:venueId/edge/staff', (c) => c.json({ staff: [] }));
  return { app, seen };
}

/** A problem+json answer, with Retry-After as the cloud sets it. */
function problemAnswer(status: number, code: string, retryAfter?: number): Response {
  const body = problem(status, code, code, retryAfter === undefined ? {} : { retryAfter });
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  return new Response(JSON.stringify(body), { status, headers });
}

function clientOf(
  app: Hono,
  options: { baseUrl?: () => string; onBytes?: (n: number) => void } = {},
) {
  return new CloudClient({
    baseUrl: options.baseUrl ?? (() => 'https://cloud.test'),
    credential: 'relay-credential',
    venueId: VENUE,
    fetch: ((input: string | URL | Request, init?: RequestInit) =>
      app.request(input, init)) as typeof fetch,
    ...(options.onBytes ? { onBytes: options.onBytes } : {}),
  });
}

async function failureOf(call: Promise<unknown>): Promise<UplinkError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof UplinkError)) throw new Error(`expected an UplinkError, got ${error}`);
  return error;
}

describe('cloud client: what it sends and reads', () => {
  it('reads a snapshot and a feed page, with the relay’s credential and the feed’s query', async () => {
    const { app, seen } = fakeCloud();
    const client = clientOf(app);
    expect(await client.snapshot()).toEqual(SNAPSHOT);
    expect(await client.feed('snap-1', 20)).toEqual(PAGE);
    expect(seen.map((s) => [s.method, s.url, s.authorization])).toEqual([
      ['GET', `https://cloud.test/v1/venues/${VENUE}/snapshot`, 'Bearer relay-credential'],
      [
        'GET',
        `https://cloud.test/v1/venues/${VENUE}/feed?cursor=snap-1&wait=20&limit=500`,
        'Bearer relay-credential',
      ],
    ]);
  });

  it('replays a device’s ops under the actor’s token, and counts the bytes it sends', async () => {
    const { app, seen } = fakeCloud();
    const bytes: number[] = [];
    const client = clientOf(app, { onBytes: (n) => bytes.push(n) });
    const op = await opOf('order.create', { orderId: 'o-1', tableId: 'table-1' }, staff('server'));
    const answer = await client.replay('tab-a', [op], 'actor-token');
    expect(answer.results).toEqual([
      { opId: op.opId, status: 'applied', seq: 3, changed: [], at: NOW },
    ]);
    const [sent] = seen;
    expect(sent?.authorization).toBe('Bearer actor-token');
    expect(sent?.contentType).toBe('application/json');
    expect(sent?.body).toEqual(JSON.parse(JSON.stringify({ deviceId: 'tab-a', ops: [op] })));
    const path = `/v1/venues/${VENUE}/ops/batch`;
    expect(bytes).toEqual([JSON.stringify({ deviceId: 'tab-a', ops: [op] }).length + path.length]);
  });

  it('sends when the relay decided each op, when given', async () => {
    const { app, seen } = fakeCloud();
    const op = await opOf('order.create', { orderId: 'o-1', tableId: 'table-1' }, staff('server'));
    await clientOf(app).replay('tab-a', [op], 'actor-token', { [op.opId]: NOW });
    expect(seen[0]?.body).toEqual(
      JSON.parse(JSON.stringify({ deviceId: 'tab-a', ops: [op], decidedAt: { [op.opId]: NOW } })),
    );
  });

  it('acks a cursor (an empty 204 is fine) and asks where to send on every call', async () => {
    const { app, seen } = fakeCloud();
    let base = 'https://cloud.test';
    const client = clientOf(app, { baseUrl: () => base });
    await client.ack('c-2');
    base = 'https://rescue.test';
    await client.probe();
    expect(seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ['POST', `https://cloud.test/v1/venues/${VENUE}/edge/ack`, { cursor: 'c-2' }],
      ['GET', 'https://rescue.test/healthz', undefined],
    ]);
  });

  it('leaves a forwarded request’s own Authorization alone', async () => {
    const { app, seen } = fakeCloud();
    const response = await clientOf(app).raw('/healthz', {
      method: 'GET',
      headers: { authorization: 'Bearer device-token' },
    });
    expect(response.status).toBe(200);
    expect(seen[0]?.authorization).toBe('Bearer device-token');
  });
});

describe('cloud client: failures, as the loops see them', () => {
  it('a 503 carries the cloud’s Retry-After in ms, and its problem', async () => {
    const app = new Hono();
    app.get('/v1/venues/:venueId/feed', () => problemAnswer(503, 'UNAVAILABLE', 7));
    const error = await failureOf(clientOf(app).feed('c-1', 0));
    expect(error).toMatchObject({ kind: 'http', status: 503, retryAfterMs: 7_000 });
    expect(error.problem?.code).toBe('UNAVAILABLE');
  });

  it('takes Retry-After from the problem when the header is missing, and none when neither says', async () => {
    const app = new Hono();
    app.get('/v1/venues/:venueId/snapshot', () =>
      Response.json(problem(429, 'RATE_LIMITED', 'slow down', { retryAfter: 3 }), { status: 429 }),
    );
    app.post('/v1/venues/:venueId/edge/ack', () => new Response('bad gateway', { status: 502 }));
    const limited = await failureOf(clientOf(app).snapshot());
    expect(limited).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 3_000 });
    const gateway = await failureOf(clientOf(app).ack('c-1'));
    expect(gateway).toMatchObject({ kind: 'http', status: 502, retryAfterMs: undefined });
    expect(gateway.problem).toBeUndefined();
  });

  it('a 410 and a 401 are http failures with their status and problem code', async () => {
    const app = new Hono();
    app.get('/v1/venues/:venueId/feed', () => problemAnswer(410, 'CURSOR_EXPIRED'));
    app.post('/v1/venues/:venueId/ops/batch', () => problemAnswer(401, 'UNAUTHENTICATED'));
    const gone = await failureOf(clientOf(app).feed('c-1', 0));
    expect(gone).toMatchObject({ kind: 'http', status: 410 });
    expect(gone.problem).toMatchObject({ code: 'CURSOR_EXPIRED', kind: 're_bootstrap' });
    const refused = await failureOf(clientOf(app).replay('tab-a', [], 'stale-token'));
    expect(refused).toMatchObject({ kind: 'http', status: 401 });
    expect(refused.problem?.code).toBe('UNAUTHENTICATED');
  });

  it('a 200 that is not JSON, or not the promised shape, is a protocol failure', async () => {
    const app = new Hono();
    app.get('/v1/venues/:venueId/snapshot', (c) => c.html('<html>captive portal</html>'));
    app.get('/v1/venues/:venueId/edge/staff', (c) => c.json({ staff: 'nobody' }));
    expect(await failureOf(clientOf(app).snapshot())).toMatchObject({
      kind: 'protocol',
      status: 200,
    });
    expect(await failureOf(clientOf(app).staff())).toMatchObject({ kind: 'protocol' });
  });

  it('a request that never reaches the cloud is a network failure naming the call, not the query', async () => {
    const client = new CloudClient({
      baseUrl: () => 'https://cloud.test',
      credential: 'relay-credential',
      venueId: VENUE,
      fetch: (async (_input: string | URL | Request, _init?: RequestInit): Promise<Response> => {
        throw new TypeError('fetch failed');
      }) as typeof fetch,
    });
    const error = await failureOf(client.feed('secret-cursor', 20));
    expect(error.kind).toBe('network');
    expect(error.message).toBe(`GET /v1/venues/${VENUE}/feed: fetch failed`);
  });

  it('gives every call a deadline: a cloud that never answers ends as a network failure', async () => {
    const app = new Hono();
    app.get('/healthz', () => new Promise<Response>(() => {}));
    // Like the real fetch, this one rejects when the request's signal aborts.
    const fetchWithAbort = ((input: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        Promise.resolve(app.request(input, init)).then(resolve, reject);
      })) as typeof fetch;
    const client = new CloudClient({
      baseUrl: () => 'https://cloud.test',
      credential: 'relay-credential',
      venueId: VENUE,
      fetch: fetchWithAbort,
    });
    const error = await failureOf(client.raw('/healthz', { method: 'GET' }, 10));
    expect(error.kind).toBe('network');
    expect(error.message).toMatch(/^GET \/healthz: /);
  });
});
