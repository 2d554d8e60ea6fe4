import type { Drawer, PaymentRecord, Refund } from '#protocol';
import { type DrawerExpectation, drawerExpected } from '#protocol/domain/cash-drawer.ts';
import { parseTendered } from './cash-tender.ts';

// The cash drawer, pure: what it should hold (the protocol's `drawerExpected`), the cash sales
// into it, and the checks on what a server types to open, pay out and close it. No zod.

/** The protocol's expectation over what this device's local view holds: provisional offline. */
export function expectationOf(
  drawer: Drawer,
  payments: readonly PaymentRecord[],
  refunds: readonly Refund[],
): DrawerExpectation {
  return drawerExpected(drawer, payments, refunds);
}

/** Cash payments taken into the drawer, oldest first. */
export function cashSalesOf<T extends { readonly entity: PaymentRecord }>(
  drawerId: string,
  payments: readonly T[],
): T[] {
  return payments
    .filter((p) => p.entity.method === 'cash' && p.entity.drawerId === drawerId)
    .sort((a, b) => a.entity.takenAt.localeCompare(b.entity.takenAt));
}

/** This device's most recently closed drawer. */
export function lastClosedOf<T extends { readonly entity: Drawer }>(
  drawers: readonly T[],
  deviceId: string | undefined,
): T | undefined {
  return drawers
    .filter((d) => d.entity.deviceId === deviceId && d.entity.status === 'closed')
    .sort((a, b) => (b.entity.closedAt ?? '').localeCompare(a.entity.closedAt ?? ''))[0];
}

export type AmountEntry =
  | { readonly ok: true; readonly amount: number }
  | { readonly ok: false; readonly problem: string };

/** A typed amount in minor units; `allowZero` for a float or a count of an empty drawer. */
export function amountEntry(
  typed: string,
  scale: number,
  what: string,
  allowZero = false,
): AmountEntry {
  if (typed.trim() === '') return { ok: false, problem: `Type the ${what}` };
  const amount = parseTendered(typed, scale);
  if (amount === undefined) return { ok: false, problem: `“${typed}” is not an amount` };
  if (amount === 0 && !allowZero)
    return { ok: false, problem: `The ${what} must be more than nothing` };
  return { ok: true, amount };
}

export type PayoutCheck =
  | { readonly ok: true; readonly amount: number; readonly reason: string }
  | { readonly ok: false; readonly problem: string };

/** A payout needs an amount and why. */
export function payoutCheck(typed: string, reason: string, scale: number): PayoutCheck {
  const amount = amountEntry(typed, scale, 'amount paid out');
  if (!amount.ok) return amount;
  if (reason.trim() === '') return { ok: false, problem: 'Say what the cash was paid out for' };
  return { ok: true, amount: amount.amount, reason: reason.trim() };
}

export type CloseCheck =
  | {
      readonly ok: true;
      readonly counted: number;
      readonly difference: number;
      readonly reason: string | undefined;
    }
  | { readonly ok: false; readonly problem: string; readonly difference?: number };

/** Closing: the count, its difference from expected, and a reason whenever they differ. */
export function closeCheck(
  typed: string,
  reason: string,
  expected: number,
  scale: number,
): CloseCheck {
  const counted = amountEntry(typed, scale, 'cash counted', true);
  if (!counted.ok) return counted;
  const difference = counted.amount - expected;
  const why = reason.trim();
  if (difference !== 0 && why === '')
    return {
      ok: false,
      difference,
      problem: `The drawer is ${difference > 0 ? 'over' : 'short'}: say why before closing`,
    };
  return { ok: true, counted: counted.amount, difference, reason: why === '' ? undefined : why };
}

/** "Over by €2.00", "Short by €1.50", "Matches what is expected". */
export function differenceWords(difference: number, price: (minor: number) => string): string {
  if (difference === 0) return 'Matches what is expected';
  return difference > 0 ? `Over by ${price(difference)}` : `Short by ${price(-difference)}`;
}
