import type { FeedEntry, Projectable, SnapshotRecord } from '#protocol';
import type { Logger } from '../../server/logger.ts';
import type { VenueEngine } from '../sync/venue-engine.ts';
import { type CloudClient, UplinkError } from './cloud-client.ts';
import { Waker } from './sleep.ts';

export interface FollowerDeps {
  readonly client: CloudClient;
  readonly engine: VenueEngine;
  readonly log: Logger;
  /** Seconds a feed long-poll may wait. */
  readonly longPollSeconds: number;
  readonly onNetworkError: (detail: string) => void;
  readonly onSuccess: () => void;
}

function asUpserts(records: readonly SnapshotRecord[]): Projectable[] {
  return records.map(
    (r) =>
      ({
        entity: r.entity,
        id: r.data.id,
        op: 'upsert',
        data: r.data,
        version: r.data.version,
      }) as Projectable,
  );
}

/**
 * Keeps the confirmed layer following the cloud: bootstrap from a snapshot, then long-poll the
 * feed, store each page with its cursor in one commit, and acknowledge the cursor once it is
 * durable. A 409 or 410 from the cloud means start again from a snapshot.
 */
export class FeedFollower {
  private paused = true;
  private running = false;
  private readonly waker = new Waker();
  private readonly deps: FollowerDeps;
  private backoffMs = 500;

  constructor(deps: FollowerDeps) {
    this.deps = deps;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  stop(): void {
    this.running = false;
    this.waker.wake();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.waker.wake();
  }

  /** Loads a snapshot into the confirmed layer (first start, or the cloud said re-bootstrap). */
  async bootstrap(): Promise<void> {
    const snapshot = await this.deps.client.snapshot();
    await this.deps.engine.applyCloud({
      entries: asUpserts(snapshot.records),
      cursor: { cursor: snapshot.cursor, seq: snapshot.seq },
      reset: true,
    });
    this.deps.log('info', 'bootstrapped from the cloud', {
      seq: snapshot.seq,
      records: snapshot.records.length,
    });
    await this.acknowledge(snapshot.cursor);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (this.paused) {
        await this.waker.sleep(1000);
        continue;
      }
      try {
        await this.pullOnce(this.deps.longPollSeconds);
        this.backoffMs = 500;
        this.deps.onSuccess();
      } catch (error) {
        await this.handle(error);
      }
    }
  }

  /** One feed request from the stored cursor (bootstrapping first if there is none). */
  async pullOnce(waitSeconds: number): Promise<FeedEntry[]> {
    const position = this.deps.engine.cloudPosition;
    if (position.cursor === null) {
      await this.bootstrap();
      return [];
    }
    const page = await this.deps.client.feed(position.cursor, waitSeconds);
    if (page.entries.length === 0 && page.cursor === position.cursor) return [];
    await this.deps.engine.applyCloud({
      entries: page.entries,
      cursor: { cursor: page.cursor, seq: page.entries.at(-1)?.seq ?? position.seq },
    });
    await this.acknowledge(page.cursor);
    return page.entries;
  }

  private async acknowledge(cursor: string): Promise<void> {
    try {
      await this.deps.client.ack(cursor);
    } catch (error) {
      // An ack is advisory (the cloud's view of our lag); the next one catches up.
      this.deps.log('warn', 'ack failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private async handle(error: unknown): Promise<void> {
    if (
      error instanceof UplinkError &&
      error.kind === 'http' &&
      (error.status === 409 || error.status === 410)
    ) {
      this.deps.log('warn', 'cloud cursor refused; re-bootstrapping', {
        status: error.status,
        code: error.problem?.code,
      });
      try {
        await this.bootstrap();
        return;
      } catch (inner) {
        return this.handle(inner);
      }
    }
    if (error instanceof UplinkError && error.kind === 'network')
      this.deps.onNetworkError(`feed: ${error.message}`);
    else
      this.deps.log('error', 'feed pull failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    await this.waker.sleep(this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, 10_000);
  }
}
