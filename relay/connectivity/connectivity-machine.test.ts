import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnectivityTransition, RelayConnectivity } from '#protocol';
import {
  activityOf,
  CONNECTIVITY_EVENT_TYPES,
  type ConnectivityActivity,
  type ConnectivityConfig,
  type ConnectivityEffect,
  type ConnectivityEvent,
  type ConnectivityEventType,
  type ConnectivityState,
  connectivityStep,
  DEFAULT_CONNECTIVITY_CONFIG,
  formatDuration,
  initialConnectivityState,
  rescueEligible,
} from './connectivity-machine.ts';

const T0 = Date.parse('2026-05-01T18:00:00.000Z');
const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/** The defaults with the rescue uplink turned on (it is dormant by default). */
const RESCUE_ON: ConnectivityConfig = {
  ...DEFAULT_CONNECTIVITY_CONFIG,
  rescue: { ...DEFAULT_CONNECTIVITY_CONFIG.rescue, enabled: true },
};

const SAMPLE_EVENT: Record<ConnectivityEventType, ConnectivityEvent> = {
  probe_ok: { type: 'probe_ok' },
  probe_failed: { type: 'probe_failed', detail: 'timeout' },
  request_failed: { type: 'request_failed', detail: 'HTTP 503' },
  journal_drained: { type: 'journal_drained' },
  journal_pending: { type: 'journal_pending', ops: 12 },
  tick: { type: 'tick' },
  rescue_ok: { type: 'rescue_ok' },
  rescue_failed: { type: 'rescue_failed', detail: 'no carrier' },
};

/**
 * A row whose outcome depends on counters, journal, elapsed time or policy lists its cases,
 * each with the precondition it needs. Unless a case says otherwise the state was entered at T0
 * with counters at 0, an empty journal and (for offline_local/rescue_uplink) the outage starting
 * at T0; the event arrives `after` ms later (default 1s); rescue is enabled.
 */
interface Case {
  readonly pre: string;
  readonly given?: Partial<Omit<ConnectivityState, 'status'>>;
  readonly after?: number;
  readonly rescueEnabled?: boolean;
  readonly to: RelayConnectivity;
}
type Row = RelayConnectivity | readonly Case[];

// The full transition table: every status × every event → the next status.
const TABLE: Record<RelayConnectivity, Record<ConnectivityEventType, Row>> = {
  online: {
    probe_ok: 'online',
    probe_failed: 'degraded',
    request_failed: 'degraded',
    journal_drained: 'online',
    journal_pending: 'reconciling',
    tick: 'online',
    rescue_ok: 'online',
    rescue_failed: 'online',
  },
  degraded: {
    probe_ok: [
      { pre: 'no ok yet', to: 'degraded' },
      { pre: '1 ok so far, journal empty', given: { consecutiveSuccesses: 1 }, to: 'online' },
      {
        pre: '1 ok so far, journal pending',
        given: { consecutiveSuccesses: 1, journalPending: true },
        to: 'reconciling',
      },
    ],
    probe_failed: [
      { pre: '1 failure so far', given: { consecutiveFailures: 1 }, to: 'degraded' },
      { pre: '2 failures so far', given: { consecutiveFailures: 2 }, to: 'offline_local' },
    ],
    request_failed: [
      { pre: '1 failure so far', given: { consecutiveFailures: 1 }, to: 'degraded' },
      { pre: '2 failures so far', given: { consecutiveFailures: 2 }, to: 'offline_local' },
    ],
    journal_drained: 'degraded',
    journal_pending: 'degraded',
    tick: 'degraded',
    rescue_ok: 'degraded',
    rescue_failed: 'degraded',
  },
  offline_local: {
    probe_ok: [
      { pre: 'no ok yet', to: 'offline_local' },
      { pre: '1 ok so far, journal empty', given: { consecutiveSuccesses: 1 }, to: 'recovered' },
      {
        pre: '1 ok so far, journal pending',
        given: { consecutiveSuccesses: 1, journalPending: true },
        to: 'reconciling',
      },
    ],
    probe_failed: 'offline_local',
    request_failed: 'offline_local',
    journal_drained: 'offline_local',
    journal_pending: 'offline_local',
    tick: 'offline_local',
    rescue_ok: [
      { pre: 'enabled, outage 4m59.999s', after: 5 * MINUTE - 1, to: 'offline_local' },
      { pre: 'enabled, outage 5m00s', after: 5 * MINUTE, to: 'rescue_uplink' },
      {
        pre: 'disabled, outage 1h',
        after: 60 * MINUTE,
        rescueEnabled: false,
        to: 'offline_local',
      },
    ],
    rescue_failed: 'offline_local',
  },
  rescue_uplink: {
    probe_ok: [
      { pre: 'no ok yet', to: 'rescue_uplink' },
      { pre: '1 ok so far, journal empty', given: { consecutiveSuccesses: 1 }, to: 'recovered' },
      {
        pre: '1 ok so far, journal pending',
        given: { consecutiveSuccesses: 1, journalPending: true },
        to: 'reconciling',
      },
    ],
    probe_failed: 'rescue_uplink',
    request_failed: 'rescue_uplink',
    journal_drained: 'rescue_uplink',
    journal_pending: 'rescue_uplink',
    tick: [
      { pre: 'rescue enabled', to: 'rescue_uplink' },
      { pre: 'rescue disabled by policy', rescueEnabled: false, to: 'offline_local' },
    ],
    rescue_ok: 'rescue_uplink',
    rescue_failed: 'offline_local',
  },
  reconciling: {
    probe_ok: 'reconciling',
    probe_failed: 'offline_local',
    request_failed: 'offline_local',
    journal_drained: 'recovered',
    journal_pending: 'reconciling',
    tick: 'reconciling',
    rescue_ok: 'reconciling',
    rescue_failed: 'reconciling',
  },
  recovered: {
    probe_ok: 'recovered',
    probe_failed: 'degraded',
    request_failed: 'degraded',
    journal_drained: 'recovered',
    journal_pending: 'reconciling',
    tick: [
      { pre: 'held 29.999s', after: 30 * SECOND - 1, to: 'recovered' },
      { pre: 'held 30s', after: 30 * SECOND, to: 'online' },
    ],
    rescue_ok: 'recovered',
    rescue_failed: 'recovered',
  },
};

// The effects of every move the table makes: stop before start, replay before the feed.
const EFFECTS: Record<string, readonly ConnectivityEffect[]> = {
  'online→degraded': [],
  'online→reconciling': [{ kind: 'start_replay', via: 'primary' }],
  'degraded→online': [],
  'degraded→reconciling': [{ kind: 'start_replay', via: 'primary' }],
  'degraded→offline_local': [{ kind: 'pause_feed' }],
  'offline_local→recovered': [{ kind: 'pull_feed' }],
  'offline_local→reconciling': [{ kind: 'start_replay', via: 'primary' }, { kind: 'pull_feed' }],
  'offline_local→rescue_uplink': [{ kind: 'open_rescue' }, { kind: 'start_replay', via: 'rescue' }],
  'rescue_uplink→recovered': [
    { kind: 'stop_replay' },
    { kind: 'close_rescue' },
    { kind: 'pull_feed' },
  ],
  'rescue_uplink→reconciling': [
    { kind: 'stop_replay' },
    { kind: 'close_rescue' },
    { kind: 'start_replay', via: 'primary' },
    { kind: 'pull_feed' },
  ],
  'rescue_uplink→offline_local': [{ kind: 'stop_replay' }, { kind: 'close_rescue' }],
  'reconciling→offline_local': [{ kind: 'stop_replay' }, { kind: 'pause_feed' }],
  'reconciling→recovered': [{ kind: 'stop_replay' }],
  'recovered→degraded': [],
  'recovered→reconciling': [{ kind: 'start_replay', via: 'primary' }],
  'recovered→online': [],
};

const STATUSES = RelayConnectivity.options;

function casesOf(row: Row): readonly Case[] {
  return typeof row === 'string' ? [{ pre: 'fresh counters, empty journal', to: row }] : row;
}

function stateFor(status: RelayConnectivity, c: Case): ConnectivityState {
  return { ...initialConnectivityState(T0, { status }), ...c.given };
}

function configFor(c: Case): ConnectivityConfig {
  return c.rescueEnabled === false ? DEFAULT_CONNECTIVITY_CONFIG : RESCUE_ON;
}

const rows = STATUSES.flatMap((status) =>
  CONNECTIVITY_EVENT_TYPES.flatMap((type) =>
    casesOf(TABLE[status][type]).map((c) => ({ status, type, c })),
  ),
);

describe('connectivity machine: the full transition table', () => {
  it('covers every status × every event', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...STATUSES].sort());
    for (const status of STATUSES) {
      expect(Object.keys(TABLE[status]).sort()).toEqual([...CONNECTIVITY_EVENT_TYPES].sort());
    }
    expect(STATUSES.length * CONNECTIVITY_EVENT_TYPES.length).toBe(48);
  });

  it.each(
    rows.map(({ status, type, c }) => [
      `${status} + ${type} [${c.pre}] → ${c.to}`,
      status,
      type,
      c,
    ]),
  )('%s', (_name, status, type, c) => {
    const now = T0 + (c.after ?? SECOND);
    const result = connectivityStep(stateFor(status, c), SAMPLE_EVENT[type], now, configFor(c));
    expect(result.state.status).toBe(c.to);
    if (c.to === status) {
      expect(result.transition).toBeUndefined();
      expect(result.effects).toEqual([]);
      expect(result.state.since).toBe(T0);
      return;
    }
    expect(result.transition).toEqual({
      from: status,
      to: c.to,
      at: new Date(now).toISOString(),
      reason: expect.any(String),
    });
    expect(ConnectivityTransition.parse(result.transition)).toEqual(result.transition);
    expect(result.transition?.reason.length).toBeGreaterThan(0);
    expect(result.state.since).toBe(now);
    const key = `${status}→${c.to}`;
    expect(Object.keys(EFFECTS), key).toContain(key);
    expect(result.effects).toEqual(EFFECTS[key]);
  });

  it('lists effects only for moves the table makes', () => {
    const moves = new Set(
      rows.filter((r) => r.c.to !== r.status).map((r) => `${r.status}→${r.c.to}`),
    );
    expect([...moves].sort()).toEqual(Object.keys(EFFECTS).sort());
  });
});

interface Run {
  state: ConnectivityState;
  now: number;
  readonly transitions: ConnectivityTransition[];
  readonly effects: ConnectivityEffect[];
  readonly seen: RelayConnectivity[];
}

function startRun(
  status: RelayConnectivity = 'online',
  options: { journalPending?: boolean } = {},
): Run {
  return {
    state: initialConnectivityState(T0, { status, ...options }),
    now: T0,
    transitions: [],
    effects: [],
    seen: [status],
  };
}

/** Feeds events `gap` ms apart (after advancing by `gap`); returns the last step's result. */
function feed(
  run: Run,
  events: readonly ConnectivityEvent[],
  config: ConnectivityConfig = DEFAULT_CONNECTIVITY_CONFIG,
  gap = SECOND,
) {
  let last = connectivityStep(run.state, { type: 'tick' }, run.now, config);
  for (const event of events) {
    run.now += gap;
    last = connectivityStep(run.state, event, run.now, config);
    run.state = last.state;
    run.seen.push(last.state.status);
    run.effects.push(...last.effects);
    if (last.transition) run.transitions.push(last.transition);
  }
  return last;
}

const ok: ConnectivityEvent = { type: 'probe_ok' };
const fail: ConnectivityEvent = { type: 'probe_failed', detail: 'timeout' };
const reqFail: ConnectivityEvent = { type: 'request_failed', detail: 'HTTP 502' };
const tick: ConnectivityEvent = { type: 'tick' };
const pending: ConnectivityEvent = { type: 'journal_pending', ops: 3 };
const drained: ConnectivityEvent = { type: 'journal_drained' };
const rescueOk: ConnectivityEvent = { type: 'rescue_ok' };

describe('connectivity machine: scenarios', () => {
  it('flapping (ok/fail alternating) never reaches offline_local', () => {
    const run = startRun();
    feed(
      run,
      Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? fail : ok)),
    );
    feed(
      run,
      Array.from({ length: 100 }, (_, i) => (i % 3 === 2 ? ok : reqFail)),
    );
    expect(run.seen).not.toContain('offline_local');
    // Hysteresis: one move into degraded, and no flicker back to online.
    expect(run.transitions.map((t) => `${t.from}→${t.to}`)).toEqual(['online→degraded']);
  });

  it('never reaches offline_local without failuresToOffline failures in a row (property)', () => {
    const event = fc.constantFrom(ok, fail, reqFail, tick);
    fc.assert(
      fc.property(fc.array(event, { maxLength: 200 }), (events) => {
        const run = startRun();
        let streak = 0;
        for (const e of events) {
          streak = e.type === 'probe_ok' ? 0 : e.type === 'tick' ? streak : streak + 1;
          if (streak >= 3) return; // the rest is outside the property
          feed(run, [e]);
          expect(run.state.status).not.toBe('offline_local');
        }
      }),
    );
  });

  it('3 consecutive failures → offline_local (degraded after the first)', () => {
    const run = startRun();
    feed(run, [fail, reqFail, fail]);
    expect(run.seen).toEqual(['online', 'degraded', 'degraded', 'offline_local']);
    expect(run.transitions).toEqual([
      {
        from: 'online',
        to: 'degraded',
        at: new Date(T0 + SECOND).toISOString(),
        reason: 'probe failed: timeout (1 consecutive failure)',
      },
      {
        from: 'degraded',
        to: 'offline_local',
        at: new Date(T0 + 3 * SECOND).toISOString(),
        reason: '3 consecutive failures (last: probe failed: timeout)',
      },
    ]);
    expect(run.effects).toEqual([{ kind: 'pause_feed' }]);
    expect(run.state.outageStartedAt).toBe(T0 + 3 * SECOND);
    expect(run.state.consecutiveFailures).toBe(3);
  });

  it('recovery from offline_local needs 2 consecutive probe_ok', () => {
    const run = startRun('offline_local');
    feed(run, [ok, fail, ok, reqFail, ok]);
    expect(run.state.status).toBe('offline_local');
    const last = feed(run, [ok]);
    expect(last.state.status).toBe('recovered');
    expect(last.transition?.reason).toBe(
      'uplink back: 2 consecutive probe successes; journal empty',
    );
    expect(last.effects).toEqual([{ kind: 'pull_feed' }]);
    expect(last.state.outageStartedAt).toBeNull();
  });

  it('recovery with journaled ops goes through reconciling, replay before feed', () => {
    const run = startRun();
    feed(run, [fail, fail, fail, pending, pending, ok]);
    expect(run.state.status).toBe('offline_local');
    const back = feed(run, [ok]);
    expect(back.state.status).toBe('reconciling');
    expect(back.effects).toEqual([{ kind: 'start_replay', via: 'primary' }, { kind: 'pull_feed' }]);
    const done = feed(run, [drained]);
    expect(done.state.status).toBe('recovered');
    expect(done.effects).toEqual([{ kind: 'stop_replay' }]);
    expect(done.state.journalPending).toBe(false);
  });

  it('a failure while reconciling returns to offline_local and keeps the outage clock', () => {
    const run = startRun();
    feed(run, [fail, fail, fail, pending]);
    const outage = run.state.outageStartedAt;
    feed(run, [ok, ok]);
    expect(run.state.status).toBe('reconciling');
    const relapse = feed(run, [reqFail]);
    expect(relapse.state.status).toBe('offline_local');
    expect(relapse.transition?.reason).toBe(
      'uplink request failed: HTTP 502 while reconciling; journal not drained',
    );
    expect(relapse.effects).toEqual([{ kind: 'stop_replay' }, { kind: 'pause_feed' }]);
    expect(relapse.state.outageStartedAt).toBe(outage);
  });

  describe('rescue uplink', () => {
    function outageAt(start: number): Run {
      const run = startRun();
      run.now = start - 3 * SECOND;
      feed(run, [fail, fail, fail, pending]);
      return run;
    }

    it('stays dormant when disabled, however long the outage', () => {
      const run = outageAt(T0);
      feed(run, [rescueOk], DEFAULT_CONNECTIVITY_CONFIG, 6 * 60 * MINUTE);
      expect(run.state.status).toBe('offline_local');
      expect(rescueEligible(run.state, run.now, DEFAULT_CONNECTIVITY_CONFIG)).toBe(false);
      expect(run.effects).not.toContainEqual({ kind: 'open_rescue' });
    });

    it('opens only past the threshold, measured from when offline_local began', () => {
      const run = outageAt(T0);
      // The first failure was 2s before offline_local; the threshold counts from offline_local.
      expect(run.state.outageStartedAt).toBe(T0);
      run.now = T0 + 5 * MINUTE - 2 * SECOND;
      expect(feed(run, [rescueOk], RESCUE_ON).state.status).toBe('offline_local');
      expect(rescueEligible(run.state, run.now, RESCUE_ON)).toBe(false);
      expect(rescueEligible(run.state, T0 + 5 * MINUTE, RESCUE_ON)).toBe(true);
      const opened = feed(run, [rescueOk], RESCUE_ON);
      expect(run.now).toBe(T0 + 5 * MINUTE);
      expect(opened.state.status).toBe('rescue_uplink');
      expect(opened.transition?.reason).toBe(
        'outage 5m00s past the 5m00s threshold; rescue link answered',
      );
    });

    it('needs the rescue link to answer: tick or rescue_failed past the threshold do nothing', () => {
      const run = outageAt(T0);
      feed(run, [tick, { type: 'rescue_failed' }, tick], RESCUE_ON, 10 * MINUTE);
      expect(run.state.status).toBe('offline_local');
    });

    it('puts op replay first and never pulls the feed over the rescue link', () => {
      const run = outageAt(T0);
      const opened = feed(run, [rescueOk], RESCUE_ON, 6 * MINUTE);
      expect(opened.effects).toEqual([
        { kind: 'open_rescue' },
        { kind: 'start_replay', via: 'rescue' },
      ]);
      const mark = run.effects.length;
      feed(run, [fail, pending, drained, tick, rescueOk], RESCUE_ON);
      expect(run.state.status).toBe('rescue_uplink');
      expect(run.effects.slice(mark)).toEqual([]);
    });

    it('falls back to offline_local when the rescue link fails, keeping the outage clock', () => {
      const run = outageAt(T0);
      feed(run, [rescueOk], RESCUE_ON, 6 * MINUTE);
      const down = feed(run, [{ type: 'rescue_failed', detail: 'no carrier' }], RESCUE_ON);
      expect(down.state.status).toBe('offline_local');
      expect(down.transition?.reason).toBe('rescue link failed: no carrier');
      expect(down.effects).toEqual([{ kind: 'stop_replay' }, { kind: 'close_rescue' }]);
      expect(down.state.outageStartedAt).toBe(T0);
      // Still past the threshold, so the next answer reopens it at once.
      expect(feed(run, [rescueOk], RESCUE_ON).state.status).toBe('rescue_uplink');
    });

    it('hands over to the primary uplink when it is back', () => {
      const run = outageAt(T0);
      feed(run, [rescueOk, ok], RESCUE_ON, 6 * MINUTE);
      const back = feed(run, [ok], RESCUE_ON);
      expect(back.state.status).toBe('reconciling');
      expect(back.effects).toEqual([
        { kind: 'stop_replay' },
        { kind: 'close_rescue' },
        { kind: 'start_replay', via: 'primary' },
        { kind: 'pull_feed' },
      ]);
    });
  });

  it('recovered → online after the hold, on tick', () => {
    const run = startRun('offline_local');
    feed(run, [ok, ok]);
    expect(run.state.status).toBe('recovered');
    const enteredAt = run.now;
    feed(run, [tick], DEFAULT_CONNECTIVITY_CONFIG, 30 * SECOND - 1);
    expect(run.state.status).toBe('recovered');
    const done = feed(run, [tick], DEFAULT_CONNECTIVITY_CONFIG, 1);
    expect(run.now - enteredAt).toBe(30 * SECOND);
    expect(done.state.status).toBe('online');
    expect(done.transition?.reason).toBe('recovered and steady for 30s');
    expect(done.effects).toEqual([]);
  });

  it('a failure during the recovered hold → degraded', () => {
    const run = startRun('offline_local');
    feed(run, [ok, ok, fail]);
    expect(run.state.status).toBe('degraded');
    expect(run.transitions.at(-1)?.reason).toBe('probe failed: timeout during the recovered hold');
  });

  it('a journal found while online (e.g. after a restart) is reconciled', () => {
    const run = startRun();
    const r = feed(run, [pending]);
    expect(r.state.status).toBe('reconciling');
    expect(r.transition?.reason).toBe('3 journaled ops to replay over the uplink');
  });
});

describe('connectivity machine: invariants over random runs', () => {
  const anyEvent = fc.constantFrom(...Object.values(SAMPLE_EVENT));
  const anyStatus = fc.constantFrom(...STATUSES);
  const anyConfig = fc.constantFrom(DEFAULT_CONNECTIVITY_CONFIG, RESCUE_ON);
  const steps = fc.array(fc.tuple(anyEvent, fc.integer({ min: 0, max: 10 * MINUTE })), {
    maxLength: 120,
  });

  it('every transition has from ≠ to, at = now (ISO) and a reason, and fits the protocol', () => {
    fc.assert(
      fc.property(anyStatus, anyConfig, steps, (status, config, events) => {
        let state = initialConnectivityState(T0, { status });
        let now = T0;
        for (const [event, gap] of events) {
          now += gap;
          const r = connectivityStep(state, event, now, config);
          if (r.state.status === state.status) {
            expect(r.transition).toBeUndefined();
            expect(r.effects).toEqual([]);
          } else {
            expect(r.transition).toBeDefined();
            const t = ConnectivityTransition.parse(r.transition);
            expect(t.from).toBe(state.status);
            expect(t.to).toBe(r.state.status);
            expect(t.at).toBe(new Date(now).toISOString());
            expect(t.reason.trim().length).toBeGreaterThan(0);
            expect(r.state.since).toBe(now);
          }
          const offline = r.state.status === 'offline_local' || r.state.status === 'rescue_uplink';
          if (offline) expect(r.state.outageStartedAt).not.toBeNull();
          if (r.state.status === 'online' || r.state.status === 'recovered') {
            expect(r.state.outageStartedAt).toBeNull();
          }
          state = r.state;
        }
      }),
    );
  });

  it('the effects keep the shell doing exactly what the status asks', () => {
    fc.assert(
      fc.property(anyStatus, anyConfig, steps, (status, config, events) => {
        let state = initialConnectivityState(T0, { status });
        const start = activityOf(status);
        const shell: { -readonly [K in keyof ConnectivityActivity]: ConnectivityActivity[K] } = {
          ...start,
        };
        let now = T0;
        for (const [event, gap] of events) {
          now += gap;
          const r = connectivityStep(state, event, now, config);
          for (const e of r.effects) {
            switch (e.kind) {
              case 'start_replay':
                expect(shell.replay).toBe('none');
                shell.replay = e.via;
                break;
              case 'stop_replay':
                expect(shell.replay).not.toBe('none');
                shell.replay = 'none';
                break;
              case 'pull_feed':
                expect(shell.feed).toBe('paused');
                shell.feed = 'pull';
                break;
              case 'pause_feed':
                expect(shell.feed).toBe('pull');
                shell.feed = 'paused';
                break;
              case 'open_rescue':
                expect(shell.rescueLink).toBe('closed');
                shell.rescueLink = 'open';
                break;
              case 'close_rescue':
                expect(shell.rescueLink).toBe('open');
                shell.rescueLink = 'closed';
                break;
            }
          }
          expect(shell).toEqual(activityOf(r.state.status));
          if (r.state.status === 'rescue_uplink') expect(shell.feed).toBe('paused');
          state = r.state;
        }
      }),
    );
  });

  it('is pure: it does not touch its input and answers the same twice', () => {
    fc.assert(
      fc.property(anyStatus, anyEvent, fc.nat(2), fc.nat(3), (status, event, oks, fails) => {
        const state = Object.freeze({
          ...initialConnectivityState(T0, { status }),
          consecutiveSuccesses: oks,
          consecutiveFailures: fails,
        });
        const a = connectivityStep(state, event, T0 + MINUTE, RESCUE_ON);
        const b = connectivityStep(state, event, T0 + MINUTE, RESCUE_ON);
        expect(a).toEqual(b);
      }),
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45_900, '45s'],
    [5 * MINUTE, '5m00s'],
    [5 * MINUTE + 7 * SECOND, '5m07s'],
    [65 * MINUTE, '1h05m00s'],
  ])('%i ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
