import { type FeedEntry, OpResult, type Projectable, SnapshotRecord } from '#protocol';
import type { JournalRecord, RelayCommit } from './relay-store.ts';

export type SqliteRelayStoreErrorCode =
  | 'DUPLICATE_OP'
  | 'INVALID_RECORD'
  | 'CORRUPT_ROW'
  | 'SCHEMA_TOO_NEW';

/** What the SQLite relay store throws for its own reasons (SQLite's errors pass through). */
export class SqliteRelayStoreError extends Error {
  readonly code: SqliteRelayStoreErrorCode;
  constructor(code: SqliteRelayStoreErrorCode, message: string) {
    super(message);
    this.name = 'SqliteRelayStoreError';
    this.code = code;
  }
}

export const JOURNAL_STATUSES: readonly JournalRecord['status'][] = [
  'pending',
  'synced',
  'rejected',
];
export const FEED_COLUMNS = 'seq, entity, id, op, version, data, at, op_id';
export const META = {
  cursor: 'cloud_cursor',
  seq: 'cloud_seq',
  epoch: 'epoch',
  /** Present once a staff list was stored (an empty list leaves no staff rows). */
  staffList: 'staff_list',
} as const;

// The same rules as protocol's `project`: an upsert no newer than the held entity is skipped
// (the column holds the held entity's own version, data.version), and a tombstone removes it
// unless what is held is newer.
const layerUpsert = (table: 'confirmed' | 'visible') =>
  `INSERT INTO ${table} (kind, id, version, data) VALUES ($kind, $id, $held, $data)
   ON CONFLICT (kind, id) DO UPDATE SET version = excluded.version, data = excluded.data
   WHERE $version > ${table}.version`;
const layerRemove = (table: 'confirmed' | 'visible') =>
  `DELETE FROM ${table} WHERE kind = $kind AND id = $id AND version <= $version`;

/**
 * Every statement a commit runs, by name: the store's own connection and the background writer
 * prepare the same text, so a commit means the same wherever it runs.
 */
export const WRITE_SQL = {
  insertJournal: `INSERT INTO journal (jseq, op_id, device_id, op, principal, received_at, status, result)
    VALUES ($jseq, $op_id, $device_id, $op, $principal, $received_at, $status, $result)`,
  updateJournal: 'UPDATE journal SET status = $status, result = $result WHERE op_id = $opId',
  insertFeed: `INSERT INTO feed (${FEED_COLUMNS}) VALUES ($seq, $entity, $id, $op, $version, $data, $at, $op_id)`,
  putMeta: `INSERT INTO meta (key, value) VALUES ($key, $value)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  confirmedUpsert: layerUpsert('confirmed'),
  confirmedRemove: layerRemove('confirmed'),
  confirmedClear: 'DELETE FROM confirmed',
  visibleUpsert: layerUpsert('visible'),
  visibleRemove: layerRemove('visible'),
} as const;

export type WriteStatement = keyof typeof WRITE_SQL;
export type WriteParams = Record<string, string | number | null>;
/** One statement run of a commit: plain data, so it can cross to the writer thread. */
export type WriteStep = readonly [WriteStatement, WriteParams];

type Parsed<T> = { success: true; data: T } | { success: false; error: { message: string } };

/**
 * Checked on the way in as well as out: a row that cannot be read back would stop the relay
 * from loading after its next restart, so a bad record fails its commit instead.
 */
function accept<T>(parsed: Parsed<T>, what: string): T {
  if (!parsed.success) {
    throw new SqliteRelayStoreError('INVALID_RECORD', `${what}: ${parsed.error.message}`);
  }
  return parsed.data;
}

/**
 * One group commit as the statements it runs, in the port's order: journal inserts, journal
 * updates, the confirmed layer, the feed (and the visible layer), meta. Validates and
 * serializes everything (throwing `INVALID_RECORD`) before a single statement runs.
 */
export function planCommit(batch: RelayCommit): WriteStep[] {
  const steps: WriteStep[] = [];
  for (const record of batch.journalInserts ?? []) steps.push(journalInsert(record));
  for (const update of batch.journalUpdates ?? []) {
    const result = accept(OpResult.safeParse(update.result), `result of ${update.opId}`);
    steps.push([
      'updateJournal',
      { opId: update.opId, status: update.status, result: JSON.stringify(result) },
    ]);
  }
  if (batch.resetConfirmed) steps.push(['confirmedClear', {}]);
  for (const change of batch.confirmed ?? []) steps.push(confirmedStep(change));
  for (const entry of batch.feed ?? []) steps.push(...feedSteps(entry));
  if (batch.cloudCursor) {
    steps.push(['putMeta', { key: META.cursor, value: batch.cloudCursor.cursor }]);
    steps.push(['putMeta', { key: META.seq, value: batch.cloudCursor.seq }]);
  }
  if (batch.epoch !== undefined) steps.push(['putMeta', { key: META.epoch, value: batch.epoch }]);
  return steps;
}

/**
 * Not re-validated with zod (it was ~11% of the relay's CPU at ingest): every part of a
 * journal record is typed and was checked where it came in. The op was parsed with the same
 * `Operation` schema at the LAN boundary (`parseOperation`/`BatchRequest`) or read back from
 * the store; the principal is built from verified token claims; the result is built by the
 * engine. Zod stays where bytes arrive (HTTP bodies, frames) and on every read from disk. The
 * cheap invariants a typed record can still break are checked here.
 */
function journalInsert(record: JournalRecord): WriteStep {
  const what = `journal record ${record.opId}`;
  if (record.op.opId !== record.opId || record.result.opId !== record.opId) {
    throw new SqliteRelayStoreError('INVALID_RECORD', `${what} holds op ${record.op.opId}`);
  }
  if (!JOURNAL_STATUSES.includes(record.status)) {
    throw new SqliteRelayStoreError('INVALID_RECORD', `${what}: status ${record.status}`);
  }
  return [
    'insertJournal',
    {
      jseq: record.jseq,
      op_id: record.opId,
      device_id: record.deviceId,
      op: JSON.stringify(record.op),
      principal: principalJson(record.principal),
      received_at: record.receivedAt,
      status: record.status,
      result: JSON.stringify(record.result),
    },
  ];
}

// A batch's ops share one principal object: serialize it once.
const principalTexts = new WeakMap<object, string>();
function principalJson(principal: JournalRecord['principal']): string {
  let text = principalTexts.get(principal);
  if (text === undefined) {
    text = JSON.stringify(principal);
    principalTexts.set(principal, text);
  }
  return text;
}

/** A cloud change for the confirmed layer: from the network, so validated here. */
function confirmedStep(change: Projectable): WriteStep {
  if (change.op !== 'upsert') return layerStep('confirmed', change, null);
  const what = `confirmed ${change.entity} ${change.id}`;
  const record = accept(
    SnapshotRecord.safeParse({ entity: change.entity, data: change.data }),
    what,
  );
  if (record.data.id !== change.id) {
    throw new SqliteRelayStoreError('INVALID_RECORD', `${what} holds data of ${record.data.id}`);
  }
  return layerStep('confirmed', change, JSON.stringify(record.data));
}

/**
 * Not re-validated with zod either: feed entries are placed by the engine from the changes a
 * decider (or the model's diff) made, typed; protocol's property tests check every entity a
 * decider makes against its schema. The invariant a typed entry can break (an upsert whose
 * data is another entity's) is checked here, since the feed route would refuse it on read.
 */
function feedSteps(entry: FeedEntry): WriteStep[] {
  if (entry.op === 'upsert' && entry.data.id !== entry.id) {
    throw new SqliteRelayStoreError(
      'INVALID_RECORD',
      `feed entry ${entry.seq}: data.id ${entry.data.id} is not ${entry.id}`,
    );
  }
  // Serialized once: the feed row and the visible row hold the same text.
  const data = entry.op === 'upsert' ? JSON.stringify(entry.data) : null;
  return [
    [
      'insertFeed',
      {
        seq: entry.seq,
        entity: entry.entity,
        id: entry.id,
        op: entry.op,
        version: entry.version,
        data,
        at: entry.at,
        op_id: entry.opId ?? null,
      },
    ],
    layerStep('visible', entry, data),
  ];
}

/** One change to a layer with `project`'s version rules. `data` is the upsert's JSON. */
function layerStep(
  layer: 'confirmed' | 'visible',
  change: Projectable,
  data: string | null,
): WriteStep {
  if (change.op === 'upsert' && data !== null) {
    return [
      layer === 'confirmed' ? 'confirmedUpsert' : 'visibleUpsert',
      {
        kind: change.entity,
        id: change.id,
        version: change.version,
        held: change.data.version,
        data,
      },
    ];
  }
  return [
    layer === 'confirmed' ? 'confirmedRemove' : 'visibleRemove',
    { kind: change.entity, id: change.id, version: change.version },
  ];
}

/** SQLite's answer to a journal insert whose op_id is already there. */
export const DUPLICATE_JOURNAL = { step: 'insertJournal', code: 'SQLITE_CONSTRAINT_UNIQUE' };

/** The store's error for a failed step, or undefined when SQLite's own error should pass. */
export function stepError(
  step: WriteStep | undefined,
  code: unknown,
): SqliteRelayStoreError | undefined {
  if (step?.[0] !== DUPLICATE_JOURNAL.step || code !== DUPLICATE_JOURNAL.code) return undefined;
  return new SqliteRelayStoreError('DUPLICATE_OP', `journal already holds ${step[1].op_id}`);
}
