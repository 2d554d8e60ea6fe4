import type { MenuItem, MenuModifier, OrderLine, Settings } from '#protocol';
import { isRejection, type Rejection } from '#protocol/decide/decision.ts';
import { priceLines, totalsFor } from '#protocol/domain/price-lines.ts';
import type { LineInput } from '#protocol/ops/payloads/line-input.ts';
import type { EntitySet } from '#protocol/state/entity-set.ts';
import type { BasketLine } from './basket.ts';
import type { MoneyFormat } from './money-format.ts';
import { detailsOf } from './order-status.ts';

/*
 * The basket as the guest sees it, pure: each line priced by the protocol's priceLines (the
 * server's own check, so a line it would refuse is flagged here first) and the running totals
 * by totalsFor (tax as the protocol computes it). Loaded after first paint, with the protocol.
 */

export interface BasketLineView {
  readonly lineId: string;
  readonly name: string;
  /** Modifiers and note, in words. */
  readonly details: string;
  readonly quantity: number;
  /** The line's price, or '' when it cannot be ordered. */
  readonly price: string;
  /** Why this line blocks the order, and what to do ("Sold out — remove it to order"). */
  readonly problem: string | null;
}

export interface BasketView {
  readonly lines: readonly BasketLineView[];
  /** Dishes, counting quantities. */
  readonly count: number;
  readonly subtotal: string;
  readonly tax: string;
  readonly total: string;
  /** "Includes tax" (tax-inclusive prices) or "Tax". */
  readonly taxLabel: string;
  readonly canPlace: boolean;
  /** Why Place is off, in words (empty basket, a sold-out line…). */
  readonly blocked: string | null;
  /** "Place order · €33.00" */
  readonly placeLabel: string;
}

export interface BasketContext {
  readonly entities: EntitySet;
  readonly settings: Settings;
  readonly itemById: ReadonlyMap<string, MenuItem>;
  readonly modifierById: ReadonlyMap<string, MenuModifier>;
  readonly money: MoneyFormat;
  /** guestOrderingOf(settings).lineNotes */
  readonly lineNotes: boolean;
}

export const inputOf = (line: BasketLine): LineInput => ({
  lineId: line.lineId,
  itemId: line.itemId,
  quantity: line.quantity,
  modifierIds: [...line.modifierIds],
  ...(line.note ? { note: line.note } : {}),
});

/** What a line priceLines refuses needs from the guest, by the rejection's code. */
function problemOf(rejection: Rejection, line: BasketLine, ctx: BasketContext): string {
  switch (rejection.code) {
    case 'ITEM_UNAVAILABLE':
      return 'Sold out — remove it to order';
    case 'MODIFIER_NOT_ALLOWED': {
      const gone = line.modifierIds
        .map((id) => ctx.modifierById.get(id))
        .find((m) => m !== undefined && !m.available);
      return gone
        ? `${gone.name} sold out — remove it to order`
        : 'A choice on this dish is no longer offered — remove it and add it again';
    }
    case 'UNKNOWN_ITEM':
      return 'No longer on the menu — remove it to order';
    case 'MODIFIER_GROUP_RULE':
      return 'The choices for this dish changed — remove it and add it again';
    default:
      return `${rejection.message} — remove it to order`;
  }
}

export function basketViewOf(lines: readonly BasketLine[], ctx: BasketContext): BasketView {
  const priced: OrderLine[] = [];
  const views = lines.map((line): BasketLineView => {
    const item = ctx.itemById.get(line.itemId);
    const modifiers = line.modifierIds.map((id) => ctx.modifierById.get(id)?.name ?? '');
    const base = {
      lineId: line.lineId,
      name: item?.name ?? (line.name || 'A dish'),
      details: detailsOf(
        modifiers.filter((m) => m !== ''),
        line.note,
      ),
      quantity: line.quantity,
    };
    if (line.note && !ctx.lineNotes) {
      return {
        ...base,
        price: '',
        problem: 'This restaurant takes no notes from the table — remove it and add it again',
      };
    }
    const result = priceLines(ctx.entities, [inputOf(line)]);
    if (isRejection(result)) return { ...base, price: '', problem: problemOf(result, line, ctx) };
    priced.push(...result);
    const totals = totalsFor(result, ctx.settings);
    return {
      ...base,
      price: isRejection(totals) ? '' : ctx.money.price(totals.subtotal),
      problem: null,
    };
  });
  const totals = totalsFor(priced, ctx.settings);
  const count = lines.reduce((sum, l) => sum + l.quantity, 0);
  const failing = views.filter((v) => v.problem !== null);
  const tooLarge = isRejection(totals) ? 'This order is larger than one order may be' : null;
  const blocked =
    lines.length === 0
      ? 'Your basket is empty'
      : failing.length > 0
        ? `${failing.map((v) => v.name).join(', ')} can’t be ordered — see your basket`
        : tooLarge;
  const money = (pick: (t: Exclude<typeof totals, Rejection>) => number): string =>
    isRejection(totals) ? '' : ctx.money.price(pick(totals));
  const total = money((t) => t.total);
  return {
    lines: views,
    count,
    subtotal: money((t) => t.subtotal),
    tax: money((t) => t.tax),
    total,
    taxLabel: ctx.settings.taxInclusive ? 'Includes tax' : 'Tax',
    canPlace: blocked === null,
    blocked,
    // The price only on an order that can go: a blocked one's total leaves lines out.
    placeLabel: blocked === null && total ? `Place order · ${total}` : 'Place order',
  };
}
