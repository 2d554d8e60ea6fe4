import type {
  EntityChange,
  EntityKind,
  FeedEntry,
  OpResult,
  SnapshotRecord,
  StaffRole,
} from '#protocol';

/** A venue and its stream's bookkeeping. */
export interface VenueRecord {
  readonly tenantId: string;
  readonly venueId: string;
  readonly name: string;
  /** Bumped when the stream is reset: every older cursor answers 410. */
  readonly epoch: number;
  /** Entries at or below this seq have been compacted away: older cursors answer 410. */
  readonly compactedThrough: number;
}

/** The first outcome of an operation, kept for `retentionDays` under (tenant, opId). */
export interface IdempotencyRecord {
  readonly tenantId: string;
  readonly opId: string;
  readonly venueId: string;
  readonly deviceId: string;
  readonly payloadHash: string;
  /** applied or rejected: what every retry of this op is answered with. */
  readonly result: Extract<OpResult, { status: 'applied' | 'rejected' }>;
  readonly createdAt: string;
}

export interface StaffCredential {
  readonly tenantId: string;
  readonly venueId: string;
  readonly memberId: string;
  readonly name: string;
  readonly role: StaffRole;
  /** HMAC of `venueId:pin` under the server's PIN key: a PIN is never stored. */
  readonly pinDigest: string;
}

export interface EdgeNode {
  readonly nodeId: string;
  readonly tenantId: string;
  readonly venueId: string;
  readonly name: string;
  readonly status: 'pending' | 'active' | 'revoked';
  /** The relay's public signing key (JWK), sent at enrollment; verifies relay-issued tokens. */
  readonly publicKeyJwk: string | null;
  readonly createdAt: string;
  readonly enrolledAt: string | null;
  /** The highest cursor seq the relay has durably stored. */
  readonly ackedSeq: number;
  readonly lastSeenAt: string | null;
  /** The relay's last heartbeat body (connectivity, journal depth…), as JSON text. */
  readonly heartbeat: string | null;
}

export interface EnrollmentToken {
  /** SHA-256 of the token: the token itself is shown once and never stored. */
  readonly tokenDigest: string;
  readonly nodeId: string;
  readonly expiresAt: string;
  readonly usedAt: string | null;
}

export interface DeviceCheckpointRecord {
  readonly venueId: string;
  readonly deviceId: string;
  readonly cursor: string;
  readonly seq: number;
  readonly outboxDepth: number;
  readonly oldestPendingAt: string | null;
  readonly failedOps: number;
  readonly updatedAt: string;
}

/** A commit another process made to a venue's stream: its new head and how many entries it added. */
export interface ForeignCommit {
  readonly venueId: string;
  readonly head: number;
  readonly count: number;
}

/** The one way to change business state: everything inside commits together or not at all. */
export interface TenantTx {
  head(venueId: string): Promise<number>;
  /** Current entities of a venue, with the seq they hold at. */
  loadEntities(
    venueId: string,
  ): Promise<{ readonly seq: number; readonly records: readonly SnapshotRecord[] }>;
  /** Appends changes to a venue's stream (giving them seqs) and applies them to its entities. */
  append(
    venueId: string,
    changes: readonly EntityChange[],
    meta: { readonly opId?: string; readonly at: string },
  ): Promise<FeedEntry[]>;
  getIdempotency(tenantId: string, opId: string): Promise<IdempotencyRecord | undefined>;
  putIdempotency(record: IdempotencyRecord): Promise<void>;
}

/**
 * The cloud's storage port. Adapters: memory (tests), SQLite (the embedded default, one
 * process), PostgreSQL (several instances over one database). Nothing of any one database
 * leaks through it.
 */
export interface CloudStore {
  createTenant(tenant: { readonly tenantId: string; readonly name: string }): Promise<void>;
  createVenue(venue: {
    readonly tenantId: string;
    readonly venueId: string;
    readonly name: string;
  }): Promise<void>;
  getVenue(venueId: string): Promise<VenueRecord | undefined>;
  listVenues(tenantId: string): Promise<VenueRecord[]>;
  /** Moves a venue's compaction mark (deletes entries at or below it); cursors below answer 410. */
  compactFeed(venueId: string, throughSeq: number): Promise<void>;
  /** Resets a venue's stream epoch: every cursor of the old epoch answers 410. */
  bumpEpoch(venueId: string): Promise<number>;

  /** Serialises writes per tenant (tenant-wide changes touch every venue's stream). */
  transact<T>(tenantId: string, work: (tx: TenantTx) => Promise<T>): Promise<T>;

  head(venueId: string): Promise<number>;
  /** Entries after `afterSeq` (and at most `throughSeq`), in seq order, of the given kinds. */
  readFeed(
    venueId: string,
    afterSeq: number,
    options: {
      readonly limit: number;
      readonly kinds?: readonly EntityKind[];
      readonly throughSeq?: number;
    },
  ): Promise<FeedEntry[]>;
  /** A consistent set of a venue's entities of the given kinds, and the seq it holds at. */
  loadSnapshot(
    venueId: string,
    kinds?: readonly EntityKind[],
  ): Promise<{ readonly seq: number; readonly records: SnapshotRecord[] }>;

  getIdempotency(tenantId: string, opId: string): Promise<IdempotencyRecord | undefined>;
  /** Deletes idempotency records created before `cutoff`; the feed is untouched. Returns how many. */
  deleteIdempotencyBefore(cutoff: string): Promise<number>;

  putStaffCredential(credential: StaffCredential): Promise<void>;
  findStaffByPinDigest(venueId: string, pinDigest: string): Promise<StaffCredential | undefined>;
  /** Every staff credential of a venue, in member id order: what its relay checks PINs against. */
  listStaffCredentials(venueId: string): Promise<StaffCredential[]>;

  createEdgeNode(node: EdgeNode, token: EnrollmentToken): Promise<void>;
  getEdgeNode(nodeId: string): Promise<EdgeNode | undefined>;
  listEdgeNodes(venueId: string): Promise<EdgeNode[]>;
  /**
   * Marks an unused, unexpired enrollment token used and activates its node with the relay's
   * public key, atomically. Undefined when the token is unknown, used or expired.
   */
  redeemEnrollmentToken(
    tokenDigest: string,
    now: string,
    publicKeyJwk: string,
  ): Promise<EdgeNode | undefined>;
  updateEdgeNode(
    nodeId: string,
    patch: Partial<Pick<EdgeNode, 'ackedSeq' | 'lastSeenAt' | 'heartbeat' | 'status'>>,
  ): Promise<void>;

  putCheckpoint(checkpoint: DeviceCheckpointRecord): Promise<void>;
  listCheckpoints(venueId: string): Promise<DeviceCheckpointRecord[]>;

  /**
   * Present on adapters that several processes write at once: hears their commits, so live
   * readers here see entries written elsewhere. `onReconnect` runs when notices may have been
   * missed. Resolves once listening; answers the way to stop.
   */
  listenForCommits?(
    onCommit: (commit: ForeignCommit) => void,
    onReconnect?: () => void,
  ): Promise<() => Promise<void>>;

  close(): Promise<void>;
}
