import { expect } from '@esm-bundle/chai';
import { deleteDB } from 'idb';
import { CACHE_DB_NAME } from '../../web/device/local-db.ts';
import { type HydratorHandle, startHydrator } from '../../web/hydrator/hydrator-client.ts';

// The real module worker through Comlink, as a page starts it: one leader per origin by the
// `hearth-hydrator` Web Lock, and a waiting worker takes over when the leader's worker ends.

// Nothing listens there: requests fail fast as network errors and the hydrator backs off.
const UNREACHABLE = 'http://127.0.0.1:9';

async function until(what: string, check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
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
    await until('leader', async () => (await handle.api.status()).role === 'leader');
    await until('offline', async () => (await handle.api.status()).lastFailure?.code === 'NETWORK');
    expect(await handle.api.status()).to.deep.include({ connectivity: 'offline', bootstraps: 0 });
  });

  it('keeps one leader across tabs, and hands over when the leader’s worker ends', async () => {
    const first = await startHydrator({
      venueId: 'demo-bistro',
      scopes: ['venue'],
      baseUrl: UNREACHABLE,
    });
    handles.push(first);
    await until('first leads', async () => (await first.api.status()).role === 'leader');
    const second = await startHydrator({
      venueId: 'demo-bistro',
      scopes: ['venue'],
      baseUrl: UNREACHABLE,
    });
    handles.push(second);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await second.api.status()).role).to.equal('waiting');

    // As when the leader's tab closes: its worker ends abruptly, and the lock goes with it.
    first.worker.terminate();
    handles.splice(handles.indexOf(first), 1);
    await until('second leads', async () => (await second.api.status()).role === 'leader');
  });
});
