import type { Drawer } from '../entities/drawer.ts';
import type { PaymentRecord } from '../entities/payment.ts';
import type { Refund } from '../entities/refund.ts';

/** What a drawer should hold, from its float, the cash taken into it and what left it. */
export interface DrawerExpectation {
  readonly float: number;
  /** Cash payments into the drawer: amount + tip (the change went back out at once). */
  readonly cashSales: number;
  readonly payouts: number;
  /** Cash refunds of payments taken into this drawer. */
  readonly refunds: number;
  readonly expected: number;
}

export function drawerExpected(
  drawer: Pick<Drawer, 'id' | 'float' | 'payouts'>,
  payments: readonly PaymentRecord[],
  refunds: readonly Refund[],
): DrawerExpectation {
  const into = payments.filter((p) => p.method === 'cash' && p.drawerId === drawer.id);
  const ids = new Set(into.map((p) => p.id));
  const cashSales = into.reduce((sum, p) => sum + p.amount + p.tip, 0);
  const payouts = drawer.payouts.reduce((sum, p) => sum + p.amount, 0);
  const refunded = refunds
    .filter((r) => r.method === 'cash' && r.status === 'refunded' && ids.has(r.paymentId))
    .reduce((sum, r) => sum + r.amount, 0);
  return {
    float: drawer.float,
    cashSales,
    payouts,
    refunds: refunded,
    expected: drawer.float + cashSales - payouts - refunded,
  };
}
