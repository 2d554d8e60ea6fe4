import * as z from 'zod';
import { compileCheck, type JsonSchema, type SchemaBundle } from './json-schema-check.ts';

/*
 * Build time: zod schemas → the JSON Schema bundle `json-schema-check.ts` interprets. Run by
 * `npm run build:web` (which writes the `*.gen.ts` files) and by the tests that prove those
 * files are current; never imported where zod must stay out (the service worker).
 *
 *   { Operation: zodSchema, … } ──z.toJSONSchema (registry, io 'input')──▶ { Operation: {…},
 *                                  refinements replaced, $refs flattened,     __shared:x: {…} }
 *                                  written compactly (`compact`)
 *
 * What JSON Schema cannot say fails here, loudly: a transform (zod throws), and any check zod
 * would drop silently (a `.refine`, an `.overwrite`, a `.multipleOf`) unless `refinements`
 * gives its JSON Schema equivalent for that exact schema.
 */

/** Checks the emitter renders as JSON Schema keywords; any other check must be listed. */
const RENDERED_CHECKS = new Set([
  'min_length',
  'max_length',
  'length_equals',
  'greater_than',
  'less_than',
  'number_format',
  'string_format',
]);

/**
 * Schema types whose input and output are the same value (or, for `default`, a value the
 * checker fills the same way). A pipe, a transform, a `.catch`, a coercion would make zod's
 * output differ from what the checker returns, so they fail the emit.
 */
const SAME_VALUE_TYPES = new Set([
  'string',
  'number',
  'boolean',
  'null',
  'literal',
  'enum',
  'object',
  'array',
  'union',
  'optional',
  'nullable',
  'default',
  'unknown',
  'any',
  'lazy',
  'readonly',
]);

export interface EmitOptions {
  /** Shapes emitted elsewhere, referred to by name (`$ref: 'Operation'`) and not repeated. */
  readonly external?: Readonly<Record<string, z.ZodType>>;
  /**
   * JSON Schema for what a schema's refinements require, merged into its own: the one way a
   * `.refine` reaches the checker. Each must be proved equivalent by a parity test.
   */
  readonly refinements?: ReadonlyMap<z.ZodType, { readonly [keyword: string]: unknown }>;
  /** Prefix for the names of shared sub-schemas (keeps two bundles' names apart). */
  readonly prefix?: string;
}

type Mutable = { [keyword: string]: unknown };

const DATA_KEYWORDS = new Set(['const', 'default', 'enum']);

/** What a union's branch may hold for `hoistShared` to write its shared members once. */
const OBJECT_KEYWORDS = new Set(['type', 'properties', 'required', 'additionalProperties']);

/** Thrown when a zod schema holds what the checker could not check the same way. */
export class UnrepresentableSchemaError extends Error {
  override readonly name = 'UnrepresentableSchemaError';
}

/**
 * Emits the named zod schemas as one flat bundle of JSON Schemas for `compileCheck`.
 *
 * @example
 * const bundle = emitShapes({ Operation, BatchResponse }, { refinements });
 * compileCheck<Operation>(bundle, 'Operation');
 */
export function emitShapes(
  shapes: Readonly<Record<string, z.ZodType>>,
  options: EmitOptions = {},
): SchemaBundle {
  const prefix = options.prefix ?? '';
  const external = options.external ?? {};
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries({ ...external, ...shapes })) {
    registry.add(schema, { id });
  }
  const output = z.toJSONSchema(registry, {
    io: 'input',
    reused: 'ref',
    unrepresentable: 'throw',
    uri: (id) => id,
    override: ({ zodSchema, jsonSchema, path }) => {
      const def = zodSchema._zod.def as {
        type: string;
        coerce?: boolean;
        checks?: { _zod: { def: { check: string } } }[];
      };
      if (!SAME_VALUE_TYPES.has(def.type) || def.coerce) {
        throw new UnrepresentableSchemaError(
          `${def.coerce ? 'coerced ' : ''}${def.type} at ${path.join('.') || '(root)'}: ` +
            'its output is not its input, which the checker cannot reproduce',
        );
      }
      const checks = def.checks;
      const unrendered = (checks ?? []).filter((c) => !RENDERED_CHECKS.has(c._zod.def.check));
      if (unrendered.length === 0) return;
      const replacement = options.refinements?.get(zodSchema as unknown as z.ZodType);
      if (!replacement) {
        throw new UnrepresentableSchemaError(
          `${unrendered.map((c) => c._zod.def.check).join(', ')} at ${path.join('.') || '(root)'}: ` +
            'give its JSON Schema in `refinements`, or check it another way',
        );
      }
      Object.assign(jsonSchema, replacement);
    },
  }) as { schemas: Record<string, Mutable> };

  const bundle: Record<string, JsonSchema> = {};
  const renamed = (id: string, def: string) =>
    id === '__shared' ? `${prefix}${def}` : `${id}:${def}`;
  // Every `$ref` becomes a bundle name; `const`, `default` and `enum` hold data, left as is.
  const rewrite = (node: unknown, id: string): unknown => {
    if (Array.isArray(node)) return node.map((item) => rewrite(item, id));
    if (typeof node !== 'object' || node === null) return node;
    const out: Mutable = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$schema' || key === '$id' || key === '$defs') continue;
      if (key === '$ref') {
        const [target = '', def] = String(value).split('#/$defs/');
        out.$ref = def === undefined ? target : renamed(target || id, def);
      } else if (key === 'properties') {
        const members = Object.entries(value as Mutable).map(([k, v]) => [k, rewrite(v, id)]);
        out.properties = Object.fromEntries(members);
      } else {
        out[key] = DATA_KEYWORDS.has(key) ? value : rewrite(value, id);
      }
    }
    return out;
  };
  for (const [id, schema] of Object.entries(output.schemas)) {
    if (id in external) continue;
    if (id !== '__shared') bundle[id] = rewrite(schema, id) as JsonSchema;
    for (const [def, sub] of Object.entries((schema.$defs ?? {}) as Record<string, unknown>)) {
      bundle[renamed(id, def)] = rewrite(sub, id) as JsonSchema;
    }
  }
  const kept = reachable(bundle, Object.keys(shapes), Object.keys(external));
  const result = Object.fromEntries(
    Object.entries(bundle)
      .filter(([name]) => kept.has(name))
      .map(([name, schema]) => [name, compact(schema) as JsonSchema]),
  );
  // Compiling proves every keyword is one the checker knows (it throws otherwise).
  const whole = { ...result, ...Object.fromEntries(Object.keys(external).map((n) => [n, true])) };
  for (const name of Object.keys(shapes)) compileCheck(whole, name);
  return result;
}

/**
 * The same schema in fewer bytes (the service worker carries it), for the same checks: a union
 * of objects that share their first members writes them once (`hoistShared`), and an object
 * lists its `optional` members instead of its `required` ones (most are required). Both are
 * read back by json-schema-check.ts (decision 036).
 */
function compact(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(compact);
  if (typeof node !== 'object' || node === null) return node;
  const out: Mutable = {};
  for (const [key, value] of Object.entries(hoistShared(node as Mutable))) {
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value as Mutable).map(([k, v]) => [k, compact(v)]))
        : DATA_KEYWORDS.has(key)
          ? value
          : compact(value);
  }
  if (out.properties !== undefined) {
    const declared = Object.keys(out.properties as Mutable);
    const required = (out.required ?? []) as string[];
    const undeclared = required.filter((key) => !declared.includes(key));
    if (undeclared.length > 0) {
      throw new UnrepresentableSchemaError(`required but not declared: ${undeclared.join(', ')}`);
    }
    delete out.required;
    out.optional = declared.filter((key) => !required.includes(key));
    // Members beside a union are every branch's (json-schema-check.ts): none may be redeclared.
    for (const branch of [out.oneOf, out.anyOf].flat() as Mutable[]) {
      const again = Object.keys(branch?.properties ?? {}).filter((key) => declared.includes(key));
      if (again.length > 0) {
        throw new UnrepresentableSchemaError(
          `${again.join(', ')} declared beside a union and again in a branch`,
        );
      }
    }
  }
  return out;
}

/**
 * `{ oneOf: [{ a, b, x }, { a, b, y }] }`, where every branch is a plain object whose first
 * members are the same (schema and required alike), becomes `{ a, b, oneOf: [{ x }, { y }] }`:
 * the operations' envelope, once instead of once per type. The checker gives each branch the
 * shared members back, first, so it checks (and orders its output) exactly as before. Each
 * branch keeps at least one member of its own (the discriminator).
 */
function hoistShared(node: Mutable): Mutable {
  const [keyword, ...others] = Object.keys(node);
  if (others.length > 0 || (keyword !== 'oneOf' && keyword !== 'anyOf')) return node;
  const branches = node[keyword] as Mutable[];
  const [first] = branches;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const plain = branches.every(
    (branch) =>
      typeof branch === 'object' &&
      branch !== null &&
      branch.type === 'object' &&
      typeof branch.properties === 'object' &&
      Object.keys(branch).every((key) => OBJECT_KEYWORDS.has(key)) &&
      same(branch.additionalProperties, first?.additionalProperties),
  );
  if (!first || branches.length < 2 || !plain) return node;
  const members = (branch: Mutable) => Object.entries(branch.properties as Mutable);
  const requires = (branch: Mutable, key: string) =>
    ((branch.required ?? []) as string[]).includes(key);
  const shortest = Math.min(...branches.map((branch) => members(branch).length));
  let shared = 0;
  while (
    shared < shortest - 1 &&
    branches.every((branch) => {
      const [key, schema] = members(branch)[shared] as [string, unknown];
      const [firstKey, firstSchema] = members(first)[shared] as [string, unknown];
      return (
        key === firstKey &&
        same(schema, firstSchema) &&
        requires(branch, key) === requires(first, key)
      );
    })
  ) {
    shared++;
  }
  if (shared === 0) return node;
  const hoisted = members(first).slice(0, shared);
  const names = hoisted.map(([key]) => key);
  return {
    type: 'object',
    properties: Object.fromEntries(hoisted),
    required: names.filter((key) => requires(first, key)),
    ...(first.additionalProperties === undefined
      ? {}
      : { additionalProperties: first.additionalProperties }),
    [keyword]: branches.map((branch) => ({
      properties: Object.fromEntries(members(branch).slice(shared)),
      required: ((branch.required ?? []) as string[]).filter((key) => !names.includes(key)),
    })),
  };
}

/** Names reachable by `$ref` from `roots`, not following into `external`. */
function reachable(bundle: SchemaBundle, roots: string[], external: string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const ref = (node as Mutable).$ref;
    if (typeof ref === 'string' && !external.includes(ref) && !seen.has(ref)) {
      seen.add(ref);
      visit(bundle[ref]);
    }
    for (const value of Object.values(node)) visit(value);
  };
  for (const root of roots) {
    seen.add(root);
    visit(bundle[root]);
  }
  return seen;
}

/** The text of a generated module exporting `bundle` as `name`. */
export function renderShapesModule(
  name: string,
  bundle: SchemaBundle,
  source: string,
  checkerImport: string,
): string {
  return [
    `// Generated from ${source} by protocol/check/emit-shapes.ts: do not edit.`,
    '// `npm run build:web` rewrites it; a test fails while it is stale.',
    `import type { SchemaBundle } from ${`'${checkerImport}'`};`,
    '',
    `export const ${name}: SchemaBundle = ${JSON.stringify(bundle, null, 2)};`,
    '',
  ].join('\n');
}
