import * as z from 'zod';
import { EntityId } from '../ids/entity-id.ts';
import { MinorUnits } from '../money/money.ts';

/**
 * A set of modifiers with a rule: "choose exactly 1 side" (min 1, max 1), "up to 3 extras"
 * (min 0, max 3). A line of the item must pick between `min` and `max` of the group's modifiers.
 */
export const ModifierGroup = z
  .object({
    id: EntityId,
    name: z.string().min(1).max(80),
    min: z.number().int().min(0).max(20),
    max: z.number().int().min(1).max(20),
    modifierIds: z.array(EntityId).min(1).max(30),
  })
  .refine((g) => g.max >= g.min, 'max must be at least min');
export type ModifierGroup = z.infer<typeof ModifierGroup>;

/** Dietary labels a guest filters by; shown as words, never by colour or icon alone. */
export const DietaryTag = z.enum(['vegetarian', 'vegan', 'gluten_free', 'dairy_free', 'spicy']);
export type DietaryTag = z.infer<typeof DietaryTag>;

/** The fourteen allergens a menu must declare in the EU and the UK. */
export const Allergen = z.enum([
  'celery',
  'gluten',
  'crustaceans',
  'eggs',
  'fish',
  'lupin',
  'milk',
  'molluscs',
  'mustard',
  'nuts',
  'peanuts',
  'sesame',
  'soya',
  'sulphites',
]);
export type Allergen = z.infer<typeof Allergen>;

/** A dish or drink. `station` routes it to a kitchen display when an order is sent. */
export const MenuItem = z.object({
  id: EntityId,
  categoryId: EntityId,
  name: z.string().min(1).max(120),
  description: z.string().max(500),
  price: MinorUnits,
  station: z.string().min(1).max(32),
  /** Modifiers a guest or server may add to this item, with no rule on how many. */
  modifierIds: z.array(EntityId).max(50),
  /** Modifier groups with their rules; absent (menus made before groups) means none. */
  modifierGroups: z.array(ModifierGroup).max(10).optional(),
  /** False when the kitchen has run out ("86'd"). */
  available: z.boolean(),
  imageUrl: z.string().max(500).optional(),
  /** Dietary labels; absent means none declared. */
  tags: z.array(DietaryTag).max(10).optional(),
  /** Allergens the dish contains; absent means none declared (not "none present"). */
  allergens: z.array(Allergen).max(14).optional(),
  version: z.number().int().min(1),
});
export type MenuItem = z.infer<typeof MenuItem>;
