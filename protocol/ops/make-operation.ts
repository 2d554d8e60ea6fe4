import { canonicalJson, type JsonValue } from '../hash/canonical-json.ts';
import { payloadHash } from '../hash/sha256.ts';
import { newUlid } from '../ids/ulid.ts';
import {
  type Operation,
  type OperationOfType,
  type OperationType,
  payloadSchemas,
} from './operation.ts';

export interface OperationDraft<T extends OperationType> {
  readonly type: T;
  readonly payload: unknown;
  readonly deviceId: string;
  readonly tenantId: string;
  readonly venueId: string;
  readonly actorId: string;
  readonly dependsOn?: readonly string[];
  /** Device time; defaults to now. Audit only. */
  readonly occurredAt?: string;
  readonly opId?: string;
}

/**
 * Builds a complete operation on a device: parses the payload (filling defaults),
 * hashes the parsed payload, and gives it a fresh opId unless one is supplied.
 * Throws the payload's ZodError when the payload is invalid: a device bug, caught at the source.
 */
export async function makeOperation<T extends OperationType>(
  draft: OperationDraft<T>,
): Promise<OperationOfType<T>> {
  const payload = payloadSchemas[draft.type].parse(draft.payload);
  return assemble(draft, payload, await payloadHash(payload as JsonValue));
}

/**
 * `makeOperation` with a synchronous SHA-256 (lower-case hex) supplied by the caller, for a
 * screen that sends within the tap's own task: after a tap the browser paints a frame before it
 * runs any later task, so an awaited WebCrypto digest held each send back by up to a frame.
 */
export function makeOperationNow<T extends OperationType>(
  draft: OperationDraft<T>,
  sha256Hex: (text: string) => string,
): OperationOfType<T> {
  const payload = payloadSchemas[draft.type].parse(draft.payload);
  return assemble(draft, payload, sha256Hex(canonicalJson(payload as JsonValue)));
}

function assemble<T extends OperationType>(
  draft: OperationDraft<T>,
  payload: unknown,
  hash: string,
): OperationOfType<T> {
  const op = {
    opId: draft.opId ?? newUlid(),
    deviceId: draft.deviceId,
    tenantId: draft.tenantId,
    venueId: draft.venueId,
    actorId: draft.actorId,
    type: draft.type,
    payload,
    payloadHash: hash,
    dependsOn: [...(draft.dependsOn ?? [])],
    occurredAt: draft.occurredAt ?? new Date().toISOString(),
  };
  return op as Operation as OperationOfType<T>;
}

/** True when the op's payloadHash matches its payload: the server's check for a reused opId. */
export async function hasValidPayloadHash(op: Operation): Promise<boolean> {
  return (await payloadHash(op.payload as JsonValue)) === op.payloadHash;
}

/**
 * `hasValidPayloadHash` with a synchronous SHA-256 (lower-case hex) supplied by the caller: the
 * cloud and the relay pass node:crypto's, which costs a tenth of an awaited WebCrypto digest
 * per op. Browsers keep the async form.
 */
export function payloadHashMatches(op: Operation, sha256Hex: (text: string) => string): boolean {
  return sha256Hex(canonicalJson(op.payload as JsonValue)) === op.payloadHash;
}
