import { expect } from '@esm-bundle/chai';
import { deleteDB } from 'idb';
import type { Operation, OpResult } from '#protocol';
import type { Broadcast } from '../../web/device/messages.ts';
import { applyNotice, confirmed } from '../../web/device/outbox-confirm.ts';
import type { OutboxStore } from '../../web/device/outbox-store.ts';
import {
  OUTBOX_STATUSES,
  type OutboxEntry,
  type OutboxStatus,
} from '../../web/device/outbox-types.ts';
import { Hydrator } from '../../web/hydrator/hydrator.ts';
import { DEFAULT_HYDRATOR_SETTINGS, realClock } from '../../web/hydrator/hydrator-deps.ts';
import { noticeSink } from '../../web/hydrator/notice-sink.ts';
import { FakeFeedServer, fakeNetwork } from '../../web/hydrator/testing/fake-feed-server.ts';
import { waitFor } from '../support/wait-for.ts';
import { callWaiter, entryFor, freshStore, rejectionOf, T0 } from './outbox-fixtures.ts';

// The cloud's word on ops the venue relay kept: the relay's `notice` frames (and a resend's
// answer) settle the outbox's delivered_local entries — synced, or failed with the reason.

const AT = new Date(T0).toISOString();
const applied = (opId: string): OpResult => ({
  opId,
  status: 'applied',
  seq: 7,
  changed: [{ entity: 'serviceRequest', id: 'sr-1', version: 1 }],
  at: AT,
});
const rejected = (opId: string): OpResult => ({
  opId,
  status: 'rejected',
  code: 'INVALID_STATE_TRANSITION',
  message: 'the table is closed',
});
const acceptedLocal = (opId: string): OpResult => ({
  opId,
  status: 'accepted_local',
  seq: 3,
  changed: [],
  at: AT,
});

describe('confirmed (the cloud’s word on an outbox entry)', () => {
  let op: Operation;
  before(async () => {
    op = await callWaiter('table-4');
  });

  type Kind =
    | 'applied'
    | 'rejected'
    | 'accepted_local'
    | 'retryable'
    | 'dup applied'
    | 'dup rejected'
    | 'dup accepted_local';
  const resultOf = (kind: Kind, opId: string): OpResult => {
    switch (kind) {
      case 'applied':
        return applied(opId);
      case 'rejected':
        return rejected(opId);
      case 'accepted_local':
        return acceptedLocal(opId);
      case 'retryable':
        return { opId, status: 'retryable', code: 'UNAVAILABLE', message: 'later' };
      case 'dup applied':
        return { opId, status: 'duplicate', first: applied(opId) as never };
      case 'dup rejected':
        return { opId, status: 'duplicate', first: rejected(opId) as never };
      case 'dup accepted_local':
        return { opId, status: 'duplicate', first: acceptedLocal(opId) as never };
    }
  };
  const KINDS: Kind[] = [
    'applied',
    'rejected',
    'accepted_local',
    'retryable',
    'dup applied',
    'dup rejected',
    'dup accepted_local',
  ];
  // Every status × every answer: what the entry becomes (null: unchanged).
  const expected = (status: OutboxStatus, kind: Kind): OutboxStatus | null => {
    if (status === 'synced' || status === 'failed') return null;
    if (kind === 'applied' || kind === 'dup applied') return 'synced';
    if (kind === 'rejected' || kind === 'dup rejected') return 'failed';
    return null;
  };

  for (const status of OUTBOX_STATUSES) {
    for (const kind of KINDS) {
      const to = expected(status, kind);
      it(`${status} + ${kind} → ${to ?? 'unchanged'}`, () => {
        const entry = entryFor(op, { status });
        const next = confirmed(entry, resultOf(kind, op.opId), T0 + 5);
        if (to === null) {
          expect(next).to.equal(undefined);
          return;
        }
        expect(next?.status).to.equal(to);
        expect(next?.settledAt).to.equal(T0 + 5);
        if (to === 'synced') {
          expect(next?.result).to.deep.equal(applied(op.opId));
          expect(next?.lastError).to.equal(null);
        } else {
          expect(next?.result).to.deep.equal(rejected(op.opId));
          expect(next?.lastError).to.deep.equal({
            code: 'INVALID_STATE_TRANSITION',
            message: 'the table is closed',
          });
        }
      });
    }
  }
});

describe('applyNotice (over the real outbox database)', () => {
  let store: OutboxStore;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    ({ store, dispose } = await freshStore());
  });
  afterEach(async () => {
    await dispose();
  });

  /** An op the replay delivered to the relay: its answers stored as the replayer stores them. */
  async function deliveredLocal(): Promise<OutboxEntry> {
    const op = await callWaiter('table-4');
    const { entry } = await store.add(op, T0);
    await store.settle([
      { ...entry, status: 'delivered_local', result: acceptedLocal(op.opId), settledAt: T0 },
    ]);
    return entry;
  }

  it('turns a delivered_local entry synced, with the relay’s versions', async () => {
    const entry = await deliveredLocal();
    expect(await applyNotice(store.db, applied(entry.opId), T0 + 60_000)).to.equal(true);
    expect(await store.get(entry.opId)).to.deep.include({
      status: 'synced',
      result: applied(entry.opId),
      settledAt: T0 + 60_000,
    });
  });

  it('fails a delivered_local entry the cloud rejected, with the reason, for good', async () => {
    const entry = await deliveredLocal();
    await applyNotice(store.db, rejected(entry.opId), T0 + 60_000);
    const failed = await store.get(entry.opId);
    expect(failed?.status).to.equal('failed');
    expect(failed?.lastError).to.deep.equal({
      code: 'INVALID_STATE_TRANSITION',
      message: 'the table is closed',
    });
    // A rejection is final: the outbox refuses to send it again.
    const refused = await rejectionOf(store.retry(entry.opId, T0));
    expect((refused as { code?: string }).code).to.equal('NOT_RETRYABLE');
  });

  it('changes nothing for an op the outbox does not hold, or one already settled', async () => {
    const entry = await deliveredLocal();
    expect(await applyNotice(store.db, applied('01JD0000000000000000000000'), T0)).to.equal(false);
    await applyNotice(store.db, applied(entry.opId), T0 + 1);
    expect(await applyNotice(store.db, rejected(entry.opId), T0 + 2)).to.equal(false);
    expect((await store.get(entry.opId))?.status).to.equal('synced');
  });

  it('is not undone by the relay’s first answer stored after it (a notice that overtook the replay)', async () => {
    const op = await callWaiter('table-4');
    const { entry } = await store.add(op, T0);
    // The replay sent it; the relay kept it and the cloud applied it at once: the notice is
    // stored before the replay stores the relay's answer (accepted_local).
    await applyNotice(store.db, applied(op.opId), T0 + 10);
    await store.settle([
      { ...entry, status: 'delivered_local', result: acceptedLocal(op.opId), settledAt: T0 + 5 },
    ]);
    expect((await store.get(op.opId))?.status).to.equal('synced');
    expect((await store.list()).map((e) => e.status)).to.deep.equal(['synced']);
    await store.fold();
    expect((await store.get(op.opId))?.status).to.equal('synced');
  });
});

describe('notices from the relay’s socket into the outbox (hydrator + notice sink)', () => {
  const VENUE = 'demo-bistro';
  const RELAY = 'https://relay.test';
  let store: OutboxStore;
  let dispose: () => Promise<void>;
  let cacheName: string;
  let hydrator: Hydrator;
  let relay: FakeFeedServer;
  let heard: Broadcast[];

  beforeEach(async () => {
    ({ store, dispose } = await freshStore());
    cacheName = `hearth-cache-test-${crypto.randomUUID()}`;
    relay = new FakeFeedServer({ origin: RELAY, kind: 'relay', venueId: VENUE, pageSize: 50 });
    relay.upsert('table', { id: 't-1', label: 't-1', seats: 4 });
    heard = [];
    const channel = { postMessage: (message: Broadcast) => heard.push(message) };
    const onNotice = noticeSink({ openOutbox: async () => store.db, now: Date.now, channel });
    const network = fakeNetwork(relay);
    const { openLocalDb } = await import('../../web/device/local-db.ts');
    hydrator = new Hydrator({
      fetch: network.fetch,
      WebSocket: network.WebSocket,
      clock: { now: () => Date.now(), sleep: (ms, s) => realClock.sleep(Math.min(ms, 20), s) },
      random: () => 0.5,
      locks: navigator.locks,
      channel,
      openDb: () => openLocalDb(cacheName),
      defaultOrigin: RELAY,
      settings: {
        ...DEFAULT_HYDRATOR_SETTINGS,
        lockName: `hearth-hydrator-test-${crypto.randomUUID()}`,
        waitSeconds: 0.05,
      },
      onNotice: (result) => void onNotice(result),
    });
  });

  afterEach(async () => {
    await hydrator.stop();
    await dispose();
    await deleteDB(cacheName);
  });

  it('settles a delivered_local op when its notice arrives, and says outbox-changed', async () => {
    const op = await callWaiter('table-4');
    const { entry } = await store.add(op, T0);
    await store.settle([
      { ...entry, status: 'delivered_local', result: acceptedLocal(op.opId), settledAt: T0 },
    ]);
    await hydrator.start({ venueId: VENUE, scopes: ['venue'] });
    await waitFor('live', () => hydrator.status().phase === 'live');
    heard = [];

    relay.notice(applied(op.opId));

    await waitFor('synced', async () => (await store.get(op.opId))?.status === 'synced');
    await waitFor('outbox-changed', () => heard.some((m) => m.type === 'outbox-changed'));
  });

  it('fails one the cloud rejected, with the reason', async () => {
    const op = await callWaiter('table-4');
    const { entry } = await store.add(op, T0);
    await store.settle([
      { ...entry, status: 'delivered_local', result: acceptedLocal(op.opId), settledAt: T0 },
    ]);
    await hydrator.start({ venueId: VENUE, scopes: ['venue'] });
    await waitFor('live', () => hydrator.status().phase === 'live');

    relay.notice(rejected(op.opId));

    await waitFor('failed', async () => (await store.get(op.opId))?.status === 'failed');
    expect((await store.get(op.opId))?.lastError?.message).to.equal('the table is closed');
  });
});
