import { describe, expect, it } from 'vitest';
import {
  mayChooseStation,
  memoryStationStore,
  parseStation,
  stationKey,
} from '../../web/kitchen/station-store.ts';

// The station a display keeps on the device: "expo" or a station id the settings could hold.

describe('parseStation', () => {
  it('expo and station ids', () => {
    expect(parseStation('expo')).toEqual({ kind: 'expo' });
    expect(parseStation('grill')).toEqual({ kind: 'prep', id: 'grill' });
    expect(parseStation('cold-2')).toEqual({ kind: 'prep', id: 'cold-2' });
    expect(parseStation('a')).toEqual({ kind: 'prep', id: 'a' });
    expect(parseStation(`a${'b'.repeat(31)}`)).toEqual({ kind: 'prep', id: `a${'b'.repeat(31)}` });
  });

  it('nothing stored, or anything a station id cannot be: none', () => {
    for (const text of [
      null,
      '',
      'Grill',
      '2nd',
      '-x',
      'grill ',
      'gr ill',
      'grill/1',
      `a${'b'.repeat(32)}`,
      'EXPO',
    ]) {
      expect(parseStation(text), String(text)).toBe(undefined);
    }
  });

  it('stationKey writes what parseStation reads', () => {
    for (const choice of [{ kind: 'expo' } as const, { kind: 'prep', id: 'fry' } as const]) {
      expect(parseStation(stationKey(choice))).toEqual(choice);
    }
  });
});

describe('memoryStationStore', () => {
  it('keeps the choice, and forgets it', () => {
    const store = memoryStationStore();
    expect(store.load()).toBe(undefined);
    store.save({ kind: 'prep', id: 'grill' });
    expect(store.load()).toEqual({ kind: 'prep', id: 'grill' });
    store.save(undefined);
    expect(store.load()).toBe(undefined);
  });
});

describe('who may choose the station', () => {
  it('anyone on first open; once chosen, a manager or owner only', () => {
    const grill = { kind: 'prep', id: 'grill' } as const;
    for (const role of ['kitchen', 'server', 'manager', 'owner'])
      expect(mayChooseStation(role, undefined), role).toBe(true);
    expect(mayChooseStation('kitchen', grill)).toBe(false);
    expect(mayChooseStation('server', { kind: 'expo' })).toBe(false);
    expect(mayChooseStation('manager', grill)).toBe(true);
    expect(mayChooseStation('owner', { kind: 'expo' })).toBe(true);
  });
});
