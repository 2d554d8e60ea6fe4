import { expect } from '@esm-bundle/chai';
import { deleteDB } from 'idb';
import { browserHeldOutbox } from '../../web/app/held-outbox.ts';
import { CHANNEL } from '../../web/device/messages.ts';
import { discardHeld } from '../../web/device/outbox-held.ts';
import { OutboxStore } from '../../web/device/outbox-store.ts';
import type { OutboxEntry } from '../../web/device/outbox-types.ts';
import { REPLAY_LOCK, ReplayLease } from '../../web/sw/replay-lease.ts';
import { waitFor } from '../support/wait-for.ts';
import {
  addLines,
  callWaiter,
  createOrder,
  freshStore,
  markSending,
  rejectionOf,
  T0,
} from './outbox-fixtures.ts';

// Discarding ops held for their person (made by someone other than who is signed in), over
// the browser's real IndexedDB: only held pending or failed ones go, in one transaction; and
// the page's way to it, under the replay lock, saying outbox-changed.

const SAM = 'member-sam';
const MANAGER = 'member-mia';
const ids = (entries: readonly OutboxEntry[]) => entries.map((entry) => entry.opId);

describe('discardHeld', () => {
  let store: OutboxStore;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    ({ store, dispose } = await freshStore());
  });

  afterEach(async () => {
    await dispose();
  });

  it("removes another person's pending ops, and leaves the signed-in person's", async () => {
    const sams = await createOrder('order-1', { actorId: SAM });
    const mine = await callWaiter('table-4', { actorId: MANAGER });
    await store.add(sams, T0);
    await store.add(mine, T0);

    const removed = await discardHeld(store, [sams.opId, mine.opId], MANAGER);

    expect(removed).to.deep.equal([sams.opId]);
    expect(ids(await store.list())).to.deep.equal([mine.opId]);
  });

  it('removes a held failed op, never one left sending, delivered, or unknown', async () => {
    const failed = await createOrder('order-1', { actorId: SAM });
    const sending = await addLines('order-2', { actorId: SAM });
    const synced = await callWaiter('table-4', { actorId: SAM });
    const [f, s, d] = [
      (await store.add(failed, T0)).entry,
      (await store.add(sending, T0)).entry,
      (await store.add(synced, T0)).entry,
    ];
    await store.settle([
      { ...f, status: 'failed', lastError: { code: 'NETWORK', message: 'x' }, settledAt: T0 },
      { ...d, status: 'synced', settledAt: T0 },
    ]);
    await markSending(store, [s.seq]);

    const removed = await discardHeld(
      store,
      [failed.opId, sending.opId, synced.opId, 'not-queued'],
      MANAGER,
    );

    expect(removed).to.deep.equal([failed.opId]);
    expect((await store.list()).map((e) => [e.opId, e.status])).to.deep.equal([
      [sending.opId, 'sending'],
      [synced.opId, 'synced'],
    ]);
  });

  it('is one transaction: a failure half-way removes nothing', async () => {
    const a = await createOrder('order-1', { actorId: SAM });
    const b = await createOrder('order-2', { actorId: SAM });
    await store.add(a, T0);
    await store.add(b, T0);
    // The second key is not one IndexedDB takes: its read fails after the first was removed.
    const opIds = [a.opId, undefined as unknown as string];

    expect(await rejectionOf(discardHeld(store, opIds, MANAGER))).to.be.instanceOf(Error);
    expect(ids(await store.list())).to.deep.equal([a.opId, b.opId]);
  });
});

describe('browserHeldOutbox', () => {
  let name: string;
  let store: OutboxStore;

  beforeEach(async () => {
    name = `hearth-outbox-test-${crypto.randomUUID()}`;
    store = await OutboxStore.open({ name });
  });

  afterEach(async () => {
    store.close();
    await deleteDB(name);
  });

  it('discards held ops under the replay lock and says outbox-changed', async () => {
    const sams = await createOrder('order-1', { actorId: SAM });
    const mine = await callWaiter('table-4', { actorId: MANAGER });
    await store.add(sams, T0);
    await store.add(mine, T0);
    const heard: { type?: string }[] = [];
    const channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = (event) => heard.push(event.data);
    const outbox = browserHeldOutbox({ name });

    expect(ids([...(await outbox.entries())])).to.deep.equal([sams.opId, mine.opId]);
    expect(await outbox.discardHeld([sams.opId, mine.opId], MANAGER)).to.equal(1);

    expect(ids(await store.list())).to.deep.equal([mine.opId]);
    // Posted from this page after the discard: it arrives after whatever the discard said.
    const marker = new BroadcastChannel(CHANNEL);
    marker.postMessage({ type: 'marker' });
    await waitFor('the marker', () => heard.length > 0 && heard.at(-1)?.type === 'marker');
    marker.close();
    channel.close();
    expect(heard).to.deep.equal([{ type: 'outbox-changed' }, { type: 'marker' }]);
    // The lease it took is given back: the next replayer need not wait for it.
    expect((await ReplayLease.read(store.db))?.expiresAt).to.equal(0);
  });

  it('waits while a replay holds the lock, and gives up with a reason', async () => {
    const sams = await createOrder('order-1', { actorId: SAM });
    await store.add(sams, T0);
    const replayer = new ReplayLease(store.db, 'replayer', 60_000);
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const granted = new Promise<void>((resolve) => {
      void navigator.locks.request(REPLAY_LOCK, async () => {
        await replayer.claim(Date.now());
        resolve();
        await held;
      });
    });
    await granted;
    const outbox = browserHeldOutbox({ name, busyWaitMs: 300 });

    const refusal = await rejectionOf(outbox.discardHeld([sams.opId], MANAGER));
    expect(String(refusal)).to.contain('busy');
    expect(ids(await store.list())).to.deep.equal([sams.opId]);

    const later = outbox.discardHeld([sams.opId], MANAGER);
    await replayer.release();
    release();
    expect(await later).to.equal(1);
    expect(await store.list()).to.deep.equal([]);
  });
});
