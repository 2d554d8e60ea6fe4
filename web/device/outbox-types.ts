import type * as z from 'zod';
import type { OperationType } from '#protocol';
import type * as records from '../sw/outbox-records.ts';

/*
 * The outbox's record: one operation the device made, with where it stands on its way to the
 * target. Plain data (it is what IndexedDB stores); parsed on every read. The schemas are in
 * `../sw/outbox-records.ts` (zod, build time); this file carries no zod, so the service worker
 * can import it.
 *
 *   pending ──send──▶ sending ──applied / duplicate(applied)──────────▶ synced
 *      ▲                 │    ──accepted_local (the relay kept it)────▶ delivered_local
 *      └──retry later────┤    ──rejected / 4xx / 10 tries / too old───▶ failed ──retry──▶ pending
 *         (409, 429, 5xx,                                                   └──discard──▶ (gone)
 *          network, 401)
 *
 *   delivered_local ──the cloud's word (the relay's notice, or its answer to a resend):
 *                       applied ─▶ synced · rejected ─▶ failed (final) · still kept ─▶ unchanged
 *
 * Screens say: pending/sending "not sent yet", delivered_local "saved in the venue — not in
 * the cloud yet", synced "synced" (the cloud has it), failed "failed" with the reason.
 */

export const OUTBOX_STATUSES = [
  'pending',
  'sending',
  'delivered_local',
  'synced',
  'failed',
] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export type Lane = z.infer<typeof records.Lane>;

/** Why an op is not (yet) delivered: the server's code, an HTTP code, or one of the outbox's own. */
export type OutboxErrorInfo = z.infer<typeof records.OutboxErrorInfo>;

/** One op in the outbox and where it stands (fields documented on the schema). */
export type OutboxEntry = z.infer<typeof records.OutboxEntry>;

/** An entry before IndexedDB gives it its `seq`. */
export type NewOutboxEntry = Omit<OutboxEntry, 'seq'>;

/** Statuses that still occupy the queue (and count against its cap). */
export const QUEUED_STATUSES: readonly OutboxStatus[] = ['pending', 'sending', 'failed'];

/** Statuses after which the device need not send the op again. */
export const DELIVERED_STATUSES: readonly OutboxStatus[] = ['synced', 'delivered_local'];

/** The Background Sync tag the service worker replays the outbox on. */
export const OUTBOX_SYNC_TAG = 'hearth-outbox';

/**
 * The queue's cap, in undelivered ops (delivered ones do not count): past it, `add` refuses with
 * OUTBOX_FULL rather than let a device that stays offline grow its queue without bound.
 */
export const DEFAULT_OUTBOX_CAP = 500;

/**
 * Ops older than this are failed as TOO_OLD instead of sent: the cloud keeps idempotency keys
 * for 7 days, and an op resent after its key is forgotten could apply twice.
 */
export const DEFAULT_MAX_AGE_MS = 6 * 24 * 60 * 60 * 1000;

/**
 * Payments (`order.close`) and kitchen fires (`order.sendToKitchen`, lines made with `send`,
 * `ticket.*`) go first.
 */
export function laneOf(type: OperationType, payload?: unknown): Lane {
  const fires =
    type === 'order.sendToKitchen' ||
    ((type === 'order.create' || type === 'order.addLines') &&
      (payload as { send?: unknown } | undefined)?.send !== undefined);
  return type === 'order.close' || fires || type.startsWith('ticket.') ? 'priority' : 'default';
}

/** What a page can show when an outbox operation is refused. */
export const OUTBOX_ERROR_CODES = [
  /** The queue holds its cap of undelivered ops: connect to sync before adding more. */
  'OUTBOX_FULL',
  /** This opId is queued with another payload: a device bug, never overwritten. */
  'OPID_REUSED',
  'NOT_FOUND',
  /** Only a failed op can be discarded or retried. */
  'NOT_FAILED',
  /** A rejection is final, and a TOO_OLD op may already be applied. */
  'NOT_RETRYABLE',
] as const;
export type OutboxErrorCode = (typeof OUTBOX_ERROR_CODES)[number];

/** The outbox's typed refusal. */
export class OutboxError extends Error {
  readonly code: OutboxErrorCode;
  constructor(code: OutboxErrorCode, message: string) {
    super(message);
    this.name = 'OutboxError';
    this.code = code;
  }
}

/** What the outbox holds, for the resilience banner and the device's report. */
export interface OutboxCounts {
  readonly pending: number;
  readonly sending: number;
  readonly deliveredLocal: number;
  readonly synced: number;
  /** Failed ops, waiting for the person to retry or discard them. */
  readonly failedOps: number;
  /** Ops not yet delivered (pending + sending). */
  readonly depth: number;
  /** Device ms the oldest undelivered op was made; null when there is none. */
  readonly oldestPendingAt: number | null;
  readonly oldestPendingAgeMs: number | null;
  /** The target answered 401: the ops wait for someone to sign in again. */
  readonly signInRequired: boolean;
}

/**
 * Counts by status, depth and the oldest undelivered op, for the banner and reports: of the
 * entries `OutboxStore.list` gives. A function rather than a store method so that the service
 * worker, which never counts, does not bundle it.
 */
export function outboxCounts(entries: readonly OutboxEntry[], now: number): OutboxCounts {
  const count = (status: OutboxStatus) => entries.filter((entry) => entry.status === status).length;
  const waiting = entries.filter((e) => e.status === 'pending' || e.status === 'sending');
  const oldest = waiting.length > 0 ? Math.min(...waiting.map((e) => e.createdAt)) : null;
  return {
    pending: count('pending'),
    sending: count('sending'),
    deliveredLocal: count('delivered_local'),
    synced: count('synced'),
    failedOps: count('failed'),
    depth: waiting.length,
    oldestPendingAt: oldest,
    oldestPendingAgeMs: oldest === null ? null : Math.max(0, now - oldest),
    signInRequired: waiting.some((entry) => entry.lastError?.code === 'SIGN_IN'),
  };
}
