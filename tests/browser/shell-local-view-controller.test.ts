import { expect } from '@esm-bundle/chai';
import type { EntityKind } from '#protocol';
import {
  type LocalSnapshot,
  LocalViewController,
  type LocalViewSource,
} from '../../web/app/local-view-controller.ts';
import { FakeHost } from './controller-host.ts';

// A screen's subscription to the local view: Task-style status, every new snapshot, and nothing
// left subscribed (or open) once the screen is gone.

class FakeView implements LocalViewSource {
  readonly listeners = new Set<(snapshot: LocalSnapshot) => void>();
  closed = false;
  subscribe(listener: (snapshot: LocalSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  close(): void {
    this.closed = true;
  }
  emit(pendingCount: number): void {
    const snapshot: LocalSnapshot = { items: () => [], pendingCount, savedLocalCount: 0 };
    for (const listener of this.listeners) listener(snapshot);
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('LocalViewController', () => {
  it('is pending until the first read, then follows every snapshot', async () => {
    const host = new FakeHost();
    const view = new FakeView();
    const asked: (readonly EntityKind[] | undefined)[] = [];
    const controller = new LocalViewController(host, {
      kinds: ['ticket'],
      openLocalView: async (kinds) => {
        asked.push(kinds);
        return view;
      },
    });
    expect(controller.status.status).to.equal('initial');
    host.connect();
    expect(controller.status.status).to.equal('pending');
    await tick();
    expect(asked).to.deep.equal([['ticket']]);
    view.emit(0);
    expect(controller.status).to.deep.include({ status: 'complete' });
    view.emit(2);
    const status = controller.status;
    expect(status.status === 'complete' && status.value.pendingCount).to.equal(2);

    host.disconnect();
    expect(view.listeners.size).to.equal(0);
    expect(view.closed).to.equal(true);
  });

  it('shows why the cache cannot be opened', async () => {
    const host = new FakeHost();
    const controller = new LocalViewController(host, {
      openLocalView: async () => {
        throw new DOMException('IndexedDB is not available', 'InvalidStateError');
      },
    });
    host.connect();
    await tick();
    expect(controller.status).to.deep.equal({
      status: 'error',
      message: 'IndexedDB is not available',
    });
  });

  it('closes a view that opened after its screen went away', async () => {
    const host = new FakeHost();
    const view = new FakeView();
    let open: (view: LocalViewSource) => void = () => {};
    new LocalViewController(host, {
      openLocalView: () => new Promise((resolve) => (open = resolve)),
    });
    host.connect();
    host.disconnect();
    open(view);
    await tick();
    expect(view.closed).to.equal(true);
    expect(view.listeners.size).to.equal(0);
  });
});
