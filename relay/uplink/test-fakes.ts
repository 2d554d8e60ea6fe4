import type { BatchResponse, FeedPage, Operation, OpResult, Snapshot } from '#protocol';
import { type CloudFeed, type CloudReplay, UplinkError } from './cloud-client.ts';
import type { Sleeper } from './sleep.ts';

// In-memory adapters of the uplink loops' ports, for their unit tests: a sleeper the test
// drives by hand, and a cloud that answers from a script.

/** A `Sleeper` whose sleeps end only when the test says (`elapse`) or the loop wakes them. */
export class HandSleeper implements Sleeper {
  /** Every sleep asked for, in order (ms). */
  readonly slept: number[] = [];
  /** Sleeps ended by `wake` (the loop's owner cut them short). */
  wakes = 0;
  private current: (() => void) | undefined;
  private waiters: (() => void)[] = [];

  sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
    return new Promise((resolve) => {
      this.current = resolve;
    });
  }

  wake(): void {
    if (this.current) this.wakes++;
    this.end();
  }

  /** Ends the sleep under way as if its time had passed. */
  elapse(): void {
    this.end();
  }

  /** Resolves with the ms of sleep number `n` (1-based) once the loop has asked for it. */
  async until(n: number): Promise<number> {
    while (this.slept.length < n) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.slept[n - 1] as number;
  }

  /** Lets the sleep under way pass, then waits for the next one; its ms. */
  async next(): Promise<number> {
    const n = this.slept.length + 1;
    this.elapse();
    return this.until(n);
  }

  private end(): void {
    const current = this.current;
    this.current = undefined;
    current?.();
  }
}

/** What the fake cloud does with one call: answer, or fail as the real client would. */
export type Answer<T> = T | UplinkError | ((call: number) => T | UplinkError);

function answer<T>(script: Answer<T>[], fallback: () => T, call: number): T {
  const next = script.shift();
  const value =
    next === undefined
      ? fallback()
      : typeof next === 'function'
        ? (next as (n: number) => T | UplinkError)(call)
        : next;
  if (value instanceof UplinkError) throw value;
  return value;
}

/** An HTTP failure as `CloudClient` reports it. */
export function httpError(status: number, retryAfterMs?: number, code = `HTTP_${status}`) {
  return new UplinkError('http', `→ ${status} ${code}`, status, undefined, retryAfterMs);
}

/** A failure that never reached the cloud. */
export function networkError(detail = 'connection refused') {
  return new UplinkError('network', detail);
}

/** The batch lane: applies every op unless the script says otherwise; remembers what it took. */
export class FakeReplayCloud implements CloudReplay {
  readonly calls: {
    deviceId: string;
    opIds: string[];
    token: string;
    decidedAt?: Readonly<Record<string, string>>;
  }[] = [];
  readonly script: Answer<BatchResponse>[] = [];
  /** What each op came to the first time (a resend is answered `duplicate` of it). */
  readonly decided = new Map<string, OpResult>();
  /** The seq an applied op is given. */
  seq = 0;

  async replay(
    deviceId: string,
    ops: readonly Operation[],
    token: string,
    decidedAt?: Readonly<Record<string, string>>,
  ): Promise<BatchResponse> {
    this.calls.push({
      deviceId,
      opIds: ops.map((op) => op.opId),
      token,
      ...(decidedAt ? { decidedAt } : {}),
    });
    return answer(this.script, () => this.apply(ops), this.calls.length);
  }

  /** Applies the ops (each at most once), as the cloud would. */
  apply(ops: readonly Operation[]): BatchResponse {
    const results = ops.map((op): OpResult => {
      const first = this.decided.get(op.opId);
      if (first && first.status !== 'duplicate' && first.status !== 'retryable')
        return { opId: op.opId, status: 'duplicate', first };
      const applied: OpResult = {
        opId: op.opId,
        status: 'applied',
        seq: this.seq,
        changed: [],
        at: '2026-11-23T19:30:01.000Z',
      };
      this.decided.set(op.opId, applied);
      return applied;
    });
    return { results };
  }
}

/**
 * The feed and snapshot routes, scripted. A feed call the script has no answer for is a
 * long-poll with nothing new: it waits until the test answers it (`answerPoll`).
 */
export class FakeFeedCloud implements CloudFeed {
  readonly calls: string[] = [];
  readonly acks: string[] = [];
  readonly snapshots: Answer<Snapshot>[] = [];
  readonly pages: Answer<FeedPage>[] = [];
  /** Acks fail (as the network would) while this is set. */
  ackFails = false;
  private readonly snapshotOf: () => Snapshot;
  private poll: ((answer: FeedPage | UplinkError) => void) | undefined;
  private waiters: (() => void)[] = [];

  constructor(snapshotOf: () => Snapshot) {
    this.snapshotOf = snapshotOf;
  }

  async snapshot(): Promise<Snapshot> {
    this.calls.push('snapshot');
    return answer(this.snapshots, this.snapshotOf, this.calls.length);
  }

  async feed(cursor: string, waitSeconds: number): Promise<FeedPage> {
    this.calls.push(`feed ${cursor} wait=${waitSeconds}`);
    if (this.pages.length > 0) return answer(this.pages, () => never(), this.calls.length);
    const value = await new Promise<FeedPage | UplinkError>((resolve) => {
      this.poll = resolve;
      const waiters = this.waiters;
      this.waiters = [];
      for (const waiter of waiters) waiter();
    });
    if (value instanceof UplinkError) throw value;
    return value;
  }

  async ack(cursor: string): Promise<void> {
    if (this.ackFails) throw networkError('ack lost');
    this.acks.push(cursor);
  }

  /** Resolves once a long-poll waits for an answer. */
  async polling(): Promise<void> {
    while (!this.poll) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Answers the waiting long-poll (by default: nothing new, the same cursor). */
  answerPoll(value?: FeedPage | UplinkError): void {
    const poll = this.poll;
    if (!poll) throw new Error('no long-poll is waiting');
    this.poll = undefined;
    const cursor = this.calls.at(-1)?.split(' ')[1] ?? '';
    poll(value ?? { entries: [], cursor, hasMore: false });
  }
}

function never(): never {
  throw new Error('unreachable: the script had an answer');
}
