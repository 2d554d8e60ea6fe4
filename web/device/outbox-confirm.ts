import type { OpResult } from '#protocol';
import type { OutboxDb } from './outbox-db.ts';
import type { OutboxEntry } from './outbox-types.ts';

/*
 * The cloud's word on an op the venue relay kept (`delivered_local`): the relay tells the
 * device that made it, in a live `notice` frame, once the cloud settles it; and answers a
 * resend of it with its current result (`duplicate` of `accepted_local` until then).
 *
 *   pending | sending | delivered_local ──applied, duplicate(applied)────▶ synced
 *                                       ──rejected, duplicate(rejected)──▶ failed (the reason)
 *                                       ──accepted_local, retryable──────▶ (unchanged)
 *   synced | failed ──anything──▶ (unchanged: settled already)
 *
 * A notice may come before the replay stored the relay's first answer (accepted_local) for a
 * pending op; that answer, stored afterwards, does not move the entry back (outbox-db.ts: an
 * answer never moves a synced or rejected entry).
 */

/** The entry after the cloud's word, or undefined when it changes nothing. Pure. */
export function confirmed(
  entry: OutboxEntry,
  result: OpResult,
  now: number,
): OutboxEntry | undefined {
  if (entry.status === 'synced' || entry.status === 'failed') return undefined;
  const decided = result.status === 'duplicate' ? result.first : result;
  if (decided.status === 'applied')
    return { ...entry, status: 'synced', result: decided, lastError: null, settledAt: now };
  if (decided.status === 'rejected')
    return {
      ...entry,
      status: 'failed',
      result: decided,
      lastError: { code: decided.code, message: decided.message },
      settledAt: now,
    };
  return undefined;
}

/**
 * Applies a notice to the outbox (one strict read-write transaction: read the entry, write it
 * settled; the answers log is folded first, as by every `put`). Resolves to whether the entry
 * changed; an op the outbox does not hold (pruned, another install's) changes nothing.
 */
export function applyNotice(db: OutboxDb, result: OpResult, now: number): Promise<boolean> {
  return db.writeOps(async (ops) => {
    const entry = await ops.byOpId(result.opId);
    const next = entry && confirmed(entry, result, now);
    if (!next) return false;
    await ops.put(next);
    return true;
  });
}
