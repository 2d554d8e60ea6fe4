import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type EntityKind,
  type FeedEntry,
  type LiveBatch,
  LiveSession,
  type ReadRequest,
} from '#protocol';

const AT = '2026-11-23T19:30:00.000Z';

const entry = (seq: number, entity: EntityKind = 'ticket'): FeedEntry => ({
  seq,
  entity,
  id: `${entity}-${seq}`,
  op: 'tombstone',
  version: 1,
  at: AT,
});

/** A stream in memory with the store's readFeed semantics. */
class Stream {
  readonly entries: FeedEntry[] = [];
  append(kinds: readonly EntityKind[]): FeedEntry[] {
    const added = kinds.map((kind, i) => entry(this.head + i + 1, kind));
    this.entries.push(...added);
    return added;
  }
  get head(): number {
    return this.entries.length;
  }
  read(request: ReadRequest, limit: number, kinds: readonly EntityKind[]): FeedEntry[] {
    return this.entries
      .filter(
        (e) => e.seq > request.afterSeq && e.seq <= request.throughSeq && kinds.includes(e.entity),
      )
      .slice(0, limit);
  }
}

/** What a client received: every batch, in order. */
class Client {
  readonly batches: LiveBatch[] = [];
  take(batch: LiveBatch | undefined): void {
    if (batch) this.batches.push(batch);
  }
  get seqs(): number[] {
    return this.batches.flatMap((b) => b.entries.map((e) => e.seq));
  }
}

/** Runs the reads the session asks for, at once, until it needs none. */
function drainReads(
  session: LiveSession,
  stream: Stream,
  client: Client,
  limit: number,
  kinds: readonly EntityKind[],
): void {
  for (let request = session.nextRead(); request; request = session.nextRead()) {
    const rows = stream.read(request, limit, kinds);
    client.take(session.read(request, rows, rows.length === limit));
  }
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

type Step = 'commit' | 'publish' | 'publishAny' | 'startRead' | 'finishRead' | 'head';

interface Scenario {
  /** The kinds of each commit's entries, in commit order. */
  readonly commits: readonly (readonly EntityKind[])[];
  /** How many commits the client already has (its cursor). */
  readonly start: number;
  /** Commits made after the cursor but before the subscription: never published to it. */
  readonly before: number;
  readonly scoped: boolean;
  readonly limit: number;
  /** Commits whose publish never arrives (made by another instance). */
  readonly lost: readonly boolean[];
  /** The schedule; `publish` delivers the oldest waiting commit, `publishAny` the picked one. */
  readonly steps: readonly { readonly step: Step; readonly pick: number }[];
}

/** Plays a schedule against a session and checks what the client got against the stream. */
function simulate({ commits, start, before, scoped, limit, lost, steps }: Scenario): void {
  const kinds: EntityKind[] = scoped ? ['ticket'] : ['ticket', 'order', 'menuItem'];
  const stream = new Stream();
  let next = Math.min(start, commits.length);
  for (const kindsOfCommit of commits.slice(0, next)) stream.append(kindsOfCommit);
  const afterSeq = stream.head;
  const session = new LiveSession(afterSeq, kinds);
  const client = new Client();
  const unpublished: FeedEntry[][] = [];
  const commit = (): void => {
    const kindsOfCommit = commits[next];
    if (!kindsOfCommit) return;
    const added = stream.append(kindsOfCommit);
    if (!lost[next]) unpublished.push(added);
    next++;
  };
  for (const stop = Math.min(commits.length, next + before); next < stop; ) {
    stream.append(commits[next] ?? []);
    next++;
  }
  session.headIs(stream.head);
  let inFlight: { request: ReadRequest; rows: FeedEntry[] } | undefined;
  const finishRead = (): void => {
    if (!inFlight) return;
    const { request, rows } = inFlight;
    inFlight = undefined;
    client.take(session.read(request, rows, rows.length === limit));
  };
  for (const { step, pick } of steps) {
    if (step === 'commit') commit();
    else if (step === 'publish' || step === 'publishAny') {
      const index = step === 'publish' ? 0 : pick % Math.max(1, unpublished.length);
      const [published] = unpublished.splice(index, 1);
      if (published) client.take(session.published(published));
    } else if (step === 'startRead' && !inFlight) {
      const request = session.nextRead();
      if (request) inFlight = { request, rows: stream.read(request, limit, kinds) };
    } else if (step === 'finishRead') finishRead();
    else if (step === 'head') session.headIs(stream.head);
  }
  // Quiesce: everything committed, every surviving publish delivered, the head seen.
  finishRead();
  while (next < commits.length) commit();
  for (const published of unpublished) client.take(session.published(published));
  session.headIs(stream.head);
  drainReads(session, stream, client, limit, kinds);

  const expected = stream.entries
    .filter((e) => e.seq > afterSeq && kinds.includes(e.entity))
    .map((e) => e.seq);
  expect(client.seqs).toEqual(expected);
  expect(session.cursorSeq).toBe(stream.head);
  let previous = afterSeq;
  for (const batch of client.batches) {
    expect(batch.throughSeq).toBeGreaterThan(previous);
    for (const e of batch.entries) {
      expect(e.seq).toBeGreaterThan(previous);
      expect(e.seq).toBeLessThanOrEqual(batch.throughSeq);
    }
    previous = batch.throughSeq;
  }
}

describe('LiveSession', () => {
  it('sends the backlog in pages, then what the bus delivered meanwhile, once each', () => {
    const stream = new Stream();
    stream.append(Array(10).fill('ticket'));
    const session = new LiveSession(3, ['ticket']);
    const client = new Client();
    // Subscribed first: commits 11 and 12 arrive while the backlog is being read.
    session.headIs(stream.head);
    const first = session.nextRead();
    expect(first).toEqual({ afterSeq: 3, throughSeq: 10 });
    client.take(session.published(stream.append(['ticket', 'ticket'])));
    expect(client.batches).toEqual([]);
    if (!first) throw new Error('expected a read');
    const rows = stream.read(first, 4, ['ticket']);
    client.take(session.read(first, rows, true));
    drainReads(session, stream, client, 4, ['ticket']);
    expect(client.seqs).toEqual(range(4, 12));
    expect(client.batches.map((b) => b.throughSeq)).toEqual([7, 12]);
    expect(session.cursorSeq).toBe(12);
    expect(session.behind).toBe(false);
  });

  it('does not send twice an entry both read from the store and published on the bus', () => {
    const stream = new Stream();
    stream.append(['ticket', 'ticket']);
    const session = new LiveSession(0, ['ticket']);
    const client = new Client();
    const late = stream.append(['ticket']); // committed before the head read, published after
    session.headIs(stream.head);
    const request = session.nextRead();
    if (!request) throw new Error('expected a read');
    const rows = stream.read(request, 100, ['ticket']);
    client.take(session.published(late));
    client.take(session.read(request, rows, false));
    client.take(session.published(late));
    expect(client.seqs).toEqual([1, 2, 3]);
  });

  it('keeps the entries of one publish in one batch', () => {
    const stream = new Stream();
    const session = new LiveSession(0, ['ticket']);
    const client = new Client();
    client.take(session.published(stream.append(['ticket', 'ticket', 'ticket'])));
    client.take(session.published(stream.append(['ticket'])));
    expect(client.batches.map((b) => b.entries.map((e) => e.seq))).toEqual([[1, 2, 3], [4]]);
  });

  it('holds a commit published out of order until the gap before it is filled', () => {
    const stream = new Stream();
    const session = new LiveSession(0, ['ticket']);
    const client = new Client();
    const first = stream.append(['ticket']);
    const second = stream.append(['ticket', 'ticket']);
    client.take(session.published(second));
    expect(client.batches).toEqual([]);
    expect(session.behind).toBe(true);
    // The gap read covers only seq 1, the entries already held are not read again.
    expect(session.nextRead()).toEqual({ afterSeq: 0, throughSeq: 1 });
    client.take(session.published(first)); // the bus wins the race against the read
    client.take(
      session.read(
        { afterSeq: 0, throughSeq: 1 },
        stream.read({ afterSeq: 0, throughSeq: 1 }, 10, ['ticket']),
        false,
      ),
    );
    expect(client.seqs).toEqual([1, 2, 3]);
    expect(client.batches).toHaveLength(1);
  });

  it('does not resend what the bus delivered while a longer read was running', () => {
    const stream = new Stream();
    const session = new LiveSession(0, ['ticket']);
    const client = new Client();
    const first = stream.append(['ticket']);
    stream.append(['ticket']);
    session.headIs(stream.head);
    const request = session.nextRead();
    if (!request) throw new Error('expected a read');
    const rows = stream.read(request, 10, ['ticket']);
    client.take(session.published(first));
    client.take(session.read(request, rows, false));
    expect(client.seqs).toEqual([1, 2]);
    expect(client.batches.map((b) => b.throughSeq)).toEqual([1, 2]);
  });

  it('advances over scoped-out entries without sending them', () => {
    const stream = new Stream();
    const session = new LiveSession(0, ['ticket']);
    const client = new Client();
    client.take(session.published(stream.append(['order', 'ticket'])));
    client.take(session.published(stream.append(['order'])));
    expect(client.seqs).toEqual([2]);
    expect(client.batches.map((b) => b.throughSeq)).toEqual([2, 3]);
    expect(client.batches[1]?.entries).toEqual([]);
    expect(session.cursorSeq).toBe(3);
  });

  it('fetches a commit that never reached the bus once the head shows it', () => {
    const stream = new Stream();
    const session = new LiveSession(0, ['ticket']);
    const client = new Client();
    stream.append(['ticket']); // committed by another instance: no publish here
    client.take(session.published(stream.append(['ticket'])));
    expect(client.seqs).toEqual([]);
    stream.append(['ticket']); // also silent
    session.headIs(stream.head);
    drainReads(session, stream, client, 10, ['ticket']);
    expect(client.seqs).toEqual([1, 2, 3]);
  });

  it('covers only up to the last entry of a full page', () => {
    const stream = new Stream();
    stream.append(['ticket', 'order', 'ticket', 'order', 'ticket']);
    const session = new LiveSession(0, ['ticket']);
    session.headIs(stream.head);
    const request = session.nextRead();
    if (!request) throw new Error('expected a read');
    const batch = session.read(request, stream.read(request, 2, ['ticket']), true);
    expect(batch).toEqual({ entries: [entry(1), entry(3)], throughSeq: 3 });
    expect(session.nextRead()).toEqual({ afterSeq: 3, throughSeq: 5 });
  });

  it('asks for one read at a time', () => {
    const session = new LiveSession(0, ['ticket']);
    session.headIs(5);
    expect(session.nextRead()).toEqual({ afterSeq: 0, throughSeq: 5 });
    expect(session.nextRead()).toBeUndefined();
  });

  it('is gapless and duplicate-free under any interleaving of commits, publishes and reads', () => {
    const kind = fc.constantFrom<EntityKind>('ticket', 'order', 'menuItem');
    const step = fc.record({
      step: fc.constantFrom<Step>(
        'commit',
        'publish',
        'publishAny',
        'startRead',
        'finishRead',
        'head',
      ),
      pick: fc.nat({ max: 11 }),
    });
    fc.assert(
      fc.property(
        fc.record({
          commits: fc.array(fc.array(kind, { minLength: 1, maxLength: 3 }), {
            minLength: 1,
            maxLength: 12,
            size: 'max',
          }),
          start: fc.nat({ max: 4 }),
          before: fc.nat({ max: 2 }),
          scoped: fc.boolean(),
          limit: fc.integer({ min: 1, max: 6 }),
          lost: fc
            .array(fc.boolean(), { maxLength: 12 })
            .map((l) => l.map((x, i) => x && i % 3 === 0)),
          steps: fc.array(step, { maxLength: 80, size: 'max' }),
        }),
        simulate,
      ),
      { numRuns: 1000 },
    );
  });
});
