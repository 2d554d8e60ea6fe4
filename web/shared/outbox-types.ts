import * as z from 'zod';
import { Operation, type OperationType, OpResult, Ulid } from '#protocol';

/*
 * The outbox's record: one operation the device made, with where it stands on its way to the
 * target. Plain data (it is what IndexedDB stores); parsed on every read.
 *
 *   pending ──send──▶ sending ──applied / duplicate(applied)──────────▶ synced
 *      ▲                 │    ──accepted_local (the relay kept it)────▶ delivered_local
 *      └──retry later────┤    ──rejected / 4xx / 10 tries / too old───▶ failed ──retry──▶ pending
 *         (409, 429, 5xx,                                                   └──discard──▶ (gone)
 *          network, 401)
 */

export const OUTBOX_STATUSES = [
  'pending',
  'sending',
  'delivered_local',
  'synced',
  'failed',
] as const;
export const OutboxStatus = z.enum(OUTBOX_STATUSES);
export type OutboxStatus = z.infer<typeof OutboxStatus>;

export const Lane = z.enum(['priority', 'default']);
export type Lane = z.infer<typeof Lane>;

/** Why an op is not (yet) delivered: the server's code, an HTTP code, or one of the outbox's own. */
export const OutboxErrorInfo = z.object({ code: z.string(), message: z.string() });
export type OutboxErrorInfo = z.infer<typeof OutboxErrorInfo>;

export const OutboxEntry = z.object({
  /** Insertion order (auto-increment): the device's FIFO. */
  seq: z.number().int().min(1),
  /** The op's idempotency key, for ever. */
  opId: Ulid,
  op: Operation,
  lane: Lane,
  status: OutboxStatus,
  /** Sends that ended in a transient failure (429, 5xx, network): what backoff counts. */
  tries: z.number().int().min(0),
  /** Device ms before which the op is not sent again. */
  nextAttemptAt: z.number(),
  lastError: OutboxErrorInfo.nullable(),
  /** The target's answer that settled it (or the last one it gave). */
  result: OpResult.nullable(),
  /** Device ms the op was queued: display, and the age limit. */
  createdAt: z.number(),
  /** Device ms it reached synced, delivered_local or failed; null while in the queue. */
  settledAt: z.number().nullable(),
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;

/** An entry before IndexedDB gives it its `seq`. */
export type NewOutboxEntry = Omit<OutboxEntry, 'seq'>;

/** Statuses that still occupy the queue (and count against its cap). */
export const QUEUED_STATUSES: readonly OutboxStatus[] = ['pending', 'sending', 'failed'];

/** Statuses after which the device need not send the op again. */
export const DELIVERED_STATUSES: readonly OutboxStatus[] = ['synced', 'delivered_local'];

/** The Background Sync tag the service worker replays the outbox on. */
export const OUTBOX_SYNC_TAG = 'hearth-outbox';

/** The queue's cap: past it, `add` refuses with OUTBOX_FULL (seed 001 §10.1). */
export const DEFAULT_OUTBOX_CAP = 500;

/**
 * Ops older than this are failed as TOO_OLD instead of sent: the cloud keeps idempotency keys
 * for 7 days, and an op resent after its key is forgotten could apply twice.
 */
export const DEFAULT_MAX_AGE_MS = 6 * 24 * 60 * 60 * 1000;

/** Payments (`order.close`) and kitchen fires (`order.sendToKitchen`, `ticket.*`) go first. */
export function laneOf(type: OperationType): Lane {
  return type === 'order.close' || type === 'order.sendToKitchen' || type.startsWith('ticket.')
    ? 'priority'
    : 'default';
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
