import {
  ENTITY_KINDS,
  type EntityKind,
  type EntitySet,
  emptyEntitySet,
  type ParseOperationResult,
  type Projectable,
  parseOperation,
  project,
  projectRecords,
  type SnapshotRecord,
} from '#protocol';
import { type LocalDb, readRecords, readRecordsById, readSession } from '../device/local-db.ts';
import { type LocalViewState, type OutboxEntryLike, overlay } from '../device/local-overlay.ts';
import { CHANNEL } from '../device/messages.ts';
import { parseBroadcast } from './broadcast-guard.ts';

export {
  badgeOf,
  type ItemBadge,
  itemOf,
  itemsOf,
  type LocalViewState,
  type OpView,
} from '../device/local-overlay.ts';

/**
 * Reads this device's outbox. `OutboxStore` (`web/device/outbox-store.ts`) fits as it is;
 * tests pass an in-memory one.
 */
export interface OutboxReader {
  list(): Promise<readonly OutboxEntryLike[]>;
}

/** The part of a BroadcastChannel the view listens with. */
export interface ChannelLike {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  close(): void;
}

export interface LocalViewOptions {
  /** The open cache (`openLocalDb()`). The view never closes it. */
  readonly db: LocalDb;
  readonly outbox: OutboxReader;
  /** Kinds this screen shows and its ops decide against (default all). */
  readonly kinds?: readonly EntityKind[];
  /** Default: a BroadcastChannel on the app's channel, closed by `close()`. */
  readonly channel?: ChannelLike;
  readonly clock?: () => Date;
}

export type LocalViewListener = (view: LocalViewState) => void;

/**
 * The local view a screen reads: cached truth plus this device's pending ops on top, with a
 * synced / pending / failed badge per item. It re-reads (only what changed) on the hydrator's
 * `entities-changed` and the service worker's `outbox-changed`. Framework-free: a Lit
 * ReactiveController subscribes in `hostConnected` and unsubscribes in `hostDisconnected`.
 *
 * @example
 * const view = new LocalView({ db: await openLocalDb(), outbox: outboxStore });
 * const off = view.subscribe((state) => render(itemsOf(state, 'ticket')));
 * // later: off(); view.close();
 */
export class LocalView {
  private readonly options: LocalViewOptions;
  private readonly kinds: readonly EntityKind[];
  private readonly listeners = new Set<LocalViewListener>();
  private channel: ChannelLike | undefined;
  private readonly ownsChannel: boolean;
  private cached: EntitySet = emptyEntitySet();
  /** By kind, the feed op behind each cached entity that has one (entity id → opId). */
  private cachedOpIds = new Map<EntityKind, Map<string, string>>();
  private outbox: readonly OutboxEntryLike[] = [];
  private state: LocalViewState | undefined;
  /** What the next refresh must re-read; all of it at first. */
  private staleKinds: Set<EntityKind>;
  /** Of kinds read before and not stale whole, the entities the next refresh must re-read. */
  private staleIds = new Map<EntityKind, Set<string>>();
  private staleOutbox = true;
  private refreshing: Promise<LocalViewState> | undefined;
  private following: Promise<LocalViewState> | undefined;
  /**
   * Each outbox op as read, by opId: an op never changes once queued (its opId is its
   * idempotency key), and the outbox keeps delivered ops for a while, so parsing every one on
   * every read grew with the evening (hundreds of ops, several reads per send).
   */
  private parsed = new Map<
    string,
    { readonly op: unknown; readonly result: ParseOperationResult }
  >();

  constructor(options: LocalViewOptions) {
    this.options = options;
    this.kinds = options.kinds ?? ENTITY_KINDS;
    this.staleKinds = new Set(this.kinds);
    this.ownsChannel = options.channel === undefined;
  }

  /** The last view read, if any. */
  get current(): LocalViewState | undefined {
    return this.state;
  }

  /**
   * Calls `listener` with the view now (once read) and after every change; returns the
   * unsubscribe. The first subscriber starts listening to the channel, the last one stops.
   */
  subscribe(listener: LocalViewListener): () => void {
    this.listeners.add(listener);
    if (!this.channel) {
      this.channel = this.options.channel ?? new BroadcastChannel(CHANNEL);
      this.channel.addEventListener('message', this.onMessage);
    }
    if (this.state) listener(this.state);
    else void this.update().catch(reportRefreshError);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.detach();
    };
  }

  /** Re-reads everything (cache, session, outbox) and notifies listeners. */
  refresh(): Promise<LocalViewState> {
    for (const kind of this.kinds) this.staleKinds.add(kind);
    this.staleOutbox = true;
    return this.update();
  }

  /** Re-reads what is stale; a call during a read gets the read after it (which covers it). */
  private update(): Promise<LocalViewState> {
    if (!this.refreshing) {
      const running = this.read().finally(() => {
        this.refreshing = undefined;
      });
      this.refreshing = running;
      return running;
    }
    // The running read's failure is its own caller's to see; the next read starts regardless.
    this.following ??= this.refreshing
      .catch(() => undefined)
      .then(() => {
        this.following = undefined;
        return this.update();
      });
    return this.following;
  }

  /** Stops listening (and closes the channel it opened). The db stays open: it is the caller's. */
  close(): void {
    this.listeners.clear();
    this.detach();
  }

  private readonly onMessage = (event: MessageEvent): void => {
    const message = parseBroadcast(event.data);
    if (message?.type === 'entities-changed') {
      const relevant = message.kinds.filter((kind) => this.kinds.includes(kind));
      if (relevant.length === 0) return;
      for (const kind of relevant) {
        const named = message.ids?.[kind];
        if (named && this.cachedOpIds.has(kind) && !this.staleKinds.has(kind)) {
          const ids = this.staleIds.get(kind) ?? new Set<string>();
          for (const id of named) ids.add(id);
          this.staleIds.set(kind, ids);
        } else {
          this.staleKinds.add(kind);
          this.staleIds.delete(kind);
        }
      }
    } else if (message?.type === 'outbox-changed') {
      this.staleOutbox = true;
    } else {
      return;
    }
    void this.update().catch(reportRefreshError);
  };

  private async read(): Promise<LocalViewState> {
    const { db } = this.options;
    const kinds = [...this.staleKinds];
    this.staleKinds = new Set();
    const named = [...this.staleIds].map(([kind, ids]) => [kind, [...ids]] as const);
    this.staleIds = new Map();
    const readOutbox = this.staleOutbox;
    this.staleOutbox = false;
    try {
      const [byKind, byId, outbox, principal] = await Promise.all([
        Promise.all(kinds.map(async (kind) => [kind, await readRecords(db, kind)] as const)),
        Promise.all(
          named.map(async ([kind, ids]) => [kind, await readRecordsById(db, kind, ids)] as const),
        ),
        readOutbox ? this.options.outbox.list() : Promise.resolve(this.outbox),
        readSession(db),
      ]);
      let cached = this.cached;
      for (const [kind, records] of byKind) {
        // Swap the kind's table for a fresh one: the other kinds are shared, not re-read.
        const fresh = projectRecords(
          emptyEntitySet(),
          records.map((r) => ({ entity: r.kind, data: r.data }) as SnapshotRecord),
        );
        cached = { ...cached, [kind]: fresh[kind] };
        this.cachedOpIds.set(
          kind,
          new Map(records.flatMap((r) => (r.opId ? [[r.id, r.opId]] : []))),
        );
      }
      for (const [kind, records] of byId) {
        // Just the named entities: each one out, then back in as the cache holds it now.
        const opIds = new Map(this.cachedOpIds.get(kind));
        const changes: Projectable[] = [];
        for (const [id, record] of records) {
          changes.push({ entity: kind, id, op: 'tombstone', version: Number.MAX_SAFE_INTEGER });
          opIds.delete(id);
          if (!record) continue;
          changes.push({
            entity: kind,
            id,
            op: 'upsert',
            data: record.data,
            version: record.version,
          } as Projectable);
          if (record.opId) opIds.set(id, record.opId);
        }
        cached = project(cached, changes);
        this.cachedOpIds.set(kind, opIds);
      }
      this.cached = cached;
      this.outbox = outbox;
      const cachedOpIds = new Set<string>();
      for (const ids of this.cachedOpIds.values())
        for (const id of ids.values()) cachedOpIds.add(id);
      const state = overlay({
        cached,
        cachedOpIds,
        principal,
        outbox,
        now: (this.options.clock?.() ?? new Date()).toISOString(),
        parse: this.parseOnce,
      });
      if (readOutbox) this.forgetParsed(outbox);
      this.state = state;
      for (const listener of this.listeners) {
        try {
          listener(state);
        } catch (error) {
          // One screen's bug must not starve the others of updates.
          reportError(error);
        }
      }
      return state;
    } catch (error) {
      // Nothing was read: what was stale stays stale for the next try (a kind named by id is
      // read whole then: simpler, and as right).
      for (const kind of kinds) this.staleKinds.add(kind);
      for (const [kind] of named) {
        this.staleKinds.add(kind);
        this.staleIds.delete(kind);
      }
      if (readOutbox) this.staleOutbox = true;
      throw error;
    }
  }

  private readonly parseOnce = (entry: OutboxEntryLike): ParseOperationResult => {
    const held = this.parsed.get(entry.opId);
    if (held && (held.op === entry.op || samePayload(held.op, entry.op))) return held.result;
    const result = parseOperation(entry.op);
    this.parsed.set(entry.opId, { op: entry.op, result });
    return result;
  };

  /** Drops what was parsed for ops the outbox no longer holds. */
  private forgetParsed(outbox: readonly OutboxEntryLike[]): void {
    if (this.parsed.size <= outbox.length) return;
    const held = new Set(outbox.map((entry) => entry.opId));
    for (const opId of this.parsed.keys()) if (!held.has(opId)) this.parsed.delete(opId);
  }

  private detach(): void {
    if (!this.channel) return;
    this.channel.removeEventListener('message', this.onMessage);
    if (this.ownsChannel) this.channel.close();
    this.channel = undefined;
  }
}

/** The same op read again: same opId (the caller's key) and payload hash. */
function samePayload(a: unknown, b: unknown): boolean {
  const hash = (op: unknown) => (op as { payloadHash?: unknown } | null)?.payloadHash;
  return hash(a) !== undefined && hash(a) === hash(b);
}

function reportRefreshError(error: unknown): void {
  // A failed read leaves the last view on screen; the next broadcast tries again.
  console.error('local view: read failed', error);
}
