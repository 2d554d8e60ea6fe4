import type * as z from 'zod';
import { compileCheck } from '#protocol/check/json-schema-check.ts';
import { WIRE_SHAPES } from '#protocol/check/wire-shapes.gen.ts';
import { OUTBOX_RECORD_SHAPES } from '../sw/outbox-records.gen.ts';
import type * as records from '../sw/outbox-records.ts';
import type { NewOutboxEntry, OutboxEntry, OutboxStatus } from './outbox-types.ts';

/*
 * The outbox's database: the one file that knows its name, version and stores.
 *
 *   ops      seq (auto-increment: the device's FIFO) → OutboxEntry
 *            indexes opId (unique), status, lane
 *   answers  id (auto-increment) → one replay batch's answers (AnswerPatch per entry), the
 *            answers log: read over `ops` by every read here, folded into `ops` after the pass
 *   meta     'lease'  → which replayer holds the replay, until when
 *            'device' → the deviceId and principal the pages last reported
 *
 * Writes to `ops` are `durability: 'strict'` unless the caller asks otherwise: an op may carry a
 * payment, so "queued" must mean "on disk". Only the replay's answers are written 'relaxed' (a
 * lost answer resends the op under its opId; see `OutboxStore.settle`). Everything read is
 * parsed; a record that does not parse is left where it is (never dropped) and skipped, with
 * an error in the console. Parsing uses the checker generated from the zod schemas
 * (`../sw/outbox-records.ts`), so the service worker bundles no zod.
 *
 * The answers log. A replay stores a batch's answers as one record instead of putting each
 * answered entry again (every put rewrites the record and its three index entries; decision
 * 022 has the figures). Until the log is folded into
 * `ops`, every read in a transaction applies it (a later answer for a seq replaces an earlier
 * one; one for an entry no longer there is ignored; none moves an entry that is synced, or
 * failed by a rejection, since only the cloud's word by a notice can have written it after the
 * answer's pass read the entry), and the status index cannot be trusted,
 * so status reads then filter every entry instead. The first `put` or `remove` of a
 * transaction folds the log first (an entry is never written under a newer answer), `fold`
 * does it on its own (the replayer, after a pass), `insert` does not need to (a new seq has no
 * answer). An answers record that does not parse is dropped by the fold: its entries stay
 * pending and are sent again under their opIds, as when a relaxed write is lost.
 *
 * IndexedDB is reached through the few promise wrappers below rather than the `idb` library:
 * the same shape (`tx.stores`, `tx.done`) in a tenth of its size, which the worker's budget needs.
 */

export const OUTBOX_DB_NAME = 'hearth-outbox';
const OUTBOX_DB_VERSION = 2;

/** The replay lease: the holder renews it while it works; a stale one may be taken over. */
export type LeaseRecord = z.infer<typeof records.LeaseRecord>;

/** Who the pages say uses this install (never a token: that stays in an HttpOnly cookie). */
export type DeviceRecord = z.infer<typeof records.DeviceRecord>;

/** What a replay's answer changes in an entry (see `../sw/outbox-records.ts`). */
export type AnswerPatch = z.infer<typeof records.AnswerPatch>;
type AnswersRecord = z.infer<typeof records.AnswersRecord>;

const RECORDS = { ...WIRE_SHAPES, ...OUTBOX_RECORD_SHAPES };
const checkEntry = compileCheck<OutboxEntry>(RECORDS, 'OutboxEntry');
const checkAnswers = compileCheck<AnswersRecord>(RECORDS, 'AnswersRecord');
const META_CHECKS = {
  lease: compileCheck<LeaseRecord>(RECORDS, 'LeaseRecord'),
  device: compileCheck<DeviceRecord>(RECORDS, 'DeviceRecord'),
} as const;
type MetaRecord = LeaseRecord | DeviceRecord;
export type MetaKey = MetaRecord['key'];
export type MetaOf<K extends MetaKey> = Extract<MetaRecord, { key: K }>;

/** An IndexedDB request as a promise (settled in the request's own event, as idb does). */
function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** What is read back is parsed before use, so reads are `unknown`. */
interface IndexLike {
  get(query: IDBValidKey): Promise<unknown>;
  getAll(query?: IDBValidKey | IDBKeyRange): Promise<unknown[]>;
  count(query?: IDBValidKey): Promise<number>;
}

interface StoreLike<V> extends IndexLike {
  index(name: 'opId' | 'status' | 'lane'): IndexLike;
  add(value: V): Promise<IDBValidKey>;
  put(value: V): Promise<IDBValidKey>;
  delete(key: IDBValidKey): Promise<void>;
  clear(): Promise<void>;
}

function storeOf<V>(store: IDBObjectStore): StoreLike<V> {
  const reads = (source: IDBObjectStore | IDBIndex): IndexLike => ({
    get: (query) => request(source.get(query)),
    getAll: (query) => request(source.getAll(query)),
    count: (query) => request(source.count(query)),
  });
  return {
    ...reads(store),
    index: (name) => reads(store.index(name)),
    add: (value) => request(store.add(value)),
    put: (value) => request(store.put(value)),
    delete: (key) => request(store.delete(key)),
    clear: () => request(store.clear()),
  };
}

interface Values {
  ops: OutboxEntry;
  answers: AnswersRecord;
  meta: MetaRecord;
}

/** One transaction; `done` settles when it commits (or rejects when it fails). */
interface Tx<S extends keyof Values> {
  readonly stores: { readonly [K in S]: StoreLike<Values[K]> };
  readonly done: Promise<void>;
  abort(): void;
}

class Database {
  readonly raw: IDBDatabase;

  constructor(raw: IDBDatabase) {
    this.raw = raw;
  }

  transaction<S extends keyof Values>(
    names: S[],
    mode: IDBTransactionMode,
    options?: IDBTransactionOptions,
  ): Tx<S> {
    const tx = this.raw.transaction(names, mode, options);
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new DOMException('transaction aborted', 'AbortError'));
    });
    const stores = {} as { [K in S]: StoreLike<Values[K]> };
    for (const name of names) stores[name] = storeOf(tx.objectStore(name));
    return { stores, done, abort: () => tx.abort() };
  }

  close(): void {
    this.raw.close();
  }
}

/** Reads (and, in a write transaction, writes) of `ops`, all inside one transaction. */
export interface OpsTx extends OpsReader {
  /** Adds at the tail; IndexedDB assigns the seq. */
  insert(entry: NewOutboxEntry): Promise<OutboxEntry>;
  put(entry: OutboxEntry): Promise<void>;
  remove(seq: number): Promise<void>;
  /** Folds the answers log into `ops` (see above); resolves to how many entries it rewrote. */
  fold(): Promise<number>;
}

/** Reads of `ops` inside one transaction, with the answers log applied. */
export interface OpsReader {
  /** Every entry, in seq order. */
  all(): Promise<OutboxEntry[]>;
  /** The entries queued after `seq`, in seq order. */
  after(seq: number): Promise<OutboxEntry[]>;
  withStatus(status: OutboxStatus): Promise<OutboxEntry[]>;
  /** How many entries have one of `statuses`. */
  countWithStatus(statuses: readonly OutboxStatus[]): Promise<number>;
  byOpId(opId: string): Promise<OutboxEntry | undefined>;
  bySeq(seq: number): Promise<OutboxEntry | undefined>;
}

/** A record that does not parse: said in the console, never dropped from here. */
function unreadable(what: string, value: unknown, issues: unknown): void {
  console.error(`outbox: unreadable ${what}`, value, issues);
}

function parsed(values: readonly unknown[]): OutboxEntry[] {
  const entries: OutboxEntry[] = [];
  for (const value of values) {
    const entry = checkEntry(value);
    if (entry.ok) entries.push(entry.value);
    else unreadable('entry left in place', value, entry.issues);
  }
  return entries;
}

/** The answers log as one patch per seq, the latest; an unreadable record is skipped. */
function patchesOf(values: readonly unknown[]): Map<number, AnswerPatch> {
  const bySeq = new Map<number, AnswerPatch>();
  for (const value of values) {
    const record = checkAnswers(value);
    if (!record.ok) unreadable('answers ignored', value, record.issues);
    else for (const patch of record.value.patches) bySeq.set(patch.seq, patch);
  }
  return bySeq;
}

type OpsStores = Tx<'ops' | 'answers'>['stores'];

function reader(stores: OpsStores, log: { patches?: Promise<Map<number, AnswerPatch>> }) {
  const { ops, answers } = stores;
  const patches = () => (log.patches ??= answers.getAll().then(patchesOf));
  const read = async (values: Promise<unknown[]>) => {
    const [entries, answered] = await Promise.all([values.then(parsed), patches()]);
    // A synced or rejected entry is settled for good: an answer logged after the cloud's word
    // came by a notice (outbox-confirm.ts) — the relay's accepted_local — does not undo it.
    return entries.map((entry) =>
      entry.status === 'synced' || entry.result?.status === 'rejected'
        ? entry
        : { ...entry, ...answered.get(entry.seq) },
    );
  };
  const withStatus = async (status: OutboxStatus) =>
    (await patches()).size === 0
      ? parsed(await ops.index('status').getAll(status))
      : (await read(ops.getAll())).filter((entry) => entry.status === status);
  const one = async (value: Promise<unknown>) => (await read(value.then((v) => (v ? [v] : []))))[0];
  const tx: OpsReader = {
    all: () => read(ops.getAll()),
    after: (seq) => read(ops.getAll(IDBKeyRange.lowerBound(seq, true))),
    withStatus,
    async countWithStatus(statuses) {
      if ((await patches()).size > 0) {
        return (await read(ops.getAll())).filter((entry) => statuses.includes(entry.status)).length;
      }
      const counts = await Promise.all(statuses.map((status) => ops.index('status').count(status)));
      return counts.reduce((sum, n) => sum + n, 0);
    },
    byOpId: (opId) => one(ops.index('opId').get(opId)),
    bySeq: (seq) => one(ops.get(seq)),
  };
  return { tx, patches, read };
}

function readOnly(stores: OpsStores): OpsReader {
  return reader(stores, {}).tx;
}

function readWrite(stores: OpsStores): OpsTx {
  const log: { patches?: Promise<Map<number, AnswerPatch>> } = {};
  const { tx, patches, read } = reader(stores, log);
  // Once per transaction, however many writes ask for it at once.
  let folded: Promise<number> | undefined;
  const fold = () => {
    folded ??= (async () => {
      const answered = await patches();
      // Cleared even when nothing in it was readable (see above).
      const entries = answered.size
        ? (await read(stores.ops.getAll())).filter((e) => answered.has(e.seq))
        : [];
      await Promise.all([...entries.map((e) => stores.ops.put(e)), stores.answers.clear()]);
      log.patches = Promise.resolve(new Map());
      return entries.length;
    })();
    return folded;
  };
  return {
    ...tx,
    async insert(entry) {
      // autoIncrement with a keyPath: IndexedDB writes the new key into the stored value.
      const seq = (await stores.ops.add(entry as OutboxEntry)) as number;
      return { ...entry, seq };
    },
    async put(entry) {
      await fold();
      await stores.ops.put(entry);
    },
    async remove(seq) {
      await fold();
      await stores.ops.delete(seq);
    },
    fold,
  };
}

/** Ends a transaction that failed half-way, so nothing it wrote stays; resolves once it is over. */
function abandon(tx: { abort(): void }, done: Promise<void>): Promise<void> {
  // Settled either way: the rejection is the abort asked for here, or the failure being rethrown.
  const over = done.then(
    () => undefined,
    () => undefined,
  );
  try {
    tx.abort();
  } catch (error) {
    // Already committed or aborted: nothing left to undo.
    if (!(error instanceof DOMException && error.name === 'InvalidStateError')) throw error;
  }
  return over;
}

/** A connection to the outbox database. Open one per context (page, worker, service worker). */
export class OutboxDb {
  private readonly db: Database;

  private constructor(db: Database) {
    this.db = db;
  }

  /** Opens (creating or upgrading) the database; `name` is for tests. */
  static async open(name: string = OUTBOX_DB_NAME): Promise<OutboxDb> {
    const opening = indexedDB.open(name, OUTBOX_DB_VERSION);
    opening.onupgradeneeded = (event) => {
      const database = opening.result;
      if (event.oldVersion < 1) {
        const ops = database.createObjectStore('ops', { keyPath: 'seq', autoIncrement: true });
        ops.createIndex('opId', 'opId', { unique: true });
        ops.createIndex('status', 'status');
        ops.createIndex('lane', 'lane');
        database.createObjectStore('meta', { keyPath: 'key' });
      }
      if (event.oldVersion < 2) {
        database.createObjectStore('answers', { keyPath: 'id', autoIncrement: true });
      }
    };
    const db = await request(opening);
    // A newer version (a new service worker) is waiting to upgrade: let it.
    db.onversionchange = () => db.close();
    return new OutboxDb(new Database(db));
  }

  /** Runs `work` in one read-only transaction over `ops`. */
  async readOps<T>(work: (ops: OpsReader) => Promise<T>): Promise<T> {
    const tx = this.db.transaction(['ops', 'answers'], 'readonly');
    const result = await work(readOnly(tx.stores));
    await tx.done;
    return result;
  }

  /**
   * Runs `work` in one read-write transaction over `ops`: all of it commits, or (when `work`
   * throws) none of it. `work` may await only the `OpsTx` calls: awaiting anything else lets
   * IndexedDB commit the transaction early. Strictly durable unless the caller says
   * `'relaxed'`, which only a write that may be lost in an OS crash or power cut without harm
   * may do (the replayer's answers: see outbox-store.ts `settle`).
   */
  async writeOps<T>(
    work: (ops: OpsTx) => Promise<T>,
    durability: 'strict' | 'relaxed' = 'strict',
  ): Promise<T> {
    const tx = this.db.transaction(['ops', 'answers'], 'readwrite', { durability });
    let result: T;
    try {
      result = await work(readWrite(tx.stores));
    } catch (error) {
      await abandon(tx, tx.done);
      throw error;
    }
    await tx.done;
    return result;
  }

  /**
   * Appends one batch's answers to the answers log, 'relaxed' (see `OutboxStore.settle`): one
   * record, whatever the batch's size, in a transaction over the log alone.
   */
  async appendAnswers(patches: readonly AnswerPatch[]): Promise<void> {
    const tx = this.db.transaction(['answers'], 'readwrite', { durability: 'relaxed' });
    await tx.stores.answers.add({ patches } as unknown as AnswersRecord);
    await tx.done;
  }

  async readMeta<K extends MetaKey>(key: K): Promise<MetaOf<K> | undefined> {
    const tx = this.db.transaction(['meta'], 'readonly');
    return this.parseMeta(key, await tx.stores.meta.get(key));
  }

  /**
   * Reads and rewrites one meta record in one transaction (a compare-and-set): `update` gets
   * the current record and returns the next one, or undefined to leave it as it is.
   * Resolves to the record as it stands afterwards. Strictly durable unless the caller says
   * `'relaxed'` (the replay lease: losing its last write in a crash only ends it early or late).
   */
  async updateMeta<K extends MetaKey>(
    key: K,
    update: (current: MetaOf<K> | undefined) => MetaOf<K> | undefined,
    durability: 'strict' | 'relaxed' = 'strict',
  ): Promise<MetaOf<K> | undefined> {
    const tx = this.db.transaction(['meta'], 'readwrite', { durability });
    const current = this.parseMeta(key, await tx.stores.meta.get(key));
    const next = update(current);
    if (next !== undefined) await tx.stores.meta.put(next);
    await tx.done;
    return next ?? current;
  }

  close(): void {
    this.db.close();
  }

  private parseMeta<K extends MetaKey>(key: K, value: unknown): MetaOf<K> | undefined {
    if (value === undefined) return undefined;
    const record = META_CHECKS[key](value);
    if (record.ok) return record.value as MetaOf<K>;
    unreadable(`meta record '${key}' ignored`, value, record.issues);
    return undefined;
  }
}
