import { describe, expect, it, vi } from 'vitest';
import {
  createTokenSigner,
  generateTokenKeyPair,
  newUlid,
  type Operation,
  type Principal,
} from '#protocol';
import { NOW, opOf, staff, TENANT, VENUE } from '../../tests/protocol/support/venue-fixture.ts';
import { MemoryRelayStore } from '../store/memory-relay-store.ts';
import type { JournalRecord } from '../store/relay-store.ts';
import { RelayBus } from '../sync/feed-bus.ts';
import { VenueEngine } from '../sync/venue-engine.ts';
import { bootstrappedEngine, testRelayKeys } from '../testing/lan-fixture.ts';
import { CloudClient } from './cloud-client.ts';
import { nextBatch, nextReplayBatch, Reconciler } from './reconciler.ts';
import { FakeReplayCloud, HandSleeper, httpError, networkError } from './test-fakes.ts';

let jseq = 0;
function record(
  op: Operation,
  deviceId: string,
  principal: Principal = staff('server'),
): JournalRecord {
  return {
    jseq: ++jseq,
    opId: op.opId,
    deviceId,
    op: { ...op, deviceId },
    principal,
    receivedAt: '2026-11-23T19:30:00.000Z',
    status: 'pending',
    result: {
      opId: op.opId,
      status: 'accepted_local',
      seq: jseq,
      changed: [],
      at: '2026-11-23T19:30:00.000Z',
    },
  };
}

const create = (orderId: string) =>
  opOf('order.create', { orderId, tableId: 'table-1' }, staff('server'));
const send = (orderId: string) => opOf('order.sendToKitchen', { orderId }, staff('server'));

describe('replay batches', () => {
  it('takes one device’s ops past another device’s unrelated ones', async () => {
    const a1 = record(await create('o-a1'), 'tab-a');
    const b1 = record(await create('o-b1'), 'tab-b');
    const a2 = record(await create('o-a2'), 'tab-a');
    const b2 = record(await create('o-b2'), 'tab-b');
    expect(nextBatch([a1, b1, a2, b2], 50).map((r) => r.opId)).toEqual([a1.opId, a2.opId]);
  });

  it('never lets an op overtake another device’s op on the same order', async () => {
    const a1 = record(await create('o-1'), 'tab-a');
    const b1 = record(
      await opOf(
        'order.addLines',
        { orderId: 'o-1', lines: [{ lineId: 'x', itemId: 'fries', quantity: 1 }] },
        staff('server'),
      ),
      'tab-b',
    );
    const a2 = record(await send('o-1'), 'tab-a');
    const a3 = record(await create('o-3'), 'tab-a');
    // a2 touches o-1, which b1 (skipped) touches: the batch stops at a2, and so a3 waits too.
    expect(nextBatch([a1, b1, a2, a3], 50).map((r) => r.opId)).toEqual([a1.opId]);
  });

  it('stops at the same device acting as another person, and at the size limit', async () => {
    const a1 = record(await create('o-1'), 'tab-a');
    const a2 = record(await create('o-2'), 'tab-a', staff('manager'));
    const a3 = record(await create('o-3'), 'tab-a');
    expect(nextBatch([a1, a2, a3], 50).map((r) => r.opId)).toEqual([a1.opId]);
    expect(nextBatch([a1, a3], 1).map((r) => r.opId)).toEqual([a1.opId]);
  });
});

describe('replay batches around a device that waits', () => {
  it('passes over a waiting device’s records, and a device stepped over waits behind it', async () => {
    const a1 = record(await create('o-a1'), 'tab-a');
    const b1 = record(await create('o-b1'), 'tab-b');
    const c1 = record(await send('o-a1'), 'tab-c');
    const c2 = record(await create('o-c2'), 'tab-c');
    const b2 = record(await create('o-b2'), 'tab-b');
    const waiting = new Set(['tab-a']);
    expect(nextBatch([a1, b1, c1, c2, b2], 50, waiting).map((r) => r.opId)).toEqual([
      b1.opId,
      b2.opId,
    ]);
    // tab-c's first op shares o-a1 with the waiting one: tab-c waits too, even its unrelated c2.
    expect(nextBatch([a1, c1, c2], 50, waiting)).toEqual([]);
    expect(nextBatch([a1, b1], 50, new Set(['tab-a', 'tab-b']))).toEqual([]);
  });
});

describe('reconciler, through its ports with a fake cloud', () => {
  /** A cloud that cannot decide tab-a's op yet (DEPENDENCY_PENDING) and applies the rest. */
  function fakeCloud(sent: string[]) {
    return async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const body = JSON.parse(String(init?.body)) as { deviceId: string; ops: Operation[] };
      sent.push(body.deviceId);
      const results = body.ops.map((op) =>
        body.deviceId === 'tab-a'
          ? {
              opId: op.opId,
              status: 'retryable',
              code: 'DEPENDENCY_PENDING',
              message: 'waits',
              retryAfterMs: 2000,
            }
          : { opId: op.opId, status: 'applied', seq: 0, changed: [], at: NOW },
      );
      return Response.json({ results });
    };
  }

  async function waitingSetup() {
    const store = new MemoryRelayStore();
    const engine = new VenueEngine({
      store,
      bus: new RelayBus(),
      clock: () => new Date(NOW),
      tenantId: TENANT,
      venueId: VENUE,
      onFatal: (error) => {
        throw error;
      },
    });
    const server = staff('server');
    const bogus = await opOf('order.create', { orderId: 'o-x', tableId: 'table-1' }, server, {
      deviceId: 'tab-a',
      dependsOn: ['01JD0000000000000000000999'],
    });
    const waiter = await opOf('order.create', { orderId: 'o-y', tableId: 'table-1' }, server, {
      deviceId: 'tab-b',
    });
    await engine.submitLocal(bogus, server);
    await engine.submitLocal(waiter, server);
    const sent: string[] = [];
    const clock = { now: 0 };
    const drained: number[] = [];
    const { privateKey } = await generateTokenKeyPair();
    const client = new CloudClient({
      baseUrl: () => 'http://cloud.test',
      credential: 'relay-credential',
      venueId: VENUE,
      fetch: fakeCloud(sent) as typeof fetch,
    });
    const reconciler = new Reconciler({
      store,
      engine,
      signer: createTokenSigner({ privateKey, kid: 'relay:relay-1' }),
      clock: () => new Date(NOW),
      log: () => {},
      client: () => client,
      feedActive: () => true,
      mayReplay: () => true,
      onNetworkError: () => {},
      onDrained: () => drained.push(clock.now),
      now: () => clock.now,
      // Simulated time: a sleep moves the clock on, then lets the loop yield.
      sleep: async (ms) => {
        clock.now += ms;
        await new Promise((resolve) => setImmediate(resolve));
      },
    });
    return { reconciler, sent, store, bogus, waiter, clock, drained };
  }

  it('keeps replaying the other devices while one device’s op waits at the cloud', async () => {
    const { reconciler, sent, store, bogus, waiter, clock } = await waitingSetup();
    expect(await reconciler.replayOnce()).toBe(true);
    expect(await reconciler.replayOnce()).toBe(true);
    // tab-a waits its 2 s: nothing more to send until then, and the journal has not drained.
    expect(await reconciler.replayOnce()).toBe(false);
    expect(sent).toEqual(['tab-a', 'tab-b']);
    expect(store.pendingJournal(10).map((r) => r.opId)).toEqual([bogus.opId]);
    expect(store.journalEntry(waiter.opId)?.status).toBe('synced');
    clock.now = 2000;
    expect(await reconciler.replayOnce()).toBe(true);
    expect(sent).toEqual(['tab-a', 'tab-b', 'tab-a']);
  });

  it('never reports the journal drained while an op still waits at the cloud', async () => {
    const { reconciler, sent, drained } = await waitingSetup();
    reconciler.setActive(true);
    reconciler.start();
    // The loop has settled tab-b and gone back to tab-a's waiting op at least once.
    await vi.waitFor(() => {
      expect(sent.filter((d) => d === 'tab-b')).toHaveLength(1);
      expect(sent.filter((d) => d === 'tab-a').length).toBeGreaterThan(1);
    });
    await reconciler.stop();
    expect(drained).toEqual([]);
  });
});

describe('replay batches and dependencies across devices', () => {
  it('an op a waiting record depends on goes first: it is what that record waits for', async () => {
    const d = await create('o-d');
    const hostile = record(
      await opOf('order.create', { orderId: 'o-h', tableId: 'table-1' }, staff('server'), {
        dependsOn: [d.opId],
      }),
      'tab-x',
    );
    const honest = record(d, 'tab-w');
    expect(nextBatch([hostile, honest], 50, new Set(['tab-x'])).map((r) => r.opId)).toEqual([
      honest.opId,
    ]);
    // The other way round, the dependent op never overtakes what it depends on.
    const dependent = record(
      await opOf('order.sendToKitchen', { orderId: 'o-z' }, staff('server'), {
        dependsOn: [hostile.opId],
      }),
      'tab-w',
    );
    expect(nextBatch([hostile, dependent], 50, new Set(['tab-x']))).toEqual([]);
  });
});

describe('replay batches and tickets', () => {
  it('a ticket op never overtakes the send that creates its ticket, even past a waiting device', async () => {
    const create1 = record(await create('o-1'), 'tab-w');
    const fire = record(await send('o-1'), 'tab-w');
    const bump = record(
      await opOf(
        'ticket.transition',
        { ticketId: `${fire.opId}-grill`, action: 'start' },
        staff('kitchen'),
      ),
      'kds-1',
      staff('kitchen'),
    );
    expect(nextBatch([create1, fire, bump], 50, new Set(['tab-w']))).toEqual([]);
  });

  it('a ticket op never overtakes an op on the ticket’s order (a voided line, a fired course)', async () => {
    const ticketId = '01JD00000000000000000SEND1-grill';
    const voided = record(
      await opOf(
        'order.voidLine',
        { orderId: 'o-7', lineId: 'l-2', reason: 'sent back' },
        staff('server'),
      ),
      'tab-w',
    );
    const bump = record(
      await opOf('ticket.transition', { ticketId, action: 'ready' }, staff('kitchen')),
      'kds-1',
      staff('kitchen'),
    );
    const orderOf = (id: string) => (id === ticketId ? ['o-7'] : []);
    // The server's device waits: the kitchen's op on that order's ticket waits behind it.
    expect(nextBatch([voided, bump], 50, new Set(['tab-w']), orderOf)).toEqual([]);
    // Without knowing the ticket's order it would have gone first.
    expect(nextBatch([voided, bump], 50, new Set(['tab-w'])).map((r) => r.opId)).toEqual([
      bump.opId,
    ]);
  });
});

describe('replay batches and dishes', () => {
  const fries = (orderId: string, lineId: string, deviceId: string) =>
    opOf(
      'order.addLines',
      { orderId, lines: [{ lineId, itemId: 'fries', quantity: 1 }] },
      staff('server'),
    ).then((op) => record(op, deviceId));
  const bump = (ticketId: string) =>
    opOf('ticket.transition', { ticketId, action: 'start' }, staff('kitchen')).then((op) =>
      record(op, 'kds-fry', staff('kitchen')),
    );

  it('a check that orders a dish passes another’s; a dish sold out never passes a line ordering it', async () => {
    const mine = await fries('o-1', 'l-1', 'tab-a');
    const theirs = await fries('o-2', 'l-2', 'tab-b');
    const soldOut = record(
      await opOf(
        'menu.item.setAvailability',
        { itemId: 'fries', available: false },
        staff('manager'),
      ),
      'tab-b',
      staff('manager'),
    );
    const waiting = new Set(['tab-a']);
    expect(nextBatch([mine, theirs], 50, waiting).map((r) => r.opId)).toEqual([theirs.opId]);
    expect(nextBatch([mine, soldOut], 50, waiting)).toEqual([]);
  });

  it('keeps a kitchen display’s ops in order when another check with the same dish is paid', async () => {
    // The fry station started a ticket, then one of a check that later ordered fries again;
    // another check with fries was paid. The fry station's second op must not go first.
    const first = await bump('t-0');
    const unpaid = await fries('o-1', 'l-1', 'tab-a');
    const second = await bump('t-1');
    const more = await fries('o-1', 'l-2', 'tab-a');
    const paid = await fries('o-2', 'l-3', 'tab-b');
    const pay = record(
      await opOf(
        'payment.cash',
        { paymentId: newUlid(), orderId: 'o-2', amount: 100, tip: 0, tendered: 100 },
        staff('server'),
      ),
      'tab-b',
    );
    const related = (id: string) => (id === 't-0' ? ['o-0'] : id === 't-1' ? ['o-1'] : []);
    // The reconciler's rounds, each batch settled before the next is chosen.
    let pending = [first, unpaid, second, more, paid, pay];
    const sent: string[] = [];
    while (pending.length > 0) {
      const batch = nextReplayBatch(pending, 50, new Set(), related);
      expect(batch.length).toBeGreaterThan(0);
      sent.push(...batch.map((r) => r.opId));
      pending = pending.filter((r) => !batch.includes(r));
    }
    expect(sent.indexOf(first.opId)).toBeLessThan(sent.indexOf(second.opId));
    expect(sent.slice(0, 2)).toEqual([paid.opId, pay.opId]);
  });
});

describe('reconciler loop, through its ports (a scripted cloud, a hand-driven sleeper)', () => {
  async function loopSetup(options: { feedActive?: boolean; random?: number } = {}) {
    const { signer } = await testRelayKeys;
    const store = new MemoryRelayStore();
    const bus = new RelayBus();
    const clock = () => new Date(NOW);
    // The cloud's feed stands at seq 10: a verdict applied at or below it needs no wait.
    const engine = await bootstrappedEngine(store, bus, clock);
    const notices: string[] = [];
    bus.subscribe(VENUE, { notice: (notice) => notices.push(notice.result.opId) });
    const cloud = new FakeReplayCloud();
    cloud.seq = 10;
    const sleeper = new HandSleeper();
    const logs: string[] = [];
    const networkErrors: string[] = [];
    let drained = 0;
    let ms = 0;
    const reconciler = new Reconciler({
      store,
      engine,
      signer,
      clock,
      log: (level, msg) => logs.push(`${level} ${msg}`),
      client: () => cloud,
      feedActive: () => options.feedActive ?? true,
      mayReplay: () => true,
      onNetworkError: (detail) => networkErrors.push(detail),
      onDrained: () => drained++,
      now: () => ms,
      waker: sleeper,
      random: () => options.random ?? 0,
    });
    const submit = async (orderId: string, deviceId = 'tab-a') => {
      const op = await opOf('order.create', { orderId, tableId: 'table-1' }, staff('server'), {
        deviceId,
      });
      await engine.submitLocal(op, staff('server'));
      return op;
    };
    const statusOf = (opId: string) => store.journalEntry(opId)?.status;
    return {
      reconciler,
      engine,
      store,
      cloud,
      sleeper,
      logs,
      networkErrors,
      notices,
      submit,
      statusOf,
      drained: () => drained,
      advance: (by: number) => {
        ms += by;
      },
    };
  }

  it('sends a device’s ops in one batch, settles them, says drained, and idles', async () => {
    const t = await loopSetup();
    const a = await t.submit('o-1');
    const b = await t.submit('o-2');
    t.reconciler.setActive(true);
    t.reconciler.start();
    expect(await t.sleeper.until(1)).toBe(500);
    expect(t.cloud.calls.map((c) => c.opIds)).toEqual([[a.opId, b.opId]]);
    expect([t.statusOf(a.opId), t.statusOf(b.opId)]).toEqual(['synced', 'synced']);
    expect(t.drained()).toBe(1);
    // Nothing left: the next rounds send nothing.
    expect(await t.sleeper.next()).toBe(500);
    expect(t.cloud.calls).toHaveLength(1);
    await t.reconciler.stop();
  });

  it('settles each op exactly once, even when the answer to its first send was lost', async () => {
    const t = await loopSetup();
    const a = await t.submit('o-1');
    const b = await t.submit('o-2');
    // The cloud applies the batch, and the answer never arrives.
    t.cloud.script.push((call) => {
      t.cloud.apply([a, b]);
      return networkError(`reset after commit (call ${call})`);
    });
    t.reconciler.setActive(true);
    t.reconciler.start();
    expect(await t.sleeper.until(1)).toBe(250);
    expect([t.statusOf(a.opId), t.statusOf(b.opId)]).toEqual(['pending', 'pending']);
    expect(t.notices).toEqual([]);
    expect(await t.sleeper.next()).toBe(500);
    // The resend is answered `duplicate` of applied: settled now, one notice each.
    expect(t.cloud.calls.map((c) => c.opIds)).toEqual([
      [a.opId, b.opId],
      [a.opId, b.opId],
    ]);
    expect([t.statusOf(a.opId), t.statusOf(b.opId)]).toEqual(['synced', 'synced']);
    await t.sleeper.next();
    await t.sleeper.next();
    expect(t.cloud.calls).toHaveLength(2);
    expect(t.notices.sort()).toEqual([a.opId, b.opId].sort());
    await t.reconciler.stop();
  });

  it('backs off on network errors, doubling with jitter, and tells the uplink each time', async () => {
    const t = await loopSetup({ random: 1 });
    const a = await t.submit('o-1');
    t.cloud.script.push(networkError(), networkError(), networkError());
    t.reconciler.setActive(true);
    t.reconciler.start();
    expect(await t.sleeper.until(1)).toBe(500);
    expect(await t.sleeper.next()).toBe(1_000);
    expect(await t.sleeper.next()).toBe(2_000);
    expect(t.networkErrors).toHaveLength(3);
    expect(t.networkErrors[0]).toMatch(/^replay: /);
    // The fourth send goes through; a success resets the backoff.
    expect(await t.sleeper.next()).toBe(500);
    expect(t.statusOf(a.opId)).toBe('synced');
    const b = await t.submit('o-2');
    t.cloud.script.push(networkError());
    expect(await t.sleeper.next()).toBe(500);
    expect(t.cloud.calls.at(-1)?.opIds).toEqual([b.opId]);
    expect(t.statusOf(b.opId)).toBe('pending');
    await t.reconciler.stop();
  });

  it('waits at least the Retry-After of a 503, then sends the same batch again', async () => {
    const t = await loopSetup({ random: 1 });
    const a = await t.submit('o-1');
    t.cloud.script.push(httpError(503, 4_000), httpError(503));
    t.reconciler.setActive(true);
    t.reconciler.start();
    // The backoff's first ceiling is 500 ms: the cloud's 4 s is the floor.
    expect(await t.sleeper.until(1)).toBe(4_000);
    // Without a Retry-After the backoff alone: the second failure's ceiling.
    expect(await t.sleeper.next()).toBe(1_000);
    expect(t.logs.filter((line) => line === 'error replay failed')).toHaveLength(2);
    expect(t.networkErrors).toEqual([]);
    await t.sleeper.next();
    expect(t.cloud.calls.map((c) => c.opIds)).toEqual([[a.opId], [a.opId], [a.opId]]);
    expect(t.statusOf(a.opId)).toBe('synced');
    await t.reconciler.stop();
  });

  it('keeps the ops journaled when the cloud refuses the replay token (401), and retries', async () => {
    const t = await loopSetup();
    const a = await t.submit('o-1');
    t.cloud.script.push(httpError(401, undefined, 'UNAUTHENTICATED'));
    t.reconciler.setActive(true);
    t.reconciler.start();
    expect(await t.sleeper.until(1)).toBe(250);
    expect(t.statusOf(a.opId)).toBe('pending');
    expect(t.notices).toEqual([]);
    expect(t.logs).toContain('error replay failed');
    expect(t.networkErrors).toEqual([]);
    expect(t.drained()).toBe(0);
    await t.sleeper.next();
    expect(t.statusOf(a.opId)).toBe('synced');
    expect(t.cloud.calls.map((c) => c.token)).toHaveLength(2);
    await t.reconciler.stop();
  });

  it('replays a payment op first, after the pending op on its order, each with its decision time', async () => {
    const t = await loopSetup();
    const server = staff('server');
    const onOrder = await opOf(
      'order.create',
      {
        orderId: 'o-1',
        tableId: 'table-1',
        lines: [{ lineId: 'l', itemId: 'fries', quantity: 1 }],
      },
      server,
      { deviceId: 'tab-a' },
    );
    expect((await t.engine.submitLocal(onOrder, server)).kind).toBe('first');
    const unrelated = await t.submit('o-2', 'tab-a');
    // Cash taken offline on another tablet for o-1, journaled after both.
    const payment = await opOf(
      'payment.cash',
      { paymentId: newUlid(), orderId: 'o-1', amount: 100, tip: 0, tendered: 100 },
      server,
      { deviceId: 'tab-b' },
    );
    const answer = await t.engine.submitLocal(payment, server);
    expect(answer.kind === 'first' && answer.result.status).toBe('accepted_local');
    for (let i = 0; i < 3; i++) expect(await t.reconciler.replayOnce()).toBe(true);
    // tab-a's op on o-1 goes alone (its unrelated o-2 waits), then the payment, then the rest;
    // each op with the time the relay decided it.
    expect(t.cloud.calls.map((c) => [c.deviceId, c.opIds, c.decidedAt])).toEqual([
      ['tab-a', [onOrder.opId], { [onOrder.opId]: NOW }],
      ['tab-b', [payment.opId], { [payment.opId]: NOW }],
      ['tab-a', [unrelated.opId], { [unrelated.opId]: NOW }],
    ]);
    expect([onOrder, payment, unrelated].map((op) => t.statusOf(op.opId))).toEqual([
      'synced',
      'synced',
      'synced',
    ]);
  });

  it('idles while replay is off; turning it on cuts the idle sleep short', async () => {
    const t = await loopSetup();
    const a = await t.submit('o-1');
    t.reconciler.start();
    expect(await t.sleeper.until(1)).toBe(1_000);
    expect(t.cloud.calls).toEqual([]);
    t.reconciler.setActive(true);
    expect(t.sleeper.wakes).toBe(1);
    await t.sleeper.until(2);
    expect(t.cloud.calls.map((c) => c.opIds)).toEqual([[a.opId]]);
    // Off again: the loop goes back to idling and sends nothing more.
    t.reconciler.setActive(false);
    await t.sleeper.until(3);
    await t.submit('o-2');
    await t.sleeper.next();
    expect(t.cloud.calls).toHaveLength(1);
    await t.reconciler.stop();
  });

  it('stops cleanly from a backoff: the sleep ends at once and nothing more is sent', async () => {
    const t = await loopSetup();
    await t.submit('o-1');
    t.cloud.script.push(httpError(503, 60_000));
    t.reconciler.setActive(true);
    t.reconciler.start();
    expect(await t.sleeper.until(1)).toBe(60_000);
    await t.reconciler.stop();
    expect(t.sleeper.wakes).toBe(1);
    expect(t.cloud.calls).toHaveLength(1);
    expect(t.sleeper.slept).toHaveLength(1);
  });

  it('settles an applied op only once the feed has brought its entries', async () => {
    const t = await loopSetup();
    const a = await t.submit('o-1');
    t.cloud.seq = 12;
    t.reconciler.setActive(true);
    t.reconciler.start();
    // Applied at 12, the feed at 10: the op waits, polling the feed's position.
    expect(await t.sleeper.until(1)).toBe(20);
    expect(await t.sleeper.next()).toBe(20);
    expect(t.statusOf(a.opId)).toBe('pending');
    await t.engine.applyCloud({ entries: [], cursor: { cursor: 'cloud-cursor-12', seq: 12 } });
    expect(await t.sleeper.next()).toBe(500);
    expect(t.statusOf(a.opId)).toBe('synced');
    expect(t.notices).toEqual([a.opId]);
    await t.reconciler.stop();
  });

  it('sends the next batch while an applied op waits for the feed, and settles both when it comes', async () => {
    const t = await loopSetup();
    const a = await t.submit('o-1', 'tab-a');
    const b = await t.submit('o-2', 'tab-b');
    t.cloud.seq = 12;
    t.reconciler.setActive(true);
    t.reconciler.start();
    // Both batches went before the feed moved; then the loop polls the feed's position.
    expect(await t.sleeper.until(1)).toBe(20);
    expect(t.cloud.calls.map((c) => c.opIds)).toEqual([[a.opId], [b.opId]]);
    expect([t.statusOf(a.opId), t.statusOf(b.opId)]).toEqual(['pending', 'pending']);
    await t.engine.applyCloud({ entries: [], cursor: { cursor: 'cloud-cursor-12', seq: 12 } });
    expect(await t.sleeper.next()).toBe(500);
    expect([t.statusOf(a.opId), t.statusOf(b.opId)]).toEqual(['synced', 'synced']);
    expect(t.notices.sort()).toEqual([a.opId, b.opId].sort());
    expect(t.drained()).toBe(1);
    await t.reconciler.stop();
  });

  it('looks past 200 records the cloud applied and the feed has not brought yet', async () => {
    const t = await loopSetup();
    const ops = [];
    for (let i = 0; i < 230; i++) ops.push(await t.submit(`o-${i}`));
    t.cloud.seq = 12;
    t.reconciler.setActive(true);
    t.reconciler.start();
    // Five batches of at most 50 went before the loop waited for the feed.
    expect(await t.sleeper.until(1)).toBe(20);
    expect(t.cloud.calls.map((c) => c.opIds.length)).toEqual([50, 50, 50, 50, 30]);
    expect(t.cloud.calls.flatMap((c) => c.opIds)).toEqual(ops.map((op) => op.opId));
    // Stopped while it waits for the feed: the ops stay pending for the next start.
    await t.reconciler.stop();
    expect(t.statusOf(ops[0]?.opId ?? '')).toBe('pending');
  });

  it('over the rescue link settles rejections at once and holds applied ops for the feed', async () => {
    const t = await loopSetup({ feedActive: false });
    const a = await t.submit('o-1');
    const b = await t.submit('o-2');
    t.cloud.script.push({
      results: [
        { opId: a.opId, status: 'applied', seq: 11, changed: [], at: NOW },
        { opId: b.opId, status: 'rejected', code: 'NOT_FOUND', message: 'no such table' },
      ],
    });
    t.reconciler.setActive(true);
    t.reconciler.start();
    expect(await t.sleeper.until(1)).toBe(500);
    expect([t.statusOf(a.opId), t.statusOf(b.opId)]).toEqual(['pending', 'rejected']);
    // The applied op is not sent again, and the journal is not drained while it waits.
    await t.sleeper.next();
    expect(t.cloud.calls).toHaveLength(1);
    expect(t.drained()).toBe(0);
    await t.reconciler.stop();
  });
});
