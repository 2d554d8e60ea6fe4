import { describe, expect, it } from 'vitest';
import { hasValidPayloadHash, type JsonValue, type Operation, payloadHash } from '#protocol';
import { hasValidPayloadHashSync } from './payload-hash.ts';

const payloads: JsonValue[] = [
  { orderId: '01J0000000000000000000000A', tableId: 'table-1', guestCount: 2, lines: [] },
  { requestId: '01J0000000000000000000000B', kind: 'water', note: 'Ünïcødé ☕ 🍕 "q" \\ \n' },
  { nested: { b: [1, 2, { z: null, a: 'x' }], a: -0.5 }, empty: {}, list: [], big: 1e21 },
];

/** Only the two fields the check reads matter; the rest of an op is beside the point here. */
async function opOf(payload: JsonValue): Promise<Operation> {
  return { payload, payloadHash: await payloadHash(payload) } as unknown as Operation;
}

describe('hasValidPayloadHashSync', () => {
  it("agrees with protocol's hasValidPayloadHash on a valid hash", async () => {
    for (const payload of payloads) {
      const op = await opOf(payload);
      expect(await hasValidPayloadHash(op)).toBe(true);
      expect(hasValidPayloadHashSync(op)).toBe(true);
    }
  });

  it('refuses a payload changed after hashing, and a hash in upper case', async () => {
    for (const payload of payloads) {
      const op = await opOf(payload);
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
