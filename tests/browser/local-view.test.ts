import { expect } from '@esm-bundle/chai';
import { deleteDB } from 'idb';
import {
  decide,
  ENTITY_KINDS,
  type EntityChange,
  type FeedEntry,
  listEntities,
  type Operation,
  type SnapshotRecord,
} from '#protocol';
import {
  badgeOf,
  itemOf,
  itemsOf,
  LocalView,
  type LocalViewState,
  type OutboxReader,
} from '../../web/app/local-view.ts';
import { coalesce } from '../../web/device/local-coalesce.ts';
import {
  applyChanges,
  type LocalDb,
  openLocalDb,
  readSync,
  replaceAll,
  type SyncMeta,
  writeSession,
} from '../../web/device/local-db.ts';
import type { OutboxEntryLike } from '../../web/device/local-overlay.ts';
import type { Broadcast } from '../../web/device/messages.ts';
import { ctxFor, NOW, opOf, staff, venueState } from '../protocol/support/venue-fixture.ts';
import { waitFor } from '../support/wait-for.ts';

// The screen's view: cached truth plus this device's own unconfirmed ops, decided on top with
// the protocol's `decide`, each item badged synced / pending / failed.

const server = staff('server');
const SYNC: SyncMeta = {
  key: 'sync',
  venueId: 'demo-bistro',
  cursor: 'c-1',
  scopes: [],
  target: 'https://relay.test',
  snapshotSeq: 0,
  lastSyncAt: 1,
};

function records(): SnapshotRecord[] {
  const { entities } = venueState();
  return ENTITY_KINDS.flatMap((kind) =>
    listEntities(entities, kind).map((data) => ({ entity: kind, data }) as SnapshotRecord),
  );
}

const createOrder = (orderId: string, opId?: string) =>
  opOf(
    'order.create',
    {
      orderId,
      tableId: 'table-1',
      lines: [{ lineId: `${orderId}-l1`, itemId: 'burger', quantity: 2 }],
    },
    server,
    opId === undefined ? {} : { opId },
  );

const addFries = (orderId: string) =>
  opOf(
    'order.addLines',
    { orderId, lines: [{ lineId: `${orderId}-l2`, itemId: 'fries', quantity: 1 }] },
    server,
  );

function entry(
  seq: number,
  op: Operation,
  status: OutboxEntryLike['status'],
  extra: Partial<OutboxEntryLike> = {},
): OutboxEntryLike {
  return { seq, opId: op.opId, op, status, ...extra };
}

/** Writes what the cloud decided for `op` into the cache, as the feed would (with its opId). */
async function feedApplied(db: LocalDb, op: Operation): Promise<readonly EntityChange[]> {
  const decision = decide(venueState(), op, ctxFor(server));
  if (decision.kind !== 'applied') throw new Error(decision.message);
  const entries = decision.changes.map(
    (change, i) => ({ ...change, seq: 100 + i, at: NOW, opId: op.opId }) as FeedEntry,
  );
  const sync = await readSync(db);
  await applyChanges(
    db,
    coalesce(entries).changes,
    { ...SYNC, cursor: `after-${op.opId}` },
    {
      expectCursor: sync?.cursor,
    },
  );
  return decision.changes;
}

/** The `count`-th view a subscriber was given, once it has been (BroadcastChannel is async). */
const nthState = (states: readonly LocalViewState[], count: number): Promise<LocalViewState> =>
  waitFor(`view #${count}`, () => states[count - 1]);

describe('local view (cache + own pending ops)', () => {
  let name = '';
  let channelName = '';
  let db: LocalDb;
  let outbox: OutboxEntryLike[];
  let view: LocalView;
  const reader: OutboxReader = { list: async () => [...outbox] };

  beforeEach(async () => {
    name = `hearth-cache-test-${crypto.randomUUID()}`;
    channelName = `hearth-test-${crypto.randomUUID()}`;
    db = await openLocalDb(name);
    await replaceAll(db, records(), SYNC);
    await writeSession(db, server);
    outbox = [];
    view = new LocalView({
      db,
      outbox: reader,
      channel: new BroadcastChannel(channelName),
      clock: () => new Date(NOW),
    });
  });

  afterEach(async () => {
    view.close();
    db.close();
    await deleteDB(name);
  });

  it('shows a pending order optimistically, decided on the cache, badged pending', async () => {
    const create = await createOrder('order-1');
    const send = await opOf('order.sendToKitchen', { orderId: 'order-1' }, server, {
      dependsOn: [create.opId],
    });
    outbox = [entry(1, create, 'sending'), entry(2, send, 'pending')];

    const state = await view.refresh();
    const order = itemOf(state, 'order', 'order-1');
    expect(order?.entity).to.deep.include({ status: 'sent', tableId: 'table-1' });
    expect(order?.entity.totals.total).to.equal(2 * 1450);
    expect(order?.badge).to.deep.equal({ state: 'pending', opIds: [create.opId, send.opId] });
    // The send routed a ticket to the grill: it is on screen, and pending too.
    const tickets = itemsOf(state, 'ticket');
    expect(tickets.map((t) => [t.entity.station, t.badge.state])).to.deep.equal([
      ['grill', 'pending'],
    ]);
    expect(badgeOf(state, 'menuItem', 'burger')).to.deep.equal({ state: 'synced' });
    expect(state.pendingCount).to.equal(2);
    expect(state.ops.map((op) => op.shown)).to.deep.equal([true, true]);
  });

  it('badges an order only the venue relay holds “delivered_local”, and pending wins over it', async () => {
    const create = await createOrder('order-7');
    outbox = [entry(1, create, 'delivered_local')];
    let state = await view.refresh();
    expect(itemOf(state, 'order', 'order-7')?.badge).to.deep.equal({
      state: 'delivered_local',
      opIds: [create.opId],
    });
    expect([state.pendingCount, state.savedLocalCount]).to.deep.equal([0, 1]);

    // A later op on it, not sent yet: the order is pending again until that one goes.
    const send = await opOf('order.sendToKitchen', { orderId: 'order-7' }, server, {
      dependsOn: [create.opId],
    });
    outbox = [entry(1, create, 'delivered_local'), entry(2, send, 'pending')];
    state = await view.refresh();
    expect(itemOf(state, 'order', 'order-7')?.badge).to.deep.equal({
      state: 'pending',
      opIds: [create.opId, send.opId],
    });
    expect([state.pendingCount, state.savedLocalCount]).to.deep.equal([1, 1]);

    // The cloud confirmed both (the relay's notice): no badge.
    outbox = [entry(1, create, 'synced'), entry(2, send, 'synced')];
    state = await view.refresh();
    expect(badgeOf(state, 'order', 'order-7')).to.deep.equal({ state: 'synced' });
    expect([state.pendingCount, state.savedLocalCount]).to.deep.equal([0, 0]);
  });

  it('marks a failed op’s entity failed with the reason, and does not apply it', async () => {
    const create = await createOrder('order-2');
    await feedApplied(db, create);
    const add = await addFries('order-2');
    outbox = [
      entry(1, create, 'synced'),
      entry(2, add, 'failed', {
        result: {
          opId: add.opId,
          status: 'rejected',
          code: 'INVALID_STATE_TRANSITION',
          message: 'the order is closed',
        },
      }),
    ];

    const state = await view.refresh();
    const order = itemOf(state, 'order', 'order-2');
    expect(order?.entity.lines.map((l) => l.itemId)).to.deep.equal(['burger']);
    expect(order?.badge).to.deep.equal({
      state: 'failed',
      opId: add.opId,
      reason: 'INVALID_STATE_TRANSITION: the order is closed',
    });
    expect(state.failed.map((op) => [op.opId, op.type, op.target])).to.deep.equal([
      [add.opId, 'order.addLines', { kind: 'order', id: 'order-2' }],
    ]);
    expect(state.pendingCount).to.equal(0);
  });

  it('falls back to the outbox’s last error for a failed op with no result', async () => {
    const add = await addFries('order-404');
    outbox = [
      entry(1, add, 'failed', { lastError: { code: 'TOO_OLD', message: 'queued 7 days ago' } }),
    ];
    const state = await view.refresh();
    expect(badgeOf(state, 'order', 'order-404')).to.deep.include({
      state: 'failed',
      reason: 'TOO_OLD: queued 7 days ago',
    });
  });

  it('never applies an op twice once the feed has brought it', async () => {
    const create = await createOrder('order-3');
    await feedApplied(db, create);
    // Still "sending" in the outbox (the answer was lost), but the feed entry names the op.
    outbox = [entry(1, create, 'sending')];
    let state = await view.refresh();
    expect(itemOf(state, 'order', 'order-3')?.entity.lines).to.have.length(1);
    expect(state.ops[0]).to.deep.include({ shown: true, reason: undefined });

    // Synced with a result the cache has not caught up with: shown (no flicker), not badged.
    const add = await addFries('order-3');
    outbox = [
      entry(1, create, 'synced'),
      entry(2, add, 'synced', {
        result: {
          opId: add.opId,
          status: 'applied',
          seq: 9,
          changed: [{ entity: 'order', id: 'order-3', version: 2 }],
          at: NOW,
        },
      }),
    ];
    state = await view.refresh();
    expect(itemOf(state, 'order', 'order-3')?.entity.lines.map((l) => l.itemId)).to.deep.equal([
      'burger',
      'fries',
    ]);
    expect(badgeOf(state, 'order', 'order-3')).to.deep.equal({ state: 'synced' });
  });

  it('re-reads just the entities an entities-changed names, and a kind whole when none are', async () => {
    const states: LocalViewState[] = [];
    const off = view.subscribe((state) => states.push(state));
    const post = new BroadcastChannel(channelName);
    const next = (count: number) => nthState(states, count);
    const label = (state: LocalViewState, id: string) => itemOf(state, 'table', id)?.entity.label;
    const first = await next(1);
    const renamed = { ...itemOf(first, 'table', 'table-1')?.entity, label: '1A', version: 9 };
    const table9 = { id: 'table-9', label: '9', seats: 2, version: 1 };
    await applyChanges(
      db,
      [
        { op: 'put', kind: 'table', id: 'table-9', version: 1, data: table9, opId: undefined },
        { op: 'put', kind: 'table', id: 'table-1', version: 9, data: renamed, opId: undefined },
      ] as Parameters<typeof applyChanges>[1],
      { ...SYNC, cursor: 'c-2' },
    );
    // Only table-9 is named: table-1 is not read again, so it shows as it was.
    post.postMessage({ type: 'entities-changed', kinds: ['table'], ids: { table: ['table-9'] } });
    const second = await next(2);
    expect(label(second, 'table-9')).to.equal('9');
    expect(label(second, 'table-1')).to.equal(label(first, 'table-1'));

    await applyChanges(
      db,
      [{ op: 'delete', kind: 'table', id: 'table-9', version: 2 }],
      { ...SYNC, cursor: 'c-3' },
      { expectCursor: 'c-2' },
    );
    post.postMessage({ type: 'entities-changed', kinds: ['table'], ids: { table: ['table-9'] } });
    expect(itemOf(await next(3), 'table', 'table-9')).to.equal(undefined);

    // Ids that do not read right: the kind is read whole.
    post.postMessage({ type: 'entities-changed', kinds: ['table'], ids: { table: [7] } });
    expect(label(await next(4), 'table-1')).to.equal('1A');
    off();
    post.close();
  });

  it('knows a named entity the feed brought with an op: that op is not applied again', async () => {
    const states: LocalViewState[] = [];
    const off = view.subscribe((state) => states.push(state));
    const post = new BroadcastChannel(channelName);
    const until = (what: string, test: (state: LocalViewState) => boolean) =>
      waitFor(what, () => {
        const state = states.at(-1);
        return state && test(state) ? state : undefined;
      });
    await until('the first view', () => true);
    const create = await createOrder('order-5');
    outbox = [entry(1, create, 'sending')];
    post.postMessage({ type: 'outbox-changed' });
    await until('order-5 pending', (s) => badgeOf(s, 'order', 'order-5').state === 'pending');
    const changes = await feedApplied(db, create);
    const ids: Record<string, string[]> = {};
    for (const change of changes) ids[change.entity] = [...(ids[change.entity] ?? []), change.id];
    post.postMessage({
      type: 'entities-changed',
      kinds: [...new Set(changes.map((c) => c.entity))],
      ids,
    });
    const state = await until(
      'order-5 from the feed, its op shown once',
      (s) =>
        s.ops[0]?.shown === true &&
        s.pendingCount === 1 &&
        itemOf(s, 'order', 'order-5')?.entity.version ===
          changes.find((c) => c.entity === 'order')?.version,
    );
    expect(itemOf(state, 'order', 'order-5')?.entity.lines).to.have.length(1);
    expect(state.ops[0]).to.deep.include({ shown: true, reason: undefined });
    off();
    post.close();
  });

  it('re-reads on entities-changed and outbox-changed broadcasts', async () => {
    const seen: number[] = [];
    const states: LocalViewState[] = [];
    const off = view.subscribe((state) => {
      states.push(state);
      seen.push(itemsOf(state, 'table').length);
    });
    const post = new BroadcastChannel(channelName);
    const say = (message: Broadcast) => post.postMessage(message);
    const next = (count: number) => nthState(states, count);

    expect((await next(1)).pendingCount).to.equal(0);

    const create = await createOrder('order-4');
    outbox = [entry(1, create, 'pending')];
    say({ type: 'outbox-changed' });
    expect(badgeOf(await next(2), 'order', 'order-4').state).to.equal('pending');

    await applyChanges(
      db,
      [
        {
          op: 'put',
          kind: 'table',
          id: 'table-9',
          version: 1,
          data: { id: 'table-9', label: '9', seats: 2, version: 1 },
          opId: undefined,
        },
      ],
      { ...SYNC, cursor: 'c-2' },
    );
    say({ type: 'entities-changed', kinds: ['table'] });
    await next(3);
    expect(seen).to.deep.equal([4, 4, 5]);

    off();
    // A new subscriber sees the view re-read on the next message; the one that left does not.
    const after: LocalViewState[] = [];
    const offAfter = view.subscribe((state) => after.push(state));
    say({ type: 'outbox-changed' });
    await nthState(after, 2);
    expect(states).to.have.length(3);
    offAfter();
    post.close();
  });
});
