/*
 * Taking cash, pure: the amount typed on the keypad in minor units, the quick amounts a server
 * taps (exact, then the next round 5/10/20/50 of the currency) and the change due against the
 * order's cash total (the total rounded to the venue's cash increment by the protocol).
 */

/** Quick tender steps, in major units of the currency. */
const ROUND_STEPS = [5, 10, 20, 50] as const;

/**
 * "20", "20.5", "20,50" → minor units (2050 for a 2-digit currency); undefined when it is not
 * an amount. `scale` is minor units per major (minorPerMajor).
 */
export function parseTendered(typed: string, scale: number): number | undefined {
  const text = typed.trim().replace(/\s/g, '').replace(',', '.');
  if (!/^\d{1,7}(\.\d*)?$/.test(text)) return undefined;
  const [whole = '0', fraction = ''] = text.split('.');
  const digits = Math.round(Math.log10(scale));
  if (fraction.length > digits) return undefined;
  return Number(whole) * scale + Number(fraction.padEnd(digits, '0') || '0');
}

/** Exact, then each next round amount above it (distinct, ascending): 23.40 → 23.40, 25, 30, 40, 50. */
export function quickTenders(cashTotal: number, scale: number): number[] {
  const amounts = [cashTotal];
  for (const step of ROUND_STEPS) {
    const unit = step * scale;
    const next = Math.ceil(cashTotal / unit) * unit;
    const above = next === cashTotal ? next + unit : next;
    if (cashTotal === 0 || amounts.includes(above)) continue;
    amounts.push(above);
  }
  return amounts.sort((a, b) => a - b);
}

export type TenderCheck =
  | { readonly ok: true; readonly change: number }
  | {
      readonly ok: false;
      readonly reason: 'empty' | 'not-an-amount' | 'too-little';
      readonly short?: number;
    };

/** Whether `tendered` settles `cashTotal`, and the change due. */
export function checkTender(
  tendered: number | undefined,
  typed: string,
  cashTotal: number,
): TenderCheck {
  if (typed.trim() === '') return { ok: false, reason: 'empty' };
  if (tendered === undefined) return { ok: false, reason: 'not-an-amount' };
  if (tendered < cashTotal) return { ok: false, reason: 'too-little', short: cashTotal - tendered };
  return { ok: true, change: tendered - cashTotal };
}
