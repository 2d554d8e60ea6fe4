import fc from 'fast-check';
import {
  allowedRoles,
  balanceOf,
  DEFAULT_OFFLINE_CARD_LIMITS,
  drawerExpected,
  listEntities,
  type Operation,
  type OperationType,
  type Principal,
  type VenueState,
} from '#protocol';
import { everyRole } from './sample-ops.ts';
import { opOf } from './venue-fixture.ts';

/**
 * Abstract commands: which op, and indexes into pools. They become real ops against the state
 * they meet (`materialize`), so a "ticket" command picks a ticket that exists then, and random
 * sequences exercise real transitions instead of bouncing off NOT_FOUND.
 */
const ORDER_IDS = [
  '01JD00000000000000000000A0',
  '01JD00000000000000000000A1',
  '01JD00000000000000000000A2',
];
const ITEMS = ['burger', 'fries', 'salad', 'beer', 'oysters', 'caviar'];
const MODIFIERS = ['extra-cheese', 'no-onions', 'truffle'];
const TABLES = ['table-1', 'table-2', 'table-3', 'table-4', 'table-9'];
const ROLES = Object.keys(everyRole) as (keyof typeof everyRole)[];
/** Payment, refund and drawer ids: small pools, so some are used twice (ALREADY_EXISTS). */
const PAYMENT_IDS = Array.from({ length: 6 }, (_, n) => `01JD00000000000000000000B${n}`);
const REFUND_IDS = Array.from({ length: 4 }, (_, n) => `01JD00000000000000000000C${n}`);
const DRAWER_IDS = ['drawer-0', 'drawer-1', 'drawer-2'];

// Mostly orderable items and plain lines, with some sold-out, unknown and odd modifiers mixed in.
const itemIndex = fc.oneof(
  { weight: 6, arbitrary: fc.nat(3) },
  { weight: 1, arbitrary: fc.constantFrom(4, 5) },
);
const line = fc.record({
  line: fc.nat(7),
  item: itemIndex,
  quantity: fc.integer({ min: 1, max: 3 }),
  modifiers: fc.oneof(
    { weight: 4, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.subarray(MODIFIERS, { maxLength: 2 }) },
  ),
});

/** A send in the same op as the lines (an optional key): every unsent line, or one course, maybe held. */
const sendWithLines = fc.oneof(
  fc.constant({}),
  fc.record({ course: fc.constantFrom(1, 2), hold: fc.boolean() }),
);

export const command = fc.oneof(
  fc.record(
    {
      k: fc.constant('order.create' as const),
      order: fc.nat(7),
      table: fc.option(fc.nat(4)),
      lines: fc.array(line, { maxLength: 2 }),
      send: sendWithLines,
    },
    { requiredKeys: ['k', 'order', 'table', 'lines'] },
  ),
  fc.record(
    {
      k: fc.constant('order.addLines' as const),
      order: fc.nat(7),
      lines: fc.array(line, { minLength: 1, maxLength: 2 }),
      send: sendWithLines,
    },
    { requiredKeys: ['k', 'order', 'lines'] },
  ),
  fc.record({
    k: fc.constant('order.addLines' as const),
    order: fc.nat(7),
    lines: fc.array(line, { minLength: 1, maxLength: 1 }),
  }),
  fc.record({ k: fc.constant('order.removeLine' as const), order: fc.nat(7), line: fc.nat(7) }),
  fc.record({ k: fc.constant('order.sendToKitchen' as const), order: fc.nat(7) }),
  // One course, sometimes held; lines numbered 5–7 are course 2. Held courses and firing them
  // come up more, so a fire meets a held course among the payment ops.
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('order.sendToKitchen' as const),
      order: fc.nat(7),
      course: fc.constantFrom(1, 2),
      hold: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('order.fireCourse' as const),
      order: fc.nat(7),
      course: fc.constantFrom(1, 2, 3),
    }),
  },
  fc.record({ k: fc.constant('order.voidLine' as const), order: fc.nat(7), line: fc.nat(7) }),
  fc.record({
    k: fc.constant('order.close' as const),
    order: fc.nat(7),
    card: fc.boolean(),
    extra: fc.integer({ min: -100, max: 2000 }),
  }),
  fc.record({ k: fc.constant('order.void' as const), order: fc.nat(7) }),
  fc.record({
    k: fc.constant('ticket.transition' as const),
    ticket: fc.nat(7),
    action: fc.constantFrom('start', 'ready', 'bump', 'recall'),
  }),
  fc.record({
    k: fc.constant('ticket.assign' as const),
    ticket: fc.nat(7),
    station: fc.option(fc.constantFrom('grill', 'fry', 'cold', 'bar', 'moon'), { nil: undefined }),
    assignee: fc.constantFrom('cook-1', 'cook-2', 'nobody', null),
  }),
  fc.record({
    k: fc.constant('ticket.markLine' as const),
    ticket: fc.nat(7),
    line: fc.nat(7),
    ready: fc.boolean(),
  }),
  fc.record({ k: fc.constant('ticket.recall' as const), ticket: fc.nat(7) }),
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('ticket.acknowledge' as const), ticket: fc.nat(7) }),
  },
  fc.record({
    k: fc.constant('serviceRequest.create' as const),
    request: fc.nat(7),
    table: fc.nat(4),
    kind: fc.constantFrom('call_waiter', 'bill'),
  }),
  fc.record({
    k: fc.constant('serviceRequest.transition' as const),
    request: fc.nat(7),
    action: fc.constantFrom('acknowledge', 'complete', 'cancel'),
  }),
  fc.record({
    k: fc.constant('booking.create' as const),
    booking: fc.nat(7),
    size: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({
    k: fc.constant('booking.transition' as const),
    booking: fc.nat(7),
    action: fc.constantFrom('confirm', 'seat', 'complete', 'cancel', 'no_show'),
    table: fc.nat(4),
  }),
  fc.record({
    k: fc.constant('team.section.create' as const),
    section: fc.nat(2),
    tables: fc.subarray(TABLES, { maxLength: 2 }),
  }),
  fc.record({
    k: fc.constant('team.member.upsert' as const),
    member: fc.nat(2),
    role: fc.constantFrom('server', 'kitchen', 'manager', 'owner'),
    active: fc.boolean(),
  }),
  fc.record({
    k: fc.constant('menu.item.setAvailability' as const),
    item: fc.nat(ITEMS.length - 1),
    available: fc.boolean(),
  }),
  // Pairing codes from a small pool, so some are used twice (PAIRING_USED).
  fc.record({
    k: fc.constant('device.pair' as const),
    device: fc.nat(2),
    pairing: fc.nat(7),
    role: fc.constantFrom('floor', 'kitchen'),
  }),
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('device.revoke' as const), device: fc.nat(3) }),
  },
  // Payments: mostly the balance or a part of it, sometimes more than is left or too little cash.
  fc.record({
    k: fc.constant('payment.cash' as const),
    payment: fc.nat(PAYMENT_IDS.length - 1),
    order: fc.nat(7),
    amount: fc.constantFrom('balance', 'rounded', 'part', 'over'),
    tip: fc.constantFrom(0, 0, 150),
    tendered: fc.constantFrom('exact', 'more', 'more', 'short'),
    drawer: fc.oneof(
      { weight: 2, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.nat(3) },
    ),
  }),
  fc.record({
    k: fc.constant('payment.card' as const),
    payment: fc.nat(PAYMENT_IDS.length - 1),
    order: fc.nat(7),
    amount: fc.constantFrom('balance', 'part', 'over'),
    tip: fc.constantFrom(0, 200),
    outcome: fc.constantFrom('approved', 'approved', 'declined', 'stored', 'stored'),
  }),
  fc.record({
    k: fc.constant('payment.settle' as const),
    payment: fc.nat(7),
    outcome: fc.constantFrom('approved_later', 'declined_later'),
  }),
  // The ends of longer chains (a stored payment declined later; a card refund) come up more.
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('payment.resolveTask' as const), payment: fc.nat(7) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('refund.request' as const),
      refund: fc.nat(REFUND_IDS.length - 1),
      payment: fc.nat(7),
      amount: fc.constantFrom('part', 'part', 'left', 'over'),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('refund.settle' as const),
      refund: fc.nat(7),
      outcome: fc.constantFrom('refunded', 'failed'),
    }),
  },
  fc.record({
    k: fc.constant('drawer.open' as const),
    drawer: fc.nat(DRAWER_IDS.length - 1),
    float: fc.constantFrom(0, 10_000),
  }),
  fc.record({
    k: fc.constant('drawer.payout' as const),
    drawer: fc.nat(3),
    payout: fc.nat(2),
    amount: fc.integer({ min: 1, max: 2000 }),
  }),
  fc.record({
    k: fc.constant('drawer.close' as const),
    drawer: fc.nat(3),
    off: fc.constantFrom(0, 0, -50, 120),
    reason: fc.boolean(),
  }),
  fc.record({
    k: fc.constant('settings.offlineCard.set' as const),
    enabled: fc.boolean(),
    perTransaction: fc.constantFrom(1000, 20_000, 60_000),
  }),
);
export type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

export const step = fc.record({
  command,
  role: fc.oneof(
    { weight: 3, arbitrary: fc.constant('manager' as const) },
    { weight: 2, arbitrary: fc.constantFrom(...ROLES) },
  ),
  /** Send the previous op again (same opId and payload) before this one. */
  repeatPrevious: fc.boolean(),
});
export type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

/**
 * Every sequence opens with two orders, one already sent and one of its tickets bumped, so later
 * steps meet real tickets and a recall has something to bring back; card payments may be stored.
 */
export const PRELUDE: readonly Step[] = [
  {
    role: 'manager',
    repeatPrevious: false,
    command: {
      k: 'order.create',
      order: 0,
      table: 0,
      lines: [
        { line: 0, item: 0, quantity: 1, modifiers: [] },
        { line: 1, item: 3, quantity: 2, modifiers: [] },
      ],
    },
  },
  { role: 'manager', repeatPrevious: false, command: { k: 'order.sendToKitchen', order: 0 } },
  {
    role: 'kitchen',
    repeatPrevious: false,
    command: { k: 'ticket.transition', ticket: 0, action: 'ready' },
  },
  {
    role: 'kitchen',
    repeatPrevious: false,
    command: { k: 'ticket.transition', ticket: 0, action: 'bump' },
  },
  {
    role: 'manager',
    repeatPrevious: false,
    command: {
      k: 'order.create',
      order: 1,
      table: null,
      lines: [{ line: 0, item: 1, quantity: 1, modifiers: [] }],
    },
  },
  // Card payments may be stored offline (later steps may turn it off again), and one is: part
  // of the sent order, for a later settle to authorise or decline.
  {
    role: 'owner',
    repeatPrevious: false,
    command: { k: 'settings.offlineCard.set', enabled: true, perTransaction: 20_000 },
  },
  {
    role: 'server',
    repeatPrevious: false,
    command: {
      k: 'payment.card',
      payment: 0,
      order: 0,
      amount: 'part',
      tip: 200,
      outcome: 'stored',
    },
  },
];

type LineCommand = { line: number; item: number; quantity: number; modifiers: readonly string[] };

const lineInput = (orderIdx: number) => (l: LineCommand) => ({
  lineId: `o${orderIdx}-l${l.line}`,
  itemId: ITEMS[l.item] ?? 'burger',
  quantity: l.quantity,
  modifierIds: [...l.modifiers],
  ...(l.line >= 5 ? { course: 2 } : {}),
});

/** Mostly something that exists now; sometimes an id from the pool that may not. */
function pick(existing: readonly { id: string }[], pool: string, n: number): string {
  return n % 4 !== 3 && existing.length > 0 ? (existing[n % existing.length]?.id ?? pool) : pool;
}

function payloadOf(c: Command, state: VenueState): [OperationType, unknown] {
  const orderId = (n: number) =>
    pick(listEntities(state.entities, 'order'), ORDER_IDS[n % 3] ?? '', n);
  const requestId = (n: number) =>
    pick(listEntities(state.entities, 'serviceRequest'), `req-${n % 3}`, n);
  const bookingId = (n: number) => pick(listEntities(state.entities, 'booking'), `bk-${n % 3}`, n);
  const tickets = listEntities(state.entities, 'ticket');
  const ticketId = pick(tickets, 'no-ticket', 'ticket' in c ? c.ticket : 0);
  const payments = listEntities(state.entities, 'payment');
  const refunds = listEntities(state.entities, 'refund');
  const drawers = listEntities(state.entities, 'drawer');
  // Mostly a payment in the state the op moves on from, when there is one.
  const paymentId = (n: number, wanted: (p: (typeof payments)[number]) => boolean) =>
    pick(payments.filter(wanted), pick(payments, PAYMENT_IDS[n % 6] ?? '', n), n);
  const drawerId = (n: number) =>
    pick(
      drawers.filter((d) => d.status === 'open'),
      pick(drawers, DRAWER_IDS[n % 3] ?? '', n),
      n,
    );
  switch (c.k) {
    case 'order.create':
      return [
        c.k,
        {
          orderId: ORDER_IDS[c.order % 3],
          tableId: c.table === null ? null : TABLES[c.table],
          lines: c.lines.map(lineInput(c.order)),
          ...(c.send === undefined ? {} : { send: c.send }),
        },
      ];
    case 'order.addLines':
      return [
        c.k,
        {
          orderId: orderId(c.order),
          lines: c.lines.map(lineInput(c.order)),
          ...('send' in c && c.send !== undefined ? { send: c.send } : {}),
        },
      ];
    case 'order.removeLine':
    case 'order.voidLine': {
      // Usually a line the order holds (sent or not), sometimes one it never had.
      const id = orderId(c.order);
      const lines = listEntities(state.entities, 'order').find((o) => o.id === id)?.lines ?? [];
      const held = c.line < 6 && lines.length > 0 ? lines[c.line % lines.length]?.id : undefined;
      const lineId = held ?? `o${c.order}-l${c.line}`;
      return c.k === 'order.removeLine'
        ? [c.k, { orderId: id, lineId }]
        : [c.k, { orderId: id, lineId, reason: 'property test' }];
    }
    case 'order.sendToKitchen':
      return [
        c.k,
        'course' in c
          ? { orderId: orderId(c.order), course: c.course, hold: c.hold }
          : { orderId: orderId(c.order) },
      ];
    case 'order.fireCourse': {
      // Mostly a course some order holds, when one does.
      const held = tickets.filter((t) => t.status === 'held');
      const pickHeld = c.course < 3 ? held[c.order % Math.max(1, held.length)] : undefined;
      return pickHeld
        ? [c.k, { orderId: pickHeld.orderId, course: pickHeld.course ?? 1 }]
        : [c.k, { orderId: orderId(c.order), course: c.course }];
    }
    case 'order.close': {
      const id = orderId(c.order);
      const order = listEntities(state.entities, 'order').find((o) => o.id === id);
      const total = order?.totals.total ?? 1000;
      const payment = c.card
        ? { method: 'card', amount: c.extra % 3 === 0 ? total + 1 : total, reference: 'gw-ref' }
        : { method: 'cash', tendered: Math.max(0, (order?.totals.cashTotal ?? 1000) + c.extra) };
      return [c.k, { orderId: id, payment }];
    }
    case 'order.void':
      return [c.k, { orderId: orderId(c.order), reason: 'property test' }];
    case 'ticket.transition':
      return [c.k, { ticketId, action: c.action }];
    case 'ticket.markLine': {
      // Usually a line the ticket holds, sometimes one it does not.
      const lines = tickets.find((t) => t.id === ticketId)?.lines ?? [];
      const held = c.line < 6 && lines.length > 0 ? lines[c.line % lines.length] : undefined;
      return [c.k, { ticketId, lineId: held?.lineId ?? `l-${c.line}`, ready: c.ready }];
    }
    case 'ticket.recall':
      // Mostly a bumped ticket (the one a recall moves), when there is one.
      return [
        c.k,
        {
          ticketId: pick(
            tickets.filter((t) => t.status === 'bumped'),
            ticketId,
            c.ticket,
          ),
        },
      ];
    case 'ticket.acknowledge':
      // Mostly a ticket asking for an ack, when one does.
      return [
        c.k,
        {
          ticketId: pick(
            tickets.filter((t) => t.attention),
            ticketId,
            c.ticket,
          ),
        },
      ];
    case 'ticket.assign':
      return [
        c.k,
        {
          ticketId,
          ...(c.station === undefined ? {} : { station: c.station }),
          assigneeId: c.assignee,
        },
      ];
    case 'serviceRequest.create':
      return [c.k, { requestId: `req-${c.request % 3}`, tableId: TABLES[c.table], kind: c.kind }];
    case 'serviceRequest.transition':
      return [c.k, { requestId: requestId(c.request), action: c.action }];
    case 'booking.create':
      return [
        c.k,
        {
          bookingId: `bk-${c.booking % 3}`,
          guestName: 'Guest',
          partySize: c.size,
          startsAt: '2026-12-01T19:00:00Z',
        },
      ];
    case 'booking.transition':
      return [c.k, { bookingId: bookingId(c.booking), action: c.action, tableId: TABLES[c.table] }];
    case 'team.section.create':
      return [
        c.k,
        { sectionId: `sec-${c.section}`, name: `Section ${c.section}`, tableIds: c.tables },
      ];
    case 'team.member.upsert':
      return [
        c.k,
        {
          memberId: `m-${c.member}`,
          name: `Member ${c.member}`,
          role: c.role,
          sectionId: null,
          active: c.active,
        },
      ];
    case 'menu.item.setAvailability':
      return [c.k, { itemId: ITEMS[c.item], available: c.available }];
    case 'device.pair':
      return [
        c.k,
        {
          deviceId: `dev-${c.device}`,
          name: `Device ${c.device}`,
          role: c.role,
          pairingId: `01JD00000000000000000000P${c.pairing}`,
          credentialDigest: `${'d'.repeat(42)}${c.pairing}`,
        },
      ];
    case 'device.revoke':
      return [c.k, { deviceId: `dev-${c.device}` }];
    case 'payment.cash':
    case 'payment.card': {
      const id = orderId(c.order);
      const order = listEntities(state.entities, 'order').find((o) => o.id === id);
      const balance = order ? balanceOf(order) : 1000;
      const part = Math.max(1, Math.floor(balance / 2));
      const amount =
        c.amount === 'balance'
          ? Math.max(1, balance)
          : c.amount === 'part'
            ? part
            : c.amount === 'rounded'
              ? Math.max(1, order?.totals.cashTotal ?? balance) - (order?.paid ?? 0)
              : balance + 100;
      const base = { paymentId: PAYMENT_IDS[c.payment], orderId: id, amount, tip: c.tip };
      if (c.k === 'payment.card')
        return [
          c.k,
          {
            ...base,
            outcome: c.outcome,
            reference: `ref-${c.payment}`,
            brand: 'visa',
            last4: '4242',
            ...(c.outcome === 'declined' ? { declineCode: 'do_not_honor' } : {}),
            entry: 'reader',
          },
        ];
      const due = Math.max(1, amount) + c.tip;
      const tendered = c.tendered === 'exact' ? due : c.tendered === 'more' ? due + 500 : due - 1;
      return [
        c.k,
        {
          ...base,
          amount: Math.max(1, amount),
          tendered: Math.max(0, tendered),
          ...(c.drawer === undefined ? {} : { drawerId: drawerId(c.drawer) }),
        },
      ];
    }
    case 'payment.settle':
      return [
        c.k,
        { paymentId: paymentId(c.payment, (p) => p.status === 'stored'), outcome: c.outcome },
      ];
    case 'payment.resolveTask':
      return [
        c.k,
        { paymentId: paymentId(c.payment, (p) => p.task === 'open'), note: 'called the guest' },
      ];
    case 'refund.request': {
      // Mostly a charged card payment (its refund waits for the cloud), else any charged one.
      const charged = (p: (typeof payments)[number]) =>
        p.status === 'approved' || p.status === 'approved_later';
      const id = pick(
        payments.filter((p) => charged(p) && p.method === 'card'),
        paymentId(c.payment, charged),
        c.payment,
      );
      const payment = payments.find((p) => p.id === id);
      const waiting = refunds
        .filter((r) => r.paymentId === id && r.status === 'approved')
        .reduce((sum, r) => sum + r.amount, 0);
      const left = payment ? payment.amount + payment.tip - payment.refunded - waiting : 100;
      const amount =
        c.amount === 'part' ? Math.floor(left / 3) : c.amount === 'left' ? left : left + 1;
      return [
        c.k,
        {
          refundId: REFUND_IDS[c.refund],
          paymentId: id,
          amount: Math.max(1, amount),
          reason: 'property test',
        },
      ];
    }
    case 'refund.settle':
      return [
        c.k,
        {
          refundId: pick(
            refunds.filter((r) => r.status === 'approved'),
            pick(refunds, REFUND_IDS[c.refund % 4] ?? '', c.refund),
            c.refund,
          ),
          outcome: c.outcome,
          ...(c.outcome === 'refunded' ? { reference: `rf-${c.refund}` } : {}),
        },
      ];
    case 'drawer.open':
      return [c.k, { drawerId: DRAWER_IDS[c.drawer], float: c.float }];
    case 'drawer.payout':
      return [
        c.k,
        {
          drawerId: drawerId(c.drawer),
          payoutId: `payout-${c.payout}`,
          amount: c.amount,
          reason: 'property test',
        },
      ];
    case 'drawer.close': {
      // Mostly the count that matches, sometimes over or short, with or without a reason.
      const id = drawerId(c.drawer);
      const drawer = drawers.find((d) => d.id === id);
      const expected = drawer ? drawerExpected(drawer, payments, refunds).expected : 0;
      return [
        c.k,
        {
          drawerId: id,
          counted: Math.max(0, expected + c.off),
          ...(c.reason ? { reason: 'miscounted change' } : {}),
        },
      ];
    }
    case 'settings.offlineCard.set':
      return [
        c.k,
        {
          policy: {
            ...DEFAULT_OFFLINE_CARD_LIMITS,
            enabled: c.enabled,
            perTransaction: c.perTransaction,
          },
        },
      ];
  }
}

/** The real, hashed op a command stands for in `state`, and who makes it. */
export async function materialize(
  s: Step,
  state: VenueState,
): Promise<{ op: Operation; principal: Principal }> {
  const [type, payload] = payloadOf(s.command, state);
  // The usual maker of an op a manager may not make is the owner (or the payment service as
  // the owner, for the server-made ones); the other roles still try it now and then.
  const role = s.role === 'manager' && !allowedRoles[type].includes('manager') ? 'owner' : s.role;
  const principal = everyRole[role];
  return { op: await opOf(type, payload, principal), principal };
}
