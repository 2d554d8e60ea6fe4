import {
  allowedRoles,
  DEFAULT_OFFLINE_CARD_LIMITS,
  type OperationType,
  type Principal,
  type VenueState,
} from '#protocol';
import { applyAll } from './run-ops.ts';
import { guest, opOf, staff, venueState } from './venue-fixture.ts';

export const SAMPLE_ORDER = '01JD0000000000000000000100';
export const SAMPLE_TICKET = '01JD0000000000000000000101-grill';
/** The second order (voidTarget), sent with its course held before the samples start. */
const SECOND_ORDER = '01JD0000000000000000000102';
const HELD_SEND = '01JD0000000000000000000105';
const HELD_TICKET = `${HELD_SEND}-cold`;
/** The third order (table-1, 20.00), the payment samples' check; a card paid 5.00 of it. */
export const PAY_ORDER = '01JD0000000000000000000110';
/** The approved card payment the refund samples refund. */
export const CARD_PAID = '01JD0000000000000000000111';
export const CASH_PAYMENT = '01JD0000000000000000000112';
export const STORED_PAYMENT = '01JD0000000000000000000113';
export const SAMPLE_REFUND = '01JD0000000000000000000114';
export const SAMPLE_DRAWER = 'drawer-1';

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
  // Payments on PAY_ORDER (20.00, 5.00 paid by card): cash into the drawer, a card stored offline
  // that closes the check and is declined later (reopening it), its follow-up, a card refund.
  ['settings.offlineCard.set', { policy: { ...DEFAULT_OFFLINE_CARD_LIMITS, enabled: true } }],
  ['drawer.open', { drawerId: SAMPLE_DRAWER, float: 10_000 }],
  [
    'drawer.payout',
    { drawerId: SAMPLE_DRAWER, payoutId: 'payout-1', amount: 500, reason: 'ice delivery' },
  ],
  [
    'payment.cash',
    {
      paymentId: CASH_PAYMENT,
      orderId: PAY_ORDER,
      amount: 500,
      tip: 100,
      tendered: 1000,
      drawerId: SAMPLE_DRAWER,
    },
  ],
  [
    'payment.card',
    {
      paymentId: STORED_PAYMENT,
      orderId: PAY_ORDER,
      amount: 1000,
      tip: 150,
      outcome: 'stored',
      reference: 'ref-stored-1',
      brand: 'visa',
      last4: '4242',
      entry: 'reader',
    },
  ],
  [
    'payment.settle',
    { paymentId: STORED_PAYMENT, outcome: 'declined_later', declineCode: 'insufficient_funds' },
  ],
  ['payment.resolveTask', { paymentId: STORED_PAYMENT, note: 'the guest came back and paid' }],
  [
    'refund.request',
    { refundId: SAMPLE_REFUND, paymentId: CARD_PAID, amount: 200, reason: 'cold fries' },
  ],
  ['refund.settle', { refundId: SAMPLE_REFUND, outcome: 'refunded', reference: 'ref-refund-1' }],
  // Float 100.00 + cash 5.00 and its 1.00 tip − the 5.00 payout.
  ['drawer.close', { drawerId: SAMPLE_DRAWER, counted: 10_100 }],
];

/**
 * Who makes each sample: the kitchen moves tickets; a manager makes what a manager may, the
 * owner the rest (the offline card policy, and the server-made settles).
 */
export function samplePrincipal(type: OperationType): Principal {
  if (type.startsWith('ticket.')) return staff('kitchen');
  return allowedRoles[type].includes('manager') ? staff('manager') : staff('owner');
}

/** The second order the samples fire a course of, void a line of, and void. */
export const voidTarget = {
  orderId: SECOND_ORDER,
  tableId: 'table-2',
  lines: [{ lineId: 'v-1', itemId: 'salad', quantity: 1 }],
};

/**
 * The state the samples start from: `voidTarget` created and sent with its course held, and
 * PAY_ORDER with 5.00 of its 20.00 paid by an approved card.
 */
export async function sampleStart(): Promise<VenueState> {
  return applyAll(venueState(), [
    await opOf('order.create', voidTarget),
    await opOf('order.sendToKitchen', { orderId: SECOND_ORDER, hold: true }, staff('manager'), {
      opId: HELD_SEND,
    }),
    await opOf('order.create', {
      orderId: PAY_ORDER,
      tableId: 'table-1',
      lines: [
        { lineId: 'p-1', itemId: 'burger', quantity: 1 },
        { lineId: 'p-2', itemId: 'beer', quantity: 1 },
      ],
    }),
    await opOf('payment.card', {
      paymentId: CARD_PAID,
      orderId: PAY_ORDER,
      amount: 500,
      tip: 0,
      outcome: 'approved',
      reference: 'ref-approved-1',
      brand: 'mastercard',
      last4: '0005',
      entry: 'reader',
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
