import { describe, expect, it } from 'vitest';
import {
  type Decision,
  decide,
  listEntities,
  type Operation,
  type Order,
  type Principal,
  type VenueState,
} from '#protocol';
import { applyAll } from './support/run-ops.ts';
import {
  ctxFor,
  guest,
  opOf,
  staff,
  venueState,
  withGuestOrdering,
} from './support/venue-fixture.ts';

// A guest's order from the table's QR code: phones at one table share the table's open tab, and
// the guest's lines go to the kitchen at once unless the venue wants staff to approve them.

const phoneA = guest('table-1', 'session-a');
const phoneB = guest('table-1', 'session-b');
const server = staff('server');

let next = 0;
const id = (): string => `01JD00000000000000000G${String(++next).padStart(4, '0')}`;

type Line = { lineId: string; itemId: string; quantity: number; note?: string };
const line = (itemId: string, note?: string): Line => ({
  lineId: id(),
  itemId,
  quantity: 1,
  ...(note === undefined ? {} : { note }),
});

const create = (by: Principal, lines: Line[], tableId = 'table-1') =>
  opOf('order.create', { orderId: id(), tableId, guestCount: 0, lines }, by);

function run(state: VenueState, op: Operation, by: Principal): Decision {
  return decide(state, op, ctxFor(by));
}

function applied(decision: Decision): VenueState {
  if (decision.kind === 'rejected') throw new Error(`${decision.code}: ${decision.message}`);
  return decision.state;
}

const orders = (state: VenueState): Order[] => listEntities(state.entities, 'order');
const tickets = (state: VenueState) => listEntities(state.entities, 'ticket');

describe("a guest's order", () => {
  it('opens the tab and goes to the kitchen at once, tickets naming the table', async () => {
    const state = applied(run(venueState(), await create(phoneA, [line('burger')]), phoneA));
    const [order] = orders(state);
    expect(order).toMatchObject({ source: 'guest', status: 'sent', tableId: 'table-1' });
    expect(order?.lines.every((l) => l.sentAt !== null)).toBe(true);
    expect(tickets(state).map((t) => [t.station, t.tableId, t.server])).toEqual([
      ['grill', 'table-1', 'guest'],
    ]);
  });

  it("joins the table's open tab from another phone; only that phone's lines are sent", async () => {
    const first = applied(run(venueState(), await create(phoneA, [line('burger')]), phoneA));
    const op = await create(phoneB, [line('fries'), line('beer')]);
    const state = applied(run(first, op, phoneB));
    expect(orders(state)).toHaveLength(1);
    expect(orders(state)[0]?.lines.map((l) => l.itemId)).toEqual(['burger', 'fries', 'beer']);
    // The second phone's op made its own tickets (fry and bar), the burger's stays as it was.
    expect(tickets(state).map((t) => t.station)).toEqual(
      expect.arrayContaining(['grill', 'fry', 'bar']),
    );
    expect(tickets(state)).toHaveLength(3);
  });

  it("joins a server's open order without sending the server's unsent lines", async () => {
    const staffOrder = applyAll(venueState(), [await create(server, [line('salad')])], server);
    const state = applied(run(staffOrder, await create(phoneA, [line('fries')]), phoneA));
    const [order] = orders(state);
    expect(orders(state)).toHaveLength(1);
    expect(order?.source).toBe('staff');
    expect(order?.lines.map((l) => [l.itemId, l.sentAt !== null])).toEqual([
      ['salad', false],
      ['fries', true],
    ]);
    expect(tickets(state).map((t) => t.station)).toEqual(['fry']);
  });

  it('starts a new tab when the table has none open (a closed bill is not joined)', async () => {
    const first = applied(run(venueState(), await create(phoneA, [line('beer')]), phoneA));
    const orderId = orders(first)[0]?.id;
    const closed = applyAll(
      first,
      [await opOf('order.close', { orderId, payment: { method: 'cash', tendered: 1000 } }, server)],
      server,
    );
    const state = applied(run(closed, await create(phoneB, [line('fries')]), phoneB));
    expect(
      orders(state)
        .map((o) => o.status)
        .sort(),
    ).toEqual(['closed', 'sent']);
  });

  it('waits for staff when the venue asks for approval; sending it is the approval', async () => {
    const approving = withGuestOrdering(venueState(), { approval: true });
    const state = applied(run(approving, await create(phoneA, [line('burger')]), phoneA));
    const [order] = orders(state);
    expect(order).toMatchObject({ status: 'open' });
    expect(order?.lines.map((l) => l.sentAt)).toEqual([null]);
    expect(tickets(state)).toEqual([]);
    const approved = applyAll(
      state,
      [await opOf('order.sendToKitchen', { orderId: order?.id }, server)],
      server,
    );
    expect(tickets(approved).map((t) => t.station)).toEqual(['grill']);
  });

  it("sends a guest's added lines too, never a server's", async () => {
    const first = applied(run(venueState(), await create(phoneA, [line('burger')]), phoneA));
    const orderId = orders(first)[0]?.id;
    const withServerLine = applyAll(
      first,
      [await opOf('order.addLines', { orderId, lines: [line('salad')] }, server)],
      server,
    );
    const add = await opOf('order.addLines', { orderId, lines: [line('beer')] }, phoneB);
    const state = applied(run(withServerLine, add, phoneB));
    const sent = orders(state)[0]?.lines.map((l) => [l.itemId, l.sentAt !== null]);
    expect(sent).toEqual([
      ['burger', true],
      ['salad', false],
      ['beer', true],
    ]);
  });

  it('refuses line notes from the table where the venue takes none; staff may still note', async () => {
    const noNotes = withGuestOrdering(venueState(), { lineNotes: false });
    const refused = run(noNotes, await create(phoneA, [line('burger', 'no bun')]), phoneA);
    expect(refused).toMatchObject({ kind: 'rejected', code: 'VALIDATION' });
    // A blank note is no note.
    expect(run(noNotes, await create(phoneA, [line('burger', '  ')]), phoneA).kind).toBe('applied');
    expect(run(noNotes, await create(server, [line('burger', 'no bun')]), server).kind).toBe(
      'applied',
    );
  });

  it("refuses a guest another table's order, and an 86'd dish, changing nothing", async () => {
    const other = run(venueState(), await create(phoneA, [line('burger')], 'table-2'), phoneA);
    expect(other).toMatchObject({ kind: 'rejected', code: 'FORBIDDEN' });
    const soldOut = run(venueState(), await create(phoneA, [line('oysters')]), phoneA);
    expect(soldOut.kind).toBe('rejected');
  });
});
