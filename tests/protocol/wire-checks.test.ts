import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  BatchResponse,
  DeviceId,
  DeviceOperation,
  kindForStatus,
  OPERATION_TYPES,
  type OperationType,
  OpResult,
  Principal,
  Problem,
  parseOperation,
  problem,
  SERVER_MADE_OPS,
  Ulid,
} from '#protocol';
import { emitShapes, UnrepresentableSchemaError } from '#protocol/check/emit-shapes.ts';
import { compileCheck, type SchemaBundle } from '#protocol/check/json-schema-check.ts';
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
 * parses to the same value (defaults filled, unknown keys dropped). The worker's `Operation`
 * is the protocol's DeviceOperation: every op but the server-made ones.
 */

const ULID = '01JD0000000000000000000200';
const AT = '2026-11-23T19:30:00.000Z';
const DEVICE_TYPES = OPERATION_TYPES.filter((type) => !SERVER_MADE_OPS.has(type));
/** The members every op carries besides its `type` and `payload`. */
const ENVELOPE = [
  'opId',
  'deviceId',
  'tenantId',
  'venueId',
  'actorId',
  'payloadHash',
  'dependsOn',
  'occurredAt',
];

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

/** A valid op of every device type, with variants (defaults left out, optional members given). */
async function validOps(): Promise<unknown[]> {
  const ops: unknown[] = [];
  for (const [type, payload] of samplePayloads) {
    if (!SERVER_MADE_OPS.has(type)) ops.push(await opOf(type, payload));
  }
  const PAYMENT = '01JD0000000000000000000210';
  // Variants the samples miss: defaults left out, the other payment, both assignments, and
  // each payment, refund, drawer and settings op a device makes, with and without its options.
  const extra: [OperationType, unknown][] = [
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
    ['payment.cash', { paymentId: PAYMENT, orderId: 'o-2', amount: 1250, tip: 0, tendered: 2000 }],
    [
      'payment.cash',
      { paymentId: PAYMENT, orderId: 'o-2', amount: 1, tip: 150, tendered: 151, drawerId: 'd-1' },
    ],
    ['payment.resolveTask', { paymentId: PAYMENT, note: 'paid in cash the next day' }],
    [
      'refund.request',
      { refundId: '01JD0000000000000000000211', paymentId: PAYMENT, amount: 300, reason: 'cold' },
    ],
    ['drawer.open', { drawerId: 'd-1', float: 0 }],
    ['drawer.payout', { drawerId: 'd-1', payoutId: 'p-1', amount: 700, reason: 'milk' }],
    ['drawer.close', { drawerId: 'd-1', counted: 9300 }],
    ['drawer.close', { drawerId: 'd-1', counted: 9000, reason: 'short 3.00' }],
    [
      'settings.offlineCard.set',
      {
        policy: {
          enabled: true,
          perTransaction: 5000,
          withManagerApproval: 10_000,
          perDevice: 20_000,
          perVenue: 50_000,
          alertAfterMs: [3_600_000, 86_400_000],
          noNewAfterMs: 86_400_000,
          absoluteMs: 259_200_000,
        },
      },
    ],
  ];
  for (const [type, payload] of extra) ops.push(await opOf(type, payload));
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

  it('name every operation type a device makes, and none that only a server makes', () => {
    expect([...operationTypes()].sort()).toEqual([...DEVICE_TYPES].sort());
    expect(SERVER_MADE_OPS.size).toBeGreaterThan(0);
  });

  it('write the envelope once, and each op type only its type and payload (decision 036)', () => {
    const operation = WIRE_SHAPES.Operation as {
      properties: object;
      oneOf: { properties: object }[];
    };
    expect(Object.keys(operation.properties)).toEqual(ENVELOPE);
    expect(operation.oneOf).toHaveLength(DEVICE_TYPES.length);
    for (const branch of operation.oneOf) {
      expect(Object.keys(branch.properties)).toEqual(['type', 'payload']);
    }
  });
});

describe('the checker agrees with zod', () => {
  it('on valid ops of every device type and 400 mutants of each', async () => {
    const ops = await validOps();
    const types = new Set(ops.map((op) => (op as { type: string }).type));
    expect([...types].sort()).toEqual([...DEVICE_TYPES].sort());
    const { accepted, refused } = fuzz(DeviceOperation, 'Operation', ops, 400, 1);
    // The mutants exercise both answers (a dropped optional member stays valid).
    expect(refused).toBeGreaterThan(ops.length * 250);
    expect(accepted).toBeGreaterThan(ops.length * 10);
  }, 30_000);

  it('on server-made ops: both refuse them, the worker as an op type it does not know', async () => {
    const card = {
      paymentId: '01JD0000000000000000000212',
      orderId: 'o-2',
      amount: 1000,
      tip: 0,
      outcome: 'approved',
      reference: 'ref-1',
      brand: 'visa',
      last4: '4242',
      entry: 'reader',
    };
    const samples = samplePayloads.filter(([type]) => SERVER_MADE_OPS.has(type));
    for (const [type, payload] of [['payment.card', card] as const, ...samples]) {
      const op = await opOf(type, payload);
      expect(parseOperation(op).ok, type).toBe(true);
      expect(agree(DeviceOperation, 'Operation', op), type).toBe(false);
      expect(checkOperation(op)).toMatchObject({ ok: false, code: 'UNKNOWN_OP_TYPE' });
    }
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
    expect(agree(DeviceOperation, 'Operation', op)).toBe(true);
    expect(agree(DeviceOperation, 'Operation', { ...op, payload: { ticketId: 't-1' } })).toBe(
      false,
    );
    expect(
      agree(DeviceOperation, 'Operation', {
        ...op,
        payload: { ticketId: 't-1', assigneeId: null },
      }),
    ).toBe(true);
  });

  it('gives parseOperation’s codes: UNKNOWN_OP_TYPE for an unknown type, else VALIDATION', async () => {
    const random = seeded(8);
    const ops = await validOps();
    const inputs: unknown[] = [null, 3, 'op', [], {}, { type: 'order.explode' }];
    for (const op of ops) for (let i = 0; i < 50; i++) inputs.push(mutate(random, op));
    for (const input of inputs) {
      const type = (input as { type?: unknown } | null)?.type;
      if (SERVER_MADE_OPS.has(type as OperationType)) continue; // the test above
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

describe('the compact form (decision 036)', () => {
  // A union whose branches share their first members, in each of zod's object modes: emitted
  // with them written once and read back as if every branch declared them, as zod parses it.
  const shared = {
    id: Ulid,
    tags: z.array(z.string()).max(2).default([]),
    note: z.string().optional(),
  };
  const unions = {
    Strip: z.discriminatedUnion('kind', [
      z.object({ ...shared, kind: z.literal('a'), a: z.number().int() }),
      z.object({ ...shared, kind: z.literal('b'), b: z.boolean().optional() }),
    ]),
    Strict: z.discriminatedUnion('kind', [
      z.strictObject({ ...shared, kind: z.literal('a'), a: z.number().int() }),
      z.strictObject({ ...shared, kind: z.literal('b'), b: z.boolean().optional() }),
    ]),
    Loose: z.union([
      z.looseObject({ ...shared, a: z.number().int() }),
      z.looseObject({ ...shared, b: z.string() }),
    ]),
  };
  const bundle: SchemaBundle = {
    ...WIRE_SHAPES,
    ...emitShapes(unions, { external: { Ulid } }),
  };

  it('writes the shared members once, beside the union', () => {
    for (const name of Object.keys(unions)) {
      expect(bundle[name], name).toMatchObject({
        type: 'object',
        properties: { id: {}, tags: {}, note: {} },
        optional: ['tags', 'note'],
      });
    }
  });

  it('parses as zod does, stripping, refusing or keeping unknown members', () => {
    const random = seeded(9);
    const values: [keyof typeof unions, unknown][] = [
      ['Strip', { id: ULID, kind: 'a', a: 1 }],
      ['Strip', { id: ULID, tags: ['x'], note: 'n', kind: 'b', b: true, extra: 1 }],
      ['Strict', { id: ULID, kind: 'b' }],
      ['Strict', { id: ULID, tags: [], kind: 'a', a: 2 }],
      ['Loose', { id: ULID, a: 1, extra: { any: 1 } }],
      ['Loose', { id: ULID, note: 'n', b: 'x' }],
    ];
    let refused = 0;
    for (const [name, value] of values) {
      const check = compileCheck(bundle, name);
      for (const input of [value, ...Array.from({ length: 200 }, () => mutate(random, value))]) {
        const expected = unions[name].safeParse(input);
        const actual = check(input);
        const label = `${name} ${JSON.stringify(input)}`;
        expect(actual.ok, label).toBe(expected.success);
        if (expected.success && actual.ok) expect(actual.value, label).toEqual(expected.data);
        if (!expected.success) refused++;
      }
    }
    expect(refused).toBeGreaterThan(400);
    expect(compileCheck(bundle, 'Strict')({ id: ULID, kind: 'b', extra: 1 }).ok).toBe(false);
  });

  it('refuses a branch that declares a shared member again (it would replace its checks)', () => {
    const Refined = z.object({ a: z.number(), b: z.string() }).refine((v) => v.a > 1);
    const refinement = { anyOf: [{ properties: { a: { minimum: 2 } } }] };
    expect(() =>
      emitShapes({ Refined }, { refinements: new Map([[Refined, refinement]]) }),
    ).toThrow(UnrepresentableSchemaError);
  });
});

describe('compiling the whole bundle', () => {
  it('compiles every shape (every keyword in it is one the checker knows)', () => {
    for (const name of Object.keys(WIRE_SHAPES))
      expect(() => compileCheck(WIRE_SHAPES, name)).not.toThrow();
  });
});
