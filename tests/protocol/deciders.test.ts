import { beforeAll, describe, expect, it } from 'vitest';
import {
  actorOf,
  allowedRoles,
  decide,
  emptyEntitySet,
  getEntity,
  listEntities,
  OPERATION_TYPES,
  type Operation,
  type OperationType,
  project,
  type Role,
  ticketIdFor,
  type VenueState,
} from '#protocol';
import { applyAll } from './support/run-ops.ts';
import {
  everyRole,
  SAMPLE_ORDER,
  samplePayloads,
  samplePrincipal,
  sampleStart,
} from './support/sample-ops.ts';
import { ctxFor, guest, opOf, staff, venueState } from './support/venue-fixture.ts';

const manager = staff('manager');

/** The state each sample op is decided against: every earlier sample applied. */
const before = new Map<OperationType, VenueState>();
const ops = new Map<OperationType, Operation>();

beforeAll(async () => {
  let state = await sampleStart();
  for (const [type, payload] of samplePayloads) {
    const principal = samplePrincipal(type);
    const op = await opOf(
      type,
      payload,
      principal,
      type === 'order.sendToKitchen' ? { opId: '01JD0000000000000000000101' } : {},
    );
    before.set(type, state);
    ops.set(type, op);
    state = applyAll(state, [op], principal);
  }
});

describe('every operation type', () => {
  it('has a sample here', () => {
    expect(new Set(samplePayloads.map(([t]) => t))).toEqual(new Set(OPERATION_TYPES));
  });

  it.each(OPERATION_TYPES)('%s is decided and changes the state it names', (type) => {
    const principal = samplePrincipal(type);
    const decision = decide(
      before.get(type) as VenueState,
      ops.get(type) as Operation,
      ctxFor(principal),
    );
    expect(decision.kind).toBe('applied');
    if (decision.kind === 'applied') expect(decision.changes.length).toBeGreaterThan(0);
  });
});

describe('access: every operation type × every role', () => {
  const roles = Object.keys(everyRole) as Role[];
  const cells = OPERATION_TYPES.flatMap((type) => roles.map((role) => [type, role] as const));

  // Allowed by role but refused by the sample's state: the sample void is of a sent order.
  const refusedByState: ReadonlyMap<string, string> = new Map([
    ['order.void as server', 'a manager voids an order already sent to the kitchen'],
  ]);

  it.each(cells)('%s as %s', async (type, role) => {
    const principal = everyRole[role];
    const op = await opOf(type, samplePayloads.find(([t]) => t === type)?.[1], principal);
    const decision = decide(before.get(type) as VenueState, op, ctxFor(principal));
    const byState = refusedByState.get(`${type} as ${role}`);
    if (byState !== undefined) {
      expect(allowedRoles[type]).toContain(role);
      expect(decision).toMatchObject({ kind: 'rejected', code: 'FORBIDDEN', message: byState });
    } else if (allowedRoles[type].includes(role)) {
      if (decision.kind === 'rejected') expect(decision.code).not.toBe('FORBIDDEN');
    } else {
      expect(decision).toMatchObject({ kind: 'rejected', code: 'FORBIDDEN' });
    }
  });

  it('kitchen staff may not take payments and guests may not bump tickets', () => {
    expect(allowedRoles['order.close']).not.toContain('kitchen');
    expect(allowedRoles['ticket.transition']).not.toContain('guest');
  });
});

describe('envelope checks', () => {
  it('rejects an op for another venue, a token for another venue, and a forged actor', async () => {
    const state = venueState();
    const op = await opOf('menu.item.setAvailability', { itemId: 'beer', available: false });
    expect(decide(state, { ...op, venueId: 'other-venue' }, ctxFor(manager))).toMatchObject({
      code: 'WRONG_VENUE',
    });
    expect(decide(state, { ...op, tenantId: 'other' }, ctxFor(manager))).toMatchObject({
      code: 'WRONG_VENUE',
    });
    const elsewhere = { ...manager, venueId: 'other-venue' };
    expect(decide(state, op, ctxFor(elsewhere))).toMatchObject({ code: 'FORBIDDEN' });
    expect(decide(state, { ...op, actorId: 'someone-else' }, ctxFor(manager))).toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('takes an op as the actor its token acts as (actorOf): a staff id, a guest session', () => {
    expect(actorOf(manager)).toBe('manager-1');
    expect(actorOf(guest('table-2', 'session-9'))).toBe('session-9');
  });
});

describe('orders', () => {
  it('prices lines from the menu, with modifiers, inclusive tax and cash rounding', () => {
    const order = getEntity(
      (before.get('order.addLines') as VenueState).entities,
      'order',
      SAMPLE_ORDER,
    );
    // 2 × (14.50 + 1.50) = 32.00, 9 % included: 32.00 − 32.00/1.09 = 2.64
    expect(order?.lines[0]).toMatchObject({
      name: 'Burger',
      unitPrice: 1450,
      station: 'grill',
      sentAt: null,
    });
    expect(order?.totals).toEqual({
      currency: 'EUR',
      subtotal: 3200,
      tax: 264,
      total: 3200,
      cashTotal: 3200,
      cashRounding: 0,
    });
  });

  it('sends one ticket per station, with ids made from the op', () => {
    const decision = decide(
      before.get('order.sendToKitchen') as VenueState,
      ops.get('order.sendToKitchen') as Operation,
      ctxFor(manager),
    );
    if (decision.kind !== 'applied') throw new Error(decision.message);
    const tickets = decision.changes.filter((c) => c.entity === 'ticket');
    expect(tickets.map((t) => t.id)).toEqual([
      ticketIdFor('01JD0000000000000000000101', 'grill'),
      ticketIdFor('01JD0000000000000000000101', 'bar'),
    ]);
    const order = getEntity(decision.state.entities, 'order', SAMPLE_ORDER);
    expect(order?.status).toBe('sent');
    expect(order?.lines.every((l) => l.sentAt !== null)).toBe(true);
    expect(getEntity(decision.state.entities, 'ticket', tickets[1]?.id ?? '')).toMatchObject({
      station: 'bar',
      status: 'queued',
      tableLabel: '1',
      lines: [{ lineId: 'l-2', name: 'Beer', quantity: 2 }],
    });
  });

  it('closes for cash with change at the rounded cash total, and refuses short cash', async () => {
    const state = before.get('order.close') as VenueState;
    const order = getEntity(state.entities, 'order', SAMPLE_ORDER);
    expect(order?.totals.total).toBe(4300);
    const decision = decide(state, ops.get('order.close') as Operation, ctxFor(manager));
    if (decision.kind !== 'applied') throw new Error(decision.message);
    expect(getEntity(decision.state.entities, 'order', SAMPLE_ORDER)?.payment).toEqual({
      method: 'cash',
      amount: 4300,
      tendered: 6000,
      change: 1700,
    });
    const short = await opOf('order.close', {
      orderId: SAMPLE_ORDER,
      payment: { method: 'cash', tendered: 4299 },
    });
    expect(decide(state, short, ctxFor(manager))).toMatchObject({ code: 'PAYMENT_INSUFFICIENT' });
  });

  it('refuses a close by card: a card is recorded from the processor’s answer, never by a device', async () => {
    const state = before.get('order.close') as VenueState;
    const byCard = await opOf('order.close', {
      orderId: SAMPLE_ORDER,
      payment: { method: 'card', amount: 4300, reference: 'gw-1' },
    });
    expect(decide(state, byCard, ctxFor(manager))).toMatchObject({
      kind: 'rejected',
      code: 'FORBIDDEN',
    });
  });

  it('rounds cash to the venue increment', async () => {
    const base = venueState();
    const fries = getEntity(base.entities, 'menuItem', 'fries');
    if (!fries) throw new Error('fixture has no fries');
    const repriced = {
      ...base,
      entities: project(base.entities, [
        {
          entity: 'menuItem',
          id: 'fries',
          op: 'upsert',
          data: { ...fries, price: 452, version: 2 },
          version: 2,
        },
      ]),
    };
    const odd = applyAll(repriced, [
      await opOf('order.create', {
        orderId: 'o-odd',
        tableId: null,
        lines: [{ lineId: 'y', itemId: 'fries', quantity: 1 }],
      }),
    ]);
    expect(getEntity(odd.entities, 'order', 'o-odd')?.totals).toMatchObject({
      total: 452,
      cashTotal: 450,
      cashRounding: -2,
    });
  });

  it('refuses unknown, sold-out and disallowed items, sent-line removal, an empty send and no lines after close', async () => {
    const state = before.get('order.close') as VenueState;
    const add = (itemId: string, modifierIds: string[] = []) =>
      opOf('order.addLines', {
        orderId: SAMPLE_ORDER,
        lines: [{ lineId: `n-${itemId}`, itemId, quantity: 1, modifierIds }],
      });
    expect(decide(state, await add('caviar'), ctxFor(manager))).toMatchObject({
      code: 'UNKNOWN_ITEM',
    });
    expect(decide(state, await add('oysters'), ctxFor(manager))).toMatchObject({
      code: 'ITEM_UNAVAILABLE',
    });
    expect(decide(state, await add('fries', ['extra-cheese']), ctxFor(manager))).toMatchObject({
      code: 'MODIFIER_NOT_ALLOWED',
    });
    expect(decide(state, await add('burger', ['truffle']), ctxFor(manager))).toMatchObject({
      code: 'MODIFIER_NOT_ALLOWED',
    });
    const removeSent = await opOf('order.removeLine', { orderId: SAMPLE_ORDER, lineId: 'l-1' });
    expect(decide(state, removeSent, ctxFor(manager))).toMatchObject({ code: 'LINE_ALREADY_SENT' });
    const send = await opOf('order.sendToKitchen', { orderId: SAMPLE_ORDER });
    expect(decide(state, send, ctxFor(manager))).toMatchObject({ code: 'NOTHING_TO_SEND' });
    const closed = applyAll(state, [ops.get('order.close') as Operation]);
    expect(decide(closed, await add('beer'), ctxFor(manager))).toMatchObject({
      code: 'INVALID_STATE_TRANSITION',
    });
  });

  it('refuses a duplicate line id and an order that already exists', async () => {
    const state = before.get('order.close') as VenueState;
    const dup = await opOf('order.addLines', {
      orderId: SAMPLE_ORDER,
      lines: [{ lineId: 'l-1', itemId: 'beer', quantity: 1 }],
    });
    expect(decide(state, dup, ctxFor(manager))).toMatchObject({ code: 'ALREADY_EXISTS' });
    const again = await opOf('order.create', { orderId: SAMPLE_ORDER, tableId: null });
    expect(decide(state, again, ctxFor(manager))).toMatchObject({
      code: 'ALREADY_EXISTS',
      current: { id: SAMPLE_ORDER },
    });
  });

  it('voiding marks tickets still on the pass VOID (no tombstones) and keeps them', async () => {
    const state = before.get('order.close') as VenueState;
    const decision = decide(
      state,
      await opOf('order.void', { orderId: SAMPLE_ORDER, reason: 'guest left' }),
      ctxFor(manager, '2026-11-23T19:40:00.000Z'),
    );
    if (decision.kind !== 'applied') throw new Error(decision.message);
    expect(decision.changes.filter((c) => c.op === 'tombstone')).toHaveLength(0);
    const tickets = listEntities(decision.state.entities, 'ticket').filter(
      (t) => t.orderId === SAMPLE_ORDER,
    );
    expect(tickets).toHaveLength(2);
    for (const ticket of tickets) {
      const was = getEntity(state.entities, 'ticket', ticket.id);
      expect(ticket).toMatchObject({
        status: was?.status,
        voidedAt: '2026-11-23T19:40:00.000Z',
        attention: 'void',
      });
    }
  });

  it('never shows a guest the entity behind a rejection (it may be another table’s)', async () => {
    const state = before.get('order.close') as VenueState;
    const atTwo = guest('table-2', 'guest-2');
    const clash = await opOf(
      'order.create',
      { orderId: SAMPLE_ORDER, tableId: 'table-2', lines: [] },
      atTwo,
    );
    const decision = decide(state, clash, ctxFor(atTwo));
    expect(decision).toMatchObject({ kind: 'rejected', code: 'ALREADY_EXISTS' });
    expect(decision.kind === 'rejected' && decision.current).toBeUndefined();
    expect(decide(state, clash, ctxFor(staff('manager'))).kind === 'rejected').toBe(true);
  });

  it('holds a guest to their own table', async () => {
    const atTwo = guest('table-2', 'guest-2');
    const foreign = await opOf(
      'order.create',
      { orderId: 'o-g', tableId: 'table-1', lines: [] },
      atTwo,
    );
    expect(decide(venueState(), foreign, ctxFor(atTwo))).toMatchObject({ code: 'FORBIDDEN' });
    const state = before.get('order.close') as VenueState;
    const addForeign = await opOf(
      'order.addLines',
      { orderId: SAMPLE_ORDER, lines: [{ lineId: 'g1', itemId: 'beer', quantity: 1 }] },
      atTwo,
    );
    expect(decide(state, addForeign, ctxFor(atTwo))).toMatchObject({ code: 'FORBIDDEN' });
    const call = await opOf(
      'serviceRequest.create',
      { requestId: 'r-g', tableId: 'table-1', kind: 'bill' },
      atTwo,
    );
    expect(decide(state, call, ctxFor(atTwo))).toMatchObject({ code: 'FORBIDDEN' });
    const own = await opOf(
      'order.create',
      { orderId: 'o-own', tableId: 'table-2', lines: [] },
      atTwo,
    );
    const decision = decide(venueState(), own, ctxFor(atTwo));
    if (decision.kind !== 'applied') throw new Error(decision.message);
    expect(getEntity(decision.state.entities, 'order', 'o-own')).toMatchObject({
      source: 'guest',
      openedBy: 'guest-2',
    });
  });
});

describe('tickets and team', () => {
  it('moves a ticket only to a known station and only to an active cook', async () => {
    const state = before.get('ticket.assign') as VenueState;
    const kitchen = staff('kitchen');
    const assign = (payload: object) =>
      opOf('ticket.assign', { ticketId: '01JD0000000000000000000101-grill', ...payload }, kitchen);
    expect(decide(state, await assign({ station: 'moon' }), ctxFor(kitchen))).toMatchObject({
      code: 'UNKNOWN_STATION',
    });
    expect(decide(state, await assign({ assigneeId: 'cook-2' }), ctxFor(kitchen))).toMatchObject({
      code: 'INVALID_STATE_TRANSITION',
    });
    expect(decide(state, await assign({ assigneeId: 'nobody' }), ctxFor(kitchen))).toMatchObject({
      code: 'NOT_FOUND',
    });
    const moved = decide(state, await assign({ station: 'fry' }), ctxFor(kitchen));
    if (moved.kind !== 'applied') throw new Error(moved.message);
    expect(
      getEntity(moved.state.entities, 'ticket', '01JD0000000000000000000101-grill')?.station,
    ).toBe('fry');
  });

  it('refuses a section over tables that do not exist', async () => {
    const op = await opOf('team.section.create', {
      sectionId: 'x',
      name: 'X',
      tableIds: ['table-99'],
    });
    expect(decide(venueState(), op, ctxFor(manager))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('treats an availability change that changes nothing as an idempotent success', async () => {
    const op = await opOf(
      'menu.item.setAvailability',
      { itemId: 'beer', available: true },
      staff('kitchen'),
    );
    expect(decide(venueState(), op, ctxFor(staff('kitchen')))).toMatchObject({
      kind: 'applied',
      changes: [],
    });
  });

  it('refuses ops when the venue has no settings', async () => {
    const state = venueState();
    const bare = { ...state, entities: { ...state.entities, settings: emptyEntitySet().settings } };
    const op = await opOf('order.create', { orderId: 'o-x', tableId: null, lines: [] });
    expect(decide(bare, op, ctxFor(manager))).toMatchObject({ code: 'SETTINGS_MISSING' });
  });
});
