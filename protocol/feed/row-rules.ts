import type { Principal } from '../auth/principal.ts';
import type { EntityKind } from '../entities/entity-kind.ts';
import type { FeedEntry } from './feed-entry.ts';
import type { SnapshotRecord } from './snapshot.ts';

/**
 * Which of a reader's in-scope entries it may see, beyond the scopes: staff and relays see every
 * row; a guest sees only their own table's orders, tickets and service requests. Undefined means
 * every row, so the staff path costs nothing.
 */
export type RowRule = (entry: Pick<FeedEntry, 'entity' | 'op'> & { data?: unknown }) => boolean;

/** The kinds whose rows belong to a table: a guest sees only their own table's. */
export const TABLE_BOUND_KINDS: readonly EntityKind[] = ['order', 'ticket', 'serviceRequest'];

const tableBound = new Set<EntityKind>(TABLE_BOUND_KINDS);

/** The row rule for `principal`: undefined for staff, their table's rows for a guest. */
export function rowRuleFor(principal: Principal | undefined): RowRule | undefined {
  if (principal?.kind !== 'guest') return undefined;
  const { tableId } = principal;
  // A tombstone carries no table, so a guest never sees one of a table-bound kind.
  return (entry) =>
    !tableBound.has(entry.entity) ||
    (entry.op === 'upsert' &&
      (entry.data as { tableId?: unknown } | undefined)?.tableId === tableId);
}

/** `entries` a reader with `rule` may see (the same array when the rule lets every row through). */
export function visibleEntries<E extends FeedEntry>(
  entries: readonly E[],
  rule: RowRule | undefined,
): readonly E[] {
  return rule ? entries.filter(rule) : entries;
}

/**
 * A snapshot's records for a reader: with a guest's rule, their table's current business only —
 * open orders, those orders' tickets and the service requests not yet done — never an earlier
 * party's closed bill. Later changes reach them through the feed, by the same rule.
 */
export function visibleRecords(
  records: readonly SnapshotRecord[],
  rule: RowRule | undefined,
): SnapshotRecord[] {
  if (!rule) return [...records];
  const seen = records.filter((r) => rule({ entity: r.entity, op: 'upsert', data: r.data }));
  const openOrders = new Set(
    seen.flatMap((r) =>
      r.entity === 'order' && (r.data.status === 'open' || r.data.status === 'sent')
        ? [r.data.id]
        : [],
    ),
  );
  return seen.filter((r) => {
    if (r.entity === 'order') return openOrders.has(r.data.id);
    if (r.entity === 'ticket') return openOrders.has(r.data.orderId);
    if (r.entity === 'serviceRequest')
      return r.data.status === 'open' || r.data.status === 'acknowledged';
    return true;
  });
}
