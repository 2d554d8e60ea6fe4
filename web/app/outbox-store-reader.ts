import { OutboxStore } from '../shared/outbox-store.ts';
import { type OutboxStatus, outboxCounts } from '../shared/outbox-types.ts';
import type { OpStatus, OutboxReader } from './outbox-reader.ts';

// The page's read-only view of the service worker's outbox (the worker alone writes it; a page
// asks it to retry or discard by message). Loaded lazily by app-services.ts: it brings zod and
// the operation schemas with it.

const STATUS: Readonly<Record<OutboxStatus, OpStatus>> = {
  pending: 'pending',
  sending: 'pending',
  // The relay kept it: from this device's side it is delivered.
  delivered_local: 'synced',
  synced: 'synced',
  failed: 'failed',
};

export function outboxStoreReader(store: Promise<OutboxStore>, clock: () => number): OutboxReader {
  return {
    async summary() {
      const entries = await (await store).list();
      const { depth, oldestPendingAt, failedOps } = outboxCounts(entries, clock());
      return { depth, oldestPendingAt, failedOps };
    },
    async statusOf(opId) {
      const entry = await (await store).get(opId);
      return entry ? STATUS[entry.status] : undefined;
    },
  };
}

export const openOutboxStore = (): Promise<OutboxStore> => OutboxStore.open();
