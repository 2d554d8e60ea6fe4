import * as z from 'zod';
import { compileCheck, type JsonSchema, type SchemaBundle } from './json-schema-check.ts';

/*
 * Build time: zod schemas → the JSON Schema bundle `json-schema-check.ts` interprets. Run by
 * `npm run build:web` (which writes the `*.gen.ts` files) and by the tests that prove those
 * files are current; never imported where zod must stay out (the service worker).
 *
 *   { Operation: zodSchema, … } ──z.toJSONSchema (registry, io 'input')──▶ { Operation: {…},
 *                                  refinements replaced, $refs flattened      __shared:x: {…} }
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
  const result = Object.fromEntries(Object.entries(bundle).filter(([name]) => kept.has(name)));
  // Compiling proves every keyword is one the checker knows (it throws otherwise).
  const whole = { ...result, ...Object.fromEntries(Object.keys(external).map((n) => [n, true])) };
  for (const name of Object.keys(shapes)) compileCheck(whole, name);
  return result;
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
