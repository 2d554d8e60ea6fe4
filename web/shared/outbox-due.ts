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
 *      `${sendToKitchen opId}-${station}`). A priority op takes its related earlier ops along,
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

function groupOf(entry: OutboxEntry): string {
  return `${entry.op.venueId}\n${entry.op.deviceId}`;
}

/**
 * The next batch to send, at most `limit` ops, in the order the server must see them (see the
 * ordering rule above). Empty when nothing is due.
 *
 * @example
 * const batch = pickBatch(await ops.all(), Date.now(), 50);
 */
export function pickBatch(
  entries: readonly OutboxEntry[],
  now: number,
  limit: number,
): OutboxEntry[] {
  const queued = entries.filter((e) => e.status === 'pending' || e.status === 'sending');
  const byOpId = new Map(entries.map((entry) => [entry.opId, entry]));
  const subjects = new Map(queued.map((entry) => [entry.seq, subjectsOf(entry.op)]));

  const related = (earlier: OutboxEntry, later: OutboxEntry): boolean => {
    if (later.op.dependsOn.includes(earlier.opId)) return true;
    const mine = subjects.get(later.seq) ?? [];
    const theirs = subjects.get(earlier.seq) ?? [];
    return mine.some((id) => theirs.includes(id) || id.startsWith(earlier.opId));
  };
  const mustPrecede = (entry: OutboxEntry): OutboxEntry[] =>
    queued.filter(
      (other) =>
        other.seq < entry.seq && groupOf(other) === groupOf(entry) && related(other, entry),
    );

  const batch: OutboxEntry[] = [];
  const chosen = new Set<number>();
  const blocked = new Set<number>();
  const admit = (entry: OutboxEntry): boolean => {
    if (chosen.has(entry.seq)) return true;
    if (blocked.has(entry.seq)) return false;
    const ready =
      entry.status === 'pending' &&
      entry.nextAttemptAt <= now &&
      mustPrecede(entry).every(admit) &&
      entry.op.dependsOn.every((opId) => {
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

  const ordered = [
    ...queued.filter((entry) => entry.lane === 'priority'),
    ...queued.filter((entry) => entry.lane === 'default'),
  ];
  let group: string | null = null;
  for (const entry of ordered) {
    if (batch.length >= limit) break;
    if (group !== null && groupOf(entry) !== group) continue;
    if (admit(entry)) group = groupOf(entry);
  }
  return batch;
}
