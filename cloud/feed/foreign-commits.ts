import type { FeedBus } from '../../server/feed-bus.ts';
import type { Logger } from '../../server/logger.ts';
import type { CloudStore, ForeignCommit } from '../store/cloud-store.ts';

export interface ForeignCommitsDeps {
  readonly store: Pick<CloudStore, 'readFeed' | 'head' | 'listenForCommits'>;
  readonly bus: FeedBus;
  readonly log: Logger;
  /** Entries read per query (default 500). */
  readonly pageSize?: number;
}

/**
 * Publishes to this instance's live readers (sockets and long-polls) the entries other
 * instances commit. The store says which venue moved and to which head; when anyone here
 * listens to that venue, its new entries are read once and published on the local bus, so every
 * reader of it here is woken by one read. Notices for one venue that arrive while a read runs
 * are merged into the next read.
 *
 * The bus's readers take entries in any order and with repeats, and read the store themselves
 * for anything they are told of but were not given; so a notice lost while the listening
 * connection was down costs latency, never an entry: on reconnect the newest entry of every
 * venue heard here is published again, and each reader behind it reads the rest.
 *
 * @example
 * const foreign = new ForeignCommits({ store, bus, log });
 * await foreign.start(); // no-op for a store only one process writes
 */
export class ForeignCommits {
  private readonly deps: ForeignCommitsDeps;
  private readonly wanted = new Map<string, { after: number; through: number }>();
  private readonly reading = new Set<string>();
  /** Venues heard of (bounded: one entry per venue this instance has seen commits for). */
  private readonly heard = new Set<string>();
  private stop: (() => Promise<void>) | undefined;

  constructor(deps: ForeignCommitsDeps) {
    this.deps = deps;
  }

  /** Starts listening; resolves once the store listens (at once when it cannot). */
  async start(): Promise<void> {
    const listen = this.deps.store.listenForCommits;
    if (listen === undefined) return;
    this.stop = await listen.call(
      this.deps.store,
      (commit) => this.committed(commit),
      () => this.reconnected(),
    );
  }

  async close(): Promise<void> {
    const stop = this.stop;
    this.stop = undefined;
    await stop?.();
  }

  /** One commit elsewhere: read and publish its entries if anyone here listens to the venue. */
  committed(commit: ForeignCommit): void {
    this.heard.add(commit.venueId);
    if (this.deps.bus.subscriberCount(commit.venueId) === 0) return;
    const after = Math.max(0, commit.head - commit.count);
    const range = this.wanted.get(commit.venueId);
    this.wanted.set(
      commit.venueId,
      range
        ? { after: Math.min(range.after, after), through: Math.max(range.through, commit.head) }
        : { after, through: commit.head },
    );
    if (!this.reading.has(commit.venueId)) void this.drain(commit.venueId);
  }

  /** Notices may have been missed: show every listened venue's readers its newest entry. */
  private reconnected(): void {
    this.deps.log('warn', 'feed notices may have been missed while reconnecting; catching up', {
      venues: this.heard.size,
    });
    for (const venueId of this.heard) {
      if (this.deps.bus.subscriberCount(venueId) === 0) continue;
      this.deps.store.head(venueId).then(
        (head) => this.committed({ venueId, head, count: Math.min(head, 1) }),
        (error: unknown) =>
          this.deps.log('error', 'feed catch-up failed', { venueId, error: String(error) }),
      );
    }
  }

  private async drain(venueId: string): Promise<void> {
    this.reading.add(venueId);
    const pageSize = this.deps.pageSize ?? 500;
    try {
      for (let range = this.take(venueId); range; range = this.take(venueId)) {
        let after = range.after;
        while (after < range.through && this.deps.bus.subscriberCount(venueId) > 0) {
          const entries = await this.deps.store.readFeed(venueId, after, {
            limit: pageSize,
            throughSeq: range.through,
          });
          const last = entries.at(-1);
          if (last === undefined) break; // compacted meanwhile: readers find out on their own read
          this.deps.bus.publish(venueId, entries);
          after = last.seq;
        }
      }
    } catch (error) {
      this.deps.log('error', 'reading a foreign commit failed', { venueId, error: String(error) });
    } finally {
      this.reading.delete(venueId);
    }
  }

  private take(venueId: string): { after: number; through: number } | undefined {
    const range = this.wanted.get(venueId);
    this.wanted.delete(venueId);
    return range;
  }
}
