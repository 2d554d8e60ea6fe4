import type * as z from 'zod';
import { compileCheck } from '#protocol/check/json-schema-check.ts';
import { WIRE_SHAPES } from '#protocol/check/wire-shapes.gen.ts';
import { OUTBOX_RECORD_SHAPES } from '../sw/outbox-records.gen.ts';
import type * as records from '../sw/outbox-records.ts';
import type { NewOutboxEntry, OutboxEntry, OutboxStatus } from './outbox-types.ts';

/*
 * The outbox's database: the one file that knows its name, version and stores.
 *
 *   ops    seq (auto-increment: the device's FIFO) → OutboxEntry
 *          indexes opId (unique), status, lane
 *   meta   'lease'  → which replayer holds the replay, until when
 *          'device' → the deviceId and principal the pages last reported
 *
 * Writes to `ops` are `durability: 'strict'` unless the caller asks otherwise: an op may carry a
 * payment, so "queued" must mean "on disk". Only the replay's answers are written 'relaxed' (a
 * lost answer resends the op under its opId; see `OutboxStore.settle`). Everything read is
 * parsed; a record that does not parse is left where it is (never dropped) and skipped, with
 * an error in the console. Parsing uses the checker generated from the zod schemas
 * (`../sw/outbox-records.ts`), so the service worker bundles no zod.
 *
 * IndexedDB is reached through the few promise wrappers below rather than the `idb` library:
 * the same shape (`tx.store`, `tx.done`) in a tenth of its size, which the worker's budget needs.
 */

export const OUTBOX_DB_NAME = 'hearth-outbox';
const OUTBOX_DB_VERSION = 1;

/** The replay lease: the holder renews it while it works; a stale one may be taken over. */
export type LeaseRecord = z.infer<typeof records.LeaseRecord>;

/** Who the pages say uses this install (never a token: that stays in an HttpOnly cookie). */
export type DeviceRecord = z.infer<typeof records.DeviceRecord>;

const RECORDS = { ...WIRE_SHAPES, ...OUTBOX_RECORD_SHAPES };
const checkEntry = compileCheck<OutboxEntry>(RECORDS, 'OutboxEntry');
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
  getAll(query?: IDBValidKey): Promise<unknown[]>;
  count(query?: IDBValidKey): Promise<number>;
}

interface StoreLike<V> extends IndexLike {
  index(name: 'opId' | 'status' | 'lane'): IndexLike;
  add(value: V): Promise<IDBValidKey>;
  put(value: V): Promise<IDBValidKey>;
  delete(key: IDBValidKey): Promise<void>;
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
  };
}

interface Values {
  ops: OutboxEntry;
  meta: MetaRecord;
}

/** One transaction over one store; `done` settles when it commits (or rejects when it fails). */
interface Tx<V> {
  readonly store: StoreLike<V>;
  readonly done: Promise<void>;
  abort(): void;
}

class Database {
  readonly raw: IDBDatabase;

  constructor(raw: IDBDatabase) {
    this.raw = raw;
  }

  transaction<S extends keyof Values>(
    name: S,
    mode: IDBTransactionMode,
    options?: IDBTransactionOptions,
  ): Tx<Values[S]> {
    const tx = this.raw.transaction(name, mode, options);
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new DOMException('transaction aborted', 'AbortError'));
    });
    return { store: storeOf(tx.objectStore(name)), done, abort: () => tx.abort() };
  }

  get<S extends keyof Values>(name: S, key: IDBValidKey): Promise<unknown> {
    return this.transaction(name, 'readonly').store.get(key);
  }

  close(): void {
    this.raw.close();
  }
}

type OpsStore = StoreLike<OutboxEntry>;

/** Reads (and, in a write transaction, writes) of `ops`, all inside one transaction. */
export interface OpsTx extends OpsReader {
  /** Adds at the tail; IndexedDB assigns the seq. */
  insert(entry: NewOutboxEntry): Promise<OutboxEntry>;
  put(entry: OutboxEntry): Promise<void>;
  remove(seq: number): Promise<void>;
}

/** Reads of `ops` inside one transaction. */
export interface OpsReader {
  /** Every entry, in seq order. */
  all(): Promise<OutboxEntry[]>;
  withStatus(status: OutboxStatus): Promise<OutboxEntry[]>;
  countWithStatus(status: OutboxStatus): Promise<number>;
  byOpId(opId: string): Promise<OutboxEntry | undefined>;
  bySeq(seq: number): Promise<OutboxEntry | undefined>;
}

function parsed(values: readonly unknown[]): OutboxEntry[] {
  const entries: OutboxEntry[] = [];
  for (const value of values) {
    const entry = checkEntry(value);
    if (entry.ok) entries.push(entry.value);
    else console.error('outbox: unreadable entry left in place', value, entry.issues);
  }
  return entries;
}

function readOnly(store: OpsStore): OpsReader {
  return {
    all: async () => parsed(await store.getAll()),
    withStatus: async (status) => parsed(await store.index('status').getAll(status)),
    countWithStatus: (status) => store.index('status').count(status),
    byOpId: async (opId) => parsed([await store.index('opId').get(opId)].filter(Boolean))[0],
    bySeq: async (seq) => parsed([await store.get(seq)].filter(Boolean))[0],
  };
}

function readWrite(store: OpsStore): OpsTx {
  return {
    ...readOnly(store),
    async insert(entry) {
      // autoIncrement with a keyPath: IndexedDB writes the new key into the stored value.
      const seq = (await store.add(entry as OutboxEntry)) as number;
      return { ...entry, seq };
    },
    async put(entry) {
      await store.put(entry);
    },
    remove: (seq) => store.delete(seq),
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
    };
    const db = await request(opening);
    // A newer version (a new service worker) is waiting to upgrade: let it.
    db.onversionchange = () => db.close();
    return new OutboxDb(new Database(db));
  }

  /** Runs `work` in one read-only transaction over `ops`. */
  async readOps<T>(work: (ops: OpsReader) => Promise<T>): Promise<T> {
    const tx = this.db.transaction('ops', 'readonly');
    const result = await work(readOnly(tx.store));
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
    const tx = this.db.transaction('ops', 'readwrite', { durability });
    let result: T;
    try {
      result = await work(readWrite(tx.store));
    } catch (error) {
      await abandon(tx, tx.done);
      throw error;
    }
    await tx.done;
    return result;
  }

  async readMeta<K extends MetaKey>(key: K): Promise<MetaOf<K> | undefined> {
    return this.parseMeta(key, await this.db.get('meta', key));
  }

  /**
   * Reads and rewrites one meta record in one transaction (a compare-and-set): `update` gets
   * the current record and returns the next one, or undefined to leave it as it is.
   * Resolves to the record as it stands afterwards.
   */
  async updateMeta<K extends MetaKey>(
    key: K,
    update: (current: MetaOf<K> | undefined) => MetaOf<K> | undefined,
  ): Promise<MetaOf<K> | undefined> {
    const tx = this.db.transaction('meta', 'readwrite', { durability: 'strict' });
    const current = this.parseMeta(key, await tx.store.get(key));
    const next = update(current);
    if (next !== undefined) await tx.store.put(next);
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
    console.error(`outbox: unreadable meta record '${key}' ignored`, record.issues);
    return undefined;
  }
}
