import type * as z from 'zod';
import { Operation, OperationTypeSchema } from './operation.ts';

export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

export type ParseOperationResult =
  | { readonly ok: true; readonly op: Operation }
  | {
      readonly ok: false;
      readonly code: 'UNKNOWN_OP_TYPE' | 'VALIDATION';
      readonly issues: readonly ValidationIssue[];
    };

/** zod issues as `{ path, message }` pairs for problem+json. */
export function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/**
 * Parses untrusted input into an Operation. Never throws: an unknown `type` and a bad
 * envelope or payload come back as typed failures with field-level issues.
 */
export function parseOperation(input: unknown): ParseOperationResult {
  const parsed = Operation.safeParse(input);
  if (parsed.success) return { ok: true, op: parsed.data };
  const type =
    typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined;
  const known = OperationTypeSchema.safeParse(type).success;
  return {
    ok: false,
    code: known ? 'VALIDATION' : 'UNKNOWN_OP_TYPE',
    issues: toIssues(parsed.error),
  };
}
