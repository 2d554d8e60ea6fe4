import { describe, expect, it } from 'vitest';
import { opSubjects } from '#protocol';
import { opOf, staff } from './support/venue-fixture.ts';

describe('opSubjects (what an op is about, for whoever reorders or holds ops)', () => {
  it('names the op, the entities of its payload and the send a ticket came from; never a table', async () => {
    const send = '01JD0000000000000000000S01';
    const mark = await opOf(
      'ticket.markLine',
      { ticketId: `${send}-grill-c2`, lineId: 'l-1', ready: true },
      staff('kitchen'),
    );
    expect(opSubjects(mark)).toEqual([mark.opId, `${send}-grill-c2`, send, 'l-1']);
    const create = await opOf(
      'order.create',
      { orderId: 'o-1', tableId: 'table-1', lines: [] },
      staff('server'),
    );
    expect(opSubjects(create)).toEqual([create.opId, 'o-1']);
  });

  it('names the dishes of the lines an op adds, so a line never goes before its dish is back on', async () => {
    const add = await opOf(
      'order.addLines',
      {
        orderId: 'o-1',
        lines: [
          { lineId: 'l-1', itemId: 'fries', quantity: 1 },
          { lineId: 'l-2', itemId: 'fries', quantity: 2 },
          { lineId: 'l-3', itemId: 'burger', quantity: 1 },
        ],
      },
      staff('server'),
    );
    expect(opSubjects(add)).toEqual([add.opId, 'o-1', 'fries', 'burger']);
  });

  it("names a device's drawer slot on each of its drawer ops, so shifts keep their order", async () => {
    const close = await opOf('drawer.close', { drawerId: 'd-1', counted: 0 }, staff('server'));
    const open = await opOf('drawer.open', { drawerId: 'd-2', float: 0 }, staff('server'));
    expect(opSubjects(close)).toEqual([close.opId, 'd-1', `drawers@${close.deviceId}`]);
    expect(opSubjects(open)).toContain(`drawers@${close.deviceId}`);
  });
});
