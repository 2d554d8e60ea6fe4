import { describe, expect, it } from 'vitest';
import {
  bearerOfSubprotocols,
  LIVE_CLOSE,
  LIVE_SUBPROTOCOL,
  LiveFrame,
  liveSubprotocols,
  offeredSubprotocols,
  problem,
} from '#protocol';

const AT = '2026-11-23T19:30:00.000Z';
const OP_ID = '01JD0000000000000000000200';

const frames: Record<LiveFrame['type'], LiveFrame> = {
  entries: {
    type: 'entries',
    entries: [
      { seq: 7, entity: 'ticket', id: 'ticket-1', op: 'tombstone', version: 2, at: AT },
      { seq: 9, entity: 'order', id: 'order-1', op: 'tombstone', version: 1, at: AT, opId: OP_ID },
    ],
    cursor: 'c.9',
  },
  heartbeat: { type: 'heartbeat', head: 12, cursor: 'c.9' },
  notice: {
    type: 'notice',
    result: { opId: OP_ID, status: 'rejected', code: 'FORBIDDEN', message: 'no' },
  },
  error: {
    type: 'error',
    problem: problem(503, 'SLOW_CONSUMER', 'Too far behind', {
      kind: 'retry_later',
      retryAfter: 1,
      cursor: 'c.9',
    }),
  },
};

/** What a client does with a frame's text. */
const wire = (frame: unknown): ReturnType<typeof LiveFrame.safeParse> =>
  LiveFrame.safeParse(JSON.parse(JSON.stringify(frame)));

describe('live frames', () => {
  it.each(Object.entries(frames))('a %s frame survives the wire unchanged', (_, frame) => {
    const parsed = wire(frame);
    expect(parsed.success, parsed.error?.message).toBe(true);
    expect(parsed.data).toEqual(frame);
  });

  it.each([
    ['no type', { entries: [], cursor: 'c' }],
    ['an unknown type', { type: 'snapshot', cursor: 'c' }],
    ['entries that are not an array', { ...frames.entries, entries: {} }],
    ['an entry without a seq', { type: 'entries', entries: [{ entity: 'ticket' }], cursor: 'c' }],
    ['an empty cursor', { ...frames.entries, cursor: '' }],
    ['a cursor past 512 characters', { ...frames.heartbeat, cursor: 'c'.repeat(513) }],
    ['a negative head', { ...frames.heartbeat, head: -1 }],
    ['a fractional head', { ...frames.heartbeat, head: 1.5 }],
    ['a heartbeat without a cursor', { type: 'heartbeat', head: 3 }],
    ['a notice without a result', { type: 'notice' }],
    ['a notice of an unknown status', { type: 'notice', result: { opId: OP_ID, status: 'maybe' } }],
    [
      'a problem without a kind',
      { type: 'error', problem: { status: 503, code: 'X', title: 'x' } },
    ],
  ])('refuses %s', (_, frame) => {
    expect(wire(frame).success).toBe(false);
  });

  it('keeps a problem’s extensions (the slow consumer’s resume cursor)', () => {
    const parsed = wire(frames.error);
    expect(parsed.data?.type === 'error' && parsed.data.problem.cursor).toBe('c.9');
  });
});

describe('live socket conventions', () => {
  it('closes with the codes clients act on', () => {
    expect(LIVE_CLOSE).toEqual({
      slowConsumer: 4008,
      reBootstrap: 4010,
      deviceRevoked: 4401,
      internal: 1011,
    });
  });

  it('offers hearth.v1, and the bearer entry only with a token', () => {
    expect(liveSubprotocols()).toEqual([LIVE_SUBPROTOCOL]);
    expect(liveSubprotocols('a.b.c')).toEqual(['hearth.v1', 'bearer.a.b.c']);
  });

  it('reads the token back from the header a server receives', () => {
    expect(bearerOfSubprotocols(liveSubprotocols('a.b.c').join(', '))).toBe('a.b.c');
    expect(bearerOfSubprotocols('hearth.v1')).toBeUndefined();
    expect(bearerOfSubprotocols(null)).toBeUndefined();
    expect(offeredSubprotocols(' hearth.v1 ,, bearer.x ')).toEqual(['hearth.v1', 'bearer.x']);
    expect(offeredSubprotocols(undefined)).toEqual([]);
  });
});
