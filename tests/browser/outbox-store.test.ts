import { expect } from '@esm-bundle/chai';
import { deleteDB } from 'idb';
import { newUlid, type Operation } from '#protocol';
import { KEEP_LOCAL_MS, OutboxStore } from '../../web/device/outbox-store.ts';
import { type OutboxEntry, OutboxError, outboxCounts } from '../../web/device/outbox-types.ts';
import {
  addLines,
  callWaiter,
  closeOrder,
  createOrder,
  due,
  freshStore,
  markSending,
  rejectionOf,
  sendToKitchen,
  T0,
} from './outbox-fixtures.ts';

// The outbox store over the browser's real IndexedDB: FIFO, lanes, dependsOn, the cap, the age
// limit, and that what it wrote is there for a new connection.

const DAY = 86_400_000;

async function expectOutboxError(work: Promise<unknown>, code: string): Promise<void> {
  expect(await rejectionOf(work))
    .to.be.instanceOf(OutboxError)
    .and.have.property('code', code);
}

const ids = (entries: readonly OutboxEntry[]) => entries.map((entry) => entry.opId);

describe('outbox store', () => {
  let store: OutboxStore;
  let dispose: () => Promise<void>;
  let name: string;

  beforeEach(async () => {
    ({ store, dispose, name } = await freshStore({ cap: 6 }));
  });

  afterEach(async () => {
    await dispose();
  });

  async function addAll(ops: readonly Operation[], now = T0): Promise<OutboxEntry[]> {
    const added: OutboxEntry[] = [];
    for (const op of ops) added.push((await store.add(op, now)).entry);
    return added;
  }

  it('queues ops in FIFO order with their lane, pending, ready at once', async () => {
    const create = await createOrder('order-1');
    const close = await closeOrder('order-1');
    const [a, b] = await addAll([create, close]);
    expect(a?.seq).to.be.lessThan(b?.seq ?? 0);
    expect(a).to.include({ opId: create.opId, lane: 'default', status: 'pending', tries: 0 });
    expect(b).to.include({ lane: 'priority', nextAttemptAt: T0, createdAt: T0 });
    expect(ids(await store.list())).to.deep.equal([create.opId, close.opId]);
    expect((await store.get(close.opId))?.op).to.deep.equal(close);
  });

  it('gives a batch in FIFO order within a lane', async () => {
    const ops = [
      await callWaiter('table-1'),
      await callWaiter('table-2'),
      await callWaiter('table-3'),
    ];
    await addAll(ops);
    expect(ids(await due(store, T0, 50))).to.deep.equal(ops.map((o) => o.opId));
    expect(ids(await due(store, T0, 2))).to.deep.equal(ops.slice(0, 2).map((o) => o.opId));
  });

  it('sends priority ops first, but never ahead of the earlier ops they are related to', async () => {
    const waiter = await callWaiter('table-9');
    const create = await createOrder('order-1');
    const lines = await addLines('order-1');
    const other = await createOrder('order-2');
    const close = await closeOrder('order-1');
    const fire = await sendToKitchen('order-2');
    await addAll([waiter, create, lines, other, close, fire]);

    // close drags order-1's create and lines along; fire drags order-2's create; then the rest.
    expect(ids(await due(store, T0, 50))).to.deep.equal([
      create.opId,
      lines.opId,
      close.opId,
      other.opId,
      fire.opId,
      waiter.opId,
    ]);
    // A smaller batch keeps the same order.
    expect(ids(await due(store, T0, 2))).to.deep.equal([create.opId, lines.opId]);
  });

  it('holds an op behind a related op that is backing off, not an unrelated one', async () => {
    const create = await createOrder('order-1');
    const close = await closeOrder('order-1');
    const waiter = await callWaiter('table-4');
    const [first] = await addAll([create, close, waiter]);
    const [sending] = await markSending(store, [first?.seq ?? 0]);
    await store.settle([
      { ...(sending as OutboxEntry), status: 'pending', tries: 1, nextAttemptAt: T0 + 5000 },
    ]);

    expect(ids(await due(store, T0 + 1000, 50))).to.deep.equal([waiter.opId]);
    expect(ids(await due(store, T0 + 5000, 50))).to.deep.equal([
      create.opId,
      close.opId,
      waiter.opId,
    ]);
  });

  it('waits for a dependency to be delivered, or sends it first in the same batch', async () => {
    const create = await createOrder('order-1');
    const fire = await sendToKitchen('order-1', { dependsOn: [create.opId] });
    const [c] = await addAll([create, fire]);
    expect(ids(await due(store, T0, 50))).to.deep.equal([create.opId, fire.opId]);

    // The dependency backing off: the dependent waits with it.
    const stored = c as OutboxEntry;
    await store.settle([{ ...stored, tries: 1, nextAttemptAt: T0 + 5000 }]);
    expect(ids(await due(store, T0, 50))).to.deep.equal([]);

    // Delivered (here by the relay): the dependent goes.
    await store.settle([{ ...stored, status: 'delivered_local', settledAt: T0 }]);
    expect(ids(await due(store, T0, 50))).to.deep.equal([fire.opId]);
  });

  it('holds a held op and what is related to it, whatever the time, not the rest', async () => {
    const create = await createOrder('order-1', { actorId: 'server-2' });
    const lines = await addLines('order-1');
    const waiter = await callWaiter('table-4');
    await addAll([create, lines, waiter]);
    const byServer2 = (entry: OutboxEntry) => entry.op.actorId === 'server-2';

    expect(ids(await due(store, T0 + 3_600_000, 50, byServer2))).to.deep.equal([waiter.opId]);
    expect(ids(await due(store, T0, 50))).to.deep.equal([create.opId, lines.opId, waiter.opId]);
  });

  it('fails the dependents of a failed op with DEPENDENCY_FAILED, transitively', async () => {
    const create = await createOrder('order-1');
    const lines = await addLines('order-1', { dependsOn: [create.opId] });
    const fire = await sendToKitchen('order-1', { dependsOn: [lines.opId] });
    const waiter = await callWaiter('table-4');
    const [c] = await addAll([create, lines, fire, waiter]);
    const [sending] = await markSending(store, [c?.seq ?? 0]);
    await store.settle([
      {
        ...(sending as OutboxEntry),
        status: 'failed',
        lastError: { code: 'FORBIDDEN', message: 'no' },
        settledAt: T0,
      },
    ]);

    expect(ids(await due(store, T0, 50))).to.deep.equal([waiter.opId]);
    const after = await store.list();
    expect(after.map((e) => [e.status, e.lastError?.code ?? null])).to.deep.equal([
      ['failed', 'FORBIDDEN'],
      ['failed', 'DEPENDENCY_FAILED'],
      ['failed', 'DEPENDENCY_FAILED'],
      ['pending', null],
    ]);

    // Retrying the root brings its dependents back with it.
    await store.retry(create.opId, T0 + 1);
    expect((await store.list()).map((e) => e.status)).to.deep.equal([
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    expect(ids(await due(store, T0 + 1, 50))).to.deep.equal([
      create.opId,
      lines.opId,
      fire.opId,
      waiter.opId,
    ]);
  });

  it("keeps one device's ops for one venue in a batch", async () => {
    const mine = await callWaiter('table-1');
    const theirs = await callWaiter('table-2', { deviceId: 'tablet-2' });
    const mineAgain = await callWaiter('table-3');
    await addAll([mine, theirs, mineAgain]);
    expect(ids(await due(store, T0, 50))).to.deep.equal([mine.opId, mineAgain.opId]);
  });

  it('refuses past the cap with OUTBOX_FULL; delivered ops do not count', async () => {
    const ops: Operation[] = [];
    for (let i = 0; i < 7; i++) ops.push(await callWaiter(`table-${i}`));
    await addAll(ops.slice(0, 6));
    await expectOutboxError(store.add(ops[6] as Operation, T0), 'OUTBOX_FULL');
    expect(await store.list()).to.have.length(6);

    const [first] = await markSending(store, [(await store.list())[0]?.seq ?? 0]);
    await store.settle([{ ...(first as OutboxEntry), status: 'synced', settledAt: T0 }]);
    expect((await store.add(ops[6] as Operation, T0)).created).to.equal(true);
  });

  it('finds an op queued twice, and refuses its opId with another payload', async () => {
    const create = await createOrder('order-1');
    await store.add(create, T0);
    const again = await store.add(create, T0 + 5);
    expect(again.created).to.equal(false);
    expect(again.entry.createdAt).to.equal(T0);
    const other = await createOrder('order-2');
    await expectOutboxError(store.add({ ...other, opId: create.opId }, T0), 'OPID_REUSED');
    expect(await store.list()).to.have.length(1);
  });

  it('fails ops past the age limit as TOO_OLD, keeps and shows them, never resends them', async () => {
    const old = await callWaiter('table-1');
    const fresh = await callWaiter('table-2');
    await store.add(old, T0);
    await store.add(fresh, T0 + 2 * DAY);

    const now = T0 + 6 * DAY + 1;
    expect(ids(await due(store, now, 50))).to.deep.equal([fresh.opId]);
    const kept = await store.get(old.opId);
    expect(kept).to.include({ status: 'failed', settledAt: now });
    expect(kept?.lastError?.code).to.equal('TOO_OLD');
    expect(outboxCounts(await store.list(), now).failedOps).to.equal(1);
    await expectOutboxError(store.retry(old.opId, now), 'NOT_RETRYABLE');
  });

  it('keeps strictly durable writes across a new connection, in order, with their state', async () => {
    const ops = [
      await createOrder('order-1'),
      await closeOrder('order-1'),
      await callWaiter('table-1'),
    ];
    const added = await addAll(ops);
    await markSending(store, [added[0]?.seq ?? 0]);
    const before = await store.list();
    store.close();

    const reopened = await OutboxStore.open({ name });
    try {
      expect(await reopened.list()).to.deep.equal(before);
      expect((await reopened.list()).map((e) => e.status)).to.deep.equal([
        'sending',
        'pending',
        'pending',
      ]);
      // What a dead replay left in flight goes again in its place, not lost.
      expect((await reopened.queued(T0)).map((e) => e.status)).to.deep.equal([
        'pending',
        'pending',
        'pending',
      ]);
      expect(ids(await due(reopened, T0, 50))).to.deep.equal(ops.map((o) => o.opId));
      // Seqs keep growing after a reopen: FIFO holds across connections.
      const later = await reopened.add(await callWaiter('table-2'), T0);
      expect(later.entry.seq).to.be.greaterThan(added[2]?.seq ?? 0);
    } finally {
      reopened.close();
      store = await OutboxStore.open({ name });
    }
  });

  it('discards only failed ops, and retries only what a retry can fix', async () => {
    const op = await callWaiter('table-1');
    await store.add(op, T0);
    await expectOutboxError(store.discard(op.opId), 'NOT_FAILED');
    await expectOutboxError(store.retry(op.opId, T0), 'NOT_FAILED');
    await expectOutboxError(store.discard(newUlid()), 'NOT_FOUND');

    const [sending] = await markSending(store, [(await store.get(op.opId))?.seq ?? 0]);
    await store.settle([
      {
        ...(sending as OutboxEntry),
        status: 'failed',
        result: { opId: op.opId, status: 'rejected', code: 'NOT_FOUND', message: 'no table' },
        lastError: { code: 'NOT_FOUND', message: 'no table' },
        settledAt: T0,
      },
    ]);
    await expectOutboxError(store.retry(op.opId, T0), 'NOT_RETRYABLE');
    expect((await store.discard(op.opId)).opId).to.equal(op.opId);
    expect(await store.list()).to.deep.equal([]);
  });

  it('counts by status, with depth, the oldest waiting op and a sign-in flag', async () => {
    const [a, b, c] = await addAll([
      await callWaiter('table-1'),
      await callWaiter('table-2'),
      await callWaiter('table-3'),
    ]);
    await store.add(await callWaiter('table-4'), T0 + 100);
    const sent = await markSending(store, [a?.seq ?? 0, b?.seq ?? 0, c?.seq ?? 0]);
    await store.settle([
      { ...(sent[0] as OutboxEntry), status: 'synced', settledAt: T0 },
      {
        ...(sent[1] as OutboxEntry),
        status: 'failed',
        settledAt: T0,
        lastError: { code: 'X', message: 'x' },
      },
      {
        ...(sent[2] as OutboxEntry),
        status: 'pending',
        lastError: { code: 'SIGN_IN', message: 'sign in' },
      },
    ]);
    expect(outboxCounts(await store.list(), T0 + 1000)).to.deep.equal({
      pending: 2,
      sending: 0,
      deliveredLocal: 0,
      synced: 1,
      failedOps: 1,
      depth: 2,
      oldestPendingAt: T0,
      oldestPendingAgeMs: 1000,
      signInRequired: true,
    });
  });

  it('prunes delivered ops once they are old enough, never failed ones', async () => {
    const [a, b] = await addAll([await callWaiter('table-1'), await callWaiter('table-2')]);
    const sent = await markSending(store, [a?.seq ?? 0, b?.seq ?? 0]);
    await store.settle([
      { ...(sent[0] as OutboxEntry), status: 'synced', settledAt: T0 },
      {
        ...(sent[1] as OutboxEntry),
        status: 'failed',
        settledAt: T0,
        lastError: { code: 'X', message: 'x' },
      },
    ]);
    expect(await store.prune(T0 + 60_000, 60_000)).to.equal(0);
    expect(await store.prune(T0 + 60_001, 60_000)).to.equal(1);
    expect((await store.list()).map((e) => e.status)).to.deep.equal(['failed']);
  });

  it('keeps an op the relay kept (delivered_local) for a day, waiting for the cloud’s word', async () => {
    const [a, b] = await addAll([await callWaiter('table-1'), await callWaiter('table-2')]);
    await store.settle([
      { ...(a as OutboxEntry), status: 'delivered_local', settledAt: T0 },
      { ...(b as OutboxEntry), status: 'synced', settledAt: T0 },
    ]);
    expect(await store.prune(T0 + 10 * 60_001, 10 * 60_000)).to.equal(1);
    expect((await store.list()).map((e) => e.status)).to.deep.equal(['delivered_local']);
    expect(await store.prune(T0 + KEEP_LOCAL_MS, 10 * 60_000)).to.equal(0);
    expect(await store.prune(T0 + KEEP_LOCAL_MS + 1, 10 * 60_000)).to.equal(1);
  });
});

describe('outbox database', () => {
  it('opens as hearth-outbox by default', async () => {
    const store = await OutboxStore.open();
    try {
      expect(store.cap).to.equal(500);
      expect(store.maxAgeMs).to.equal(6 * DAY);
    } finally {
      store.close();
      await deleteDB('hearth-outbox');
    }
  });
});
