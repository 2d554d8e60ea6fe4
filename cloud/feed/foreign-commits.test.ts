import { describe, expect, it, vi } from 'vitest';
import type { FeedEntry } from '#protocol';
import { FeedBus } from '../../server/feed-bus.ts';
import { memoryLogger } from '../../server/logger.ts';
import type { ForeignCommit } from '../store/cloud-store.ts';
import { ForeignCommits } from './foreign-commits.ts';

const entry = (seq: number): FeedEntry => ({
  seq,
  entity: 'table',
  id: `table-${seq}`,
  op: 'upsert',
  version: 1,
  at: '2026-11-23T19:30:00.000Z',
  data: { id: `table-${seq}`, label: `T${seq}`, seats: 4, version: 1 },
});

/** The store as another instance leaves it: a venue's feed, and the notices it sends. */
class FakeSharedStore {
  readonly feeds = new Map<string, FeedEntry[]>();
  readonly reads: { venueId: string; afterSeq: number; throughSeq?: number }[] = [];
  failNextRead = false;
  /** Holds every read until released, to make notices arrive while one runs. */
  gate: Promise<void> | undefined;
  private notify: ((commit: ForeignCommit) => void) | undefined;
  private reconnect: (() => void) | undefined;
  listening = false;

  commit(venueId: string, count: number): ForeignCommit {
    const feed = this.feeds.get(venueId) ?? [];
    for (let i = 0; i < count; i++) feed.push(entry(feed.length + 1));
    this.feeds.set(venueId, feed);
    const notice = { venueId, head: feed.length, count };
    this.notify?.(notice);
    return notice;
  }

  dropConnection(): void {
    this.reconnect?.();
  }

  async head(venueId: string): Promise<number> {
    return this.feeds.get(venueId)?.length ?? 0;
  }

  async readFeed(
    venueId: string,
    afterSeq: number,
    options: { limit: number; throughSeq?: number },
  ): Promise<FeedEntry[]> {
    this.reads.push({ venueId, afterSeq, throughSeq: options.throughSeq });
    await this.gate;
    if (this.failNextRead) {
      this.failNextRead = false;
      throw new Error('connection reset');
    }
    const through = options.throughSeq ?? Number.MAX_SAFE_INTEGER;
    return (this.feeds.get(venueId) ?? [])
      .filter((e) => e.seq > afterSeq && e.seq <= through)
      .slice(0, options.limit);
  }

  async listenForCommits(
    onCommit: (commit: ForeignCommit) => void,
    onReconnect?: () => void,
  ): Promise<() => Promise<void>> {
    this.notify = onCommit;
    this.reconnect = onReconnect;
    this.listening = true;
    return async () => {
      this.listening = false;
      this.notify = undefined;
    };
  }
}

async function setUp(pageSize?: number) {
  const store = new FakeSharedStore();
  const bus = new FeedBus();
  const { log, lines } = memoryLogger();
  const foreign = new ForeignCommits({
    store,
    bus,
    log,
    ...(pageSize === undefined ? {} : { pageSize }),
  });
  await foreign.start();
  /** Every seq a subscriber of `venueId` heard, in the order heard. */
  const hear = (venueId: string) => {
    const heard: number[] = [];
    bus.subscribe(venueId, (entries) => heard.push(...entries.map((e) => e.seq)));
    return heard;
  };
  return { store, bus, foreign, hear, lines };
}

describe('ForeignCommits', () => {
  it('publishes a commit made elsewhere to every reader here, reading it once', async () => {
    const { store, hear } = await setUp();
    const first = hear('v1');
    const second = hear('v1');
    store.commit('v1', 3);
    await vi.waitFor(() => expect(first).toEqual([1, 2, 3]));
    expect(second).toEqual([1, 2, 3]);
    expect(store.reads).toEqual([{ venueId: 'v1', afterSeq: 0, throughSeq: 3 }]);
  });

  it('reads nothing for a venue no one here listens to', async () => {
    const { store, hear } = await setUp();
    const other = hear('v2');
    store.commit('v1', 2);
    store.commit('v2', 1);
    await vi.waitFor(() => expect(other).toEqual([1]));
    expect(store.reads.map((r) => r.venueId)).toEqual(['v2']);
  });

  it('merges notices that arrive during a read into one next read, losing none', async () => {
    const { store, hear } = await setUp();
    const heard = hear('v1');
    let release = () => {};
    store.gate = new Promise((resolve) => {
      release = resolve;
    });
    store.commit('v1', 1);
    store.commit('v1', 2);
    store.commit('v1', 1);
    release();
    store.gate = undefined;
    await vi.waitFor(() => expect(heard).toEqual([1, 2, 3, 4]));
    expect(store.reads).toEqual([
      { venueId: 'v1', afterSeq: 0, throughSeq: 1 },
      { venueId: 'v1', afterSeq: 1, throughSeq: 4 },
    ]);
  });

  it('pages through a commit larger than a page', async () => {
    const { store, hear } = await setUp(2);
    const heard = hear('v1');
    store.commit('v1', 5);
    await vi.waitFor(() => expect(heard).toEqual([1, 2, 3, 4, 5]));
    expect(store.reads.map((r) => r.afterSeq)).toEqual([0, 2, 4]);
  });

  it('logs a failed read and carries on with the next notice', async () => {
    const { store, hear, lines } = await setUp();
    const heard = hear('v1');
    store.failNextRead = true;
    store.commit('v1', 1);
    await vi.waitFor(() =>
      expect(lines.map((l) => l.msg)).toContain('reading a foreign commit failed'),
    );
    store.commit('v1', 1);
    await vi.waitFor(() => expect(heard).toEqual([2]));
  });

  it('after a reconnect, shows each listened venue’s readers its newest entry', async () => {
    const { store, hear, lines } = await setUp();
    const heard = hear('v1');
    store.commit('v1', 1);
    await vi.waitFor(() => expect(heard).toEqual([1]));
    // Notices sent while the listening connection was down never arrive…
    store.feeds.get('v1')?.push(entry(2), entry(3));
    store.dropConnection();
    // …so the newest entry is published again: a reader behind it reads the rest itself.
    await vi.waitFor(() => expect(heard).toEqual([1, 3]));
    expect(lines.map((l) => l.msg)).toContain(
      'feed notices may have been missed while reconnecting; catching up',
    );
  });

  it('stops listening on close; does nothing for a store one process writes', async () => {
    const { store, foreign } = await setUp();
    expect(store.listening).toBe(true);
    await foreign.close();
    expect(store.listening).toBe(false);
    const bus = new FeedBus();
    const alone = new ForeignCommits({
      store: { readFeed: async () => [], head: async () => 0 },
      bus,
      log: () => {},
    });
    await alone.start();
    await alone.close();
  });
});
