import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BatchResponse,
  createCursorCodec,
  type FeedEntry,
  type FeedPage,
  newUlid,
  type Operation,
  type Snapshot,
} from '#protocol';
import { parseKeys } from '../../cloud/auth/keys.ts';
import { type FaultProxy, startFaultProxy } from '../faults/fault-proxy.ts';
import { type RoundRobinProxy, startRoundRobinProxy } from '../support/round-robin-proxy.ts';
import { waitFor } from '../support/wait-for.ts';
import { CloudClient } from './support/cloud-client.ts';
import { postgresSkipReason, preparePgCloud } from './support/pg-cloud.ts';
import { type CloudProcess, startCloud, stopAllChildren } from './support/processes.ts';
import {
  call,
  describeHttp,
  getJson,
  json,
  type RelayProcess,
  type StaffRole,
  signIn,
  startRelay,
  stopAllRelays,
  venueOp,
  venuePath,
} from './support/relay-process.ts';

// A venue's relay that was offline for a long service reconciles a 20,000-op journal against
// two cloud instances over one PostgreSQL schema, behind a round-robin proxy: consecutive
// replay batches and feed long-polls land on different instances, so the feed the relay
// follows on one instance must carry what the other committed. Every op takes effect exactly
// once. The relay's uplink: relay → fault proxy (the outage) → round-robin proxy → A | B.
// Slow by nature: the replay alone takes minutes on a 2-core machine (see RECONCILE_TIMEOUT_MS);
// the reconcile time and rate are printed.

const OPS = 20_000;
/** Devices writing during the outage; each is one staff member's tablet. */
const DEVICES = 8;
/** The relay's LAN batch limit (relay/main.ts). */
const BATCH = 100;
const WRITERS: readonly StaffRole[] = ['server', 'manager', 'owner'];
const BATCH_PATH = `POST ${venuePath('/ops/batch')}`;
/**
 * A bound that ends a stuck run, no performance claim. The replay takes minutes here, not
 * seconds: every cloud answer and feed page makes the relay rebase all its still-pending ops
 * (relay/sync/venue-model.ts `applyCloud`), so a batch costs time in proportion to the journal
 * left and the whole reconcile grows with the square of the journal's depth.
 */
const RECONCILE_TIMEOUT_MS = 300_000;

const skipReason = await postgresSkipReason();
const suite = skipReason === undefined ? describe : describe.skip;

suite('a relay reconciles 20,000 journaled ops against two PostgreSQL cloud instances', () => {
  const root = mkdtempSync(join(tmpdir(), 'hearth-e2e-pg-reconcile-'));
  let drop: (() => Promise<void>) | undefined;
  let keysFile = '';
  let a: CloudProcess;
  let b: CloudProcess;
  let balancer: RoundRobinProxy;
  let uplink: FaultProxy;
  let relay: RelayProcess;
  /** Staff tokens signed in at the relay, and the manager's at the cloud. */
  const tokens = {} as Record<StaffRole, string>;
  let cloudManager = '';

  beforeAll(async () => {
    const setup = await preparePgCloud(root, 'reconcile');
    drop = setup.drop;
    keysFile = setup.keysFile;
    // The relay replays each batch with a token for the person who made the ops, so three
    // people's 20,000 ops arrive as fast as the cloud decides them: the per-caller write limit
    // (200 ops/s, burst 1000 per instance) would throttle the replay to minutes.
    const env = {
      ...setup.env,
      HEARTH_CALLER_OPS_PER_SECOND: '1000000',
      HEARTH_CALLER_BURST: '1000000',
    };
    // One after the other: the first seeds the demo venue.
    a = await startCloud({ dataDir: join(root, 'cloud-a'), env });
    b = await startCloud({ dataDir: join(root, 'cloud-b'), env });
    balancer = await startRoundRobinProxy({
      upstreams: [a, b].map((cloud) => ({ host: '127.0.0.1', port: cloud.port })),
    });
    uplink = await startFaultProxy({ target: { host: '127.0.0.1', port: balancer.port } });

    // At the cloud, staff sign in on a paired tablet (decision 034).
    const tablet = await CloudClient.paired(a.url, keysFile);
    cloudManager = await tablet.signIn('manager');
    const node = await call(`${a.url}${venuePath('/edge/nodes')}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${cloudManager}` },
      body: JSON.stringify({ name: 'e2e relay behind the balancer' }),
    });
    if (node.status !== 201) throw new Error(`create edge node: ${describeHttp(node)}`);
    const { enrollmentToken } = json<{ enrollmentToken: string }>(node);
    relay = await startRelay({
      cloudUrl: uplink.url,
      dataDir: join(root, 'relay'),
      enrollToken: enrollmentToken,
    });
    await relay.waitForConnectivity(['online', 'recovered'], 20_000);
    // At the relay on the same tablet, once the cloud's feed has brought it there.
    for (const role of WRITERS)
      tokens[role] = await waitFor(
        `a relay sign-in (${role})`,
        () => signIn(relay.url, role, tablet.device?.header).catch(() => undefined),
        { timeoutMs: 15_000, intervalMs: 50 },
      );
  }, 90_000);

  afterAll(async () => {
    await stopAllRelays();
    await uplink?.close();
    await balancer?.close();
    await stopAllChildren();
    await drop?.();
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  it('journals 20,000 ops offline, then every one reaches the cloud exactly once through both instances', async () => {
    // The relay decides offline on its copy of the venue: it must hold the tables first.
    const cloudStart = await getJson<Snapshot>(`${a.url}${venuePath('/snapshot')}`, cloudManager);
    const tables = cloudStart.records
      .filter((r) => r.entity === 'table')
      .map((r) => String(r.data.id));
    expect(tables.length).toBeGreaterThan(0);
    await expect
      .poll(
        async () =>
          (await getJson<Snapshot>(`${relay.url}${venuePath('/snapshot')}`, tokens.manager)).records
            .length,
        { timeout: 15_000, interval: 50 },
      )
      .toBeGreaterThanOrEqual(cloudStart.records.length);

    uplink.cut();
    await relay.waitForConnectivity('offline_local', 15_000);

    // Every device's ops, made as the device makes them: one service request each.
    const made = performance.now();
    const perDevice: { deviceId: string; role: StaffRole; ops: Operation[] }[] = [];
    for (let d = 0; d < DEVICES; d++) {
      const role = WRITERS[d % WRITERS.length] as StaffRole;
      const deviceId = `tablet-${d + 1}`;
      const ops: Operation[] = [];
      for (let i = d; i < OPS; i += DEVICES) {
        ops.push(
          await venueOp(
            'serviceRequest.create',
            {
              requestId: newUlid(),
              tableId: tables[i % tables.length],
              kind: 'call_waiter',
              note: `op ${i}`,
            },
            deviceId,
            `demo-${role}`,
          ),
        );
      }
      perDevice.push({ deviceId, role, ops });
    }
    const allOps = perDevice.flatMap((d) => d.ops);
    expect(allOps.length).toBe(OPS);
    const requestOf = new Map(
      allOps.map((op) => [op.opId, (op.payload as { requestId: string }).requestId]),
    );
    console.log(`made ${OPS} ops in ${Math.round(performance.now() - made)} ms`);

    // As fast as the relay takes them: every device posts its batches one after the other, all
    // devices at once.
    const journalStart = performance.now();
    const statuses = new Map<string, number>();
    await Promise.all(
      perDevice.map(async ({ deviceId, role, ops }) => {
        for (let i = 0; i < ops.length; i += BATCH) {
          const http = await call(`${relay.url}${venuePath('/ops/batch')}`, {
            method: 'POST',
            headers: {
              'Content-Type': 'application/json',
              Authorization: `Bearer ${tokens[role]}`,
            },
            body: JSON.stringify({ deviceId, ops: ops.slice(i, i + BATCH) }),
          });
          if (http.status !== 200) throw new Error(`batch at the relay: ${describeHttp(http)}`);
          for (const result of json<BatchResponse>(http).results)
            statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
        }
      }),
    );
    const journalMs = performance.now() - journalStart;
    console.log(
      `journaled ${OPS} ops offline in ${Math.round(journalMs)} ms (${Math.round(OPS / (journalMs / 1000))} ops/s)`,
    );
    expect(Object.fromEntries(statuses)).toEqual({ accepted_local: OPS });
    expect((await relay.health()).journalDepth).toBe(OPS);

    // The uplink comes back: the relay replays through the balancer.
    const before = balancer.stats().map((s) => s.byRequest[BATCH_PATH] ?? 0);
    const reconcileStart = performance.now();
    uplink.restore();
    let last = await relay.health();
    await expect
      .poll(
        async () => {
          last = await relay.health();
          return (
            (last.connectivity === 'online' || last.connectivity === 'recovered') &&
            last.journalDepth === 0
          );
        },
        { timeout: RECONCILE_TIMEOUT_MS, interval: 100 },
      )
      .toBe(true);
    const reconcileMs = performance.now() - reconcileStart;
    // The replay's pace at its start and at its end (time between two batches, mean of 40).
    const replayed = relay
      .logLines()
      .filter((l) => l.msg === 'replayed')
      .map((l) => Date.parse(String(l.time)));
    const pace = (from: number) => {
      const span = replayed.slice(from, from + 40);
      return Math.round(((span.at(-1) ?? 0) - (span[0] ?? 0)) / Math.max(1, span.length - 1));
    };
    console.log(
      `${replayed.length} replay batches, ${pace(0)} ms apart at the start, ${pace(Math.max(0, replayed.length - 40))} ms at the end`,
    );
    const batchesPerUpstream = balancer
      .stats()
      .map((s, i) => (s.byRequest[BATCH_PATH] ?? 0) - (before[i] ?? 0));
    console.log(
      `reconciled ${OPS} ops in ${Math.round(reconcileMs)} ms (${Math.round(OPS / (reconcileMs / 1000))} ops/s); replay batches per instance ${JSON.stringify(batchesPerUpstream)}; requests per instance ${JSON.stringify(balancer.counts())}`,
    );
    expect(last.journalDepth).toBe(0);
    // Both instances took replay batches (not only probes and long-polls).
    expect(
      batchesPerUpstream.every((n) => n > 0),
      JSON.stringify(batchesPerUpstream),
    ).toBe(true);

    // The whole feed, by pages through the balancer (so pages alternate between instances),
    // from seq 0: a cursor at 0 signed with the keys the instances share.
    const codec = await createCursorCodec(parseKeys(readFileSync(keysFile, 'utf8')).cursorSecret);
    const decoded = await codec.decode(cloudStart.cursor);
    if (!decoded.ok) throw new Error(`the snapshot's cursor does not decode: ${decoded.reason}`);
    let cursor = await codec.encode({ ...decoded.claims, seq: 0 });
    const feed: FeedEntry[] = [];
    for (let page = 0; ; page++) {
      if (page > 1_000) throw new Error('the feed did not end within 1,000 pages');
      const q = new URLSearchParams({ cursor, limit: '1000' });
      const got = await getJson<FeedPage>(
        `${balancer.url}${venuePath(`/feed?${q}`)}`,
        cloudManager,
      );
      feed.push(...got.entries);
      cursor = got.cursor;
      if (!got.hasMore) break;
    }
    expect(feed[0]?.seq, 'the feed is read from its first entry').toBe(1);

    const byOp = new Map<string, FeedEntry[]>();
    for (const entry of feed) {
      if (entry.opId === undefined) continue;
      const list = byOp.get(entry.opId) ?? [];
      list.push(entry);
      byOp.set(entry.opId, list);
    }
    // No opId took effect twice, anywhere in the feed.
    const twice = [...byOp].filter(([, entries]) => entries.length > 1);
    expect(twice.slice(0, 5), `${twice.length} opIds applied more than once`).toEqual([]);
    // Every one of ours took effect once: its service request, created.
    const missing: string[] = [];
    const wrong: string[] = [];
    for (const [opId, requestId] of requestOf) {
      const entries = byOp.get(opId) ?? [];
      if (entries.length === 0) missing.push(opId);
      else if (
        entries.length !== 1 ||
        entries[0]?.entity !== 'serviceRequest' ||
        entries[0]?.id !== requestId ||
        entries[0]?.version !== 1
      )
        wrong.push(`${opId}: ${JSON.stringify(entries)}`);
    }
    expect(missing.length, `missing, e.g. ${missing.slice(0, 3).join(', ')}`).toBe(0);
    expect(wrong.slice(0, 3)).toEqual([]);
    const ours = [...byOp.keys()].filter((opId) => requestOf.has(opId));
    expect(ours.length).toBe(OPS);
    expect((await relay.health()).journalDepth).toBe(0);
  }, 400_000);
});
