import type * as z from 'zod';
import { Principal } from '../auth/principal.ts';
import { Problem } from '../errors/problem.ts';
import { Ulid } from '../ids/ulid.ts';
import { BatchResponse, OpResult } from '../ops/op-result.ts';
import { DeviceId, DeviceOperation } from '../ops/operation.ts';
import { TicketAssign } from '../ops/payloads/ticket-assign.ts';
import { emitShapes } from './emit-shapes.ts';
import type { SchemaBundle } from './json-schema-check.ts';

/*
 * The wire shapes a zod-free bundle (the service worker) checks, as zod schemas: the source of
 * `wire-shapes.gen.ts`. Build and test time only: importing this file brings zod in.
 */

/** Shapes `wire-checks.ts` parses, by name. */
export const WIRE_SOURCES = {
  Operation: DeviceOperation,
  OpResult,
  BatchResponse,
  Problem,
  Principal,
  DeviceId,
  Ulid,
} as const satisfies Record<string, z.ZodType>;

/**
 * The JSON Schema of each `.refine` among them (JSON Schema has no refinements). Each is
 * proved equal to zod's by tests/protocol/wire-checks.test.ts.
 */
export const WIRE_REFINEMENTS: ReadonlyMap<z.ZodType, { readonly [keyword: string]: unknown }> =
  new Map<z.ZodType, { readonly [keyword: string]: unknown }>([
    // "give a station, an assignee, or both"
    [TicketAssign, { anyOf: [{ required: ['station'] }, { required: ['assigneeId'] }] }],
  ]);

/** The bundle `wire-shapes.gen.ts` must hold. */
export function emitWireShapes(): SchemaBundle {
  return emitShapes(WIRE_SOURCES, { refinements: WIRE_REFINEMENTS });
}
