import { describe, expect, it } from 'vitest';
import { type FeedEntry, getEntity, type Snapshot } from '#protocol';
import { NOW, VENUE, venueState } from '../../tests/protocol/support/venue-fixture.ts';
import { MemoryRelayStore } from '../store/memory-relay-store.ts';
import { RelayBus } from '../sync/feed-bus.ts';
import { VenueEngine } from '../sync/venue-engine.ts';
import { bootstrappedEngine, upserts } from '../testing/lan-fixture.ts';
import { FeedFollower } from './feed-follower.ts';
import { FakeFeedCloud, HandSleeper, httpError, networkError } from './test-fakes.ts';

// The feed follower's loop through its ports: a scripted cloud (snapshot, feed, ack) and a
// sleeper the test drives, so every wait is asserted on, none is timed.

const clock = () => new Date(NOW);

function snapshotAt(seq: number): Snapshot {
  return {
    venueId: VENUE,
    cursor: `snap-${seq}`,
    seq,
    at: NOW,
    records: upserts(venueState().entities).map(
      (u) => ({ entity: u.entity, data: (u as { data: unknown }).data }) as Snapshot['records'][0],
    ),
  };
}

/** table-1 relabelled, as the cloud's feed entry at `seq`. */
function relabel(seq: number, label: string): FeedEntry {
  const table = getEntity(venueState().entities, 'table', 'table-1');
  if (!table) throw new Error('the fixture has table-1');
  const version = table.version + seq;
  return {
    seq,
    id: table.id,
    version,
    at: NOW,
    entity: 'table',
    op: 'upsert',
    data: { ...table, label, version },
  };
}

async function setup(options: { bootstrapped?: boolean; random?: number } = {}) {
  const store = new MemoryRelayStore();
  const bus = new RelayBus();
  const engine =
    options.bootstrapped === false
      ? new VenueEngine({
          store,
          bus,
          clock,
          tenantId: 'demo',
          venueId: VENUE,
          onFatal: (error) => {
            throw error;
          },
        })
      : await bootstrappedEngine(store, bus, clock);
  let snapshots = 0;
  const cloud = new FakeFeedCloud(() => snapshotAt(20 + 10 * snapshots++));
  const sleeper = new HandSleeper();
  const logs: string[] = [];
  const networkErrors: string[] = [];
  let successes = 0;
  const follower = new FeedFollower({
    client: cloud,
    engine,
    log: (level, msg) => logs.push(`${level} ${msg}`),
    longPollSeconds: 20,
    onNetworkError: (detail) => networkErrors.push(detail),
    onSuccess: () => successes++,
    waker: sleeper,
    random: () => options.random ?? 0,
  });
  const label = () => getEntity(engine.visible, 'table', 'table-1')?.label;
  return {
    follower,
    engine,
    store,
    cloud,
    sleeper,
    logs,
    networkErrors,
    label,
    successes: () => successes,
  };
}

describe('feed follower loop', () => {
  it('bootstraps without a cursor, then long-polls from the snapshot’s, storing and acking each page', async () => {
    const t = await setup({ bootstrapped: false });
    t.follower.resume();
    t.follower.start();
    await t.cloud.polling();
    expect(t.cloud.calls).toEqual(['snapshot', 'feed snap-20 wait=20']);
    expect(t.engine.cloudPosition).toEqual({ cursor: 'snap-20', seq: 20 });
    expect(t.cloud.acks).toEqual(['snap-20']);
    expect(t.label()).toBe(getEntity(venueState().entities, 'table', 'table-1')?.label);

    t.cloud.answerPoll({ entries: [relabel(21, 'Window')], cursor: 'c-21', hasMore: false });
    await t.cloud.polling();
    expect(t.engine.cloudPosition).toEqual({ cursor: 'c-21', seq: 21 });
    expect(t.label()).toBe('Window');
    expect(t.cloud.acks).toEqual(['snap-20', 'c-21']);
    expect(t.cloud.calls.at(-1)).toBe('feed c-21 wait=20');
    // A poll that brings nothing changes nothing, and is not acknowledged.
    t.cloud.answerPoll();
    await t.cloud.polling();
    expect(t.cloud.acks).toEqual(['snap-20', 'c-21']);
    expect(t.successes()).toBe(3);
    expect(t.sleeper.slept).toEqual([]);
    t.cloud.answerPoll();
    const stopped = t.follower.stop();
    await stopped;
  });

  it('re-bootstraps at once when the cloud refuses the cursor (410), then follows the new one', async () => {
    const t = await setup();
    t.cloud.pages.push(httpError(410, undefined, 'CURSOR_EXPIRED'));
    t.follower.resume();
    t.follower.start();
    await t.cloud.polling();
    expect(t.cloud.calls).toEqual([
      'feed cloud-cursor-0 wait=20',
      'snapshot',
      'feed snap-20 wait=20',
    ]);
    expect(t.engine.cloudPosition).toEqual({ cursor: 'snap-20', seq: 20 });
    expect(t.logs).toContain('warn cloud cursor refused; re-bootstrapping');
    expect(t.sleeper.slept).toEqual([]);
    t.cloud.answerPoll();
    await t.follower.stop();
  });

  it('waits before bootstrapping again when even a fresh snapshot’s cursor is refused (409)', async () => {
    const t = await setup({ random: 1 });
    t.cloud.pages.push(httpError(409), httpError(409));
    t.follower.resume();
    t.follower.start();
    // The first refusal: a snapshot at once. Its cursor refused too: the backoff's second step.
    expect(await t.sleeper.until(1)).toBe(1_000);
    expect(t.cloud.calls).toEqual([
      'feed cloud-cursor-0 wait=20',
      'snapshot',
      'feed snap-20 wait=20',
    ]);
    t.sleeper.elapse();
    await t.cloud.polling();
    expect(t.cloud.calls.slice(3)).toEqual(['snapshot', 'feed snap-30 wait=20']);
    t.cloud.answerPoll();
    await t.follower.stop();
  });

  it('backs off on network errors, telling the uplink, and starts over after a success', async () => {
    const t = await setup({ random: 0 });
    t.cloud.pages.push(networkError(), networkError(), networkError());
    t.follower.resume();
    t.follower.start();
    expect(await t.sleeper.until(1)).toBe(250);
    expect(await t.sleeper.next()).toBe(500);
    expect(await t.sleeper.next()).toBe(1_000);
    expect(t.networkErrors).toEqual([
      'feed: connection refused',
      'feed: connection refused',
      'feed: connection refused',
    ]);
    t.sleeper.elapse();
    await t.cloud.polling();
    t.cloud.answerPoll();
    await t.cloud.polling();
    t.cloud.answerPoll(networkError());
    expect(await t.sleeper.until(4)).toBe(250);
    await t.follower.stop();
  });

  it('waits the Retry-After of a 503 when longer than the backoff; a 401 is logged and retried', async () => {
    const t = await setup({ random: 1 });
    t.cloud.pages.push(httpError(503, 5_000), httpError(401, undefined, 'UNAUTHENTICATED'));
    t.follower.resume();
    t.follower.start();
    expect(await t.sleeper.until(1)).toBe(5_000);
    expect(await t.sleeper.next()).toBe(1_000);
    expect(t.logs).toEqual(['error feed pull failed', 'error feed pull failed']);
    expect(t.networkErrors).toEqual([]);
    // Neither throws the cursor away.
    expect(t.cloud.calls).not.toContain('snapshot');
    t.sleeper.elapse();
    await t.cloud.polling();
    expect(t.cloud.calls.at(-1)).toBe('feed cloud-cursor-0 wait=20');
    t.cloud.answerPoll();
    await t.follower.stop();
  });

  it('backs off when the re-bootstrap itself fails, keeping the old cursor for the next try', async () => {
    const t = await setup();
    t.cloud.pages.push(httpError(410));
    t.cloud.snapshots.push(networkError('snapshot timed out'));
    t.follower.resume();
    t.follower.start();
    // A refusal and a failed snapshot: two failures, so the backoff's second step (random 0).
    expect(await t.sleeper.until(1)).toBe(500);
    expect(t.networkErrors).toEqual(['feed: snapshot timed out']);
    expect(t.engine.cloudPosition.cursor).toBe('cloud-cursor-0');
    t.sleeper.elapse();
    await t.cloud.polling();
    expect(t.cloud.calls).toEqual([
      'feed cloud-cursor-0 wait=20',
      'snapshot',
      'feed cloud-cursor-0 wait=20',
    ]);
    t.cloud.answerPoll();
    await t.follower.stop();
  });

  it('stores a page even when its ack fails: the ack is advisory', async () => {
    const t = await setup();
    t.cloud.ackFails = true;
    t.cloud.pages.push({ entries: [relabel(11, 'Terrace')], cursor: 'c-11', hasMore: false });
    t.follower.resume();
    t.follower.start();
    await t.cloud.polling();
    expect(t.engine.cloudPosition).toEqual({ cursor: 'c-11', seq: 11 });
    expect(t.label()).toBe('Terrace');
    expect(t.logs).toEqual(['warn ack failed']);
    expect(t.sleeper.slept).toEqual([]);
    t.cloud.answerPoll();
    await t.follower.stop();
  });

  it('pulls nothing while paused; resume cuts the idle sleep short', async () => {
    const t = await setup();
    t.follower.start();
    expect(await t.sleeper.until(1)).toBe(1_000);
    expect(t.cloud.calls).toEqual([]);
    t.follower.resume();
    expect(t.sleeper.wakes).toBe(1);
    await t.cloud.polling();
    expect(t.cloud.calls).toEqual(['feed cloud-cursor-0 wait=20']);
    // Paused mid-poll: that poll is answered, then the loop idles again.
    t.follower.pause();
    t.cloud.answerPoll();
    await t.sleeper.until(2);
    expect(await t.sleeper.next()).toBe(1_000);
    expect(t.cloud.calls).toHaveLength(1);
    await t.follower.stop();
  });

  it('stops cleanly: from a backoff at once, from a long-poll once it is answered', async () => {
    const t = await setup();
    t.cloud.pages.push(httpError(503, 60_000));
    t.follower.resume();
    t.follower.start();
    expect(await t.sleeper.until(1)).toBe(60_000);
    await t.follower.stop();
    expect(t.sleeper.wakes).toBe(1);
    expect(t.cloud.calls).toHaveLength(1);

    const u = await setup();
    u.follower.resume();
    u.follower.start();
    await u.cloud.polling();
    let stopped = false;
    const stopping = u.follower.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    u.cloud.answerPoll();
    await stopping;
    expect(u.cloud.calls).toHaveLength(1);
  });
});
