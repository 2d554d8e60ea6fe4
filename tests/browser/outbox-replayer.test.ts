import { expect } from '@esm-bundle/chai';
import type { Operation, OpResult } from '#protocol';
import type { Broadcast } from '../../web/device/messages.ts';
import { OutboxStore } from '../../web/device/outbox-store.ts';
import { outboxCounts } from '../../web/device/outbox-types.ts';
import { REPLAY_LOCK } from '../../web/sw/replay-lease.ts';
import {
  CONFIRM_AFTER_MS,
  CONFIRM_EVERY_MS,
  Replayer,
  type ReplayerDeps,
} from '../../web/sw/replayer.ts';
import { waitFor } from '../support/wait-for.ts';
import {
  addLines,
  callWaiter,
  closeOrder,
  createOrder,
  FakeClock,
  FakeOpsServer,
  freshStore,
  markSending,
  rejectionOf,
  sendToKitchen,
  staff,
  T0,
} from './outbox-fixtures.ts';

// The replayer against an in-page fake of the batch endpoint (passed in as `fetch`), with a
// fake clock, the browser's real IndexedDB and its real Web Locks.

const SECOND = 1000;

describe('outbox replayer', () => {
  let clock: FakeClock;
  let server: FakeOpsServer;
  let store: OutboxStore;
  let name: string;
  let dispose: () => Promise<void>;
  let heard: Broadcast[];

  beforeEach(async () => {
    clock = new FakeClock();
    server = new FakeOpsServer(clock);
    heard = [];
    ({ store, name, dispose } = await freshStore());
  });

  afterEach(async () => {
    await dispose();
  });

  function replayer(overrides: Partial<ReplayerDeps> = {}): Replayer {
    return new Replayer({
      store,
      fetch: server.fetch,
      target: 'https://venue.example',
      now: clock.now,
      locks: navigator.locks,
      broadcast: (message) => heard.push(message),
      graceMs: 30,
      // Backoffs at the top of their jitter range unless a test says otherwise.
      random: () => 1,
      ...overrides,
    });
  }

  async function queue(ops: readonly Operation[]): Promise<void> {
    for (const op of ops) await store.add(op, clock.now());
  }

  async function waiters(n: number): Promise<Operation[]> {
    const ops: Operation[] = [];
    for (let i = 0; i < n; i++) ops.push(await callWaiter(`table-${i}`));
    return ops;
  }

  const statuses = async () => (await store.list()).map((entry) => entry.status);

  it('drains in batches (here of 50), in FIFO order, with progress on the channel', async () => {
    const ops = await waiters(120);
    await queue(ops);

    const report = await replayer({ batchSize: 50 }).replay();

    expect(report).to.deep.include({
      outcome: 'drained',
      requests: 3,
      sent: 120,
      settled: 120,
      remaining: 0,
    });
    expect(server.received.map((r) => r.opIds.length)).to.deep.equal([50, 50, 20]);
    expect(server.received.flatMap((r) => r.opIds)).to.deep.equal(ops.map((o) => o.opId));
    expect(server.received[0]).to.include({ deviceId: 'tablet-1', venueId: 'demo-bistro' });
    expect(new Set(await statuses())).to.deep.equal(new Set(['synced']));
    // The first word before any send, the last once every answer is stored; between them
    // (answers are stored as they come, several batches to a write when the store lags) the
    // count only grows.
    const progress = heard.flatMap((m) => (m.type === 'replay-progress' ? [m] : []));
    expect(progress[0]).to.deep.equal({ type: 'replay-progress', sent: 0, total: 120 });
    expect(progress.at(-1)).to.deep.equal({ type: 'replay-progress', sent: 120, total: 120 });
    const counts = progress.map((m) => m.sent);
    expect(counts).to.deep.equal([...counts].sort((a, b) => a - b));
    expect(progress.every((m) => m.total === 120)).to.equal(true);
    expect(heard.at(-1)).to.deep.equal({ type: 'outbox-changed' });
  });

  it('plans every batch of a pass from one read of the queue, and never writes an op twice', async () => {
    const ops = await waiters(120);
    await queue(ops);
    const reads: string[] = [];
    const queued = store.queued.bind(store);
    store.queued = (now) => {
      reads.push('queued');
      return queued(now);
    };
    const queuedSince = store.queuedSince.bind(store);
    store.queuedSince = (seq, watched) => {
      reads.push(`queuedSince ${seq}`);
      return queuedSince(seq, watched);
    };
    // While a batch is on the wire, the store still holds every op as pending: nothing is
    // written 'sending' first (a replay killed now leaves them as they were: sent again).
    const seen: string[][] = [];
    const watching = async (request: Request) => {
      seen.push([...new Set((await store.list()).map((e) => e.status))]);
      return server.fetch(request);
    };

    const report = await replayer({ fetch: watching, batchSize: 50 }).replay();

    expect(report).to.include({ outcome: 'drained', requests: 3, settled: 120 });
    // One read to plan the three batches; when the plan ran out, a look at what was queued
    // after its last op (nothing: the pass ends without reading the queue again).
    const last = (await store.list()).at(-1)?.seq;
    expect(reads).to.deep.equal(['queued', `queuedSince ${last}`]);
    expect(seen[0]).to.deep.equal(['pending']);
    expect(seen.flat()).to.not.include('sending');
    expect(new Set(await statuses())).to.deep.equal(new Set(['synced']));
  });

  it('sends in the same pass the ops queued while it was at work', async () => {
    const first = await waiters(3);
    const late = await waiters(2);
    await queue(first);
    let added = false;
    const addingMidway = async (request: Request) => {
      if (!added) {
        added = true;
        await queue(late);
      }
      return server.fetch(request);
    };

    const report = await replayer({ fetch: addingMidway, batchSize: 2 }).replay();

    expect(report).to.include({ outcome: 'drained', sent: 5, settled: 5, remaining: 0 });
    expect(server.received.flatMap((r) => r.opIds)).to.deep.equal(
      [...first, ...late].map((o) => o.opId),
    );
    expect(new Set(await statuses())).to.deep.equal(new Set(['synced']));
  });

  it('sends in the same pass an op a person retried while it was at work', async () => {
    const [refused, ...rest] = await waiters(3);
    await queue([refused as Operation, ...rest]);
    server.plan({ kind: 'status', status: 403, code: 'FORBIDDEN' });
    let retried = false;
    // Retried once the person could see it failed: its answer is stored before the third
    // request's (IndexedDB runs the two transactions in the order they began).
    const retryingMidway = async (request: Request) => {
      if (server.received.length === 2 && !retried) {
        retried = true;
        await store.retry(refused?.opId ?? '', clock.now());
      }
      return server.fetch(request);
    };

    const report = await replayer({ fetch: retryingMidway, batchSize: 1 }).replay();

    expect(report).to.include({ outcome: 'drained', sent: 4, remaining: 0 });
    expect(server.received.map((r) => r.opIds[0])).to.deep.equal(
      [refused, ...rest, refused].map((o) => o?.opId),
    );
    expect(await statuses()).to.deep.equal(['synced', 'synced', 'synced']);
  });

  it('sends nothing again after a pass that stored its answers but died before folding them', async () => {
    const ops = await waiters(4);
    await queue(ops);
    const fold = store.fold.bind(store);
    // The worker stopped after the pass's last word, before the fold.
    store.fold = () => Promise.reject(new DOMException('the worker stopped', 'AbortError'));
    const thrown = await rejectionOf(replayer({ batchSize: 2 }).replay());
    expect(thrown).to.have.property('name', 'AbortError');
    expect(heard.filter((m) => m.type === 'replay-progress').at(-1)).to.deep.equal({
      type: 'replay-progress',
      sent: 4,
      total: 4,
    });
    store.fold = fold;

    const reopened = await OutboxStore.open({ name });
    try {
      expect((await reopened.list()).map((e) => e.status)).to.deep.equal([
        'synced',
        'synced',
        'synced',
        'synced',
      ]);
      const again = await replayer({ store: reopened }).replay();
      expect(again).to.include({ requests: 0, remaining: 0 });
      expect(server.received).to.have.length(2);
      // Folded at the next pass that writes an entry, or the next pass's end: here, a prune.
      expect(await reopened.fold()).to.equal(4);
    } finally {
      reopened.close();
    }
  });

  it('holds the ops of someone no longer signed in here until they are back (a shared tablet)', async () => {
    // server-1 queued an order offline; server-2 signed in on the same tablet and added a line
    // to it and a call of their own. server-1's order sent under server-2's session would be
    // refused for good (its actorId is not the token's), and the line with it.
    const order = await createOrder('order-1');
    const line = await addLines('order-1', { actorId: 'server-2' });
    const call = await callWaiter('table-9', { actorId: 'server-2' });
    await queue([order, line, call]);
    await store.rememberDevice('tablet-1', staff('server-2'));

    const whileAway = await replayer().replay();

    // The line waits on the order: nothing wakes the worker for either (no timer).
    expect(whileAway).to.include({ outcome: 'drained', sent: 1, remaining: 1, held: 1 });
    expect(whileAway.nextAttemptAt).to.equal(null);
    expect(server.received.map((r) => r.opIds)).to.deep.equal([[call.opId]]);
    expect(await statuses()).to.deep.equal(['pending', 'pending', 'synced']);

    // server-1 signs in again on the tablet: the order goes, and the line after it.
    await store.rememberDevice('tablet-1', staff('server-1'));
    const back = await replayer().replay();
    expect(back).to.include({ sent: 1, held: 1 });
    expect(server.received.at(-1)?.opIds).to.deep.equal([order.opId]);
    await store.rememberDevice('tablet-1', staff('server-2'));
    expect(await replayer().replay()).to.include({ sent: 1, held: 0, remaining: 0 });
    expect(server.received.at(-1)?.opIds).to.deep.equal([line.opId]);
    expect(await statuses()).to.deep.equal(['synced', 'synced', 'synced']);
  });

  it('says progress at most every progressEveryMs, besides the first and the last word', async () => {
    await queue(await waiters(100));
    const said: { at: number; message: Broadcast }[] = [];
    const slowServer = async (request: Request) => {
      clock.advance(30);
      return server.fetch(request);
    };

    await replayer({
      fetch: slowServer,
      batchSize: 10,
      progressEveryMs: 100,
      broadcast: (message) => said.push({ at: clock.now(), message }),
    }).replay();

    const progress = said.filter((s) => s.message.type === 'replay-progress');
    expect(progress[0]?.message).to.deep.equal({ type: 'replay-progress', sent: 0, total: 100 });
    expect(progress.at(-1)?.message).to.deep.equal({
      type: 'replay-progress',
      sent: 100,
      total: 100,
    });
    // Ten requests 30 ms apart: 300 ms of answers, so at most four words between the ends,
    // each at least 100 ms after the one before.
    const between = progress.slice(1, -1);
    expect(between.length).to.be.within(1, 4);
    for (const [i, s] of between.entries()) {
      if (i > 0) expect(s.at - (between[i - 1]?.at ?? 0)).to.be.at.least(100);
    }
    // Each word tells the pages to read the outbox again, and only each word.
    const changed = said.filter((s) => s.message.type === 'outbox-changed');
    expect(changed).to.have.length(between.length + 1);
  });

  it('loses and doubles nothing when the stored answers of a pass are lost (relaxed writes, a power cut)', async () => {
    const ops = await waiters(4);
    const bad = ops[2] as Operation;
    server.decide = (o) =>
      o.opId === bad.opId
        ? { opId: o.opId, status: 'rejected', code: 'NOT_FOUND', message: 'no such table' }
        : server.applied(o);
    await queue(ops);
    const before = await store.list();

    await replayer().replay();
    const first = await store.list();
    expect(first.map((e) => e.status)).to.deep.equal(['synced', 'synced', 'failed', 'synced']);
    // The OS never flushed the pass's answers: the outbox is as it was before the pass.
    await store.db.writeOps((tx) => Promise.all(before.map((entry) => tx.put(entry))));
    expect(new Set(await statuses())).to.deep.equal(new Set(['pending']));

    const again = await replayer().replay();

    expect(again).to.include({ outcome: 'drained', sent: 4, remaining: 0 });
    expect(server.duplicates).to.deep.equal(ops.map((o) => o.opId));
    expect([...server.effects.values()]).to.deep.equal([1, 1, 1]);
    const after = await store.list();
    expect(after.map((e) => [e.status, e.result?.status])).to.deep.equal([
      ['synced', 'duplicate'],
      ['synced', 'duplicate'],
      ['failed', 'duplicate'],
      ['synced', 'duplicate'],
    ]);
    // The rejection fails again with the same reason, and is still never retried.
    expect(after[2]?.lastError).to.deep.equal(first[2]?.lastError);
    expect(after[2]?.lastError).to.deep.equal({ code: 'NOT_FOUND', message: 'no such table' });
    clock.advance(3_600 * SECOND);
    expect((await replayer().replay()).requests).to.equal(0);
  });

  it('stops and rethrows when storing answers fails; the ops stay pending and go again', async () => {
    const ops = await waiters(6);
    await queue(ops);
    const settle = store.settle.bind(store);
    store.settle = () => Promise.reject(new DOMException('disk full', 'QuotaExceededError'));

    const thrown = await rejectionOf(replayer({ batchSize: 2 }).replay());

    expect(thrown).to.be.instanceOf(DOMException).and.have.property('name', 'QuotaExceededError');
    expect(new Set(await statuses())).to.deep.equal(new Set(['pending']));
    // It stopped sending once it knew: at most one batch more went out.
    expect(server.received.length).to.be.within(1, 2);

    store.settle = settle;
    expect((await replayer({ batchSize: 2 }).replay()).outcome).to.equal('drained');
    expect(new Set(await statuses())).to.deep.equal(new Set(['synced']));
    expect([...server.effects.values()].every((n) => n === 1)).to.equal(true);
  });

  it('sends a payment ahead of a long queue of unrelated ops, 100 ops to a batch', async () => {
    const ops = await waiters(110);
    const close = await closeOrder('order-9');
    await queue([...ops, close]);

    await replayer().replay();

    expect(server.received.map((r) => r.opIds.length)).to.deep.equal([100, 11]);
    expect(server.received[0]?.opIds[0]).to.equal(close.opId);
    expect(server.received[0]?.opIds.slice(1)).to.deep.equal(ops.slice(0, 99).map((o) => o.opId));
  });

  it('sends a dependency before its dependent, in the same batch', async () => {
    const create = await createOrder('order-1');
    const fire = await sendToKitchen('order-1', { dependsOn: [create.opId] });
    await queue([create, fire]);
    await replayer().replay();
    expect(server.received.map((r) => r.opIds)).to.deep.equal([[create.opId, fire.opId]]);
  });

  it('fails, in the same pass and without sending them, the ops that depend on a rejected one', async () => {
    const create = await createOrder('order-1');
    const lines = await addLines('order-1', { dependsOn: [create.opId] });
    const waiter = await callWaiter('table-4');
    server.decide = (o) =>
      o.opId === create.opId
        ? { opId: o.opId, status: 'rejected', code: 'FORBIDDEN', message: 'not yours' }
        : server.applied(o);
    await queue([create, lines, waiter]);

    const report = await replayer({ batchSize: 1 }).replay();

    expect(report).to.include({ outcome: 'drained', remaining: 0 });
    expect(server.received.map((r) => r.opIds)).to.deep.equal([[create.opId], [waiter.opId]]);
    expect((await store.list()).map((e) => [e.status, e.lastError?.code ?? null])).to.deep.equal([
      ['failed', 'FORBIDDEN'],
      ['failed', 'DEPENDENCY_FAILED'],
      ['synced', null],
    ]);
  });

  it('says outbox-changed when its read fails again, unsent, an op retried while what it depends on is failed', async () => {
    const create = await createOrder('order-1');
    const lines = await addLines('order-1', { dependsOn: [create.opId] });
    server.decide = (o) =>
      o.opId === create.opId
        ? { opId: o.opId, status: 'rejected', code: 'FORBIDDEN', message: 'not yours' }
        : server.applied(o);
    await queue([create, lines]);
    await replayer({ batchSize: 1 }).replay();
    await store.retry(lines.opId, clock.now());
    heard = [];

    const report = await replayer().replay();

    expect(report.requests).to.equal(0);
    expect((await store.get(lines.opId))?.lastError?.code).to.equal('DEPENDENCY_FAILED');
    expect(heard).to.deep.equal([{ type: 'outbox-changed' }]);
  });

  it('marks accepted_local (the relay kept it while offline) as delivered_local', async () => {
    server.decide = (o) => ({
      opId: o.opId,
      status: 'accepted_local',
      seq: 1,
      changed: [],
      at: new Date(clock.now()).toISOString(),
    });
    await queue(await waiters(2));
    const report = await replayer().replay();
    expect(report.outcome).to.equal('drained');
    expect(await statuses()).to.deep.equal(['delivered_local', 'delivered_local']);
    expect(outboxCounts(await store.list(), clock.now()).deliveredLocal).to.equal(2);
  });

  describe('asking again about ops the relay kept (a missed notice)', () => {
    const keptLocally = (o: Operation): OpResult => ({
      opId: o.opId,
      status: 'accepted_local',
      seq: 1,
      changed: [],
      at: new Date(clock.now()).toISOString(),
    });

    /** Two ops the relay kept; returns them. */
    async function kept(): Promise<Operation[]> {
      server.decide = keptLocally;
      const ops = await waiters(2);
      await queue(ops);
      await replayer().replay();
      expect(await statuses()).to.deep.equal(['delivered_local', 'delivered_local']);
      server.received.length = 0;
      return ops;
    }

    it('not before CONFIRM_AFTER_MS, then once, learning applied → synced and rejected → failed', async () => {
      const [a, b] = (await kept()) as [Operation, Operation];
      clock.advance(CONFIRM_AFTER_MS - 1);
      await replayer().replay();
      expect(server.received).to.deep.equal([]);

      // The cloud settled them meanwhile; the relay answers a resend with the result now.
      server.journal.set(a.opId, server.applied(a) as never);
      server.journal.set(b.opId, {
        opId: b.opId,
        status: 'rejected',
        code: 'INVALID_STATE_TRANSITION',
        message: 'the table is closed',
      });
      clock.advance(1);
      heard = [];
      await replayer().replay();

      expect(server.received.map((r) => r.opIds)).to.deep.equal([[a.opId, b.opId]]);
      expect(await statuses()).to.deep.equal(['synced', 'failed']);
      expect((await store.get(b.opId))?.lastError).to.deep.equal({
        code: 'INVALID_STATE_TRANSITION',
        message: 'the table is closed',
      });
      expect(heard).to.deep.include({ type: 'outbox-changed' });
      // Nothing left to ask about.
      clock.advance(10 * CONFIRM_EVERY_MS);
      await replayer().replay();
      expect(server.received).to.have.length(1);
      expect(server.effects.get(a.opId)).to.equal(1);
    });

    it('keeps them delivered_local while the relay still says accepted_local, asking at most once a minute', async () => {
      await kept();
      clock.advance(CONFIRM_AFTER_MS);
      await replayer().replay();
      await replayer().replay();
      expect(server.received).to.have.length(1);
      expect(server.duplicates).to.have.length(2);
      expect(await statuses()).to.deep.equal(['delivered_local', 'delivered_local']);

      clock.advance(CONFIRM_EVERY_MS - 1);
      await replayer().replay();
      expect(server.received).to.have.length(1);
      clock.advance(1);
      await replayer().replay();
      expect(server.received).to.have.length(2);
    });

    it('changes nothing when the target does not answer, and asks again a minute later', async () => {
      await kept();
      clock.advance(CONFIRM_AFTER_MS);
      server.plan({ kind: 'throw' });
      await replayer().replay();
      expect(server.received).to.have.length(1);
      const entries = await store.list();
      expect(entries.map((e) => [e.status, e.tries, e.lastError])).to.deep.equal([
        ['delivered_local', 0, null],
        ['delivered_local', 0, null],
      ]);
      clock.advance(CONFIRM_EVERY_MS);
      await replayer().replay();
      expect(server.received).to.have.length(2);
    });

    it('does not ask while a pass stopped on the target (only after a drained pass)', async () => {
      const [first] = await kept();
      clock.advance(CONFIRM_AFTER_MS);
      await queue([await callWaiter('table-9')]);
      server.plan({ kind: 'status', status: 503 });
      const report = await replayer().replay();
      expect(report.outcome).to.equal('stopped');
      expect(server.received.map((r) => r.opIds)).to.have.length(1);
      expect(server.received[0]?.opIds).to.not.include(first?.opId);
    });

    it('leaves the ops of someone no longer signed in here', async () => {
      await kept();
      await store.rememberDevice('tablet-1', staff('someone-else'));
      clock.advance(CONFIRM_AFTER_MS);
      await replayer().replay();
      expect(server.received).to.deep.equal([]);
    });
  });

  it('never retries a rejection', async () => {
    const ops = await waiters(3);
    const bad = ops[1] as Operation;
    server.decide = (o) =>
      o.opId === bad.opId
        ? { opId: o.opId, status: 'rejected', code: 'NOT_FOUND', message: 'no such table' }
        : server.applied(o);
    await queue(ops);

    await replayer().replay();
    clock.advance(3_600 * SECOND);
    const again = await replayer().replay();

    expect(again.requests).to.equal(0);
    expect(server.received.flatMap((r) => r.opIds).filter((id) => id === bad.opId)).to.have.length(
      1,
    );
    const failed = await store.get(bad.opId);
    expect(failed).to.include({ status: 'failed', tries: 0 });
    expect(failed?.lastError).to.deep.equal({ code: 'NOT_FOUND', message: 'no such table' });
  });

  it('retries a 409 later, after Retry-After, with the same keys', async () => {
    await queue(await waiters(3));
    server.plan({ kind: 'status', status: 409, retryAfter: 2, code: 'IN_FLIGHT' });

    const first = await replayer().replay();
    expect(first).to.include({
      outcome: 'stopped',
      reason: 'retry_later',
      nextAttemptAt: T0 + 2 * SECOND,
    });
    expect((await store.list()).map((e) => [e.status, e.tries])).to.deep.equal([
      ['pending', 0],
      ['pending', 0],
      ['pending', 0],
    ]);

    clock.advance(SECOND);
    expect((await replayer().replay()).requests).to.equal(0);
    clock.advance(SECOND);
    expect((await replayer().replay()).outcome).to.equal('drained');

    expect(server.received).to.have.length(2);
    expect(server.received[1]?.opIds).to.deep.equal(server.received[0]?.opIds);
    expect(new Set(await statuses())).to.deep.equal(new Set(['synced']));
  });

  it('backs off 5, 10, 20… s up to 4 min on 5xx, and fails the op at its 10th try', async () => {
    const [op] = await waiters(1);
    await queue([op as Operation]);
    server.fallback = { kind: 'status', status: 503, code: 'UNAVAILABLE' };

    for (let round = 0; round < 20; round++) {
      const report = await replayer().replay();
      if (report.nextAttemptAt === null) break;
      // Just before the op is due nothing goes out; at the due time it does.
      clock.t = report.nextAttemptAt - 1;
      expect((await replayer().replay()).requests, `early in round ${round}`).to.equal(0);
      clock.t = report.nextAttemptAt;
    }

    const sentAt = server.received.map((r) => (r.at - T0) / SECOND);
    expect(sentAt).to.deep.equal([0, 5, 15, 35, 75, 155, 315, 555, 795, 1035]);
    const failed = await store.get(op?.opId ?? '');
    expect(failed).to.include({ status: 'failed', tries: 10 });
    expect(failed?.lastError?.code).to.equal('RETRIES_EXHAUSTED');
    clock.advance(3_600 * SECOND);
    expect((await replayer().replay()).requests).to.equal(0);
  });

  it('draws one jitter per failed batch: its ops back off together and go again as one', async () => {
    const ops = await waiters(3);
    await queue(ops);
    server.plan({ kind: 'status', status: 503, code: 'UNAVAILABLE' });
    const draws: number[] = [];
    const random = () => {
      draws.push(0.25);
      return 0.25;
    };
    const report = await replayer({ random }).replay();
    // The first ceiling is 5 s; a quarter of the way up its upper half is 3.125 s.
    expect(report).to.include({ reason: 'back_off', nextAttemptAt: T0 + 3_125 });
    expect(draws).to.have.length(1);
    expect((await store.list()).map((e) => e.nextAttemptAt)).to.deep.equal([
      T0 + 3_125,
      T0 + 3_125,
      T0 + 3_125,
    ]);
    clock.t = T0 + 3_125;
    expect(await replayer().replay()).to.include({ outcome: 'drained', requests: 1, sent: 3 });
  });

  it('honours a Retry-After longer than the backoff on 429', async () => {
    await queue(await waiters(1));
    server.plan({ kind: 'status', status: 429, retryAfter: 30, code: 'RATE_LIMITED' });
    const report = await replayer().replay();
    expect(report).to.include({
      outcome: 'stopped',
      reason: 'back_off',
      nextAttemptAt: T0 + 30 * SECOND,
    });
    expect((await store.list())[0]).to.include({ status: 'pending', tries: 1 });
  });

  it('stops on 401 and keeps the ops for after the next sign-in', async () => {
    await queue(await waiters(2));
    server.plan({ kind: 'status', status: 401, code: 'SESSION_EXPIRED' });

    const report = await replayer().replay();
    expect(report).to.include({ outcome: 'stopped', reason: 'sign_in', remaining: 2 });
    expect(outboxCounts(await store.list(), clock.now()).signInRequired).to.equal(true);
    expect((await store.list()).map((e) => [e.status, e.tries])).to.deep.equal([
      ['pending', 0],
      ['pending', 0],
    ]);

    expect((await replayer().replay()).outcome).to.equal('drained');
    expect(await statuses()).to.deep.equal(['synced', 'synced']);
    // An ended session is not a revoked device: nobody is signed out for it.
    expect(heard).not.to.deep.include({ type: 'device-revoked' });
  });

  it('says on the channel that a manager revoked this device (401 DEVICE_REVOKED); the ops wait', async () => {
    await queue(await waiters(2));
    server.plan({ kind: 'status', status: 401, code: 'DEVICE_REVOKED' });

    const report = await replayer().replay();
    expect(report).to.include({ outcome: 'stopped', reason: 'sign_in', remaining: 2 });
    expect(heard).to.deep.include({ type: 'device-revoked' });
    expect((await store.list()).map((e) => [e.status, e.lastError?.code])).to.deep.equal([
      ['pending', 'SIGN_IN'],
      ['pending', 'SIGN_IN'],
    ]);
  });

  it('fails the ops of a batch the target forbids (403), without retrying', async () => {
    await queue(await waiters(2));
    server.fallback = { kind: 'status', status: 403, code: 'FORBIDDEN' };
    const report = await replayer().replay();
    expect(report).to.include({ outcome: 'drained', requests: 1, remaining: 0 });
    expect(await statuses()).to.deep.equal(['failed', 'failed']);
    clock.advance(3_600 * SECOND);
    expect((await replayer().replay()).requests).to.equal(0);
  });

  it('fails only the op at fault when a whole batch is refused for its content (422)', async () => {
    const ops = await waiters(5);
    const bad = ops[3] as Operation;
    await queue(ops);
    const refuseBad = async (request: Request): Promise<Response> => {
      const body = (await request.clone().json()) as { ops: { opId: string }[] };
      if (body.ops.some((o) => o.opId === bad.opId)) {
        server.received.push({
          deviceId: 'x',
          venueId: 'x',
          opIds: body.ops.map((o) => o.opId),
          at: clock.now(),
        });
        return Response.json(
          {
            type: 'about:blank',
            title: 'bad',
            status: 422,
            kind: 'fix_request',
            code: 'UNPROCESSABLE',
          },
          { status: 422 },
        );
      }
      return server.fetch(request);
    };

    const report = await replayer({ fetch: refuseBad }).replay();

    expect(report.outcome).to.equal('drained');
    expect((await store.list()).map((e) => e.status)).to.deep.equal([
      'synced',
      'synced',
      'synced',
      'failed',
      'synced',
    ]);
    expect((await store.get(bad.opId))?.lastError?.code).to.equal('UNPROCESSABLE');
    expect(server.journal.has(bad.opId)).to.equal(false);
    expect(server.received.length).to.be.lessThan(10);
  });

  it('backs off when the network is down, then delivers', async () => {
    await queue(await waiters(2));
    server.plan({ kind: 'throw' });
    const down = await replayer().replay();
    expect(down).to.include({
      outcome: 'stopped',
      reason: 'back_off',
      nextAttemptAt: T0 + 5 * SECOND,
    });
    expect((await store.list())[0]?.lastError?.code).to.equal('NETWORK');
    // The pass is over, and delivered nothing: the banner stops saying "replaying".
    expect(heard.filter((m) => m.type === 'replay-progress').at(-1)).to.deep.equal({
      type: 'replay-progress',
      sent: 0,
      total: 0,
    });
    clock.advance(5 * SECOND);
    expect((await replayer().replay()).outcome).to.equal('drained');
    expect(await statuses()).to.deep.equal(['synced', 'synced']);
  });

  it('resends the same opIds after an answer lost past the commit: duplicates only, one effect each', async () => {
    const ops = await waiters(3);
    await queue(ops);
    server.plan({ kind: 'commit-then-throw' });

    await replayer().replay();
    expect(server.effects.size).to.equal(3);
    clock.advance(5 * SECOND);
    await replayer().replay();

    expect(server.received.map((r) => r.opIds)).to.deep.equal([
      ops.map((o) => o.opId),
      ops.map((o) => o.opId),
    ]);
    expect(server.duplicates).to.deep.equal(ops.map((o) => o.opId));
    expect([...server.effects.values()]).to.deep.equal([1, 1, 1]);
    const entries = await store.list();
    expect(entries.map((e) => [e.status, e.result?.status])).to.deep.equal([
      ['synced', 'duplicate'],
      ['synced', 'duplicate'],
      ['synced', 'duplicate'],
    ]);
  });

  it('sends again what a replay killed mid-way left in flight', async () => {
    const ops = await waiters(2);
    await queue(ops);
    // A replay that marked both sending, reached the server, then died with its tab.
    await markSending(
      store,
      (await store.list()).map((e) => e.seq),
    );
    server.plan({ kind: 'commit-then-throw' });
    await server
      .fetch(
        new Request('https://venue.example/v1/venues/demo-bistro/ops/batch', {
          method: 'POST',
          body: JSON.stringify({ deviceId: 'tablet-1', ops }),
        }),
      )
      .catch((error: unknown) => error);

    const report = await replayer().replay();

    expect(report).to.include({ outcome: 'drained', sent: 2 });
    expect(await statuses()).to.deep.equal(['synced', 'synced']);
    expect([...server.effects.values()]).to.deep.equal([1, 1]);
    expect(server.duplicates).to.deep.equal(ops.map((o) => o.opId));
  });

  it('lets exactly one of two racing replayers send, and none while another tab works', async () => {
    const ops = await waiters(4);
    await queue(ops);
    const second = await OutboxStore.open({ name });
    try {
      const one = replayer();
      const two = replayer({ store: second });

      // Another tab holds the lock and renews its lease: both stand back.
      let releaseTab = () => {};
      const tab = navigator.locks.request(
        REPLAY_LOCK,
        () =>
          new Promise<void>((resolve) => {
            releaseTab = resolve;
          }),
      );
      await store.db.updateMeta('lease', () => ({
        key: 'lease',
        holder: 'other-tab',
        expiresAt: clock.now() + 60 * SECOND,
      }));
      const blocked = await Promise.all([one.replay(), two.replay()]);
      expect(blocked.map((r) => r.outcome)).to.deep.equal(['busy', 'busy']);
      expect(server.received).to.have.length(0);
      // Busy says its ops are due now, so the worker looks again soon (a timer), not never.
      for (const report of blocked) expect(report.nextAttemptAt).to.be.at.most(clock.now());

      // The tab finishes (and releases its lease); both race for the replay.
      await store.db.updateMeta('lease', () => ({
        key: 'lease',
        holder: 'other-tab',
        expiresAt: 0,
      }));
      releaseTab();
      await tab;
      // The winner's batch is held at the server until the other racer has its answer: both
      // race while a replay is on the wire.
      let letGo = () => {};
      server.plan({
        kind: 'hold',
        release: new Promise<void>((resolve) => {
          letGo = resolve;
        }),
      });
      const racing = [one.replay(), two.replay()];
      await Promise.race(racing);
      letGo();
      const raced = await Promise.all(racing);

      expect(raced.map((r) => r.outcome).sort()).to.deep.equal(['busy', 'drained']);
      expect(server.received).to.have.length(1);
      expect(server.received[0]?.opIds).to.deep.equal(ops.map((o) => o.opId));
      expect(server.duplicates).to.deep.equal([]);
    } finally {
      second.close();
    }
  });

  it('is not blocked by a frozen tab that holds the lock with an expired lease', async () => {
    await queue(await waiters(2));
    let frozenError: unknown = null;
    const frozen = navigator.locks
      .request(REPLAY_LOCK, () => new Promise<void>(() => {}))
      .catch((error: unknown) => {
        frozenError = error;
      });
    await store.db.updateMeta('lease', () => ({
      key: 'lease',
      holder: 'frozen-tab',
      expiresAt: clock.now() - 1,
    }));

    const report = await replayer({ holderId: 'me' }).replay();

    expect(report).to.include({ outcome: 'drained', sent: 2 });
    await frozen;
    expect(frozenError).to.be.instanceOf(DOMException).and.have.property('name', 'AbortError');
    expect(await store.db.readMeta('lease')).to.deep.equal({
      key: 'lease',
      holder: 'me',
      expiresAt: 0,
    });
  });

  it('stores no answer it got after sleeping past its lease while another replayer took over', async () => {
    await queue(await waiters(4));
    let letGo = () => {};
    server.plan({
      kind: 'hold',
      release: new Promise<void>((resolve) => {
        letGo = resolve;
      }),
    });
    const frozen = replayer({ batchSize: 2, holderId: 'frozen', leaseMs: 60 * SECOND }).replay();
    await waitFor('the first batch at the server', () => server.received.length > 0);
    // A minute passes with the tab frozen mid-request; its lease expires and is taken.
    clock.advance(60 * SECOND);
    await navigator.locks.request(REPLAY_LOCK, { steal: true }, () =>
      store.db.updateMeta('lease', () => ({
        key: 'lease',
        holder: 'thief',
        expiresAt: clock.now() + 60 * SECOND,
      })),
    );
    expect((await frozen).outcome).to.equal('lost_lease');
    letGo();
    // The pass goes on in the background with the answer, and ends with its last word (sent ===
    // total), said once what it would store is stored and after anything more it would send.
    const last = await waitFor('the last word of the frozen pass', () =>
      heard.find((m) => m.type === 'replay-progress' && m.sent === m.total),
    );
    // Its last word says it stored nothing.
    expect(last).to.deep.equal({ type: 'replay-progress', sent: 0, total: 0 });
    // Its answers would overwrite whatever the new holder stores: they are dropped, and the ops
    // stay pending for the new holder (which gets `duplicate` for the two that went through).
    expect(server.received).to.have.length(1);
    expect(await statuses()).to.deep.equal(['pending', 'pending', 'pending', 'pending']);
  });

  it('stops at its next renewal once another replayer has taken over', async () => {
    await queue(await waiters(4));
    let letGo = () => {};
    server.plan({
      kind: 'hold',
      release: new Promise<void>((resolve) => {
        letGo = resolve;
      }),
    });
    const slow = replayer({ batchSize: 2, holderId: 'slow' }).replay();
    // Wait until the first batch is at the server, then take over as a replayer that judged
    // this one frozen.
    await waitFor('the first batch at the server', () => server.received.length > 0);
    await navigator.locks.request(REPLAY_LOCK, { steal: true }, () =>
      store.db.updateMeta('lease', () => ({
        key: 'lease',
        holder: 'thief',
        expiresAt: clock.now() + 60 * SECOND,
      })),
    );

    expect((await slow).outcome).to.equal('lost_lease');
    letGo();
    // The old replayer stores its batch's answers in the background, then stops at the lease
    // check before the next batch: its last word (sent === total) comes after that check, so
    // a second batch it sent would be at the server by then.
    const last = await waitFor('the last word of the slow pass', () =>
      heard.find((m) => m.type === 'replay-progress' && m.sent === m.total),
    );
    expect(last).to.deep.equal({ type: 'replay-progress', sent: 2, total: 2 });
    expect(server.received).to.have.length(1);
    expect(await statuses()).to.deep.equal(['synced', 'synced', 'pending', 'pending']);
    expect((await store.db.readMeta('lease'))?.holder).to.equal('thief');
  });
});
