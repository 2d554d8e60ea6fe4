import type { MenuCategory, MenuItem, MenuModifier, ModifierGroup } from '#protocol';

type Unversioned<T> = Omit<T, 'version'>;

export const demoCategories: Unversioned<MenuCategory>[] = [
  { id: 'starters', name: 'Starters', position: 0 },
  { id: 'mains', name: 'Mains', position: 1 },
  { id: 'sides', name: 'Sides', position: 2 },
  { id: 'desserts', name: 'Desserts', position: 3 },
  { id: 'drinks', name: 'Drinks', position: 4 },
];

export const demoModifiers: Unversioned<MenuModifier>[] = [
  { id: 'extra-cheese', name: 'Extra cheese', priceDelta: 150, available: true },
  { id: 'add-bacon', name: 'Add bacon', priceDelta: 250, available: true },
  { id: 'no-onions', name: 'No onions', priceDelta: 0, available: true },
  { id: 'gluten-free-bun', name: 'Gluten-free bun', priceDelta: 100, available: true },
  { id: 'medium-rare', name: 'Medium rare', priceDelta: 0, available: true },
  { id: 'well-done', name: 'Well done', priceDelta: 0, available: true },
  { id: 'extra-shot', name: 'Extra shot', priceDelta: 80, available: true },
  { id: 'oat-milk', name: 'Oat milk', priceDelta: 40, available: true },
  { id: 'no-ice', name: 'No ice', priceDelta: 0, available: true },
  { id: 'dressing-side', name: 'Dressing on the side', priceDelta: 0, available: true },
  { id: 'side-fries', name: 'Fries', priceDelta: 0, available: true },
  { id: 'side-salad', name: 'Green salad', priceDelta: 0, available: true },
  { id: 'side-mash', name: 'Mash', priceDelta: 50, available: true },
];

/** How it is cooked: at most one. */
const DONENESS: ModifierGroup = {
  id: 'doneness',
  name: 'Cooking',
  min: 0,
  max: 1,
  modifierIds: ['medium-rare', 'well-done'],
};

function item(
  id: string,
  categoryId: string,
  name: string,
  price: number,
  station: string,
  description: string,
  modifierIds: string[] = [],
  modifierGroups?: ModifierGroup[],
): Unversioned<MenuItem> {
  return {
    id,
    categoryId,
    name,
    description,
    price,
    station,
    modifierIds,
    ...(modifierGroups ? { modifierGroups } : {}),
    available: true,
    ...LABELS[id],
  };
}

/** Dietary labels and allergens as the demo kitchen declares them. */
const LABELS: Record<string, Pick<MenuItem, 'tags' | 'allergens'>> = {
  'soup-of-the-day': { tags: ['vegetarian'], allergens: ['celery', 'milk'] },
  burrata: { tags: ['vegetarian', 'gluten_free'], allergens: ['milk'] },
  calamari: { allergens: ['molluscs', 'gluten', 'eggs'] },
  croquettes: { allergens: ['gluten', 'milk', 'mustard'] },
  'beet-salad': { tags: ['vegetarian', 'gluten_free'], allergens: ['milk', 'nuts'] },
  oysters: { tags: ['gluten_free', 'dairy_free'], allergens: ['molluscs', 'sulphites'] },
  burger: { allergens: ['gluten', 'milk', 'sesame', 'mustard'] },
  'steak-frites': { tags: ['gluten_free'], allergens: ['milk'] },
  chicken: { tags: ['gluten_free'] },
  salmon: { tags: ['gluten_free'], allergens: ['fish', 'milk'] },
  'fish-and-chips': { allergens: ['fish', 'gluten'] },
  risotto: { tags: ['vegetarian', 'gluten_free'], allergens: ['milk', 'celery'] },
  caesar: { allergens: ['fish', 'eggs', 'gluten', 'milk'] },
  'veggie-burger': { tags: ['vegan', 'spicy'], allergens: ['gluten', 'soya'] },
  fries: { tags: ['vegan', 'gluten_free'] },
  'sweet-potato-fries': { tags: ['vegetarian', 'spicy'], allergens: ['eggs'] },
  'green-salad': { tags: ['vegan', 'gluten_free'], allergens: ['mustard'] },
  'onion-rings': { tags: ['vegan'], allergens: ['gluten'] },
  'creme-brulee': { tags: ['vegetarian', 'gluten_free'], allergens: ['eggs', 'milk'] },
  'chocolate-fondant': { tags: ['vegetarian'], allergens: ['eggs', 'milk', 'gluten'] },
  'cheese-board': { tags: ['vegetarian'], allergens: ['milk', 'gluten', 'nuts'] },
  sorbet: { tags: ['vegan', 'gluten_free'] },
  'house-red': { tags: ['vegan'], allergens: ['sulphites'] },
  'house-white': { tags: ['vegan'], allergens: ['sulphites'] },
  'draft-beer': { allergens: ['gluten'] },
};

/** Thirty dishes and drinks across the grill, fry, cold and bar stations; prices in euro cents. */
export const demoItems: Unversioned<MenuItem>[] = [
  item(
    'soup-of-the-day',
    'starters',
    'Soup of the day',
    750,
    'cold',
    'Ask your server; with sourdough.',
  ),
  item('burrata', 'starters', 'Burrata', 1250, 'cold', 'Heirloom tomato, basil oil.'),
  item('calamari', 'starters', 'Fried calamari', 1150, 'fry', 'Lemon aioli.'),
  item('croquettes', 'starters', 'Beef croquettes', 950, 'fry', 'Three, with mustard.'),
  item('beet-salad', 'starters', 'Roast beet salad', 1050, 'cold', 'Goat cheese, walnuts.', [
    'dressing-side',
  ]),
  item('oysters', 'starters', 'Oysters (6)', 1800, 'cold', 'Shallot vinegar, lemon.'),
  item(
    'burger',
    'mains',
    'Bistro burger',
    1650,
    'grill',
    'Aged beef, brioche, pickles.',
    ['no-onions'],
    [
      DONENESS,
      {
        id: 'burger-extras',
        name: 'Extras',
        min: 0,
        max: 3,
        modifierIds: ['extra-cheese', 'add-bacon', 'gluten-free-bun'],
      },
    ],
  ),
  item(
    'steak-frites',
    'mains',
    'Steak frites',
    2650,
    'grill',
    'Bavette, béarnaise, fries.',
    [],
    [DONENESS],
  ),
  item(
    'chicken',
    'mains',
    'Half chicken',
    2150,
    'grill',
    'Lemon, thyme, jus.',
    [],
    [
      {
        id: 'chicken-side',
        name: 'Side',
        min: 1,
        max: 1,
        modifierIds: ['side-fries', 'side-salad', 'side-mash'],
      },
    ],
  ),
  item('salmon', 'mains', 'Grilled salmon', 2350, 'grill', 'Fennel, beurre blanc.'),
  item('fish-and-chips', 'mains', 'Fish and chips', 1950, 'fry', 'Beer batter, mushy peas.'),
  item('risotto', 'mains', 'Mushroom risotto', 1850, 'grill', 'Parmesan, truffle oil.'),
  item('caesar', 'mains', 'Caesar salad', 1550, 'cold', 'Cos, anchovy, croutons.', [
    'add-bacon',
    'dressing-side',
  ]),
  item('veggie-burger', 'mains', 'Veggie burger', 1550, 'grill', 'Black bean patty, avocado.', [
    'extra-cheese',
    'no-onions',
    'gluten-free-bun',
  ]),
  item('fries', 'sides', 'Fries', 450, 'fry', 'Sea salt.'),
  item('sweet-potato-fries', 'sides', 'Sweet potato fries', 550, 'fry', 'Chipotle mayo.'),
  item('green-salad', 'sides', 'Green salad', 450, 'cold', 'House vinaigrette.', ['dressing-side']),
  item('onion-rings', 'sides', 'Onion rings', 500, 'fry', 'Beer battered.'),
  item('creme-brulee', 'desserts', 'Crème brûlée', 850, 'cold', 'Vanilla.'),
  item(
    'chocolate-fondant',
    'desserts',
    'Chocolate fondant',
    950,
    'grill',
    'Ten minutes; vanilla ice cream.',
  ),
  item('cheese-board', 'desserts', 'Cheese board', 1350, 'cold', 'Three cheeses, quince.'),
  item('sorbet', 'desserts', 'Sorbet', 650, 'cold', 'Two scoops.'),
  item('espresso', 'drinks', 'Espresso', 280, 'bar', '', ['extra-shot']),
  item('flat-white', 'drinks', 'Flat white', 380, 'bar', '', ['extra-shot', 'oat-milk']),
  item('house-red', 'drinks', 'House red (glass)', 650, 'bar', 'Côtes du Rhône.'),
  item('house-white', 'drinks', 'House white (glass)', 650, 'bar', 'Picpoul de Pinet.'),
  item('draft-beer', 'drinks', 'Draft beer', 550, 'bar', 'Pilsner, 40 cl.'),
  item('gin-tonic', 'drinks', 'Gin & tonic', 950, 'bar', '', ['no-ice']),
  item('lemonade', 'drinks', 'Homemade lemonade', 450, 'bar', '', ['no-ice']),
  item('sparkling-water', 'drinks', 'Sparkling water (75 cl)', 500, 'bar', ''),
];
