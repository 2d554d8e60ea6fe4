import type { EntityKind } from '#protocol';
import type { LocalDb } from '../device/local-db.ts';
import type { OutboxStore } from '../device/outbox-store.ts';
import { itemsOf, LocalView, type LocalViewState } from './local-view.ts';
import type { LocalSnapshot, LocalViewSource } from './local-view-controller.ts';

// The hydrator engineer's LocalView as the screens' LocalViewSource. Loaded lazily by
// app-services.ts: the view decides pending ops with protocol's `decide`, schemas and all.

const snapshotOf = (state: LocalViewState): LocalSnapshot => ({
  items: (kind) => itemsOf(state, kind),
  pendingCount: state.pendingCount,
  savedLocalCount: state.savedLocalCount,
});

export function localViewSource(
  db: LocalDb,
  outbox: OutboxStore,
  kinds: readonly EntityKind[] | undefined,
): LocalViewSource {
  const view = new LocalView(kinds ? { db, outbox, kinds } : { db, outbox });
  return {
    subscribe: (listener) => view.subscribe((state) => listener(snapshotOf(state))),
    close: () => view.close(),
  };
}
