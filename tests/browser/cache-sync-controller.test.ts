import { expect } from '@esm-bundle/chai';
import { html, LitElement } from 'lit';
import type { Principal } from '#protocol';
import type { CacheSync } from '../../web/app/app-services.ts';
import { CacheSyncController } from '../../web/app/cache-sync-controller.ts';
import { SessionStore } from '../../web/app/session-store.ts';

// A screen shows why its local cache could not start as soon as it is known: the controller
// asks its host for the render, nothing else on the page has to.

const PRINCIPAL: Principal = {
  kind: 'staff',
  tenantId: 'tenant-1',
  venueId: 'venue-1',
  actorId: 'staff-1',
  role: 'server',
};

class CacheSyncHost extends LitElement {
  static deps: { session: SessionStore; cacheSync: Pick<CacheSync, 'start'> };
  readonly sync = new CacheSyncController(this, { ...CacheSyncHost.deps, scopes: [] });

  override render() {
    return html`<p class="error">${this.sync.error ?? ''}</p>`;
  }
}
customElements.define('test-cache-sync-host', CacheSyncHost);

/** A cache start that the test settles by hand. */
function manualSync(): Pick<CacheSync, 'start'> & { fail(error: Error): void; succeed(): void } {
  let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  return {
    start: () =>
      new Promise<void>((resolve, reject) => {
        settle = { resolve, reject };
      }),
    fail: (error) => settle?.reject(error),
    succeed: () => settle?.resolve(),
  };
}

/** Lets the settled start's continuation (and any update it asked for) run. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

async function rendered(host: CacheSyncHost): Promise<string> {
  await host.updateComplete;
  return host.shadowRoot?.querySelector('.error')?.textContent ?? '';
}

describe('CacheSyncController', () => {
  let host: CacheSyncHost | undefined;
  afterEach(() => host?.remove());

  it('renders the error after a failed start with nothing else asking for a render', async () => {
    const session = new SessionStore();
    const cacheSync = manualSync();
    CacheSyncHost.deps = { session, cacheSync };
    host = document.createElement('test-cache-sync-host') as CacheSyncHost;
    document.body.append(host);
    expect(await rendered(host)).to.equal('');

    session.set(PRINCIPAL);
    const failed = new Error('IndexedDB is not available');
    cacheSync.fail(failed);
    await tick();
    expect(await rendered(host)).to.equal('IndexedDB is not available');
  });

  it('clears the shown error once a later start succeeds', async () => {
    const session = new SessionStore();
    const cacheSync = manualSync();
    CacheSyncHost.deps = { session, cacheSync };
    host = document.createElement('test-cache-sync-host') as CacheSyncHost;
    document.body.append(host);
    session.set(PRINCIPAL);
    cacheSync.fail(new Error('no Worker'));
    await tick();
    expect(await rendered(host)).to.equal('no Worker');

    session.set(PRINCIPAL);
    cacheSync.succeed();
    await tick();
    expect(await rendered(host)).to.equal('');
  });
});
