import { expect } from '@esm-bundle/chai';
import { deleteDB } from 'idb';
import { CACHE_DB_NAME } from '../../web/device/local-db.ts';
import { type HydratorHandle, startHydrator } from '../../web/hydrator/hydrator-client.ts';
import { DEFAULT_HYDRATOR_SETTINGS } from '../../web/hydrator/hydrator-deps.ts';
import { waitFor } from '../support/wait-for.ts';

// The real module worker through Comlink, as a page starts it: one leader per origin by the
// `hearth-hydrator` Web Lock, and a waiting worker takes over when the leader's worker ends.

// Nothing listens there: requests fail fast as network errors and the hydrator backs off.
const UNREACHABLE = 'http://127.0.0.1:9';

/** True once a request for the lock `name` waits behind its holder, as the lock manager says. */
async function queuedBehindHolder(name: string): Promise<boolean> {
  const { held = [], pending = [] } = await navigator.locks.query();
  return held.some((lock) => lock.name === name) && pending.some((lock) => lock.name === name);
}

describe('hydrator worker (Comlink + Web Locks)', () => {
  const handles: HydratorHandle[] = [];

  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.close()));
    await deleteDB(CACHE_DB_NAME);
  });

  it('starts in a module worker and answers over Comlink', async () => {
    const handle = await startHydrator({
      venueId: 'demo-bistro',
      scopes: ['venue'],
      baseUrl: UNREACHABLE,
    });
    handles.push(handle);
    await waitFor('leader', async () => (await handle.api.status()).role === 'leader');
    await waitFor(
      'offline',
      async () => (await handle.api.status()).lastFailure?.code === 'NETWORK',
    );
    expect(await handle.api.status()).to.deep.include({ connectivity: 'offline', bootstraps: 0 });
  });

  it('keeps one leader across tabs, and hands over when the leader’s worker ends', async () => {
    const first = await startHydrator({
      venueId: 'demo-bistro',
      scopes: ['venue'],
      baseUrl: UNREACHABLE,
    });
    handles.push(first);
    await waitFor('first leads', async () => (await first.api.status()).role === 'leader');
    const second = await startHydrator({
      venueId: 'demo-bistro',
      scopes: ['venue'],
      baseUrl: UNREACHABLE,
    });
    handles.push(second);
    // The second worker has asked for the leader lock and the lock manager holds it back.
    await waitFor('the second queued for the lock', () =>
      queuedBehindHolder(DEFAULT_HYDRATOR_SETTINGS.lockName),
    );
    expect((await second.api.status()).role).to.equal('waiting');
    expect((await first.api.status()).role).to.equal('leader');

    // As when the leader's tab closes: its worker ends abruptly, and the lock goes with it.
    first.worker.terminate();
    handles.splice(handles.indexOf(first), 1);
    await waitFor('second leads', async () => (await second.api.status()).role === 'leader');
  });
});
