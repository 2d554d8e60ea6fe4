import type { FeedEntry } from '#protocol';

/** One subscriber: committed entries, and (on a bus that carries them) notices. */
export interface FeedListener<Notice = never> {
  entries?(entries: readonly FeedEntry[]): void;
  notice?(notice: Notice): void;
}

/**
 * In-process fan-out of committed feed entries per venue (one publish per commit, so entries of
 * one commit travel together) and, on the relay, of op notices. Long-polls and live sockets
 * listen; the write path publishes after each commit. A listener that throws is dropped and
 * reported, never allowed to break the writer.
 *
 * @example
 * const bus = new FeedBus<OpNotice>((error) => log('error', 'feed listener failed', { error }));
 * const stop = bus.subscribe(venueId, { entries: (entries) => wake() });
 * bus.publish(venueId, committed);
 * stop();
 */
export class FeedBus<Notice = never> {
  private readonly listeners = new Map<string, Set<FeedListener<Notice>>>();
  /** Hear every venue's entries without subscribing to any (see {@link observe}). */
  private readonly observers = new Set<(venueId: string, entries: readonly FeedEntry[]) => void>();
  private readonly onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = () => {}) {
    this.onListenerError = onListenerError;
  }

  /** Listens to one venue; a bare function hears entries only. Unsubscribing twice is harmless. */
  subscribe(
    venueId: string,
    listener: FeedListener<Notice> | ((entries: readonly FeedEntry[]) => void),
  ): () => void {
    let set = this.listeners.get(venueId);
    if (!set) {
      set = new Set();
      this.listeners.set(venueId, set);
    }
    // An object per subscription, so unsubscribing removes this one and never another
    // subscription of the same listener.
    const entry: FeedListener<Notice> =
      typeof listener === 'function' ? { entries: listener } : { ...listener };
    set.add(entry);
    return () => this.remove(venueId, entry);
  }

  /**
   * Hears every venue's published entries, without counting as a subscriber of any (a venue's
   * subscribers decide whether another instance's commits are fetched for it). For in-memory
   * views kept current by the feed, e.g. the paired devices. An observer that throws is dropped.
   */
  observe(observer: (venueId: string, entries: readonly FeedEntry[]) => void): () => void {
    const entry = (venueId: string, entries: readonly FeedEntry[]) => observer(venueId, entries);
    this.observers.add(entry);
    return () => {
      this.observers.delete(entry);
    };
  }

  publish(venueId: string, entries: readonly FeedEntry[]): void {
    if (entries.length === 0) return;
    for (const observer of [...this.observers]) {
      try {
        observer(venueId, entries);
      } catch (error) {
        this.observers.delete(observer);
        this.onListenerError(error);
      }
    }
    this.each(venueId, (l) => l.entries?.(entries));
  }

  notify(venueId: string, notice: Notice): void {
    this.each(venueId, (l) => l.notice?.(notice));
  }

  /** Subscriptions of one venue, or of all of them. */
  subscriberCount(venueId?: string): number {
    if (venueId !== undefined) return this.listeners.get(venueId)?.size ?? 0;
    let total = 0;
    for (const set of this.listeners.values()) total += set.size;
    return total;
  }

  private each(venueId: string, call: (listener: FeedListener<Notice>) => void): void {
    const set = this.listeners.get(venueId);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        call(listener);
      } catch (error) {
        this.remove(venueId, listener);
        this.onListenerError(error);
      }
    }
  }

  private remove(venueId: string, entry: FeedListener<Notice>): void {
    const set = this.listeners.get(venueId);
    if (!set?.delete(entry)) return;
    if (set.size === 0) this.listeners.delete(venueId);
  }
}
