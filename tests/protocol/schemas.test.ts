import { describe, expect, it } from 'vitest';
import {
  BatchRequest,
  decide,
  type EntityKind,
  entitySchemas,
  FeedEntry,
  listEntities,
  OPERATION_TYPES,
  Operation,
  OpResult,
  Problem,
  parseOperation,
  parseScopes,
  payloadSchemas,
  problem,
  Snapshot,
} from '#protocol';
import { samplePayloads, samplePrincipal, sampleStart } from './support/sample-ops.ts';
import { ctxFor, NOW, opOf } from './support/venue-fixture.ts';

/** What crosses the wire comes back as it went. */
const viaWire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('schema round trips', () => {
  it.each(samplePayloads.map(([type, payload]) => [type, payload] as const))(
    '%s operation',
    async (type, payload) => {
      const op = await opOf(type, payload);
      expect(Operation.parse(viaWire(op))).toEqual(op);
      expect(payloadSchemas[type].parse(viaWire(op.payload))).toEqual(op.payload);
    },
  );

  it('every entity the samples make, and the feed entries and snapshot that carry them', async () => {
    let state = await sampleStart();
    const entries: unknown[] = [];
    for (const [type, payload] of samplePayloads) {
      const principal = samplePrincipal(type);
      const op = await opOf(
        type,
        payload,
        principal,
        type === 'order.sendToKitchen' ? { opId: '01JD0000000000000000000101' } : {},
      );
      const decision = decide(state, op, ctxFor(principal));
      if (decision.kind !== 'applied') throw new Error(decision.message);
      for (const change of decision.changes)
        entries.push({ ...change, seq: entries.length + 1, at: NOW, opId: op.opId });
      state = decision.state;
    }
    entries.push({
      entity: 'ticket',
      id: 'gone',
      op: 'tombstone',
      version: 4,
      seq: entries.length + 1,
      at: NOW,
    });
    for (const entry of entries) expect(FeedEntry.parse(viaWire(entry))).toEqual(entry);
    const mismatched = { ...(entries[0] as object), id: 'another-id' };
    expect(FeedEntry.safeParse(mismatched).success).toBe(false);
    const records = (Object.keys(entitySchemas) as EntityKind[]).flatMap((kind) =>
      listEntities(state.entities, kind).map((data) => ({ entity: kind, data })),
    );
    for (const { entity, data } of records)
      expect(entitySchemas[entity].parse(viaWire(data))).toEqual(data);
    const snapshot = {
      venueId: 'demo-bistro',
      cursor: 'opaque',
      seq: entries.length,
      at: NOW,
      records,
    };
    expect(Snapshot.parse(viaWire(snapshot))).toEqual(snapshot);
  });

  it('op results of every status', () => {
    const applied = {
      opId: '01JD0000000000000000000001',
      status: 'applied',
      seq: 9,
      changed: [{ entity: 'order', id: 'o', version: 2 }],
      at: NOW,
    };
    const results = [
      applied,
      {
        opId: '01JD0000000000000000000002',
        status: 'rejected',
        code: 'INVALID_STATE_TRANSITION',
        message: 'no',
        current: { id: 'x' },
      },
      { ...applied, status: 'accepted_local' },
      { opId: applied.opId, status: 'duplicate', first: applied },
      {
        opId: applied.opId,
        status: 'retryable',
        code: 'IN_FLIGHT',
        message: 'wait',
        retryAfterMs: 1000,
      },
    ];
    for (const result of results) expect(OpResult.parse(viaWire(result))).toEqual(result);
  });

  it('problem bodies carry a kind for every status', () => {
    for (const [status, kind] of [
      [400, 'fix_request'],
      [401, 'sign_in'],
      [403, 'stop'],
      [409, 'retry_later'],
      [410, 're_bootstrap'],
      [413, 'fix_request'],
      [422, 'fix_request'],
      [429, 'back_off'],
      [503, 'back_off'],
    ] as const) {
      const body = problem(status, 'SOME_CODE', 'Title');
      expect(Problem.parse(viaWire(body))).toMatchObject({ status, kind, code: 'SOME_CODE' });
    }
    expect(problem(409, 'SCOPE_MISMATCH', 'x', { kind: 're_bootstrap' }).kind).toBe('re_bootstrap');
  });
});

describe('bad input gets a typed rejection', () => {
  it('names an unknown op type as such', () => {
    expect(parseOperation({ type: 'order.teleport', payload: {} })).toMatchObject({
      ok: false,
      code: 'UNKNOWN_OP_TYPE',
    });
    expect(parseOperation(null)).toMatchObject({ ok: false, code: 'UNKNOWN_OP_TYPE' });
  });

  it.each(OPERATION_TYPES)(
    '%s with a broken payload fails validation with the field named',
    async (type) => {
      const payload = samplePayloads.find(([t]) => t === type)?.[1];
      const op = await opOf(type, payload);
      const result = parseOperation({
        ...op,
        payload: { ...op.payload, [Object.keys(op.payload)[0] ?? 'x']: { nested: 'junk' } },
      });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.code).toBe('VALIDATION');
        expect(result.issues[0]?.path).toMatch(/^payload\./);
      }
    },
  );

  it('refuses envelopes with a non-ULID opId, a bad hash or a money float', async () => {
    const op = await opOf('order.close', {
      orderId: 'o',
      payment: { method: 'cash', tendered: 100 },
    });
    expect(parseOperation({ ...op, opId: 'abc' })).toMatchObject({
      ok: false,
      issues: [{ path: 'opId' }],
    });
    expect(parseOperation({ ...op, payloadHash: 'XYZ' })).toMatchObject({
      ok: false,
      issues: [{ path: 'payloadHash' }],
    });
    const float = { ...op, payload: { orderId: 'o', payment: { method: 'cash', tendered: 10.5 } } };
    expect(parseOperation(float)).toMatchObject({ ok: false, code: 'VALIDATION' });
  });

  it('caps batch size', async () => {
    const op = await opOf('order.sendToKitchen', { orderId: 'o' });
    expect(
      BatchRequest.safeParse({ deviceId: 'd', ops: Array.from({ length: 101 }, () => op) }).success,
    ).toBe(false);
    expect(BatchRequest.safeParse({ deviceId: 'd', ops: [] }).success).toBe(false);
    expect(BatchRequest.safeParse({ deviceId: 'd', ops: [op] }).success).toBe(true);
  });

  it('parses scope lists and names unknown scopes', () => {
    expect(parseScopes('ticket,menu,ticket')).toEqual({ ok: true, scopes: ['menu', 'ticket'] });
    expect(parseScopes(null)).toMatchObject({ ok: true });
    expect(parseScopes('ticket,payroll')).toEqual({ ok: false, unknown: ['payroll'] });
  });
});
