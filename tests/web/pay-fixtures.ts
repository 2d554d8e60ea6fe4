import { Drawer, PaymentRecord } from '#protocol';
import type { Marked } from '../../web/floor/pay-context.ts';
import { order, T0, TABLE_ID } from './guest-fixtures.ts';

// Payments and cash drawers for the pay panel's and the drawer view's tests (Node and
// Chromium), each checked by its wire schema. Amounts in euro cents.

export const DEVICE = 'device-tablet-1';

let n = 0;
/** A ULID-shaped id, distinct per call (the payment's id is a ULID). */
export const ulid = (): string => `01JQ${String(++n).padStart(22, '0')}`;

export function payment(patch: Partial<PaymentRecord> = {}): PaymentRecord {
  return PaymentRecord.parse({
    id: ulid(),
    orderId: 'order-1',
    tableId: TABLE_ID,
    deviceId: DEVICE,
    takenBy: 'member-sam',
    approvedBy: null,
    method: 'cash',
    currency: 'EUR',
    amount: 1000,
    tip: 0,
    cash: { tendered: 1000, change: 0 },
    card: null,
    status: 'approved',
    declineCode: null,
    offline: false,
    drawerId: null,
    takenAt: T0,
    settledAt: null,
    refunded: 0,
    task: null,
    handledBy: null,
    note: null,
    version: 1,
    ...patch,
  });
}

export function cardPayment(patch: Partial<PaymentRecord> = {}): PaymentRecord {
  return payment({
    method: 'card',
    cash: null,
    card: { reference: 'ch_1', brand: 'visa', last4: '4242', entry: 'reader' },
    ...patch,
  });
}

export function drawer(patch: Partial<Drawer> = {}): Drawer {
  return Drawer.parse({
    id: 'drawer-1',
    deviceId: DEVICE,
    status: 'open',
    currency: 'EUR',
    float: 10000,
    openedBy: 'member-sam',
    openedAt: T0,
    payouts: [],
    closedBy: null,
    closedAt: null,
    counted: null,
    expected: null,
    difference: null,
    reason: null,
    version: 1,
    ...patch,
  });
}

export const synced = <T>(entity: T): Marked<T> => ({ entity, badge: { state: 'synced' } });

/** Order 1 at table 5: three dishes at €10 sent, €30 in all, with what was paid so far. */
export const check = (paid = 0, patch: Parameters<typeof order>[2] = {}) =>
  order(
    'order-1',
    [
      { id: 'l1', itemId: 'soup', name: 'Soup', sent: true },
      { id: 'l2', itemId: 'risotto', name: 'Risotto', sent: true },
      { id: 'l3', itemId: 'chips', name: 'Chips', sent: true },
    ],
    { paid, tips: 0, guestCount: 2, ...patch },
  );
