import type { Database } from 'bun:sqlite';
import {
  ENTITY_KINDS,
  type EntityChange,
  type EntityKind,
  type FeedEntry,
  type SnapshotRecord,
} from '#protocol';
import type {
  CloudStore,
  DeviceCheckpointRecord,
  EdgeNode,
  EnrollmentToken,
  IdempotencyRecord,
  StaffCredential,
  TenantTx,
  VenueRecord,
} from './cloud-store.ts';
import { KeyedMutex } from './mutex.ts';
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
import { openSqliteDatabase } from './sqlite-database.ts';
import { migrate } from './sqlite-schema.ts';

export type SqliteStoreErrorCode =
  | 'NO_TENANT'
  | 'NO_VENUE'
  | 'VENUE_EXISTS'
  | 'INVALID_CHANGE'
  | 'TX_CLOSED'
  | 'BAD_PATH';

/** What the SQLite adapter throws for its own reasons (SQLite's errors and CorruptRowError pass through). */
export class SqliteStoreError extends Error {
  readonly code: SqliteStoreErrorCode;
  constructor(code: SqliteStoreErrorCode, message: string) {
    super(message);
    this.name = 'SqliteStoreError';
    this.code = code;
  }
}

type Venue = { venueId: string };
/** A record as a plain object type: what bun:sqlite accepts as named bindings. */
type Plain<T> = { [K in keyof T]: T[K] };
type FeedQuery = { venueId: string; afterSeq: number; throughSeq: number; limit: number };

const FEED_COLUMNS = 'seq, entity, entity_id, op, version, data, at, op_id';
/** Every write (transactions and single writes) runs under this one key: one writer connection. */
const WRITER = 'writer';

/** The statements both connections read with. */
function readStatements(db: Database) {
  return {
    venue: db.prepare<VenueRow, Venue>('SELECT * FROM venues WHERE venue_id = $venueId'),
    venues: db.prepare<VenueRow, { tenantId: string }>(
      'SELECT * FROM venues WHERE tenant_id = $tenantId ORDER BY venue_id',
    ),
    entitiesOfKind: db.prepare<{ data: string }, { venueId: string; kind: string }>(
      'SELECT data FROM entities WHERE venue_id = $venueId AND kind = $kind ORDER BY id',
    ),
    feed: db.prepare<FeedRow, FeedQuery>(
      `SELECT ${FEED_COLUMNS} FROM feed WHERE venue_id = $venueId AND seq > $afterSeq AND seq <= $throughSeq ORDER BY seq LIMIT $limit`,
    ),
    feedOfKinds: db.prepare<FeedRow, FeedQuery & { kinds: string }>(
      `SELECT ${FEED_COLUMNS} FROM feed WHERE venue_id = $venueId AND seq > $afterSeq AND seq <= $throughSeq
       AND entity IN (SELECT value FROM json_each($kinds)) ORDER BY seq LIMIT $limit`,
    ),
    idempotency: db.prepare<IdempotencyRow, { tenantId: string; opId: string }>(
      'SELECT * FROM idempotency WHERE tenant_id = $tenantId AND op_id = $opId',
    ),
    staff: db.prepare<StaffRow, { venueId: string; pinDigest: string }>(
      'SELECT * FROM staff_credentials WHERE venue_id = $venueId AND pin_digest = $pinDigest',
    ),
    staffOfVenue: db.prepare<StaffRow, Venue>(
      'SELECT * FROM staff_credentials WHERE venue_id = $venueId ORDER BY member_id',
    ),
    node: db.prepare<NodeRow, { nodeId: string }>(
      'SELECT * FROM edge_nodes WHERE node_id = $nodeId',
    ),
    nodes: db.prepare<NodeRow, Venue>(
      'SELECT * FROM edge_nodes WHERE venue_id = $venueId ORDER BY node_id',
    ),
    token: db.prepare<TokenRow, { tokenDigest: string }>(
      'SELECT * FROM enrollment_tokens WHERE token_digest = $tokenDigest',
    ),
    checkpoints: db.prepare<CheckpointRow, Venue>(
      'SELECT * FROM device_checkpoints WHERE venue_id = $venueId ORDER BY device_id',
    ),
  };
}

/** The statements only the writer connection runs. */
function writeStatements(db: Database) {
  return {
    ...readStatements(db),
    putTenant: db.prepare<never, { tenantId: string; name: string }>(
      'INSERT INTO tenants (tenant_id, name) VALUES ($tenantId, $name) ON CONFLICT (tenant_id) DO UPDATE SET name = excluded.name',
    ),
    tenant: db.prepare<{ tenant_id: string }, { tenantId: string }>(
      'SELECT tenant_id FROM tenants WHERE tenant_id = $tenantId',
    ),
    insertVenue: db.prepare<never, { tenantId: string; venueId: string; name: string }>(
      'INSERT INTO venues (tenant_id, venue_id, name) VALUES ($tenantId, $venueId, $name)',
    ),
    compact: db.prepare<never, Venue & { seq: number }>(
      'DELETE FROM feed WHERE venue_id = $venueId AND seq <= $seq',
    ),
    markCompacted: db.prepare<never, Venue & { seq: number }>(
      'UPDATE venues SET compacted_through = max(compacted_through, $seq) WHERE venue_id = $venueId',
    ),
    bumpEpoch: db.prepare<{ epoch: number }, Venue>(
      'UPDATE venues SET epoch = epoch + 1 WHERE venue_id = $venueId RETURNING epoch',
    ),
    setHead: db.prepare<never, Venue & { head: number }>(
      'UPDATE venues SET head = $head WHERE venue_id = $venueId',
    ),
    insertFeed: db.prepare<
      never,
      Venue & {
        seq: number;
        entity: string;
        id: string;
        op: string;
        version: number;
        data: string | null;
        at: string;
        opId: string | null;
      }
    >(
      `INSERT INTO feed (venue_id, seq, entity, entity_id, op, version, data, at, op_id)
       VALUES ($venueId, $seq, $entity, $id, $op, $version, $data, $at, $opId)`,
    ),
    // The same rules as protocol's `project`: an upsert no newer than what is held is skipped…
    upsertEntity: db.prepare<
      never,
      Venue & { kind: string; id: string; version: number; data: string }
    >(
      `INSERT INTO entities (venue_id, kind, id, version, data) VALUES ($venueId, $kind, $id, $version, $data)
       ON CONFLICT (venue_id, kind, id) DO UPDATE SET version = excluded.version, data = excluded.data
       WHERE excluded.version > entities.version`,
    ),
    // …and so is a tombstone older than what is held.
    deleteEntity: db.prepare<never, Venue & { kind: string; id: string; version: number }>(
      'DELETE FROM entities WHERE venue_id = $venueId AND kind = $kind AND id = $id AND version <= $version',
    ),
    putIdempotency: db.prepare<
      never,
      Plain<Omit<IdempotencyRecord, 'result'>> & { result: string }
    >(
      `INSERT OR REPLACE INTO idempotency (tenant_id, op_id, venue_id, device_id, payload_hash, result, created_at)
       VALUES ($tenantId, $opId, $venueId, $deviceId, $payloadHash, $result, $createdAt)`,
    ),
    deleteIdempotency: db.prepare<never, { cutoff: string }>(
      'DELETE FROM idempotency WHERE created_at < $cutoff',
    ),
    putStaff: db.prepare<never, Plain<StaffCredential>>(
      `INSERT OR REPLACE INTO staff_credentials (venue_id, pin_digest, tenant_id, member_id, name, role)
       VALUES ($venueId, $pinDigest, $tenantId, $memberId, $name, $role)`,
    ),
    insertNode: db.prepare<never, Plain<EdgeNode>>(
      `INSERT INTO edge_nodes (node_id, tenant_id, venue_id, name, status, public_key_jwk, created_at, enrolled_at, acked_seq, last_seen_at, heartbeat)
       VALUES ($nodeId, $tenantId, $venueId, $name, $status, $publicKeyJwk, $createdAt, $enrolledAt, $ackedSeq, $lastSeenAt, $heartbeat)`,
    ),
    updateNode: db.prepare<
      never,
      Plain<Omit<EdgeNode, 'tenantId' | 'venueId' | 'name' | 'createdAt'>>
    >(
      `UPDATE edge_nodes SET status = $status, public_key_jwk = $publicKeyJwk, enrolled_at = $enrolledAt,
       acked_seq = $ackedSeq, last_seen_at = $lastSeenAt, heartbeat = $heartbeat WHERE node_id = $nodeId`,
    ),
    insertToken: db.prepare<never, Plain<EnrollmentToken>>(
      'INSERT INTO enrollment_tokens (token_digest, node_id, expires_at, used_at) VALUES ($tokenDigest, $nodeId, $expiresAt, $usedAt)',
    ),
    useToken: db.prepare<never, { tokenDigest: string; now: string }>(
      'UPDATE enrollment_tokens SET used_at = $now WHERE token_digest = $tokenDigest',
    ),
    putCheckpoint: db.prepare<never, Plain<DeviceCheckpointRecord>>(
      `INSERT OR REPLACE INTO device_checkpoints (venue_id, device_id, cursor, seq, outbox_depth, oldest_pending_at, failed_ops, updated_at)
       VALUES ($venueId, $deviceId, $cursor, $seq, $outboxDepth, $oldestPendingAt, $failedOps, $updatedAt)`,
    ),
  };
}

type Reads = ReturnType<typeof readStatements>;
type Writes = ReturnType<typeof writeStatements>;

function venueRow(s: Reads, venueId: string): VenueRow {
  const row = s.venue.get({ venueId });
  if (!row) throw new SqliteStoreError('NO_VENUE', `no venue ${venueId}`);
  return row;
}

function records(s: Reads, venueId: string, kinds: readonly EntityKind[]): SnapshotRecord[] {
  return kinds.flatMap((kind) =>
    s.entitiesOfKind.all({ venueId, kind }).map((row) => toSnapshotRecord(kind, row.data)),
  );
}

/**
 * Places changes after the venue's `head`, and applies them to its entities. The caller moves
 * the head (the transaction writes each venue's once, before COMMIT).
 */
function append(
  s: Writes,
  venueId: string,
  head: number,
  changes: readonly EntityChange[],
  meta: { readonly opId?: string; readonly at: string },
): FeedEntry[] {
  const entries = placeEntries(head, changes, meta, (detail) => {
    throw new SqliteStoreError('INVALID_CHANGE', detail);
  });
  for (const entry of entries) {
    const data = entry.op === 'upsert' ? JSON.stringify(entry.data) : null;
    s.insertFeed.run({
      venueId,
      seq: entry.seq,
      entity: entry.entity,
      id: entry.id,
      op: entry.op,
      version: entry.version,
      data,
      at: entry.at,
      opId: entry.opId ?? null,
    });
    if (entry.op === 'upsert') {
      // `project` compares with the held entity's own version, so the column holds data.version.
      s.upsertEntity.run({
        venueId,
        kind: entry.entity,
        id: entry.id,
        version: entry.data.version,
        data: data ?? JSON.stringify(entry.data),
      });
    } else {
      s.deleteEntity.run({ venueId, kind: entry.entity, id: entry.id, version: entry.version });
    }
  }
  return entries;
}

/**
 * The storage port on SQLite. One writer connection: every write — each `transact` and each
 * single write — runs one at a time under one mutex key, `transact` inside `BEGIN IMMEDIATE`.
 * Reads outside a transaction go to a second, query-only connection: under WAL it sees only
 * committed data and never waits for the writer, so a read made while a transaction is open
 * (a long-poll, `listVenues` inside the work) neither sees nor joins that transaction.
 *
 * Do not await a write method of the store inside `transact` work: it waits for the
 * transaction that is waiting for it.
 *
 * @example
 * const store = SqliteCloudStore.open(join(dataDir, 'cloud.db'));
 * await store.transact(tenantId, (tx) => tx.append(venueId, changes, { at: now }));
 * await store.close();
 */
export class SqliteCloudStore implements CloudStore {
  private readonly mutex = new KeyedMutex();
  private readonly writer: Database;
  private readonly reader: Database;
  private readonly w: Writes;
  private readonly r: Reads;

  private constructor(writer: Database, reader: Database) {
    this.writer = writer;
    this.reader = reader;
    this.w = writeStatements(writer);
    this.r = readStatements(reader);
  }

  /** Opens (creating and migrating if needed) the store in the file at `path`. */
  static open(path: string): SqliteCloudStore {
    if (path === '' || path.startsWith(':memory:')) {
      throw new SqliteStoreError(
        'BAD_PATH',
        'the SQLite store needs a file: its two connections must share it',
      );
    }
    const writer = openSqliteDatabase(path);
    try {
      migrate(writer);
    } catch (error) {
      writer.close();
      throw error;
    }
    const reader = openSqliteDatabase(path);
    reader.run('PRAGMA query_only = ON');
    return new SqliteCloudStore(writer, reader);
  }

  async createTenant(tenant: { tenantId: string; name: string }): Promise<void> {
    await this.write(() => this.w.putTenant.run(tenant));
  }

  async createVenue(venue: { tenantId: string; venueId: string; name: string }): Promise<void> {
    await this.write(() => {
      if (!this.w.tenant.get(venue))
        throw new SqliteStoreError('NO_TENANT', `no tenant ${venue.tenantId}`);
      if (this.w.venue.get(venue))
        throw new SqliteStoreError('VENUE_EXISTS', `venue ${venue.venueId} exists`);
      this.w.insertVenue.run(venue);
    });
  }

  async getVenue(venueId: string): Promise<VenueRecord | undefined> {
    const row = this.r.venue.get({ venueId });
    return row ? toVenue(row) : undefined;
  }

  async listVenues(tenantId: string): Promise<VenueRecord[]> {
    return this.r.venues.all({ tenantId }).map(toVenue);
  }

  async compactFeed(venueId: string, throughSeq: number): Promise<void> {
    await this.write(() => {
      venueRow(this.w, venueId);
      this.w.compact.run({ venueId, seq: throughSeq });
      this.w.markCompacted.run({ venueId, seq: throughSeq });
    });
  }

  async bumpEpoch(venueId: string): Promise<number> {
    return this.write(() => {
      const row = this.w.bumpEpoch.get({ venueId });
      if (!row) throw new SqliteStoreError('NO_VENUE', `no venue ${venueId}`);
      return row.epoch;
    });
  }

  transact<T>(_tenantId: string, work: (tx: TenantTx) => Promise<T>): Promise<T> {
    return this.mutex.run(WRITER, async () => {
      let open = true;
      const s = this.w;
      const live = async <R>(fn: () => R): Promise<R> => {
        // A promise the work left running must not write after COMMIT, outside any transaction.
        if (!open) throw new SqliteStoreError('TX_CLOSED', 'the transaction has ended');
        return fn();
      };
      // The heads this transaction moved: read once, kept here, written once before COMMIT
      // (a batch of 100 ops was 100 reads and 100 writes of the same venue row).
      const moved = new Map<string, number>();
      const headOf = (venueId: string) => moved.get(venueId) ?? venueRow(s, venueId).head;
      const tx: TenantTx = {
        head: (venueId) => live(() => headOf(venueId)),
        loadEntities: (venueId) =>
          live(() => ({
            seq: headOf(venueId),
            records: records(s, venueId, ENTITY_KINDS),
          })),
        append: (venueId, changes, meta) =>
          live(() => {
            const head = headOf(venueId);
            const placed = append(s, venueId, head, changes, meta);
            if (placed.length > 0) moved.set(venueId, head + placed.length);
            return placed;
          }),
        getIdempotency: (tenantId, opId) =>
          live(() => {
            const row = s.idempotency.get({ tenantId, opId });
            return row ? toIdempotency(row) : undefined;
          }),
        putIdempotency: (record) =>
          live(() => {
            s.putIdempotency.run({ ...record, result: JSON.stringify(record.result) });
          }),
      };
      this.writer.run('BEGIN IMMEDIATE');
      try {
        const result = await work(tx);
        open = false;
        for (const [venueId, head] of moved) s.setHead.run({ venueId, head });
        this.writer.run('COMMIT');
        return result;
      } catch (error) {
        open = false;
        if (this.writer.inTransaction) this.writer.run('ROLLBACK');
        throw error;
      }
    });
  }

  async head(venueId: string): Promise<number> {
    return venueRow(this.r, venueId).head;
  }

  async readFeed(
    venueId: string,
    afterSeq: number,
    options: { limit: number; kinds?: readonly EntityKind[]; throughSeq?: number },
  ): Promise<FeedEntry[]> {
    const query = {
      venueId,
      afterSeq,
      throughSeq: options.throughSeq ?? Number.MAX_SAFE_INTEGER,
      limit: Math.max(0, options.limit),
    };
    const rows = this.reader.transaction(() => {
      venueRow(this.r, venueId);
      return options.kinds
        ? this.r.feedOfKinds.all({ ...query, kinds: JSON.stringify(options.kinds) })
        : this.r.feed.all(query);
    })();
    return rows.map(toFeedEntry);
  }

  async loadSnapshot(
    venueId: string,
    kinds?: readonly EntityKind[],
  ): Promise<{ seq: number; records: SnapshotRecord[] }> {
    // One read transaction: the head and the entities are of the same commit.
    return this.reader.transaction(() => ({
      seq: venueRow(this.r, venueId).head,
      records: records(this.r, venueId, kinds ?? ENTITY_KINDS),
    }))();
  }

  async getIdempotency(tenantId: string, opId: string): Promise<IdempotencyRecord | undefined> {
    const row = this.r.idempotency.get({ tenantId, opId });
    return row ? toIdempotency(row) : undefined;
  }

  async deleteIdempotencyBefore(cutoff: string): Promise<number> {
    return this.write(() => this.w.deleteIdempotency.run({ cutoff }).changes);
  }

  async putStaffCredential(credential: StaffCredential): Promise<void> {
    await this.write(() => this.w.putStaff.run(credential));
  }

  async findStaffByPinDigest(
    venueId: string,
    pinDigest: string,
  ): Promise<StaffCredential | undefined> {
    const row = this.r.staff.get({ venueId, pinDigest });
    return row ? toStaff(row) : undefined;
  }

  async listStaffCredentials(venueId: string): Promise<StaffCredential[]> {
    return this.r.staffOfVenue.all({ venueId }).map(toStaff);
  }

  async createEdgeNode(node: EdgeNode, token: EnrollmentToken): Promise<void> {
    await this.write(() =>
      this.writer.transaction(() => {
        this.w.insertNode.run(node);
        this.w.insertToken.run(token);
      })(),
    );
  }

  async getEdgeNode(nodeId: string): Promise<EdgeNode | undefined> {
    const row = this.r.node.get({ nodeId });
    return row ? toNode(row) : undefined;
  }

  async listEdgeNodes(venueId: string): Promise<EdgeNode[]> {
    return this.r.nodes.all({ venueId }).map(toNode);
  }

  async redeemEnrollmentToken(
    tokenDigest: string,
    now: string,
    publicKeyJwk: string,
  ): Promise<EdgeNode | undefined> {
    return this.write(() =>
      this.writer
        .transaction((): EdgeNode | undefined => {
          const token = this.w.token.get({ tokenDigest });
          if (!token || token.used_at !== null || token.expires_at <= now) return undefined;
          const row = this.w.node.get({ nodeId: token.node_id });
          if (row?.status !== 'pending') return undefined;
          const active: EdgeNode = {
            ...toNode(row),
            status: 'active',
            publicKeyJwk,
            enrolledAt: now,
          };
          this.w.useToken.run({ tokenDigest, now });
          this.w.updateNode.run(active);
          return active;
        })
        .immediate(),
    );
  }

  async updateEdgeNode(
    nodeId: string,
    patch: Partial<Pick<EdgeNode, 'ackedSeq' | 'lastSeenAt' | 'heartbeat' | 'status'>>,
  ): Promise<void> {
    await this.write(() => {
      const row = this.w.node.get({ nodeId });
      if (!row) return;
      const node = toNode(row);
      // A key given as undefined leaves the field as it is; null clears a nullable one.
      this.w.updateNode.run({
        ...node,
        ackedSeq: patch.ackedSeq ?? node.ackedSeq,
        status: patch.status ?? node.status,
        lastSeenAt: patch.lastSeenAt === undefined ? node.lastSeenAt : patch.lastSeenAt,
        heartbeat: patch.heartbeat === undefined ? node.heartbeat : patch.heartbeat,
      });
    });
  }

  async putCheckpoint(checkpoint: DeviceCheckpointRecord): Promise<void> {
    await this.write(() => this.w.putCheckpoint.run(checkpoint));
  }

  async listCheckpoints(venueId: string): Promise<DeviceCheckpointRecord[]> {
    return this.r.checkpoints.all({ venueId }).map(toCheckpoint);
  }

  /** Waits for the writes already queued, then closes both connections. */
  async close(): Promise<void> {
    await this.write(() => {
      this.reader.close(true);
      this.writer.close(true);
    });
  }

  /** Runs a synchronous write on the writer connection, after every transaction before it. */
  private write<T>(fn: () => T): Promise<T> {
    return this.mutex.run(WRITER, async () => fn());
  }
}
