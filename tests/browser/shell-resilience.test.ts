import { expect } from '@esm-bundle/chai';
import type { Principal } from '#protocol';
import { broadcastChannelSource } from '../../web/app/broadcast-source.ts';
import type { NetworkStatus } from '../../web/app/network-status.ts';
import type { PageVisibility } from '../../web/app/page-visibility.ts';
import { ResilienceController } from '../../web/app/resilience-controller.ts';
import type { OutboxSummary } from '../../web/app/resilience-state.ts';
import { SessionStore } from '../../web/app/session-store.ts';
import type { Timers } from '../../web/app/timers.ts';
import type { ToServiceWorker } from '../../web/device/messages.ts';
import { waitFor } from '../support/wait-for.ts';
import { FakeHost } from './controller-host.ts';

// The resilience controller in Chromium: real BroadcastChannels (one name per test), an
// injected clock, hand-driven timers and a fake network, service worker, outbox and fetch.

const T0 = Date.parse('2026-11-23T12:00:00Z');
const MINUTE = 60_000;

const STAFF: Principal = {
  kind: 'staff',
  tenantId: 'demo',
  venueId: 'demo-bistro',
  actorId: 'member-server',
  role: 'server',
};
const GUEST: Principal = {
  kind: 'guest',
  tenantId: 'demo',
  venueId: 'demo-bistro',
  sessionId: 'session-1',
  tableId: 'table-4',
};

class ManualTimers implements Timers {
  readonly running = new Map<number, () => void>();
  readonly periods = new Map<number, number>();
  #next = 0;
  every(ms: number, run: () => void): () => void {
    const id = this.#next++;
    this.running.set(id, run);
    this.periods.set(id, ms);
    return () => {
      this.running.delete(id);
      this.periods.delete(id);
    };
  }
  /** Fires every timer of period `ms` once. */
  fire(ms: number): void {
    for (const [id, run] of this.running) if (this.periods.get(id) === ms) run();
  }
}

class FakeNetwork implements NetworkStatus {
  isOnline = true;
  readonly listeners = new Set<(online: boolean) => void>();
  online = () => this.isOnline;
  subscribe(listener: (online: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(online: boolean): void {
    this.isOnline = online;
    for (const listener of this.listeners) listener(online);
  }
}

interface Sent {
  url: string;
  init: RequestInit | undefined;
}

class FakeVisibility implements PageVisibility {
  isVisible = true;
  readonly listeners = new Set<(visible: boolean) => void>();
  visible = () => this.isVisible;
  subscribe(listener: (visible: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(visible: boolean): void {
    this.isVisible = visible;
    for (const listener of this.listeners) listener(visible);
  }
}

function setup(
  options: { controlled?: boolean; cursor?: string | null; lastSyncAt?: number } = {},
) {
  const name = `hearth-test-${crypto.randomUUID()}`;
  const sender = new BroadcastChannel(name);
  let now = T0;
  const host = new FakeHost();
  const timers = new ManualTimers();
  const network = new FakeNetwork();
  const posted: ToServiceWorker[] = [];
  const requests: Sent[] = [];
  const session = new SessionStore();
  let summary: OutboxSummary | undefined;
  let fetchAnswer: () => Promise<Response> = async () => new Response(null, { status: 204 });
  // The relay's /healthz, apart from the checkpoint PUTs.
  const visibility = new FakeVisibility();
  let healthAnswer: () => Promise<Response> = async () => Response.json(relayHealthBody());
  let healthAsked = 0;
  // Counts what the controller heard, so a test waits for delivery rather than guessing a delay.
  let heard = 0;
  const channel = broadcastChannelSource(name);
  const controller = new ResilienceController(host, {
    clock: () => now,
    broadcasts: {
      subscribe: (listener) =>
        channel.subscribe((message) => {
          listener(message);
          heard++;
        }),
    },
    network,
    visibility,
    serviceWorker: {
      controlled: () => options.controlled ?? true,
      post: (message) => {
        posted.push(message);
        return options.controlled ?? true;
      },
    },
    outbox: { summary: async () => summary, stateOf: async () => undefined },
    device: {
      deviceId: async () => 'device-1',
      cursor: async () => (options.cursor === undefined ? 'cursor-abc' : options.cursor),
      lastSyncAt: async () => options.lastSyncAt ?? null,
    },
    session,
    fetch: async (input, init) => {
      if (String(input) === '/healthz') {
        healthAsked++;
        return healthAnswer();
      }
      requests.push({ url: String(input), init });
      return fetchAnswer();
    },
    timers,
  });
  return {
    host,
    timers,
    network,
    posted,
    requests,
    session,
    controller,
    at: (ms: number) => {
      now = ms;
    },
    setSummary: (s: OutboxSummary) => {
      summary = s;
    },
    answerWith: (answer: () => Promise<Response>) => {
      fetchAnswer = answer;
    },
    visibility,
    healthWith: (answer: () => Promise<Response>) => {
      healthAnswer = answer;
    },
    healthAsked: () => healthAsked,
    /** Posts like the service worker or the hydrator would, and waits until it was heard. */
    async broadcast(message: unknown): Promise<void> {
      const before = heard;
      sender.postMessage(message);
      await waitFor('the broadcast heard', () => heard > before);
      await settled();
    },
    /** Posts something malformed, then a marker; the marker heard means the first was handled. */
    async broadcastIgnored(message: unknown): Promise<void> {
      const before = heard;
      sender.postMessage(message);
      sender.postMessage({ type: 'entities-changed', kinds: [] });
      await waitFor('the broadcast heard', () => heard > before);
      expect(heard).to.equal(before + 1);
    },
    /** Posts to a screen that should no longer listen: a listener of its own sees it arrive. */
    async broadcastUnheard(message: unknown): Promise<void> {
      const witness = new BroadcastChannel(name);
      const arrived = new Promise((resolve) => {
        witness.onmessage = resolve;
      });
      sender.postMessage(message);
      // Channels get a message in the order they were made: the screen's, had it still listened,
      // before the witness's. What it would have started then has had its turn too.
      await arrived;
      await settled();
      witness.close();
    },
    close: () => {
      host.disconnect();
      sender.close();
    },
  };
}

/** What the relay's `GET /healthz` answers (relay/lan/lan-app.ts). */
function relayHealthBody(change: Record<string, unknown> = {}) {
  return {
    status: 'ok',
    version: '0.1.0',
    time: new Date(T0).toISOString(),
    connectivity: 'offline_local',
    connectivitySince: '2026-11-23T11:40:00.000Z',
    journalDepth: 12,
    oldestUnsyncedAt: '2026-11-23T11:41:00.000Z',
    connectedDevices: 3,
    ...change,
  };
}

/** Lets promise chains started by a message (an outbox re-read) finish. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ResilienceController', () => {
  let t: ReturnType<typeof setup>;

  afterEach(() => t?.close());

  it('says connecting before anything is heard, offline when the browser is offline', () => {
    t = setup();
    t.host.connect();
    expect(t.controller.view.mode).to.equal('connecting');
    expect(t.controller.view.sinceSyncMs).to.equal(null);
    t.close();

    t = setup();
    t.network.isOnline = false;
    t.host.connect();
    expect(t.controller.view.mode).to.equal('offline');
  });

  it('follows connectivity broadcasts: relay, cloud, degraded, offline', async () => {
    t = setup();
    t.host.connect();
    await t.broadcast({
      type: 'connectivity',
      state: 'connected_relay',
      target: 'relay',
      lastSyncAt: T0 - 5_000,
    });
    expect(t.controller.view).to.include({
      mode: 'connected',
      target: 'relay',
      sinceSyncMs: 5_000,
    });

    await t.broadcast({
      type: 'connectivity',
      state: 'connected_cloud',
      target: 'cloud',
      lastSyncAt: T0,
    });
    expect(t.controller.view).to.include({ mode: 'connected', target: 'cloud', sinceSyncMs: 0 });

    await t.broadcast({ type: 'connectivity', state: 'degraded', target: 'cloud', lastSyncAt: T0 });
    expect(t.controller.view.mode).to.equal('degraded');

    await t.broadcast({ type: 'connectivity', state: 'offline', target: null, lastSyncAt: T0 });
    expect(t.controller.view).to.include({ mode: 'offline', target: null });
    // The last sync never goes back in time, whatever order reports arrive in.
    await t.broadcast({
      type: 'connectivity',
      state: 'offline',
      target: null,
      lastSyncAt: T0 - MINUTE,
    });
    expect(t.controller.view.lastSyncAt).to.equal(T0);
  });

  it('ages the last sync on its tick with the injected clock', async () => {
    t = setup();
    t.host.connect();
    await t.broadcast({
      type: 'connectivity',
      state: 'connected_relay',
      target: 'relay',
      lastSyncAt: T0,
    });
    t.at(T0 + 2 * MINUTE);
    expect(t.controller.view.sinceSyncMs).to.equal(0);
    const updates = t.host.updates;
    t.timers.fire(5_000);
    expect(t.controller.view.sinceSyncMs).to.equal(2 * MINUTE);
    expect(t.host.updates).to.be.greaterThan(updates);
  });

  it('shows replaying n of m, then a fresh sync when the replay finishes', async () => {
    t = setup();
    t.host.connect();
    await t.broadcast({
      type: 'connectivity',
      state: 'connected_relay',
      target: 'relay',
      lastSyncAt: T0 - MINUTE,
    });
    t.at(T0 + 1_000);
    await t.broadcast({ type: 'replay-progress', sent: 3, total: 10 });
    expect(t.controller.view).to.deep.include({
      mode: 'replaying',
      replay: { sent: 3, total: 10 },
    });
    expect(t.controller.view.outboxDepth).to.equal(7);

    t.at(T0 + 4_000);
    await t.broadcast({ type: 'replay-progress', sent: 10, total: 10 });
    expect(t.controller.view).to.include({ mode: 'connected', replay: null });
    expect(t.controller.view.lastSyncAt).to.equal(T0 + 4_000);
  });

  it('drops a replay that stopped reporting for a minute', async () => {
    t = setup();
    t.host.connect();
    await t.broadcast({
      type: 'connectivity',
      state: 'connected_cloud',
      target: 'cloud',
      lastSyncAt: T0,
    });
    await t.broadcast({ type: 'replay-progress', sent: 2, total: 5 });
    expect(t.controller.view.mode).to.equal('replaying');
    t.at(T0 + MINUTE + 1);
    t.controller.tick();
    expect(t.controller.view.mode).to.equal('connected');
  });

  it('starts from the cache’s last sync after a reload, before anything is heard', async () => {
    t = setup({ lastSyncAt: T0 - 3 * MINUTE });
    t.network.isOnline = false;
    t.host.connect();
    await waitFor('the last sync read from the cache', () => t.controller.view.lastSyncAt !== null);
    expect(t.controller.view).to.include({ mode: 'offline', sinceSyncMs: 3 * MINUTE });
  });

  it('counts a hydrator batch as a sync', async () => {
    t = setup();
    t.host.connect();
    t.at(T0 + 30_000);
    await t.broadcast({ type: 'entities-changed', kinds: ['ticket'] });
    expect(t.controller.view.lastSyncAt).to.equal(T0 + 30_000);
  });

  it('goes offline on the browser’s offline event and asks for a replay when back online', async () => {
    t = setup();
    t.host.connect();
    await t.broadcast({
      type: 'connectivity',
      state: 'connected_relay',
      target: 'relay',
      lastSyncAt: T0,
    });
    t.network.set(false);
    expect(t.controller.view).to.include({ mode: 'offline', target: null });
    expect(t.posted).to.deep.equal([]);
    t.network.set(true);
    expect(t.controller.view.mode).to.equal('connected');
    expect(t.posted).to.deep.equal([{ type: 'replay' }]);
  });

  it('asks the service worker to replay every 30 s while connected', () => {
    t = setup();
    t.host.connect();
    // The tick and the relay's health both every 5 s.
    expect([...t.timers.periods.values()].sort((a, b) => a - b)).to.deep.equal([
      5_000, 5_000, 30_000, 60_000,
    ]);
    t.timers.fire(30_000);
    t.timers.fire(30_000);
    expect(t.posted).to.deep.equal([{ type: 'replay' }, { type: 'replay' }]);
  });

  it('re-reads the outbox on outbox-changed: depth, oldest pending age, failures', async () => {
    t = setup();
    t.host.connect();
    t.setSummary({ depth: 3, oldestPendingAt: T0 - 5 * MINUTE, failedOps: 1 });
    await t.broadcast({ type: 'outbox-changed' });
    expect(t.controller.view).to.include({
      outboxDepth: 3,
      oldestPendingAt: T0 - 5 * MINUTE,
      oldestPendingMs: 5 * MINUTE,
      failedOps: 1,
    });
  });

  it('ignores broadcasts it does not understand', async () => {
    t = setup();
    t.host.connect();
    const before = t.controller.view;
    await t.broadcastIgnored({
      type: 'connectivity',
      state: 'on_the_moon',
      target: 'relay',
      lastSyncAt: 1,
    });
    await t.broadcastIgnored({ type: 'replay-progress', sent: -1, total: 'ten' });
    await t.broadcastIgnored('outbox-changed');
    expect(t.controller.view).to.deep.include({ mode: before.mode, replay: null, target: null });
  });

  it('stops listening and clears its timers when its screen disconnects', async () => {
    t = setup();
    t.host.connect();
    t.host.disconnect();
    expect(t.timers.running.size).to.equal(0);
    expect(t.network.listeners.size).to.equal(0);
    const updates = t.host.updates;
    await t.broadcastUnheard({
      type: 'connectivity',
      state: 'degraded',
      target: 'cloud',
      lastSyncAt: T0,
    });
    expect(t.controller.view.mode).to.equal('connecting');
    expect(t.host.updates).to.equal(updates);
  });

  describe('the venue relay’s uplink (GET /healthz)', () => {
    const onRelay = {
      type: 'connectivity',
      state: 'connected_relay',
      target: 'relay',
      lastSyncAt: T0,
    };
    const OFFLINE_LOCAL = {
      uplink: 'offline_local',
      since: Date.parse('2026-11-23T11:40:00.000Z'),
      journalDepth: 12,
      oldestUnsyncedAt: Date.parse('2026-11-23T11:41:00.000Z'),
    };

    it('asks at once when the page reaches the relay, then every 5 s; shows what it says', async () => {
      t = setup();
      t.host.connect();
      t.timers.fire(5_000);
      expect(t.healthAsked()).to.equal(0);
      await t.broadcast(onRelay);
      expect(t.healthAsked()).to.equal(1);
      await waitFor('the relay’s health shown', () => t.controller.view.relay !== null);
      expect(t.controller.view.relay).to.deep.equal(OFFLINE_LOCAL);
      t.healthWith(async () =>
        Response.json(relayHealthBody({ connectivity: 'online', journalDepth: 0 })),
      );
      t.timers.fire(5_000);
      await waitFor(
        'the relay’s uplink shown online',
        () => t.controller.view.relay?.uplink === 'online',
      );
      expect(t.healthAsked()).to.equal(2);
      expect(t.controller.view.relay).to.include({ uplink: 'online', journalDepth: 0 });
    });

    it('does not ask while the target is the cloud, or the device is offline', async () => {
      t = setup();
      t.host.connect();
      await t.broadcast({ ...onRelay, state: 'connected_cloud', target: 'cloud' });
      t.timers.fire(5_000);
      expect(t.healthAsked()).to.equal(0);
      await t.broadcast(onRelay);
      expect(t.healthAsked()).to.equal(1);
      t.network.set(false);
      t.timers.fire(5_000);
      expect(t.healthAsked()).to.equal(1);
      expect(t.controller.view.relay).to.equal(null);
    });

    it('stops while the page is hidden, and asks at once when it is shown again', async () => {
      t = setup();
      t.host.connect();
      await t.broadcast(onRelay);
      t.visibility.set(false);
      t.timers.fire(5_000);
      t.timers.fire(5_000);
      expect(t.healthAsked()).to.equal(1);
      await waitFor('the relay’s health shown', () => t.controller.view.relay !== null);
      t.visibility.set(true);
      expect(t.healthAsked()).to.equal(2);
    });

    it('asks at once when the browser is back online', async () => {
      t = setup();
      t.host.connect();
      await t.broadcast(onRelay);
      await waitFor('the relay’s health shown', () => t.controller.view.relay !== null);
      t.network.set(false);
      t.network.set(true);
      expect(t.healthAsked()).to.equal(2);
    });

    it('lets the last answer go stale when the relay stops answering', async () => {
      t = setup();
      t.host.connect();
      await t.broadcast(onRelay);
      await waitFor('the relay’s health shown', () => t.controller.view.relay !== null);
      t.healthWith(async () => {
        throw new TypeError('Failed to fetch');
      });
      t.at(T0 + 19_999);
      t.timers.fire(5_000);
      await settled();
      expect(t.controller.view.relay).to.deep.equal(OFFLINE_LOCAL);
      t.at(T0 + 20_000);
      t.controller.tick();
      expect(t.controller.view.relay).to.equal(null);
    });

    it('ignores an answer that is not a relay’s (the cloud’s /healthz has no connectivity)', async () => {
      t = setup();
      t.healthWith(async () => Response.json({ status: 'ok', version: '0.1.0' }));
      t.host.connect();
      await t.broadcast(onRelay);
      expect(t.healthAsked()).to.equal(1);
      await settled();
      await settled();
      expect(t.controller.view.relay).to.equal(null);
    });

    it('stops asking when its screen disconnects', async () => {
      t = setup();
      t.host.connect();
      await t.broadcast(onRelay);
      t.host.disconnect();
      expect(t.visibility.listeners.size).to.equal(0);
      await t.controller.pollRelay();
      expect(t.healthAsked()).to.equal(1);
    });
  });

  describe('checkpoint report', () => {
    it('PUTs the cursor and the outbox through the service worker for staff', async () => {
      t = setup();
      t.session.set(STAFF);
      t.setSummary({ depth: 2, oldestPendingAt: T0 - MINUTE, failedOps: 0 });
      t.host.connect();
      await settled();
      expect(await t.controller.reportCheckpoint()).to.deep.equal({ outcome: 'sent', at: T0 });
      expect(t.requests).to.have.length(1);
      const [sent] = t.requests;
      expect(sent?.url).to.equal('/api/v1/venues/demo-bistro/checkpoints/device-1');
      expect(sent?.init?.method).to.equal('PUT');
      expect(JSON.parse(String(sent?.init?.body))).to.deep.equal({
        cursor: 'cursor-abc',
        outboxDepth: 2,
        oldestPendingAt: new Date(T0 - MINUTE).toISOString(),
        failedOps: 0,
      });
    });

    it('goes straight to /v1 before a service worker controls the page', async () => {
      t = setup({ controlled: false });
      t.session.set(STAFF);
      t.host.connect();
      await t.controller.reportCheckpoint();
      expect(t.requests.map((r) => r.url)).to.deep.equal([
        '/v1/venues/demo-bistro/checkpoints/device-1',
      ]);
      expect(JSON.parse(String(t.requests[0]?.init?.body))).to.deep.equal({ cursor: 'cursor-abc' });
    });

    it('reports on its own period', async () => {
      t = setup();
      t.session.set(STAFF);
      t.host.connect();
      t.timers.fire(60_000);
      await waitFor('a report sent', () => t.requests.length > 0);
      expect(t.requests).to.have.length(1);
    });

    it('skips guests, offline devices and a cache with no cursor yet', async () => {
      t = setup();
      t.host.connect();
      t.session.set(GUEST);
      expect(await t.controller.reportCheckpoint()).to.deep.include({
        outcome: 'skipped',
        reason: 'no staff session',
      });
      t.session.set(STAFF);
      t.network.set(false);
      expect(await t.controller.reportCheckpoint()).to.deep.include({ reason: 'offline' });
      t.close();

      t = setup({ cursor: null });
      t.session.set(STAFF);
      t.host.connect();
      expect(await t.controller.reportCheckpoint()).to.deep.include({ reason: 'no cursor yet' });
      expect(t.requests).to.deep.equal([]);
    });

    it('records a refusal or a network failure without throwing', async () => {
      t = setup();
      t.session.set(STAFF);
      t.host.connect();
      t.answerWith(async () => new Response('{}', { status: 403 }));
      expect(await t.controller.reportCheckpoint()).to.deep.include({
        outcome: 'failed',
        reason: 'HTTP 403',
      });
      t.answerWith(async () => {
        throw new TypeError('Failed to fetch');
      });
      expect(await t.controller.reportCheckpoint()).to.deep.include({
        outcome: 'failed',
        reason: 'Failed to fetch',
      });
      expect(t.controller.lastCheckpoint?.outcome).to.equal('failed');
    });
  });
});
