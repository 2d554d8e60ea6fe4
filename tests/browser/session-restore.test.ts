import { expect } from '@esm-bundle/chai';
import type { Principal } from '#protocol';
import { SessionController } from '../../web/app/session-controller.ts';
import { SessionStore } from '../../web/app/session-store.ts';
import { FakeHost } from './controller-host.ts';
import { staff } from './outbox-fixtures.ts';

// The session a reload left is read from IndexedDB asynchronously: a sign-out (or a sign-in)
// that happens while it is read stands; the stale read never brings the old session back.

const SAM: Principal = staff('server-1');

/** A stored session whose read finishes when the test says. */
function slowPersistence() {
  let finish: (principal: Principal | undefined) => void = () => undefined;
  const read = new Promise<Principal | undefined>((resolve) => {
    finish = resolve;
  });
  return { load: () => read, save: async () => undefined, finish: (p: Principal) => finish(p) };
}

function controller(persistence: ReturnType<typeof slowPersistence>) {
  const host = new FakeHost();
  const session = new SessionController(host, {
    venueId: 'venue-1',
    session: new SessionStore(),
    persistence,
    device: {
      deviceId: async () => 'device-1',
      cursor: async () => null,
      lastSyncAt: async () => null,
    },
    serviceWorker: { controlled: () => false, post: () => false },
    fetch: (async () => new Response(null, { status: 204 })) as typeof fetch,
  });
  host.connect();
  return session;
}

describe('restoring the session a reload left', () => {
  it('restores it when nothing happened meanwhile', async () => {
    const persistence = slowPersistence();
    const session = controller(persistence);
    persistence.finish(SAM);
    await session.restored;
    expect(session.principal).to.deep.equal(SAM);
  });

  it('does not bring it back after a sign-out made while it was read', async () => {
    const persistence = slowPersistence();
    const session = controller(persistence);
    await session.signOut();
    persistence.finish(SAM);
    await session.restored;
    expect(session.principal).to.equal(null);
  });
});
