import {
  ENTITY_KINDS,
  type EntityChange,
  type EntityKind,
  emptyEntitySet,
  type FeedEntry,
  listEntities,
  type Operation,
  type Projectable,
  project,
  type SnapshotRecord,
} from '#protocol';
import type { JournalRecord, RelayState, RelayStore, StaffRecord } from './relay-store.ts';

type Body = () => void | Promise<void>;

interface Matchers {
  readonly not: Matchers;
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeUndefined(): void;
  toHaveLength(length: number): void;
  toThrow(expected?: RegExp): void;
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
const TENANT = 'demo-tenant';
const VENUE = 'demo-bistro';

/** A valid ULID op id from a small number. */
const opId = (n: number): string => `01JD${String(n).padStart(22, '0')}`;

const operation = (n: number): Operation => ({
  opId: opId(n),
  deviceId: 'device-1',
  tenantId: TENANT,
  venueId: VENUE,
  actorId: 'member-1',
  payloadHash: 'a'.repeat(64),
  dependsOn: [],
  occurredAt: AT,
  type: 'menu.item.setAvailability',
  payload: { itemId: `item-${n}`, available: n % 2 === 0 },
});

/** Journal record `n` at journal position `jseq`, accepted locally. */
const journal = (n: number, jseq = n, receivedAt = AT): JournalRecord => ({
  jseq,
  opId: opId(n),
  deviceId: 'device-1',
  op: operation(n),
  principal: {
    kind: 'staff',
    tenantId: TENANT,
    venueId: VENUE,
    actorId: 'member-1',
    role: 'server',
  },
  receivedAt,
  status: 'pending',
  result: { opId: opId(n), status: 'accepted_local', seq: n, changed: [], at: receivedAt },
});

const synced = (n: number) => ({
  opId: opId(n),
  status: 'synced' as const,
  result: {
    opId: opId(n),
    status: 'applied' as const,
    seq: 40 + n,
    changed: [{ entity: 'table' as const, id: 'table-1', version: 2 }],
    at: LATER,
  },
});

const rejected = (n: number) => ({
  opId: opId(n),
  status: 'rejected' as const,
  result: {
    opId: opId(n),
    status: 'rejected' as const,
    code: 'ITEM_UNAVAILABLE' as const,
    message: 'sold out',
    current: { id: `item-${n}`, available: false },
  },
});

const table = (id: string, version: number, seats = 4): EntityChange => ({
  entity: 'table',
  id,
  op: 'upsert',
  data: { id, label: id.slice(0, 20), seats, version },
  version,
});

const category = (id: string, version: number): EntityChange => ({
  entity: 'menuCategory',
  id,
  op: 'upsert',
  data: { id, name: id, position: 0, version },
  version,
});

const tombstone = (entity: EntityKind, id: string, version: number): EntityChange => ({
  entity,
  id,
  op: 'tombstone',
  version,
});

/** Changes placed on the LAN feed from `firstSeq` on, as the relay's writer places them. */
const placed = (firstSeq: number, changes: readonly EntityChange[], n?: number): FeedEntry[] =>
  changes.map(
    (change, index) =>
      ({
        ...change,
        seq: firstSeq + index,
        at: AT,
        ...(n === undefined ? {} : { opId: opId(n) }),
      }) as FeedEntry,
  );

/** What protocol's `project` makes of the changes: records in kind order, then id order. */
function projected(changes: readonly Projectable[]): SnapshotRecord[] {
  const set = project(emptyEntitySet(), changes);
  return ENTITY_KINDS.flatMap((kind) =>
    listEntities(set, kind).map((data) => ({ entity: kind, data }) as SnapshotRecord),
  );
}

const staff = (memberId: string, pinDigest: string): StaffRecord => ({
  memberId,
  name: `Staff ${memberId}`,
  role: 'server',
  pinDigest,
});

const EMPTY: RelayState = {
  confirmed: [],
  visible: [],
  pending: [],
  feedHead: 0,
  epoch: 0,
  cloudCursor: null,
  cloudSeq: 0,
  nextJseq: 1,
};

/**
 * The one contract of the {@link RelayStore} port, run against every adapter. Each test gets a
 * fresh, empty store from `makeStore` and closes it afterwards.
 *
 * @example
 * import { afterEach, beforeEach, describe, expect, it } from 'vitest';
 * runRelayStoreContract('memory', () => new MemoryRelayStore(), { describe, it, expect, beforeEach, afterEach });
 */
export function runRelayStoreContract(name: string, makeStore: () => RelayStore, t: TestApi): void {
  const { describe, it, expect, beforeEach, afterEach } = t;

  describe(`RelayStore contract: ${name}`, () => {
    let store: RelayStore;

    beforeEach(() => {
      store = makeStore();
    });

    afterEach(() => {
      store.close();
    });

    it('starts empty', () => {
      expect(store.load()).toEqual(EMPTY);
      expect(store.snapshot()).toEqual({ seq: 0, records: [] });
      expect(store.readFeed(0, { limit: 10 })).toEqual([]);
      expect(store.pendingJournal(10)).toEqual([]);
      expect(store.journalDepth()).toEqual({ pending: 0, oldestReceivedAt: null });
      expect(store.journalEntry(opId(1))).toBeUndefined();
      expect(store.findStaff('digest')).toBeUndefined();
      expect(store.hasStaffList()).toBe(false);
    });

    it('lands journal inserts, feed and confirmed changes of one commit together', () => {
      const feed = placed(1, [table('table-1', 1), category('mains', 1)], 1);
      store.commit({
        journalInserts: [journal(1), journal(2)],
        confirmed: [table('table-1', 1)],
        feed,
        cloudCursor: { cursor: 'cursor-7', seq: 7 },
      });
      expect(store.load()).toEqual({
        confirmed: projected([table('table-1', 1)]),
        visible: projected(feed),
        pending: [journal(1), journal(2)],
        feedHead: 2,
        epoch: 0,
        cloudCursor: 'cursor-7',
        cloudSeq: 7,
        nextJseq: 3,
      });
      expect(store.journalEntry(opId(2))).toEqual(journal(2));
      expect(store.readFeed(0, { limit: 10 })).toEqual(feed);
    });

    it('visits every journaled opId, pending or settled', () => {
      const seen = (): string[] => {
        const ids: string[] = [];
        store.forEachOpId((id) => ids.push(id));
        return ids.sort();
      };
      expect(seen()).toEqual([]);
      store.commit({ journalInserts: [journal(1), journal(2), journal(3)] });
      store.commit({ journalUpdates: [synced(1), rejected(2)] });
      expect(seen()).toEqual([opId(1), opId(2), opId(3)]);
    });

    it('lists the ops the cloud applied above a seq, in journal order', () => {
      store.commit({ journalInserts: [journal(1), journal(2), journal(3), journal(4)] });
      // synced(n) was applied at seq 40 + n.
      store.commit({ journalUpdates: [synced(3), synced(1), rejected(2)] });
      expect(store.appliedAfter(0).map((r) => r.opId)).toEqual([opId(1), opId(3)]);
      expect(store.appliedAfter(41).map((r) => r.opId)).toEqual([opId(3)]);
      expect(store.appliedAfter(43)).toEqual([]);
      expect(store.appliedAfter(42)[0]).toEqual({ ...journal(3), ...synced(3) });
    });

    it('lands nothing of a commit that repeats an opId', () => {
      store.commit({
        journalInserts: [journal(1)],
        confirmed: [table('table-1', 1)],
        feed: placed(1, [table('table-1', 1)], 1),
      });
      const before = store.load();
      expect(() =>
        store.commit({
          journalInserts: [journal(2), journal(1, 3)],
          journalUpdates: [synced(1)],
          resetConfirmed: true,
          confirmed: [table('table-2', 1)],
          feed: placed(2, [table('table-2', 1), tombstone('table', 'table-1', 2)], 2),
          cloudCursor: { cursor: 'cursor-9', seq: 9 },
          epoch: 4,
        }),
      ).toThrow(/already holds/);
      expect(store.load()).toEqual(before);
      expect(store.journalEntry(opId(2))).toBeUndefined();
      expect(store.journalEntry(opId(1))).toEqual(journal(1));
      expect(store.readFeed(0, { limit: 10 })).toEqual(placed(1, [table('table-1', 1)], 1));
      expect(store.snapshot()).toEqual({ seq: 1, records: projected([table('table-1', 1)]) });
    });

    describe('versions', () => {
      // In one commit and across commits: older or equal upserts are skipped, a tombstone
      // removes what is held unless what is held is newer.
      const rounds: readonly (readonly EntityChange[])[] = [
        [table('t-a', 2), table('t-b', 1), table('t-c', 1), category('mains', 1)],
        [table('t-a', 1, 9), table('t-a', 2, 9), table('t-b', 3, 6)],
        [tombstone('table', 't-b', 2), tombstone('table', 't-c', 1), tombstone('table', 'gone', 5)],
        [table('t-c', 1, 7), tombstone('menuCategory', 'mains', 4), table('t-a', 5, 2)],
      ];
      const expected = projected(rounds.flat());
      /** What `project` holds after each round. */
      const after = rounds.map((_, i) => projected(rounds.slice(0, i + 1).flat()));

      it('projects the confirmed layer with the rules of protocol’s project', () => {
        rounds.forEach((changes, i) => {
          store.commit({ confirmed: changes });
          expect(store.load().confirmed).toEqual(after[i]);
        });
        expect(store.load().visible).toEqual([]);
      });

      it('projects the visible layer from the feed with the same rules', () => {
        let seq = 1;
        rounds.forEach((changes, i) => {
          store.commit({ feed: placed(seq, changes) });
          seq += changes.length;
          expect(store.snapshot()).toEqual({ seq: seq - 1, records: after[i] });
        });
        expect(store.load().visible).toEqual(expected);
        expect(store.load().confirmed).toEqual([]);
      });

      it('applies the changes of one commit in order', () => {
        const changes = rounds.flat();
        store.commit({ confirmed: changes, feed: placed(1, changes) });
        expect(store.load().confirmed).toEqual(expected);
        expect(store.load().visible).toEqual(expected);
      });
    });

    it('reads the feed after a seq, through a seq, of some kinds, up to a limit', () => {
      const feed = placed(1, [
        table('t-1', 1),
        category('mains', 1),
        table('t-2', 1),
        tombstone('table', 't-1', 2),
        category('desserts', 1),
        table('t-3', 1),
      ]);
      store.commit({ feed: feed.slice(0, 3) });
      store.commit({ feed: feed.slice(3) });
      expect(store.readFeed(0, { limit: 100 })).toEqual(feed);
      expect(store.readFeed(2, { limit: 100 })).toEqual(feed.slice(2));
      expect(store.readFeed(0, { limit: 2 })).toEqual(feed.slice(0, 2));
      expect(store.readFeed(0, { limit: 0 })).toEqual([]);
      expect(store.readFeed(6, { limit: 100 })).toEqual([]);
      expect(store.readFeed(1, { limit: 100, throughSeq: 4 })).toEqual(feed.slice(1, 4));
      expect(store.readFeed(0, { limit: 100, kinds: ['menuCategory'] })).toEqual([
        feed[1],
        feed[4],
      ]);
      expect(store.readFeed(0, { limit: 100, kinds: ['table', 'order'] })).toEqual(
        feed.filter((e) => e.entity === 'table'),
      );
      expect(store.readFeed(0, { limit: 100, kinds: [] })).toEqual([]);
      expect(store.readFeed(1, { limit: 1, kinds: ['table'], throughSeq: 5 })).toEqual([feed[2]]);
    });

    it('snapshots the visible layer of some kinds with the feed head', () => {
      const changes = [table('t-2', 1), category('mains', 1), table('t-1', 1)];
      store.commit({ confirmed: [table('only-confirmed', 1)], feed: placed(1, changes) });
      store.commit({ feed: placed(4, [tombstone('table', 't-2', 1)]) });
      const visible = projected([...changes, tombstone('table', 't-2', 1)]);
      expect(store.snapshot()).toEqual({ seq: 4, records: visible });
      expect(store.snapshot(['table'])).toEqual({
        seq: 4,
        records: projected([table('t-1', 1)]),
      });
      expect(store.snapshot(['menuCategory', 'order'])).toEqual({
        seq: 4,
        records: projected([category('mains', 1)]),
      });
      expect(store.snapshot([])).toEqual({ seq: 4, records: [] });
      expect(store.load().visible).toEqual(visible);
    });

    it('settles journal records and lists pending ones in journal order', () => {
      store.commit({ journalInserts: [journal(3), journal(1)] });
      store.commit({ journalInserts: [journal(2), journal(5), journal(4)] });
      expect(store.pendingJournal(10)).toEqual([1, 2, 3, 4, 5].map((n) => journal(n)));
      store.commit({ journalUpdates: [synced(2), rejected(4), synced(99)] });
      expect(store.pendingJournal(10)).toEqual([journal(1), journal(3), journal(5)]);
      expect(store.pendingJournal(2)).toEqual([journal(1), journal(3)]);
      expect(store.pendingJournal(0)).toEqual([]);
      expect(store.journalEntry(opId(2))).toEqual({ ...journal(2), ...synced(2) });
      expect(store.journalEntry(opId(4))).toEqual({ ...journal(4), ...rejected(4) });
      expect(store.journalEntry(opId(99))).toBeUndefined();
      const state = store.load();
      expect(state.pending).toEqual([journal(1), journal(3), journal(5)]);
      // Settled records still hold their places: journal order never reuses a jseq.
      expect(state.nextJseq).toBe(6);
      store.commit({ journalUpdates: [synced(5)] });
      expect(store.load().nextJseq).toBe(6);
    });

    it('counts pending records and the oldest one’s time', () => {
      const times = ['2026-11-23T19:00:00.000Z', '2026-11-23T19:10:00.000Z', AT];
      store.commit({
        journalInserts: [journal(1, 1, times[0]), journal(2, 2, times[1]), journal(3, 3, times[2])],
      });
      expect(store.journalDepth()).toEqual({ pending: 3, oldestReceivedAt: times[0] });
      store.commit({ journalUpdates: [synced(1)] });
      expect(store.journalDepth()).toEqual({ pending: 2, oldestReceivedAt: times[1] });
      store.commit({ journalUpdates: [synced(2), rejected(3)] });
      expect(store.journalDepth()).toEqual({ pending: 0, oldestReceivedAt: null });
    });

    it('replaces the staff list wholesale and finds a member by PIN digest', () => {
      store.replaceStaff([
        staff('m-1', 'digest-1'),
        { ...staff('m-2', 'digest-2'), role: 'owner' },
      ]);
      expect(store.findStaff('digest-1')).toEqual(staff('m-1', 'digest-1'));
      expect(store.findStaff('digest-2')).toEqual({ ...staff('m-2', 'digest-2'), role: 'owner' });
      expect(store.findStaff('digest-3')).toBeUndefined();
      store.replaceStaff([staff('m-3', 'digest-3')]);
      expect(store.findStaff('digest-1')).toBeUndefined();
      expect(store.findStaff('digest-3')).toEqual(staff('m-3', 'digest-3'));
      store.replaceStaff([]);
      expect(store.findStaff('digest-3')).toBeUndefined();
    });

    it('knows whether a staff list was ever stored, an empty one too', () => {
      expect(store.hasStaffList()).toBe(false);
      store.replaceStaff([]);
      expect(store.hasStaffList()).toBe(true);
      store.replaceStaff([staff('m-1', 'digest-1')]);
      store.replaceStaff([]);
      expect(store.hasStaffList()).toBe(true);
    });

    it('keeps the cloud cursor and the epoch until a commit moves them', () => {
      store.commit({ cloudCursor: { cursor: 'cursor-1', seq: 1 } });
      store.commit({ epoch: 2, journalInserts: [journal(1)] });
      expect(store.load()).toEqual({
        ...EMPTY,
        pending: [journal(1)],
        nextJseq: 2,
        cloudCursor: 'cursor-1',
        cloudSeq: 1,
        epoch: 2,
      });
      store.commit({ cloudCursor: { cursor: 'cursor-40', seq: 40 } });
      store.commit({ epoch: 3 });
      store.commit({});
      const state = store.load();
      expect([state.cloudCursor, state.cloudSeq, state.epoch]).toEqual(['cursor-40', 40, 3]);
    });

    it('resets the confirmed layer before the changes of the same commit', () => {
      store.commit({
        confirmed: [table('t-1', 5), table('t-2', 1), category('mains', 1)],
        feed: placed(1, [table('t-1', 5)]),
      });
      store.commit({ resetConfirmed: true, confirmed: [table('t-1', 1), table('t-3', 1)] });
      expect(store.load().confirmed).toEqual(projected([table('t-1', 1), table('t-3', 1)]));
      // The visible layer is not touched by a reset.
      expect(store.load().visible).toEqual(projected([table('t-1', 5)]));
      store.commit({ resetConfirmed: true });
      expect(store.load().confirmed).toEqual([]);
    });
  });
}
