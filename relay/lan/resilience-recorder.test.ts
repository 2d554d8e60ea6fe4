import { describe, expect, it } from 'vitest';
import { ResilienceRecorder } from './resilience-recorder.ts';

const START = Date.parse('2026-11-23T19:00:00.000Z');

/** A recorder on a clock the test moves; `at(m, s)` is START plus m minutes and s seconds. */
function recorder(limits?: { transitions: number; minutes: number }) {
  let now = START;
  const r = new ResilienceRecorder(() => new Date(now), limits);
  const set = (minutes: number, seconds = 0) => {
    now = START + minutes * 60_000 + seconds * 1000;
  };
  return { r, set };
}
const iso = (minutes: number, seconds = 0) =>
  new Date(START + minutes * 60_000 + seconds * 1000).toISOString();
const quiet = { journalDepth: 0, outboxDepth: 0, replaying: false };

describe('ResilienceRecorder: connectivity', () => {
  it('knows nothing before a state is noted', () => {
    expect(recorder().r.connectivity()).toBeUndefined();
  });

  it('records a transition per change of state, newest last, the same state once', () => {
    const { r, set } = recorder();
    r.noteConnectivity('offline_local');
    set(1);
    r.noteConnectivity('online', iso(0, 30));
    set(2);
    r.noteConnectivity('online', iso(2));
    r.noteConnectivity('offline_local');
    expect(r.connectivity()).toEqual({
      state: 'offline_local',
      since: iso(2),
      history: [
        { state: 'offline_local', at: iso(0) },
        { state: 'online', at: iso(0, 30) },
        { state: 'offline_local', at: iso(2) },
      ],
    });
  });

  it('keeps the latest transitions only', () => {
    const { r, set } = recorder({ transitions: 3, minutes: 360 });
    for (let i = 0; i < 10; i += 1) {
      set(i);
      r.noteConnectivity(i % 2 === 0 ? 'online' : 'degraded');
    }
    expect(r.connectivity()?.history).toEqual([
      { state: 'degraded', at: iso(7) },
      { state: 'online', at: iso(8) },
      { state: 'degraded', at: iso(9) },
    ]);
    // 50 by default, as the report allows.
    const many = recorder();
    for (let i = 0; i < 120; i += 1) many.r.noteConnectivity(i % 2 === 0 ? 'a' : 'b');
    expect(many.r.connectivity()?.history).toHaveLength(50);
  });
});

describe('ResilienceRecorder: samples', () => {
  it('folds the readings of a minute into one sample: peaks, and replaying if ever', () => {
    const { r, set } = recorder();
    set(0, 5);
    r.sample({ journalDepth: 4, outboxDepth: 1, replaying: false });
    set(0, 20);
    r.sample({ journalDepth: 9, outboxDepth: 0, replaying: true });
    set(0, 50);
    r.sample({ journalDepth: 2, outboxDepth: 3, replaying: false });
    set(1, 10);
    r.sample({ journalDepth: 0, outboxDepth: 0, replaying: false });
    expect(r.samples()).toEqual([
      { at: iso(0), journalDepth: 9, outboxDepth: 3, replaying: true },
      { at: iso(1), journalDepth: 0, outboxDepth: 0, replaying: false },
    ]);
  });

  it('keeps 6 hours of minutes, oldest first, and forgets what is older', () => {
    const { r, set } = recorder();
    for (let m = 0; m < 400; m += 1) {
      set(m, 1);
      r.sample({ ...quiet, journalDepth: m });
    }
    const samples = r.samples();
    expect(samples).toHaveLength(360);
    expect(samples[0]).toEqual({ ...quiet, at: iso(40), journalDepth: 40 });
    expect(samples.at(-1)).toEqual({ ...quiet, at: iso(399), journalDepth: 399 });
    // Minutes with no reading leave gaps; the window moves on with the clock all the same.
    set(399 + 359);
    expect(r.samples().map((s) => s.at)).toEqual([iso(399)]);
    set(399 + 360);
    expect(r.samples()).toEqual([]);
  });
});
