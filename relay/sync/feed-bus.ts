import type { FeedEntry, OpResult } from '#protocol';

/** What the relay pushes to LAN sockets besides entries: a settled op a device must hear about. */
export interface OpNotice {
  readonly deviceId: string;
  readonly result: OpResult;
}

export interface FeedBusListener {
  entries?(entries: readonly FeedEntry[]): void;
  notice?(notice: OpNotice): void;
}

/**
 * In-process fan-out of committed LAN feed entries (one publish per group commit, so entries of
 * one tick travel in one frame) and of op notices. A listener that throws is dropped, never
 * allowed to break the committer.
 */
export class RelayBus {
  private readonly listeners = new Set<FeedBusListener>();
  private readonly onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = () => {}) {
    this.onListenerError = onListenerError;
  }

  subscribe(listener: FeedBusListener): () => void {
    const entry = { ...listener };
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  publishEntries(entries: readonly FeedEntry[]): void {
    if (entries.length > 0) this.each((l) => l.entries?.(entries));
  }

  publishNotice(notice: OpNotice): void {
    this.each((l) => l.notice?.(notice));
  }

  get size(): number {
    return this.listeners.size;
  }

  private each(call: (listener: FeedBusListener) => void): void {
    for (const listener of [...this.listeners]) {
      try {
        call(listener);
      } catch (error) {
        this.listeners.delete(listener);
        this.onListenerError(error);
      }
    }
  }
}
