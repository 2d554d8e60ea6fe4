import { describe, expect, it } from 'vitest';
import { FrameCache } from './frame-cache.ts';

describe('FrameCache', () => {
  it('builds a frame once per key and forgets the oldest past its capacity', () => {
    const cache = new FrameCache(2);
    let builds = 0;
    const build = (text: string) => () => {
      builds++;
      return { text };
    };
    const first = cache.get('a', build('A'));
    expect(cache.get('a', build('A again'))).toBe(first);
    cache.get('b', build('B'));
    cache.get('c', build('C'));
    expect(builds).toBe(3);
    expect(cache.get('a', build('A rebuilt')).text).toBe('A rebuilt');
    expect(cache.get('c', build('C again')).text).toBe('C');
  });
});
