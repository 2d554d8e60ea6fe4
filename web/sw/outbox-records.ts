import * as z from 'zod';
import { Principal } from '#protocol/auth/principal.ts';
import { Ulid } from '#protocol/ids/ulid.ts';
import { OpResult } from '#protocol/ops/op-result.ts';
import { DeviceId, DeviceOperation } from '#protocol/ops/operation.ts';
import { OUTBOX_STATUSES } from '../device/outbox-types.ts';

/*
 * What the outbox database stores, as zod schemas: the source of the types in
 * `../device/outbox-types.ts` and `../device/outbox-db.ts`, and of `outbox-records.gen.ts`, the
 * JSON Schemas the zod-free checker reads records with. Build and test time only: nothing the
 * service worker bundles imports this file (it would bring zod in).
 */

export const OutboxStatus = z.enum(OUTBOX_STATUSES);

export const Lane = z.enum(['priority', 'default']);

/** Why an op is not (yet) delivered: the server's code, an HTTP code, or one of the outbox's own. */
export const OutboxErrorInfo = z.object({ code: z.string(), message: z.string() });

export const OutboxEntry = z.object({
  /** Insertion order (auto-increment): the device's FIFO. */
  seq: z.number().int().min(1),
  /** The op's idempotency key, for ever. */
  opId: Ulid,
  /** What the worker queued: a device's op (never a server-made one, which it refuses). */
  op: DeviceOperation,
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

/**
 * What a replay's answer changes in an entry: everything but the op and when it was queued.
 * Read over the stored entry with the same seq (`{ ...entry, ...patch }`).
 */
export const AnswerPatch = OutboxEntry.pick({
  seq: true,
  status: true,
  tries: true,
  nextAttemptAt: true,
  lastError: true,
  result: true,
  settledAt: true,
});

/** One batch's answers in the answers log (`answers`), until they are folded into `ops`. */
export const AnswersRecord = z.object({
  /** Auto-increment: the log's order (a later answer for a seq replaces an earlier one). */
  id: z.number().int().min(1),
  patches: z.array(AnswerPatch),
});

/** The replay lease: the holder renews it while it works; a stale one may be taken over. */
export const LeaseRecord = z.object({
  key: z.literal('lease'),
  holder: z.string().min(1),
  /** Device ms; 0 once released. */
  expiresAt: z.number(),
});

/** Who the pages say uses this install (never a token: that stays in an HttpOnly cookie). */
export const DeviceRecord = z.object({
  key: z.literal('device'),
  deviceId: DeviceId,
  principal: Principal.nullable(),
});

/** The records `outbox-records.gen.ts` holds, by name. */
export const OUTBOX_RECORD_SOURCES = {
  OutboxEntry,
  AnswersRecord,
  LeaseRecord,
  DeviceRecord,
} as const;

/**
 * Wire shapes the records refer to: emitted in protocol's bundle (the worker's `Operation` is
 * the device's), not repeated.
 */
export const OUTBOX_RECORD_EXTERNAL = {
  Operation: DeviceOperation,
  OpResult,
  Ulid,
  DeviceId,
  Principal,
} as const;
