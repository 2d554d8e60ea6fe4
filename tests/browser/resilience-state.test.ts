import { expect } from '@esm-bundle/chai';
import type { DeviceConnectivity, RelayConnectivity } from '#protocol';
import {
  parseRelayHealth,
  RELAY_UPLINK_STATES,
  type RelayHealth,
} from '../../web/app/relay-health.ts';
import {
  applyBroadcast,
  deriveResilience,
  INITIAL_INPUTS,
  RELAY_HEALTH_STALE_MS,
  type ResilienceInputs,
  type ResilienceView,
  withOnline,
  withRelayHealth,
} from '../../web/app/resilience-state.ts';
import { formatClock, relayLineOf, UPLINK_TEXT } from '../../web/app/resilience-text.ts';

// The pure parts of the banner's relay line: the relay's /healthz read, when the view carries
// it (every combination of what the page heard), and its words.

const NOW = Date.parse('2026-11-23T19:45:00Z');
const SINCE = Date.parse('2026-11-23T19:40:00Z');
const HEALTH: RelayHealth = {
  uplink: 'offline_local',
  since: SINCE,
  journalDepth: 12,
  oldestUnsyncedAt: SINCE + 1_000,
};

describe('parseRelayHealth (the relay’s GET /healthz)', () => {
  const body = (change: Record<string, unknown> = {}) => ({
    status: 'ok',
    version: '0.1.0',
    time: '2026-11-23T19:45:00.000Z',
    connectivity: 'offline_local',
    connectivitySince: '2026-11-23T19:40:00.000Z',
    journalDepth: 12,
    oldestUnsyncedAt: '2026-11-23T19:40:01.000Z',
    connectedDevices: 2,
    ...change,
  });

  it('reads every uplink state the relay reports', () => {
    for (const uplink of RELAY_UPLINK_STATES) {
      expect(parseRelayHealth(body({ connectivity: uplink }))?.uplink).to.equal(uplink);
    }
    expect(parseRelayHealth(body())).to.deep.equal(HEALTH);
  });

  it('takes a missing since or oldest op as unknown', () => {
    expect(
      parseRelayHealth(body({ connectivitySince: null, oldestUnsyncedAt: null, journalDepth: 0 })),
    ).to.deep.equal({
      uplink: 'offline_local',
      since: null,
      journalDepth: 0,
      oldestUnsyncedAt: null,
    });
  });

  const refused: [string, unknown][] = [
    ['the cloud’s /healthz (no connectivity)', { status: 'ok', version: '0.1.0' }],
    ['an unknown uplink state', body({ connectivity: 'on_the_moon' })],
    ['a since that is not a time', body({ connectivitySince: 'yesterday' })],
    ['a negative depth', body({ journalDepth: -1 })],
    ['a fractional depth', body({ journalDepth: 1.5 })],
    ['not an object', 'ok'],
    ['null', null],
  ];
  for (const [what, value] of refused) {
    it(`is no answer for ${what}`, () => {
      expect(parseRelayHealth(value)).to.equal(null);
    });
  }
});

describe('deriveResilience: the relay’s uplink in the view', () => {
  const STATES: (DeviceConnectivity | null)[] = [
    null,
    'connected_relay',
    'connected_cloud',
    'degraded',
    'offline',
    'replaying',
  ];
  const TARGETS = ['relay', 'cloud', null] as const;
  const HEARD = ['never', 'fresh', 'stale'] as const;

  function inputsOf(
    online: boolean,
    state: DeviceConnectivity | null,
    target: (typeof TARGETS)[number],
    heard: (typeof HEARD)[number],
    replaying: boolean,
  ): ResilienceInputs {
    let inputs = INITIAL_INPUTS;
    if (state !== null)
      inputs = applyBroadcast(
        inputs,
        { type: 'connectivity', state, target, lastSyncAt: null },
        NOW - 1_000,
      );
    if (replaying)
      inputs = applyBroadcast(inputs, { type: 'replay-progress', sent: 1, total: 4 }, NOW - 1_000);
    if (heard === 'fresh')
      inputs = withRelayHealth(inputs, HEALTH, NOW - RELAY_HEALTH_STALE_MS + 1);
    if (heard === 'stale') inputs = withRelayHealth(inputs, HEALTH, NOW - RELAY_HEALTH_STALE_MS);
    return withOnline(inputs, online);
  }

  // Said independently of the implementation: on the relay (the state says so, or the
  // hydrator's target when the state names none), not offline (a replay under way counts as
  // reaching the target), and heard lately.
  function shown(
    online: boolean,
    state: DeviceConnectivity | null,
    target: (typeof TARGETS)[number],
    heard: (typeof HEARD)[number],
    replaying: boolean,
  ): boolean {
    if (!online || (state === 'offline' && !replaying) || heard !== 'fresh') return false;
    if (state === 'connected_relay') return true;
    if (state === 'connected_cloud' || state === null) return false;
    return target === 'relay';
  }

  for (const online of [true, false]) {
    for (const state of STATES) {
      for (const target of TARGETS) {
        for (const heard of HEARD) {
          for (const replaying of [false, true]) {
            const expected = shown(online, state, target, heard, replaying);
            it(`${online ? 'online' : 'browser offline'}, ${state ?? 'nothing heard'}, target ${target}, health ${heard}${replaying ? ', replaying' : ''} → ${expected ? 'shown' : 'not shown'}`, () => {
              const view = deriveResilience(inputsOf(online, state, target, heard, replaying), NOW);
              expect(view.relay).to.deep.equal(expected ? HEALTH : null);
              if (expected) expect(view.target).to.equal('relay');
            });
          }
        }
      }
    }
  }

  it('keeps the last answer when a poll brings none', () => {
    const inputs = withRelayHealth(INITIAL_INPUTS, HEALTH, NOW);
    expect(withRelayHealth(inputs, null, NOW + 5_000)).to.equal(inputs);
  });

  it('takes a newer answer over an older one', () => {
    const online: RelayHealth = { ...HEALTH, uplink: 'online', journalDepth: 0, since: NOW };
    let inputs = applyBroadcast(
      INITIAL_INPUTS,
      { type: 'connectivity', state: 'connected_relay', target: 'relay', lastSyncAt: NOW },
      NOW,
    );
    inputs = withRelayHealth(withRelayHealth(inputs, HEALTH, NOW), online, NOW + 5_000);
    expect(deriveResilience(inputs, NOW + 5_000).relay).to.deep.equal(online);
  });
});

describe('relayLineOf (the banner’s relay line)', () => {
  const at = (ms: number) => (ms === SINCE ? '19:40' : 'other');
  const viewWith = (relay: RelayHealth | null): ResilienceView =>
    ({ ...deriveResilience(INITIAL_INPUTS, NOW), relay }) as ResilienceView;

  const expected: Record<RelayConnectivity, string> = {
    online: 'Venue relay: online with the cloud',
    degraded: 'Venue relay: connection to the cloud degraded since 19:40',
    offline_local: 'Venue relay: offline from cloud since 19:40',
    rescue_uplink: 'Venue relay: reaching the cloud over its rescue uplink since 19:40',
    reconciling: 'Venue relay: sending the venue’s changes to the cloud since 19:40',
    recovered: 'Venue relay: back online with the cloud since 19:40',
  };

  for (const uplink of RELAY_UPLINK_STATES) {
    for (const [depth, waiting] of [
      [0, ''],
      [1, ' · 1 change not in the cloud yet'],
      [12, ' · 12 changes not in the cloud yet'],
    ] as const) {
      it(`${uplink}, ${depth} journaled → “${expected[uplink]}${waiting}”`, () => {
        const line = relayLineOf(viewWith({ ...HEALTH, uplink, journalDepth: depth }), at);
        expect(line).to.equal(`${expected[uplink]}${waiting}`);
      });
    }
  }

  it('leaves out “since” when the relay does not say', () => {
    expect(relayLineOf(viewWith({ ...HEALTH, since: null, journalDepth: 0 }), at)).to.equal(
      `Venue relay: ${UPLINK_TEXT.offline_local}`,
    );
  });

  it('is null when the view has no relay line', () => {
    expect(relayLineOf(viewWith(null), at)).to.equal(null);
  });

  it('formats a time of today as a time, another day’s with its date', () => {
    const today = formatClock(SINCE, NOW);
    expect(today).to.equal(
      new Date(SINCE).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }),
    );
    const dayBefore = formatClock(SINCE - 86_400_000, NOW);
    expect(dayBefore).to.not.equal(today);
    expect(dayBefore).to.contain(today);
  });
});
