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

/*
 * The device's cache of the venue: the one file that knows the database's name, version and
 * stores. The hydrator worker writes it; screens read it (through the local view).
 *
 *   entities  [kind, id] → { kind, id, version, opId?, data }   index byKind
 *   meta      'sync'     → the cursor, its scopes, its venue and target origin, lastSyncAt
 *             'session'  → whose session this is (a principal, never a token)
 *             'device'   → the stable deviceId (a ULID, made once per install)
 *
 * Entities and the cursor change only together, in one transaction: whatever dies mid-apply,
 * the cursor always describes exactly the data beside it.
 */

export const CACHE_DB_NAME = 'hearth-cache';
const CACHE_DB_VERSION = 1;

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
  entities: {
    key: [EntityKind, string];
    value: EntityRecord;
    indexes: { byKind: EntityKind };
  };
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
    upgrade(db) {
      const entities = db.createObjectStore('entities', { keyPath: ['kind', 'id'] });
      entities.createIndex('byKind', 'kind');
      db.createObjectStore('meta', { keyPath: 'key' });
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

/** Every cached entity of a kind, in id order. */
export async function readKind<K extends EntityKind>(db: LocalDb, kind: K): Promise<EntityOf<K>[]> {
  const records = await readRecords(db, kind);
  return records.map((r) => r.data as EntityOf<K>);
}

/** The cached records of a kind (with version and opId), in id order. */
export async function readRecords(db: LocalDb, kind: EntityKind): Promise<EntityRecord[]> {
  const values = await db.getAllFromIndex('entities', 'byKind', kind);
  const records: EntityRecord[] = [];
  for (const value of values) {
    const record = parseEntityRecord(value);
    if (record) records.push(record);
  }
  return records;
}

/** One cached entity, if held. */
export async function readEntity<K extends EntityKind>(
  db: LocalDb,
  kind: K,
  id: string,
): Promise<EntityOf<K> | undefined> {
  const record = parseEntityRecord(await db.get('entities', [kind, id]));
  return record?.data as EntityOf<K> | undefined;
}

/** How many entities the cache holds (of one kind, or in all). */
export function countEntities(db: LocalDb, kind?: EntityKind): Promise<number> {
  return kind === undefined ? db.count('entities') : db.countFromIndex('entities', 'byKind', kind);
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
  readonly puts: number;
  readonly deletes: number;
}

export interface ApplyOptions {
  /**
   * The cursor the caller read the batch after. If the stored cursor is another, the batch is
   * not applied (LocalDbError CURSOR_MOVED): someone else moved the cache on meanwhile.
   */
  readonly expectCursor?: string | undefined;
  /** Called after each entity write is issued. A throw aborts the whole transaction (tests). */
  readonly onWrite?: (written: number) => void;
}

/**
 * Applies coalesced feed changes and stores the batch's cursor in ONE readwrite transaction:
 * both land, or (abort, crash, closed tab) neither does.
 */
export async function applyChanges(
  db: LocalDb,
  changes: readonly CoalescedChange[],
  sync: SyncMeta,
  options: ApplyOptions = {},
): Promise<WriteStats> {
  // Relaxed: atomicity is the same; a power cut may lose the last batch, but then it loses its
  // cursor with it, and the feed hands the batch over again.
  const tx = db.transaction(['entities', 'meta'], 'readwrite', { durability: 'relaxed' });
  const done = tx.done;
  try {
    if (options.expectCursor !== undefined) {
      const held = SyncMeta.safeParse(await tx.objectStore('meta').get('sync'));
      if (!held.success || held.data.cursor !== options.expectCursor) {
        throw new LocalDbError('CURSOR_MOVED', 'the stored cursor moved while the batch was read');
      }
    }
    // The raw store: one request per write with no promise each (they would all reject on abort).
    const entities = unwrap(tx.objectStore('entities'));
    const kinds = new Set<EntityKind>();
    let puts = 0;
    let deletes = 0;
    for (const change of changes) {
      kinds.add(change.kind);
      if (change.op === 'put') {
        entities.put(recordOf(change));
        puts++;
      } else {
        entities.delete([change.kind, change.id]);
        deletes++;
      }
      options.onWrite?.(puts + deletes);
    }
    unwrap(tx.objectStore('meta')).put(SyncMeta.parse(sync));
    await done;
    return { kinds: [...kinds], puts, deletes };
  } catch (error) {
    await abort(tx, done);
    throw error;
  }
}

/**
 * Replaces the whole cache with a snapshot and its cursor in ONE transaction, so a reader sees
 * the old cache or the new one, never an empty or half-filled one. Records already held at the
 * same version are not rewritten (a re-bootstrap mostly finds what it already has).
 */
export async function replaceAll(
  db: LocalDb,
  records: readonly SnapshotRecord[],
  sync: SyncMeta,
): Promise<WriteStats> {
  const tx = db.transaction(['entities', 'meta'], 'readwrite');
  const done = tx.done;
  try {
    const held = new Map<string, number>();
    for (const value of await tx.objectStore('entities').getAll()) {
      held.set(keyOf(value.kind, value.id), value.version);
    }
    const entities = unwrap(tx.objectStore('entities'));
    const kinds = new Set<EntityKind>();
    let puts = 0;
    let deletes = 0;
    for (const record of records) {
      const key = keyOf(record.entity, record.data.id);
      const version = held.get(key);
      held.delete(key);
      if (version === record.data.version) continue;
      entities.put({
        kind: record.entity,
        id: record.data.id,
        version: record.data.version,
        data: record.data,
      });
      kinds.add(record.entity);
      puts++;
    }
    for (const key of held.keys()) {
      const [kind, id] = splitKey(key);
      entities.delete([kind, id]);
      kinds.add(kind);
      deletes++;
    }
    unwrap(tx.objectStore('meta')).put(SyncMeta.parse(sync));
    await done;
    return { kinds: [...kinds], puts, deletes };
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

function recordOf(change: Extract<CoalescedChange, { op: 'put' }>): EntityRecord {
  const base = { kind: change.kind, id: change.id, version: change.version, data: change.data };
  return change.opId === undefined ? base : { ...base, opId: change.opId };
}

const keyOf = (kind: EntityKind, id: string): string => `${kind}\u0000${id}`;

function splitKey(key: string): [EntityKind, string] {
  const at = key.indexOf('\u0000');
  return [key.slice(0, at) as EntityKind, key.slice(at + 1)];
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
