import type { MenuItem, MenuModifier, Settings } from '#protocol';
import { guestOrderingOf } from '#protocol/entities/settings.ts';
import { newUlid } from '#protocol/ids/ulid.ts';
import { type EntitySet, emptyEntitySet } from '#protocol/state/entity-set.ts';
import { projectRecords } from '#protocol/state/project.ts';

// The guest screen's half that needs the protocol at run time (zod comes with it): pricing,
// the modifier rules, ids made on the device. The page imports it after first paint.

export { basketViewOf, inputOf } from './basket-pricing.ts';
export { newSelection, sheetViewOf, toggleModifier } from './item-selection.ts';

/** A line or placed order's id, made on the device. */
export const newId = (): string => newUlid();

/** The venue's guest ordering rules (approval, notes), its defaults where settings predate them. */
export const orderingOf = (settings: Settings) => guestOrderingOf(settings);

const menus = new WeakMap<readonly MenuItem[], EntitySet>();

/** The menu as priceLines reads it, built once per reading of the local view. */
export function menuEntitiesOf(
  items: readonly MenuItem[],
  modifiers: Iterable<MenuModifier>,
): EntitySet {
  const held = menus.get(items);
  if (held) return held;
  const set = projectRecords(emptyEntitySet(), [
    ...items.map((data) => ({ entity: 'menuItem' as const, data })),
    ...[...modifiers].map((data) => ({ entity: 'menuModifier' as const, data })),
  ]);
  menus.set(items, set);
  return set;
}

export type GuestRules = typeof import('./guest-rules.ts');
