import {
  DEFAULT_OFFLINE_CARD_LIMITS,
  Drawer,
  type EntityKind,
  Order,
  PaymentRecord,
  Refund,
  Settings,
  Table,
  Venue,
} from '#protocol';
import type { LocalSnapshot } from '../../web/app/local-view-controller.ts';

// An evening's payments as the manager's Payments view and the Sync inbox read them from the
// local view: a venue in Paris, a card payment stored offline during an outage, cash, a card
// payment declined after the outage (its check open again), a refund, a closed drawer. Each
// entity is checked by its wire schema, so a fixture cannot drift from the contract.
// Shared by the unit and the browser tests.

/** 23:00 in Paris on Saturday 5 December 2026. */
export const NOW = Date.parse('2026-12-05T22:00:00.000Z');
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const iso = (ms: number): string => new Date(ms).toISOString();

export const SAM = 'member-sam';
export const MIA = 'member-mia';
export const STAFF = new Map([
  [SAM, 'Sam'],
  [MIA, 'Mia'],
]);

export const STORED_ID = '01JF0000000000000000000001';
export const CASH_ID = '01JF0000000000000000000002';
export const DECLINED_ID = '01JF0000000000000000000003';
export const CARD_ID = '01JF0000000000000000000004';
export const REFUND_ID = '01JF00000000000000000000R1';

export const venue = Venue.parse({
  id: 'demo-bistro',
  tenantId: 'tenant-1',
  name: 'Demo Bistro',
  timezone: 'Europe/Paris',
  locale: 'en-GB',
  version: 1,
});

export function settings(patch: Partial<Settings['offlineCard']> = {}): Settings {
  return Settings.parse({
    id: 'tenant-1',
    currency: 'EUR',
    taxRateBps: 1000,
    taxInclusive: true,
    cashRoundingIncrement: 1,
    kitchenTimers: { warnAfterSec: 600, lateAfterSec: 900 },
    stations: [{ id: 'grill', name: 'Grill' }],
    offlineCard: { ...DEFAULT_OFFLINE_CARD_LIMITS, enabled: true, ...patch },
    version: 1,
  });
}

export const tables = [
  Table.parse({ id: 'table-5', label: '5', seats: 4, version: 1 }),
  Table.parse({ id: 'table-7', label: '7', seats: 2, version: 1 }),
];

const totals = (total: number) => ({
  currency: 'EUR',
  subtotal: total,
  tax: 0,
  total,
  cashTotal: total,
  cashRounding: 0,
});

export function orderOf(id: string, tableId: string, total: number, patch: object = {}): Order {
  return Order.parse({
    id,
    tableId,
    status: 'closed',
    source: 'staff',
    openedBy: SAM,
    guestCount: 2,
    lines: [
      {
        id: `${id}-l1`,
        itemId: 'steak',
        name: 'Steak',
        station: 'grill',
        quantity: 1,
        unitPrice: total,
        modifiers: [],
        sentAt: iso(NOW - 2 * HOUR),
      },
    ],
    totals: totals(total),
    payment: null,
    paid: total,
    tips: 0,
    createdAt: iso(NOW - 3 * HOUR),
    closedAt: iso(NOW - 20 * MIN),
    voidReason: null,
    version: 3,
    ...patch,
  });
}

export function paymentOf(
  id: string,
  orderId: string,
  tableId: string | null,
  amount: number,
  patch: Partial<PaymentRecord> = {},
): PaymentRecord {
  const method = patch.method ?? 'card';
  return PaymentRecord.parse({
    id,
    orderId,
    tableId,
    deviceId: 'till-1',
    takenBy: SAM,
    approvedBy: null,
    method,
    currency: 'EUR',
    amount,
    tip: 0,
    cash: method === 'cash' ? { tendered: amount, change: 0 } : null,
    card:
      method === 'card'
        ? { reference: `ref-${id.slice(-4)}`, brand: 'visa', last4: '4242', entry: 'reader' }
        : null,
    status: 'approved',
    declineCode: null,
    offline: false,
    drawerId: null,
    takenAt: iso(NOW - HOUR),
    settledAt: null,
    refunded: 0,
    task: null,
    handledBy: null,
    note: null,
    version: 1,
    ...patch,
  });
}

export const orders = [
  orderOf('order-5', 'table-5', 6_000),
  orderOf('order-7', 'table-7', 2_500, { status: 'sent', closedAt: null, paid: 0, tips: 0 }),
];

/** Stored 30 min before NOW on the bar tablet: 45.00 with a 5.00 tip. */
export const stored = paymentOf(STORED_ID, 'order-5', 'table-5', 4_000, {
  tip: 500,
  status: 'stored',
  offline: true,
  takenAt: iso(NOW - 30 * MIN),
});
export const cash = paymentOf(CASH_ID, 'order-5', 'table-5', 2_000, {
  method: 'cash',
  takenAt: iso(NOW - 20 * MIN),
});
/** Taken at 18:00 during the outage, declined at 22:30: its check is open again. */
export const declinedLater = paymentOf(DECLINED_ID, 'order-7', 'table-7', 2_500, {
  tip: 300,
  status: 'declined_later',
  offline: true,
  declineCode: 'insufficient_funds',
  takenAt: iso(NOW - 5 * HOUR),
  settledAt: iso(NOW - 30 * MIN),
  task: 'open',
  card: { reference: 'ref-decl', brand: 'mastercard', last4: '5454', entry: 'reader' },
});
/** An earlier card payment at table 7, approved, with a refund waiting for the processor. */
export const card = paymentOf(CARD_ID, 'order-9', 'table-7', 3_000, {
  tip: 200,
  takenAt: iso(NOW - 4 * HOUR),
});
export const refund = Refund.parse({
  id: REFUND_ID,
  paymentId: CARD_ID,
  orderId: 'order-9',
  method: 'card',
  currency: 'EUR',
  amount: 1_000,
  reason: 'Cold soup',
  requestedBy: MIA,
  requestedAt: iso(NOW - 3 * HOUR),
  status: 'approved',
  reference: null,
  failure: null,
  settledAt: null,
  version: 1,
});
export const drawer = Drawer.parse({
  id: 'drawer-1',
  deviceId: 'till-1',
  status: 'closed',
  currency: 'EUR',
  float: 10_000,
  openedBy: MIA,
  openedAt: iso(NOW - 6 * HOUR),
  payouts: [],
  closedBy: MIA,
  closedAt: iso(NOW - 10 * MIN),
  counted: 11_800,
  expected: 12_000,
  difference: -200,
  reason: 'Change given twice',
  version: 4,
});

export const devices = [
  { id: 'till-1', name: 'Bar tablet' },
  { id: 'till-2', name: 'Terrace tablet' },
];

export interface SnapshotParts {
  readonly payments?: readonly PaymentRecord[];
  readonly refunds?: readonly Refund[];
  readonly drawers?: readonly Drawer[];
  readonly orders?: readonly Order[];
  readonly settings?: Settings;
  readonly pendingCount?: number;
  readonly savedLocalCount?: number;
}

/** A local-view snapshot holding the evening (or the parts given). */
export function snapshotOf(parts: SnapshotParts = {}): LocalSnapshot {
  const byKind: Partial<Record<EntityKind, readonly unknown[]>> = {
    payment: parts.payments ?? [stored, cash, declinedLater, card],
    refund: parts.refunds ?? [refund],
    drawer: parts.drawers ?? [drawer],
    order: parts.orders ?? orders,
    table: tables,
    settings: [parts.settings ?? settings()],
    venue: [venue],
    device: devices.map((d) => ({
      ...d,
      role: 'floor',
      pairedAt: iso(NOW - 48 * HOUR),
      revoked: false,
      revokedAt: null,
    })),
  };
  return {
    items: ((kind: EntityKind) =>
      (byKind[kind] ?? []).map((entity) => ({
        entity,
        badge: { state: 'synced' },
      }))) as LocalSnapshot['items'],
    pendingCount: parts.pendingCount ?? 0,
    savedLocalCount: parts.savedLocalCount ?? 0,
  };
}
