import { backoffDelay, type FeedEntry, type Projectable, type SnapshotRecord } from '#protocol';
import type { Logger } from '../../server/logger.ts';
import type { VenueEngine } from '../sync/venue-engine.ts';
import { type CloudFeed, UplinkError } from './cloud-client.ts';
import { type Sleeper, Waker } from './sleep.ts';

export interface FollowerDeps {
  readonly client: CloudFeed;
  readonly engine: VenueEngine;
  readonly log: Logger;
  /** Seconds a feed long-poll may wait. */
  readonly longPollSeconds: number;
  readonly onNetworkError: (detail: string) => void;
  readonly onSuccess: () => void;
  /** The loop's sleeps, which `resume` and `stop` cut short (default: a timer, `Waker`). */
  readonly waker?: Sleeper;
  /** Places each backoff within its jitter range, in [0, 1] (default Math.random). */
  readonly random?: () => number;
}

/**
 * The feed's backoff after failed pulls: from 500 ms to 10 s, shorter than the replay's: what
 * the cloud changed (online orders, a menu edit) shows on no screen here until it is pulled.
 */
export const FEED_BACKOFF_BASE_MS = 500;
export const FEED_BACKOFF_MAX_MS = 10_000;

/** A 409 or 410: the cloud will not take the stored cursor; only a snapshot's will do. */
const refusesCursor = (error: unknown): error is UplinkError =>
  error instanceof UplinkError &&
  error.kind === 'http' &&
  (error.status === 409 || error.status === 410);

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
 * durable. A 409 or 410 from the cloud means start again from a snapshot: at once the first
 * time, after the backoff when the cursor of a fresh snapshot is refused too.
 */
export class FeedFollower {
  private paused = true;
  private running = false;
  private readonly waker: Sleeper;
  private readonly deps: FollowerDeps;
  /** Failed pulls in a row: the backoff's attempt number. */
  private failures = 0;
  /** The loop under way, so `stop` can tell when it has ended. */
  private loopDone: Promise<void> = Promise.resolve();

  constructor(deps: FollowerDeps) {
    this.deps = deps;
    this.waker = deps.waker ?? new Waker();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Ends the loop: a sleep at once, a pull under way once answered. Resolves when it has. */
  stop(): Promise<void> {
    this.running = false;
    this.waker.wake();
    return this.loopDone;
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
        this.failures = 0;
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
    this.failures++;
    if (refusesCursor(error)) {
      this.deps.log('warn', 'cloud cursor refused; re-bootstrapping', {
        status: error.status,
        code: error.problem?.code,
      });
      // A cloud that refuses the cursor of a fresh snapshot too is not asked again at once.
      if (this.failures > 1) await this.backOff(error);
      if (!this.running) return;
      try {
        await this.bootstrap();
        return;
      } catch (inner) {
        error = inner;
        this.failures++;
      }
    }
    if (error instanceof UplinkError && error.kind === 'network')
      this.deps.onNetworkError(`feed: ${error.message}`);
    else
      this.deps.log('error', 'feed pull failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    await this.backOff(error);
  }

  private backOff(error: unknown): Promise<void> {
    const retryAfterMs = error instanceof UplinkError ? error.retryAfterMs : undefined;
    const random = (this.deps.random ?? Math.random)();
    return this.waker.sleep(
      backoffDelay(this.failures, FEED_BACKOFF_BASE_MS, FEED_BACKOFF_MAX_MS, random, retryAfterMs),
    );
  }
}
