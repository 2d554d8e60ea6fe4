import {
  type EntityChange,
  type EntityKind,
  type EntitySet,
  emptyEntitySet,
  entitySchemas,
  type FeedEntry,
  listEntities,
  project,
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

interface VenueData {
  record: VenueRecord;
  feed: FeedEntry[];
  head: number;
  entities: EntitySet;
}

function recordsOf(entities: EntitySet, kinds?: readonly EntityKind[]): SnapshotRecord[] {
  const wanted = kinds ?? (Object.keys(entitySchemas) as EntityKind[]);
  return wanted.flatMap((kind) =>
    listEntities(entities, kind).map((data) => ({ entity: kind, data }) as SnapshotRecord),
  );
}

function placeEntries(
  changes: readonly EntityChange[],
  from: number,
  meta: { opId?: string; at: string },
): FeedEntry[] {
  return changes.map((change, index) => ({
    ...change,
    seq: from + index + 1,
    at: meta.at,
    ...(meta.opId === undefined ? {} : { opId: meta.opId }),
  })) as FeedEntry[];
}

/**
 * The storage port in memory: for tests and the app.request suites. Transactions stage their
 * writes and apply them only when the work resolves, so a throw leaves nothing behind.
 */
export class MemoryCloudStore implements CloudStore {
  private readonly tenants = new Map<string, string>();
  private readonly venues = new Map<string, VenueData>();
  private readonly idempotency = new Map<string, IdempotencyRecord>();
  private readonly staff = new Map<string, StaffCredential>();
  private readonly nodes = new Map<string, EdgeNode>();
  private readonly tokens = new Map<string, EnrollmentToken>();
  private readonly checkpoints = new Map<string, DeviceCheckpointRecord>();
  private readonly mutex = new KeyedMutex();

  async createTenant(tenant: { tenantId: string; name: string }): Promise<void> {
    this.tenants.set(tenant.tenantId, tenant.name);
  }

  async createVenue(venue: { tenantId: string; venueId: string; name: string }): Promise<void> {
    if (!this.tenants.has(venue.tenantId)) throw new Error(`no tenant ${venue.tenantId}`);
    if (this.venues.has(venue.venueId)) throw new Error(`venue ${venue.venueId} exists`);
    this.venues.set(venue.venueId, {
      record: { ...venue, epoch: 0, compactedThrough: 0 },
      feed: [],
      head: 0,
      entities: emptyEntitySet(),
    });
  }

  async getVenue(venueId: string): Promise<VenueRecord | undefined> {
    return this.venues.get(venueId)?.record;
  }

  async listVenues(tenantId: string): Promise<VenueRecord[]> {
    return [...this.venues.values()].map((v) => v.record).filter((v) => v.tenantId === tenantId);
  }

  async compactFeed(venueId: string, throughSeq: number): Promise<void> {
    const venue = this.venue(venueId);
    venue.feed = venue.feed.filter((e) => e.seq > throughSeq);
    venue.record = {
      ...venue.record,
      compactedThrough: Math.max(venue.record.compactedThrough, throughSeq),
    };
  }

  async bumpEpoch(venueId: string): Promise<number> {
    const venue = this.venue(venueId);
    venue.record = { ...venue.record, epoch: venue.record.epoch + 1 };
    return venue.record.epoch;
  }

  transact<T>(tenantId: string, work: (tx: TenantTx) => Promise<T>): Promise<T> {
    return this.mutex.run(tenantId, async () => {
      const staged = new Map<string, { entries: FeedEntry[]; entities: EntitySet; head: number }>();
      const stagedKeys = new Map<string, IdempotencyRecord>();
      const view = (venueId: string) => {
        let s = staged.get(venueId);
        if (!s) {
          const venue = this.venue(venueId);
          s = { entries: [], entities: venue.entities, head: venue.head };
          staged.set(venueId, s);
        }
        return s;
      };
      const tx: TenantTx = {
        head: async (venueId) => view(venueId).head,
        loadEntities: async (venueId) => {
          const s = view(venueId);
          return { seq: s.head, records: recordsOf(s.entities) };
        },
        append: async (venueId, changes, meta) => {
          const s = view(venueId);
          const entries = placeEntries(changes, s.head, meta);
          s.entries.push(...entries);
          s.head += entries.length;
          s.entities = project(s.entities, changes);
          return entries;
        },
        getIdempotency: async (t, opId) =>
          stagedKeys.get(`${t}/${opId}`) ?? this.idempotency.get(`${t}/${opId}`),
        putIdempotency: async (record) => {
          stagedKeys.set(`${record.tenantId}/${record.opId}`, record);
        },
      };
      const result = await work(tx);
      for (const [venueId, s] of staged) {
        const venue = this.venue(venueId);
        venue.feed.push(...s.entries);
        venue.head = s.head;
        venue.entities = s.entities;
      }
      for (const [key, record] of stagedKeys) this.idempotency.set(key, record);
      return result;
    });
  }

  async head(venueId: string): Promise<number> {
    return this.venue(venueId).head;
  }

  async readFeed(
    venueId: string,
    afterSeq: number,
    options: { limit: number; kinds?: readonly EntityKind[]; throughSeq?: number },
  ): Promise<FeedEntry[]> {
    const through = options.throughSeq ?? Number.POSITIVE_INFINITY;
    return this.venue(venueId)
      .feed.filter(
        (e) =>
          e.seq > afterSeq &&
          e.seq <= through &&
          (!options.kinds || options.kinds.includes(e.entity)),
      )
      .slice(0, options.limit);
  }

  async loadSnapshot(
    venueId: string,
    kinds?: readonly EntityKind[],
  ): Promise<{ seq: number; records: SnapshotRecord[] }> {
    const venue = this.venue(venueId);
    return { seq: venue.head, records: recordsOf(venue.entities, kinds) };
  }

  async getIdempotency(tenantId: string, opId: string): Promise<IdempotencyRecord | undefined> {
    return this.idempotency.get(`${tenantId}/${opId}`);
  }

  async deleteIdempotencyBefore(cutoff: string): Promise<number> {
    let deleted = 0;
    for (const [key, record] of this.idempotency) {
      if (record.createdAt < cutoff) {
        this.idempotency.delete(key);
        deleted++;
      }
    }
    return deleted;
  }

  async putStaffCredential(credential: StaffCredential): Promise<void> {
    this.staff.set(`${credential.venueId}/${credential.pinDigest}`, credential);
  }

  async listStaffCredentials(venueId: string): Promise<StaffCredential[]> {
    return [...this.staff.values()]
      .filter((c) => c.venueId === venueId)
      .sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  }

  async findStaffByPinDigest(
    venueId: string,
    pinDigest: string,
  ): Promise<StaffCredential | undefined> {
    return this.staff.get(`${venueId}/${pinDigest}`);
  }

  async createEdgeNode(node: EdgeNode, token: EnrollmentToken): Promise<void> {
    this.nodes.set(node.nodeId, node);
    this.tokens.set(token.tokenDigest, token);
  }

  async getEdgeNode(nodeId: string): Promise<EdgeNode | undefined> {
    return this.nodes.get(nodeId);
  }

  async listEdgeNodes(venueId: string): Promise<EdgeNode[]> {
    return [...this.nodes.values()]
      .filter((n) => n.venueId === venueId)
      .sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  }

  async redeemEnrollmentToken(
    tokenDigest: string,
    now: string,
    publicKeyJwk: string,
  ): Promise<EdgeNode | undefined> {
    const token = this.tokens.get(tokenDigest);
    if (!token || token.usedAt !== null || token.expiresAt <= now) return undefined;
    const node = this.nodes.get(token.nodeId);
    if (node?.status !== 'pending') return undefined;
    this.tokens.set(tokenDigest, { ...token, usedAt: now });
    const active: EdgeNode = { ...node, status: 'active', publicKeyJwk, enrolledAt: now };
    this.nodes.set(node.nodeId, active);
    return active;
  }

  async updateEdgeNode(
    nodeId: string,
    patch: Partial<Pick<EdgeNode, 'ackedSeq' | 'lastSeenAt' | 'heartbeat' | 'status'>>,
  ): Promise<void> {
    const node = this.nodes.get(nodeId);
    if (node) this.nodes.set(nodeId, { ...node, ...patch });
  }

  async putCheckpoint(checkpoint: DeviceCheckpointRecord): Promise<void> {
    this.checkpoints.set(`${checkpoint.venueId}/${checkpoint.deviceId}`, checkpoint);
  }

  async listCheckpoints(venueId: string): Promise<DeviceCheckpointRecord[]> {
    return [...this.checkpoints.values()]
      .filter((c) => c.venueId === venueId)
      .sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  }

  async close(): Promise<void> {}

  private venue(venueId: string): VenueData {
    const venue = this.venues.get(venueId);
    if (!venue) throw new Error(`no venue ${venueId}`);
    return venue;
  }
}
