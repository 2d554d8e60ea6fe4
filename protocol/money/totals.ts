import * as z from 'zod';
import {
  type BasisPoints,
  CurrencyCode,
  divideRounded,
  MinorUnits,
  roundToIncrement,
  SignedMinorUnits,
} from './money.ts';

/** How a venue taxes and rounds; a slice of its settings. */
export interface PricingPolicy {
  readonly currency: string;
  readonly taxRateBps: BasisPoints;
  /** Prices include tax (EU style) or tax is added on top (US style). */
  readonly taxInclusive: boolean;
  /** Cash totals are rounded to this many minor units (5 for CHF, 1 for none). */
  readonly cashRoundingIncrement: number;
}

/** What one priced line contributes: unit price plus modifier deltas, times quantity. */
export interface PricedLine {
  readonly quantity: number;
  readonly unitPrice: number;
  readonly modifiers: readonly { readonly priceDelta: number }[];
  /** A voided line (`order.voidLine`) counts zero. */
  readonly voidedAt?: string | null | undefined;
}

export const OrderTotals = z.object({
  currency: CurrencyCode,
  /** Sum of line amounts as priced on the menu. */
  subtotal: MinorUnits,
  /** Tax contained in (inclusive) or added to (exclusive) the subtotal. */
  tax: MinorUnits,
  /** What a card pays: subtotal, plus tax when tax is exclusive. */
  total: MinorUnits,
  /** What cash pays: total rounded to the cash increment. */
  cashTotal: MinorUnits,
  /** cashTotal − total. */
  cashRounding: SignedMinorUnits,
});
export type OrderTotals = z.infer<typeof OrderTotals>;

/** The amount of one line in minor units. */
export function lineAmount(line: PricedLine): number {
  const unit = line.unitPrice + line.modifiers.reduce((sum, m) => sum + m.priceDelta, 0);
  return unit * line.quantity;
}

/**
 * Totals for a set of lines under a venue's policy, computed once, here, in integers. Voided
 * lines stay on the order for the record and count zero.
 *
 * @example
 * computeTotals([{ quantity: 2, unitPrice: 450, modifiers: [] }],
 *   { currency: 'EUR', taxRateBps: 1000, taxInclusive: true, cashRoundingIncrement: 5 })
 * // → { subtotal: 900, tax: 82, total: 900, cashTotal: 900, cashRounding: 0, currency: 'EUR' }
 */
export function computeTotals(lines: readonly PricedLine[], policy: PricingPolicy): OrderTotals {
  const subtotal = lines.reduce((sum, line) => sum + (line.voidedAt ? 0 : lineAmount(line)), 0);
  const tax = policy.taxInclusive
    ? subtotal - divideRounded(subtotal * 10_000, 10_000 + policy.taxRateBps)
    : divideRounded(subtotal * policy.taxRateBps, 10_000);
  const total = policy.taxInclusive ? subtotal : subtotal + tax;
  const cashTotal = roundToIncrement(total, Math.max(1, policy.cashRoundingIncrement));
  return {
    currency: policy.currency,
    subtotal,
    tax,
    total,
    cashTotal,
    cashRounding: cashTotal - total,
  };
}
