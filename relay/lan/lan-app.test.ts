import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Operation, OpResult, Problem, TokenResponse } from '#protocol';
import { NOW, opOf, VENUE } from '../../tests/protocol/support/venue-fixture.ts';
import { makeRelay, type Relay } from '../testing/lan-app-fixture.ts';

const BASE = `/v1/venues/${VENUE}`;

async function signIn(r: Relay): Promise<Record<string, string>> {
  const res = await r.app.request('/v1/auth/staff', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...r.tablet.headers },
    body: JSON.stringify({ venueId: VENUE, pin: '3333' }),
  });
  expect(res.status).toBe(200);
  const { token } = TokenResponse.parse(await res.json());
  return { Authorization: `Bearer ${token}` };
}

const postOp = (r: Relay, auth: Record<string, string>, op: Operation | string, key?: string) =>
  r.app.request(`${BASE}/ops`, {
    method: 'POST',
    headers: {
      ...auth,
      'Content-Type': 'application/json',
      ...(key === undefined ? {} : { 'Idempotency-Key': key }),
    },
    body: typeof op === 'string' ? op : JSON.stringify(op),
  });

const order = (n: number, tableId = 'table-1') =>
  opOf('order.create', {
    orderId: `01JD0000000000000000000${String(n).padStart(3, '0')}`,
    tableId,
    lines: [{ lineId: 'l-1', itemId: 'fries', quantity: 1 }],
  });

async function problemOf(res: Response): Promise<Problem> {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return Problem.parse(await res.json());
}

describe('the offline write path over HTTP', () => {
  it('signs in on the relay, accepts an op locally (202), replays it byte for byte', async () => {
    const r = await makeRelay();
    const auth = await signIn(r);
    const op = await order(1);
    const first = await postOp(r, auth, op, op.opId);
    expect(first.status).toBe(202);
    const firstText = await first.text();
    expect(OpResult.parse(JSON.parse(firstText))).toMatchObject({
      opId: op.opId,
      status: 'accepted_local',
    });
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(r.store.journalDepth().pending).toBe(1);

    const replay = await postOp(r, auth, op, op.opId);
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.text()).toBe(firstText);
    expect(r.store.journalDepth().pending).toBe(1);
    expect(r.store.journalEntry(op.opId)?.status).toBe('pending');
  });

  it('answers a reused key with another payload 422, and journals nothing more', async () => {
    const r = await makeRelay();
    const auth = await signIn(r);
    const op = await order(2);
    expect((await postOp(r, auth, op, op.opId)).status).toBe(202);
    const other = await opOf(
      'order.create',
      { orderId: '01JD0000000000000000000777', tableId: 'table-2' },
      undefined,
      { opId: op.opId },
    );
    const reused = await postOp(r, auth, other, other.opId);
    expect(reused.status).toBe(422);
    expect(await problemOf(reused)).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      kind: 'fix_request',
    });
    expect(r.store.journalDepth().pending).toBe(1);
  });

  it('refuses bad input with 400/413 problems of kind fix_request, changing nothing', async () => {
    const r = await makeRelay();
    const auth = await signIn(r);
    const op = await order(3);
    const commits = r.store.commits;
    const head = r.store.snapshot([]).seq;
    const cases: [Response, number, string][] = [
      [await postOp(r, auth, op), 400, 'IDEMPOTENCY_KEY_MISSING'],
      [await postOp(r, auth, op, 'not-a-ulid'), 400, 'IDEMPOTENCY_KEY_INVALID'],
      [await postOp(r, auth, '{"oops', op.opId), 400, 'MALFORMED_JSON'],
      [
        await postOp(r, auth, { ...op, payloadHash: '0'.repeat(64) }, op.opId),
        400,
        'PAYLOAD_HASH_MISMATCH',
      ],
      [await postOp(r, auth, { ...op, venueId: 'harbour-bar' }, op.opId), 400, 'VENUE_MISMATCH'],
      [
        await postOp(r, auth, JSON.stringify({ ...op, pad: 'x'.repeat(1024 * 1024) }), op.opId),
        413,
        'BODY_TOO_LARGE',
      ],
    ];
    for (const [res, status, code] of cases) {
      expect(res.status, code).toBe(status);
      expect(await problemOf(res)).toMatchObject({ code, kind: 'fix_request' });
    }
    expect(r.store.commits).toBe(commits);
    expect(r.store.snapshot([]).seq).toBe(head);
    expect(r.store.journalEntry(op.opId)).toBeUndefined();
    expect((await postOp(r, {}, op, op.opId)).status).toBe(401);
  });
});

describe('health, metrics and logs', () => {
  it('reports health with the uplink state and the journal depth', async () => {
    const r = await makeRelay();
    const auth = await signIn(r);
    const op = await order(4);
    await postOp(r, auth, op, op.opId);
    const res = await r.app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      version: '1.2.3-test',
      time: NOW,
      connectivity: 'offline_local',
      connectivitySince: NOW,
      journalDepth: 1,
      oldestUnsyncedAt: NOW,
      connectedDevices: 0,
      cloudOrigin: 'https://cloud.example',
    });
  });

  it('renders Prometheus text with the relay’s metrics', async () => {
    const r = await makeRelay();
    await r.app.request('/healthz');
    await r.app.request('/healthz');
    await r.app.request('/nowhere');
    const res = await r.app.request('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('hearth_relay_uplink_state{state="offline_local"} 1');
    expect(text).toContain('hearth_relay_uplink_state{state="online"} 0');
    expect(text).toContain('hearth_relay_journal_depth 0');
    expect(text).toContain('hearth_relay_oldest_unsynced_op_age_seconds 0');
    expect(text).toContain('hearth_relay_connected_devices 0');
    expect(text).toContain('# TYPE hearth_live_fanout_lag_seconds histogram');
    expect(text).toContain('hearth_live_fanout_lag_seconds_count 0');
    expect(text).toContain(
      'hearth_http_requests_total{method="GET",route="/healthz",status="200"} 2',
    );
    expect(text).toContain('hearth_http_requests_total{method="GET",route="/*",status="404"} 1');
    expect(text).not.toMatch(/^relay_/m);
    for (const line of text.split('\n').filter(Boolean)) {
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? [0-9.e+-]+)$/);
    }
  });

  it('logs one line per request with its id, never a token or a PIN', async () => {
    const r = await makeRelay();
    const auth = await signIn(r);
    const op = await order(5);
    const res = await r.app.request(`${BASE}/ops`, {
      method: 'POST',
      headers: { ...auth, 'Idempotency-Key': op.opId, 'X-Request-Id': 'req-42' },
      body: JSON.stringify(op),
    });
    expect(res.headers.get('x-request-id')).toBe('req-42');
    const token = auth.Authorization?.slice('Bearer '.length) ?? '';
    const text = JSON.stringify(r.logLines);
    expect(text).not.toContain(token);
    expect(text).not.toContain('3333');
    expect(r.logLines.filter((l) => l.msg === 'request')).toHaveLength(2);
    expect(r.logLines.at(-1)?.fields).toMatchObject({
      requestId: 'req-42',
      method: 'POST',
      route: '/v1/venues/:venueId/ops',
      path: `${BASE}/ops`,
      status: 202,
    });
  });

  it('answers an unexpected failure with a 500 problem and no stack', async () => {
    const r = await makeRelay();
    r.store.failDepth = true;
    const res = await r.app.request('/healthz');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(Problem.parse(JSON.parse(text))).toMatchObject({ code: 'INTERNAL', kind: 'back_off' });
    expect(text).not.toContain('disk on fire');
    expect(text).not.toContain('.ts:');
    expect(r.logLines.some((l) => l.level === 'error' && l.fields.error === 'disk on fire')).toBe(
      true,
    );
  });
});

// The serving rules themselves are tested in server/static-web.test.ts; here, the relay's wiring.
describe('the PWA’s files', () => {
  let dir: string;
  let webDir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-lan-app-'));
    webDir = join(dir, 'web');
    await mkdir(join(webDir, 'assets'), { recursive: true });
    await mkdir(join(webDir, 'ops'), { recursive: true });
    const files: Record<string, string> = {
      'index.html': '<!doctype html><title>Hearth</title>',
      'ops/index.html': '<!doctype html><title>Hearth ops</title>',
      'sw.js': 'self.addEventListener("fetch", () => {});',
      'assets/ops-D8KdQ-FI.js': 'console.log("ops");',
    };
    for (const [name, text] of Object.entries(files)) await writeFile(join(webDir, name), text);
    await writeFile(join(dir, 'secret.txt'), 'do not serve');
    await symlink(dir, join(webDir, 'escape'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the pages, the worker and hashed assets with their caching policy', async () => {
    const r = await makeRelay({ webDir });
    const expected: [string, string, string][] = [
      ['/ops/', 'text/html; charset=utf-8', 'no-cache'],
      ['/sw.js', 'text/javascript; charset=utf-8', 'no-cache'],
      [
        '/assets/ops-D8KdQ-FI.js',
        'text/javascript; charset=utf-8',
        'public, max-age=31536000, immutable',
      ],
    ];
    for (const [path, type, cache] of expected) {
      const res = await r.app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      expect(res.headers.get('cache-control'), path).toBe(cache);
      const again = await r.app.request(path, {
        headers: { 'If-None-Match': res.headers.get('etag') ?? '' },
      });
      expect(again.status, path).toBe(304);
    }
    expect(await (await r.app.request('/ops')).text()).toContain('<title>Hearth ops</title>');
  });

  it('answers missing files, escapes and unknown API paths with problem+json, never a page', async () => {
    const r = await makeRelay({ webDir });
    for (const path of ['/assets/missing.js', '/escape/secret.txt', '/v1/nothing/here']) {
      const res = await r.app.request(path);
      expect(res.status, path).toBe(404);
      expect((await problemOf(res)).code, path).toBe('NOT_FOUND');
    }
    const health = await r.app.request('/healthz');
    expect(health.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('serves no files without a webDir, or when it does not exist', async () => {
    for (const r of [
      await makeRelay(),
      await makeRelay({ webDir: join(tmpdir(), 'no-such-hearth-web') }),
    ]) {
      const res = await r.app.request('/');
      expect(res.status).toBe(404);
      expect((await problemOf(res)).code).toBe('NOT_FOUND');
    }
  });
});
