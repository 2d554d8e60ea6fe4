import * as z from 'zod';

/** ISO 4217 currency code. */
export const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');
export type CurrencyCode = z.infer<typeof CurrencyCode>;

/** The largest amount in minor units any one field may carry (10 million major units). */
export const MAX_MINOR = 1_000_000_000;

/** An amount in integer minor units (cents). Never a float. */
export const MinorUnits = z.number().int().min(0).max(MAX_MINOR);
export type MinorUnits = z.infer<typeof MinorUnits>;

/** A signed amount in minor units, for adjustments such as cash rounding. */
export const SignedMinorUnits = z.number().int().min(-MAX_MINOR).max(MAX_MINOR);

/** An amount with its currency. */
export const Money = z.object({ amount: MinorUnits, currency: CurrencyCode });
export type Money = z.infer<typeof Money>;

/** Basis points: 1 bp = 0.01 %, so 10 % VAT is 1000. */
export const BasisPoints = z.number().int().min(0).max(10_000);
export type BasisPoints = z.infer<typeof BasisPoints>;

/**
 * `numerator / denominator` rounded half away from zero, in integers only.
 * Inputs are safe integers and the denominator is positive.
 */
export function divideRounded(numerator: number, denominator: number): number {
  const sign = numerator < 0 ? -1 : 1;
  const n = Math.abs(numerator);
  const q = Math.floor(n / denominator);
  const r = n - q * denominator;
  return sign * (r * 2 >= denominator ? q + 1 : q);
}

/** Rounds `amount` to the nearest multiple of `increment` (half up); increment 1 is a no-op. */
export function roundToIncrement(amount: number, increment: number): number {
  return divideRounded(amount, increment) * increment;
}
