import type { Principal } from '../auth/principal.ts';
import type { Problem } from '../errors/problem.ts';
import type { Ulid } from '../ids/ulid.ts';
import type { BatchResponse, OpResult } from '../ops/op-result.ts';
import type { Operation } from '../ops/operation.ts';
import type { ParseOperationResult } from '../ops/parse-operation.ts';
import { type Check, type CheckResult, compileCheck } from './json-schema-check.ts';
import { WIRE_SHAPES } from './wire-shapes.gen.ts';

/*
 * The protocol's parsers for a bundle that must not carry zod (the service worker): the same
 * accept/reject and the same output (defaults filled, unknown keys dropped) as the zod schemas
 * they are generated from (`wire-shapes.ts`), proved by tests/protocol/wire-checks.test.ts.
 * This file imports only types from the zod side.
 */

const compiled = new Map<string, Check<unknown>>();

/** The checker for a wire shape, compiled on first use. */
export function wireCheck<T>(name: keyof typeof WIRE_SHAPES & string): Check<T> {
  let check = compiled.get(name);
  if (!check) {
    check = compileCheck(WIRE_SHAPES, name);
    compiled.set(name, check);
  }
  return check as Check<T>;
}

type Node = { readonly [keyword: string]: unknown };

/** The operation types, read from the Operation schema's branches (`type: { const }`). */
export function operationTypes(): readonly string[] {
  const operation = WIRE_SHAPES.Operation as Node;
  return (operation.oneOf as Node[]).map(
    (branch) => ((branch.properties as Record<string, Node>).type as Node).const as string,
  );
}

/** `parseOperation` without zod: the same result for every input (issue messages aside). */
export function checkOperation(input: unknown): ParseOperationResult {
  const parsed = wireCheck<Operation>('Operation')(input);
  if (parsed.ok) return { ok: true, op: parsed.value };
  const type =
    typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined;
  return {
    ok: false,
    code: operationTypes().includes(type as string) ? 'VALIDATION' : 'UNKNOWN_OP_TYPE',
    issues: parsed.issues,
  };
}

export const checkOpResult = (input: unknown): CheckResult<OpResult> =>
  wireCheck<OpResult>('OpResult')(input);
export const checkBatchResponse = (input: unknown): CheckResult<BatchResponse> =>
  wireCheck<BatchResponse>('BatchResponse')(input);
export const checkProblem = (input: unknown): CheckResult<Problem> =>
  wireCheck<Problem>('Problem')(input);
export const checkPrincipal = (input: unknown): CheckResult<Principal> =>
  wireCheck<Principal>('Principal')(input);

export const isDeviceId = (input: unknown): input is string => wireCheck('DeviceId')(input).ok;
export const isUlid = (input: unknown): input is Ulid => wireCheck('Ulid')(input).ok;
