import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppliedResult, FeedEntry, FeedPage, Operation, OpResult, Snapshot } from '#protocol';
import {
  CloudClient,
  countByOpId,
  createOp,
  describeHttp,
  type Http,
  json,
  kindOf,
  LiveClient,
  type PairedDevice,
  PINS,
  pairWithCloud,
  REQUEST_TIMEOUT_MS,
  type StaffRole,
  VENUE,
  venuePath,
} from './support/cloud-client.ts';
import { type CloudProcess, startCloud, stopAllChildren } from './support/processes.ts';

// The cloud's API against one real `bun cloud/main.ts` process (restarted once, by the last
// test, on the same data directory): idempotency under real concurrency, a gapless feed under
// concurrent writers, live resume, relay enrollment, and durability across kill -9.

let cloud: CloudProcess | undefined;
let dataDir = '';
const tokens = {} as Record<StaffRole, string>;

function base(): string {
  if (!cloud) throw new Error('cloud not started');
  return cloud.url;
}

/** The tablet staff sign in on: paired once, it stays paired across the restart. */
let device: PairedDevice | undefined;

/** The running cloud's client (a new one after the restart, on the same URL or not). */
function client(): CloudClient {
  return new CloudClient(base(), device);
}
const call = (path: string, init?: RequestInit): Promise<Http> => client().call(path, init);
const getJson = <T>(path: string, token: string): Promise<T> => client().getJson<T>(path, token);
const signIn = (role: StaffRole): Promise<string> => client().signIn(role);
const postOp = (op: Operation, token: string, gate?: Promise<void>): Promise<Http> =>
  client().postOp(op, token, gate);
const postBatch = (deviceId: string, ops: readonly Operation[], token: string) =>
  client().postBatch(deviceId, ops, token);

/** Posts an op that must apply; the applied result and the raw response body. */
async function apply(
  op: Operation,
  token: string,
): Promise<{ result: AppliedResult; body: string }> {
  const http = await postOp(op, token);
  if (http.status !== 201) throw new Error(`${op.type} ${op.opId}: ${describeHttp(http)}`);
  const result = json<OpResult>(http);
  if (result.status !== 'applied') throw new Error(`not applied: ${http.text}`);
  return { result, body: http.text };
}

const snapshot = (token = tokens.manager): Promise<Snapshot> => client().snapshot(token);
const feedPage = (cursor: string, limit: number, token = tokens.manager): Promise<FeedPage> =>
  client().feedPage(cursor, limit, token);

interface Paged {
  readonly entries: FeedEntry[];
  /** Every page's cursor, with how many entries of `entries` it covers. */
  readonly cursors: { cursor: string; covered: number }[];
  readonly finalCursor: string;
}

/** Reads the feed after `cursor` to its end, page by page (bounded). */
async function readAll(cursor: string, limit: number, maxPages = 2_000): Promise<Paged> {
  const entries: FeedEntry[] = [];
  const cursors: { cursor: string; covered: number }[] = [];
  let at = cursor;
  for (let pages = 0; pages < maxPages; pages++) {
    const page = await feedPage(at, limit);
    expect(page.entries.length).toBeLessThanOrEqual(limit);
    entries.push(...page.entries);
    cursors.push({ cursor: page.cursor, covered: entries.length });
    at = page.cursor;
    if (!page.hasMore) return { entries, cursors, finalCursor: at };
    expect(page.entries.length).toBe(limit);
  }
  throw new Error(`feed did not end within ${maxPages} pages`);
}

/** Seqs are exactly first, first+1, …: no gap, no duplicate, no reordering. */
function expectConsecutive(entries: readonly FeedEntry[], first: number): void {
  const seqs = entries.map((e) => e.seq);
  const expected = Array.from({ length: entries.length }, (_, i) => first + i);
  expect(seqs).toEqual(expected);
}

/** How long and how often a wait on a socket looks again. */
const POLL = { timeout: REQUEST_TIMEOUT_MS, interval: 10 } as const;

/** A tiny seeded PRNG (mulberry32), so a failing run can be repeated with its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A live socket on the cloud, resuming after `cursor`. */
function openLive(cursor: string, token: string): LiveClient {
  const path = venuePath(`/live?${new URLSearchParams({ cursor })}`);
  return new LiveClient(`${base().replace(/^http/, 'ws')}${path}`, token);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hearth-e2e-cloud-api-'));
  cloud = await startCloud({ dataDir });
  device = await pairWithCloud(cloud.url, cloud.keysFile);
  for (const role of Object.keys(PINS) as StaffRole[]) tokens[role] = await signIn(role);
});

afterAll(async () => {
  try {
    await cloud?.stop();
  } finally {
    await stopAllChildren();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe('cloud API against a real process', () => {
  it('applies 20 concurrent posts of one op exactly once', async () => {
    const start = await snapshot();
    const op = await createOp('order.create', 'server', 'tablet-idem', 0);

    // All 20 requests are sent but for their last byte, then completed together.
    let open = (): void => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const sent = Array.from({ length: 20 }, () => postOp(op, tokens.server, gate));
    await sleep(300);
    open();
    const first = await Promise.all(sent);
    for (const http of first) {
      expect([201, 409], describeHttp(http)).toContain(http.status);
      if (http.status === 409) {
        expect(http.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(json<{ code: string }>(http).code).toBe('IDEMPOTENCY_IN_FLIGHT');
      }
    }
    const created = first.filter((h) => h.status === 201);
    const originals = created.filter((h) => h.headers.get('idempotent-replayed') === null);
    expect(originals).toHaveLength(1);
    const body = originals[0]?.text ?? '';
    const result = JSON.parse(body) as AppliedResult;
    expect(result).toMatchObject({ opId: op.opId, status: 'applied' });
    for (const replay of created.filter((h) => h !== originals[0])) {
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.text).toBe(body);
    }

    // Each client that was told to come back does so until it has its answer.
    const finals = await Promise.all(
      first.map(async (http) => {
        let last = http;
        for (let attempt = 0; last.status === 409 && attempt < 20; attempt++) {
          const retryAfter = Number(last.headers.get('retry-after') ?? '1');
          await sleep(Math.min(retryAfter * 1000, 250));
          last = await postOp(op, tokens.server);
        }
        return last;
      }),
    );
    for (const http of finals) {
      expect(http.status, describeHttp(http)).toBe(201);
      expect(http.text).toBe(body);
    }

    const { entries } = await readAll(start.cursor, 50);
    expect(entries.filter((e) => e.opId === op.opId)).toHaveLength(result.changed.length);
    expect(result.changed.length).toBeGreaterThan(0);
    expectConsecutive(entries, start.seq + 1);
    expect(entries).toHaveLength(result.changed.length);
  });

  it('keeps the feed gapless and duplicate-free under concurrent writers', async () => {
    const start = await snapshot();
    const writers: { role: StaffRole; device: string }[] = [
      { role: 'server', device: 'writer-a' },
      { role: 'server', device: 'writer-b' },
      { role: 'manager', device: 'writer-c' },
      { role: 'owner', device: 'writer-d' },
    ];
    const expected = new Map<string, number>();
    await Promise.all(
      writers.map(async ({ role, device }, w) => {
        for (let i = 0; i < 50; i++) {
          const op = await createOp(kindOf(i + w), role, device, i);
          const { result } = await apply(op, tokens[role]);
          expected.set(op.opId, result.changed.length);
        }
      }),
    );
    expect(expected.size).toBe(200);
    const total = [...expected.values()].reduce((a, b) => a + b, 0);

    const all = await readAll(start.cursor, 7);
    expectConsecutive(all.entries, start.seq + 1);
    expect(all.entries).toHaveLength(total);
    expect(countByOpId(all.entries)).toEqual(expected);
    // The end cursor has nothing after it.
    expect((await feedPage(all.finalCursor, 7)).entries).toEqual([]);

    // Resuming from any page's cursor yields exactly the rest.
    const seed = Date.now() >>> 0;
    const random = prng(seed);
    for (let n = 0; n < 10; n++) {
      const pick = all.cursors[Math.floor(random() * all.cursors.length)];
      if (!pick) throw new Error('no cursor');
      const rest = await readAll(pick.cursor, 7);
      expect(rest.entries, `seed ${seed}, resume after ${pick.covered}`).toEqual(
        all.entries.slice(pick.covered),
      );
    }
  });

  it('resumes the live socket from its last cursor without a gap or a duplicate', async () => {
    const start = await snapshot();
    const expected = new Map<string, number>();
    const write = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const op = await createOp(kindOf(i), 'server', 'tablet-live', i);
        expected.set(op.opId, (await apply(op, tokens.server)).result.changed.length);
      }
    };

    const first = openLive(start.cursor, tokens.manager);
    let second: LiveClient | undefined;
    try {
      await first.ready();
      expect(first.protocol).toBe('hearth.v1');
      expect(first.errors).toEqual([]);
      // First half while connected; drop the socket once some entries have arrived.
      await write(0, 15);
      await vi.waitFor(
        () =>
          expect(first.entries.length, 'entries on the first socket').toBeGreaterThanOrEqual(10),
        POLL,
      );
      await first.close();
      expect(first.closedByServer).toBeUndefined();
      // Some written while nobody listens, the rest while the second socket catches up.
      await write(15, 20);
      if (first.cursor === undefined) throw new Error('the first socket sent no cursor');
      second = openLive(first.cursor, tokens.manager);
      await Promise.all([write(20, 30), second.ready()]);
      const total = [...expected.values()].reduce((a, b) => a + b, 0);
      const live = second;
      await vi.waitFor(
        () =>
          expect(
            first.entries.length + live.entries.length,
            'entries over the two sockets',
          ).toBeGreaterThanOrEqual(total),
        POLL,
      );
      // A last op as a marker: the socket delivers in order, so a duplicate would come before it.
      const marker = await createOp(kindOf(30), 'server', 'tablet-live', 30);
      const markerEntries = (await apply(marker, tokens.server)).result.changed.length;
      const isMarker = (e: FeedEntry) => e.opId === marker.opId;
      await vi.waitFor(
        () =>
          expect(live.entries.filter(isMarker).length, 'the marker’s entries').toBe(markerEntries),
        POLL,
      );
      await live.close();

      expect(first.errors).toEqual([]);
      expect(live.errors).toEqual([]);
      expect(live.closedByServer).toBeUndefined();
      const union = [...first.entries, ...live.entries.filter((e) => !isMarker(e))];
      expectConsecutive(union, start.seq + 1);
      expect(union).toHaveLength(total);
      expect(countByOpId(union)).toEqual(expected);
      const feed = await readAll(start.cursor, 1000);
      expect(union).toEqual(feed.entries.filter((e) => !isMarker(e)));
    } finally {
      first.terminate();
      second?.terminate();
    }
  });

  it('enrolls a relay once and reports its acknowledged cursor', async () => {
    const created = await call(venuePath('/edge/nodes'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tokens.manager}` },
      body: JSON.stringify({ name: 'back-office relay' }),
    });
    expect(created.status, describeHttp(created)).toBe(201);
    const { nodeId, enrollmentToken } = json<{ nodeId: string; enrollmentToken: string }>(created);

    const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', keys.publicKey);
    const enroll = () =>
      call('/v1/edge/enroll', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ enrollmentToken, publicKeyJwk: { kty, crv, x, y } }),
      });

    const enrolled = await enroll();
    expect(enrolled.status, describeHttp(enrolled)).toBe(200);
    const relay = json<{ nodeId: string; venueId: string; credential: string }>(enrolled);
    expect(relay).toMatchObject({ nodeId, venueId: VENUE });
    expect(relay.credential).toEqual(expect.any(String));

    const again = await enroll();
    expect(again.status, describeHttp(again)).toBe(401);
    expect(json<{ code: string }>(again).code).toBe('ENROLLMENT_TOKEN_INVALID');

    type Report = {
      journalHead: number;
      nodes: { nodeId: string; status: string; ackedSeq: number; lag: number }[];
    };
    const resilience = () => getJson<Report>(venuePath('/resilience'), tokens.manager);
    const before = await resilience();
    expect(before.nodes.filter((n) => n.status === 'active')).toHaveLength(1);
    expect(before.nodes.find((n) => n.nodeId === nodeId)).toMatchObject({
      status: 'active',
      ackedSeq: 0,
      lag: before.journalHead,
    });

    // The relay reads with its own credential, then acks a cursor that is 3 entries behind.
    const at = await snapshot(relay.credential);
    for (let i = 0; i < 3; i++) {
      await apply(
        await createOp('serviceRequest.create', 'server', 'tablet-edge', i),
        tokens.server,
      );
    }
    const ack = await call(venuePath('/edge/ack'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${relay.credential}` },
      body: JSON.stringify({ cursor: at.cursor }),
    });
    expect(ack.status, describeHttp(ack)).toBe(204);

    const after = await resilience();
    expect(after.journalHead).toBe(at.seq + 3);
    expect(after.nodes.filter((n) => n.status === 'active')).toHaveLength(1);
    expect(after.nodes.find((n) => n.nodeId === nodeId)).toMatchObject({
      status: 'active',
      ackedSeq: at.seq,
      lag: 3,
    });
  });

  it('keeps every acknowledged op across kill -9 and a restart', async () => {
    const start = await snapshot();
    const direct: { op: Operation; body: string; result: AppliedResult }[] = [];
    for (let i = 0; i < 12; i++) {
      const op = await createOp(kindOf(i), 'server', 'tablet-crash', i);
      direct.push({ op, ...(await apply(op, tokens.server)) });
    }
    const batchOps = await Promise.all(
      Array.from({ length: 10 }, (_, i) => createOp(kindOf(i), 'manager', 'tablet-crash-b', i)),
    );
    const batchResults = await postBatch('tablet-crash-b', batchOps, tokens.manager);
    expect(batchResults.map((r) => r.status)).toEqual(batchOps.map(() => 'applied'));
    const before = await readAll(start.cursor, 1000);

    // Power cut right after the last acknowledgement.
    if (!cloud) throw new Error('cloud not started');
    await cloud.kill9();
    cloud = undefined;
    cloud = await startCloud({ dataDir });

    const head = () => snapshot().then((s) => s.seq);
    const headAfterRestart = await head();
    expect(headAfterRestart).toBe(start.seq + before.entries.length);

    for (const { op, body } of direct) {
      const http = await postOp(op, tokens.server);
      expect(http.status, describeHttp(http)).toBe(201);
      expect(http.headers.get('idempotent-replayed')).toBe('true');
      expect(http.text).toBe(body);
    }
    for (const [i, op] of batchOps.entries()) {
      const http = await postOp(op, tokens.manager);
      expect(http.status, describeHttp(http)).toBe(201);
      expect(http.headers.get('idempotent-replayed')).toBe('true');
      expect(json<OpResult>(http)).toEqual(batchResults[i]);
    }
    const replayedBatch = await postBatch('tablet-crash-b', batchOps, tokens.manager);
    expect(replayedBatch).toEqual(
      batchResults.map((first) => ({ opId: first.opId, status: 'duplicate', first })),
    );

    // Replays changed nothing; the feed read after the restart is the one read before it.
    expect(await head()).toBe(headAfterRestart);
    const after = await readAll(start.cursor, 7);
    expect(after.entries).toEqual(before.entries);
    expectConsecutive(after.entries, start.seq + 1);
    const expected = new Map<string, number>();
    for (const { op, result } of direct) expected.set(op.opId, result.changed.length);
    for (const r of batchResults) {
      if (r.status === 'applied') expected.set(r.opId, r.changed.length);
    }
    expect(countByOpId(after.entries)).toEqual(expected);

    // The stream goes on from where it stopped.
    const next = await apply(
      await createOp('order.create', 'server', 'tablet-crash', 99),
      tokens.server,
    );
    expect(next.result.seq).toBe(headAfterRestart + next.result.changed.length);
  });
});
