import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import {
  type AppliedResult,
  type FeedEntry,
  makeOperation,
  newUlid,
  type Operation,
  type OperationType,
  type OpResult,
  PROBLEM_CONTENT_TYPE,
  payloadHash,
  ResilienceReport,
} from '#protocol';
import {
  call,
  describeHttp,
  differences,
  flatten,
  type Http,
  json,
  type LiveClient,
  type StaffRole,
  unversioned,
  type VenueHarness,
  venueHarness,
  venueOp,
  venuePath,
} from './support/relay-process.ts';

// The venue relay as real processes: `bun cloud/main.ts` ← TCP fault proxy ← `bun relay/main.ts`
// ← devices (fetch and `ws` clients in this process). The uplink is cut, restored, reset
// mid-batch and killed under; the relay is killed -9 under load; what the cloud ends up holding
// is checked op by op (exactly once, in each device's order) and against the relay's state.

const SEED = Number(process.env.HEARTH_E2E_SEED ?? Date.now()) >>> 0;
const OFFLINE_WITHIN_MS = 5_000;

/** A tiny seeded PRNG (mulberry32); a failing run is repeated with HEARTH_E2E_SEED. */
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
const random = prng(SEED);

function op<T extends OperationType>(
  type: T,
  payload: unknown,
  deviceId: string,
  role: StaffRole,
  dependsOn: string[] = [],
): Promise<Operation> {
  return venueOp(type, payload, deviceId, `demo-${role}`, dependsOn);
}

const ITEMS = ['burger', 'calamari', 'burrata', 'espresso', 'fries', 'house-red', 'salmon'];
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
const line = () => ({
  lineId: newUlid(),
  itemId: pick(ITEMS),
  quantity: 1 + Math.floor(random() * 3),
});
const table = () => `table-${1 + Math.floor(random() * 12)}`;

/**
 * A server tablet's day: open an order with lines, add lines, send it to the kitchen; repeat.
 * The ops are made as a device makes them, the next once the last was sent.
 */
async function* serverTablet(
  deviceId: string,
  role: StaffRole = 'server',
): AsyncGenerator<Operation> {
  for (;;) {
    const orderId = newUlid();
    const create = await op(
      'order.create',
      { orderId, tableId: table(), guestCount: 2, lines: [line()] },
      deviceId,
      role,
    );
    yield create;
    // The order may exist only on this device yet: what follows depends on its creation.
    const after = [create.opId];
    yield op('order.addLines', { orderId, lines: [line(), line()] }, deviceId, role, after);
    yield op('order.sendToKitchen', { orderId }, deviceId, role, after);
  }
}

/** Independent ops (no op depends on another): what a kill can cut anywhere. */
function standalone(deviceId: string, role: StaffRole, i: number): Promise<Operation> {
  return i % 3 === 2
    ? op(
        'serviceRequest.create',
        { requestId: newUlid(), tableId: table(), kind: 'water' },
        deviceId,
        role,
      )
    : op(
        'order.create',
        { orderId: newUlid(), tableId: table(), guestCount: 1, lines: [line()] },
        deviceId,
        role,
      );
}

async function take(gen: AsyncGenerator<Operation>, n: number): Promise<Operation[]> {
  const out: Operation[] = [];
  for (let i = 0; i < n; i++) {
    const next = await gen.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

function expectProblem(
  http: Http,
  status: number,
  code?: string | RegExp,
): Record<string, unknown> {
  expect(http.status, describeHttp(http)).toBe(status);
  expect(http.headers.get('content-type') ?? '').toContain(PROBLEM_CONTENT_TYPE);
  const body = json<Record<string, unknown>>(http);
  expect(body.kind, describeHttp(http)).toEqual(expect.any(String));
  if (typeof code === 'string') expect(body.code, describeHttp(http)).toBe(code);
  else if (code !== undefined) expect(String(body.code)).toMatch(code);
  return body;
}

let h: VenueHarness;

/** Uplink healthy, relay running, online and drained: where every test but the third starts. */
async function healthy(harness = h): Promise<void> {
  harness.proxy.restore();
  harness.rescueProxy?.restore();
  if (harness.relay.exited()) await harness.restartRelay();
  await harness.waitSettled(30_000);
}

async function goOffline(harness = h): Promise<void> {
  harness.proxy.cut();
  await harness.relay.waitForConnectivity('offline_local', OFFLINE_WITHIN_MS);
}

/** Runs `work` over `items` with at most `n` at a time, results in order. */
async function pool<T, R>(
  items: readonly T[],
  n: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i] as T);
      }
    }),
  );
  return out;
}

interface CloudView {
  /** The cloud's result per op (undefined: the cloud never received it). */
  readonly results: Map<string, OpResult | undefined>;
  readonly entries: Map<string, FeedEntry[]>;
}

async function cloudView(opIds: readonly string[], harness = h): Promise<CloudView> {
  const entries = await harness.countInCloud();
  const results = new Map<string, OpResult | undefined>();
  await pool(opIds, 8, async (opId) => {
    const http = await harness.cloudOp(opId);
    if (http.status === 404) results.set(opId, undefined);
    else if (http.status === 200) results.set(opId, json<OpResult>(http));
    else throw new Error(`GET cloud op ${opId}: ${describeHttp(http)}`);
  });
  return { results, entries };
}

/**
 * The op is in the cloud exactly once: applied, with one feed entry per entity it changed and
 * no entity changed twice by it (a second application would add entries under the same opId).
 */
function expectOnce(view: CloudView, opId: string): void {
  const result = view.results.get(opId);
  expect(result?.status, `cloud result of ${opId}: ${JSON.stringify(result)}`).toBe('applied');
  const applied = result as AppliedResult;
  const entries = view.entries.get(opId) ?? [];
  expect(entries.length, `entries of ${opId}`).toBe(applied.changed.length);
  expect(entries.length).toBeGreaterThan(0);
  expect(new Set(entries.map((e) => `${e.entity}/${e.id}`)).size).toBe(entries.length);
}

/** At most once: either never received (no entries) or exactly once. */
function expectAtMostOnce(view: CloudView, opId: string): 'absent' | 'once' {
  const result = view.results.get(opId);
  if (result === undefined) {
    expect(view.entries.get(opId) ?? [], `entries of never-received ${opId}`).toEqual([]);
    return 'absent';
  }
  expectOnce(view, opId);
  return 'once';
}

/** Per device, the seqs of the ops' first cloud entries increase in the order it sent them. */
function expectDeviceOrder(view: CloudView, sent: readonly Operation[]): void {
  const byDevice = new Map<string, number[]>();
  for (const o of sent) {
    const first = Math.min(...(view.entries.get(o.opId) ?? []).map((e) => e.seq));
    const list = byDevice.get(o.deviceId) ?? [];
    list.push(first);
    byDevice.set(o.deviceId, list);
  }
  for (const [device, seqs] of byDevice) {
    const sorted = [...seqs].sort((a, b) => a - b);
    expect(seqs, `cloud order of ${device}'s ops`).toEqual(sorted);
    expect(new Set(seqs).size, `${device}'s ops have distinct first seqs`).toBe(seqs.length);
  }
}

/**
 * A live socket got the ops' entries in the order the ops were written, and no entry twice: the
 * relay's seqs only rise on one socket.
 */
function expectArrivalOrder(client: LiveClient, sent: readonly Operation[]): void {
  const wanted = new Set(sent.map((o) => o.opId));
  const arrived = new Set<string>();
  for (const entry of client.entries)
    if (entry.opId !== undefined && wanted.has(entry.opId)) arrived.add(entry.opId);
  expect([...arrived], 'ops in the order their entries arrived').toEqual(sent.map((o) => o.opId));
  const seqs = client.entries.map((e) => e.seq);
  const repeatedOrBack = seqs.filter((seq, i) => i > 0 && seq <= (seqs[i - 1] as number));
  expect(repeatedOrBack, 'entries whose seq did not rise').toEqual([]);
}

/** The relay's state and the cloud's hold the same entities (versions aside), both views. */
async function expectConverged(harness = h): Promise<void> {
  await vi.waitFor(
    async () => {
      const [relaySnap, cloudSnap] = await Promise.all([
        harness.relaySnapshot(),
        harness.cloudSnapshot(),
      ]);
      const toMap = (records: typeof relaySnap.records) =>
        new Map(records.map((r) => [`${r.entity}/${r.data.id}`, unversioned(r.data)]));
      const snapDiff = differences(toMap(relaySnap.records), toMap(cloudSnap.records));
      const feedDiff = differences(
        flatten(await harness.relayEntities()),
        flatten(await harness.cloudEntities()),
      );
      expect([...snapDiff, ...feedDiff], 'where relay and cloud still differ').toEqual([]);
    },
    { timeout: 10_000, interval: 100 },
  );
}

describe('venue relay against a real cloud through a fault proxy', () => {
  beforeAll(async () => {
    h = await venueHarness();
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  }, 30_000);

  it('uplink up: an op through the relay lands in the cloud once and the device gets the cloud’s answer', async () => {
    await healthy();
    const create = await op(
      'order.create',
      { orderId: newUlid(), tableId: 'table-3', guestCount: 2, lines: [line(), line()] },
      'tablet-up',
      'server',
    );
    const http = await h.postRelay(create, 'server');
    expect(http.status, describeHttp(http)).toBe(201);
    const result = json<OpResult>(http);
    expect(result).toMatchObject({ opId: create.opId, status: 'applied' });
    // The very answer the cloud keeps for this op (not a local one).
    const fromCloud = await h.cloudOp(create.opId);
    expect(json<OpResult>(fromCloud)).toEqual(result);
    const view = await cloudView([create.opId]);
    expectOnce(view, create.opId);
    // Sending it again through the relay is a replay of the same answer, nothing new.
    const again = await h.postRelay(create, 'server');
    expect(again.status, describeHttp(again)).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(json<OpResult>(again)).toEqual(result);
    expectOnce(await cloudView([create.opId]), create.opId);
  }, 30_000);

  it("a device's checkpoint at the relay reaches the cloud's resilience report, through the relay", async () => {
    await healthy();
    const { cursor } = await h.relaySnapshot('server');
    const oldest = new Date(Date.now() - 60_000).toISOString();
    const put = await call(`${h.relay.url}${venuePath('/checkpoints/tablet-floor-7')}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${h.tokens.server}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ cursor, outboxDepth: 3, oldestPendingAt: oldest, failedOps: 1 }),
    });
    expect(put.status, describeHttp(put)).toBe(204);

    let report: ResilienceReport | undefined;
    await vi.waitFor(
      async () => {
        const res = await call(`${h.cloud.url}${venuePath('/resilience')}`, {
          headers: { Authorization: `Bearer ${h.cloudTokens.manager}` },
        });
        report = ResilienceReport.parse(json(res));
        expect(
          report.devices.map((d) => d.deviceId),
          'devices in the cloud’s resilience report',
        ).toContain('tablet-floor-7');
      },
      { timeout: 10_000, interval: 50 },
    );
    const [node] = report?.nodes ?? [];
    expect(report?.devices.find((d) => d.deviceId === 'tablet-floor-7')).toMatchObject({
      via: node?.nodeId,
      outboxDepth: 3,
      oldestPendingAt: oldest,
      failedOps: 1,
    });
  }, 30_000);

  describe('uplink cut, then back', () => {
    const sentA: Operation[] = [];
    const sentOthers: Operation[] = [];
    let pass: LiveClient | undefined;
    let kds: LiveClient | undefined;

    afterAll(async () => {
      await pass?.close();
      await kds?.close();
    });

    it('uplink cut: 200 ops from a server tablet reach the kitchen screens over the LAN, each once and in order; the cloud is unchanged', async () => {
      await healthy();
      await goOffline();
      const headBefore = await h.cloudHead();
      // Device B: the kitchen's pass screen, signed in as kitchen and subscribed to orders and
      // tickets, so every op of A shows there. And a station display (tickets only): the sends.
      // How fast they get there is the relay benchmark's to measure (tests/bench/relay-bench.ts).
      pass = await h.openLive('kitchen', { scopes: 'order,ticket', deviceId: 'kds-pass' });
      kds = await h.openLive('kitchen', { scopes: 'ticket', deviceId: 'kds-grill' });
      const tablet = serverTablet('tablet-a');
      for (let i = 0; i < 200; i++) {
        const next = (await tablet.next()).value as Operation;
        const http = await h.postRelay(next, 'server');
        expect(http.status, describeHttp(http)).toBe(202);
        expect(json<OpResult>(http).status).toBe('accepted_local');
        sentA.push(next);
      }
      const b = pass;
      await vi.waitFor(
        () =>
          expect(
            sentA.filter((o) => !b.firstSeen.has(o.opId)).map((o) => o.opId),
            'ops not yet on the pass screen',
          ).toEqual([]),
        { timeout: 10_000, interval: 10 },
      );
      const sends = sentA.filter((o) => o.type === 'order.sendToKitchen');
      const k = kds;
      await vi.waitFor(
        () =>
          expect(
            sends.filter((o) => !k.firstSeen.has(o.opId)).map((o) => o.opId),
            'sends not yet on the station display',
          ).toEqual([]),
        { timeout: 10_000, interval: 10 },
      );
      // In the order they were written, each op's entries once (a relay seq is never repeated).
      expectArrivalOrder(b, sentA);
      expectArrivalOrder(k, sends);
      // The station display got what it subscribed to and nothing else.
      expect([...new Set(k.entries.map((e) => e.entity))]).toEqual(['ticket']);
      expect(b.errors).toEqual([]);
      expect(k.errors).toEqual([]);
      expect(await h.cloudHead()).toBe(headBefore);
      expect((await h.relay.health()).journalDepth).toBe(200);
    }, 60_000);

    it('uplink back: the cloud holds each op exactly once, in each device’s order, and the relay converges on it', async () => {
      expect(sentA, 'the previous test journaled 200 ops').toHaveLength(200);
      expect((await h.relay.health()).connectivity).toBe('offline_local');
      // Two more devices interleave while still offline (each in its own order).
      const c = serverTablet('tablet-c');
      const d = serverTablet('tablet-d', 'manager');
      await Promise.all(
        [
          [c, 'server'],
          [d, 'manager'],
        ].map(async ([gen, role]) => {
          for (let i = 0; i < 30; i++) {
            const next = (await (gen as AsyncGenerator<Operation>).next()).value as Operation;
            sentOthers.push(next);
            const http = await h.postRelay(next, role as StaffRole);
            expect(http.status, describeHttp(http)).toBe(202);
          }
        }),
      );
      const all = [...sentA, ...sentOthers];
      const restoredAt = Date.now();
      h.proxy.restore();
      await h.waitSettled(45_000);
      // Back with a journal to replay: straight to reconciling, then recovered once drained.
      // /healthz can say so a moment before the relay's log line for it is read from its pipe.
      const since = () => h.relay.transitions().filter((t) => t.at >= restoredAt);
      await vi
        .waitFor(
          () =>
            expect(
              since().some((t) => t.to === 'recovered'),
              'the recovered transition in the log',
            ).toBe(true),
          { timeout: 10_000, interval: 10 },
        )
        .catch(() => undefined);
      const after = since();
      expect(after.map((t) => `${t.from}→${t.to}`)).toEqual([
        'offline_local→reconciling',
        'reconciling→recovered',
      ]);

      const view = await cloudView(all.map((o) => o.opId));
      for (const o of all) expectOnce(view, o.opId);
      expectDeviceOrder(view, all);
      // Every device's own view of its ops now carries the cloud's verdict: applied in the
      // relay's own seq and versions (those its cache holds), at the cloud's time.
      await pool(all, 8, async (o) => {
        const status = json<OpResult>(await h.relayOp(o.opId));
        const cloud = view.results.get(o.opId);
        expect(status.status).toBe(cloud?.status);
        if (status.status === 'applied' && cloud?.status === 'applied')
          expect(status.at).toBe(cloud.at);
        else expect(status).toEqual(cloud);
      });
      await expectConverged();
      // The live screens followed: the pass screen's last word on A's first order is the cloud's.
      const firstOrder = ((sentA[0] as Operation).payload as { orderId: string }).orderId;
      const cloudOrder = (await h.cloudSnapshot()).records.find(
        (r) => r.entity === 'order' && r.data.id === firstOrder,
      );
      const b = pass as LiveClient;
      await vi.waitFor(
        () => {
          const last = b.entries.filter((e) => e.entity === 'order' && e.id === firstOrder).at(-1);
          expect(
            last?.op === 'upsert' &&
              cloudOrder !== undefined &&
              unversioned(last.data) === unversioned(cloudOrder.data),
            'the pass screen shows the cloud’s order',
          ).toBe(true);
        },
        { timeout: 10_000, interval: 10 },
      );
    }, 90_000);
  });

  it('rejection: a venue op the cloud refuses on replay is reported to its device and corrected on every screen', async () => {
    await healthy();
    // An order sent to the kitchen while online: its grill ticket is in the cloud and at the relay.
    const orderId = newUlid();
    const create = await op(
      'order.create',
      {
        orderId,
        tableId: 'table-7',
        guestCount: 2,
        lines: [{ lineId: newUlid(), itemId: 'burger', quantity: 1 }],
      },
      'tablet-r',
      'server',
    );
    const send = await op('order.sendToKitchen', { orderId }, 'tablet-r', 'server');
    for (const o of [create, send]) {
      const http = await h.postRelay(o, 'server');
      expect(http.status, describeHttp(http)).toBe(201);
    }
    const ticketId = `${send.opId}-grill`;
    await vi.waitFor(
      async () =>
        expect(
          (await h.relaySnapshot('kitchen')).records.some(
            (r) => r.entity === 'ticket' && r.data.id === ticketId,
          ),
          'the ticket at the relay',
        ).toBe(true),
      { timeout: 10_000, interval: 10 },
    );

    await goOffline();
    // In the cloud (a kitchen tablet on mobile data): ready, then bumped.
    for (const action of ['ready', 'bump'] as const) {
      const http = await h.postCloud(
        await op('ticket.transition', { ticketId, action }, 'kds-cloud', 'kitchen'),
        'kitchen',
      );
      expect(http.status, describeHttp(http)).toBe(201);
    }
    // At the venue, offline, the kitchen signs in at the relay and starts the ticket.
    const kitchenToken = await h.signInAtRelay('kitchen');
    // Signed by the relay (its enrolled key), not the cloud: the uplink is down.
    const kid = JSON.parse(
      Buffer.from(kitchenToken.split('.')[0] ?? '', 'base64url').toString(),
    ).kid;
    expect(kid).toMatch(/^relay:/);
    const notices = await h.openLive('kitchen', { scopes: 'ticket', deviceId: 'kds-venue' });
    const screen = await h.openLive('manager', { scopes: 'ticket' });
    try {
      const start = await op(
        'ticket.transition',
        { ticketId, action: 'start' },
        'kds-venue',
        'kitchen',
      );
      const local = await h.postRelay(start, { token: kitchenToken });
      expect(local.status, describeHttp(local)).toBe(202);
      expect(json<OpResult>(local).status).toBe('accepted_local');
      await vi.waitFor(
        () =>
          expect(
            screen.entries.some(
              (e) =>
                e.id === ticketId &&
                e.op === 'upsert' &&
                (e.data as { status?: string }).status === 'in_progress',
            ),
            'the start on the screen',
          ).toBe(true),
        { timeout: 10_000, interval: 10 },
      );

      h.proxy.restore();
      await h.waitSettled(30_000);

      const status = json<OpResult>(await h.relayOp(start.opId, 'kitchen'));
      expect(status).toMatchObject({ opId: start.opId, status: 'rejected' });
      expect(status.status === 'rejected' && status.code).toBe('INVALID_STATE_TRANSITION');
      expect(status.status === 'rejected' && status.message.length).toBeGreaterThan(0);
      await vi.waitFor(
        () =>
          expect(
            notices.notices.some((n) => n.opId === start.opId && n.status === 'rejected'),
            'the rejection notice on the device’s socket',
          ).toBe(true),
        { timeout: 10_000, interval: 10 },
      );
      expect(notices.notices.find((n) => n.opId === start.opId)).toMatchObject({
        status: 'rejected',
        code: 'INVALID_STATE_TRANSITION',
      });
      // Every screen ends on the cloud's ticket: bumped, with the cloud's stamps.
      const cloudTicket = (await h.cloudSnapshot()).records.find(
        (r) => r.entity === 'ticket' && r.data.id === ticketId,
      );
      expect(cloudTicket?.data).toMatchObject({ status: 'bumped' });
      for (const socket of [screen, notices]) {
        await vi.waitFor(
          () => {
            const last = socket.entries
              .filter((e) => e.entity === 'ticket' && e.id === ticketId)
              .at(-1);
            expect(
              last?.op === 'upsert' &&
                unversioned(last.data) === unversioned(cloudTicket?.data as never),
              'the cloud’s ticket on the screen',
            ).toBe(true);
          },
          { timeout: 10_000, interval: 10 },
        );
      }
      // The cloud never applied the start; a socket opened without the device's id got no notice.
      expect((await h.countInCloud()).get(start.opId)).toBeUndefined();
      expect(screen.notices).toEqual([]);
      await expectConverged();
    } finally {
      await notices.close();
      await screen.close();
    }
  }, 60_000);

  it('kill -9: the relay killed at random points while two devices write; acknowledged ops reach the cloud exactly once', async () => {
    await healthy();
    await goOffline();
    const KILLS = 22;
    const devices: { id: string; role: StaffRole }[] = [
      { id: 'tablet-k1', role: 'server' },
      { id: 'tablet-k2', role: 'manager' },
    ];
    const acked: Operation[] = [];
    const unanswered: Operation[] = [];
    let counter = 0;
    const started = Date.now();
    for (let kill = 0; kill < KILLS; kill++) {
      if (h.relay.exited()) await h.restartRelay();
      // Both devices write back to back (a request is always in flight); the kill comes after
      // a random number of answers this round, plus a random few ms: before, during or after a
      // commit, while an answer is on its way. Bounded, so the suite stays short.
      const target = 1 + Math.floor(random() * 6);
      let answered = 0;
      let stop = false;
      const writers = devices.map(async ({ id, role }) => {
        while (!stop) {
          const next = await standalone(id, role, counter++);
          let http: Http;
          try {
            http = await h.postRelay(next, role);
          } catch {
            unanswered.push(next);
            return;
          }
          if (http.status === 202 || http.status === 201) acked.push(next);
          else throw new Error(`unexpected answer for ${next.opId}: ${describeHttp(http)}`);
          answered++;
        }
      });
      await vi.waitFor(() => expect(answered >= target, 'answers before the kill').toBe(true), {
        timeout: 10_000,
        interval: 1,
      });
      await sleep(Math.floor(random() * 8));
      await h.relay.kill9();
      stop = true;
      await Promise.all(writers);
    }
    await h.restartRelay();
    console.log(
      `[relay e2e] ${KILLS} kills in ${Date.now() - started} ms: ${acked.length} ops acknowledged, ${unanswered.length} unanswered (seed ${SEED})`,
    );
    expect(acked.length).toBeGreaterThanOrEqual(KILLS);
    // Nothing acknowledged was lost across the kills: the journal still holds all of it.
    expect((await h.relay.health()).journalDepth).toBeGreaterThanOrEqual(acked.length);

    const batchesBefore = h.proxy.stats().requests[`POST ${venuePath('/ops/batch')}`] ?? 0;
    const restoredAt = Date.now();
    h.proxy.restore();
    await h.waitSettled(90_000);
    console.log(
      `[relay e2e] the journal left by the kills reconciled in ${Date.now() - restoredAt} ms over ${(h.proxy.stats().requests[`POST ${venuePath('/ops/batch')}`] ?? 0) - batchesBefore} batch requests`,
    );
    const view = await cloudView([...acked, ...unanswered].map((o) => o.opId));
    for (const o of acked) expectOnce(view, o.opId);
    expectDeviceOrder(view, acked);
    const unansweredIn = unanswered.filter((o) => expectAtMostOnce(view, o.opId) === 'once');
    // No op of the venue is doubled, whatever it was.
    for (const [opId, entries] of view.entries) {
      const result = view.results.get(opId);
      if (result?.status === 'applied') expect(entries.length).toBe(result.changed.length);
    }

    // The devices send what got no answer again, with the same opIds: each is then in once.
    for (const o of unanswered) {
      const role = devices.find((d) => d.id === o.deviceId)?.role ?? 'server';
      const http = await h.postRelay(o, role);
      expect(http.status, describeHttp(http)).toBe(201);
      expect(json<OpResult>(http).status).toBe('applied');
    }
    const after = await cloudView([...acked, ...unanswered].map((o) => o.opId));
    for (const o of [...acked, ...unanswered]) expectOnce(after, o.opId);
    console.log(
      `[relay e2e] ${unansweredIn.length} of ${unanswered.length} unanswered ops had reached the cloud before the resend`,
    );
    await expectConverged();
  }, 150_000);

  it('reconciliation cut mid-batch, and the cloud’s answer lost after commit: still exactly once', async () => {
    await healthy();
    await goOffline();
    // Three devices, one after the other: the journal replays as batches of 50.
    const sent: Operation[] = [];
    for (const [device, role] of [
      ['tablet-m1', 'server'],
      ['tablet-m2', 'manager'],
      ['tablet-m3', 'owner'],
    ] as const) {
      for (const o of await take(serverTablet(device, role), 100)) {
        sent.push(o);
        const http = await h.postRelay(o, role);
        expect(http.status, describeHttp(http)).toBe(202);
      }
    }
    const BATCH = `POST ${venuePath('/ops/batch')}`;
    const failedReplays = () =>
      h.relay.transitions().filter((t) => t.from === 'reconciling' && /replay: POST/.test(t.reason))
        .length;
    /** Arms a reset on replay requests only, and waits until the relay has felt it. */
    const failReplay = async (what: string, arm: () => void) => {
      const resets = h.proxy.stats().resets;
      const failed = failedReplays();
      arm();
      await vi.waitFor(
        () => expect(h.proxy.stats().resets > resets, `${what}: the reset`).toBe(true),
        { timeout: 15_000, interval: 10 },
      );
      await vi.waitFor(
        () => expect(failedReplays() > failed, `${what}: the relay's replay failed`).toBe(true),
        { timeout: 5_000, interval: 10 },
      );
      expect((await h.relay.health()).journalDepth, what).toBeGreaterThan(0);
    };

    // 1. The uplink comes back and dies 2 kB into the first replay request (a batch of 50 ops
    //    is ~25 kB): the cloud gets half a request and commits nothing.
    const head = await h.cloudHead();
    h.proxy.restore();
    await failReplay('upload cut mid-batch', () =>
      h.proxy.resetAfterBytes(2_000, 'upstream', { request: BATCH }),
    );
    expect(await h.cloudHead(), 'nothing committed from half a request').toBe(head);
    // 2. Armed as the replay starts again: the cloud commits the next batch and its whole
    //    answer is lost.
    await failReplay('answer lost after commit', () =>
      h.proxy.resetAfterBytes(0, 'downstream', { request: BATCH }),
    );
    expect(await h.cloudHead(), 'the batch whose answer was lost is committed').toBeGreaterThan(
      head,
    );
    // 3. The next answer is cut off after its first 100 bytes (mid-headers).
    await failReplay('answer cut mid-way', () =>
      h.proxy.resetAfterBytes(100, 'downstream', { request: BATCH }),
    );

    await h.waitSettled(60_000);
    const view = await cloudView(sent.map((o) => o.opId));
    for (const o of sent) expectOnce(view, o.opId);
    expectDeviceOrder(view, sent);
    // The lost answer was for a committed batch: its ops were settled either by the cloud's
    // feed (their entries name them) or by the replay answered as duplicates — once either way.
    await expectConverged();
  }, 120_000);

  it('bad input on the LAN: the right problem, no journal change, and the relay stays up', async () => {
    await healthy();
    await goOffline();
    const before = await h.relay.health();
    const seqBefore = (await h.relaySnapshot()).seq;
    const token = h.tokens.server;
    const ops = `${h.relay.url}${venuePath('/ops')}`;
    const post = (
      url: string,
      body: string | Uint8Array,
      headers: Record<string, string> = {},
      auth = token,
    ) =>
      call(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${auth}`,
          ...headers,
        },
        body,
      });
    const valid = await op(
      'order.create',
      { orderId: newUlid(), tableId: 'table-1', lines: [line()] },
      'tablet-bad',
      'server',
    );

    // Malformed JSON, on both write lanes.
    expectProblem(
      await post(ops, '{"opId": "01', { 'Idempotency-Key': newUlid() }),
      400,
      'MALFORMED_JSON',
    );
    expectProblem(await post(`${ops}/batch`, '[[[', {}), 400, 'MALFORMED_JSON');
    // Unknown op type.
    const teleport = { ...valid, opId: newUlid(), type: 'order.teleport' };
    expectProblem(
      await post(ops, JSON.stringify(teleport), { 'Idempotency-Key': teleport.opId }),
      400,
      'UNKNOWN_OP_TYPE',
    );
    // A payload of the wrong shape (its hash is right: the shape is what is wrong).
    const wrongPayload = { orderId: 42, lines: 'none' };
    const wrong = {
      ...valid,
      opId: newUlid(),
      type: 'order.addLines',
      payload: wrongPayload,
      payloadHash: await payloadHash(wrongPayload),
    };
    expectProblem(
      await post(ops, JSON.stringify(wrong), { 'Idempotency-Key': wrong.opId }),
      400,
      'VALIDATION',
    );
    // A payload that does not match its hash, and an op for another venue.
    const tampered = {
      ...valid,
      opId: newUlid(),
      payload: { ...(valid.payload as object), guestCount: 99 },
    };
    expectProblem(
      await post(ops, JSON.stringify(tampered), { 'Idempotency-Key': tampered.opId }),
      400,
      'PAYLOAD_HASH_MISMATCH',
    );
    const foreign = await makeOperation({
      ...valid,
      opId: newUlid(),
      venueId: 'other-venue',
      type: 'order.create',
      payload: valid.payload,
    });
    expectProblem(
      await post(ops, JSON.stringify(foreign), { 'Idempotency-Key': foreign.opId }),
      400,
      'VENUE_MISMATCH',
    );
    // No key, a key that is not a ULID.
    expectProblem(await post(ops, JSON.stringify(valid)), 400, 'IDEMPOTENCY_KEY_MISSING');
    expectProblem(
      await post(ops, JSON.stringify(valid), { 'Idempotency-Key': 'not-a-ulid' }),
      400,
      'IDEMPOTENCY_KEY_INVALID',
    );
    // An oversized body (over 1 MiB).
    const big = JSON.stringify({ ...valid, padding: 'x'.repeat(1_200_000) });
    expectProblem(await post(ops, big, { 'Idempotency-Key': valid.opId }), 413, 'BODY_TOO_LARGE');
    // A huge batch: 101 ops, and 2 000.
    const many = await Promise.all(
      Array.from({ length: 101 }, (_, i) => standalone('tablet-bad', 'server', i)),
    );
    expectProblem(
      await post(`${ops}/batch`, JSON.stringify({ deviceId: 'tablet-bad', ops: many })),
      413,
      'BATCH_TOO_LARGE',
    );
    const manyMore = Array.from({ length: 2_000 }, () => ({ opId: newUlid() }));
    expectProblem(
      await post(`${ops}/batch`, JSON.stringify({ deviceId: 'tablet-bad', ops: manyMore })),
      413,
      'BATCH_TOO_LARGE',
    );
    // A batch of another device's ops.
    expectProblem(
      await post(
        `${ops}/batch`,
        JSON.stringify({ deviceId: 'tablet-other', ops: many.slice(0, 2) }),
      ),
      400,
      'DEVICE_MISMATCH',
    );
    // Bad cursors: garbage, and a real one with its signature changed.
    const feed = (cursor: string) =>
      call(`${h.relay.url}${venuePath(`/feed?cursor=${encodeURIComponent(cursor)}`)}`, {
        headers: { Authorization: `Bearer ${h.tokens.manager}` },
      });
    expectProblem(await feed('garbage'), 400, 'CURSOR_INVALID');
    const real = (await h.relaySnapshot()).cursor;
    const flipped = real.slice(0, -3) + (real.endsWith('AAA') ? 'BBB' : 'AAA');
    expectProblem(await feed(flipped), 400, 'CURSOR_INVALID');
    // Forged tokens: claims rewritten under the old signature, a made-up token, none at all.
    const [header, claims, signature] = token.split('.') as [string, string, string];
    const elevated = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(claims, 'base64url').toString()), role: 'owner' }),
    ).toString('base64url');
    expectProblem(
      await post(
        ops,
        JSON.stringify(valid),
        { 'Idempotency-Key': valid.opId },
        `${header}.${elevated}.${signature}`,
      ),
      401,
      'TOKEN_INVALID',
    );
    expectProblem(
      await post(ops, JSON.stringify(valid), { 'Idempotency-Key': valid.opId }, 'a.b.c'),
      401,
      'TOKEN_INVALID',
    );
    expectProblem(
      await call(ops, {
        method: 'POST',
        headers: { 'Idempotency-Key': valid.opId },
        body: JSON.stringify(valid),
      }),
      401,
      'AUTH_REQUIRED',
    );

    // A live socket that sends garbage (text, binary, an over-long frame) and is dropped without
    // a close frame; a forged-token upgrade; an upgrade cut off half-way through its headers.
    const snap = await h.relaySnapshot();
    const liveUrl = `${h.relay.url.replace(/^http/, 'ws')}${venuePath(`/live?cursor=${encodeURIComponent(snap.cursor)}`)}`;
    const rude = new WebSocket(liveUrl, ['hearth.v1', `bearer.${h.tokens.manager}`]);
    await new Promise<void>((resolve, reject) => {
      rude.once('open', () => resolve());
      rude.once('error', reject);
    });
    rude.send('{"type":"subscribe", nonsense');
    rude.send(Buffer.from([0, 255, 1, 254, 7]));
    rude.send('x'.repeat(10_000));
    rude.terminate();
    const forgedWs = new WebSocket(liveUrl, [
      'hearth.v1',
      `bearer.${header}.${elevated}.${signature}`,
    ]);
    const forgedStatus = await new Promise<number>((resolve) => {
      forgedWs.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      forgedWs.once('error', () => resolve(-1));
      forgedWs.once('open', () => resolve(101));
    });
    forgedWs.terminate();
    expect(forgedStatus).toBe(401);
    await new Promise<void>((resolve) => {
      const socket = connect(h.relay.port, '127.0.0.1', () => {
        socket.write(`GET ${venuePath('/live')} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConn`);
        setTimeout(() => {
          socket.resetAndDestroy();
          resolve();
        }, 50);
      });
      socket.on('error', () => resolve());
    });

    // The relay is up and serves a valid op live after all that, and that op is all it journaled
    // or published since the bad input began.
    const live = await h.openLive('manager', { scopes: 'order' });
    try {
      const http = await h.postRelay(valid, 'server');
      expect(http.status, describeHttp(http)).toBe(202);
      await vi.waitFor(
        () => expect(live.firstSeen.has(valid.opId), 'the valid op on a new socket').toBe(true),
        { timeout: 10_000, interval: 10 },
      );
    } finally {
      await live.close();
    }
    expect(h.relay.exited()).toBe(false);
    const after = await h.relay.health();
    expect(after.status).toBe('ok');
    expect(after.journalDepth).toBe(before.journalDepth + 1);
    const published = (await h.relayFeed()).filter((e) => e.seq > seqBefore).map((e) => e.opId);
    expect(published.length).toBeGreaterThan(0);
    expect(published, 'opIds of what the relay published since').toEqual(
      published.map(() => valid.opId),
    );
    await healthy();
    expectOnce(await cloudView([valid.opId]), valid.opId);
  }, 60_000);
});

describe('rescue uplink', () => {
  let r: VenueHarness;
  const RESCUE_AFTER_MS = 1_500;

  beforeAll(async () => {
    r = await venueHarness({
      rescue: true,
      relayEnv: { HEARTH_RESCUE_AFTER_MS: String(RESCUE_AFTER_MS) },
    });
  }, 60_000);

  afterAll(async () => {
    await r?.close();
  }, 30_000);

  it('opens only past the outage threshold and replays journaled ops over it before any feed catch-up', async () => {
    const rescue = r.rescueProxy;
    if (!rescue) throw new Error('no rescue proxy');
    await healthy(r);
    // Dormant by default: nothing has gone over the rescue link yet.
    expect(rescue.stats().connections).toBe(0);

    const cutAt = Date.now();
    r.proxy.cut();
    // Watch the rescue link and the relay's state from the moment of the cut.
    let firstRescueAt: number | undefined;
    const states: { at: number; connectivity: string }[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        if (firstRescueAt === undefined && rescue.stats().connections > 0)
          firstRescueAt = Date.now();
        const health = await r.relay.health().catch(() => undefined);
        if (health) states.push({ at: Date.now(), connectivity: health.connectivity });
        await sleep(5);
      }
    })();
    try {
      await r.relay.waitForConnectivity('offline_local', OFFLINE_WITHIN_MS);
      const sent = await take(serverTablet('tablet-rescue'), 30);
      for (const o of sent) {
        const http = await r.postRelay(o, 'server');
        expect(http.status, describeHttp(http)).toBe(202);
      }
      const primaryBytes = r.proxy.stats().bytesUpstream + r.proxy.stats().bytesDownstream;
      await r.relay.waitForConnectivity('rescue_uplink', 10_000);
      // Every journaled op goes up the rescue link (the cloud applies them)...
      await vi.waitFor(
        async () => {
          const view = await r.countInCloud();
          expect(
            sent.filter((o) => !view.has(o.opId)).map((o) => o.opId),
            'ops not yet replayed over the rescue link',
          ).toEqual([]);
        },
        { timeout: 15_000, interval: 100 },
      );
      watching = false;
      await watcher;

      const transitions = r.relay.transitions();
      // The outage began when the relay went offline_local after the cut (it does once: the cut
      // is clean, nothing flaps).
      const offlineAt =
        transitions.find((t) => t.to === 'offline_local' && t.at >= cutAt)?.at ?? Number.NaN;
      const rescueAt = transitions.find((t) => t.to === 'rescue_uplink')?.at ?? Number.NaN;
      expect(rescueAt - offlineAt, JSON.stringify(transitions)).toBeGreaterThanOrEqual(
        RESCUE_AFTER_MS,
      );
      expect(transitions.filter((t) => t.at > offlineAt && t.at < rescueAt)).toEqual([]);
      // The rescue link was not touched before the threshold, and the relay stayed offline_local.
      expect(firstRescueAt).toBeDefined();
      expect((firstRescueAt as number) - offlineAt).toBeGreaterThanOrEqual(RESCUE_AFTER_MS - 5);
      const early = states.filter(
        (s) => s.at > offlineAt + 50 && s.at < offlineAt + RESCUE_AFTER_MS - 50,
      );
      // The relay's own log says it stayed offline_local (above); these samples agree with it.
      expect(early.length, 'health samples taken before the threshold').toBeGreaterThan(0);
      expect(new Set(early.map((s) => s.connectivity))).toEqual(new Set(['offline_local']));
      // ...op replay and nothing else: no feed, no snapshot over the metered link; and nothing
      // over the primary, which is still cut.
      const requests = rescue.stats().requests;
      expect(requests[`POST ${venuePath('/ops/batch')}`] ?? 0).toBeGreaterThan(0);
      expect(
        Object.keys(requests).filter((k) => k.includes('/feed') || k.includes('/snapshot')),
      ).toEqual([]);
      expect(rescue.stats().bytesUpstream).toBeGreaterThan(0);
      expect(r.proxy.stats().bytesUpstream + r.proxy.stats().bytesDownstream).toBe(primaryBytes);
      const rescueRequests = Object.keys(requests).sort();
      expect(rescueRequests).toEqual([`GET /healthz`, `POST ${venuePath('/ops/batch')}`].sort());

      // The primary comes back: the feed catches up there, and everything settles exactly once.
      r.proxy.restore();
      await r.waitSettled(30_000);
      const view = await cloudView(
        sent.map((o) => o.opId),
        r,
      );
      for (const o of sent) expectOnce(view, o.opId);
      expectDeviceOrder(view, sent);
      expect(Object.keys(rescue.stats().requests).filter((k) => k.includes('/feed'))).toEqual([]);
      await expectConverged(r);
    } finally {
      watching = false;
      await watcher;
    }
  }, 60_000);
});
