import {
  ENTITY_KINDS,
  type EntityChange,
  type EntityKind,
  emptyEntitySet,
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
} from './cloud-store.ts';

type Body = () => void | Promise<void>;

interface Matchers {
  readonly not: Matchers;
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeUndefined(): void;
  toHaveLength(length: number): void;
  toMatch(expected: RegExp): void;
}

/** The part of vitest's and bun:test's API the contract uses; pass either one's functions. */
export interface TestApi {
  readonly describe: (name: string, body: () => void) => void;
  readonly it: (name: string, body: Body) => void;
  readonly expect: (actual: unknown) => Matchers;
  readonly beforeEach: (fn: Body) => void;
  readonly afterEach: (fn: Body) => void;
}

const AT = '2026-11-23T19:30:00.000Z';
const LATER = '2026-11-23T19:45:00.000Z';

/** A valid ULID op id from a small number. */
const opId = (n: number): string => `01JD${String(n).padStart(22, '0')}`;

const table = (id: string, version: number, seats = 4): EntityChange => ({
  entity: 'table',
  id,
  op: 'upsert',
  data: { id, label: id.slice(0, 20), seats, version },
  version,
});

const category = (id: string, version: number, position = 0): EntityChange => ({
  entity: 'menuCategory',
  id,
  op: 'upsert',
  data: { id, name: id, position, version },
  version,
});

const tombstone = (entity: EntityKind, id: string, version: number): EntityChange => ({
  entity,
  id,
  op: 'tombstone',
  version,
});

const applied = (n: number, tenantId = 't1'): IdempotencyRecord => ({
  tenantId,
  opId: opId(n),
  venueId: 'v1',
  deviceId: 'device-1',
  payloadHash: `hash-${n}`,
  result: {
    opId: opId(n),
    status: 'applied',
    seq: 1,
    changed: [{ entity: 'table', id: 'table-1', version: 1 }],
    at: AT,
  },
  createdAt: AT,
});

const rejected = (n: number): IdempotencyRecord => ({
  ...applied(n),
  result: {
    opId: opId(n),
    status: 'rejected',
    code: 'INVALID_STATE_TRANSITION',
    message: 'the order is closed',
    current: { id: 'order-1', status: 'closed', lines: [1, 2] },
  },
});

const node = (nodeId: string, venueId = 'v1'): EdgeNode => ({
  nodeId,
  tenantId: 't1',
  venueId,
  name: `Relay ${nodeId}`,
  status: 'pending',
  publicKeyJwk: null,
  createdAt: AT,
  enrolledAt: null,
  ackedSeq: 0,
  lastSeenAt: null,
  heartbeat: null,
});

const token = (tokenDigest: string, nodeId: string, expiresAt = LATER): EnrollmentToken => ({
  tokenDigest,
  nodeId,
  expiresAt,
  usedAt: null,
});

const checkpoint = (venueId: string, deviceId: string, seq: number): DeviceCheckpointRecord => ({
  venueId,
  deviceId,
  cursor: `cursor-${seq}`,
  seq,
  outboxDepth: 2,
  oldestPendingAt: seq % 2 === 0 ? AT : null,
  failedOps: 0,
  updatedAt: AT,
});

/** Snapshot records in a fixed order: the port does not promise one. */
const sorted = (records: readonly SnapshotRecord[]): SnapshotRecord[] =>
  [...records].sort((a, b) => {
    const ka = `${a.entity}/${a.data.id}`;
    const kb = `${b.entity}/${b.data.id}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });

/** What protocol's `project` makes of the changes, as snapshot records. */
function projected(changes: readonly EntityChange[]): SnapshotRecord[] {
  const set = project(emptyEntitySet(), changes);
  return sorted(
    ENTITY_KINDS.flatMap((kind) =>
      listEntities(set, kind).map((data) => ({ entity: kind, data }) as SnapshotRecord),
    ),
  );
}

/** The error a promise rejects with; fails when it resolves. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected a rejection, but it resolved');
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * The one contract of the {@link CloudStore} port, run against every adapter. Each test gets a
 * fresh store from `makeStore` holding tenants t1 (venues v1, v2) and t2 (venue w1), and closes
 * it afterwards.
 *
 * @example
 * import { afterEach, beforeEach, describe, expect, it } from 'vitest';
 * runCloudStoreContract('memory', async () => new MemoryCloudStore(), { describe, it, expect, beforeEach, afterEach });
 */
export function runCloudStoreContract(
  name: string,
  makeStore: () => Promise<CloudStore>,
  t: TestApi,
): void {
  const { describe, it, expect, beforeEach, afterEach } = t;

  describe(`CloudStore contract: ${name}`, () => {
    let store: CloudStore;

    const append = (venueId: string, changes: readonly EntityChange[], op?: number) =>
      store.transact(venueId === 'w1' ? 't2' : 't1', (tx) =>
        tx.append(venueId, changes, op === undefined ? { at: AT } : { at: AT, opId: opId(op) }),
      );

    beforeEach(async () => {
      store = await makeStore();
      await store.createTenant({ tenantId: 't1', name: 'Tenant one' });
      await store.createTenant({ tenantId: 't2', name: 'Tenant two' });
      await store.createVenue({ tenantId: 't1', venueId: 'v1', name: 'Venue one' });
      await store.createVenue({ tenantId: 't1', venueId: 'v2', name: 'Venue two' });
      await store.createVenue({ tenantId: 't2', venueId: 'w1', name: 'Venue w' });
    });

    afterEach(async () => {
      await store.close();
    });

    describe('tenants and venues', () => {
      it('creates venues with a fresh stream and lists them by tenant', async () => {
        expect(await store.getVenue('v1')).toEqual({
          tenantId: 't1',
          venueId: 'v1',
          name: 'Venue one',
          epoch: 0,
          compactedThrough: 0,
        });
        expect(await store.getVenue('nope')).toBeUndefined();
        const ids = (await store.listVenues('t1')).map((v) => v.venueId).sort();
        expect(ids).toEqual(['v1', 'v2']);
        expect((await store.listVenues('t2')).map((v) => v.venueId)).toEqual(['w1']);
        expect(await store.listVenues('nobody')).toEqual([]);
        expect(await store.head('v1')).toBe(0);
      });

      it('refuses a venue of an unknown tenant and a venue id twice', async () => {
        await failure(store.createVenue({ tenantId: 'nobody', venueId: 'x1', name: 'X' }));
        await failure(store.createVenue({ tenantId: 't2', venueId: 'v1', name: 'Again' }));
        expect(await store.getVenue('x1')).toBeUndefined();
        expect((await store.getVenue('v1'))?.tenantId).toBe('t1');
      });

      it('throws for an unknown venue everywhere a venue is required', async () => {
        await failure(store.head('nope'));
        await failure(store.readFeed('nope', 0, { limit: 10 }));
        await failure(store.loadSnapshot('nope'));
        await failure(store.compactFeed('nope', 1));
        await failure(store.bumpEpoch('nope'));
        await failure(store.transact('t1', (tx) => tx.head('nope')));
        await failure(
          store.transact('t1', (tx) => tx.append('nope', [table('table-1', 1)], { at: AT })),
        );
      });
    });

    describe('append', () => {
      it('assigns gapless seqs per venue, independent across venues, and returns the placed entries', async () => {
        const first = await append('v1', [table('table-1', 1), table('table-2', 1)], 1);
        const other = await append('v2', [table('table-1', 1)]);
        const second = await append('v1', [category('starters', 1)], 2);
        expect(first.map((e) => e.seq)).toEqual([1, 2]);
        expect(second.map((e) => e.seq)).toEqual([3]);
        expect(other.map((e) => e.seq)).toEqual([1]);
        expect(first[0]).toEqual({ ...table('table-1', 1), seq: 1, at: AT, opId: opId(1) });
        expect(other[0] !== undefined && 'opId' in other[0]).toBe(false);
        expect(await store.head('v1')).toBe(3);
        expect(await store.head('v2')).toBe(1);
        expect(await store.head('w1')).toBe(0);
        expect(await store.readFeed('v1', 0, { limit: 100 })).toEqual([...first, ...second]);
      });

      it('appends nothing for no changes', async () => {
        expect(await append('v1', [])).toEqual([]);
        expect(await store.head('v1')).toBe(0);
      });

      it('keeps the newest version of each entity, like protocol project', async () => {
        const changes = [
          table('table-1', 1, 4),
          table('table-1', 2, 6),
          table('table-1', 1, 2),
          table('table-1', 2, 8),
        ];
        await append('v1', changes);
        const snapshot = await store.loadSnapshot('v1');
        expect(snapshot.records).toEqual([
          { entity: 'table', data: { id: 'table-1', label: 'table-1', seats: 6, version: 2 } },
        ]);
        // The feed keeps every entry, stale ones included.
        expect(await store.head('v1')).toBe(4);
        expect(sorted(snapshot.records)).toEqual(projected(changes));
      });

      it('applies tombstones unless older than what is held', async () => {
        const changes = [
          table('table-1', 1),
          tombstone('table', 'table-1', 1),
          table('table-2', 3),
          tombstone('table', 'table-2', 2),
          tombstone('table', 'table-9', 1),
          category('mains', 2),
          tombstone('menuCategory', 'mains', 5),
          category('mains', 1),
          table('table-3', 1),
        ];
        const placed = await append('v1', changes, 7);
        expect(placed).toHaveLength(changes.length);
        expect(placed[1]).toEqual({
          entity: 'table',
          id: 'table-1',
          op: 'tombstone',
          version: 1,
          seq: 2,
          at: AT,
          opId: opId(7),
        });
        const { records } = await store.loadSnapshot('v1');
        expect(sorted(records)).toEqual(projected(changes));
        expect(sorted(records).map((r) => `${r.entity}/${r.data.id}@${r.data.version}`)).toEqual([
          'menuCategory/mains@1',
          'table/table-2@3',
          'table/table-3@1',
        ]);
      });
    });

    describe('readFeed', () => {
      beforeEach(async () => {
        await append(
          'v1',
          [table('table-1', 1), category('c1', 1), table('table-2', 1), category('c1', 2)],
          1,
        );
        await append('v1', [tombstone('table', 'table-1', 2)], 2);
        await append('v2', [table('table-1', 1)]);
      });

      const seqs = async (
        afterSeq: number,
        options: { limit: number; kinds?: EntityKind[]; throughSeq?: number },
      ) => (await store.readFeed('v1', afterSeq, options)).map((e) => e.seq);

      it('reads after a seq, in order, up to a limit', async () => {
        expect(await seqs(0, { limit: 100 })).toEqual([1, 2, 3, 4, 5]);
        expect(await seqs(2, { limit: 100 })).toEqual([3, 4, 5]);
        expect(await seqs(0, { limit: 2 })).toEqual([1, 2]);
        expect(await seqs(5, { limit: 100 })).toEqual([]);
        expect(await seqs(0, { limit: 0 })).toEqual([]);
      });

      it('filters by kinds and stops at throughSeq', async () => {
        expect(await seqs(0, { limit: 100, kinds: ['menuCategory'] })).toEqual([2, 4]);
        expect(await seqs(2, { limit: 1, kinds: ['menuCategory'] })).toEqual([4]);
        expect(await seqs(0, { limit: 100, kinds: ['table', 'menuCategory'] })).toEqual([
          1, 2, 3, 4, 5,
        ]);
        expect(await seqs(0, { limit: 100, kinds: ['order'] })).toEqual([]);
        expect(await seqs(0, { limit: 100, kinds: [] })).toEqual([]);
        expect(await seqs(0, { limit: 100, throughSeq: 3 })).toEqual([1, 2, 3]);
        expect(await seqs(1, { limit: 100, throughSeq: 4, kinds: ['table'] })).toEqual([3]);
        expect(await seqs(0, { limit: 1, throughSeq: 4, kinds: ['table'] })).toEqual([1]);
      });

      it('returns tombstones without data and with their opId', async () => {
        const [entry] = await store.readFeed('v1', 4, { limit: 1 });
        expect(entry).toEqual({
          entity: 'table',
          id: 'table-1',
          op: 'tombstone',
          version: 2,
          seq: 5,
          at: AT,
          opId: opId(2),
        });
      });
    });

    describe('loadSnapshot', () => {
      it('holds at the head and filters by kinds', async () => {
        await append('v1', [table('table-1', 1), category('c1', 1), category('c2', 1)]);
        await append('v2', [table('table-9', 1)]);
        const all = await store.loadSnapshot('v1');
        expect(all.seq).toBe(await store.head('v1'));
        expect(all.seq).toBe(3);
        expect(sorted(all.records).map((r) => r.data.id)).toEqual(['c1', 'c2', 'table-1']);
        const menu = await store.loadSnapshot('v1', ['menuCategory']);
        expect(menu.seq).toBe(3);
        expect(sorted(menu.records).map((r) => r.data.id)).toEqual(['c1', 'c2']);
        expect((await store.loadSnapshot('v1', [])).records).toEqual([]);
        expect(await store.loadSnapshot('w1')).toEqual({ seq: 0, records: [] });
      });

      it('inside a transaction, loadEntities sees the transaction’s own appends', async () => {
        await append('v1', [table('table-1', 1)]);
        await store.transact('t1', async (tx) => {
          await tx.append('v1', [table('table-2', 1)], { at: AT });
          const loaded = await tx.loadEntities('v1');
          expect(loaded.seq).toBe(2);
          expect(sorted(loaded.records).map((r) => r.data.id)).toEqual(['table-1', 'table-2']);
        });
      });
    });

    describe('transact', () => {
      it('returns what the work returns, and the tx sees its own writes', async () => {
        const result = await store.transact('t1', async (tx) => {
          expect(await tx.head('v1')).toBe(0);
          await tx.append('v1', [table('table-1', 1)], { at: AT });
          expect(await tx.head('v1')).toBe(1);
          await tx.putIdempotency(applied(1));
          expect(await tx.getIdempotency('t1', opId(1))).toEqual(applied(1));
          return 'done';
        });
        expect(result).toBe('done');
      });

      it('leaves nothing behind when the work throws', async () => {
        await append('v1', [table('table-1', 1)], 1);
        const feedBefore = await store.readFeed('v1', 0, { limit: 100 });
        const snapshotBefore = await store.loadSnapshot('v1');
        expect(await store.head('v1')).toBe(1);
        const error = await failure(
          store.transact('t1', async (tx) => {
            await tx.append('v1', [table('table-1', 2, 9), table('table-2', 1)], {
              at: AT,
              opId: opId(2),
            });
            await tx.append('v2', [category('c1', 1)], { at: AT, opId: opId(2) });
            await tx.putIdempotency(applied(2));
            await tick();
            throw new Error('boom');
          }),
        );
        expect(error.message).toBe('boom');
        expect(await store.head('v1')).toBe(1);
        expect(await store.head('v2')).toBe(0);
        expect(await store.readFeed('v1', 0, { limit: 100 })).toEqual(feedBefore);
        expect(await store.readFeed('v2', 0, { limit: 100 })).toEqual([]);
        expect(await store.loadSnapshot('v1')).toEqual(snapshotBefore);
        expect(await store.getIdempotency('t1', opId(2))).toBeUndefined();
        // And the next transaction carries on from the committed head.
        expect((await append('v1', [table('table-3', 1)])).map((e) => e.seq)).toEqual([2]);
      });

      it('shows nothing uncommitted to reads outside the transaction', async () => {
        await store.transact('t1', async (tx) => {
          await tx.append('v1', [table('table-1', 1)], { at: AT });
          await tx.putIdempotency(applied(1));
          await tick();
          expect(await store.head('v1')).toBe(0);
          expect(await store.readFeed('v1', 0, { limit: 10 })).toEqual([]);
          expect(await store.loadSnapshot('v1')).toEqual({ seq: 0, records: [] });
          expect(await store.getIdempotency('t1', opId(1))).toBeUndefined();
        });
        expect(await store.head('v1')).toBe(1);
        expect(await store.getIdempotency('t1', opId(1))).toEqual(applied(1));
      });

      it('does not roll back a write made outside a failing transaction', async () => {
        let outside: Promise<void> | undefined;
        await failure(
          store.transact('t1', async (tx) => {
            await tx.append('v1', [table('table-1', 1)], { at: AT });
            // Not awaited: an adapter may queue it behind this transaction.
            outside = store.putCheckpoint(checkpoint('v1', 'device-a', 1));
            throw new Error('boom');
          }),
        );
        await outside;
        expect(await store.listCheckpoints('v1')).toEqual([checkpoint('v1', 'device-a', 1)]);
        expect(await store.head('v1')).toBe(0);
      });

      it('serialises concurrent transactions: gapless seqs, no duplicates', async () => {
        const seen: { head: number; seq: number }[] = [];
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.transact('t1', async (tx) => {
              const head = await tx.head('v1');
              await tick();
              const [entry] = await tx.append('v1', [table(`table-${i}`, 1)], { at: AT });
              await Promise.resolve();
              seen.push({ head, seq: entry?.seq ?? -1 });
            }),
          ),
        );
        const seqs = seen.map((s) => s.seq).sort((a, b) => a - b);
        expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        expect(seen.every((s) => s.seq === s.head + 1)).toBe(true);
        expect(await store.head('v1')).toBe(20);
        expect((await store.readFeed('v1', 0, { limit: 100 })).map((e) => e.seq)).toEqual(seqs);
      });

      it('commits concurrent transactions of different tenants', async () => {
        await Promise.all([
          ...Array.from({ length: 5 }, (_, i) => append('v1', [table(`table-${i}`, 1)])),
          ...Array.from({ length: 5 }, (_, i) => append('w1', [table(`table-${i}`, 1)])),
        ]);
        expect(await store.head('v1')).toBe(5);
        expect(await store.head('w1')).toBe(5);
        expect((await store.readFeed('w1', 0, { limit: 100 })).map((e) => e.seq)).toEqual([
          1, 2, 3, 4, 5,
        ]);
      });
    });

    describe('idempotency', () => {
      it('keeps first results by tenant and op id', async () => {
        await store.transact('t1', async (tx) => {
          await tx.putIdempotency(applied(1));
          await tx.putIdempotency(rejected(2));
          await tx.putIdempotency(applied(1, 't2'));
        });
        expect(await store.getIdempotency('t1', opId(1))).toEqual(applied(1));
        expect(await store.getIdempotency('t1', opId(2))).toEqual(rejected(2));
        expect(await store.getIdempotency('t2', opId(1))).toEqual(applied(1, 't2'));
        expect(await store.getIdempotency('t2', opId(2))).toBeUndefined();
        expect(await store.getIdempotency('t1', opId(3))).toBeUndefined();
      });

      it('deletes records created before a cutoff, and never the feed', async () => {
        const at = (n: number, createdAt: string): IdempotencyRecord => ({
          ...applied(n),
          createdAt,
        });
        await store.transact('t1', async (tx) => {
          await tx.append('v1', [table('table-1', 1)], { at: AT, opId: opId(1) });
          await tx.putIdempotency(at(1, '2026-11-01T00:00:00.000Z'));
          await tx.putIdempotency(at(2, '2026-11-10T00:00:00.000Z'));
          await tx.putIdempotency(at(3, '2026-11-20T00:00:00.000Z'));
        });
        const feed = await store.readFeed('v1', 0, { limit: 100 });
        expect(await store.deleteIdempotencyBefore('2026-11-10T00:00:00.000Z')).toBe(1);
        expect(await store.getIdempotency('t1', opId(1))).toBeUndefined();
        expect(await store.getIdempotency('t1', opId(2))).toEqual(
          at(2, '2026-11-10T00:00:00.000Z'),
        );
        expect(await store.deleteIdempotencyBefore('2026-12-01T00:00:00.000Z')).toBe(2);
        expect(await store.deleteIdempotencyBefore('2026-12-01T00:00:00.000Z')).toBe(0);
        expect(await store.readFeed('v1', 0, { limit: 100 })).toEqual(feed);
        expect(await store.head('v1')).toBe(1);
      });
    });

    describe('staff credentials', () => {
      const staff = (pinDigest: string, name: string): StaffCredential => ({
        tenantId: 't1',
        venueId: 'v1',
        memberId: `member-${name}`,
        name,
        role: 'kitchen',
        pinDigest,
      });

      it('finds staff by venue and PIN digest', async () => {
        await store.putStaffCredential(staff('digest-1', 'Ana'));
        await store.putStaffCredential(staff('digest-2', 'Ben'));
        expect(await store.findStaffByPinDigest('v1', 'digest-1')).toEqual(
          staff('digest-1', 'Ana'),
        );
        expect(await store.findStaffByPinDigest('v2', 'digest-1')).toBeUndefined();
        expect(await store.findStaffByPinDigest('v1', 'digest-3')).toBeUndefined();
        await store.putStaffCredential(staff('digest-1', 'Cleo'));
        expect((await store.findStaffByPinDigest('v1', 'digest-1'))?.name).toBe('Cleo');
      });

      it('lists a venue’s staff in member id order, and no other venue’s', async () => {
        await store.putStaffCredential(staff('digest-2', 'Ben'));
        await store.putStaffCredential(staff('digest-1', 'Ana'));
        await store.putStaffCredential({ ...staff('digest-9', 'Zed'), venueId: 'v2' });
        expect((await store.listStaffCredentials('v1')).map((c) => c.name)).toEqual(['Ana', 'Ben']);
        expect(await store.listStaffCredentials('v3')).toEqual([]);
      });
    });

    describe('edge nodes', () => {
      beforeEach(async () => {
        await store.createEdgeNode(node('node-b'), token('token-b', 'node-b'));
        await store.createEdgeNode(node('node-a'), token('token-a', 'node-a'));
        await store.createEdgeNode(node('node-c', 'v2'), token('token-c', 'node-c', AT));
      });

      it('creates, gets and lists nodes by venue', async () => {
        expect(await store.getEdgeNode('node-a')).toEqual(node('node-a'));
        expect(await store.getEdgeNode('node-x')).toBeUndefined();
        expect((await store.listEdgeNodes('v1')).map((n) => n.nodeId)).toEqual([
          'node-a',
          'node-b',
        ]);
        expect(await store.listEdgeNodes('v2')).toEqual([node('node-c', 'v2')]);
        expect(await store.listEdgeNodes('w1')).toEqual([]);
      });

      it('updates only the patched fields', async () => {
        await store.updateEdgeNode('node-a', {
          ackedSeq: 42,
          lastSeenAt: LATER,
          heartbeat: '{"online":true}',
        });
        expect(await store.getEdgeNode('node-a')).toEqual({
          ...node('node-a'),
          ackedSeq: 42,
          lastSeenAt: LATER,
          heartbeat: '{"online":true}',
        });
        await store.updateEdgeNode('node-a', { status: 'revoked' });
        expect(await store.getEdgeNode('node-a')).toEqual({
          ...node('node-a'),
          ackedSeq: 42,
          lastSeenAt: LATER,
          heartbeat: '{"online":true}',
          status: 'revoked',
        });
        await store.updateEdgeNode('node-a', { heartbeat: null });
        expect((await store.getEdgeNode('node-a'))?.heartbeat).toBe(null);
        await store.updateEdgeNode('node-x', { ackedSeq: 1 });
        expect(await store.getEdgeNode('node-x')).toBeUndefined();
      });

      it('redeems an enrollment token once, activating its node', async () => {
        const active = {
          ...node('node-a'),
          status: 'active',
          publicKeyJwk: '{"kty":"OKP"}',
          enrolledAt: AT,
        };
        expect(await store.redeemEnrollmentToken('token-a', AT, '{"kty":"OKP"}')).toEqual(active);
        expect(await store.getEdgeNode('node-a')).toEqual(active);
        expect(await store.redeemEnrollmentToken('token-a', AT, '{"kty":"other"}')).toBeUndefined();
        expect(await store.getEdgeNode('node-a')).toEqual(active);
      });

      it('refuses unknown and expired tokens, and nodes no longer pending', async () => {
        expect(await store.redeemEnrollmentToken('token-x', AT, '{}')).toBeUndefined();
        // token-c expires at AT: expired at that instant.
        expect(await store.redeemEnrollmentToken('token-c', AT, '{}')).toBeUndefined();
        expect(await store.getEdgeNode('node-c')).toEqual(node('node-c', 'v2'));
        expect(await store.redeemEnrollmentToken('token-b', LATER, '{}')).toBeUndefined();
        await store.updateEdgeNode('node-b', { status: 'revoked' });
        expect(await store.redeemEnrollmentToken('token-b', AT, '{}')).toBeUndefined();
        expect((await store.getEdgeNode('node-b'))?.status).toBe('revoked');
      });
    });

    describe('device checkpoints', () => {
      it('upserts by venue and device, listing by device id', async () => {
        await store.putCheckpoint(checkpoint('v1', 'device-b', 3));
        await store.putCheckpoint(checkpoint('v1', 'device-a', 1));
        await store.putCheckpoint(checkpoint('v2', 'device-a', 7));
        expect(await store.listCheckpoints('v1')).toEqual([
          checkpoint('v1', 'device-a', 1),
          checkpoint('v1', 'device-b', 3),
        ]);
        await store.putCheckpoint(checkpoint('v1', 'device-a', 4));
        expect(await store.listCheckpoints('v1')).toEqual([
          checkpoint('v1', 'device-a', 4),
          checkpoint('v1', 'device-b', 3),
        ]);
        expect(await store.listCheckpoints('v2')).toEqual([checkpoint('v2', 'device-a', 7)]);
        expect(await store.listCheckpoints('w1')).toEqual([]);
      });
    });

    describe('stream bookkeeping', () => {
      it('compacts the feed through a seq without touching head or entities, never moving back', async () => {
        await append('v1', [
          table('table-1', 1),
          table('table-2', 1),
          table('table-3', 1),
          table('table-1', 2),
          table('table-4', 1),
        ]);
        const snapshot = await store.loadSnapshot('v1');
        await store.compactFeed('v1', 3);
        expect((await store.getVenue('v1'))?.compactedThrough).toBe(3);
        expect((await store.readFeed('v1', 0, { limit: 100 })).map((e) => e.seq)).toEqual([4, 5]);
        expect(await store.head('v1')).toBe(5);
        expect(await store.loadSnapshot('v1')).toEqual(snapshot);
        await store.compactFeed('v1', 2);
        expect((await store.getVenue('v1'))?.compactedThrough).toBe(3);
        expect((await store.getVenue('v2'))?.compactedThrough).toBe(0);
        expect((await append('v1', [table('table-5', 1)])).map((e) => e.seq)).toEqual([6]);
      });

      it('bumps the epoch', async () => {
        expect(await store.bumpEpoch('v1')).toBe(1);
        expect(await store.bumpEpoch('v1')).toBe(2);
        expect((await store.getVenue('v1'))?.epoch).toBe(2);
        expect((await store.getVenue('v2'))?.epoch).toBe(0);
      });
    });
  });
}
