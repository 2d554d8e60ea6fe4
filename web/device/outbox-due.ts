import type { Operation } from '#protocol';
import { DELIVERED_STATUSES, type OutboxEntry } from './outbox-types.ts';

/*
 * Which queued ops go next: pure functions of the entries and the time, used by the store
 * inside one transaction.
 *
 * The ordering rule
 *   1. One batch is one device's ops for one venue (the batch endpoint takes one deviceId).
 *   2. Priority ops (payments, kitchen fires) go before default ones, and each lane keeps seq
 *      (FIFO) order.
 *   3. But an op never passes an earlier op it is *related* to: one it lists in `dependsOn`,
 *      one that names the same entity (a top-level `…Id` of the payload, e.g. the same
 *      `orderId`), or one whose opId its ids are made from (a ticket id is
 *      `${sending opId}-${station}`). A priority op takes its related earlier ops along,
 *      ahead of the default lane, in seq order ("priority inheritance"), so the order's create
 *      and lines reach the server before its payment, in the same batch.
 *   4. An op whose related earlier op cannot go now (backing off, or in flight) waits with it;
 *      unrelated ops are not held up.
 *   5. A dependency (`dependsOn`) must be delivered (synced or delivered_local) or sent earlier
 *      in the same batch: the server applies a batch in order. A failed dependency fails its
 *      dependents with DEPENDENCY_FAILED; one the outbox does not hold (pruned after it synced,
 *      or made on another device) does not hold anything up: the server judges it.
 */

const FAILED_DEPENDENCY = 'DEPENDENCY_FAILED';
const TOO_OLD = 'TOO_OLD';

function failed(entry: OutboxEntry, code: string, message: string, now: number): OutboxEntry {
  return { ...entry, status: 'failed', lastError: { code, message }, settledAt: now };
}

/**
 * Fails what time and earlier failures have decided: pending ops older than `maxAgeMs`
 * (TOO_OLD) and pending ops whose dependency failed (DEPENDENCY_FAILED, transitively).
 * Returns only the entries it changed.
 */
export function sweep(
  entries: readonly OutboxEntry[],
  now: number,
  maxAgeMs: number,
): OutboxEntry[] {
  const current = new Map(entries.map((entry) => [entry.opId, entry]));
  const changed = new Map<string, OutboxEntry>();
  const settle = (entry: OutboxEntry) => {
    current.set(entry.opId, entry);
    changed.set(entry.opId, entry);
  };
  for (const entry of entries) {
    if (entry.status === 'pending' && now - entry.createdAt > maxAgeMs) {
      const days = Math.round(maxAgeMs / 86_400_000);
      settle(failed(entry, TOO_OLD, `not delivered within ${days} days; never sent again`, now));
    }
  }
  for (let again = true; again; ) {
    again = false;
    for (const entry of current.values()) {
      if (entry.status !== 'pending') continue;
      const dead = entry.op.dependsOn
        .map((opId) => current.get(opId))
        .find((dependency) => dependency?.status === 'failed');
      if (!dead) continue;
      const why = dead.lastError?.code ?? 'FAILED';
      settle(
        failed(entry, FAILED_DEPENDENCY, `depends on ${dead.opId}, which failed (${why})`, now),
      );
      again = true;
    }
  }
  return [...changed.values()];
}

/** The ids an op's payload names at its top level (`orderId`, `ticketId`, `tableId`…). */
function subjectsOf(op: Operation): string[] {
  return Object.entries(op.payload as Record<string, unknown>)
    .filter(([key, value]) => key.endsWith('Id') && typeof value === 'string')
    .map(([, value]) => value as string);
}

// An op's subjects, kept per op object: a replay pass plans batch after batch over the same
// entries (the same `op` objects), and this was a large part of each plan.
const subjectsCache = new WeakMap<Operation, readonly string[]>();

function subjectsOfCached(op: Operation): readonly string[] {
  let subjects = subjectsCache.get(op);
  if (!subjects) {
    subjects = subjectsOf(op);
    subjectsCache.set(op, subjects);
  }
  return subjects;
}

function groupOf(entry: OutboxEntry): string {
  return `${entry.op.venueId}\n${entry.op.deviceId}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * The next batch to send, at most `limit` ops, in the order the server must see them (see the
 * ordering rule above). Empty when nothing is due. A `held` op cannot go now whatever the time
 * (the replayer holds ops made by someone other than who is signed in): like one backing off,
 * it holds back the ops related to it (rule 4).
 *
 * The earlier ops an op is related to (rule 3) are found through indexes (by opId, by subject
 * id) instead of by comparing it with every queued op: the same set, in the same (queue)
 * order. With entries in seq order (as the store and the replayer give them), the indexes
 * cover only the queue up to the last op looked at, so planning a batch costs about the batch,
 * not the queue.
 *
 * @example
 * const batch = pickBatch(await ops.all(), Date.now(), 50);
 */
export function pickBatch(
  entries: readonly OutboxEntry[],
  now: number,
  limit: number,
  held: (entry: OutboxEntry) => boolean = () => false,
): OutboxEntry[] {
  const queued = entries.filter((e) => e.status === 'pending' || e.status === 'sending');
  let byOpId: Map<string, OutboxEntry> | null = null;
  const groups: string[] = [];
  const groupAt = (i: number): string => {
    groups[i] ??= groupOf(queued[i] as OutboxEntry);
    return groups[i];
  };
  const subjectsAt = (i: number) => subjectsOfCached((queued[i] as OutboxEntry).op);
  // Positions in `queued`, by opId and by subject id; and the opId lengths there are, so that
  // "a subject id starts with an earlier opId" is a few lookups of the id's prefixes. Built up
  // to a position as it is needed when the queue is in seq order (an earlier op is then at an
  // earlier position), all at once otherwise.
  const atOpId = new Map<string, number[]>();
  const atSubject = new Map<string, number[]>();
  const opIdLengths = new Set<number>();
  let indexed = 0;
  const indexTo = (end: number) => {
    for (; indexed < end; indexed++) {
      const entry = queued[indexed] as OutboxEntry;
      push(atOpId, entry.opId, indexed);
      opIdLengths.add(entry.opId.length);
      for (const id of new Set(subjectsAt(indexed))) push(atSubject, id, indexed);
    }
  };
  let sorted = true;
  for (let i = 1; i < queued.length && sorted; i++) {
    sorted = (queued[i - 1] as OutboxEntry).seq < (queued[i] as OutboxEntry).seq;
  }
  if (!sorted) indexTo(queued.length);

  /** The queued ops that must go before the op at `i`, in queue order (rule 3). */
  const mustPrecede = (i: number): number[] => {
    if (sorted) indexTo(i);
    const entry = queued[i] as OutboxEntry;
    const found = new Set<number>();
    const consider = (positions: readonly number[] | undefined) => {
      for (const j of positions ?? []) {
        const other = queued[j] as OutboxEntry;
        if (other.seq < entry.seq && groupAt(j) === groupAt(i)) found.add(j);
      }
    };
    for (const opId of entry.op.dependsOn) consider(atOpId.get(opId));
    for (const id of subjectsAt(i)) {
      consider(atSubject.get(id));
      for (const length of opIdLengths) {
        if (length <= id.length) consider(atOpId.get(id.slice(0, length)));
      }
    }
    return [...found].sort((a, b) => a - b);
  };

  const batch: OutboxEntry[] = [];
  const chosen = new Set<number>();
  const blocked = new Set<number>();
  const admit = (i: number): boolean => {
    const entry = queued[i] as OutboxEntry;
    if (chosen.has(entry.seq)) return true;
    if (blocked.has(entry.seq)) return false;
    const ready =
      entry.status === 'pending' &&
      entry.nextAttemptAt <= now &&
      !held(entry) &&
      mustPrecede(i).every(admit) &&
      entry.op.dependsOn.every((opId) => {
        byOpId ??= new Map(entries.map((e) => [e.opId, e]));
        const dependency = byOpId.get(opId);
        return (
          dependency === undefined ||
          DELIVERED_STATUSES.includes(dependency.status) ||
          chosen.has(dependency.seq)
        );
      });
    if (!ready) {
      blocked.add(entry.seq);
      return false;
    }
    if (batch.length >= limit) return false;
    batch.push(entry);
    chosen.add(entry.seq);
    return true;
  };

  const positions = queued.map((_, i) => i);
  const ordered = [
    ...positions.filter((i) => queued[i]?.lane === 'priority'),
    ...positions.filter((i) => queued[i]?.lane === 'default'),
  ];
  let group: string | null = null;
  for (const i of ordered) {
    if (batch.length >= limit) break;
    if (group !== null && groupAt(i) !== group) continue;
    if (admit(i)) group = groupAt(i);
  }
  return batch;
}
