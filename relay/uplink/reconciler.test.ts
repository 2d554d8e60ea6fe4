import { describe, expect, it } from 'vitest';
import type { Operation, Principal } from '#protocol';
import { opOf, staff } from '../../tests/protocol/support/venue-fixture.ts';
import type { JournalRecord } from '../store/relay-store.ts';
import { nextBatch } from './reconciler.ts';

let jseq = 0;
function record(
  op: Operation,
  deviceId: string,
  principal: Principal = staff('server'),
): JournalRecord {
  return {
    jseq: ++jseq,
    opId: op.opId,
    deviceId,
    op: { ...op, deviceId },
    principal,
    receivedAt: '2026-11-23T19:30:00.000Z',
    status: 'pending',
    result: {
      opId: op.opId,
      status: 'accepted_local',
      seq: jseq,
      changed: [],
      at: '2026-11-23T19:30:00.000Z',
    },
  };
}

const create = (orderId: string) =>
  opOf('order.create', { orderId, tableId: 'table-1' }, staff('server'));
const send = (orderId: string) => opOf('order.sendToKitchen', { orderId }, staff('server'));

describe('replay batches', () => {
  it('takes one device’s ops past another device’s unrelated ones', async () => {
    const a1 = record(await create('o-a1'), 'tab-a');
    const b1 = record(await create('o-b1'), 'tab-b');
    const a2 = record(await create('o-a2'), 'tab-a');
    const b2 = record(await create('o-b2'), 'tab-b');
    expect(nextBatch([a1, b1, a2, b2], 50).map((r) => r.opId)).toEqual([a1.opId, a2.opId]);
  });

  it('never lets an op overtake another device’s op on the same order', async () => {
    const a1 = record(await create('o-1'), 'tab-a');
    const b1 = record(
      await opOf(
        'order.addLines',
        { orderId: 'o-1', lines: [{ lineId: 'x', itemId: 'fries', quantity: 1 }] },
        staff('server'),
      ),
      'tab-b',
    );
    const a2 = record(await send('o-1'), 'tab-a');
    const a3 = record(await create('o-3'), 'tab-a');
    // a2 touches o-1, which b1 (skipped) touches: the batch stops at a2, and so a3 waits too.
    expect(nextBatch([a1, b1, a2, a3], 50).map((r) => r.opId)).toEqual([a1.opId]);
  });

  it('stops at the same device acting as another person, and at the size limit', async () => {
    const a1 = record(await create('o-1'), 'tab-a');
    const a2 = record(await create('o-2'), 'tab-a', staff('manager'));
    const a3 = record(await create('o-3'), 'tab-a');
    expect(nextBatch([a1, a2, a3], 50).map((r) => r.opId)).toEqual([a1.opId]);
    expect(nextBatch([a1, a3], 1).map((r) => r.opId)).toEqual([a1.opId]);
  });
});
