import type { OrderLine, Settings } from '#protocol';
import { isRejection } from '#protocol/decide/decision.ts';
import { priceLines, totalsFor } from '#protocol/domain/price-lines.ts';
import { splitBySeat, splitEvenly } from '#protocol/domain/split-bill.ts';
import { newUlid } from '#protocol/ids/ulid.ts';
import type { OrderTotals } from '#protocol/money/totals.ts';
import type { EntitySet } from '#protocol/state/entity-set.ts';
import { type DraftLine, inputOfDraft } from './order-draft.ts';

// The order pad's half that needs the protocol at run time (zod comes with it): the guest's
// modifier rules, pricing, the split of a bill, ids made on the device. Loaded after first paint.

export { menuEntitiesOf } from '../guest/guest-rules.ts';
export { newSelection, sheetViewOf, toggleModifier } from '../guest/item-selection.ts';

export const newId = (): string => newUlid();

export type PadTotals =
  | { readonly ok: true; readonly totals: OrderTotals; readonly lines: readonly OrderLine[] }
  | { readonly ok: false; readonly reason: string };

/**
 * Totals of the order's lines plus this device's lines not on it yet, priced by the menu as the
 * server will price them (a sold-out dish in the draft is named rather than counted).
 */
export function padTotalsOf(
  entities: EntitySet,
  settings: Settings,
  orderLines: readonly OrderLine[],
  mine: readonly DraftLine[],
): PadTotals {
  const priced = priceLines(entities, mine.map(inputOfDraft));
  if (isRejection(priced))
    return { ok: false, reason: `Can’t price the new lines: ${priced.message}` };
  const lines = [...orderLines, ...priced];
  const totals = totalsFor(lines, settings);
  if (isRejection(totals))
    return { ok: false, reason: 'This order is larger than one order may be' };
  return { ok: true, totals, lines };
}

export interface ShareView {
  /** "Seat 2", "No seat", "Share 3". */
  readonly label: string;
  readonly amount: number;
}

/** The total in `parts` even shares (2–12), summing to it exactly. */
export const evenShares = (total: number, parts: number): ShareView[] =>
  splitEvenly(total, Math.min(12, Math.max(2, Math.round(parts)))).map((share, i) => ({
    label: `Share ${i + 1}`,
    amount: share.amount,
  }));

/** The total by seat (tax and rounding shared in proportion); unseated lines share apart. */
export const seatShares = (lines: readonly OrderLine[], totals: OrderTotals): ShareView[] =>
  splitBySeat({ lines: [...lines], totals }).map((share) => ({
    label: share.seat === undefined ? 'No seat' : `Seat ${share.seat}`,
    amount: share.amount,
  }));

export type PadRules = typeof import('./pad-rules.ts');
