import { describe, expect, it } from 'vitest';
import { hasValidPayloadHash, makeOperation, newUlid, type Operation } from '#protocol';
import { hasValidPayloadHashSync } from './payload-hash.ts';

// The cloud's synchronous payload-hash check must agree with protocol's, op for op.

async function ops(): Promise<Operation[]> {
  const base = { deviceId: 'd1', tenantId: 't1', venueId: 'v1', actorId: 'a1' } as const;
  return [
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
}

describe('hasValidPayloadHashSync', () => {
  it('accepts what protocol accepts', async () => {
    for (const op of await ops()) {
      expect(await hasValidPayloadHash(op)).toBe(true);
      expect(hasValidPayloadHashSync(op)).toBe(true);
    }
  });

  it('refuses a payload changed after hashing, and a hash in another case', async () => {
    for (const op of await ops()) {
      const changed = {
        ...op,
        payload: { ...(op.payload as object), extra: 1 },
      } as unknown as Operation;
      expect(await hasValidPayloadHash(changed)).toBe(false);
      expect(hasValidPayloadHashSync(changed)).toBe(false);
      expect(hasValidPayloadHashSync({ ...op, payloadHash: op.payloadHash.toUpperCase() })).toBe(
        false,
      );
    }
  });
});
