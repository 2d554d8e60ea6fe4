import { describe, expect, it } from 'vitest';
import {
  hasValidPayloadHash,
  type JsonValue,
  makeOperation,
  newUlid,
  type Operation,
  payloadHash,
} from '#protocol';
import { hasValidPayloadHashSync } from './payload-hash.ts';

// The servers' synchronous payload-hash check must agree with protocol's, op for op.

const payloads: JsonValue[] = [
  { orderId: '01J0000000000000000000000A', tableId: 'table-1', guestCount: 2, lines: [] },
  { requestId: '01J0000000000000000000000B', kind: 'water', note: 'Ünïcødé ☕ 🍕 "q" \\ \n' },
  { nested: { b: [1, 2, { z: null, a: 'x' }], a: -0.5 }, empty: {}, list: [], big: 1e21 },
];

/** Real ops as devices make them, and ops around odd payloads (only two fields are read). */
async function ops(): Promise<Operation[]> {
  const base = { deviceId: 'd1', tenantId: 't1', venueId: 'v1', actorId: 'a1' } as const;
  const made = [
    await makeOperation({
      ...base,
      type: 'serviceRequest.create',
      payload: { requestId: newUlid(), tableId: 'table-1', kind: 'water' },
    }),
    await makeOperation({
      ...base,
      type: 'team.section.create',
      payload: { sectionId: newUlid(), name: 'Terrasse “été” ✓', tableIds: ['table-2', 'table-1'] },
    }),
  ];
  const odd = await Promise.all(
    payloads.map(
      async (payload) =>
        ({ payload, payloadHash: await payloadHash(payload) }) as unknown as Operation,
    ),
  );
  return [...made, ...odd];
}

describe('hasValidPayloadHashSync', () => {
  it('accepts what protocol accepts', async () => {
    for (const op of await ops()) {
      expect(await hasValidPayloadHash(op)).toBe(true);
      expect(hasValidPayloadHashSync(op)).toBe(true);
    }
  });

  it('refuses a payload changed after hashing, and a hash in upper case', async () => {
    for (const op of await ops()) {
      const changed = {
        ...op,
        payload: { ...(op.payload as object), extra: 1 },
      } as unknown as Operation;
      expect(await hasValidPayloadHash(changed)).toBe(false);
      expect(hasValidPayloadHashSync(changed)).toBe(false);
      const upper = { ...op, payloadHash: op.payloadHash.toUpperCase() } as Operation;
      expect(await hasValidPayloadHash(upper)).toBe(false);
      expect(hasValidPayloadHashSync(upper)).toBe(false);
    }
  });
});
