import { describe, expect, it } from 'vitest';
import { parseBroadcast } from '../../web/app/broadcast-guard.ts';

// The channel is a boundary: what another tab or worker says is read by hand, and what does not
// read right is dropped (or, for entity ids, widened to "the kinds changed whole").

describe('broadcast guard', () => {
  it('keeps the entity ids of an entities-changed that names them', () => {
    expect(
      parseBroadcast({ type: 'entities-changed', kinds: ['order'], ids: { order: ['o-1'] } }),
    ).toEqual({ type: 'entities-changed', kinds: ['order'], ids: { order: ['o-1'] } });
  });

  it('drops ids that do not read right, keeping the kinds', () => {
    for (const ids of [{ order: [1] }, { order: 'o-1' }, ['o-1'], null, 'x'])
      expect(parseBroadcast({ type: 'entities-changed', kinds: ['order'], ids })).toEqual({
        type: 'entities-changed',
        kinds: ['order'],
      });
  });

  it('reads a sign-out on the device (its extra fields dropped)', () => {
    expect(parseBroadcast({ type: 'signed-out', by: 'x' })).toEqual({ type: 'signed-out' });
  });

  it('reads a revoke of this device', () => {
    expect(parseBroadcast({ type: 'device-revoked', at: 1 })).toEqual({ type: 'device-revoked' });
  });

  it('refuses an entities-changed without a list of kinds, and what is not a broadcast', () => {
    expect(parseBroadcast({ type: 'entities-changed', kinds: 'order' })).toBeUndefined();
    expect(parseBroadcast({ type: 'nonsense' })).toBeUndefined();
    expect(parseBroadcast(null)).toBeUndefined();
  });
});
