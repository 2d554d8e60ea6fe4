import { describe, expect, it } from 'vitest';
import { jsonLinesLogger } from './relay-log.ts';

function sinks() {
  const out: string[] = [];
  const err: string[] = [];
  const turns: (() => void)[] = [];
  return {
    out,
    err,
    endTurn: () => {
      for (const flush of turns.splice(0)) flush();
    },
    sinks: {
      out: (text: string) => out.push(text),
      err: (text: string) => err.push(text),
      schedule: (flush: () => void) => turns.push(flush),
    },
  };
}

const lines = (writes: readonly string[]) =>
  writes.flatMap((w) => w.split('\n')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('jsonLinesLogger', () => {
  it('writes a turn’s info lines to stdout in one write, in order, at the end of the turn', () => {
    const s = sinks();
    const { log } = jsonLinesLogger(s.sinks);
    log('info', 'request', { status: 202 });
    log('info', 'request', { status: 201 });
    log('debug', 'detail');
    expect(s.out).toEqual([]);
    s.endTurn();
    expect(s.out).toHaveLength(1);
    expect(lines(s.out)).toMatchObject([
      { level: 'info', msg: 'request', status: 202 },
      { level: 'info', msg: 'request', status: 201 },
      { level: 'debug', msg: 'detail' },
    ]);
    for (const line of lines(s.out)) expect(typeof line.time).toBe('string');
    log('info', 'next turn');
    s.endTurn();
    expect(s.out).toHaveLength(2);
  });

  it('writes warnings and errors to stderr at once, after the info that waited', () => {
    const s = sinks();
    const { log } = jsonLinesLogger(s.sinks);
    log('info', 'before');
    log('error', 'commit failed', { error: 'disk' });
    expect(lines(s.out)).toMatchObject([{ msg: 'before' }]);
    expect(lines(s.err)).toMatchObject([{ level: 'error', msg: 'commit failed', error: 'disk' }]);
    log('warn', 'slow');
    expect(s.err).toHaveLength(2);
    s.endTurn();
    expect(s.out).toHaveLength(1);
  });

  it('writes what waits on flush, and at once past 64 KiB', () => {
    const s = sinks();
    const logger = jsonLinesLogger(s.sinks);
    logger.log('info', 'stopping');
    logger.flush();
    expect(lines(s.out)).toMatchObject([{ msg: 'stopping' }]);
    for (let i = 0; i < 100; i++) logger.log('info', 'request', { pad: 'x'.repeat(1_000) });
    expect(s.out.length).toBeGreaterThan(1);
    s.endTurn();
    expect(lines(s.out.slice(1))).toHaveLength(100);
  });
});
