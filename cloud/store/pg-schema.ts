import type { Sql } from 'postgres';

/** One step of the schema; its version is its position in {@link PG_MIGRATIONS} plus one. */
export interface PgMigration {
  readonly name: string;
  readonly statements: readonly string[];
}

/**
 * The cloud's PostgreSQL schema, oldest first. Append to change it; never edit a migration that
 * has shipped. Every table's key starts with `tenant_id`, so a tenant-distributed PostgreSQL
 * (Citus, distribution column `tenant_id`) can place each tenant's rows together; the one table
 * keyed otherwise is `venue_directory`, a small venue → tenant map (a reference table there).
 * Timestamps are ISO-8601 UTC text and JSON is text, as on SQLite: the port's records carry
 * them that way and nothing queries inside them.
 */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    name: 'initial',
    statements: [
      `CREATE TABLE tenants (
        tenant_id text PRIMARY KEY,
        name text NOT NULL
      )`,
      // Venue ids are unique across tenants: the routes name a venue without its tenant.
      `CREATE TABLE venue_directory (
        venue_id text PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES tenants (tenant_id)
      )`,
      `CREATE TABLE venues (
        tenant_id text NOT NULL REFERENCES tenants (tenant_id),
        venue_id text NOT NULL,
        name text NOT NULL,
        epoch integer NOT NULL DEFAULT 0,
        compacted_through bigint NOT NULL DEFAULT 0,
        head bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, venue_id)
      )`,
      `CREATE TABLE feed (
        tenant_id text NOT NULL,
        venue_id text NOT NULL,
        seq bigint NOT NULL,
        entity text NOT NULL,
        entity_id text NOT NULL,
        op text NOT NULL CHECK (op IN ('upsert', 'tombstone')),
        version bigint NOT NULL,
        data text CHECK ((op = 'upsert') = (data IS NOT NULL)),
        at text NOT NULL,
        op_id text,
        PRIMARY KEY (tenant_id, venue_id, seq),
        FOREIGN KEY (tenant_id, venue_id) REFERENCES venues (tenant_id, venue_id)
      )`,
      `CREATE TABLE entities (
        tenant_id text NOT NULL,
        venue_id text NOT NULL,
        kind text NOT NULL,
        id text NOT NULL,
        version bigint NOT NULL,
        data text NOT NULL,
        PRIMARY KEY (tenant_id, venue_id, kind, id),
        FOREIGN KEY (tenant_id, venue_id) REFERENCES venues (tenant_id, venue_id)
      )`,
      `CREATE TABLE idempotency (
        tenant_id text NOT NULL,
        op_id text NOT NULL,
        venue_id text NOT NULL,
        device_id text NOT NULL,
        payload_hash text NOT NULL,
        result text NOT NULL,
        created_at text NOT NULL,
        PRIMARY KEY (tenant_id, op_id)
      )`,
      'CREATE INDEX idempotency_by_created_at ON idempotency (created_at)',
      `CREATE TABLE staff_credentials (
        tenant_id text NOT NULL,
        venue_id text NOT NULL,
        pin_digest text NOT NULL,
        member_id text NOT NULL,
        name text NOT NULL,
        role text NOT NULL,
        PRIMARY KEY (tenant_id, venue_id, pin_digest)
      )`,
      `CREATE TABLE edge_nodes (
        tenant_id text NOT NULL,
        node_id text NOT NULL,
        venue_id text NOT NULL,
        name text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'active', 'revoked')),
        public_key_jwk text,
        created_at text NOT NULL,
        enrolled_at text,
        acked_seq bigint NOT NULL DEFAULT 0,
        last_seen_at text,
        heartbeat text,
        PRIMARY KEY (tenant_id, node_id)
      )`,
      // Relay tokens and enrollment name a node without its tenant: looked up by id.
      'CREATE UNIQUE INDEX edge_nodes_by_id ON edge_nodes (node_id)',
      'CREATE INDEX edge_nodes_by_venue ON edge_nodes (tenant_id, venue_id, node_id)',
      `CREATE TABLE enrollment_tokens (
        tenant_id text NOT NULL,
        token_digest text NOT NULL,
        node_id text NOT NULL,
        expires_at text NOT NULL,
        used_at text,
        PRIMARY KEY (tenant_id, token_digest),
        FOREIGN KEY (tenant_id, node_id) REFERENCES edge_nodes (tenant_id, node_id)
      )`,
      'CREATE UNIQUE INDEX enrollment_tokens_by_digest ON enrollment_tokens (token_digest)',
      `CREATE TABLE device_checkpoints (
        tenant_id text NOT NULL,
        venue_id text NOT NULL,
        device_id text NOT NULL,
        cursor text NOT NULL,
        seq bigint NOT NULL,
        outbox_depth integer NOT NULL,
        oldest_pending_at text,
        failed_ops integer NOT NULL,
        updated_at text NOT NULL,
        PRIMARY KEY (tenant_id, venue_id, device_id)
      )`,
    ],
  },
];

/** The schema version this build writes: the number of migrations. */
export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/**
 * Brings `schema` up to {@link PG_SCHEMA_VERSION} in one transaction, under a transaction-level
 * advisory lock named after the schema: instances starting together queue on the lock, and each
 * after the first finds nothing left to do. Creates the schema when missing. Returns the version
 * it was at before; throws when the database is newer than this build.
 *
 * @example
 * const from = await migratePg(sql, 'public'); // 0 on an empty database
 */
export async function migratePg(sql: Sql, schema: string): Promise<number> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtextextended(${`hearth:migrate:${schema}`}, 0))`;
    await tx`CREATE SCHEMA IF NOT EXISTS ${tx(schema)}`;
    await tx`SET LOCAL search_path TO ${tx(schema)}`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`;
    const [row] = await tx<{ version: number }[]>`
      SELECT coalesce(max(version), 0)::integer AS version FROM schema_migrations`;
    const from = row?.version ?? 0;
    if (from > PG_SCHEMA_VERSION) {
      throw new Error(`database schema ${from} is newer than this build (${PG_SCHEMA_VERSION})`);
    }
    for (const [index, migration] of PG_MIGRATIONS.entries()) {
      if (index < from) continue;
      for (const statement of migration.statements) await tx.unsafe(statement);
      await tx`INSERT INTO schema_migrations (version, name) VALUES (${index + 1}, ${migration.name})`;
    }
    return from;
  });
}
