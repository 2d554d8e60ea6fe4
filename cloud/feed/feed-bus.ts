import type { FeedEntry } from '#protocol';

export type FeedListener = (entries: readonly FeedEntry[]) => void;

/**
 * In-process notification of committed feed entries, per venue: long-polls and live sockets
 * listen; the write path publishes after each commit. A listener that throws is dropped and
 * reported, never allowed to break the writer.
 */
export class FeedBus {
  private readonly listeners = new Map<string, Set<FeedListener>>();

  private readonly onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = () => {}) {
    this.onListenerError = onListenerError;
  }

  subscribe(venueId: string, listener: FeedListener): () => void {
    let set = this.listeners.get(venueId);
    if (!set) {
      set = new Set();
      this.listeners.set(venueId, set);
    }
    // A listener object per subscription, so unsubscribing twice (or after another
    // subscription of the same function) removes only this one.
    const entry: FeedListener = (entries) => listener(entries);
    set.add(entry);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      const current = this.listeners.get(venueId);
      current?.delete(entry);
      if (current && current.size === 0) this.listeners.delete(venueId);
    };
  }

  publish(venueId: string, entries: readonly FeedEntry[]): void {
    if (entries.length === 0) return;
    for (const listener of [...(this.listeners.get(venueId) ?? [])]) {
      try {
        listener(entries);
      } catch (error) {
        this.listeners.get(venueId)?.delete(listener);
        this.onListenerError(error);
      }
    }
  }

  subscriberCount(venueId?: string): number {
    if (venueId !== undefined) return this.listeners.get(venueId)?.size ?? 0;
    let total = 0;
    for (const set of this.listeners.values()) total += set.size;
    return total;
  }
}
