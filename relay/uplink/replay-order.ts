import { opSubjects } from '#protocol';
import type { JournalRecord } from '../store/relay-store.ts';

/**
 * Ids an entity belongs with beyond its own: a ticket's order (an order's voids, voided lines
 * and fired courses change its tickets, so ops on the two must keep their order). From the
 * relay's copy; an id it does not know has none.
 */
export type RelatedIds = (id: string) => readonly string[];

export const NO_RELATED: RelatedIds = () => [];

/**
 * The dishes an op's lines order and it names nowhere else: it needs each to be on (the relay
 * decided it so), and changes none of them. Two such ops never depend on each other; one that
 * changes the dish (sold out, back on) and one that orders it keep their order.
 */
export function dishesReadBy(record: JournalRecord): Set<string> {
  const dishes = new Set<string>();
  const payload = record.op.payload as Record<string, unknown>;
  const lines = payload.lines;
  if (!Array.isArray(lines)) return dishes;
  for (const line of lines) {
    const itemId = (line as { itemId?: unknown } | null)?.itemId;
    if (typeof itemId === 'string') dishes.add(itemId);
  }
  for (const [key, value] of Object.entries(payload))
    if (key.endsWith('Id') && typeof value === 'string') dishes.delete(value);
  return dishes;
}

/**
 * What an op is about: every entity it names (order, ticket, payment, drawer, item, member…)
 * and its own opId (ticket ids derive from it); for a ticket, the op that created it and its
 * order too. Tables are left out: they have no state an op could depend on; so are the dishes
 * its lines only read ({@link dishesReadBy}).
 */
export function touchedBy(record: JournalRecord, related: RelatedIds): Set<string> {
  const read = dishesReadBy(record);
  const ids = new Set<string>();
  for (const id of opSubjects(record.op)) if (!read.has(id)) ids.add(id);
  for (const id of [...ids]) for (const other of related(id)) ids.add(other);
  return ids;
}

/**
 * What an op could depend on: what it is about, the dishes its lines read and the ops it names
 * in `dependsOn`. An earlier op that touches any of it is one the op may need: the op never goes
 * before it.
 */
export function neededBy(record: JournalRecord, related: RelatedIds): Set<string> {
  const ids = touchedBy(record, related);
  for (const dish of dishesReadBy(record)) ids.add(dish);
  for (const dependency of record.op.dependsOn) ids.add(dependency);
  return ids;
}

export const overlaps = (a: ReadonlySet<string>, b: ReadonlySet<string>): boolean => {
  for (const id of a) if (b.has(id)) return true;
  return false;
};

/** Ops of the payment lane: money taken or given back, replayed before everything else. */
export function isPaymentOp(record: JournalRecord): boolean {
  const type: string = record.op.type;
  return type.startsWith('payment.') || type.startsWith('refund.');
}

/**
 * The order pending journal records are replayed in: first the payment lane — every payment or
 * refund op with the still-pending ops it needs (those it names in `dependsOn`, earlier ops on
 * its order, payment or drawer, earlier changes to a dish its lines order — not another check's
 * lines of that dish — and what those need in turn), in journal order — then the rest,
 * in journal order. So a payment taken offline reaches the cloud before the unrelated ops
 * journaled ahead of it, and never before an op it could depend on; apart from the lane's ops
 * overtaking, every device's ops keep their order. `records` are in journal order.
 */
export function replayOrder(
  records: readonly JournalRecord[],
  related: RelatedIds = NO_RELATED,
): JournalRecord[] {
  const { lane, rest } = replayLanes(records, related);
  return [...lane, ...rest];
}

/** {@link replayOrder} in its two parts: the payment lane, and the rest. */
export function replayLanes(
  records: readonly JournalRecord[],
  related: RelatedIds = NO_RELATED,
): { readonly lane: JournalRecord[]; readonly rest: JournalRecord[] } {
  const inLane = new Array<boolean>(records.length).fill(false);
  /** What the lane's ops found so far from the end need: an earlier op touching it joins. */
  const needed = new Set<string>();
  /** What they touch: an earlier op whose lines read a dish among it joins. */
  const touched = new Set<string>();
  // One pass from the end: an op's prerequisites are all earlier than it, so each is met after
  // the op that needs it, whether that op is a payment or joined for one.
  for (let i = records.length - 1; i >= 0; i--) {
    const record = records[i] as JournalRecord;
    if (!isPaymentOp(record) && needed.size === 0) continue;
    const about = touchedBy(record, related);
    const joins =
      isPaymentOp(record) || overlaps(about, needed) || overlaps(dishesReadBy(record), touched);
    if (!joins) continue;
    inLane[i] = true;
    for (const id of neededBy(record, related)) needed.add(id);
    for (const id of about) touched.add(id);
  }
  const lane: JournalRecord[] = [];
  const rest: JournalRecord[] = [];
  for (const [i, record] of records.entries()) (inLane[i] ? lane : rest).push(record);
  return { lane, rest };
}
