import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeOperation, type OperationDraft, sha256Hex } from '#protocol';
import { makeOperationHere, sha256HexNow } from '../../web/app/op-maker.ts';

// The screens make ops synchronously (a tap's POST leaves in the tap's own task): the same op,
// hash included, as protocol's awaited makeOperation.

describe('op maker', () => {
  it('hashes as WebCrypto does, for any text (FIPS 180-2 "abc", then arbitrary Unicode)', async () => {
    expect(sha256HexNow('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 300 }), async (text) => {
        expect(sha256HexNow(text)).toBe(await sha256Hex(text));
      }),
    );
  });

  it('makes the op makeOperation makes, defaults filled and hash over the parsed payload', async () => {
    const draft: OperationDraft<'order.addLines'> = {
      type: 'order.addLines',
      payload: {
        orderId: '01J0000000000000000000ORDR',
        lines: [
          {
            lineId: '01J0000000000000000000LINE',
            itemId: 'burrata',
            quantity: 2,
            note: 'no basil — allergie',
          },
        ],
        send: {},
      },
      deviceId: 'device-1',
      tenantId: 'demo',
      venueId: 'demo-bistro',
      actorId: 'staff-1',
      opId: '01J00000000000000000000OP1',
      occurredAt: '2026-12-07T19:00:00.000Z',
    };
    expect(makeOperationHere(draft)).toEqual(await makeOperation(draft));
  });

  it('refuses an invalid payload as makeOperation does', async () => {
    const draft = {
      type: 'order.addLines' as const,
      payload: { orderId: 'o1', lines: [{ itemId: 'burrata', quantity: -1 }] },
      deviceId: 'device-1',
      tenantId: 'demo',
      venueId: 'demo-bistro',
      actorId: 'staff-1',
    };
    expect(() => makeOperationHere(draft)).toThrow();
    await expect(makeOperation(draft)).rejects.toThrow();
  });
});
