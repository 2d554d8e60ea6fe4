import type { CloudStore } from '../store/cloud-store.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes idempotency records older than the retention (default 7 days: longer than any venue
 * outage may last). Only the key journal shrinks; the feed is untouched, so no cursor breaks.
 * Returns how many records went.
 */
export function cleanUpIdempotencyKeys(
  store: CloudStore,
  now: Date,
  retentionDays: number,
): Promise<number> {
  return store.deleteIdempotencyBefore(
    new Date(now.getTime() - retentionDays * DAY_MS).toISOString(),
  );
}
