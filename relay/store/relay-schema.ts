import type { Database } from 'bun:sqlite';

/** One step of the relay's schema; its version is its position in {@link MIGRATIONS} plus one. */
export interface Migration {
  readonly name: string;
  readonly statements: readonly string[];
}

/**
 * The relay's schema, oldest first. Append to change it; never edit a migration that has
 * shipped: relays in venues upgrade from whatever they run. Tables are STRICT so a wrong type
 * fails the write instead of being stored. JSON columns hold protocol values as text; they are
 * parsed with the protocol's schemas when read back.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    name: 'initial',
    statements: [
      // jseq is the rowid: journal order, and the order ops are replayed to the cloud in.
      `CREATE TABLE journal (
        jseq INTEGER PRIMARY KEY,
        op_id TEXT NOT NULL UNIQUE,
        device_id TEXT NOT NULL,
        op TEXT NOT NULL,
        principal TEXT NOT NULL,
        received_at TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'synced', 'rejected')),
        result TEXT NOT NULL
      ) STRICT`,
      // The uplink reads pending ops oldest first; depth counts them from the index alone.
      'CREATE INDEX journal_by_status ON journal (status, jseq)',
      // The cloud's truth as last pulled. `version` is the held entity's own version (data.version).
      `CREATE TABLE confirmed (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (kind, id)
      ) WITHOUT ROWID, STRICT`,
      // What devices were last shown.
      `CREATE TABLE visible (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (kind, id)
      ) WITHOUT ROWID, STRICT`,
      // The LAN feed; seq is the rowid, so the head is the last row.
      `CREATE TABLE feed (
        seq INTEGER PRIMARY KEY,
        entity TEXT NOT NULL,
        id TEXT NOT NULL,
        op TEXT NOT NULL CHECK (op IN ('upsert', 'tombstone')),
        version INTEGER NOT NULL,
        data TEXT CHECK ((op = 'upsert') = (data IS NOT NULL)),
        at TEXT NOT NULL,
        op_id TEXT
      ) STRICT`,
      // cloud_cursor (text), cloud_seq and epoch (integers).
      `CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value ANY NOT NULL
      ) WITHOUT ROWID, STRICT`,
      `CREATE TABLE staff (
        member_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        pin_digest TEXT NOT NULL UNIQUE
      ) STRICT`,
    ],
  },
  {
    // The layers as rowid tables: a new entity's row (~0.7 KB) is appended, and only its small
    // (kind, id) key lands at a random place of the key's index. Clustered on (kind, id), each
    // new order's row landed in a random leaf of a few full rows and often split it (ids are
    // ULIDs made on the devices, which reach the relay out of order): fewer WAL page writes and
    // less CPU per op (decision 022).
    name: 'layers as rowid tables',
    statements: [...rowidLayer('confirmed'), ...rowidLayer('visible')],
  },
];

/** Rebuilds a projected layer as a rowid table with the same columns, key and rows. */
function rowidLayer(table: 'confirmed' | 'visible'): string[] {
  return [
    `CREATE TABLE ${table}_rowid (
      kind TEXT NOT NULL,
      id TEXT NOT NULL,
      version INTEGER NOT NULL,
      data TEXT NOT NULL,
      PRIMARY KEY (kind, id)
    ) STRICT`,
    `INSERT INTO ${table}_rowid (kind, id, version, data)
      SELECT kind, id, version, data FROM ${table} ORDER BY kind, id`,
    `DROP TABLE ${table}`,
    `ALTER TABLE ${table}_rowid RENAME TO ${table}`,
  ];
}

/** The schema version this build writes: the number of migrations. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings a database up to {@link SCHEMA_VERSION}: applies the migrations it has not seen, in
 * order, in one `BEGIN IMMEDIATE` transaction, and records the version in
 * `PRAGMA user_version`. Returns the version the file was at before. A file newer than this
 * build is left untouched and its version returned: the caller refuses it.
 *
 * @example
 * const from = migrate(db); // 0 on a new file, SCHEMA_VERSION afterwards
 * if (from > SCHEMA_VERSION) throw …;
 */
export function migrate(db: Database): number {
  const run = db.transaction(() => {
    const from = userVersion(db);
    if (from >= SCHEMA_VERSION) return from;
    for (const migration of MIGRATIONS.slice(from)) {
      for (const statement of migration.statements) db.run(statement);
    }
    // PRAGMA takes no bound parameters; the value is our own integer.
    db.run(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    return from;
  });
  return run.immediate();
}

/** The schema version recorded in the file (0 for a new one). */
export function userVersion(db: Database): number {
  return db.query<{ user_version: number }, []>('PRAGMA user_version').get()?.user_version ?? 0;
}
