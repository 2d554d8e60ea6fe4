import { expect } from '@esm-bundle/chai';
import { deleteDB } from 'idb';
import type { Principal, SnapshotRecord } from '#protocol';
import { appServices } from '../../web/app/app-services.ts';
import { SessionController } from '../../web/app/session-controller.ts';
import { SessionStore } from '../../web/app/session-store.ts';
import {
  CACHE_DB_NAME,
  countEntities,
  ensureDeviceId,
  openLocalDb,
  readSession,
  readSync,
  replaceAll,
  writeSession,
} from '../../web/device/local-db.ts';
import { type Broadcast, CHANNEL } from '../../web/device/messages.ts';
import { OUTBOX_DB_NAME } from '../../web/device/outbox-db.ts';
import { OutboxStore } from '../../web/device/outbox-store.ts';
import { type HydratorHandle, startHydrator } from '../../web/hydrator/hydrator-client.ts';
import { waitFor } from '../support/wait-for.ts';
import { FakeHost } from './controller-host.ts';
import { createOrder, staff, T0, VENUE } from './outbox-fixtures.ts';

// Sign-out on a device, against Chromium's real IndexedDB and the real hydrator worker: the
// venue data the person could see goes from the cache, the outbox and the device id stay.

const SAM: Principal = staff('server-1');
// Nothing listens there: the hydrators fail fast and back off.
const UNREACHABLE = 'http://127.0.0.1:9';

const tables: SnapshotRecord[] = ['t-1', 't-2', 't-3'].map((id) => ({
  entity: 'table',
  data: { id, label: id, seats: 4, version: 1 },
}));

/** A fetch that answers the logout and counts it. */
function logoutCounter() {
  const calls: string[] = [];
  const fetch = (async (input: RequestInfo | URL) => {
    calls.push(String(input));
    return new Response(null, { status: 204 });
  }) as typeof window.fetch;
  return { calls, fetch };
}

describe('sign-out', () => {
  after(async () => {
    await deleteDB(CACHE_DB_NAME);
    await deleteDB(OUTBOX_DB_NAME);
  });

  it('drops the cached entities, cursor and session through the hydrator worker; the outbox and device id stay', async () => {
    const db = await openLocalDb();
    const outbox = await OutboxStore.open();
    const heard: Broadcast[] = [];
    const channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = (event: MessageEvent<Broadcast>) => heard.push(event.data);
    try {
      await replaceAll(db, tables, {
        key: 'sync',
        venueId: VENUE,
        cursor: 'c-1',
        scopes: [],
        target: 'https://relay.test',
        snapshotSeq: 0,
        lastSyncAt: T0,
      });
      await writeSession(db, SAM);
      const deviceId = await ensureDeviceId(db);
      const queued = await createOrder('order-1', { deviceId });
      await outbox.add(queued, T0);
      expect(await countEntities(db)).to.equal(3);

      const services = appServices();
      // The page's hydrator worker runs, as once someone signed in (it cannot reach a feed here).
      await services.cacheSync.start(SAM, []);
      const { calls, fetch } = logoutCounter();
      const host = new FakeHost();
      const session = new SessionController(host, { ...services, fetch });
      services.session.set(SAM);

      await session.signOut();

      expect(session.principal).to.equal(null);
      expect(await countEntities(db)).to.equal(0);
      expect(await readSync(db)).to.equal(undefined);
      expect(await readSession(db)).to.equal(undefined);
      expect(await ensureDeviceId(db)).to.equal(deviceId);
      const kept = await outbox.list();
      expect(kept.map((entry) => [entry.opId, entry.status])).to.deep.equal([
        [queued.opId, 'pending'],
      ]);
      expect(calls).to.have.length(1);
      expect(calls[0]).to.match(/\/v1\/auth\/logout$/);
      // Open views elsewhere hear that every kind changed, and re-read an empty cache.
      await waitFor('entities-changed heard', () =>
        heard.some((m) => m.type === 'entities-changed' && m.kinds.includes('table')),
      );
    } finally {
      channel.close();
      outbox.close();
      db.close();
    }
  });

  it('signs the other tabs out and stops their hydrators before the cache is dropped', async () => {
    const db = await openLocalDb();
    const handles: HydratorHandle[] = [];
    const host = new FakeHost();
    const store = new SessionStore();
    try {
      await replaceAll(db, tables, {
        key: 'sync',
        venueId: VENUE,
        cursor: 'c-2',
        scopes: [],
        target: UNREACHABLE,
        snapshotSeq: 0,
        lastSyncAt: T0,
      });
      // This tab: signed in, its hydrator the leader (it cannot reach a feed here).
      const here = await startHydrator({ venueId: VENUE, scopes: [], baseUrl: UNREACHABLE });
      handles.push(here);
      await waitFor('this tab leads', async () => (await here.api.status()).role === 'leader');
      const services = appServices();
      new SessionController(host, { ...services, session: store });
      host.connect();
      store.set(SAM);

      // Another tab signs out: its hydrator waits behind this one's for the lock.
      const other = await startHydrator({ venueId: VENUE, scopes: [], baseUrl: UNREACHABLE });
      handles.push(other);
      await other.api.forget();

      expect((await here.api.status()).role).to.equal('stopped');
      expect(await countEntities(db)).to.equal(0);
      await waitFor('this tab signed out', () => store.principal === null);
    } finally {
      host.disconnect();
      await Promise.all(handles.map((handle) => handle.close()));
      db.close();
    }
  });

  it('still ends the cookie when the cache cannot be dropped', async () => {
    const { calls, fetch } = logoutCounter();
    const services = appServices();
    const session = new SessionController(new FakeHost(), {
      ...services,
      fetch,
      cacheSync: {
        forget: async () => {
          throw new DOMException('no IndexedDB here', 'InvalidStateError');
        },
      },
    });
    services.session.set(SAM);
    await session.signOut();
    expect(session.principal).to.equal(null);
    expect(calls).to.have.length(1);
  });
});
