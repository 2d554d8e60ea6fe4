import { describe, expect, it, vi } from 'vitest';
import {
  type EntityKind,
  type FeedEntry,
  LIVE_CLOSE,
  LiveFrame,
  LiveSession,
  type OpResult,
} from '#protocol';
import { FeedBus } from '../feed-bus.ts';
import {
  entriesFrame,
  type LiveOptions,
  type LiveServerSocket,
  type LiveSocketData,
  LiveSockets,
  type LiveStream,
} from './live-connection.ts';

const AT = '2026-11-23T19:30:00.000Z';
const VENUE = 'venue-1';

/** Stands in for Bun's ServerWebSocket. */
class FakeSocket implements LiveServerSocket {
  readonly frames: LiveFrame[] = [];
  closed: { code: number | undefined; reason: string | undefined } | undefined;
  buffered = 0;
  bufferChecks = 0;
  failSends = false;
  /** Bun past its backpressure limit: `send` answers 0 and the frame is lost. */
  dropSends = false;
  readonly dropped: LiveFrame[] = [];
  readonly data: LiveSocketData;
  constructor(data: LiveSocketData) {
    this.data = data;
  }
  send(text: string): number {
    if (this.failSends) throw new Error('socket exploded');
    const frame = LiveFrame.parse(JSON.parse(text));
    if (this.dropSends) {
      this.dropped.push(frame);
      return 0;
    }
    this.frames.push(frame);
    return text.length;
  }
  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
  }
  getBufferedAmount(): number {
    this.bufferChecks++;
    return this.buffered;
  }
  of<T extends LiveFrame['type']>(type: T): Extract<LiveFrame, { type: T }>[] {
    return this.frames.filter((f): f is Extract<LiveFrame, { type: T }> => f.type === type);
  }
  seqs(): number[] {
    return this.of('entries').flatMap((f) => f.entries.map((e) => e.seq));
  }
}

/**
 * A stream in memory with a bus. `signing: 'async'` signs every cursor on a promise (as the
 * cloud does); `'ready'` builds entries frames synchronously (as the relay does).
 */
class MemoryStream {
  readonly entries: FeedEntry[] = [];
  readonly bus = new FeedBus<OpResult>();
  epoch = 0;
  failReads = false;
  subscribeFails = false;

  /** Appends entries of `kinds`; the bus hears of them unless `announce` is false. */
  commit(kinds: readonly EntityKind[], announce = true): FeedEntry[] {
    const added = kinds.map(
      (entity, i): FeedEntry => ({
        seq: this.head + i + 1,
        entity,
        id: `${entity}-${this.head + i + 1}`,
        op: 'tombstone',
        version: 1,
        at: AT,
      }),
    );
    this.entries.push(...added);
    if (announce) this.bus.publish(VENUE, added);
    return added;
  }

  get head(): number {
    return this.entries.at(-1)?.seq ?? 0;
  }

  view(kinds: readonly EntityKind[], signing: 'ready' | 'async'): LiveStream {
    const epoch = this.epoch;
    const cursorOf = (seq: number): string => `c.${epoch}.${seq}`;
    return {
      subscribe: (listener) => {
        if (this.subscribeFails) throw new Error('bus down');
        return this.bus.subscribe(VENUE, listener);
      },
      head: () => this.head,
      read: (request, limit) => {
        if (this.failReads) return Promise.reject(new Error('disk on fire'));
        return this.entries
          .filter(
            (e) =>
              e.seq > request.afterSeq && e.seq <= request.throughSeq && kinds.includes(e.entity),
          )
          .slice(0, limit);
      },
      holds: () => this.epoch === epoch,
      cursorAt: async (seq) => cursorOf(seq),
      entriesFrame: (batch) => {
        const frame = entriesFrame(batch.entries, cursorOf(batch.throughSeq));
        return signing === 'ready' ? frame : Promise.resolve(frame);
      },
    };
  }
}

interface Setup {
  readonly options?: Partial<LiveOptions>;
  readonly signing?: 'ready' | 'async';
}

function setup({ options = {}, signing = 'ready' }: Setup = {}) {
  const stream = new MemoryStream();
  const errors: { msg: string; error: unknown }[] = [];
  const lags: number[] = [];
  let clock = 0;
  const sockets = new LiveSockets({
    options: {
      heartbeatMs: 60_000,
      maxBufferedBytes: 1000,
      pageSize: 500,
      drainTimeoutMs: 10_000,
      ...options,
    },
    logError: (msg, fields) => errors.push({ msg, error: fields.error }),
    metrics: { observeFanoutLag: (ms) => lags.push(ms) },
    now: () => clock++,
  });
  /** Opens a socket that has everything up to `afterSeq`. */
  const open = (afterSeq = stream.head, kinds: readonly EntityKind[] = ['ticket']): FakeSocket => {
    const connection = sockets.connect({
      session: new LiveSession(afterSeq, kinds),
      stream: stream.view(kinds, signing),
      cursor: `c.${stream.epoch}.${afterSeq}`,
    });
    const ws = new FakeSocket({ connection });
    sockets.websocket.open(ws);
    return ws;
  };
  /** Opens a socket and waits for the heartbeat that says it has caught up. */
  const caughtUp = async (afterSeq = stream.head): Promise<FakeSocket> => {
    const ws = open(afterSeq);
    await vi.waitFor(() => expect(ws.of('heartbeat')).not.toHaveLength(0));
    return ws;
  };
  return { stream, sockets, errors, lags, open, caughtUp };
}

describe.each(['ready', 'async'] as const)('a live connection with %s frames', (signing) => {
  it('sends the backlog in pages, then live commits, with no gap and no duplicate', async () => {
    const { stream, sockets, open } = setup({ signing, options: { pageSize: 2 } });
    const backlog = [
      ...stream.commit(['ticket', 'order', 'ticket']),
      ...stream.commit(['ticket', 'ticket', 'ticket']),
    ];
    const ws = open(0);
    // A commit racing the backlog reads, and one the bus never announces (another instance).
    const racing = stream.commit(['ticket']);
    const silent = stream.commit(['ticket'], false);
    await vi.waitFor(() => expect(ws.of('heartbeat')).not.toHaveLength(0));
    const tickets = [...backlog, ...racing].filter((e) => e.entity === 'ticket');
    expect(ws.seqs().slice(0, tickets.length)).toEqual(tickets.map((e) => e.seq));
    expect(ws.of('entries').every((f) => f.entries.length <= 2)).toBe(true);

    const live = stream.commit(['ticket', 'order', 'ticket']);
    const expected = [...tickets, ...silent, ...live.filter((e) => e.entity === 'ticket')];
    await vi.waitFor(() => expect(ws.seqs()).toEqual(expected.map((e) => e.seq)));
    expect(ws.of('entries').at(-1)?.cursor).toBe(`c.0.${stream.head}`);

    expect(sockets.connectedCount).toBe(1);
    expect(stream.bus.subscriberCount(VENUE)).toBe(1);
    sockets.websocket.close(ws);
    expect(stream.bus.subscriberCount(VENUE)).toBe(0);
    expect(sockets.connectedCount).toBe(0);
  });

  it('sends heartbeats with the head and a cursor; the first says it has caught up', async () => {
    const { stream, sockets, open } = setup({ signing, options: { heartbeatMs: 20 } });
    stream.commit(['order', 'order']);
    const ws = open();
    await vi.waitFor(() => expect(ws.of('heartbeat').length).toBeGreaterThanOrEqual(3));
    expect(ws.frames[0]).toEqual({ type: 'heartbeat', head: 2, cursor: 'c.0.2' });
    sockets.websocket.close(ws);
  });

  it('closes a slow client with 4008 and its resume cursor while a fast one keeps receiving', async () => {
    const { stream, caughtUp } = setup({ signing });
    const fast = await caughtUp();
    const slow = await caughtUp();
    slow.buffered = 5000;
    stream.commit(['ticket']);
    await vi.waitFor(() => {
      expect(slow.closed).toBeDefined();
      expect(fast.of('entries')).toHaveLength(1);
    });
    expect(slow.closed?.code).toBe(LIVE_CLOSE.slowConsumer);
    const error = slow.frames.at(-1);
    expect(error).toMatchObject({ type: 'error', problem: { kind: 'retry_later', status: 503 } });
    // The frame that overflowed was still queued by the socket: the client resumes after it.
    expect(error?.type === 'error' && error.problem.cursor).toBe('c.0.1');
    expect(stream.bus.subscriberCount(VENUE)).toBe(1);

    stream.commit(['ticket']);
    await vi.waitFor(() => expect(fast.of('entries')).toHaveLength(2));
    expect(fast.closed).toBeUndefined();
  });

  it('closes a client whose frame Bun dropped: going on would leave a gap', async () => {
    const { stream, caughtUp } = setup({ signing });
    const ws = await caughtUp();
    ws.dropSends = true;
    stream.commit(['ticket']);
    await vi.waitFor(() => expect(ws.closed?.code).toBe(LIVE_CLOSE.slowConsumer));
    expect(ws.dropped.map((f) => f.type)).toEqual(['entries', 'error']);
    // Nothing was delivered after the heartbeat: the client resumes from there.
    expect(ws.dropped[1]).toMatchObject({ problem: { code: 'SLOW_CONSUMER', cursor: 'c.0.0' } });
  });

  it('holds a backlog page until the socket drains', async () => {
    const { stream, sockets, open } = setup({ signing });
    stream.commit(['ticket', 'ticket']);
    const waiting = open(0);
    waiting.buffered = 900;
    // The backlog asked how full the socket is and sent nothing.
    await vi.waitFor(() => expect(waiting.bufferChecks).toBeGreaterThan(0));
    expect(waiting.of('entries')).toEqual([]);
    waiting.buffered = 0;
    sockets.websocket.drain(waiting);
    await vi.waitFor(() => expect(waiting.seqs()).toEqual([1, 2]));
    expect(waiting.closed).toBeUndefined();
  });

  it('gives up on a backlog that cannot drain in time', async () => {
    const { stream, open } = setup({ signing, options: { drainTimeoutMs: 0 } });
    stream.commit(['ticket']);
    const ws = open(0);
    ws.buffered = 900;
    await vi.waitFor(() => expect(ws.closed?.code).toBe(LIVE_CLOSE.slowConsumer));
    expect(ws.of('entries')).toEqual([]);
  });

  it('closes with 4010 when the stream no longer holds', async () => {
    const { stream, caughtUp } = setup({ signing, options: { heartbeatMs: 20 } });
    const ws = await caughtUp();
    stream.epoch = 1;
    await vi.waitFor(() => expect(ws.closed?.code).toBe(LIVE_CLOSE.reBootstrap));
    expect(ws.frames.at(-1)).toMatchObject({
      type: 'error',
      problem: { status: 410, kind: 're_bootstrap', code: 'CURSOR_EXPIRED' },
    });
    expect(stream.bus.subscriberCount(VENUE)).toBe(0);
  });

  it('turns a failing read into a logged 1011 close, never a throw', async () => {
    const { stream, errors, caughtUp } = setup({ signing });
    const ws = await caughtUp();
    stream.failReads = true;
    // A commit no publish announces forces a read when the next one shows the gap.
    stream.commit(['ticket'], false);
    stream.commit(['ticket']);
    await vi.waitFor(() => expect(ws.closed?.code).toBe(LIVE_CLOSE.internal));
    expect(ws.frames.at(-1)).toMatchObject({ type: 'error', problem: { kind: 'back_off' } });
    expect(errors).toContainEqual({ msg: 'live gap read failed', error: 'disk on fire' });
  });

  it('sends notices in order with the entries', async () => {
    const { stream, caughtUp } = setup({ signing });
    const ws = await caughtUp();
    const result: OpResult = {
      opId: '01JD0000000000000000000200',
      status: 'rejected',
      code: 'FORBIDDEN',
      message: 'no',
    };
    stream.commit(['ticket']);
    stream.bus.notify(VENUE, result);
    await vi.waitFor(() => expect(ws.frames).toHaveLength(3));
    expect(ws.frames.slice(1).map((f) => f.type)).toEqual(['entries', 'notice']);
    expect(ws.of('notice')[0]?.result).toEqual(result);
  });
});

describe('the live sockets of a route', () => {
  it('never lets a throwing send escape, and keeps the other sockets going', async () => {
    const { stream, sockets, errors, caughtUp, open } = setup();
    const healthy = await caughtUp();
    const broken = await caughtUp();
    broken.failSends = true;
    stream.commit(['ticket']);
    await vi.waitFor(() => {
      expect(healthy.of('entries')).toHaveLength(1);
      expect(stream.bus.subscriberCount(VENUE)).toBe(1);
    });
    expect(errors.some((e) => e.error === 'socket exploded')).toBe(true);
    expect(() => sockets.websocket.close(broken)).not.toThrow();

    // A socket that throws from its first frame on.
    const doomed = open();
    doomed.failSends = true;
    expect(() => sockets.websocket.drain(doomed)).not.toThrow();
    expect(() => sockets.websocket.error(new Error('boom'))).not.toThrow();
    stream.commit(['ticket']);
    await vi.waitFor(() => {
      expect(healthy.of('entries')).toHaveLength(2);
      expect(sockets.connectedCount).toBe(1);
    });
    expect(doomed.closed?.code).toBe(LIVE_CLOSE.internal);
  });

  it('keeps a bus that will not subscribe inside the handlers: logged, closed 1011', () => {
    const { stream, sockets, errors, open } = setup();
    stream.subscribeFails = true;
    let ws: FakeSocket | undefined;
    expect(() => {
      ws = open();
    }).not.toThrow();
    expect(ws?.closed?.code).toBe(LIVE_CLOSE.internal);
    expect(errors).toContainEqual({ msg: 'live subscribe failed', error: 'bus down' });
    expect(() => ws && sockets.websocket.close(ws)).not.toThrow();
    expect(sockets.connectedCount).toBe(0);
  });

  it('survives a logger that throws', () => {
    const sockets = new LiveSockets({
      options: { heartbeatMs: 60_000, maxBufferedBytes: 1000, pageSize: 500, drainTimeoutMs: 0 },
      logError: () => {
        throw new Error('log down');
      },
    });
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(() => sockets.websocket.error(new Error('boom'))).not.toThrow();
      expect(quiet).toHaveBeenCalled();
    } finally {
      quiet.mockRestore();
    }
  });

  it('times the fan-out of live frames only, not of the backlog', async () => {
    const { stream, lags, open } = setup();
    stream.commit(['ticket']);
    const ws = open(0);
    await vi.waitFor(() => expect(ws.of('heartbeat')).toHaveLength(1));
    expect(lags).toEqual([]);
    stream.commit(['ticket']);
    await vi.waitFor(() => expect(ws.of('entries')).toHaveLength(2));
    expect(lags).toHaveLength(1);
  });

  it('sends a ready frame within the publish when nothing is queued ahead of it', async () => {
    const { stream, caughtUp } = setup();
    const sockets = [await caughtUp(), await caughtUp(), await caughtUp()];
    stream.commit(['ticket']);
    for (const ws of sockets) expect(ws.of('entries')).toHaveLength(1);
  });
});
