import type { MenuItem, MenuModifier, ModifierGroup } from '#protocol';
import { isRejection } from '#protocol/decide/decision.ts';
import { groupRuleBroken, groupRuleText, priceLines } from '#protocol/domain/price-lines.ts';
import { lineAmount } from '#protocol/money/totals.ts';
import type { EntitySet } from '#protocol/state/entity-set.ts';
import { allergenText, DIETARY_WORDS } from './guest-data.ts';
import type { MoneyFormat } from './money-format.ts';

/*
 * The item sheet, pure: which modifiers a guest has picked, what each control offers, and
 * whether the line may go in the basket. The group rules are the protocol's (groupRuleBroken,
 * the same check the server prices with), the line's price is its lineAmount; nothing here
 * counts money or rules of its own. Loaded after first paint, with the protocol.
 */

export interface Selection {
  readonly itemId: string;
  readonly chosen: readonly string[];
  readonly quantity: number;
  readonly note: string;
}

export const newSelection = (itemId: string): Selection => ({
  itemId,
  chosen: [],
  quantity: 1,
  note: '',
});

/** The item's modifiers outside its groups: free choices with no rule on how many. */
export function freeModifierIds(item: MenuItem): string[] {
  const grouped = new Set((item.modifierGroups ?? []).flatMap((g) => g.modifierIds));
  return item.modifierIds.filter((id) => !grouped.has(id));
}

/**
 * The choice after a tap on `modifierId` (in `groupId`, or a free one). A group of at most one
 * is a radio group: the tap replaces its pick (`modifierId` null clears it, the "None" option
 * when nothing is required). Otherwise a checkbox: a tap past the group's max changes nothing.
 */
export function toggleModifier(
  item: MenuItem,
  chosen: readonly string[],
  groupId: string | null,
  modifierId: string | null,
): readonly string[] {
  const group = groupId === null ? undefined : item.modifierGroups?.find((g) => g.id === groupId);
  if (groupId !== null && !group) return chosen;
  if (group && group.max === 1) {
    const others = chosen.filter((id) => !group.modifierIds.includes(id));
    if (modifierId === null) return others;
    return group.modifierIds.includes(modifierId) ? [...others, modifierId] : chosen;
  }
  if (modifierId === null) return chosen;
  if (chosen.includes(modifierId)) return chosen.filter((id) => id !== modifierId);
  const allowed = group ? group.modifierIds : freeModifierIds(item);
  if (!allowed.includes(modifierId)) return chosen;
  if (group && group.modifierIds.filter((id) => chosen.includes(id)).length >= group.max)
    return chosen;
  return [...chosen, modifierId];
}

/** The group's rule as the sheet says it: "Choose 1", "Up to 3", "Choose 1 to 2". */
export function ruleWords(group: Pick<ModifierGroup, 'min' | 'max'>): string {
  if (group.min === group.max) return `Choose ${group.min}`;
  const text = groupRuleText(group);
  return group.min === 0 ? text.charAt(0).toUpperCase() + text.slice(1) : `Choose ${text}`;
}

export interface OptionView {
  readonly id: string;
  readonly name: string;
  /** "+€1.50", or '' when free. */
  readonly delta: string;
  readonly checked: boolean;
  /** Not pickable now: sold out, or the group is at its max. */
  readonly disabled: boolean;
  readonly soldOut: boolean;
}

export interface GroupView {
  readonly id: string;
  readonly name: string;
  /** "Choose 1", "Up to 3". */
  readonly rule: string;
  readonly kind: 'radio' | 'checkbox';
  /** A radio group nothing is required of offers "None"; null otherwise. */
  readonly none: { readonly checked: boolean } | null;
  readonly options: readonly OptionView[];
  /** How many are picked. */
  readonly count: number;
  /** The group's rule is kept. */
  readonly satisfied: boolean;
}

export interface SheetView {
  readonly itemId: string;
  readonly name: string;
  readonly description: string;
  readonly price: string;
  readonly tags: readonly string[];
  readonly allergens: string | null;
  readonly soldOut: boolean;
  readonly groups: readonly GroupView[];
  /** Free modifiers (no rule). */
  readonly extras: readonly OptionView[];
  readonly quantity: number;
  /** The note as typed, or null where the venue takes no notes from the table. */
  readonly note: string | null;
  /** The line's price at this quantity, choices included. */
  readonly linePrice: string;
  /** "Add 2 to basket · €33.00" */
  readonly addLabel: string;
  readonly canAdd: boolean;
  /** Why Add is off, in words. */
  readonly reason: string | null;
}

export interface SheetContext {
  /** The menu as priceLines reads it. */
  readonly entities: EntitySet;
  readonly modifierById: ReadonlyMap<string, MenuModifier>;
  readonly money: MoneyFormat;
  /** guestOrderingOf(settings).lineNotes */
  readonly lineNotes: boolean;
}

const capital = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** The sheet for `selection` of `item`, as the guest sees it now. */
export function sheetViewOf(item: MenuItem, selection: Selection, ctx: SheetContext): SheetView {
  const picked = new Set(selection.chosen);
  const option = (id: string, full: boolean): OptionView | undefined => {
    const modifier = ctx.modifierById.get(id);
    if (!modifier) return undefined;
    const checked = picked.has(id);
    const soldOut = !modifier.available;
    return {
      id,
      name: modifier.name,
      delta: ctx.money.delta(modifier.priceDelta),
      checked,
      soldOut,
      disabled: !checked && (soldOut || full),
    };
  };
  const groups = (item.modifierGroups ?? []).map((group): GroupView => {
    const count = group.modifierIds.filter((id) => picked.has(id)).length;
    const radio = group.max === 1;
    return {
      id: group.id,
      name: group.name,
      rule: ruleWords(group),
      kind: radio ? 'radio' : 'checkbox',
      none: radio && group.min === 0 ? { checked: count === 0 } : null,
      // A radio's pick is replaced by a tap, so only a checkbox group is ever full.
      options: group.modifierIds.flatMap((id) => option(id, !radio && count >= group.max) ?? []),
      count,
      satisfied: count >= group.min && count <= group.max,
    };
  });
  const extras = freeModifierIds(item).flatMap((id) => option(id, false) ?? []);
  const chosenModifiers = selection.chosen.flatMap((id) => ctx.modifierById.get(id) ?? []);
  const amount = lineAmount({
    quantity: selection.quantity,
    unitPrice: item.price,
    modifiers: chosenModifiers.map((m) => ({ priceDelta: m.priceDelta })),
  });
  const linePrice = ctx.money.price(Math.max(0, amount));
  const reason = reasonOf(item, selection, chosenModifiers, ctx);
  return {
    itemId: item.id,
    name: item.name,
    description: item.description,
    price: ctx.money.price(item.price),
    tags: (item.tags ?? []).map((t) => DIETARY_WORDS[t]),
    allergens: allergenText(item.allergens),
    soldOut: !item.available,
    groups,
    extras,
    quantity: selection.quantity,
    note: ctx.lineNotes ? selection.note : null,
    linePrice,
    addLabel: `Add ${selection.quantity} to basket · ${linePrice}`,
    canAdd: reason === null,
    reason,
  };
}

function reasonOf(
  item: MenuItem,
  selection: Selection,
  chosen: readonly MenuModifier[],
  ctx: SheetContext,
): string | null {
  if (!item.available) return `${item.name} is sold out`;
  const gone = chosen.find((m) => !m.available);
  if (gone) return `${gone.name} is sold out — choose something else`;
  const broken = groupRuleBroken(item, selection.chosen);
  // "choose exactly 1 of Side (chose 0)": the count is on screen already.
  if (broken) return `${capital(broken.replace(/\s*\(chose \d+\)$/, ''))} to add this`;
  // The server's own pricing, so the sheet refuses exactly what the order would.
  const priced = priceLines(ctx.entities, [
    {
      lineId: 'sheet',
      itemId: item.id,
      quantity: selection.quantity,
      modifierIds: [...selection.chosen],
    },
  ]);
  return isRejection(priced) ? capital(priced.message) : null;
}
