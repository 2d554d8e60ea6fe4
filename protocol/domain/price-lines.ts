import { type Rejection, reject } from '../decide/decision.ts';
import type { MenuItem, ModifierGroup } from '../entities/menu-item.ts';
import type { OrderLine } from '../entities/order.ts';
import type { Settings } from '../entities/settings.ts';
import { MAX_MINOR } from '../money/money.ts';
import { computeTotals, lineAmount, type OrderTotals } from '../money/totals.ts';
import type { LineInput } from '../ops/payloads/line-input.ts';
import { type EntitySet, getEntity } from '../state/entity-set.ts';

/**
 * Prices a device's line requests from the menu: names, stations and prices are the menu's,
 * never the device's. Refuses unknown or sold-out items and modifiers the item does not offer.
 */
export function priceLines(
  entities: EntitySet,
  inputs: readonly LineInput[],
): OrderLine[] | Rejection {
  const lines: OrderLine[] = [];
  for (const input of inputs) {
    const item = getEntity(entities, 'menuItem', input.itemId);
    if (!item) return reject('UNKNOWN_ITEM', `no menu item ${input.itemId}`);
    if (!item.available) return reject('ITEM_UNAVAILABLE', `${item.name} is sold out`, item);
    const broken = groupRuleBroken(item, input.modifierIds);
    if (broken) return reject('MODIFIER_GROUP_RULE', `${item.name}: ${broken}`, item);
    const offered = offeredModifiers(item);
    const modifiers = [];
    for (const modifierId of input.modifierIds) {
      const modifier = getEntity(entities, 'menuModifier', modifierId);
      if (!modifier || !offered.has(modifierId) || !modifier.available) {
        return reject(
          'MODIFIER_NOT_ALLOWED',
          `modifier ${modifierId} is not offered on ${item.name}`,
          item,
        );
      }
      modifiers.push({ id: modifier.id, name: modifier.name, priceDelta: modifier.priceDelta });
    }
    const line: OrderLine = {
      id: input.lineId,
      itemId: item.id,
      name: item.name,
      station: item.station,
      quantity: input.quantity,
      unitPrice: item.price,
      modifiers,
      sentAt: null,
      ...(input.note === undefined ? {} : { note: input.note }),
      ...(input.seat === undefined ? {} : { seat: input.seat }),
      ...(input.course === undefined ? {} : { course: input.course }),
    };
    if (lineAmount(line) < 0)
      return reject('VALIDATION', `line ${input.lineId} would cost less than nothing`);
    lines.push(line);
  }
  return lines;
}

/** Every modifier a line of the item may carry: its own list and its groups'. */
function offeredModifiers(item: MenuItem): Set<string> {
  const offered = new Set(item.modifierIds);
  for (const group of item.modifierGroups ?? [])
    for (const id of group.modifierIds) offered.add(id);
  return offered;
}

/** What a group asks for, in words: "exactly 1", "up to 3", "at least 1", "1 to 2". */
export function groupRuleText(group: Pick<ModifierGroup, 'min' | 'max'>): string {
  if (group.min === group.max) return `exactly ${group.min}`;
  if (group.min === 0) return `up to ${group.max}`;
  return `${group.min} to ${group.max}`;
}

/**
 * The first of the item's modifier-group rules the chosen modifiers break ("choose exactly 1
 * Side (chose 0)"), or undefined when they keep every rule. A modifier counts once per group.
 */
export function groupRuleBroken(
  item: Pick<MenuItem, 'modifierGroups'>,
  chosen: readonly string[],
): string | undefined {
  const picked = new Set(chosen);
  for (const group of item.modifierGroups ?? []) {
    const count = group.modifierIds.filter((id) => picked.has(id)).length;
    if (count < group.min || count > group.max)
      return `choose ${groupRuleText(group)} of ${group.name} (chose ${count})`;
  }
  return undefined;
}

/** True when any two lines share an id (within the request or against what the order holds). */
export function hasDuplicateLineIds(lines: readonly { id: string }[]): boolean {
  return new Set(lines.map((l) => l.id)).size !== lines.length;
}

/** Totals for an order's lines, or a rejection when they pass what one order may carry. */
export function totalsFor(
  lines: readonly OrderLine[],
  settings: Settings,
): OrderTotals | Rejection {
  const totals = computeTotals(lines, settings);
  if (totals.cashTotal > MAX_MINOR || totals.total > MAX_MINOR) {
    return reject('AMOUNT_TOO_LARGE', 'the order total is larger than one order may carry');
  }
  return totals;
}
