import type { EntityKind } from '../entities/entity-kind.ts';
import type { FeedEntry } from './feed-entry.ts';
import type { RowRule } from './row-rules.ts';

/** Entries to push, and the seq the client is complete through once it has them. */
export interface LiveBatch {
  readonly entries: readonly FeedEntry[];
  readonly throughSeq: number;
}

/** A store read the session needs: the scoped entries in (afterSeq, throughSeq]. */
export interface ReadRequest {
  readonly afterSeq: number;
  readonly throughSeq: number;
}

/**
 * What one live socket has delivered, and what it still has to fetch. Pure: the shell
 * (live-socket.ts) subscribes to the bus, runs the reads it asks for and sends the batches.
 *
 *   bus entries ──▶ pending (by seq) ──┐
 *                                      ├─▶ contiguous run after `covered` ──▶ batch
 *   store reads (fill every gap) ──────┘
 *
 * `covered` only moves over a contiguous range of the stream (every kind counts, so scoped-out
 * entries close gaps too), and nothing at or below it is ever sent again: no gap, no duplicate,
 * whatever the order of backlog pages, bus publishes (which may arrive out of order, or not at
 * all for commits made by another instance) and head observations.
 */
export class LiveSession {
  private covered: number;
  /** The highest seq known to be committed. */
  private known: number;
  /** Seqs above `covered` seen on the bus: the entry, or null when it is out of scope. */
  private readonly pending = new Map<number, FeedEntry | null>();
  private inFlight: ReadRequest | undefined;
  private readonly kinds: ReadonlySet<EntityKind>;
  private readonly rows: RowRule | undefined;

  /** `rows` narrows the scoped entries to the rows the reader may see (a guest's table). */
  constructor(afterSeq: number, kinds: readonly EntityKind[], rows?: RowRule) {
    this.covered = afterSeq;
    this.known = afterSeq;
    this.kinds = new Set(kinds);
    this.rows = rows;
  }

  private visible(entry: FeedEntry): boolean {
    return this.kinds.has(entry.entity) && (this.rows === undefined || this.rows(entry));
  }

  /** The seq a cursor may claim now: every entry up to it has been handed out. */
  get cursorSeq(): number {
    return this.covered;
  }

  /** True while the session knows of entries it has not handed out yet. */
  get behind(): boolean {
    return this.known > this.covered;
  }

  /** Records that the stream has reached `head` (read from the store). */
  headIs(head: number): void {
    this.known = Math.max(this.known, head);
  }

  /** Entries the bus delivered (one commit, any order, repeats allowed). */
  published(entries: readonly FeedEntry[]): LiveBatch | undefined {
    const before = this.covered;
    // The usual publish: one commit's entries, in order, right after what is covered, nothing
    // held back. Then the batch is simply its entries in scope (what the general path below
    // gives, without a trip through `pending` for each entry of each socket).
    if (this.pending.size === 0 && contiguousFrom(entries, before + 1)) {
      const last = entries[entries.length - 1] as FeedEntry;
      const fresh: FeedEntry[] = [];
      for (const entry of entries) if (this.visible(entry)) fresh.push(entry);
      this.covered = last.seq;
      this.known = Math.max(this.known, last.seq);
      return { entries: fresh, throughSeq: this.covered };
    }
    for (const entry of entries) {
      if (entry.seq <= this.covered) continue;
      this.pending.set(entry.seq, this.visible(entry) ? entry : null);
      this.known = Math.max(this.known, entry.seq);
    }
    return this.advance(before, []);
  }

  /**
   * The read to run next, or undefined when nothing is missing or a read is already running.
   * It reads only up to the first entry already held from the bus.
   */
  nextRead(): ReadRequest | undefined {
    if (this.inFlight || this.known <= this.covered) return undefined;
    let through = this.known;
    for (const seq of this.pending.keys()) if (seq <= through) through = seq - 1;
    if (through <= this.covered) return undefined;
    this.inFlight = { afterSeq: this.covered, throughSeq: through };
    return this.inFlight;
  }

  /**
   * The result of `request`: the scoped entries after its `afterSeq`, at most `throughSeq`.
   * `pageFull` says the store stopped at its limit, so only up to the last entry is covered.
   */
  read(
    request: ReadRequest,
    entries: readonly FeedEntry[],
    pageFull: boolean,
  ): LiveBatch | undefined {
    this.inFlight = undefined;
    const before = this.covered;
    const last = entries.at(-1);
    const through = pageFull && last ? Math.min(last.seq, request.throughSeq) : request.throughSeq;
    if (through <= this.covered) return this.advance(before, []);
    const fresh = entries.filter(
      (e) => e.seq > this.covered && e.seq <= through && this.visible(e),
    );
    this.covered = through;
    return this.advance(before, fresh);
  }

  /** Drops what is now covered, takes the contiguous run from the bus, and makes the batch. */
  private advance(before: number, entries: FeedEntry[]): LiveBatch | undefined {
    for (const seq of this.pending.keys()) if (seq <= this.covered) this.pending.delete(seq);
    for (let next = this.pending.get(this.covered + 1); next !== undefined; ) {
      this.pending.delete(this.covered + 1);
      this.covered += 1;
      if (next !== null) entries.push(next);
      next = this.pending.get(this.covered + 1);
    }
    return this.covered > before ? { entries, throughSeq: this.covered } : undefined;
  }
}

/** True when `entries` is non-empty and its seqs run `first`, `first + 1`, … without a gap. */
function contiguousFrom(entries: readonly FeedEntry[], first: number): boolean {
  if (entries.length === 0) return false;
  for (let i = 0; i < entries.length; i++) {
    if ((entries[i] as FeedEntry).seq !== first + i) return false;
  }
  return true;
}
