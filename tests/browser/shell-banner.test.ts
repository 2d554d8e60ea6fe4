import { expect } from '@esm-bundle/chai';
import '../../web/app/resilience-banner.ts';
import type { RelayHealth } from '../../web/app/relay-health.ts';
import type { ResilienceBanner } from '../../web/app/resilience-banner.ts';
import {
  applyBroadcast,
  deriveResilience,
  INITIAL_INPUTS,
  type ResilienceInputs,
  type ResilienceView,
  withOnline,
  withOutbox,
  withRelayHealth,
} from '../../web/app/resilience-state.ts';
import { formatAgo, formatClock, formatDuration } from '../../web/app/resilience-text.ts';
import type { Broadcast } from '../../web/device/messages.ts';

// The banner's words for every state, rendered by the real element in Chromium.

const NOW = Date.parse('2026-11-23T12:00:00Z');
const MINUTE = 60_000;

function viewAfter(
  broadcasts: readonly Broadcast[],
  change?: (i: ResilienceInputs) => ResilienceInputs,
): ResilienceView {
  let inputs = INITIAL_INPUTS;
  for (const message of broadcasts) inputs = applyBroadcast(inputs, message, NOW - 1_000);
  return deriveResilience(change ? change(inputs) : inputs, NOW);
}

const relay = (lastSyncAt: number | null): Broadcast => ({
  type: 'connectivity',
  state: 'connected_relay',
  target: 'relay',
  lastSyncAt,
});

async function render(view: ResilienceView | undefined): Promise<ResilienceBanner> {
  const banner = document.createElement('hearth-resilience-banner');
  banner.view = view;
  document.body.append(banner);
  await banner.updateComplete;
  return banner;
}

const textOf = (banner: ResilienceBanner): string =>
  (banner.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ').trim();

describe('<hearth-resilience-banner>', () => {
  afterEach(() => {
    for (const banner of document.querySelectorAll('hearth-resilience-banner')) banner.remove();
  });

  it('is a polite live status region', async () => {
    const banner = await render(viewAfter([relay(NOW)]));
    const region = banner.shadowRoot?.querySelector('[role="status"]');
    expect(region).to.not.equal(null);
    expect(region?.getAttribute('aria-live')).to.equal('polite');
    expect(region?.getAttribute('data-mode')).to.equal('connected');
  });

  const cases: [string, ResilienceView | undefined, string][] = [
    ['no view yet', undefined, 'Connecting…'],
    ['nothing heard', viewAfter([]), 'Connecting… Not synced yet'],
    [
      'connected to the relay, synced 2 min ago',
      viewAfter([relay(NOW - 2 * MINUTE)]),
      'Connected to the venue relay Last sync 2 min ago',
    ],
    [
      'connected to the cloud, just synced',
      viewAfter([
        {
          type: 'connectivity',
          state: 'connected_cloud',
          target: 'cloud',
          lastSyncAt: NOW - 2_000,
        },
      ]),
      'Connected to the cloud Last sync just now',
    ],
    [
      'degraded',
      viewAfter([
        { type: 'connectivity', state: 'degraded', target: 'cloud', lastSyncAt: NOW - 45_000 },
      ]),
      'Connection degraded — changes are kept on this device Last sync 45 s ago',
    ],
    [
      'offline (the target unreachable), with pending ops',
      viewAfter(
        [{ type: 'connectivity', state: 'offline', target: null, lastSyncAt: NOW - 3 * 3_600_000 }],
        (i) => withOutbox(i, { depth: 4, oldestPendingAt: NOW - 12 * MINUTE, failedOps: 0 }),
      ),
      'Offline — showing cached data Last sync 3 h ago · 4 changes waiting, oldest 12 min',
    ],
    [
      'offline (the browser says so) with one pending op and one failed',
      viewAfter([relay(NOW - 5 * MINUTE)], (i) =>
        withOutbox(withOnline(i, false), { depth: 1, oldestPendingAt: NOW - 30_000, failedOps: 1 }),
      ),
      'Offline — showing cached data Last sync 5 min ago · 1 change waiting, oldest 30 s · 1 change failed',
    ],
    [
      'replaying 3 of 10',
      viewAfter([relay(NOW - MINUTE), { type: 'replay-progress', sent: 3, total: 10 }]),
      'Sending changes: 3 of 10 Last sync 1 min ago · 7 changes waiting',
    ],
    [
      'replaying without numbers',
      viewAfter([{ type: 'connectivity', state: 'replaying', target: 'relay', lastSyncAt: null }]),
      'Sending changes… Not synced yet',
    ],
  ];

  for (const [state, view, text] of cases) {
    it(`says “${text}” when ${state}`, async () => {
      const banner = await render(view);
      expect(textOf(banner)).to.equal(text);
    });
  }

  describe('the venue relay’s uplink', () => {
    const SINCE = NOW - 20 * MINUTE;
    const relayHealth =
      (change: Partial<RelayHealth> = {}) =>
      (i: ResilienceInputs) =>
        withRelayHealth(
          i,
          {
            uplink: 'offline_local',
            since: SINCE,
            journalDepth: 12,
            oldestUnsyncedAt: SINCE,
            ...change,
          },
          NOW - 5_000,
        );

    it('says the relay is offline from the cloud with what the cloud lacks, not only “connected”', async () => {
      const banner = await render(viewAfter([relay(NOW - 1_000)], relayHealth()));
      expect(textOf(banner)).to.equal(
        `Connected to the venue relay Last sync just now Venue relay: offline from cloud since ${formatClock(SINCE)} · 12 changes not in the cloud yet`,
      );
      expect(
        banner.shadowRoot?.querySelector('[data-uplink]')?.getAttribute('data-uplink'),
      ).to.equal('offline_local');
    });

    it('says it is online with the cloud once it is, with nothing waiting', async () => {
      const banner = await render(
        viewAfter([relay(NOW - 1_000)], relayHealth({ uplink: 'online', journalDepth: 0 })),
      );
      expect(textOf(banner)).to.equal(
        'Connected to the venue relay Last sync just now Venue relay: online with the cloud',
      );
    });

    it('says the relay is catching up while it reconciles', async () => {
      const banner = await render(
        viewAfter([relay(NOW - 1_000)], relayHealth({ uplink: 'reconciling', journalDepth: 3 })),
      );
      expect(textOf(banner)).to.equal(
        `Connected to the venue relay Last sync just now Venue relay: sending the venue’s changes to the cloud since ${formatClock(SINCE)} · 3 changes not in the cloud yet`,
      );
    });

    it('says nothing about the relay when the device is offline, or on the cloud', async () => {
      const offline = await render(
        viewAfter([relay(NOW - MINUTE)], (i) => withOnline(relayHealth()(i), false)),
      );
      expect(textOf(offline)).to.equal('Offline — showing cached data Last sync 1 min ago');
      const cloud = await render(
        viewAfter(
          [{ type: 'connectivity', state: 'connected_cloud', target: 'cloud', lastSyncAt: NOW }],
          relayHealth(),
        ),
      );
      expect(textOf(cloud)).to.equal('Connected to the cloud Last sync just now');
    });
  });

  it('changes its words when given a new view', async () => {
    const banner = await render(viewAfter([relay(NOW)]));
    banner.view = viewAfter([relay(NOW)], (i) => withOnline(i, false));
    await banner.updateComplete;
    expect(textOf(banner)).to.match(/^Offline — showing cached data/);
    expect(banner.shadowRoot?.querySelector('[role="status"]')?.getAttribute('data-mode')).to.equal(
      'offline',
    );
  });
});

describe('resilience durations', () => {
  it('reads as people say it', () => {
    expect(formatDuration(0)).to.equal('0 s');
    expect(formatDuration(59_999)).to.equal('59 s');
    expect(formatDuration(MINUTE)).to.equal('1 min');
    expect(formatDuration(125_000)).to.equal('2 min');
    expect(formatDuration(3 * 3_600_000)).to.equal('3 h');
    expect(formatDuration(3 * 86_400_000)).to.equal('3 days');
    expect(formatAgo(4_999)).to.equal('just now');
    expect(formatAgo(2 * MINUTE)).to.equal('2 min ago');
  });
});
