import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import {
  BatchResponse,
  DeviceId,
  kindForStatus,
  OPERATION_TYPES,
  Operation,
  OpResult,
  Principal,
  Problem,
  parseOperation,
  problem,
  Ulid,
} from '#protocol';
import { compileCheck } from '#protocol/check/json-schema-check.ts';
import * as lite from '#protocol/check/problem-body.ts';
import {
  checkOperation,
  isDeviceId,
  isUlid,
  operationTypes,
  wireCheck,
} from '#protocol/check/wire-checks.ts';
import { WIRE_SHAPES } from '#protocol/check/wire-shapes.gen.ts';
import { emitWireShapes, type WIRE_SOURCES } from '#protocol/check/wire-shapes.ts';
import { mutate, seeded } from './support/mutations.ts';
import { samplePayloads } from './support/sample-ops.ts';
import { opOf } from './support/venue-fixture.ts';

/*
 * The generated checker against zod, the source of truth: for valid values of every shape and
 * thousands of seeded one-place mutants, both accept or both refuse, and what they accept
 * parses to the same value (defaults filled, unknown keys dropped).
 */

const ULID = '01JD0000000000000000000200';
const AT = '2026-11-23T19:30:00.000Z';

/** Asserts zod and the checker agree on `input`; returns whether it was accepted. */
function agree(schema: z.ZodType, name: keyof typeof WIRE_SOURCES, input: unknown): boolean {
  const expected = schema.safeParse(input);
  const actual = wireCheck(name)(input);
  const label = `${name} ${JSON.stringify(input, (_k, v) => (v === undefined ? '<undefined>' : v))}`;
  expect(actual.ok, `${label}\nzod: ${expected.error?.message ?? 'ok'}`).toBe(expected.success);
  // toEqual: an explicit `undefined` member (never in JSON) zod keeps and the checker drops.
  if (expected.success && actual.ok) expect(actual.value, label).toEqual(expected.data);
  return expected.success;
}

/** Runs `count` mutants of each value through both; returns how many each side accepted. */
function fuzz(
  schema: z.ZodType,
  name: keyof typeof WIRE_SOURCES,
  corpus: readonly unknown[],
  count: number,
  seed: number,
): { accepted: number; refused: number } {
  const random = seeded(seed);
  let accepted = 0;
  let refused = 0;
  for (const value of corpus) {
    expect(agree(schema, name, value), `corpus value must be valid: ${JSON.stringify(value)}`).toBe(
      true,
    );
    for (let i = 0; i < count; i++) {
      if (agree(schema, name, mutate(random, value))) accepted++;
      else refused++;
    }
  }
  return { accepted, refused };
}

async function validOps(): Promise<unknown[]> {
  const ops: unknown[] = [];
  for (const [type, payload] of samplePayloads) ops.push(await opOf(type, payload));
  // Variants the samples miss: defaults left out, the other payment, both assignments.
  const extra: [string, unknown][] = [
    ['order.create', { orderId: 'o-2', tableId: null }],
    [
      'order.close',
      { orderId: 'o-2', payment: { method: 'card', amount: 1250, reference: 'ch_1' } },
    ],
    ['ticket.assign', { ticketId: 't-1', station: 'grill' }],
    ['ticket.assign', { ticketId: 't-1', station: 'bar', assigneeId: null }],
    [
      'booking.create',
      {
        bookingId: 'b-1',
        guestName: 'Ana',
        partySize: 4,
        startsAt: '2026-12-01T19:00:00+01:00',
        phone: '+351 900',
        note: 'window',
      },
    ],
    ['team.member.upsert', { memberId: 'm-1', name: 'Kai', role: 'owner' }],
  ];
  for (const [type, payload] of extra) {
    ops.push(await opOf(type as (typeof OPERATION_TYPES)[number], payload));
  }
  // As a page may send it: defaults left to the parser.
  const bare = { ...((await opOf('order.create', { orderId: 'o-3', tableId: 't' })) as object) };
  delete (bare as { dependsOn?: unknown }).dependsOn;
  (bare as { payload: object }).payload = { orderId: 'o-3', tableId: 't' };
  ops.push(bare);
  return ops;
}

const results: unknown[] = [
  {
    opId: ULID,
    status: 'applied',
    seq: 12,
    changed: [{ entity: 'order', id: 'o', version: 2 }],
    at: AT,
  },
  { opId: ULID, status: 'applied', seq: 0, changed: [], at: AT },
  { opId: ULID, status: 'rejected', code: 'NOT_FOUND', message: 'no such order' },
  { opId: ULID, status: 'rejected', code: 'VALIDATION', message: 'bad', current: { any: [1] } },
  {
    opId: ULID,
    status: 'accepted_local',
    seq: 3,
    changed: [{ entity: 'ticket', id: 't', version: 1 }],
    at: AT,
  },
  {
    opId: ULID,
    status: 'duplicate',
    first: { opId: ULID, status: 'applied', seq: 1, changed: [], at: AT },
  },
  {
    opId: ULID,
    status: 'duplicate',
    first: { opId: ULID, status: 'rejected', code: 'FORBIDDEN', message: 'no' },
  },
  { opId: ULID, status: 'retryable', code: 'IN_FLIGHT', message: 'wait', retryAfterMs: 1000 },
  { opId: ULID, status: 'retryable', code: 'NOT_PROCESSED', message: 'later' },
];

const problems: unknown[] = [
  problem(400, 'VALIDATION', 'Invalid operation', { issues: [{ path: 'a.b', message: 'bad' }] }),
  problem(429, 'RATE_LIMITED', 'Slow down', { retryAfter: 3, detail: 'too many' }),
  problem(503, 'UNAVAILABLE', 'Down', { instance: '/v1/x', extension: { any: 'thing' } }),
  problem(401, 'SIGN_IN', 'Sign in'),
];

const principals: unknown[] = [
  { kind: 'staff', tenantId: 'demo', venueId: 'demo-bistro', actorId: 'srv-1', role: 'server' },
  { kind: 'guest', tenantId: 'demo', venueId: 'demo-bistro', sessionId: 's-1', tableId: 'table-1' },
];

describe('the generated wire shapes', () => {
  it('are current: regenerating them from the zod schemas gives the committed file', () => {
    expect(WIRE_SHAPES).toStrictEqual(emitWireShapes());
  });

  it('name every operation type', () => {
    expect([...operationTypes()].sort()).toEqual([...OPERATION_TYPES].sort());
  });
});

describe('the checker agrees with zod', () => {
  it('on valid ops of every type and 400 mutants of each', async () => {
    const ops = await validOps();
    const { accepted, refused } = fuzz(Operation, 'Operation', ops, 400, 1);
    // The mutants exercise both answers (a dropped optional member stays valid).
    expect(refused).toBeGreaterThan(ops.length * 250);
    expect(accepted).toBeGreaterThan(ops.length * 10);
  });

  it('on every op result and batch answer, and their mutants', () => {
    fuzz(OpResult, 'OpResult', results, 300, 2);
    fuzz(BatchResponse, 'BatchResponse', [{ results }, { results: [] }], 300, 3);
  });

  it('on problems (unknown members kept), principals, device ids and ULIDs', () => {
    fuzz(Problem, 'Problem', problems, 300, 4);
    fuzz(Principal, 'Principal', principals, 300, 5);
    fuzz(DeviceId, 'DeviceId', ['tablet-1', 'a'.repeat(64), 'x.y_z:1'], 100, 6);
    fuzz(Ulid, 'Ulid', [ULID, '7ZZZZZZZZZZZZZZZZZZZZZZZZZ'], 100, 7);
    expect(isDeviceId('a'.repeat(65))).toBe(false);
    expect(isUlid(ULID)).toBe(true);
    expect(isUlid(ULID.toLowerCase())).toBe(false);
  });

  it('on the refinement: a ticket.assign needs a station or an assignee', async () => {
    const op = (await opOf('ticket.assign', { ticketId: 't-1', station: 'grill' })) as {
      payload: object;
    };
    expect(agree(Operation, 'Operation', op)).toBe(true);
    expect(agree(Operation, 'Operation', { ...op, payload: { ticketId: 't-1' } })).toBe(false);
    expect(
      agree(Operation, 'Operation', { ...op, payload: { ticketId: 't-1', assigneeId: null } }),
    ).toBe(true);
  });

  it('gives parseOperation’s codes: UNKNOWN_OP_TYPE for an unknown type, else VALIDATION', async () => {
    const random = seeded(8);
    const ops = await validOps();
    const inputs: unknown[] = [null, 3, 'op', [], {}, { type: 'order.explode' }];
    for (const op of ops) for (let i = 0; i < 50; i++) inputs.push(mutate(random, op));
    for (const input of inputs) {
      const expected = parseOperation(input);
      const actual = checkOperation(input);
      expect(actual.ok).toBe(expected.ok);
      if (!expected.ok && !actual.ok) {
        expect(actual.code, JSON.stringify(input)).toBe(expected.code);
        expect(actual.issues.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('problem-body (the zod-free problem.ts)', () => {
  it('gives the kind of every status as kindForStatus does', () => {
    for (let status = 100; status < 600; status++) {
      expect(lite.kindForStatus(status), String(status)).toBe(kindForStatus(status));
    }
  });

  it('builds the same bodies as problem()', () => {
    const cases: [number, string, string, Parameters<typeof problem>[3]][] = [
      [400, 'MALFORMED_JSON', 'The body is not JSON', { detail: 'x' }],
      [507, 'OUTBOX_FULL', 'Full', { kind: 'back_off', detail: 'cap' }],
      [422, 'IDEMPOTENCY_KEY_REUSED', 'Reused', {}],
      [400, 'VALIDATION', 'Invalid', { issues: [{ path: 'a', message: 'b' }], extra: 1 }],
    ];
    for (const [status, code, title, extra] of cases) {
      expect(lite.problem(status, code, title, extra)).toStrictEqual(
        problem(status, code, title, extra),
      );
    }
    expect(lite.PROBLEM_CONTENT_TYPE).toBe('application/problem+json');
  });
});

describe('compiling the whole bundle', () => {
  it('compiles every shape (every keyword in it is one the checker knows)', () => {
    for (const name of Object.keys(WIRE_SHAPES))
      expect(() => compileCheck(WIRE_SHAPES, name)).not.toThrow();
  });
});
