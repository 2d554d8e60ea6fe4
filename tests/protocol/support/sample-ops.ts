import type { OperationType, Principal, VenueState } from '#protocol';
import { applyAll } from './run-ops.ts';
import { guest, opOf, staff, venueState } from './venue-fixture.ts';

export const SAMPLE_ORDER = '01JD0000000000000000000100';
export const SAMPLE_TICKET = '01JD0000000000000000000101-grill';
/** The second order (voidTarget), sent with its course held before the samples start. */
const SECOND_ORDER = '01JD0000000000000000000102';
const HELD_SEND = '01JD0000000000000000000105';
const HELD_TICKET = `${HELD_SEND}-cold`;

/**
 * One valid payload per operation type, each applicable to `venueState()` after the setup
 * ops that come before it here (an order to add to, a ticket to move…). Ordered so each
 * builds on the last.
 */
export const samplePayloads: readonly (readonly [OperationType, unknown])[] = [
  [
    'order.create',
    {
      orderId: SAMPLE_ORDER,
      tableId: 'table-1',
      lines: [{ lineId: 'l-1', itemId: 'burger', quantity: 2, modifierIds: ['extra-cheese'] }],
    },
  ],
  [
    'order.addLines',
    {
      orderId: SAMPLE_ORDER,
      lines: [
        { lineId: 'l-2', itemId: 'beer', quantity: 2 },
        { lineId: 'l-3', itemId: 'fries', quantity: 1 },
      ],
    },
  ],
  ['order.removeLine', { orderId: SAMPLE_ORDER, lineId: 'l-3' }],
  ['order.sendToKitchen', { orderId: SAMPLE_ORDER }],
  // The grill ticket holds l-1 alone: marking it done makes the ticket ready.
  ['ticket.markLine', { ticketId: SAMPLE_TICKET, lineId: 'l-1', ready: true }],
  ['ticket.transition', { ticketId: SAMPLE_TICKET, action: 'bump' }],
  ['ticket.recall', { ticketId: SAMPLE_TICKET }],
  ['ticket.assign', { ticketId: SAMPLE_TICKET, assigneeId: 'cook-1' }],
  ['order.fireCourse', { orderId: SECOND_ORDER, course: 1 }],
  ['order.voidLine', { orderId: SECOND_ORDER, lineId: 'v-1', reason: 'allergy' }],
  ['ticket.acknowledge', { ticketId: HELD_TICKET }],
  ['order.close', { orderId: SAMPLE_ORDER, payment: { method: 'cash', tendered: 6000 } }],
  ['order.void', { orderId: SECOND_ORDER, reason: 'test' }],
  [
    'serviceRequest.create',
    { requestId: '01JD0000000000000000000103', tableId: 'table-1', kind: 'call_waiter' },
  ],
  ['serviceRequest.transition', { requestId: '01JD0000000000000000000103', action: 'acknowledge' }],
  [
    'booking.create',
    {
      bookingId: '01JD0000000000000000000104',
      guestName: 'Ines',
      partySize: 2,
      startsAt: '2026-11-30T18:00:00Z',
    },
  ],
  ['booking.transition', { bookingId: '01JD0000000000000000000104', action: 'confirm' }],
  [
    'team.section.create',
    { sectionId: 'inside', name: 'Inside', tableIds: ['table-3', 'table-4'] },
  ],
  ['team.member.upsert', { memberId: 'srv-2', name: 'Noor', role: 'server', sectionId: 'inside' }],
  ['menu.item.setAvailability', { itemId: 'salad', available: false }],
  [
    'device.pair',
    {
      deviceId: 'bar-tablet',
      name: 'Bar tablet',
      role: 'floor',
      pairingId: '01JD0000000000000000000106',
      credentialDigest: 'q'.repeat(43),
    },
  ],
  ['device.revoke', { deviceId: 'bar-tablet' }],
];

/** The second order the samples fire a course of, void a line of, and void. */
export const voidTarget = {
  orderId: SECOND_ORDER,
  tableId: 'table-2',
  lines: [{ lineId: 'v-1', itemId: 'salad', quantity: 1 }],
};

/** The state the samples start from: `voidTarget` created and sent with its course held. */
export async function sampleStart(): Promise<VenueState> {
  return applyAll(venueState(), [
    await opOf('order.create', voidTarget),
    await opOf('order.sendToKitchen', { orderId: SECOND_ORDER, hold: true }, staff('manager'), {
      opId: HELD_SEND,
    }),
  ]);
}

/** Every role as a principal; the guest sits at table-1, where the samples order. */
export const everyRole: Readonly<
  Record<'guest' | 'server' | 'kitchen' | 'manager' | 'owner', Principal>
> = {
  guest: guest('table-1'),
  server: staff('server'),
  kitchen: staff('kitchen'),
  manager: staff('manager'),
  owner: staff('owner'),
};
