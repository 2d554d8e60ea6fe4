import type { OutboxSummary } from './resilience-state.ts';

/**
 * How one op stands, as a screen shows it beside the item it changed: `pending` (not sent
 * yet), `delivered_local` (saved in the venue relay, not confirmed by the cloud yet), `synced`
 * (the cloud has it), `failed`.
 */
export type OpStatus = 'pending' | 'delivered_local' | 'synced' | 'failed';

/** An op's status with what to show beside it. */
export interface OpState {
  readonly status: OpStatus;
  /** Why it failed (the server's reason or the outbox's), shown beside the badge. */
  readonly detail?: string;
  /** The rejection's code (`ITEM_UNAVAILABLE`…), when the server gave one: what to say about it. */
  readonly code?: string;
  /** A failure that sending again cannot undo (a rejection, too old): discard only. */
  readonly final?: boolean;
  /**
   * Not sent yet in the sense that no one has decided it: the target answered that it holds it
   * until the cloud can (retryable `DEPENDENCY_PENDING`, e.g. the relay holding it for the cloud).
   */
  readonly waiting?: boolean;
}

/** Read access to the service worker's outbox (it alone writes it). */
export interface OutboxReader {
  /** Depth, oldest pending op and failures; undefined when the outbox cannot be read. */
  summary(): Promise<OutboxSummary | undefined>;
  /** The op's state; undefined when the outbox does not know it (never queued, or cleared). */
  stateOf(opId: string): Promise<OpState | undefined>;
}

/** Before the outbox store can be read from a page: no summary, no per-op knowledge. */
export const unreadableOutbox: OutboxReader = {
  summary: async () => undefined,
  stateOf: async () => undefined,
};
