import type { OutboxSummary } from './resilience-state.ts';

/** How one op stands, as a screen shows it beside the item it changed. */
export type OpStatus = 'pending' | 'synced' | 'failed';

/** Read access to the service worker's outbox (it alone writes it). */
export interface OutboxReader {
  /** Depth, oldest pending op and failures; undefined when the outbox cannot be read. */
  summary(): Promise<OutboxSummary | undefined>;
  /** The op's status; undefined when the outbox does not know it (never queued, or cleared). */
  statusOf(opId: string): Promise<OpStatus | undefined>;
}

/** Before the outbox store can be read from a page: no summary, no per-op knowledge. */
export const unreadableOutbox: OutboxReader = {
  summary: async () => undefined,
  statusOf: async () => undefined,
};
