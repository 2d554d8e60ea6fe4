import * as z from 'zod';
import { EntityKindSchema } from '../entities/entity-kind.ts';
import { RejectionCode } from '../errors/rejection.ts';
import { Timestamp } from '../ids/entity-id.ts';
import { Ulid } from '../ids/ulid.ts';
import { DeviceId, Operation } from './operation.ts';

const ChangedRef = z.object({
  entity: EntityKindSchema,
  id: z.string(),
  version: z.number().int().min(1),
});

export const Applied = z.object({
  opId: Ulid,
  status: z.literal('applied'),
  /** The stream seq of the op's last feed entry; 0 when it changed nothing (a repeated "ready"). */
  seq: z.number().int().min(0),
  changed: z.array(ChangedRef),
  at: Timestamp,
});

export const Rejected = z.object({
  opId: Ulid,
  status: z.literal('rejected'),
  code: RejectionCode,
  message: z.string(),
  /** The entity as it stands, so the device can show why. */
  current: z.unknown().optional(),
});

/** The relay, offline, journaled and decided the op locally; the cloud has not seen it yet. */
export const AcceptedLocal = z.object({
  opId: Ulid,
  status: z.literal('accepted_local'),
  seq: z.number().int().min(0),
  changed: z.array(ChangedRef),
  at: Timestamp,
});

/** The first answer, replayed for a repeated opId. */
export const Duplicate = z.object({
  opId: Ulid,
  status: z.literal('duplicate'),
  first: z.discriminatedUnion('status', [Applied, Rejected, AcceptedLocal]),
});

/** Not decided: try again later with the same opId. */
export const Retryable = z.object({
  opId: Ulid,
  status: z.literal('retryable'),
  code: z.enum(['IN_FLIGHT', 'RATE_LIMITED', 'UNAVAILABLE', 'DEPENDENCY_PENDING', 'NOT_PROCESSED']),
  message: z.string(),
  retryAfterMs: z.number().int().min(0).optional(),
});

export const OpResult = z.discriminatedUnion('status', [
  Applied,
  Rejected,
  AcceptedLocal,
  Duplicate,
  Retryable,
]);
export type OpResult = z.infer<typeof OpResult>;
export type AppliedResult = z.infer<typeof Applied>;
export type RejectedResult = z.infer<typeof Rejected>;

/** `POST …/ops/batch`: one device's ops, in its order. */
export const BatchRequest = z.object({
  deviceId: DeviceId,
  ops: z.array(Operation).min(1).max(100),
  /**
   * A relay's replay only: when the relay decided each op while offline (its journal's accept
   * time), by opId. The cloud decides the op at that time (clamped); from anyone else, ignored.
   */
  decidedAt: z.record(z.string(), Timestamp).optional(),
});
export type BatchRequest = z.infer<typeof BatchRequest>;

/** Results in the order of the request's ops. */
export const BatchResponse = z.object({ results: z.array(OpResult) });
export type BatchResponse = z.infer<typeof BatchResponse>;
