import type { FeedEntry } from '#protocol';
import type { Invariant } from './result.ts';

// The day's invariants, pure: each counts offenders in what the run collected, and each must
// be 0. The driver gathers the inputs from the real processes once everything has drained.

const MAX_EXAMPLES = 5;

/** What the invariants need of one op a device (or the payment service for it) made. */
export interface MadeOp {
  readonly opId: string;
  readonly type: string;
  readonly device: string;
  /** What it is about: `opSubjects`, with a ticket's order (what one op could depend on). */
  readonly touches: readonly string[];
  /**
   * It could ride the replay's payment lane: a payment, or an op a payment was taken after
   * while it had not reached the cloud yet (the lane takes a payment with what it needs, and what
   * that needs in turn).
   */
  readonly paymentLane: boolean;
  /** Acknowledged: the person was told it is saved (applied, or accepted by the relay offline). */
  readonly acknowledged: boolean;
  /** True when its first answer said it changed nothing (seq 0): it leaves no feed entry. */
  readonly changedNothing: boolean;
  /** Still waiting in a device's outbox when the day ended. */
  readonly stillQueued: boolean;
  /** Made by the server for the device (a card payment): not in the device's outbox order. */
  readonly serverMade: boolean;
}

/** Payments and refunds: the ops the relay's replay sends ahead of the rest. */
export const isPayment = (type: string): boolean =>
  type.startsWith('payment.') || type.startsWith('refund.');

function invariant(
  name: string,
  means: string,
  offenders: readonly string[],
  count = offenders.length,
): Invariant {
  return { name, value: count, means, examples: offenders.slice(0, MAX_EXAMPLES) };
}

/** The first seq of each opId in a feed. */
export function firstSeqs(feed: readonly FeedEntry[]): Map<string, number> {
  const seqs = new Map<string, number>();
  for (const entry of feed) {
    if (!entry.opId) continue;
    const seen = seqs.get(entry.opId);
    if (seen === undefined || entry.seq < seen) seqs.set(entry.opId, entry.seq);
  }
  return seqs;
}

/**
 * Ops lost: acknowledged ops that left no trace in the cloud (no feed entry and, for ops that
 * changed nothing, no applied record there), and ops never delivered (still queued at the end).
 */
export function opsLost(
  made: readonly MadeOp[],
  cloudSeqs: ReadonlyMap<string, number>,
  appliedInCloud: ReadonlySet<string>,
): Invariant {
  const lost: string[] = [];
  for (const op of made) {
    if (op.stillQueued) {
      lost.push(`${op.device} ${op.type} ${op.opId}: still in the outbox`);
      continue;
    }
    if (!op.acknowledged) continue;
    const there = op.changedNothing ? appliedInCloud.has(op.opId) : cloudSeqs.has(op.opId);
    if (!there) lost.push(`${op.device} ${op.type} ${op.opId}: acknowledged, not in the cloud`);
  }
  return invariant(
    'ops lost',
    'ops a device was told were saved (or still held in an outbox at the end) that the cloud does not have',
    lost,
  );
}

/**
 * Ops applied twice: an op whose changes reach the cloud's feed twice for one entity (one
 * decision changes an entity once), or a payment the processor charged more than once.
 */
export function opsAppliedTwice(
  feed: readonly FeedEntry[],
  chargesByPayment: ReadonlyMap<string, number>,
): Invariant {
  const seen = new Map<string, number>();
  const twice: string[] = [];
  for (const entry of feed) {
    if (!entry.opId) continue;
    const key = `${entry.opId} ${entry.entity}/${entry.id}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, entry.seq);
    else
      twice.push(
        `${entry.opId}: changed ${entry.entity}/${entry.id} at seq ${first} and again at ${entry.seq}`,
      );
  }
  for (const [paymentId, charges] of chargesByPayment)
    if (charges > 1) twice.push(`payment ${paymentId}: charged ${charges} times`);
  return invariant(
    'ops applied twice',
    "ops whose effect reached the cloud's feed more than once, and payments charged more than once",
    twice,
  );
}

/**
 * Per-device order: a device's ops reach the cloud in the order it made them. The one
 * exception is the replay's payment lane (payments and what they need go first): an op may
 * overtake an earlier op of its device only when it could be in that lane (a payment, or an op
 * still on its way when a payment was taken) and the two have nothing in common that one could
 * depend on.
 */
export function perDeviceOrderViolations(
  made: readonly MadeOp[],
  cloudSeqs: ReadonlyMap<string, number>,
): Invariant {
  const byDevice = new Map<string, MadeOp[]>();
  for (const op of made) {
    if (op.serverMade || !cloudSeqs.has(op.opId)) continue;
    const list = byDevice.get(op.device) ?? [];
    list.push(op);
    byDevice.set(op.device, list);
  }
  const violations: string[] = [];
  for (const [device, ops] of byDevice) {
    let highest = -1;
    ops.forEach((b, later) => {
      const seqB = cloudSeqs.get(b.opId) as number;
      const overtook = highest > seqB;
      highest = Math.max(highest, seqB);
      if (!overtook) return;
      for (let earlier = 0; earlier < later; earlier++) {
        const a = ops[earlier] as MadeOp;
        const seqA = cloudSeqs.get(a.opId) as number;
        if (seqA < seqB) continue;
        const independent = !a.touches.some((id) => b.touches.includes(id));
        if (b.paymentLane && independent) continue;
        const shared = a.touches.filter((id) => b.touches.includes(id));
        violations.push(
          `${device}: ${b.type} ${b.opId} at seq ${seqB} before the earlier ${a.type} ${a.opId} at seq ${seqA}` +
            (b.paymentLane
              ? ` (both about ${shared.join(', ')})`
              : ' (no payment was taken while it waited)'),
        );
        break;
      }
    });
  }
  return invariant(
    'per-device order violations',
    "a device's ops that reached the cloud before ops the same device made earlier (only the replay's payment lane may overtake, and never an op it has something in common with)",
    violations,
  );
}

/** One party's flattened entities (`kind/id` → unversioned JSON) and whether it holds them all. */
export interface Holder {
  readonly name: string;
  readonly entities: ReadonlyMap<string, string>;
  /** True: it holds the whole venue (the relay), so entities missing from it count too. */
  readonly whole: boolean;
}

/**
 * Entities that differ from the cloud's at the end: for the relay every entity either side
 * holds; for a device's cache every entity it holds (a device holds only its scopes).
 */
export function entitiesDiffering(
  cloud: ReadonlyMap<string, string>,
  holders: readonly Holder[],
): Invariant {
  const differing: string[] = [];
  for (const holder of holders) {
    const keys = holder.whole
      ? new Set([...cloud.keys(), ...holder.entities.keys()])
      : new Set(holder.entities.keys());
    for (const key of keys) {
      const mine = holder.entities.get(key);
      const theirs = cloud.get(key);
      if (mine === theirs) continue;
      const how =
        mine === undefined ? 'missing' : theirs === undefined ? 'not in the cloud' : 'differs';
      differing.push(`${holder.name}: ${key} ${how}`);
    }
  }
  return invariant(
    'entities differing from the cloud',
    "entities whose state at the relay or in a device's cache differs from the cloud's at the end",
    differing,
  );
}

/** A pair of money totals that must agree, in minor units. */
export interface MoneyPair {
  readonly what: string;
  readonly expected: number;
  readonly actual: number;
}

/** Money totals that differ: the end-of-day report against the checks and the payments. */
export function moneyDiffering(pairs: readonly MoneyPair[]): Invariant {
  const differing = pairs
    .filter((pair) => pair.expected !== pair.actual)
    .map((pair) => `${pair.what}: ${pair.actual} where ${pair.expected} was expected`);
  return invariant(
    'money totals differing',
    "totals of the end-of-day report that differ from the sum of the day's checks and payments",
    differing,
  );
}
