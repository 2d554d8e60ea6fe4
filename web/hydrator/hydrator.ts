import { ENTITY_KINDS } from '#protocol';
import { backoffDelay } from '#protocol/retry/backoff.ts';
import { type CoalescedBatch, Coalescer, InvalidEntityError } from '../device/local-coalesce.ts';
import {
  applyChanges,
  ensureDeviceId,
  forgetVenueData,
  type LocalDb,
  LocalDbError,
  readSync,
  replaceAll,
  type SyncMeta,
  type WriteStats,
  writeSession,
} from '../device/local-db.ts';
import { FeedError, getFeedPage, getSnapshot, liveUrl, probeTargetKind } from './feed-client.ts';
import type { HydratorApi, HydratorStartOptions, HydratorStatus } from './hydrator-api.ts';
import type { HydratorDeps } from './hydrator-deps.ts';
import {
  bootstrapReason,
  connectivityOf,
  delayAfter,
  type Failure,
  type FeedMode,
  failureOfBody,
  type LiveEnd,
  liveEndOf,
  normalizeScopes,
  type SyncTarget,
} from './hydrator-policy.ts';
import { LiveConnection } from './live-connection.ts';

/**
 * A catch-up commits at most this many feed pages (or, on the socket, entries), or this many
 * distinct entities, at once.
 */
const CATCH_UP_PAGES = 200;
const CATCH_UP_ENTRIES = 200_000;
const CATCH_UP_ENTITIES = 20_000;

/**
 * A write of at most this many entities names them in its `entities-changed`: past that (a
 * catch-up), re-reading whole kinds costs readers less than one look per entity.
 */
const NAMED_CHANGES_MAX = 64;

/** How long sign-out waits for another tab's hydrator to let go of the cache. */
const FORGET_LOCK_WAIT_MS = 5_000;

/** One start() … stop(). */
interface Run {
  readonly controller: AbortController;
  readonly target: SyncTarget;
  readonly options: HydratorStartOptions;
  done: Promise<void>;
}

/** How a socket ended, and whether it moved the cursor before it did (a flapping one does not). */
type LiveOutcome = (LiveEnd & { readonly progressed: boolean }) | { readonly kind: 'aborted' };

/**
 * Keeps the IndexedDB cache current from the change feed: snapshot when there is no usable
 * cursor, then the live socket (long-poll `/feed` while sockets fail), every batch coalesced and
 * written with its cursor in one transaction, and broadcast. Only the holder of the Web Lock
 * runs; other tabs' hydrators wait on it and take over when that tab goes.
 *
 * @example
 * const hydrator = new Hydrator(browserDeps());
 * await hydrator.start({ venueId: 'demo-bistro', scopes: ['ticket', 'menu', 'settings'] });
 */
export class Hydrator implements HydratorApi {
  private readonly deps: HydratorDeps;
  private run: Run | undefined;
  private role: HydratorStatus['role'] = 'stopped';
  private phase: HydratorStatus['phase'] = 'idle';
  private mode: FeedMode = 'down';
  private targetKind: 'relay' | 'cloud' | null = null;
  private lastSyncAt: number | null = null;
  private bootstraps = 0;
  private batches = 0;
  private lastBatch: HydratorStatus['lastBatch'] = null;
  private lastFailure: Failure | null = null;
  private deviceId: string | undefined;

  constructor(deps: HydratorDeps) {
    this.deps = deps;
  }

  async start(options: HydratorStartOptions): Promise<void> {
    await this.stop();
    const origin = new URL(options.baseUrl ?? this.deps.defaultOrigin).origin;
    const target: SyncTarget = {
      venueId: options.venueId,
      scopes: normalizeScopes(options.scopes),
      origin,
    };
    if (options.principal) {
      const db = await this.deps.openDb();
      try {
        await writeSession(db, options.principal);
      } finally {
        db.close();
      }
    }
    const controller = new AbortController();
    const run: Run = { controller, target, options, done: Promise.resolve() };
    this.run = run;
    this.role = 'waiting';
    this.targetKind = options.target ?? null;
    const { signal } = controller;
    run.done = this.deps.locks
      .request(this.deps.settings.lockName, { signal }, async () => {
        if (signal.aborted) return;
        this.role = 'leader';
        await this.lead(run);
      })
      .then(
        () => undefined,
        (error: unknown) => {
          // Aborting a request still queued for the lock rejects it: that is stop() working.
          if (!signal.aborted) this.lastFailure = unexpected(error);
        },
      )
      .finally(() => {
        if (this.run === run) {
          this.role = 'stopped';
          this.phase = 'idle';
        }
      });
  }

  async stop(): Promise<void> {
    const run = this.run;
    if (!run) return;
    const leading = this.role === 'leader';
    run.controller.abort();
    // Only a leader has work to wind down. A request still queued for the lock need not be
    // awaited: Chromium may never settle one aborted right after it was made, and if it is
    // granted later its callback sees the abort and returns at once.
    if (leading) await run.done;
    if (this.run === run) this.run = undefined;
    this.role = 'stopped';
    this.phase = 'idle';
  }

  async forget(): Promise<void> {
    // Other tabs' hydrators stop on hearing it; the drop waits for the leader lock, so no
    // leader elsewhere writes a batch after it (bounded: a tab of an older build may not stop).
    this.deps.channel.postMessage({ type: 'signed-out' });
    await this.stop();
    const drop = async () => {
      const db = await this.deps.openDb();
      try {
        await forgetVenueData(db);
      } finally {
        db.close();
      }
    };
    const signal = AbortSignal.timeout(FORGET_LOCK_WAIT_MS);
    try {
      await this.deps.locks.request(this.deps.settings.lockName, { signal }, drop);
    } catch (error) {
      if (!signal.aborted) throw error;
      await drop();
    }
    this.lastSyncAt = null;
    this.lastBatch = null;
    // Open views drop what they show: every kind is now empty.
    this.deps.channel.postMessage({ type: 'entities-changed', kinds: ENTITY_KINDS });
  }

  status(): HydratorStatus {
    return {
      role: this.role,
      phase: this.phase,
      connectivity: connectivityOf(this.mode, this.targetKind),
      target: this.targetKind,
      lastSyncAt: this.lastSyncAt,
      bootstraps: this.bootstraps,
      batches: this.batches,
      lastBatch: this.lastBatch,
      lastFailure: this.lastFailure,
    };
  }

  /** The leader's loop: runs until stop(), whatever the network does. */
  private async lead(run: Run): Promise<void> {
    const { signal } = run.controller;
    const { settings, clock, random } = this.deps;
    let db: LocalDb | undefined;
    let attempt = 0;
    let socketFailures = 0;
    let socketRetryAt = 0;
    let refused = false;
    try {
      while (!signal.aborted) {
        try {
          db ??= await this.deps.openDb();
          this.deviceId ??= await ensureDeviceId(db);
          if (this.targetKind === null) {
            this.targetKind = await probeTargetKind(this.deps.fetch, run.target.origin, signal);
          }
          let sync = await readSync(db);
          this.lastSyncAt ??= sync?.lastSyncAt ?? null;
          const reason = refused
            ? 'the server refused the cursor'
            : bootstrapReason(sync, run.target);
          if (reason !== undefined || !sync) {
            sync = await this.bootstrap(db, run);
            // A socket refused for its stale cursor says nothing about sockets: try one now.
            if (refused) socketRetryAt = 0;
            refused = false;
          }
          if (clock.now() < socketRetryAt) {
            await this.poll(db, run, sync, socketRetryAt);
            continue;
          }
          const end = await this.live(db, run, sync);
          if (end.kind === 'aborted') break;
          if (end.kind === 'never_opened') {
            // Browsers hide why an upgrade failed: long-poll /feed, whose answer says (409/410…).
            socketFailures++;
            const { baseMs, maxMs } = settings.socketRetry;
            socketRetryAt = clock.now() + backoffDelay(socketFailures, baseMs, maxMs, random());
            continue;
          }
          socketFailures = 0;
          if (end.progressed) attempt = 0;
          if (end.failure.action === 'resume' && end.progressed) continue;
          // A socket that closes again and again without moving the cursor is backed off.
          throw new FeedError(
            end.failure.action === 'resume' ? { ...end.failure, action: 'back_off' } : end.failure,
          );
        } catch (error) {
          if (signal.aborted) break;
          if (error instanceof LocalDbError && error.code === 'CURSOR_MOVED') continue;
          const failure = error instanceof FeedError ? error.failure : unexpected(error);
          if (!(error instanceof FeedError)) {
            // An IndexedDB failure (a closed connection, quota): start again with a fresh one.
            db?.close();
            db = undefined;
          }
          this.lastFailure = failure;
          // Every tab's page hears it and signs its person out (which stops this loop too).
          if (failure.revoked) this.deps.channel.postMessage({ type: 'device-revoked' });
          if (failure.action === 're_bootstrap') refused = true;
          if (failure.unreachable) {
            // Nothing answers at all, so a socket that failed said nothing about sockets: when
            // the network is back, try one first.
            socketFailures = 0;
            socketRetryAt = 0;
            // Said on every failed try, not only on the change: a tab opened meanwhile learns it.
            this.mode = 'down';
            this.broadcastConnectivity();
          }
          attempt++;
          this.phase = 'backing_off';
          // The first re-bootstrap is at once; a server that keeps refusing fresh cursors waits.
          const immediate = failure.action === 're_bootstrap' && attempt === 1;
          await clock.sleep(
            immediate ? 0 : delayAfter(failure, attempt, settings.backoff, random()),
            signal,
          );
        }
      }
    } finally {
      db?.close();
      this.phase = 'idle';
    }
  }

  /** Loads a snapshot and swaps it in for the whole cache in one transaction (no empty moment). */
  private async bootstrap(db: LocalDb, run: Run): Promise<SyncMeta> {
    this.phase = 'bootstrapping';
    const snapshot = await getSnapshot(this.deps.fetch, run.target, run.controller.signal);
    if (snapshot.venueId !== run.target.venueId) {
      throw new FeedError({
        action: 'stop',
        code: 'WRONG_VENUE',
        detail: `asked for ${run.target.venueId}, got ${snapshot.venueId}`,
      });
    }
    const now = this.deps.clock.now();
    const sync: SyncMeta = {
      key: 'sync',
      venueId: run.target.venueId,
      cursor: snapshot.cursor,
      scopes: [...run.target.scopes],
      target: run.target.origin,
      snapshotSeq: snapshot.seq,
      lastSyncAt: now,
    };
    const stats = await replaceAll(db, snapshot.records, sync);
    this.bootstraps++;
    // The target answered: at least degraded until the socket opens (a live one stays live).
    if (this.mode === 'down') this.mode = 'polling';
    this.settled(stats, snapshot.records.length, now);
    return sync;
  }

  /** Follows the live socket until it closes; every take of frames is one transaction. */
  private async live(db: LocalDb, run: Run, sync: SyncMeta): Promise<LiveOutcome> {
    const { signal } = run.controller;
    this.phase = 'live';
    const connection = new LiveConnection(
      this.deps.WebSocket,
      liveUrl(run.target, sync.cursor, this.deviceId),
    );
    let opened = false;
    let progressed = false;
    let lastProblem: Parameters<typeof liveEndOf>[2];
    let current = sync;
    try {
      for (;;) {
        // What has arrived is one transaction. While more is already queued (a backlog the
        // server replays after the cursor), it is folded in too, as a /feed catch-up folds
        // pages: every bucket is rewritten once, not once per 2,000 entries. A lone live
        // frame is still written at once.
        const folder = new Coalescer();
        let entries = 0;
        let cursor: string | undefined;
        let closed: { code: number; reason: string } | undefined;
        do {
          const events = await connection.take(this.deps.settings.maxBatchEntries, signal);
          if (signal.aborted) return { kind: 'aborted' };
          for (const event of events) {
            if (event.type === 'open') {
              opened = true;
              this.setMode('live');
            } else if (event.type === 'closed') {
              closed = event;
            } else if (event.type === 'garbled') {
              lastProblem = undefined;
              this.lastFailure = { action: 'back_off', code: 'BAD_FRAME', detail: event.detail };
            } else if (event.frame.type === 'entries') {
              folder.add(event.frame.entries);
              entries += event.frame.entries.length;
              cursor = event.frame.cursor;
            } else if (event.frame.type === 'heartbeat') {
              cursor = event.frame.cursor;
            } else if (event.frame.type === 'notice') {
              this.deps.onNotice?.(event.frame.result);
            } else {
              lastProblem = event.frame.problem;
            }
          }
        } while (
          !closed &&
          connection.queued > 0 &&
          entries < CATCH_UP_ENTRIES &&
          folder.size < CATCH_UP_ENTITIES
        );
        if (cursor !== undefined) {
          current = await this.commitBatch(db, current, checkedBatch(folder), entries, cursor);
          progressed = true;
        }
        if (closed) {
          return { ...liveEndOf(opened, closed.code, lastProblem, closed.reason), progressed };
        }
      }
    } finally {
      connection.close();
    }
  }

  /** Long-polls `/feed` until `until` (then the socket is tried again), page by page. */
  private async poll(db: LocalDb, run: Run, sync: SyncMeta, until: number): Promise<void> {
    const { signal } = run.controller;
    const { pageLimit, waitSeconds } = this.deps.settings;
    this.phase = 'polling';
    let current = sync;
    let more = true;
    while (!signal.aborted) {
      // Catching up (the server says more is waiting): fold pages into one set of writes and
      // commit them with the last page's cursor in one transaction — an entity updated on every
      // page is written once. Bounded by distinct entities and pages, so memory stays small.
      // Pages arrive with their envelopes checked (feed-check.ts); the entities that survive the
      // fold are parsed with their schemas before anything is written: one that does not fit
      // refuses the whole step (nothing written, cursor kept; backed off, then asked again).
      const folder = new Coalescer();
      let entries = 0;
      let cursor = current.cursor;
      for (let pages = 0; ; pages++) {
        const page = await getFeedPage(
          this.deps.fetch,
          run.target,
          cursor,
          { limit: pageLimit, waitSeconds: more ? 0 : waitSeconds },
          signal,
        );
        this.setMode('polling');
        folder.add(page.entries);
        entries += page.entries.length;
        cursor = page.cursor;
        more = page.hasMore;
        if (
          !more ||
          pages + 1 >= CATCH_UP_PAGES ||
          folder.size >= CATCH_UP_ENTITIES ||
          signal.aborted
        )
          break;
      }
      current = await this.commitBatch(db, current, checkedBatch(folder), entries, cursor);
      if (!more && this.deps.clock.now() >= until) return;
    }
  }

  /** Writes a batch and its cursor in one transaction, then tells every tab. */
  private async commitBatch(
    db: LocalDb,
    sync: SyncMeta,
    batch: CoalescedBatch,
    entries: number,
    cursor: string,
  ): Promise<SyncMeta> {
    const now = this.deps.clock.now();
    const next: SyncMeta = { ...sync, cursor, lastSyncAt: now };
    const stats = await applyChanges(db, batch.changes, next, { expectCursor: sync.cursor });
    this.batches++;
    this.settled(stats, entries, now);
    return next;
  }

  private settled(stats: WriteStats, entries: number, now: number): void {
    this.lastSyncAt = now;
    this.lastBatch = {
      entries,
      puts: stats.puts,
      deletes: stats.deletes,
      records: stats.records,
    };
    if (stats.kinds.length > 0) {
      // The ids go along for a live step (a few entities), so readers re-read just those.
      const named = stats.ids && stats.puts + stats.deletes <= NAMED_CHANGES_MAX;
      this.deps.channel.postMessage(
        named
          ? { type: 'entities-changed', kinds: stats.kinds, ids: stats.ids }
          : { type: 'entities-changed', kinds: stats.kinds },
      );
    }
    this.broadcastConnectivity();
  }

  private setMode(mode: FeedMode): void {
    if (this.mode === mode) return;
    this.mode = mode;
    this.broadcastConnectivity();
    if (mode !== 'down' && this.targetKind === null) void this.learnTarget();
  }

  /**
   * Asks the target what it is once it answers: a probe made while the network was down learnt
   * nothing, and a live feed alone cannot tell a venue relay from the cloud.
   */
  private async learnTarget(): Promise<void> {
    const run = this.run;
    if (!run) return;
    const kind = await probeTargetKind(
      this.deps.fetch,
      run.target.origin,
      run.controller.signal,
    ).catch(() => null);
    if (kind === null || this.run !== run || this.targetKind !== null) return;
    this.targetKind = kind;
    this.broadcastConnectivity();
  }

  private broadcastConnectivity(): void {
    this.deps.channel.postMessage({
      type: 'connectivity',
      state: connectivityOf(this.mode, this.targetKind),
      target: this.targetKind,
      lastSyncAt: this.lastSyncAt,
    });
  }
}

/** The folded writes, every surviving entity parsed; a bad one is a bad answer from the feed. */
function checkedBatch(folder: Coalescer): CoalescedBatch {
  try {
    return folder.batch();
  } catch (error) {
    if (error instanceof InvalidEntityError) {
      throw new FeedError(failureOfBody('feed page', error.message));
    }
    throw error;
  }
}

function unexpected(error: unknown): Failure {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { action: 'back_off', code: 'INTERNAL', detail };
}
