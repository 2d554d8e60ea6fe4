import type { Database } from 'bun:sqlite';

/** One step of the schema; its version is its position in {@link MIGRATIONS} plus one. */
export interface Migration {
  readonly name: string;
  readonly statements: readonly string[];
}

/**
 * The cloud's schema, oldest first. Append to change it; never edit a migration that has
 * shipped. Tables are STRICT so a wrong type fails the write instead of being stored.
 * Timestamps are ISO-8601 UTC text, compared as text (the port's records carry them that way).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    name: 'initial',
    statements: [
      `CREATE TABLE tenants (
        tenant_id TEXT PRIMARY KEY,
        name TEXT NOT NULL
      ) STRICT`,
      `CREATE TABLE venues (
        venue_id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id),
        name TEXT NOT NULL,
        epoch INTEGER NOT NULL DEFAULT 0,
        compacted_through INTEGER NOT NULL DEFAULT 0,
        head INTEGER NOT NULL DEFAULT 0
      ) STRICT`,
      'CREATE INDEX venues_by_tenant ON venues (tenant_id, venue_id)',
      // The change feed: one clustered run of rows per venue, in seq order.
      `CREATE TABLE feed (
        venue_id TEXT NOT NULL REFERENCES venues (venue_id),
        seq INTEGER NOT NULL,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        op TEXT NOT NULL CHECK (op IN ('upsert', 'tombstone')),
        version INTEGER NOT NULL,
        data TEXT CHECK ((op = 'upsert') = (data IS NOT NULL)),
        at TEXT NOT NULL,
        op_id TEXT,
        PRIMARY KEY (venue_id, seq)
      ) WITHOUT ROWID, STRICT`,
      // No (venue_id, entity, seq) index: readers follow the head, so a scope-filtered read
      // walks a short primary-key range (the planner chose that even with the index present).
      // Current state: what a snapshot is read from. `version` is the held entity's version.
      `CREATE TABLE entities (
        venue_id TEXT NOT NULL REFERENCES venues (venue_id),
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (venue_id, kind, id)
      ) WITHOUT ROWID, STRICT`,
      `CREATE TABLE idempotency (
        tenant_id TEXT NOT NULL,
        op_id TEXT NOT NULL,
        venue_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        payload_hash TEXT NOT NULL,
        result TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (tenant_id, op_id)
      ) WITHOUT ROWID, STRICT`,
      'CREATE INDEX idempotency_by_created_at ON idempotency (created_at)',
      `CREATE TABLE staff_credentials (
        venue_id TEXT NOT NULL,
        pin_digest TEXT NOT NULL,
        tenant_id TEXT NOT NULL,
        member_id TEXT NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        PRIMARY KEY (venue_id, pin_digest)
      ) WITHOUT ROWID, STRICT`,
      `CREATE TABLE edge_nodes (
        node_id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        venue_id TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'revoked')),
        public_key_jwk TEXT,
        created_at TEXT NOT NULL,
        enrolled_at TEXT,
        acked_seq INTEGER NOT NULL DEFAULT 0,
        last_seen_at TEXT,
        heartbeat TEXT
      ) STRICT`,
      'CREATE INDEX edge_nodes_by_venue ON edge_nodes (venue_id, node_id)',
      `CREATE TABLE enrollment_tokens (
        token_digest TEXT PRIMARY KEY,
        node_id TEXT NOT NULL REFERENCES edge_nodes (node_id),
        expires_at TEXT NOT NULL,
        used_at TEXT
      ) STRICT`,
      'CREATE INDEX enrollment_tokens_by_node ON enrollment_tokens (node_id)',
      `CREATE TABLE device_checkpoints (
        venue_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        cursor TEXT NOT NULL,
        seq INTEGER NOT NULL,
        outbox_depth INTEGER NOT NULL,
        oldest_pending_at TEXT,
        failed_ops INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (venue_id, device_id)
      ) WITHOUT ROWID, STRICT`,
    ],
  },
];

/** The schema version this build writes: the number of migrations. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings a database up to {@link SCHEMA_VERSION}: applies the migrations it has not seen, in
 * order, in one `BEGIN IMMEDIATE` transaction (so two processes opening the same file cannot
 * both migrate it), and records the version in `PRAGMA user_version`. A no-op when current.
 * Returns the version the database was at before. Throws if the file is newer than this build.
 *
 * @example
 * const db = openSqliteDatabase(path);
 * migrate(db); // 0 on a new file, SCHEMA_VERSION afterwards
 */
export function migrate(db: Database): number {
  const run = db.transaction(() => {
    const from = userVersion(db);
    if (from > SCHEMA_VERSION) {
      throw new Error(`database schema ${from} is newer than this build (${SCHEMA_VERSION})`);
    }
    for (const migration of MIGRATIONS.slice(from)) {
      for (const statement of migration.statements) db.run(statement);
    }
    // PRAGMA takes no bound parameters; the value is our own integer.
    if (from < SCHEMA_VERSION) db.run(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    return from;
  });
  return run.immediate();
}

/** The schema version recorded in the file (0 for a new one). */
export function userVersion(db: Database): number {
  return db.query<{ user_version: number }, []>('PRAGMA user_version').get()?.user_version ?? 0;
}
