import { expect } from '@esm-bundle/chai';
import { deleteDB } from 'idb';
import type { Principal } from '#protocol';
import { appServices } from '../../web/app/app-services.ts';
import { broadcastChannelSource } from '../../web/app/broadcast-source.ts';
import { SessionController } from '../../web/app/session-controller.ts';
import { SessionStore } from '../../web/app/session-store.ts';
import { DEVICE_REVOKED_MESSAGE } from '../../web/device/device-revoked.ts';
import {
  CACHE_DB_NAME,
  countEntities,
  ensureDeviceId,
  type LocalDb,
  openLocalDb,
  readSession,
} from '../../web/device/local-db.ts';
import { CHANNEL } from '../../web/device/messages.ts';
import { OUTBOX_DB_NAME } from '../../web/device/outbox-db.ts';
import { OutboxStore } from '../../web/device/outbox-store.ts';
import '../../web/floor/pin-pad.ts';
import { Hydrator } from '../../web/hydrator/hydrator.ts';
import { DEFAULT_HYDRATOR_SETTINGS, realClock } from '../../web/hydrator/hydrator-deps.ts';
import { FakeFeedServer } from '../../web/hydrator/testing/fake-feed-server.ts';
import { waitFor } from '../support/wait-for.ts';
import { FakeHost } from './controller-host.ts';
import { createOrder, staff, T0, VENUE } from './outbox-fixtures.ts';

// A manager revokes this device while someone is signed in: the relay closes the live socket
// 4401 (or refuses the feed 401 DEVICE_REVOKED). The hydrator (here in the page, fed by an
// in-memory relay; in the app, the same class in its worker) says so on the channel, and every
// tab signs its person out as the Sign out button does: the cache goes through the real
// hydrator worker, the outbox stays, and the screen says why.

const SAM: Principal = staff('server-1');
const RELAY = 'https://relay.test';

interface Tab {
  readonly host: FakeHost;
  readonly session: SessionController;
}

describe('a revoked device', () => {
  let relay: FakeFeedServer;
  let hydrator: Hydrator;
  let listener: BroadcastChannel;
  let db: LocalDb;
  let outbox: OutboxStore;
  let logouts: string[];
  let tabs: Tab[];

  /** A tab of the app: its own session store and channel, the device's cache and worker. */
  function tab(): Tab {
    const host = new FakeHost();
    const fetch = (async (input: RequestInfo | URL) => {
      logouts.push(String(input));
      return new Response(null, { status: 204 });
    }) as typeof window.fetch;
    const store = new SessionStore();
    const session = new SessionController(host, {
      ...appServices(),
      session: store,
      broadcasts: broadcastChannelSource(),
      fetch,
    });
    host.connect();
    store.set(SAM);
    const made = { host, session };
    tabs.push(made);
    return made;
  }

  beforeEach(async () => {
    relay = new FakeFeedServer({ origin: RELAY, kind: 'relay', venueId: VENUE });
    for (const id of ['t-1', 't-2', 't-3']) relay.upsert('table', { id, label: id, seats: 4 });
    logouts = [];
    tabs = [];
    db = await openLocalDb();
    outbox = await OutboxStore.open();
    hydrator = new Hydrator({
      fetch: relay.fetch,
      WebSocket: relay.WebSocket,
      clock: realClock,
      random: () => 0.5,
      locks: navigator.locks,
      channel: new BroadcastChannel(CHANNEL),
      openDb: () => openLocalDb(),
      defaultOrigin: RELAY,
      settings: { ...DEFAULT_HYDRATOR_SETTINGS, lockName: `test-${crypto.randomUUID()}` },
    });
    // As the worker does: a sign-out anywhere stops it (hydrator-worker.ts).
    listener = new BroadcastChannel(CHANNEL);
    listener.onmessage = (event: MessageEvent<{ type?: string }>) => {
      if (event.data?.type === 'signed-out') void hydrator.stop();
    };
  });

  afterEach(async () => {
    listener.close();
    await hydrator.stop();
    for (const { host } of tabs) host.disconnect();
    outbox.close();
    db.close();
  });

  // Only at the end: the page's services keep their cache connection open across tests.
  after(async () => {
    await deleteDB(CACHE_DB_NAME);
    await deleteDB(OUTBOX_DB_NAME);
  });

  /** Signed in on two tabs, the page's worker running, the cache live from the relay. */
  async function signedInAndLive(): Promise<{ readonly queued: string }> {
    const deviceId = await ensureDeviceId(db);
    const order = await createOrder('order-1', { deviceId });
    await outbox.add(order, T0);
    // The page's real hydrator worker, as after a sign-in (it reaches no feed here).
    await appServices().cacheSync.start(SAM, []);
    tab();
    tab();
    await hydrator.start({ venueId: VENUE, scopes: ['venue'] });
    await waitFor('live', () => hydrator.status().phase === 'live' && relay.sockets.length > 0);
    await waitFor('the tables cached', async () => (await countEntities(db)) === 3);
    return { queued: order.opId };
  }

  /** Every tab signed out and saying why; the cache dropped, the outbox kept. */
  async function signedOutEverywhere(queued: string): Promise<void> {
    await waitFor('every tab signed out', () => tabs.every((t) => t.session.principal === null));
    for (const { session } of tabs) {
      expect(session.status).to.deep.equal({ status: 'error', message: DEVICE_REVOKED_MESSAGE });
      expect(session.failure?.problem).to.equal('DEVICE_REVOKED');
    }
    await waitFor('the cache dropped', async () => (await countEntities(db)) === 0);
    expect(await readSession(db)).to.equal(undefined);
    await waitFor('the hydrator stopped', () => hydrator.status().role === 'stopped');
    expect((await outbox.list()).find((entry) => entry.opId === queued)?.status).to.equal(
      'pending',
    );
    // The cookie is ended as by the Sign out button (its request goes out after the sign-out).
    await waitFor('the session cookie ended', () => logouts.length > 0);
    expect(logouts.every((url) => url.endsWith('/v1/auth/logout'))).to.equal(true);
  }

  it('signs every tab out when the live socket closes 4401 after its error frame', async () => {
    const { queued } = await signedInAndLive();
    const asked = relay.requests.length;
    relay.revokeDevice();
    await signedOutEverywhere(queued);
    // The close alone said it: nothing was asked of the relay after it.
    expect(relay.requests.slice(asked)).to.deep.equal([]);
  });

  it('signs every tab out on a close 4401 with no error frame', async () => {
    const { queued } = await signedInAndLive();
    const asked = relay.requests.length;
    relay.revokeDevice({ errorFrame: false });
    await signedOutEverywhere(queued);
    expect(relay.requests.slice(asked)).to.deep.equal([]);
  });

  it('signs every tab out when the feed answers 401 DEVICE_REVOKED', async () => {
    relay.deviceRevoked = true;
    const deviceId = await ensureDeviceId(db);
    const order = await createOrder('order-1', { deviceId });
    await outbox.add(order, T0);
    await appServices().cacheSync.start(SAM, []);
    tab();
    tab();
    await hydrator.start({ venueId: VENUE, scopes: ['venue'] });
    await signedOutEverywhere(order.opId);
    expect(hydrator.status().lastFailure).to.deep.include({ code: 'DEVICE_REVOKED' });
  });

  it('leaves the session alone when the socket closes for any other reason', async () => {
    await signedInAndLive();
    relay.closeSockets(1011);
    await waitFor('live again', () => relay.sockets.length > 0);
    expect(tabs.map((t) => t.session.principal)).to.deep.equal([SAM, SAM]);
  });

  it('still says why in a tab that heard another tab sign out before it heard the revoke', async () => {
    const [first, second] = [tab(), tab()];
    // In this order, as another tab's drop (its "signed-out") may overtake the revoke notice.
    const other = new BroadcastChannel(CHANNEL);
    try {
      other.postMessage({ type: 'signed-out' });
      other.postMessage({ type: 'device-revoked' });
      await waitFor('both tabs say why', () =>
        [first, second].every((t) => t.session.status.status === 'error'),
      );
      // A session restore in flight when the sign-out came does not bring it back.
      await Promise.all([first, second].map((t) => t.session.restored));
    } finally {
      other.close();
    }
    for (const { session } of [first, second]) {
      expect(session.principal).to.equal(null);
      expect(session.status).to.deep.equal({ status: 'error', message: DEVICE_REVOKED_MESSAGE });
      expect(session.failure?.problem).to.equal('DEVICE_REVOKED');
    }
  });

  it('shows the PIN pad why, with how to pair the device again', async () => {
    const { queued } = await signedInAndLive();
    relay.revokeDevice();
    await signedOutEverywhere(queued);
    const session = tabs[0]?.session;
    const pad = document.createElement('hearth-pin-pad');
    pad.status = session?.status ?? { status: 'initial' };
    pad.problem = session?.failure?.problem;
    document.body.append(pad);
    try {
      await pad.updateComplete;
      const root = pad.shadowRoot;
      expect(root?.querySelector('[data-status]')?.textContent?.trim()).to.equal(
        DEVICE_REVOKED_MESSAGE,
      );
      const help = root?.querySelector('[data-device-problem="DEVICE_REVOKED"] summary');
      expect(help?.textContent?.trim()).to.equal('How to pair this device');
    } finally {
      pad.remove();
    }
  });
});
