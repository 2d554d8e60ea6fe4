import postgres, { type Sql, type TransactionSql } from 'postgres';
import { ENTITY_KINDS, type EntityChange, type EntityKind, type FeedEntry } from '#protocol';
import type {
  CloudStore,
  DeviceCheckpointRecord,
  EdgeNode,
  EnrollmentToken,
  ForeignCommit,
  IdempotencyRecord,
  StaffCredential,
  TenantTx,
  VenueRecord,
} from './cloud-store.ts';
import { KeyedMutex } from './mutex.ts';
import { migratePg } from './pg-schema.ts';
import {
  type CheckpointRow,
  type FeedRow,
  type IdempotencyRow,
  type NodeRow,
  placeEntries,
  type StaffRow,
  type TokenRow,
  toCheckpoint,
  toFeedEntry,
  toIdempotency,
  toNode,
  toSnapshotRecord,
  toStaff,
  toVenue,
  type VenueRow,
} from './rows.ts';

export type PgStoreErrorCode =
  | 'NO_TENANT'
  | 'NO_VENUE'
  | 'VENUE_EXISTS'
  | 'INVALID_CHANGE'
  | 'TX_CLOSED'
  | 'BAD_SCHEMA';

/** What the PostgreSQL adapter throws for its own reasons (the driver's errors pass through). */
export class PgStoreError extends Error {
  readonly code: PgStoreErrorCode;
  constructor(code: PgStoreErrorCode, message: string) {
    super(message);
    this.name = 'PgStoreError';
    this.code = code;
  }
}

export interface PgStoreOptions {
  /** A PostgreSQL connection URL (`postgres://user@host:5432/db`). */
  readonly url: string;
  /** The schema holding the tables (default `public`); created when missing. */
  readonly schema?: string;
  /** Connections for transactions (default 8). */
  readonly writeConnections?: number;
  /** Connections for reads and single-statement writes (default 8). */
  readonly readConnections?: number;
}

const FEED_COLUMNS = 'seq, entity, entity_id, op, version, data, at, op_id';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Postgres's int8 as a JS number: seqs stay far below 2^53. */
const INT8 = {
  to: 20,
  from: [20],
  serialize: (value: number) => String(value),
  parse: (value: string) => Number(value),
};

/**
 * The storage port on PostgreSQL, for several cloud instances over one database.
 *
 * Writes per tenant are serialised by a row lock: `transact` first locks the tenant's row
 * (`SELECT … FOR UPDATE`) and holds it to COMMIT, so within a venue the next writer reads the
 * head only after the previous writer's entries are visible: commit order is seq order, and a
 * reader following the head never passes an entry that commits later with a lower seq. Inside
 * one process, transactions of a tenant also queue on a mutex before taking a connection, so
 * waiters never hold the pool. Reads and single writes use a second pool, as the SQLite adapter
 * uses a second connection: work inside a transaction may read through the store without
 * waiting for the pool its own transaction holds.
 *
 * Each commit that moves a venue's head sends `NOTIFY` (delivered at COMMIT, in commit order) so
 * other instances can publish the entries to their live readers; see {@link listenForCommits}.
 *
 * @example
 * const store = await PgCloudStore.open({ url: process.env.DATABASE_URL });
 * await store.transact(tenantId, (tx) => tx.append(venueId, changes, { at: now }));
 * await store.close();
 */
export class PgCloudStore implements CloudStore {
  /** This store's id in its NOTIFY payloads: its own commits are not foreign to it. */
  readonly origin = crypto.randomUUID();
  private readonly tenants = new KeyedMutex();
  /** venue → tenant: venues never move, so a hit never goes stale. */
  private readonly directory = new Map<string, string>();
  private readonly channel: string;
  private readonly schema: string;
  private readonly writer: Sql;
  private readonly reader: Sql;

  private constructor(schema: string, writer: Sql, reader: Sql) {
    this.schema = schema;
    this.writer = writer;
    this.reader = reader;
    this.channel = `hearth_feed:${schema}`;
  }

  /** Connects, and brings the schema up to date (under an advisory lock) before answering. */
  static async open(options: PgStoreOptions): Promise<PgCloudStore> {
    const schema = options.schema ?? 'public';
    if (!SCHEMA_NAME.test(schema)) {
      throw new PgStoreError('BAD_SCHEMA', `schema name ${JSON.stringify(schema)} is not plain`);
    }
    const connect = (max: number, name: string) =>
      postgres(options.url, {
        max,
        onnotice: () => {},
        types: { int8: INT8 },
        connection: { search_path: schema, application_name: `hearth-cloud ${name}` },
      });
    const writer = connect(options.writeConnections ?? 8, 'writer');
    try {
      await migratePg(writer, schema);
    } catch (error) {
      await writer.end({ timeout: 1 });
      throw error;
    }
    return new PgCloudStore(schema, writer, connect(options.readConnections ?? 8, 'reader'));
  }

  /** The schema this store's tables live in. */
  get schemaName(): string {
    return this.schema;
  }

  async createTenant(tenant: { tenantId: string; name: string }): Promise<void> {
    await this.reader`
      INSERT INTO tenants (tenant_id, name) VALUES (${tenant.tenantId}, ${tenant.name})
      ON CONFLICT (tenant_id) DO UPDATE SET name = excluded.name`;
  }

  async createVenue(venue: { tenantId: string; venueId: string; name: string }): Promise<void> {
    await this.writer.begin(async (sql) => {
      const [tenant] = await sql`
        SELECT 1 FROM tenants WHERE tenant_id = ${venue.tenantId} FOR UPDATE`;
      if (!tenant) throw new PgStoreError('NO_TENANT', `no tenant ${venue.tenantId}`);
      const placed = await sql`
        INSERT INTO venue_directory (venue_id, tenant_id) VALUES (${venue.venueId}, ${venue.tenantId})
        ON CONFLICT (venue_id) DO NOTHING`;
      if (placed.count === 0)
        throw new PgStoreError('VENUE_EXISTS', `venue ${venue.venueId} exists`);
      await sql`
        INSERT INTO venues (tenant_id, venue_id, name)
        VALUES (${venue.tenantId}, ${venue.venueId}, ${venue.name})`;
    });
  }

  async getVenue(venueId: string): Promise<VenueRecord | undefined> {
    const tenantId = await this.tenantOf(this.reader, venueId);
    if (tenantId === undefined) return undefined;
    const [row] = await this.reader<VenueRow[]>`
      SELECT * FROM venues WHERE tenant_id = ${tenantId} AND venue_id = ${venueId}`;
    return row ? toVenue(row) : undefined;
  }

  async listVenues(tenantId: string): Promise<VenueRecord[]> {
    const rows = await this.reader<VenueRow[]>`
      SELECT * FROM venues WHERE tenant_id = ${tenantId} ORDER BY venue_id`;
    return rows.map(toVenue);
  }

  async compactFeed(venueId: string, throughSeq: number): Promise<void> {
    const tenantId = await this.requireTenantOf(this.reader, venueId);
    await this.writer.begin(async (sql) => {
      await sql`DELETE FROM feed WHERE tenant_id = ${tenantId} AND venue_id = ${venueId} AND seq <= ${throughSeq}`;
      await sql`
        UPDATE venues SET compacted_through = greatest(compacted_through, ${throughSeq})
        WHERE tenant_id = ${tenantId} AND venue_id = ${venueId}`;
    });
  }

  async bumpEpoch(venueId: string): Promise<number> {
    const tenantId = await this.requireTenantOf(this.reader, venueId);
    const [row] = await this.reader<{ epoch: number }[]>`
      UPDATE venues SET epoch = epoch + 1 WHERE tenant_id = ${tenantId} AND venue_id = ${venueId}
      RETURNING epoch`;
    if (!row) throw new PgStoreError('NO_VENUE', `no venue ${venueId}`);
    return row.epoch;
  }

  transact<T>(tenantId: string, work: (tx: TenantTx) => Promise<T>): Promise<T> {
    return this.tenants.run(tenantId, () =>
      this.writer.begin(async (sql) => {
        // The tenant's row lock, held to COMMIT: the order of this tenant's writes everywhere.
        await sql`SELECT 1 FROM tenants WHERE tenant_id = ${tenantId} FOR UPDATE`;
        let open = true;
        const live = async <R>(fn: () => Promise<R>): Promise<R> => {
          // A promise the work left running must not write after COMMIT.
          if (!open) throw new PgStoreError('TX_CLOSED', 'the transaction has ended');
          return fn();
        };
        // The heads this transaction moved, written once before COMMIT.
        const moved = new Map<string, { tenantId: string; head: number; count: number }>();
        const headOf = async (venueId: string) => {
          const known = moved.get(venueId);
          if (known) return known;
          const owner = await this.requireTenantOf(sql, venueId);
          const [row] = await sql<{ head: number }[]>`
            SELECT head FROM venues WHERE tenant_id = ${owner} AND venue_id = ${venueId}`;
          if (!row) throw new PgStoreError('NO_VENUE', `no venue ${venueId}`);
          return { tenantId: owner, head: row.head, count: 0 };
        };
        const tx: TenantTx = {
          head: (venueId) => live(async () => (await headOf(venueId)).head),
          loadEntities: (venueId) =>
            live(async () => {
              const { tenantId: owner, head } = await headOf(venueId);
              return { seq: head, records: await this.records(sql, owner, venueId, ENTITY_KINDS) };
            }),
          append: (venueId, changes, meta) =>
            live(async () => {
              const at = await headOf(venueId);
              const placed = await appendEntries(sql, at.tenantId, venueId, at.head, changes, meta);
              if (placed.length > 0) {
                moved.set(venueId, {
                  ...at,
                  head: at.head + placed.length,
                  count: at.count + placed.length,
                });
              }
              return placed;
            }),
          getIdempotency: (owner, opId) =>
            live(async () => {
              const [row] = await sql<IdempotencyRow[]>`
                SELECT * FROM idempotency WHERE tenant_id = ${owner} AND op_id = ${opId}`;
              return row ? toIdempotency(row) : undefined;
            }),
          putIdempotency: (record) =>
            live(async () => {
              // A plain INSERT: a second first result for a key fails the transaction.
              await sql`
                INSERT INTO idempotency (tenant_id, op_id, venue_id, device_id, payload_hash, result, created_at)
                VALUES (${record.tenantId}, ${record.opId}, ${record.venueId}, ${record.deviceId},
                        ${record.payloadHash}, ${JSON.stringify(record.result)}, ${record.createdAt})`;
            }),
        };
        try {
          const result = await work(tx);
          open = false;
          for (const [venueId, at] of moved) {
            await sql`
              UPDATE venues SET head = ${at.head} WHERE tenant_id = ${at.tenantId} AND venue_id = ${venueId}`;
            const notice: ForeignCommit = { venueId, head: at.head, count: at.count };
            await sql`SELECT pg_notify(${this.channel}, ${JSON.stringify({ ...notice, origin: this.origin })})`;
          }
          return result;
        } finally {
          open = false;
        }
      }),
    ) as Promise<T>;
  }

  async head(venueId: string): Promise<number> {
    const tenantId = await this.requireTenantOf(this.reader, venueId);
    const [row] = await this.reader<{ head: number }[]>`
      SELECT head FROM venues WHERE tenant_id = ${tenantId} AND venue_id = ${venueId}`;
    if (!row) throw new PgStoreError('NO_VENUE', `no venue ${venueId}`);
    return row.head;
  }

  async readFeed(
    venueId: string,
    afterSeq: number,
    options: { limit: number; kinds?: readonly EntityKind[]; throughSeq?: number },
  ): Promise<FeedEntry[]> {
    const tenantId = await this.requireTenantOf(this.reader, venueId);
    const sql = this.reader;
    const through = options.throughSeq ?? Number.MAX_SAFE_INTEGER;
    const limit = Math.max(0, options.limit);
    const kinds = options.kinds ? sql`AND entity = ANY(${[...options.kinds]}::text[])` : sql``;
    const rows = await sql<FeedRow[]>`
      SELECT ${sql.unsafe(FEED_COLUMNS)} FROM feed
      WHERE tenant_id = ${tenantId} AND venue_id = ${venueId} AND seq > ${afterSeq} AND seq <= ${through}
      ${kinds} ORDER BY seq LIMIT ${limit}`;
    return rows.map(toFeedEntry);
  }

  async loadSnapshot(
    venueId: string,
    kinds?: readonly EntityKind[],
  ): Promise<{ seq: number; records: ReturnType<typeof toSnapshotRecord>[] }> {
    const tenantId = await this.requireTenantOf(this.reader, venueId);
    // One snapshot: the head and the entities are of the same commit.
    return this.reader.begin('isolation level repeatable read read only', async (sql) => {
      const [row] = await sql<{ head: number }[]>`
        SELECT head FROM venues WHERE tenant_id = ${tenantId} AND venue_id = ${venueId}`;
      if (!row) throw new PgStoreError('NO_VENUE', `no venue ${venueId}`);
      return {
        seq: row.head,
        records: await this.records(sql, tenantId, venueId, kinds ?? ENTITY_KINDS),
      };
    });
  }

  async getIdempotency(tenantId: string, opId: string): Promise<IdempotencyRecord | undefined> {
    const [row] = await this.reader<IdempotencyRow[]>`
      SELECT * FROM idempotency WHERE tenant_id = ${tenantId} AND op_id = ${opId}`;
    return row ? toIdempotency(row) : undefined;
  }

  /**
   * One instance at a time: the others find the advisory lock taken and delete nothing (0).
   * Crosses tenants by design; it is maintenance, never on the write path.
   */
  async deleteIdempotencyBefore(cutoff: string): Promise<number> {
    return this.writer.begin(async (sql) => {
      const [lock] = await sql<{ ok: boolean }[]>`
        SELECT pg_try_advisory_xact_lock(hashtextextended(${`hearth:idempotency-cleanup:${this.schema}`}, 0)) AS ok`;
      if (!lock?.ok) return 0;
      const deleted = await sql`DELETE FROM idempotency WHERE created_at < ${cutoff}`;
      return deleted.count;
    });
  }

  async putStaffCredential(credential: StaffCredential): Promise<void> {
    const c = credential;
    await this.reader`
      INSERT INTO staff_credentials (tenant_id, venue_id, pin_digest, member_id, name, role)
      VALUES (${c.tenantId}, ${c.venueId}, ${c.pinDigest}, ${c.memberId}, ${c.name}, ${c.role})
      ON CONFLICT (tenant_id, venue_id, pin_digest)
      DO UPDATE SET member_id = excluded.member_id, name = excluded.name, role = excluded.role`;
  }

  async findStaffByPinDigest(
    venueId: string,
    pinDigest: string,
  ): Promise<StaffCredential | undefined> {
    const tenantId = await this.tenantOf(this.reader, venueId);
    if (tenantId === undefined) return undefined;
    const [row] = await this.reader<StaffRow[]>`
      SELECT * FROM staff_credentials
      WHERE tenant_id = ${tenantId} AND venue_id = ${venueId} AND pin_digest = ${pinDigest}`;
    return row ? toStaff(row) : undefined;
  }

  async listStaffCredentials(venueId: string): Promise<StaffCredential[]> {
    const tenantId = await this.tenantOf(this.reader, venueId);
    if (tenantId === undefined) return [];
    const rows = await this.reader<StaffRow[]>`
      SELECT * FROM staff_credentials WHERE tenant_id = ${tenantId} AND venue_id = ${venueId}
      ORDER BY member_id`;
    return rows.map(toStaff);
  }

  async createEdgeNode(node: EdgeNode, token: EnrollmentToken): Promise<void> {
    const n = node;
    await this.writer.begin(async (sql) => {
      await sql`
        INSERT INTO edge_nodes (tenant_id, node_id, venue_id, name, status, public_key_jwk, created_at,
                                enrolled_at, acked_seq, last_seen_at, heartbeat)
        VALUES (${n.tenantId}, ${n.nodeId}, ${n.venueId}, ${n.name}, ${n.status}, ${n.publicKeyJwk},
                ${n.createdAt}, ${n.enrolledAt}, ${n.ackedSeq}, ${n.lastSeenAt}, ${n.heartbeat})`;
      await sql`
        INSERT INTO enrollment_tokens (tenant_id, token_digest, node_id, expires_at, used_at)
        VALUES (${n.tenantId}, ${token.tokenDigest}, ${token.nodeId}, ${token.expiresAt}, ${token.usedAt})`;
    });
  }

  async getEdgeNode(nodeId: string): Promise<EdgeNode | undefined> {
    const [row] = await this.reader<NodeRow[]>`SELECT * FROM edge_nodes WHERE node_id = ${nodeId}`;
    return row ? toNode(row) : undefined;
  }

  async listEdgeNodes(venueId: string): Promise<EdgeNode[]> {
    const tenantId = await this.tenantOf(this.reader, venueId);
    if (tenantId === undefined) return [];
    const rows = await this.reader<NodeRow[]>`
      SELECT * FROM edge_nodes WHERE tenant_id = ${tenantId} AND venue_id = ${venueId} ORDER BY node_id`;
    return rows.map(toNode);
  }

  async redeemEnrollmentToken(
    tokenDigest: string,
    now: string,
    publicKeyJwk: string,
  ): Promise<EdgeNode | undefined> {
    return this.writer.begin(async (sql) => {
      const [token] = await sql<TokenRow[]>`
        SELECT * FROM enrollment_tokens WHERE token_digest = ${tokenDigest} FOR UPDATE`;
      if (!token || token.used_at !== null || token.expires_at <= now) return undefined;
      const [row] = await sql<NodeRow[]>`
        SELECT * FROM edge_nodes WHERE node_id = ${token.node_id} FOR UPDATE`;
      if (row?.status !== 'pending') return undefined;
      await sql`UPDATE enrollment_tokens SET used_at = ${now} WHERE token_digest = ${tokenDigest}`;
      await sql`
        UPDATE edge_nodes SET status = 'active', public_key_jwk = ${publicKeyJwk}, enrolled_at = ${now}
        WHERE node_id = ${token.node_id}`;
      return { ...toNode(row), status: 'active', publicKeyJwk, enrolledAt: now };
    });
  }

  async updateEdgeNode(
    nodeId: string,
    patch: Partial<Pick<EdgeNode, 'ackedSeq' | 'lastSeenAt' | 'heartbeat' | 'status'>>,
  ): Promise<void> {
    // A key given as undefined leaves the field as it is; null clears a nullable one.
    const columns: Record<string, string | number | null> = {};
    if (patch.ackedSeq !== undefined) columns.acked_seq = patch.ackedSeq;
    if (patch.status !== undefined) columns.status = patch.status;
    if (patch.lastSeenAt !== undefined) columns.last_seen_at = patch.lastSeenAt;
    if (patch.heartbeat !== undefined) columns.heartbeat = patch.heartbeat;
    if (Object.keys(columns).length === 0) return;
    await this.reader`UPDATE edge_nodes SET ${this.reader(columns)} WHERE node_id = ${nodeId}`;
  }

  async putCheckpoint(checkpoint: DeviceCheckpointRecord): Promise<void> {
    const c = checkpoint;
    const tenantId = await this.requireTenantOf(this.reader, c.venueId);
    await this.reader`
      INSERT INTO device_checkpoints (tenant_id, venue_id, device_id, cursor, seq, outbox_depth,
                                      oldest_pending_at, failed_ops, updated_at)
      VALUES (${tenantId}, ${c.venueId}, ${c.deviceId}, ${c.cursor}, ${c.seq}, ${c.outboxDepth},
              ${c.oldestPendingAt}, ${c.failedOps}, ${c.updatedAt})
      ON CONFLICT (tenant_id, venue_id, device_id) DO UPDATE SET
        cursor = excluded.cursor, seq = excluded.seq, outbox_depth = excluded.outbox_depth,
        oldest_pending_at = excluded.oldest_pending_at, failed_ops = excluded.failed_ops,
        updated_at = excluded.updated_at`;
  }

  async listCheckpoints(venueId: string): Promise<DeviceCheckpointRecord[]> {
    const tenantId = await this.tenantOf(this.reader, venueId);
    if (tenantId === undefined) return [];
    const rows = await this.reader<CheckpointRow[]>`
      SELECT * FROM device_checkpoints WHERE tenant_id = ${tenantId} AND venue_id = ${venueId}
      ORDER BY device_id`;
    return rows.map(toCheckpoint);
  }

  /**
   * Hears commits made through other instances (LISTEN on this schema's channel), so their
   * entries can be published to this instance's live readers. A notification missed while the
   * listening connection was down is not replayed: `onReconnect` runs after every (re)LISTEN so
   * the caller can catch up by reading heads. Resolves once listening; answers the unlisten.
   */
  async listenForCommits(
    onCommit: (commit: ForeignCommit) => void,
    onReconnect: () => void = () => {},
  ): Promise<() => Promise<void>> {
    let first = true;
    const { unlisten } = await this.reader.listen(
      this.channel,
      (payload) => {
        const commit = parseNotice(payload);
        if (commit && commit.origin !== this.origin) onCommit(commit);
      },
      () => {
        if (first) first = false;
        else onReconnect();
      },
    );
    return unlisten;
  }

  /** Waits for running queries, then closes every connection. */
  async close(): Promise<void> {
    await Promise.all([this.writer.end({ timeout: 5 }), this.reader.end({ timeout: 5 })]);
  }

  private async records(
    sql: Sql | TransactionSql,
    tenantId: string,
    venueId: string,
    kinds: readonly EntityKind[],
  ) {
    const rows = await sql<{ kind: EntityKind; data: string }[]>`
      SELECT kind, data FROM entities
      WHERE tenant_id = ${tenantId} AND venue_id = ${venueId} AND kind = ANY(${[...kinds]}::text[])
      ORDER BY kind, id`;
    return rows.map((row) => toSnapshotRecord(row.kind, row.data));
  }

  /** The venue's tenant, from the directory (cached: venues never move), or undefined. */
  private async tenantOf(sql: Sql | TransactionSql, venueId: string): Promise<string | undefined> {
    const known = this.directory.get(venueId);
    if (known !== undefined) return known;
    const [row] = await sql<{ tenant_id: string }[]>`
      SELECT tenant_id FROM venue_directory WHERE venue_id = ${venueId}`;
    if (row) this.directory.set(venueId, row.tenant_id);
    return row?.tenant_id;
  }

  private async requireTenantOf(sql: Sql | TransactionSql, venueId: string): Promise<string> {
    const tenantId = await this.tenantOf(sql, venueId);
    if (tenantId === undefined) throw new PgStoreError('NO_VENUE', `no venue ${venueId}`);
    return tenantId;
  }
}

/**
 * Inserts the entries `changes` become after `head` and applies them to the venue's entities,
 * by the same rules as protocol's `project`. The statements are pipelined on the transaction's
 * connection: one round trip, executed in order.
 */
async function appendEntries(
  sql: TransactionSql,
  tenantId: string,
  venueId: string,
  head: number,
  changes: readonly EntityChange[],
  meta: { readonly opId?: string; readonly at: string },
): Promise<FeedEntry[]> {
  const entries = placeEntries(head, changes, meta, (detail) => {
    throw new PgStoreError('INVALID_CHANGE', detail);
  });
  if (entries.length === 0) return entries;
  const rows = entries.map((entry) => ({
    tenant_id: tenantId,
    venue_id: venueId,
    seq: entry.seq,
    entity: entry.entity,
    entity_id: entry.id,
    op: entry.op,
    version: entry.version,
    data: entry.op === 'upsert' ? JSON.stringify(entry.data) : null,
    at: entry.at,
    op_id: entry.opId ?? null,
  }));
  await Promise.all([
    sql`INSERT INTO feed ${sql(rows)}`,
    ...rows.map((row, i) => {
      const entry = entries[i] as FeedEntry;
      if (entry.op === 'upsert') {
        // `project` compares with the held entity's own version, so the column holds data.version.
        return sql`
          INSERT INTO entities (tenant_id, venue_id, kind, id, version, data)
          VALUES (${tenantId}, ${venueId}, ${row.entity}, ${row.entity_id}, ${entry.data.version}, ${row.data})
          ON CONFLICT (tenant_id, venue_id, kind, id) DO UPDATE
          SET version = excluded.version, data = excluded.data
          WHERE excluded.version > entities.version`;
      }
      return sql`
        DELETE FROM entities WHERE tenant_id = ${tenantId} AND venue_id = ${venueId}
        AND kind = ${row.entity} AND id = ${row.entity_id} AND version <= ${row.version}`;
    }),
  ]);
  return entries;
}

function parseNotice(payload: string): (ForeignCommit & { origin: string }) | undefined {
  try {
    const value: unknown = JSON.parse(payload);
    if (typeof value !== 'object' || value === null) return undefined;
    const { venueId, head, count, origin } = value as Record<string, unknown>;
    if (
      typeof venueId === 'string' &&
      typeof head === 'number' &&
      typeof count === 'number' &&
      typeof origin === 'string'
    )
      return { venueId, head, count, origin };
  } catch {
    // Not ours: another program on the channel. Ignored.
  }
  return undefined;
}
