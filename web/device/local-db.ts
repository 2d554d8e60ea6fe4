import { type DBSchema, type IDBPDatabase, openDB, unwrap } from 'idb';
import * as z from 'zod';
import {
  type AnyEntity,
  Cursor,
  type EntityKind,
  EntityKindSchema,
  type EntityOf,
  entitySchemas,
  newUlid,
  Principal,
  type SnapshotRecord,
} from '#protocol';
import type { CoalescedChange } from './local-coalesce.ts';
import type { EntityIds } from './messages.ts';

/*
 * The device's cache of the venue: the one file that knows the database's name, version and
 * stores. The hydrator worker writes it; screens read it (through the local view).
 *
 *   buckets   [kind, bucket] → { kind, bucket, entities: [{ id, version, opId?, data }…] }
 *             bucket = bucketOf(id) (FNV-1a of the id, mod BUCKETS): a kind's entities are
 *             spread over at most BUCKETS records, each sorted by id
 *   meta      'sync'     → the cursor, its scopes, its venue and target origin, lastSyncAt
 *             'session'  → whose session this is (a principal, never a token)
 *             'device'   → the stable deviceId (a ULID, made once per install)
 *
 * Why buckets: IndexedDB costs per record, not per byte (decision 022). A snapshot
 * of 10k orders is ~128 puts instead of 10k; a catch-up rewrites only the buckets it touches
 * (read-modify-write, in the transaction that stores the cursor). Readers read a kind with one
 * range request and an entity with one get.
 *
 * Entities and the cursor change only together, in one transaction: whatever dies mid-apply,
 * the cursor always describes exactly the data beside it.
 *
 * Version 2 (buckets) replaced version 1 (one record per entity): the upgrade drops the old
 * entities and the cursor that described them (the hydrator re-bootstraps), and keeps the
 * device id and the session. The outbox is another database and is never touched here.
 */

export const CACHE_DB_NAME = 'hearth-cache';
const CACHE_DB_VERSION = 2;

/**
 * Buckets per kind. 10k orders → ~78 per bucket (a live update rewrites one bucket of that
 * size); a small kind (tables, menu) has few entities per bucket and at most this many records.
 * Changing it re-hashes every id: bump CACHE_DB_VERSION with it (the upgrade drops the cache).
 */
export const BUCKETS = 128;

/**
 * The bucket an id lives in: FNV-1a (32-bit) over its UTF-16 code units, mod BUCKETS. Stable
 * forever for a given BUCKETS — readers and the writer in every tab must agree.
 */
export function bucketOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % BUCKETS;
}

/** One entity as a bucket holds it (its kind is the bucket's). */
export interface StoredEntity {
  readonly id: string;
  readonly version: number;
  readonly opId?: string;
  readonly data: AnyEntity;
}

/** One record of the `buckets` store: some of a kind's entities, sorted by id. */
export interface BucketRecord {
  readonly kind: EntityKind;
  readonly bucket: number;
  readonly entities: readonly StoredEntity[];
}

/** One cached entity; `opId` names the operation behind its last feed entry (absent from snapshots). */
export interface EntityRecord {
  readonly kind: EntityKind;
  readonly id: string;
  readonly version: number;
  readonly opId?: string;
  readonly data: AnyEntity;
}

export const SyncMeta = z.object({
  key: z.literal('sync'),
  venueId: z.string().min(1),
  cursor: Cursor,
  /** The sorted scopes the cursor was issued for; empty means "the server's default for the role". */
  scopes: z.array(z.string()),
  /** The origin the cursor came from: a relay's cursor is never shown to the cloud. */
  target: z.string().min(1),
  /** The stream seq of the last snapshot (display only; the cursor is what counts). */
  snapshotSeq: z.number().int().min(0),
  /** Device time (ms) of the last successful exchange with the target. */
  lastSyncAt: z.number().nullable(),
});
export type SyncMeta = z.infer<typeof SyncMeta>;

export const SessionMeta = z.object({ key: z.literal('session'), principal: Principal });
export type SessionMeta = z.infer<typeof SessionMeta>;

export const DeviceMeta = z.object({ key: z.literal('device'), deviceId: z.string().min(1) });
export type DeviceMeta = z.infer<typeof DeviceMeta>;

type MetaRecord = SyncMeta | SessionMeta | DeviceMeta;

interface CacheSchema extends DBSchema {
  buckets: { key: [EntityKind, number]; value: BucketRecord };
  meta: { key: MetaRecord['key']; value: MetaRecord };
}

export type LocalDb = IDBPDatabase<CacheSchema>;

/** A write to the cache that could not be made as asked. */
export class LocalDbError extends Error {
  readonly code: 'CURSOR_MOVED' | 'ABORTED';
  constructor(code: LocalDbError['code'], message: string) {
    super(message);
    this.name = 'LocalDbError';
    this.code = code;
  }
}

/**
 * Opens (creating or upgrading) the cache. `name` exists for tests; the app uses the default.
 * A newer version opened in another tab closes this connection rather than block the upgrade.
 */
export function openLocalDb(name: string = CACHE_DB_NAME): Promise<LocalDb> {
  return openDB<CacheSchema>(name, CACHE_DB_VERSION, {
    upgrade(db, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) db.createObjectStore('meta', { keyPath: 'key' });
      // Version 1 kept one record per entity. A cache is a cache: drop it with its cursor, so
      // the hydrator bootstraps into buckets; the device id and the session stay.
      const names = db.objectStoreNames as DOMStringList;
      if (names.contains('entities')) {
        (db as unknown as IDBDatabase).deleteObjectStore('entities');
        void tx.objectStore('meta').delete('sync');
      }
      db.createObjectStore('buckets', { keyPath: ['kind', 'bucket'] });
    },
    blocking(_current, _blocked, event) {
      (event.target as IDBDatabase | null)?.close();
    },
  });
}

const EntityRecordShape = z.object({
  kind: EntityKindSchema,
  id: z.string(),
  version: z.number().int(),
  opId: z.string().optional(),
  data: z.unknown(),
});

/** Parses a stored record; undefined for one that no longer fits its schema (a re-bootstrap mends it). */
export function parseEntityRecord(value: unknown): EntityRecord | undefined {
  const shape = EntityRecordShape.safeParse(value);
  if (!shape.success) return undefined;
  const data = entitySchemas[shape.data.kind].safeParse(shape.data.data);
  if (!data.success) return undefined;
  const { kind, id, version, opId } = shape.data;
  return opId === undefined
    ? { kind, id, version, data: data.data }
    : { kind, id, version, opId, data: data.data };
}

/** The stored entities of a bucket record, as much of it as still fits (else none). */
function storedOf(value: unknown): readonly unknown[] {
  if (typeof value !== 'object' || value === null) return [];
  const { entities } = value as { entities?: unknown };
  return Array.isArray(entities) ? entities : [];
}

/** A kind's buckets: one range over [kind, 0] … [kind, ∞). */
const kindRange = (kind: EntityKind): IDBKeyRange =>
  IDBKeyRange.bound([kind, 0], [kind, Number.POSITIVE_INFINITY]);

/** Every cached entity of a kind, in id order. */
export async function readKind<K extends EntityKind>(db: LocalDb, kind: K): Promise<EntityOf<K>[]> {
  const records = await readRecords(db, kind);
  return records.map((r) => r.data as EntityOf<K>);
}

/** The cached records of a kind (with version and opId), in id order. */
export async function readRecords(db: LocalDb, kind: EntityKind): Promise<EntityRecord[]> {
  const buckets = await db.getAll('buckets', kindRange(kind));
  const records: EntityRecord[] = [];
  for (const bucket of buckets) {
    for (const stored of storedOf(bucket)) {
      const record = parseEntityRecord({ ...(stored as object), kind });
      if (record) records.push(record);
    }
  }
  return records.sort(byId);
}

/** One cached entity, if held. */
export async function readEntity<K extends EntityKind>(
  db: LocalDb,
  kind: K,
  id: string,
): Promise<EntityOf<K> | undefined> {
  const record = (await readRecordsById(db, kind, [id])).get(id);
  return record?.data as EntityOf<K> | undefined;
}

/**
 * These entities of a kind, read in one transaction: each one's record, or undefined where the
 * cache no longer holds it (removed) or it no longer fits its schema.
 */
export async function readRecordsById(
  db: LocalDb,
  kind: EntityKind,
  ids: readonly string[],
): Promise<Map<string, EntityRecord | undefined>> {
  const tx = db.transaction('buckets', 'readonly');
  const numbers = [...new Set(ids.map(bucketOf))];
  const buckets = await Promise.all(numbers.map((n) => tx.store.get([kind, n])));
  const stored = new Map<string, unknown>();
  for (const bucket of buckets) {
    for (const entity of storedOf(bucket)) stored.set((entity as { id?: string }).id ?? '', entity);
  }
  const found = new Map<string, EntityRecord | undefined>();
  for (const id of ids) {
    const entity = stored.get(id);
    found.set(
      id,
      entity === undefined ? undefined : parseEntityRecord({ ...(entity as object), kind }),
    );
  }
  return found;
}

/** How many entities the cache holds (of one kind, or in all): one read, so one moment. */
export async function countEntities(db: LocalDb, kind?: EntityKind): Promise<number> {
  const buckets = await (kind === undefined
    ? db.getAll('buckets')
    : db.getAll('buckets', kindRange(kind)));
  let count = 0;
  for (const bucket of buckets) count += storedOf(bucket).length;
  return count;
}

/** The stored cursor and what it is for, if any. */
export async function readSync(db: LocalDb): Promise<SyncMeta | undefined> {
  const parsed = SyncMeta.safeParse(await db.get('meta', 'sync'));
  return parsed.success ? parsed.data : undefined;
}

/** The signed-in principal, if the app recorded one. */
export async function readSession(db: LocalDb): Promise<Principal | undefined> {
  const parsed = SessionMeta.safeParse(await db.get('meta', 'session'));
  return parsed.success ? parsed.data.principal : undefined;
}

/** Records (or with null, forgets) whose session this device runs. Never pass a token here. */
export async function writeSession(db: LocalDb, principal: Principal | null): Promise<void> {
  if (principal === null) await db.delete('meta', 'session');
  else await db.put('meta', { key: 'session', principal: Principal.parse(principal) });
}

/**
 * Sign-out: drops what a signed-in person could see here (every entity bucket, the cursor that
 * described them, the session) in one transaction. The device id stays, so the outbox's FIFO
 * and checkpoints go on as the same device; the outbox is another database, untouched.
 */
export async function forgetVenueData(db: LocalDb): Promise<void> {
  const tx = db.transaction(['buckets', 'meta'], 'readwrite');
  const meta = tx.objectStore('meta');
  await Promise.all([
    tx.objectStore('buckets').clear(),
    meta.delete('sync'),
    meta.delete('session'),
    tx.done,
  ]);
}

/** The install's stable deviceId: made (a ULID) the first time it is asked for, then kept. */
export async function ensureDeviceId(db: LocalDb, make: () => string = newUlid): Promise<string> {
  const tx = db.transaction('meta', 'readwrite');
  const held = DeviceMeta.safeParse(await tx.store.get('device'));
  if (held.success) {
    await tx.done;
    return held.data.deviceId;
  }
  const deviceId = make();
  await Promise.all([tx.store.put({ key: 'device', deviceId }), tx.done]);
  return deviceId;
}

/** What a write did: for the caller's broadcast and for tests that count puts. */
export interface WriteStats {
  readonly kinds: readonly EntityKind[];
  /**
   * The entities written or removed, by kind, when the write named them one by one (a feed
   * batch); absent for a snapshot swapped in, which changes kinds whole.
   */
  readonly ids?: EntityIds;
  /** Entities written (new or changed). */
  readonly puts: number;
  /** Entities removed. */
  readonly deletes: number;
  /** IndexedDB records written or deleted (buckets): what the transaction cost. */
  readonly records: number;
}

export interface ApplyOptions {
  /**
   * The cursor the caller read the batch after. If the stored cursor is another, the batch is
   * not applied (LocalDbError CURSOR_MOVED): someone else moved the cache on meanwhile.
   */
  readonly expectCursor?: string | undefined;
  /**
   * Called after each bucket write is issued, with the entity changes issued so far. A throw
   * aborts the whole transaction (tests).
   */
  readonly onWrite?: (written: number) => void;
}

/** Changes grouped by the bucket record they land in. */
function byBucket<T extends { readonly kind: EntityKind; readonly id: string }>(
  items: readonly T[],
): Map<string, { kind: EntityKind; bucket: number; items: T[] }> {
  const groups = new Map<string, { kind: EntityKind; bucket: number; items: T[] }>();
  for (const item of items) {
    const bucket = bucketOf(item.id);
    const key = `${item.kind}\u0000${bucket}`;
    let group = groups.get(key);
    if (!group) {
      group = { kind: item.kind, bucket, items: [] };
      groups.set(key, group);
    }
    group.items.push(item);
  }
  return groups;
}

/**
 * The bucket records a set of changes makes from the buckets held before (`held`, by
 * `kind\0bucket`; absent = empty). Pure: the hydrator's transaction and the benchmark's raw
 * ceiling build the same records with it. A bucket left empty comes back with no entities (the
 * caller deletes it).
 */
export function bucketsAfter(
  changes: readonly CoalescedChange[],
  held: (kind: EntityKind, bucket: number) => BucketRecord | undefined,
): BucketRecord[] {
  const out: BucketRecord[] = [];
  for (const group of byBucket(changes).values()) {
    const entities = new Map<string, StoredEntity>();
    for (const stored of held(group.kind, group.bucket)?.entities ?? []) {
      entities.set(stored.id, stored);
    }
    // Written as the feed says, in feed order (as one put per entity was): no version test here.
    for (const change of group.items) {
      if (change.op === 'put') entities.set(change.id, storedOfChange(change));
      else entities.delete(change.id);
    }
    out.push({ kind: group.kind, bucket: group.bucket, entities: sortedEntities(entities) });
  }
  return out;
}

/**
 * Applies coalesced feed changes and stores the batch's cursor in ONE readwrite transaction:
 * both land, or (abort, crash, closed tab) neither does. Each touched bucket is read and
 * rewritten in that transaction (the hydrator is the single writer, under its leader lock; the
 * read in the same transaction keeps a stale copy from ever being written back).
 */
export async function applyChanges(
  db: LocalDb,
  changes: readonly CoalescedChange[],
  sync: SyncMeta,
  options: ApplyOptions = {},
): Promise<WriteStats> {
  // Relaxed: atomicity is the same; a power cut may lose the last batch, but then it loses its
  // cursor with it, and the feed hands the batch over again.
  const tx = db.transaction(['buckets', 'meta'], 'readwrite', { durability: 'relaxed' });
  const done = tx.done;
  try {
    if (options.expectCursor !== undefined) {
      const held = SyncMeta.safeParse(await tx.objectStore('meta').get('sync'));
      if (!held.success || held.data.cursor !== options.expectCursor) {
        throw new LocalDbError('CURSOR_MOVED', 'the stored cursor moved while the batch was read');
      }
    }
    const kinds = new Set<EntityKind>();
    const ids: Partial<Record<EntityKind, string[]>> = {};
    let puts = 0;
    let deletes = 0;
    for (const change of changes) {
      kinds.add(change.kind);
      const named = ids[change.kind] ?? [];
      named.push(change.id);
      ids[change.kind] = named;
      if (change.op === 'put') puts++;
      else deletes++;
    }
    const groups = [...byBucket(changes).values()];
    // Every touched bucket read at once; the writes follow in the same transaction.
    const store = tx.objectStore('buckets');
    const read = await Promise.all(groups.map((g) => store.get([g.kind, g.bucket])));
    const held = new Map<string, BucketRecord>();
    for (const bucket of read) {
      if (bucket) held.set(`${bucket.kind}\u0000${bucket.bucket}`, bucket);
    }
    const next = bucketsAfter(changes, (kind, bucket) => held.get(`${kind}\u0000${bucket}`));
    // The raw store: one request per write with no promise each (they would all reject on abort).
    const buckets = unwrap(store);
    let written = 0;
    const sizes = new Map(groups.map((g) => [`${g.kind}\u0000${g.bucket}`, g.items.length]));
    for (const bucket of next) {
      if (bucket.entities.length === 0) buckets.delete([bucket.kind, bucket.bucket]);
      else buckets.put(bucket);
      written += sizes.get(`${bucket.kind}\u0000${bucket.bucket}`) ?? 0;
      options.onWrite?.(written);
    }
    unwrap(tx.objectStore('meta')).put(SyncMeta.parse(sync));
    await done;
    return { kinds: [...kinds], ids, puts, deletes, records: next.length };
  } catch (error) {
    await abort(tx, done);
    throw error;
  }
}

/**
 * Replaces the whole cache with a snapshot and its cursor in ONE transaction, so a reader sees
 * the old cache or the new one, never an empty or half-filled one. Entities already held at the
 * same version are kept as they are (with their opId), and a bucket nothing changed in is not
 * rewritten (a re-bootstrap mostly finds what it already has).
 */
export async function replaceAll(
  db: LocalDb,
  records: readonly SnapshotRecord[],
  sync: SyncMeta,
): Promise<WriteStats> {
  const tx = db.transaction(['buckets', 'meta'], 'readwrite');
  const done = tx.done;
  try {
    const store = tx.objectStore('buckets');
    const held = new Map<string, BucketRecord>();
    for (const bucket of await store.getAll()) {
      held.set(`${bucket.kind}\u0000${bucket.bucket}`, bucket);
    }
    const buckets = unwrap(store);
    const kinds = new Set<EntityKind>();
    let puts = 0;
    let deletes = 0;
    let written = 0;
    const grouped = byBucket(records.map((r) => ({ kind: r.entity, id: r.data.id, record: r })));
    for (const [key, group] of grouped) {
      const before = new Map<string, StoredEntity>();
      for (const stored of held.get(key)?.entities ?? []) before.set(stored.id, stored);
      held.delete(key);
      const entities = new Map<string, StoredEntity>();
      let changed = false;
      for (const { record } of group.items) {
        const id = record.data.id;
        const old = before.get(id);
        before.delete(id);
        if (old !== undefined && old.version === record.data.version) {
          entities.set(id, old);
          continue;
        }
        entities.set(id, { id, version: record.data.version, data: record.data });
        changed = true;
        puts++;
      }
      if (before.size > 0) changed = true;
      deletes += before.size;
      if (!changed) continue;
      kinds.add(group.kind);
      buckets.put({ kind: group.kind, bucket: group.bucket, entities: sortedEntities(entities) });
      written++;
    }
    // Buckets the snapshot has nothing in: every entity in them is gone.
    for (const bucket of held.values()) {
      buckets.delete([bucket.kind, bucket.bucket]);
      deletes += bucket.entities.length;
      kinds.add(bucket.kind);
      written++;
    }
    unwrap(tx.objectStore('meta')).put(SyncMeta.parse(sync));
    await done;
    return { kinds: [...kinds], puts, deletes, records: written };
  } catch (error) {
    await abort(tx, done);
    throw error;
  }
}

/** Stores a new cursor (and lastSyncAt) with no data: a heartbeat past scoped-out entries. */
export async function writeSync(
  db: LocalDb,
  sync: SyncMeta,
  options: Pick<ApplyOptions, 'expectCursor'> = {},
): Promise<void> {
  await applyChanges(db, [], sync, options);
}

function storedOfChange(change: Extract<CoalescedChange, { op: 'put' }>): StoredEntity {
  const base = { id: change.id, version: change.version, data: change.data };
  return change.opId === undefined ? base : { ...base, opId: change.opId };
}

const byId = (a: { readonly id: string }, b: { readonly id: string }): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

function sortedEntities(entities: ReadonlyMap<string, StoredEntity>): StoredEntity[] {
  return [...entities.values()].sort(byId);
}

async function abort(tx: { abort(): void }, done: Promise<void>): Promise<void> {
  try {
    tx.abort();
  } catch (error) {
    // InvalidStateError: the transaction already finished (committed or aborted on its own).
    if (!(error instanceof DOMException)) throw error;
  }
  await done.catch((error: unknown) => {
    if (!(error instanceof DOMException)) throw error;
  });
}
