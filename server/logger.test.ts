import { describe, expect, it } from 'vitest';
import { memoryLogger, silentLogger, streamLogger } from './logger.ts';

describe('the servers’ logger', () => {
  it('writes one JSON line per call: level by name, ISO time, message, fields', () => {
    const written: string[] = [];
    const log = streamLogger({ write: (line) => written.push(line) });
    log('info', 'request', { method: 'POST', status: 202 });
    log('warn', 'no fields');
    expect(written).toHaveLength(2);
    expect(written.every((w) => w.endsWith('\n') && w.indexOf('\n') === w.length - 1)).toBe(true);
    const first = JSON.parse(written[0] ?? '') as Record<string, unknown>;
    expect(first).toMatchObject({ level: 'info', msg: 'request', method: 'POST', status: 202 });
    expect(new Date(String(first.time)).toISOString()).toBe(first.time);
    expect(first).not.toHaveProperty('pid');
    expect(first).not.toHaveProperty('hostname');
    expect(JSON.parse(written[1] ?? '')).toMatchObject({ level: 'warn', msg: 'no fields' });
  });

  it('logs debug lines too', () => {
    const { log, lines } = memoryLogger();
    log('debug', 'detail');
    expect(lines).toEqual([{ level: 'debug', msg: 'detail', fields: {} }]);
  });

  it('redacts tokens, PINs and cookies that slip into fields, and a request’s secret headers', () => {
    const { log, lines } = memoryLogger();
    log('error', 'sign-in failed', {
      pin: '3333',
      authorization: 'Bearer secret-token',
      headers: { cookie: 'session=abc', accept: 'application/json' },
      venueId: 'v1',
    });
    const text = JSON.stringify(lines);
    for (const secret of ['3333', 'secret-token', 'session=abc'])
      expect(text).not.toContain(secret);
    expect(lines[0]?.fields).toMatchObject({
      pin: '[redacted]',
      authorization: '[redacted]',
      headers: { cookie: '[redacted]', accept: 'application/json' },
      venueId: 'v1',
    });
  });

  it('the silent logger takes every call and writes nothing', () => {
    expect(() => silentLogger('error', 'ignored', { a: 1 })).not.toThrow();
  });
});
