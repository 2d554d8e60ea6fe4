import { isFinal, OutboxStore } from '../device/outbox-store.ts';
import { type OutboxEntry, type OutboxStatus, outboxCounts } from '../device/outbox-types.ts';
import type { OpState, OpStatus, OutboxReader } from './outbox-reader.ts';

// The page's read-only view of the service worker's outbox (the worker alone writes it; a page
// asks it to retry or discard by message). Loaded lazily by app-services.ts: it brings zod and
// the operation schemas with it.

const STATUS: Readonly<Record<OutboxStatus, OpStatus>> = {
  pending: 'pending',
  sending: 'pending',
  // The relay kept it; the cloud has not confirmed it yet (a notice or a resend's answer will).
  delivered_local: 'delivered_local',
  synced: 'synced',
  failed: 'failed',
};

/** Why a failed entry failed, in the words the server or the outbox gave. */
export function failureOf(entry: OutboxEntry): string {
  const result = entry.result;
  const rejected =
    result?.status === 'rejected'
      ? result
      : result?.status === 'duplicate' && result.first.status === 'rejected'
        ? result.first
        : null;
  if (rejected) return rejected.message || rejected.code;
  return entry.lastError ? entry.lastError.message || entry.lastError.code : 'not accepted';
}

/** The rejection's code, or the outbox's own (`RETRIES_EXHAUSTED`…), of a failed entry. */
function failureCode(entry: OutboxEntry): string | undefined {
  const result = entry.result;
  if (result?.status === 'rejected') return result.code;
  if (result?.status === 'duplicate' && result.first.status === 'rejected')
    return result.first.code;
  return entry.lastError?.code;
}

/** The entry as a screen shows it. */
export function opStateOf(entry: OutboxEntry): OpState {
  const status = STATUS[entry.status];
  if (status === 'failed') {
    const code = failureCode(entry);
    return { status, detail: failureOf(entry), final: isFinal(entry), ...(code ? { code } : {}) };
  }
  if (status === 'pending' && entry.lastError?.code === 'DEPENDENCY_PENDING')
    return { status, waiting: true };
  return { status };
}

export function outboxStoreReader(store: Promise<OutboxStore>, clock: () => number): OutboxReader {
  return {
    async summary() {
      const entries = await (await store).list();
      const { depth, oldestPendingAt, failedOps } = outboxCounts(entries, clock());
      return { depth, oldestPendingAt, failedOps };
    },
    async stateOf(opId) {
      const entry = await (await store).get(opId);
      return entry ? opStateOf(entry) : undefined;
    },
  };
}

export const openOutboxStore = (): Promise<OutboxStore> => OutboxStore.open();
