import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppliedResult, Operation, OpResult } from '#protocol';
import {
  CloudClient,
  countByOpId,
  createOp,
  cursorAtSeq,
  describeHttp,
  type Http,
  json,
  kindOf,
  type LiveClient,
  makeGate,
  range,
  type StaffRole,
  seqsOf,
} from './support/cloud-client.ts';
import { type PgCloudSetup, postgresSkipReason, preparePgCloud } from './support/pg-cloud.ts';
import { type CloudProcess, startCloud, stopAllChildren } from './support/processes.ts';

// Two real cloud processes over one PostgreSQL schema: writers through both, live readers on
// both, one op sent to both at once, and one instance killed with -9 in the middle of writing.

const skipReason = await postgresSkipReason();
const suite = skipReason === undefined ? describe : describe.skip;

/** Posts an op that must apply; its applied result. */
async function apply(cloud: CloudClient, op: Operation, token: string): Promise<AppliedResult> {
  const http = await cloud.postOp(op, token);
  if (http.status !== 201) throw new Error(`${op.type} ${op.opId}: ${describeHttp(http)}`);
  const result = json<OpResult>(http);
  if (result.status !== 'applied') throw new Error(`not applied: ${http.text}`);
  return result;
}

suite('two cloud instances over one PostgreSQL database', () => {
  let dir = '';
  let setup: PgCloudSetup | undefined;
  let a: CloudProcess | undefined;
  let b: CloudProcess | undefined;
  let A: CloudClient;
  let B: CloudClient;
  let env: Record<string, string> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-e2e-cloud-pg-'));
    setup = await preparePgCloud(dir, 'e2e_two');
    // The writers here push hundreds of ops per caller within a second or two.
    env = {
      ...setup.env,
      HEARTH_CALLER_OPS_PER_SECOND: '100000',
      HEARTH_CALLER_BURST: '100000',
    };
    // Started together on the empty schema: one seeds the demo venue, the other finds it.
    [a, b] = await Promise.all([
      startCloud({ dataDir: join(dir, 'a'), env }),
      startCloud({ dataDir: join(dir, 'b'), env }),
    ]);
    // One tablet paired through A: the venue's devices are shared state, so B knows it too.
    A = await CloudClient.paired(a.url, setup.keysFile);
    B = new CloudClient(b.url, A.device);
  });

  afterAll(async () => {
    try {
      await Promise.all([a?.stop(), b?.stop()]);
    } finally {
      await stopAllChildren();
      await setup?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps live readers on both instances gapless and identical under writers through both', async () => {
    const readerToken = await A.signIn('manager');
    const snapshot = await B.snapshot(readerToken);
    // Both readers start before the demo seed's entries: every seq from 1 must reach them.
    const fromZero = await cursorAtSeq(setup?.keysFile ?? '', snapshot.cursor, 0);
    const onA = A.live(fromZero, readerToken);
    const onB = B.live(fromZero, await B.signIn('manager'));
    const readers: [string, LiveClient][] = [
      ['A', onA],
      ['B', onB],
    ];
    try {
      await Promise.all([onA.ready(), onB.ready()]);
      expect(onA.protocol).toBe('hearth.v1');

      // Four callers, each its own device and token (signed in at either instance), each
      // sending every other op through A and the rest through B.
      const writers: { role: StaffRole; device: string; token: string }[] = [
        { role: 'server', device: 'pg-writer-1', token: await A.signIn('server') },
        { role: 'server', device: 'pg-writer-2', token: await B.signIn('server') },
        { role: 'manager', device: 'pg-writer-3', token: await A.signIn('manager') },
        { role: 'owner', device: 'pg-writer-4', token: await B.signIn('owner') },
      ];
      const expected = new Map<string, number>();
      await Promise.all(
        writers.map(async ({ role, device, token }, w) => {
          for (let i = 0; i < 60; i++) {
            const op = await createOp(kindOf(i + w), role, device, i);
            const via = (i + w) % 2 === 0 ? A : B;
            expected.set(op.opId, (await apply(via, op, token)).changed.length);
          }
        }),
      );
      expect(expected.size).toBe(240);
      const [server] = writers;
      if (!server) throw new Error('no writer');

      // A long-poll on B, once it waits, is answered by an op written through A: it waits up to
      // 30 s but is given 10, so only a wake by the commit answers it in time.
      const subscribed = await B.metric('hearth_feed_subscribers');
      const at = await B.snapshot(readerToken);
      const poll = B.feedPage(at.cursor, 100, readerToken, { waitSeconds: 30, timeoutMs: 10_000 });
      await vi.waitFor(
        async () => expect(await B.metric('hearth_feed_subscribers')).toBe(subscribed + 1),
        { timeout: 10_000, interval: 20 },
      );
      const throughA = await createOp('order.create', 'server', server.device, 100);
      const appliedA = await apply(A, throughA, server.token);
      expected.set(throughA.opId, appliedA.changed.length);
      const page = await poll;
      expect(page.entries.map((e) => e.opId)).toEqual(appliedA.changed.map(() => throughA.opId));
      expect(seqsOf(page.entries)).toEqual(range(at.seq + 1, appliedA.seq));

      // Nothing was written through B since: B's socket gets A's op when A commits, not at
      // its next heartbeat (which reads the head and would catch up on its own).
      await onB.reached(appliedA.seq);
      expect(onB.heartbeatsBefore(appliedA.seq)).toEqual([]);
      // And the other way round.
      const throughB = await createOp('serviceRequest.create', 'server', server.device, 101);
      const appliedB = await apply(B, throughB, server.token);
      expected.set(throughB.opId, appliedB.changed.length);
      await onA.reached(appliedB.seq);
      expect(onA.heartbeatsBefore(appliedB.seq)).toEqual([]);

      const head = (await A.snapshot(readerToken)).seq;
      expect(head).toBe(appliedB.seq);
      const feed = await B.readAll(fromZero, readerToken);
      expect(seqsOf(feed)).toEqual(range(1, head));
      // Besides the writers' ops, the feed holds the pairing of the tablet they signed in on.
      expect(countByOpId(feed.filter((e) => e.entity !== 'device'))).toEqual(expected);
      for (const [name, reader] of readers) {
        await reader.reached(head);
        expect(reader.errors, `errors on ${name}`).toEqual([]);
        expect(reader.closedByServer, `server close on ${name}`).toBeUndefined();
        // Every seq 1..head exactly once and in order, and the very entries the feed holds.
        expect(seqsOf(reader.entries), `seqs on ${name}`).toEqual(range(1, head));
        expect(reader.entries, `entries on ${name}`).toEqual(feed);
      }
      expect(onA.entries).toEqual(onB.entries);
    } finally {
      onA.terminate();
      onB.terminate();
    }
  });

  it('applies one op sent to both instances at the same moment exactly once', async () => {
    const tokenA = await A.signIn('server');
    const tokenB = await B.signIn('server');
    const start = await A.snapshot(tokenA);
    const expected = new Map<string, number>();
    const outcomes: string[] = [];
    for (let n = 0; n < 8; n++) {
      const op = await createOp(kindOf(n), 'server', 'pg-idem-device', n);
      // Both requests are sent but for their last byte, then completed together.
      const { gate, open } = makeGate();
      const sent = [A.postOp(op, tokenA, gate), B.postOp(op, tokenB, gate)];
      await sleep(100);
      open();
      const first = await Promise.all(sent);
      for (const http of first) {
        expect([201, 409], describeHttp(http)).toContain(http.status);
        if (http.status === 409) {
          expect(json<{ code: string }>(http).code).toBe('IDEMPOTENCY_IN_FLIGHT');
          expect(http.headers.get('retry-after')).toMatch(/^\d+$/);
        }
      }
      outcomes.push(first.map(outcomeOf).sort().join('+'));
      // A client told to come back does so (through the instance it used) until answered.
      const finals = await Promise.all(
        first.map(async (http, i) => {
          let last = http;
          for (let attempt = 0; last.status === 409 && attempt < 20; attempt++) {
            await sleep(Math.min(Number(last.headers.get('retry-after') ?? '1') * 1000, 250));
            last = await (i === 0 ? A.postOp(op, tokenA) : B.postOp(op, tokenB));
          }
          return last;
        }),
      );
      for (const http of finals) expect(http.status, describeHttp(http)).toBe(201);
      const [one, other] = finals as [Http, Http];
      expect(one.text).toBe(other.text);
      // Exactly one answer is the op's first decision; every other is its stored result.
      expect(finals.filter((h) => h.headers.get('idempotent-replayed') === null)).toHaveLength(1);
      const result = json<AppliedResult>(one);
      expect(result).toMatchObject({ opId: op.opId, status: 'applied' });
      expect(result.changed.length).toBeGreaterThan(0);
      expected.set(op.opId, result.changed.length);
    }
    // Observed on every run: one instance applies and the other answers its stored result
    // (201, Idempotent-Replayed: true). Across instances the requests queue on the tenant's row
    // lock, and the second reads the first's idempotency record once it has the lock; a 409
    // IN_FLIGHT comes only from two requests inside one instance.
    expect(outcomes.every((o) => o === 'applied+replayed' || o.includes('in-flight'))).toBe(true);

    const feed = await B.readAll(start.cursor, tokenB);
    expect(seqsOf(feed)).toEqual(range(start.seq + 1, (await B.snapshot(tokenB)).seq));
    expect(countByOpId(feed)).toEqual(expected);
  });

  /**
   * Three devices stream batches of BATCH ops through A until A is killed with -9 at `moment`; then
   * checks through B that nothing is half there, and retries through B what went unanswered.
   */
  async function crashWhileWriting(moment: KillMoment): Promise<void> {
    if (!setup) throw new Error('no database');
    if (a === undefined) {
      a = await startCloud({ dataDir: join(dir, 'a'), env });
      A = new CloudClient(a.url, B.device);
    }
    // Killed below, whatever happens in between (stopAllChildren ends it if the test fails first).
    const victim = a;
    a = undefined;
    const tokenA = await A.signIn('manager');
    const tokenB = await B.signIn('manager');
    const start = await B.snapshot(tokenB);
    // A live reader on A, which dies with it and resumes on B from the last cursor it was sent.
    const onVictim = A.live(start.cursor, tokenA);
    await onVictim.ready();
    interface Batch {
      readonly device: string;
      readonly ops: Operation[];
      results?: OpResult[];
    }
    const batches: Batch[] = [];
    const label = moment === 'inside a transaction' ? 'tx' : 'commit';
    // Each device waits for its last batch's answer before it sends the next, as a relay does.
    const streams = [1, 2, 3].map(async (d) => {
      const device = `pg-crash-${label}-${d}`;
      for (let k = 0; k < 20; k++) {
        const ops = await Promise.all(
          range(0, BATCH - 1).map((i) => createOp(kindOf(i), 'manager', device, k * BATCH + i)),
        );
        const batch: Batch = { device, ops };
        batches.push(batch);
        try {
          batch.results = await A.postBatch(device, ops, tokenA);
        } catch {
          return; // A is gone: this batch's fate is unknown to the client
        }
      }
    });
    await vi.waitFor(
      () => expect(batches.filter((x) => x.results).length).toBeGreaterThanOrEqual(3),
      { timeout: 10_000, interval: 5 },
    );
    const sql = postgres(setup.url, { max: 1, onnotice: () => {} });
    try {
      if (moment === 'inside a transaction') {
        // A write transaction holds the feed table's RowExclusiveLock from its first entry to
        // its end: killed while one does, that batch is written in part and not committed.
        await vi.waitFor(async () => expect(await openFeedWrites(sql, setup?.schema)).toBe(true), {
          timeout: 10_000,
          interval: 1,
        });
        await victim.kill9();
      } else {
        // NOTIFY is delivered at COMMIT: that batch is in while its answer may still be on its
        // way (it had not arrived in five runs of six here).
        let killed: Promise<void> | undefined;
        await sql.listen(`hearth_feed:${setup.schema}`, () => {
          killed ??= victim.kill9();
        });
        await vi.waitFor(() => expect(killed).toBeDefined(), { timeout: 10_000, interval: 1 });
        await killed;
      }
      // A COMMIT sent just before the kill may still be running: wait until no transaction
      // holds a lock in the schema (B is idle now), so nothing changes under the checks below.
      await vi.waitFor(async () => expect(await lockHolders(sql, setup?.schema)).toBe(0), {
        timeout: 10_000,
        interval: 10,
      });
    } finally {
      await sql.end({ timeout: 1 });
    }
    await Promise.all(streams);

    const answered = batches.filter((x) => x.results !== undefined);
    const unanswered = batches.filter((x) => x.results === undefined);
    expect(unanswered.length, 'batches cut off by the kill').toBeGreaterThan(0);
    for (const { results } of answered) {
      expect(results?.map((r) => r.status)).toEqual(results?.map(() => 'applied'));
    }

    // What B sees: a contiguous feed whose head the venue reports, and for every op sent either
    // its stored result, all of its entries and its entity, or none of them; a batch is wholly
    // in or out.
    const feed = await B.readAll(start.cursor, tokenB);
    const snapshot = await B.snapshot(tokenB);
    const head = snapshot.seq;
    expect(seqsOf(feed)).toEqual(range(start.seq + 1, head));
    const entityIds = new Set(snapshot.records.map((r) => (r.data as { id: string }).id));
    const counts = countByOpId(feed);
    const sentIds = new Set(batches.flatMap((x) => x.ops.map((op) => op.opId)));
    expect([...counts.keys()].filter((id) => !sentIds.has(id))).toEqual([]);
    const stored = new Map<string, OpResult>();
    for (const batch of batches) {
      const recorded: boolean[] = [];
      for (const [i, op] of batch.ops.entries()) {
        const http = await B.opRecord(op.opId, tokenB);
        expect([200, 404], describeHttp(http)).toContain(http.status);
        if (http.status === 404) {
          expect(counts.get(op.opId), `entries of unrecorded ${op.opId}`).toBeUndefined();
          expect(entityIds.has(createdId(op)), `entity of unrecorded ${op.opId}`).toBe(false);
          recorded.push(false);
          continue;
        }
        const result = json<OpResult>(http);
        if (result.status !== 'applied') throw new Error(`stored result not applied: ${http.text}`);
        expect(counts.get(op.opId), `entries of ${op.opId}`).toBe(result.changed.length);
        expect(entityIds.has(createdId(op)), `entity of ${op.opId}`).toBe(true);
        if (batch.results) expect(result).toEqual(batch.results[i]);
        stored.set(op.opId, result);
        recorded.push(true);
      }
      expect(new Set(recorded).size, `batch of ${batch.device} half recorded`).toBe(1);
      if (batch.results) expect(recorded[0]).toBe(true);
    }

    // The client retries, through B, every batch it had no answer for (one per device at
    // most), then one it had: stored results for ops already in, first decisions otherwise.
    const expected = new Map<string, number>();
    for (const batch of unanswered) {
      const results = await B.postBatch(batch.device, batch.ops, tokenB);
      for (const [i, op] of batch.ops.entries()) {
        const result = results[i];
        const before = stored.get(op.opId);
        if (before) {
          expect(result).toEqual({ opId: op.opId, status: 'duplicate', first: before });
        } else {
          expect(result).toMatchObject({ opId: op.opId, status: 'applied' });
        }
        expected.set(op.opId, ((before ?? result) as AppliedResult).changed.length);
      }
    }
    const [again] = answered;
    if (!again?.results) throw new Error('no answered batch');
    const firstResults = again.results;
    expect(await B.postBatch(again.device, again.ops, tokenB)).toEqual(
      firstResults.map((first) => ({ opId: first.opId, status: 'duplicate', first })),
    );
    for (const { results } of answered) {
      for (const r of results ?? []) expected.set(r.opId, (r as AppliedResult).changed.length);
    }

    const after = await B.readAll(start.cursor, tokenB);
    const headAfter = (await B.snapshot(tokenB)).seq;
    expect(seqsOf(after)).toEqual(range(start.seq + 1, headAfter));
    expect(after.slice(0, feed.length)).toEqual(feed);
    expect(countByOpId(after)).toEqual(expected);

    // The reader cut off with A resumes on B by its cursor: together, every entry once, in order.
    expect(onVictim.closedByServer, 'the socket on the killed instance').toBeDefined();
    const resumeFrom = onVictim.cursor;
    if (resumeFrom === undefined) throw new Error('the socket on A was sent no cursor');
    const resumed = B.live(resumeFrom, tokenB);
    try {
      await resumed.ready();
      await vi.waitFor(() => expect(Math.max(onVictim.last, resumed.last)).toBe(headAfter), {
        timeout: 10_000,
        interval: 10,
      });
      expect(resumed.errors).toEqual([]);
      expect([...onVictim.entries, ...resumed.entries]).toEqual(after);
    } finally {
      await resumed.close();
      onVictim.terminate();
    }
  }

  it('shows no half batch after kill -9 inside a write transaction; retries through the other apply each op once', async () => {
    await crashWhileWriting('inside a transaction');
  });

  it('shows no half batch after kill -9 at a commit; retries through the other apply each op once', async () => {
    await crashWhileWriting('at a commit');
  });
});

type KillMoment = 'inside a transaction' | 'at a commit';
/** Ops per batch: the most a batch may hold, so each write transaction lasts a while. */
const BATCH = 100;

/** Whether a transaction is writing feed entries of `schema` now (holds the table's lock). */
async function openFeedWrites(sql: postgres.Sql, schema: string | undefined): Promise<boolean> {
  const [row] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM pg_locks l
    JOIN pg_class c ON c.oid = l.relation
    JOIN pg_namespace s ON s.oid = c.relnamespace
    WHERE s.nspname = ${schema ?? ''} AND c.relname = 'feed' AND l.mode = 'RowExclusiveLock'
      AND l.granted AND l.pid <> pg_backend_pid()`;
  return (row?.n ?? 0) > 0;
}

/**
 * Backends (other than this one) holding a lock on a table of `schema`: a transaction holds
 * its locks to its end, so 0 means no write into the schema is still running.
 */
async function lockHolders(sql: postgres.Sql, schema: string | undefined): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    SELECT count(DISTINCT l.pid)::int AS n FROM pg_locks l
    JOIN pg_class c ON c.oid = l.relation
    JOIN pg_namespace s ON s.oid = c.relnamespace
    WHERE s.nspname = ${schema ?? ''} AND l.granted AND l.pid <> pg_backend_pid()`;
  return row?.n ?? 0;
}

/** The id of the order or service request a create op makes. */
function createdId(op: Operation): string {
  const payload = op.payload as { orderId?: string; requestId?: string };
  const id = payload.orderId ?? payload.requestId;
  if (id === undefined) throw new Error(`${op.type} creates nothing this test knows`);
  return id;
}

function outcomeOf(http: Http): string {
  if (http.status === 409) return 'in-flight';
  return http.headers.get('idempotent-replayed') === 'true' ? 'replayed' : 'applied';
}
