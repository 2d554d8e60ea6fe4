/*
 * Seeded mutations of a valid value, for parity tests between zod and the generated checker:
 * each mutant differs from its parent in one place (a member dropped or added, a wrong type,
 * a number out of range, a bad string…), so most are invalid and some stay valid.
 */

/** mulberry32: a small seeded PRNG, so a failing case can be replayed. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = unknown;

const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;

/** Replacements that break a value of any kind (or, now and then, keep it valid). */
const JUNK: readonly Json[] = [
  null,
  undefined,
  true,
  0,
  -1,
  1.5,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  ' ',
  'x'.repeat(81),
  'not a ulid',
  '01jd0000000000000000000100',
  '81JD0000000000000000000100',
  '01JD000000000000000000010I',
  '01JD00000000000000000001000',
  '2026-13-01T00:00:00Z',
  '2026-11-23T19:30:00',
  'bogus',
  'a/b',
  [],
  [1],
  {},
];

function mutateString(random: () => number, value: string): Json {
  return pick(random, [
    '',
    value.toLowerCase(),
    `${value}!`,
    value.slice(1),
    value.repeat(30),
    ` ${value}`,
    value.replace(/[0-9]/, 'I'),
  ]);
}

function mutateNumber(random: () => number, value: number): Json {
  return pick(random, [value + 1, value - 1, -value, value + 0.5, 0, -1, 101, 1e9, Number.NaN]);
}

/** Every path to a value inside `root` (objects and arrays), the root included. */
function paths(root: Json, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(root)) {
    for (const [i, item] of root.entries()) out.push(...paths(item, [...at, i]));
  } else if (typeof root === 'object' && root !== null) {
    for (const [key, item] of Object.entries(root)) out.push(...paths(item, [...at, key]));
  }
  return out;
}

const clone = (value: Json): Json => structuredClone(value);

/** One mutant of `value`: a deep copy changed at one random place. */
export function mutate(random: () => number, value: Json): Json {
  const copy = { root: clone(value) } as Record<string | number, Json>;
  const path = ['root', ...pick(random, paths(value))];
  const last = path.pop() as string | number;
  let parent = copy as Record<string | number, Json>;
  for (const key of path) parent = parent[key] as Record<string | number, Json>;
  const target = parent[last];
  const roll = random();
  if (roll < 0.15 && !Array.isArray(parent)) delete parent[last];
  else if (roll < 0.4) parent[last] = pick(random, JUNK);
  else if (typeof target === 'string') parent[last] = mutateString(random, target);
  else if (typeof target === 'number') parent[last] = mutateNumber(random, target);
  else if (Array.isArray(target)) {
    parent[last] =
      random() < 0.5 ? [] : [...target, ...Array.from({ length: 120 }, () => target[0])];
  } else if (typeof target === 'object' && target !== null) {
    parent[last] = { ...target, [pick(random, ['extra', 'type', 'status', 'kind'])]: 'x' };
  } else parent[last] = pick(random, JUNK);
  return copy.root;
}
