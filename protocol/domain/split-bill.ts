import type { Order, OrderLine } from '../entities/order.ts';
import { lineAmount } from '../money/totals.ts';

/** One part of a split bill: what it pays of the order's total, in minor units. */
export interface BillShare {
  /** The seat it is for; undefined for an even part or for the lines with no seat. */
  readonly seat?: number;
  readonly amount: number;
  /** The lines it covers (a split by seat); empty for an even split. */
  readonly lineIds: readonly string[];
}

/**
 * `total` in `parts` shares that differ by at most one minor unit, the larger first, summing to
 * `total` exactly: 100 in 3 → 34, 33, 33.
 */
export function splitEvenly(total: number, parts: number): BillShare[] {
  if (!Number.isInteger(total) || total < 0) throw new RangeError('total must be minor units ≥ 0');
  if (!Number.isInteger(parts) || parts < 1 || parts > 100)
    throw new RangeError('parts must be an integer from 1 to 100');
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, i) => ({
    amount: base + (i < extra ? 1 : 0),
    lineIds: [],
  }));
}

/**
 * The order's total by seat: each seat pays its lines, with the tax and rounding of the whole
 * order shared in proportion (largest remainder, so the shares sum to the total exactly); lines
 * with no seat make a share of their own. Voided lines count nothing. Seats in number order.
 */
export function splitBySeat(order: Pick<Order, 'lines' | 'totals'>): BillShare[] {
  const groups = new Map<number | undefined, OrderLine[]>();
  for (const line of order.lines) {
    if (line.voidedAt) continue;
    const list = groups.get(line.seat) ?? [];
    list.push(line);
    groups.set(line.seat, list);
  }
  const keys = [...groups.keys()].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
  const subtotals = keys.map((k) =>
    (groups.get(k) ?? []).reduce((sum, line) => sum + lineAmount(line), 0),
  );
  const amounts = allocate(order.totals.total, subtotals);
  return keys.map((seat, i) => ({
    ...(seat === undefined ? {} : { seat }),
    amount: amounts[i] ?? 0,
    lineIds: (groups.get(seat) ?? []).map((l) => l.id),
  }));
}

/** `total` in proportion to `weights`, by largest remainder; all zero weights share evenly. */
function allocate(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 0) return [];
  if (sum === 0) return splitEvenly(total, weights.length).map((s) => s.amount);
  const exact = weights.map((w) => (total * w) / sum);
  const floors = exact.map(Math.floor);
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => ({ i, rest: x - Math.floor(x) }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] = (floors[i] ?? 0) + 1;
    left -= 1;
  }
  return floors;
}
